#!/usr/bin/env bash
# Debian's inadyn (2.10) against the real server: a host over IPv4 and over
# IPv6 (inadyn percent-encodes the v6 address), two hosts in one run, a
# dual-stack host (two requests, v4 then v6), myip left out, HTTPS with a
# test CA, a wrong token; the DNS answers are read afterwards.
. "$(dirname "$0")/../lib.sh"

command -v inadyn >/dev/null || { notok "inadyn installed (tools/deps test)"; t_done; exit 1; }
clients_setup inadyn
T1=$(dz host add h1.dyn.test --user alice)
T3=$(dz host add h3.dyn.test --user alice)
T4=$(dz host add h4.dyn.test --user alice)
T5=$(dz host add h5.dyn.test --user alice)
T6=$(dz host add h6.dyn.test --user alice)
dz host add h2.dyn.test --user alice >/dev/null
T12=$(dz token new h1.dyn.test h2.dyn.test)
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server with HTTP and HTTPS starts"

# section NAME USER TOKEN SERVER HOSTNAME ADDRESS [more lines]: one custom{}
# provider (address from a checkip command; `-` for none).
section() {
	local name=$1 user=$2 token=$3 server=$4 host=$5 addr=$6; shift 6
	echo "custom $name {"
	echo "    username = $user"
	echo "    password = $token"
	echo "    ddns-server = $server"
	if [ "$addr" = - ]; then
		echo '    ddns-path = "/nic/update?hostname=%h"'
		echo '    checkip-command = "echo 192.0.2.250"'
	else
		echo '    ddns-path = "/nic/update?hostname=%h&myip=%i"'
		echo "    checkip-command = \"echo $addr\""
	fi
	echo "    hostname = $host"
	printf '    %s\n' "$@"
	echo "}"
}
# ina NAME: run inadyn once on $TMP/NAME.conf with a fresh cache; output in
# $TMP/NAME.out and $OUT.
ina() {
	rm -rf "$TMP/$1.cache"
	mkdir -p "$TMP/$1.cache"
	in_ns inadyn -1 -f "$TMP/$1.conf" --cache-dir "$TMP/$1.cache" -l debug -n --no-pidfile \
		>"$TMP/$1.out" 2>&1
	OUT=$(cat "$TMP/$1.out")
}
# the addresses here are documentation ones, which inadyn refuses unless told
head_conf() { printf 'verify-address = false\nallow-ipv6 = true\nca-trust-file = %s\n' "$CERTS/ca.pem"; }

# --- IPv4 -------------------------------------------------------------------
{ head_conf; section v4 h1.dyn.test "$T1" "dz4.test:$DZ_HTTP_PORT" h1.dyn.test 192.0.2.50 "ssl = false"; } >"$TMP/v4.conf"
ina v4
like "$OUT" 'GET /nic/update\?hostname=h1\.dyn\.test&myip=192\.0\.2\.50 HTTP/1\.0' "inadyn sends an HTTP/1.0 request"
like "$OUT" 'Successful alias table update for h1\.dyn\.test' "inadyn over IPv4: success"
is "$(qs h1.dyn.test A)" "192.0.2.50" "DNS answers inadyn's address"

# --- IPv6 -------------------------------------------------------------------
{ head_conf; section v6 h6.dyn.test "$T6" "dz6.test:$DZ_HTTP_PORT" h6.dyn.test 2001:db8::52 "ssl = false"; } >"$TMP/v6.conf"
ina v6
like "$OUT" 'connecting to dz6\.test\(\[::1\]' "inadyn connects over IPv6"
like "$OUT" 'myip=2001%3adb8%3a%3a52' "it percent-encodes the address"
like "$OUT" 'Successful alias table update for h6\.dyn\.test' "inadyn over IPv6: success"
is "$(qs h6.dyn.test AAAA)" "2001:db8::52" "AAAA served"

{ head_conf; section v6x h6.dyn.test "$T6" "dz6.test:$DZ_HTTP_PORT" h6.dyn.test - "ssl = false"; } >"$TMP/v6x.conf"
ina v6x
like "$OUT" 'GET /nic/update\?hostname=h6\.dyn\.test HTTP' "no myip sent"
like "$OUT" 'Successful alias table update' "success"
is "$(qs h6.dyn.test AAAA)" "::1" "myip left out over IPv6: the connection's address"

