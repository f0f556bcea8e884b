#!/usr/bin/env bash
# dynzone-update against the real `dynzone serve`: the first run updates
# (and DNS answers with the addresses), a second run sends nothing, an
# address change sends one update (sources are asked again after their
# check-interval, 1800 s by default: --time moves the clock); a wrong token
# stops the host; HTTPS with the test CA is verified, with a wrong CA refused.
. "$(dirname "$0")/../lib.sh"

make_certs "$TMP/pki"
HP=$(free_port)
dz_config real "https-listen = 127.0.0.1:$HP" "tls-cert = $TMP/pki/server.pem" \
	"tls-key = $TMP/pki/server.key"
check "zone added" dz zone add dyn.test --ns ns1.dyn.test=127.0.0.1
printf 'alice-pass-9\n' | dz user add alice >/dev/null
check "user added" test $? -eq 0
TOKEN=$(dz host add h1.dyn.test --user alice | tail -1)
like "$TOKEN" "^[A-Za-z0-9_-]{16,}$" "host added, token printed"
dz_start
check "dynzone serve is running" kill -0 "$DZ_PID"

C=$TMP/c.conf
conf() { # SERVER-URL [KEY=VALUE...]
	local url=$1
	shift
	du_conf "$C" "$url" h1.dyn.test "token=$TOKEN" "ipv4=command cat $TMP/v4" \
		"ipv6=command cat $TMP/v6" "$@"
}
# Requests in the server's update log (the update_log table) from us.
seen() {
	sqlite3 "$DZ_DIR/dynzone.db" \
		"SELECT count(*) FROM update_log WHERE agent LIKE 'dynzone-update/%'"
}

echo 192.0.2.10 >"$TMP/v4"
echo 2001:db8::10 >"$TMP/v6"
conf "http://127.0.0.1:$DZ_HTTP_PORT"
n0=$(seen)
du_once "$C" $T0
is "$RC" 0 "first run: exit 0"
is "$OUT" "h1.dyn.test updated 192.0.2.10,2001:db8::10" "first run: updated both families"
n1=$(seen)
is "$((n1 - n0))" 1 "first run: the server's update log shows one request"
is "$(qs h1.dyn.test A)" "192.0.2.10" "DNS: A"
is "$(qs h1.dyn.test AAAA)" "2001:db8::10" "DNS: AAAA"

du_once "$C" $((T0 + 60))
is "$OUT" "h1.dyn.test current 192.0.2.10,2001:db8::10" "second run: current"
is "$(seen)" "$n1" "second run: the server's update log shows nothing new"

echo 192.0.2.11 >"$TMP/v4"
du_once "$C" $((T0 + 1900))
is "$OUT" "h1.dyn.test updated 192.0.2.11,2001:db8::10" "address change: updated"
is "$(( $(seen) - n1 ))" 1 "address change: one more request in the server's update log"
is "$(qs h1.dyn.test A)" "192.0.2.11" "DNS: new A"
is "$(qs h1.dyn.test AAAA)" "2001:db8::10" "DNS: AAAA kept"

# The server's /checkip (over loopback it sees 127.0.0.1).
DU_CACHE=$TMP/ckstate/cache du_conf "$TMP/ck.conf" "http://127.0.0.1:$DZ_HTTP_PORT" \
	h1.dyn.test "token=$TOKEN" ipv6=off
du_once "$TMP/ck.conf" $T0 --dry-run
is "$OUT" "h1.dyn.test would-update 127.0.0.1" "dynzone's /checkip answers the caller's address"

# A wrong token: badauth, stopped.
DU_CACHE=$TMP/badstate/cache du_conf "$TMP/bad.conf" "http://127.0.0.1:$DZ_HTTP_PORT" \
	h1.dyn.test token=not-the-token "ipv4=command echo 192.0.2.99" ipv6=off
du_once "$TMP/bad.conf" $T0
is "$RC" 3 "wrong token: exit 3"
is "$OUT" "h1.dyn.test stopped badauth" "wrong token: badauth stops the host"
is "$(qs h1.dyn.test A)" "192.0.2.11" "wrong token: DNS unchanged"

# HTTPS with the test CA, then with a wrong one.
echo 192.0.2.12 >"$TMP/v4"
conf "https://localhost:$HP" "tls-ca=$TMP/pki/ca.pem"
du_once "$C" $((T0 + 3800))
is "$OUT" "h1.dyn.test updated 192.0.2.12,2001:db8::10" "HTTPS with the test CA: updated"
is "$(qs h1.dyn.test A)" "192.0.2.12" "HTTPS: DNS follows"
echo 192.0.2.13 >"$TMP/v4"
conf "https://localhost:$HP" "tls-ca=$TMP/pki/wrong-ca.pem"
du_once "$C" $((T0 + 5700))
like "$OUT" "^h1.dyn.test waiting [0-9]+ network-error$" "HTTPS with a wrong CA: refused"
like "$ERR" "certificate of localhost not trusted" "wrong CA: the log says why"
is "$(qs h1.dyn.test A)" "192.0.2.12" "wrong CA: DNS unchanged"
t_done
