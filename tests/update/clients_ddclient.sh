#!/usr/bin/env bash
# Debian's ddclient (3.10) against the real server: a host over IPv4 and
# over IPv6, two hosts in one request, a dual-stack host, over HTTP and
# HTTPS (test CA), a wrong token; the DNS answers are read afterwards.
. "$(dirname "$0")/../lib.sh"

command -v ddclient >/dev/null || { notok "ddclient installed (tools/deps test)"; t_done; exit 1; }
clients_setup ddclient
T1=$(dz host add h1.dyn.test --user alice)
T2=$(dz host add h2.dyn.test --user alice)
T3=$(dz host add h3.dyn.test --user alice)
T6=$(dz host add h6.dyn.test --user alice)
T12=$(dz token new h1.dyn.test h2.dyn.test)
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server with HTTP and HTTPS starts"

# ddc NAME LINES...: write a ddclient config (the lines after the common
# ones), run ddclient once in the foreground; its output in $TMP/NAME.out
# and $OUT.
ddc() {
	local name=$1; shift
	{
		echo "daemon=0"
		echo "syslog=no"
		printf '%s\n' "$@"
	} >"$TMP/$name.conf"
	chmod 600 "$TMP/$name.conf"
	in_ns ddclient -foreground -file "$TMP/$name.conf" -cache "$TMP/$name.cache" \
		-daemon=0 -verbose -noquiet >"$TMP/$name.out" 2>&1
	OUT=$(cat "$TMP/$name.out")
}
sent() { sed -n 's/^SENDING: *\(GET .*\) HTTP.*/\1/p' "$TMP/$1.out" | head -1; }

# --- IPv4 -------------------------------------------------------------------
ddc v4 "ssl=no" "protocol=dyndns2" "use=ip, ip=192.0.2.44" "server=dz4.test:$DZ_HTTP_PORT" \
	"login=h1.dyn.test" "password=$T1" "h1.dyn.test"
like "$OUT" 'SUCCESS: +updating h1\.dyn\.test: good: IP address set to 192\.0\.2\.44' "ddclient over IPv4: good"
like "$(sent v4)" 'hostname=h1\.dyn\.test&myip=192\.0\.2\.44' "it sent hostname and myip"
is "$(qs h1.dyn.test A)" "192.0.2.44" "DNS answers ddclient's address"
ddc v4 "ssl=no" "protocol=dyndns2" "use=ip, ip=192.0.2.44" "server=dz4.test:$DZ_HTTP_PORT" \
	"login=h1.dyn.test" "password=$T1" "h1.dyn.test"
unlike "$OUT" 'SENDING' "second run: ddclient's cache says nothing changed, nothing sent"
in_ns ddclient -foreground -file "$TMP/v4.conf" -cache "$TMP/v4.cache" -daemon=0 -verbose -noquiet \
	-force >"$TMP/v4f.out" 2>&1
like "$(cat "$TMP/v4f.out")" 'updating h1\.dyn\.test: nochg' "forced: nochg, which ddclient accepts"
unlike "$(cat "$TMP/v4f.out")" 'FAILED' "no failure reported"

# --- IPv6 -------------------------------------------------------------------
# usev6 makes ddclient 3.10 send myip= (empty): the server takes the
# connection's address, here ::1
ddc v6 "ssl=no" "protocol=dyndns2" "usev6=ipv6, ipv6=2001:db8::45" "server=dz6.test:$DZ_HTTP_PORT" \
	"login=h6.dyn.test" "password=$T6" "h6.dyn.test"
like "$OUT" 'CONNECT: +dz6\.test' "ddclient connects over IPv6"
like "$(sent v6)" 'hostname=h6\.dyn\.test&myip=$' "it sends an empty myip"
like "$OUT" 'SUCCESS: +updating h6\.dyn\.test: good' "ddclient over IPv6: good"
is "$(qs h6.dyn.test AAAA)" "::1" "AAAA is the connection's address"
is "$(rcode h6.dyn.test A)" "NOERROR" "the name exists"
is "$(qs h6.dyn.test A)" "" "and has no A (only v6 was sent)"
ddc v6b "ssl=no" "protocol=dyndns2" "use=ip, ip=2001:db8::46" "ipv6=2001:db8::46" \
	"server=dz6.test:$DZ_HTTP_PORT" "login=h6.dyn.test" "password=$T6" "h6.dyn.test"
like "$(sent v6b)" 'myip=2001:db8::46' "an IPv6 address given as myip (over IPv6)"
like "$OUT" 'SUCCESS: +updating h6\.dyn\.test: good' "good"
is "$(qs h6.dyn.test AAAA)" "2001:db8::46" "AAAA is the address ddclient sent"

# --- the address from /checkip ---------------------------------------------------
ddc web "ssl=no" "protocol=dyndns2" "use=web, web=http://dz4.test:$DZ_HTTP_PORT/checkip" \
	"server=dz4.test:$DZ_HTTP_PORT" "login=h1.dyn.test" "password=$T1" "h1.dyn.test"
