#!/usr/bin/env bash
# The dyndns2 update API with curl: every parameter form and every reply
# code, the reply's shape (status, CRLF, Content-Length, Connection: close,
# never chunked), and after each update the DNS answer read with dig.
. "$(dirname "$0")/../lib.sh"

dz_config api "update-rate-token = 0" "update-rate-client = 0"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1 || { notok "zone add"; t_done; exit 1; }
echo "alice-password" | dz user add alice 2>/dev/null
echo "bob-password" | dz user add bob 2>/dev/null
TA=$(dz host add a.dyn.test --user alice)
TB=$(dz host add b.dyn.test --user alice --ttl 300)
TC=$(dz host add c.dyn.test --user bob)
TAB=$(dz token new a.dyn.test b.dyn.test)
like "$TA" '^[A-Za-z0-9_-]{32}$' "host add prints a 32-character token of letters, digits, - and _"
check "tokens differ" test "$TA" != "$TB" -a "$TA" != "$TAB"
LONG=$(printf 'a%.0s' $(seq 63)).$(printf 'b%.0s' $(seq 63)).$(printf 'c%.0s' $(seq 63)).$(printf 'd%.0s' $(seq 40)).dyn.test
TL=$(dz host add "$LONG" --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"

URL4="http://127.0.0.1:$DZ_HTTP_PORT"
URL6="http://[::1]:$DZ_HTTP_PORT"
U4=$URL4/nic/update
U6=$URL6/nic/update
soa() { q +short dyn.test SOA | awk '{print $3}'; }

# --- the reply's shape, first update ------------------------------------
S0=$(soa)
up "$U4" "hostname=a.dyn.test&myip=192.0.2.1" -u "a.dyn.test:$TA"
is "$ST $BODY" "200 good 192.0.2.1|" "v4 update: 200 good with the address, CRLF"
like "$HDR" '^Content-Length: 16$' "Content-Length sent"
like "$HDR" '^Connection: close$' "Connection: close sent"
unlike "$HDR" 'Transfer-Encoding' "never chunked"
like "$HDR" '^Content-Type: text/plain' "text/plain"
is "$(qs a.dyn.test A)" "192.0.2.1" "DNS answers the new A at once"
S1=$(soa)
check "SOA serial increased ($S0 -> $S1)" test "$S1" -gt "$S0"
is "$(q a.dyn.test A | grep -E '^a\.dyn\.test\.' | awk '{print $2}')" "60" "host TTL is the zone default (60)"

up "$U4" "hostname=a.dyn.test&myip=192.0.2.1" -u "a.dyn.test:$TA"
is "$ST $BODY" "200 nochg 192.0.2.1|" "same address again: nochg"
is "$(soa)" "$S1" "nochg does not bump the serial"

# --- families ------------------------------------------------------------
up "$U4" "hostname=a.dyn.test&myip=2001:db8::1" -u "a.dyn.test:$TA"
is "$ST $BODY" "200 good 192.0.2.1,2001:db8::1|" "v6 update lists both families"
is "$(qs a.dyn.test AAAA)" "2001:db8::1" "AAAA set"
is "$(qs a.dyn.test A)" "192.0.2.1" "the v4 record is left alone by a v6 update"

up "$U4" "hostname=a.dyn.test" -u "a.dyn.test:$TA"
is "$BODY" "good 127.0.0.1,2001:db8::1|" "myip absent over IPv4: the connection's address"
is "$(qs a.dyn.test A)" "127.0.0.1" "A is the client's address"
is "$(qs a.dyn.test AAAA)" "2001:db8::1" "AAAA untouched"

up "$U6" "hostname=a.dyn.test&myip=" -u "a.dyn.test:$TA"
is "$BODY" "good 127.0.0.1,::1|" "myip empty over IPv6 (ddclient usev6): the connection's v6 address"
is "$(qs a.dyn.test AAAA)" "::1" "AAAA is ::1"

up "$U4" "hostname=a.dyn.test&myip=2001:db8::2,192.0.2.2" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.2,2001:db8::2|" "myip list, v6 first"
is "$(qs a.dyn.test A)/$(qs a.dyn.test AAAA)" "192.0.2.2/2001:db8::2" "both records from one list"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.3,2001:db8::3" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.3,2001:db8::3|" "myip list, v4 first"

up "$U4" "hostname=a.dyn.test&myip=2001%3adb8%3a%3a4" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.3,2001:db8::4|" "percent-encoded v6 (inadyn custom)"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.4%2C2001%3Adb8%3A%3A5" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.4,2001:db8::5|" "percent-encoded list"
is "$(qs a.dyn.test AAAA)" "2001:db8::5" "decoded address served"

n=0
for p in myipv6 myip6 ipv6; do
	n=$((n + 1))
	up "$U4" "hostname=a.dyn.test&$p=2001:db8::1$n" -u "a.dyn.test:$TA"
	is "$BODY" "good 192.0.2.4,2001:db8::1$n|" "$p= sets the v6 address"
done
is "$(qs a.dyn.test AAAA)" "2001:db8::13" "AAAA from ipv6="
up "$U4" "hostname=a.dyn.test&myip=192.0.2.5&myipv6=2001:db8::6" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.5,2001:db8::6|" "myip and myipv6 together"

up "$U4" "hostname=a.dyn.test&myip=2001:db8:0:1::7/64" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.5,2001:db8:0:1::7|" "prefix length stripped (FRITZ!Box)"
is "$(qs a.dyn.test AAAA)" "2001:db8:0:1::7" "AAAA without the prefix"
up "$U4" "hostname=a.dyn.test&myip=2001:db8::8/129" -u "a.dyn.test:$TA"
is "$ST $BODY" "200 badagent|" "impossible prefix refused (badagent)"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.300" -u "a.dyn.test:$TA"
is "$ST $BODY" "200 badagent|" "garbage address refused (badagent)"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.6,192.0.2.7" -u "a.dyn.test:$TA"
is "$BODY" "badagent|" "two different v4 addresses refused"
up "$U4" "hostname=a.dyn.test&myipv6=192.0.2.8" -u "a.dyn.test:$TA"
is "$BODY" "badagent|" "v4 address in myipv6 refused"
is "$(qs a.dyn.test A)/$(qs a.dyn.test AAAA)" "192.0.2.5/2001:db8:0:1::7" "refused requests changed nothing"

up "$U4" "system=dyndns&hostname=a.dyn.test&myip=192.0.2.5&wildcard=NOCHG&mx=&backmx=NO&unknown=1" -u "a.dyn.test:$TA"
is "$BODY" "nochg 192.0.2.5,2001:db8:0:1::7|" "legacy parameters accepted and ignored"

# --- offline --------------------------------------------------------------
up "$U4" "hostname=a.dyn.test&offline=YES" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.5,2001:db8:0:1::7|" "offline=YES answers good"
is "$(rcode a.dyn.test A)" "NXDOMAIN" "offline host has no records"
up "$U4" "hostname=a.dyn.test&offline=YES" -u "a.dyn.test:$TA"
is "$BODY" "nochg 192.0.2.5,2001:db8:0:1::7|" "offline again: nochg"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.9" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.9,2001:db8:0:1::7|" "next update brings the host back"
is "$(qs a.dyn.test A)/$(qs a.dyn.test AAAA)" "192.0.2.9/2001:db8:0:1::7" "both families served again"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.9&offline=NO" -u "a.dyn.test:$TA"
is "$BODY" "nochg 192.0.2.9,2001:db8:0:1::7|" "offline=NO on an online host: nochg"

# --- TXT for ACME ---------------------------------------------------------
up "$U4" "hostname=a.dyn.test&txt=chal-one" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.9,2001:db8:0:1::7|" "txt= sets a TXT value"
is "$(qs _acme-challenge.a.dyn.test TXT)" '"chal-one"' "TXT at _acme-challenge served"
is "$(qs a.dyn.test A)" "192.0.2.9" "a TXT-only request leaves the address alone"
up "$U4" "hostname=a.dyn.test&txt=chal-two" -u "a.dyn.test:$TA"
is "$(qs _acme-challenge.a.dyn.test TXT)" '"chal-one" "chal-two"' "second value kept beside the first (apex + wildcard)"
up "$U4" "hostname=a.dyn.test&txt=chal-two" -u "a.dyn.test:$TA"
is "$BODY" "nochg 192.0.2.9,2001:db8:0:1::7|" "same TXT value again: nochg"
up "$U4" "hostname=a.dyn.test&txt=x1&txt=x2&txt=x3" -u "a.dyn.test:$TA"
is "$(q +short _acme-challenge.a.dyn.test TXT | wc -l | tr -d ' ')" "4" "at most 4 values: the oldest go"
unlike "$(qs _acme-challenge.a.dyn.test TXT)" 'chal-one' "the oldest value went first"
up "$U4" "hostname=a.dyn.test&txt=" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.9,2001:db8:0:1::7|" "empty txt= removes"
is "$(rcode _acme-challenge.a.dyn.test TXT)" "NXDOMAIN" "TXT gone"
up "$U4" "hostname=$LONG&txt=abc" -u "$LONG:$TL"
is "$BODY" "dnserr|" "no room for _acme-challenge under a 250-byte name: dnserr"

# --- several hosts --------------------------------------------------------
up "$U4" "hostname=b.dyn.test,a.dyn.test&myip=192.0.2.20" -u "alice:$TAB"
is "$BODY" "good 192.0.2.20|good 192.0.2.20,2001:db8:0:1::7|" "two hosts: one line each, in request order"
is "$(qs b.dyn.test A)/$(qs a.dyn.test A)" "192.0.2.20/192.0.2.20" "both served"
is "$(q b.dyn.test A | grep -E '^b\.dyn\.test\.' | awk '{print $2}')" "300" "host TTL from host add --ttl"
up "$U4" "hostname=a.dyn.test,c.dyn.test,nosuch.dyn.test,b.dyn.test&myip=192.0.2.20" -u "alice:$TAB"
is "$BODY" "nochg 192.0.2.20,2001:db8:0:1::7|nohost|nohost|nochg 192.0.2.20|" \
	"another user's host and an unknown name: nohost, in place"
up "$U4" "hostname=a.dyn.test,b.dyn.test&myip=192.0.2.21" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.21,2001:db8:0:1::7|nohost|" "a one-host token covers only its host"
hosts=$(seq -s, -f 'h%g.dyn.test' 1 21)
up "$U4" "hostname=$hosts&myip=192.0.2.22" -u "alice:$TAB"
is "$BODY" "numhost|" "21 hostnames: numhost, once"

# --- credentials ----------------------------------------------------------
up "$U4" "hostname=a.dyn.test&myip=192.0.2.23&username=a.dyn.test&password=$TA"
is "$BODY" "good 192.0.2.23,2001:db8:0:1::7|" "credentials in the query"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.24" -u "alice:$TA"
is "$BODY" "good 192.0.2.24,2001:db8:0:1::7|" "account name as the user name"
up "$U4" "myip=192.0.2.25" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.25,2001:db8:0:1::7|" "no hostname: the user name is the host"
# the token with its last character changed
WRONG=${TA%?}$([ "${TA: -1}" = x ] && echo y || echo x)
up "$U4" "hostname=a.dyn.test&myip=192.0.2.26" -u "a.dyn.test:$WRONG"
is "$ST $BODY" "401 badauth|" "wrong token: 401 badauth"
like "$HDR" '^WWW-Authenticate: Basic realm="dynzone"$' "401 carries WWW-Authenticate: Basic"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.26"
is "$ST $BODY" "401 badauth|" "no credentials: 401 badauth"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.26" -u "b.dyn.test:$TA"
is "$ST $BODY" "401 badauth|" "user name of a host the token does not cover: badauth"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.26" -u "bob:$TA"
is "$ST $BODY" "401 badauth|" "another account's name: badauth"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.26" -u "a.dyn.test:short"
is "$ST $BODY" "401 badauth|" "malformed token: badauth"
is "$(qs a.dyn.test A)" "192.0.2.25" "nothing changed by refused credentials"

# --- other codes ----------------------------------------------------------
up "$U4" "hostname=foo&myip=192.0.2.27" -u "alice:$TAB"
is "$ST $BODY" "200 notfqdn|" "single label: notfqdn"
up "$U4" "myip=192.0.2.27" -u "alice:$TAB"
is "$BODY" "notfqdn|" "no hostname and the user is no host name: notfqdn"
up "$U4" "hostname=x.example.org&myip=192.0.2.27" -u "alice:$TAB"
is "$BODY" "nohost|" "name outside every zone: nohost"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.27" -u "a.dyn.test:$TA" -X DELETE
is "$ST $BODY" "200 badagent|" "method DELETE: badagent"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.28" -u "a.dyn.test:$TA" -X POST -d ""
is "$BODY" "good 192.0.2.28,2001:db8:0:1::7|" "POST with the query in the URL works"
up "$U4" "" -u "a.dyn.test:$TA" -d "hostname=a.dyn.test&myip=192.0.2.29"
is "$BODY" "good 192.0.2.29,2001:db8:0:1::7|" "POST form body works"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.30" -u "a.dyn.test:$TA" -0
is "$ST $BODY" "200 good 192.0.2.30,2001:db8:0:1::7|" "HTTP/1.0 request (inadyn)"
for path in /v3/update /nic/update/; do
	ST=$(curl -s -o /dev/null -w '%{http_code}' -u "a.dyn.test:$TA" "$URL4$path?hostname=a.dyn.test&myip=192.0.2.30")
	[ "$path" = /v3/update ] && is "$ST" 200 "/v3/update is an update path too"
	[ "$path" = /nic/update/ ] && is "$ST" 404 "other paths: 404"
done

# --- /checkip ---------------------------------------------------------------
is "$(curl -s "$URL4/checkip")" "127.0.0.1" "/checkip over IPv4"
is "$(curl -s "$URL6/checkip")" "::1" "/checkip over IPv6"

# --- every reply is served at once: 30 changes, each read right after -------
bad=0
for i in $(seq 1 30); do
	up "$U4" "hostname=b.dyn.test&myip=198.51.100.$i" -u "b.dyn.test:$TB"
	got=$(qs b.dyn.test A)
	[ "$BODY" = "good 198.51.100.$i|" ] && [ "$got" = "198.51.100.$i" ] || { bad=$((bad + 1)); diag "step $i: $BODY / $got"; }
done
is "$bad" 0 "30 updates: each new address answered by the first query after the reply"

# --- the update log -------------------------------------------------------
DB=$DZ_DIR/dynzone.db
is "$(sqlite3 "$DB" "SELECT result || ' ' || addrs || ' ' || client FROM update_log WHERE host = 'b.dyn.test.' ORDER BY id DESC LIMIT 1")" \
	"good 198.51.100.30 127.0.0.1" "update logged with result, addresses and client"
like "$(sqlite3 "$DB" "SELECT agent FROM update_log ORDER BY id DESC LIMIT 1")" '^curl/' "user agent logged"
check "nochg is logged" test "$(sqlite3 "$DB" "SELECT count(*) FROM update_log WHERE result = 'nochg'")" -gt 0
check "badauth is logged" test "$(sqlite3 "$DB" "SELECT count(*) FROM update_log WHERE result = 'badauth'")" -gt 0
like "$(sqlite3 "$DB" "SELECT last_used FROM tokens WHERE tid = '${TB:0:8}'")" '^[0-9]+$' "token last-used time recorded"
like "$(dz host list)" 'b\.dyn\.test\. +alice +300 online .* 198\.51\.100\.30 ' "host list shows the address"

dz_stop
t_done