# --- the address from /checkip ---------------------------------------------------
{
	head_conf
	echo "custom ck {"
	echo "    ssl = false"
	echo "    username = h5.dyn.test"
	echo "    password = $T5"
	echo "    ddns-server = dz6.test:$DZ_HTTP_PORT"
	echo '    ddns-path = "/nic/update?hostname=%h&myip=%i"'
	echo "    checkip-server = dz6.test:$DZ_HTTP_PORT"
	echo "    checkip-path = /checkip"
	echo "    checkip-ssl = false"
	echo "    hostname = h5.dyn.test"
	echo "}"
} >"$TMP/ck.conf"
ina ck
like "$OUT" 'GET /checkip' "inadyn asks /checkip for its address"
like "$OUT" 'myip=%3a%3a1' "and sends what it was told (::1)"
like "$OUT" 'Successful alias table update for h5\.dyn\.test' "success"
is "$(qs h5.dyn.test AAAA)" "::1" "served"

# --- two hosts ---------------------------------------------------------------
{ head_conf; section two alice "$T12" "dz4.test:$DZ_HTTP_PORT" "{ h1.dyn.test, h2.dyn.test }" 192.0.2.51 "ssl = false"; } >"$TMP/two.conf"
ina two
is "$(grep -c 'Successful alias table update for h[12]\.dyn\.test' "$TMP/two.out")" "2" "two hosts in one run: both updated"
is "$(qs h1.dyn.test A) $(qs h2.dyn.test A)" "192.0.2.51 192.0.2.51" "both served"

# --- dual-stack: one v4 and one v6 request for one host ------------------------
{
	head_conf
	section ds4 h3.dyn.test "$T3" "dz4.test:$DZ_HTTP_PORT" h3.dyn.test 192.0.2.53 "ssl = false"
	section ds6 h3.dyn.test "$T3" "dz6.test:$DZ_HTTP_PORT" h3.dyn.test 2001:db8::53 "ssl = false"
} >"$TMP/ds.conf"
ina ds
is "$(grep -c 'Successful alias table update for h3\.dyn\.test' "$TMP/ds.out")" "2" "dual-stack: both requests succeed"
is "$(qs h3.dyn.test A)/$(qs h3.dyn.test AAAA)" "192.0.2.53/2001:db8::53" "A and AAAA both served (the v6 update kept the A)"

# --- HTTPS -----------------------------------------------------------------------
{ head_conf; section tls4 h4.dyn.test "$T4" "dz4.test:$DZ_HTTPS_PORT" h4.dyn.test 192.0.2.54 "ssl = true"; } >"$TMP/tls4.conf"
ina tls4
like "$OUT" 'Successful alias table update for h4\.dyn\.test' "HTTPS over IPv4: success"
is "$(qs h4.dyn.test A)" "192.0.2.54" "served"
{ head_conf; section tls6 h4.dyn.test "$T4" "dz6.test:$DZ_HTTPS_PORT" h4.dyn.test 2001:db8::54 "ssl = true"; } >"$TMP/tls6.conf"
ina tls6
like "$OUT" 'Successful alias table update for h4\.dyn\.test' "HTTPS over IPv6: success"
is "$(qs h4.dyn.test A)/$(qs h4.dyn.test AAAA)" "192.0.2.54/2001:db8::54" "both families served"
{ printf 'verify-address = false\nallow-ipv6 = true\nca-trust-file = %s\n' "$CERTS/server.key"
  section tlsbad h4.dyn.test "$T4" "dz4.test:$DZ_HTTPS_PORT" h4.dyn.test 192.0.2.99 "ssl = true"; } >"$TMP/tlsbad.conf"
ina tlsbad
unlike "$OUT" 'Successful alias table update' "without the CA inadyn does not update"
is "$(qs h4.dyn.test A)" "192.0.2.54" "nothing changed"

# --- a wrong token -------------------------------------------------------------------
{ head_conf; section bad h1.dyn.test "${T1%?????}xxxxx" "dz4.test:$DZ_HTTP_PORT" h1.dyn.test 192.0.2.98 "ssl = false"; } >"$TMP/bad.conf"
ina bad
like "$OUT" '401 Unauthorized' "inadyn sees 401"
unlike "$OUT" 'Successful alias table update' "and reports no success"
is "$(qs h1.dyn.test A)" "192.0.2.51" "DNS unchanged"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log WHERE agent LIKE 'inadyn/2.10%' AND result = 'good'")" \
	"10" "every good update logged with inadyn's user agent"
dz_stop
t_done