like "$OUT" 'GET /checkip' "ddclient asks /checkip for its address"
like "$OUT" 'SUCCESS: +updating h1\.dyn\.test: good: IP address set to 127\.0\.0\.1' "and sends what it was told"
is "$(qs h1.dyn.test A)" "127.0.0.1" "served"

# --- two hosts in one request ---------------------------------------------------
ddc two "ssl=no" "protocol=dyndns2" "use=ip, ip=192.0.2.47" "server=dz4.test:$DZ_HTTP_PORT" \
	"login=alice" "password=$T12" "h1.dyn.test,h2.dyn.test"
like "$(sent two)" 'hostname=h1\.dyn\.test,h2\.dyn\.test&myip=192\.0\.2\.47' "one request for both hosts"
is "$(grep -c 'SUCCESS: *updating h[12]\.dyn\.test: good' "$TMP/two.out")" "2" "a good line for each host"
is "$(qs h1.dyn.test A) $(qs h2.dyn.test A)" "192.0.2.47 192.0.2.47" "both served"

# --- a dual-stack host (one v4 and one v6 run) ----------------------------------
ddc ds4 "ssl=no" "protocol=dyndns2" "use=ip, ip=192.0.2.48" "server=dz4.test:$DZ_HTTP_PORT" \
	"login=h3.dyn.test" "password=$T3" "h3.dyn.test"
ddc ds6 "ssl=no" "protocol=dyndns2" "use=ip, ip=2001:db8::48" "ipv6=2001:db8::48" \
	"server=dz6.test:$DZ_HTTP_PORT" "login=h3.dyn.test" "password=$T3" "h3.dyn.test"
like "$(cat "$TMP/ds4.out" "$TMP/ds6.out")" 'good: IP address set to 192\.0\.2\.48.*' "v4 run good"
like "$OUT" 'good: IP address set to 2001:db8::48' "v6 run good"
is "$(qs h3.dyn.test A)/$(qs h3.dyn.test AAAA)" "192.0.2.48/2001:db8::48" "dual-stack host: the v6 run kept the A"

# --- HTTPS ------------------------------------------------------------------------
ddc tls4 "ssl=yes" "ssl_ca_file=$CERTS/ca.pem" "protocol=dyndns2" "use=ip, ip=192.0.2.49" \
	"server=dz4.test:$DZ_HTTPS_PORT" "login=alice" "password=$T12" "h1.dyn.test,h2.dyn.test"
like "$OUT" 'CONNECTED: +using SSL' "ddclient speaks TLS"
is "$(grep -c 'SUCCESS: *updating h[12]\.dyn\.test: good' "$TMP/tls4.out")" "2" "HTTPS over IPv4: both hosts good"
is "$(qs h1.dyn.test A) $(qs h2.dyn.test A)" "192.0.2.49 192.0.2.49" "served"
ddc tls6 "ssl=yes" "ssl_ca_file=$CERTS/ca.pem" "protocol=dyndns2" "use=ip, ip=2001:db8::49" "ipv6=2001:db8::49" \
	"server=dz6.test:$DZ_HTTPS_PORT" "login=h6.dyn.test" "password=$T6" "h6.dyn.test"
like "$OUT" 'SUCCESS: +updating h6\.dyn\.test: good' "HTTPS over IPv6: good"
is "$(qs h6.dyn.test AAAA)" "2001:db8::49" "served"
printf 'not the CA\n' >"$TMP/bad-ca.pem"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other CA" -keyout "$TMP/o.key" \
	-out "$TMP/bad-ca.pem" >/dev/null 2>&1
ddc tlsbad "ssl=yes" "ssl_ca_file=$TMP/bad-ca.pem" "protocol=dyndns2" "use=ip, ip=192.0.2.99" \
	"server=dz4.test:$DZ_HTTPS_PORT" "login=h1.dyn.test" "password=$T1" "h1.dyn.test"
unlike "$OUT" 'SUCCESS' "a client that does not trust the certificate does not update"
is "$(qs h1.dyn.test A)" "192.0.2.49" "nothing changed"

# --- a wrong token -------------------------------------------------------------------
ddc bad "ssl=no" "protocol=dyndns2" "use=ip, ip=192.0.2.98" "server=dz4.test:$DZ_HTTP_PORT" \
	"login=h1.dyn.test" "password=${T1%?????}xxxxx" "h1.dyn.test"
like "$OUT" 'FAILED' "ddclient reports the refusal"
unlike "$OUT" 'SUCCESS' "and no success"
is "$(qs h1.dyn.test A)" "192.0.2.49" "DNS unchanged"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log WHERE agent LIKE 'ddclient/3.10%' AND result = 'good'")" \
	"11" "every good update logged with ddclient's user agent"
dz_stop
t_done
