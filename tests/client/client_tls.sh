#!/usr/bin/env bash
# dynzone-update over HTTPS (mbedTLS) against the scripted server with a test
# CA: verified with the right CA, refused with a wrong CA, the system store,
# or a certificate for another name.  Refused means no HTTP request at all.
. "$(dirname "$0")/../lib.sh"

make_certs "$TMP/pki"
check "test certificates made" test -s "$TMP/pki/server.pem"
S=$TMP/srv
mkdir -p "$S"
echo "192.0.2.44" >"$S/checkip"
reply "$S" 200 "good 192.0.2.44"
fake_start "$S" --tls "$TMP/pki/server.pem" "$TMP/pki/server.key"
C=$TMP/c.conf

conf() { # SERVER-URL [KEY=VALUE...]
	local url=$1
	shift
	du_conf "$C" "$url" h1.dyn.test token=tls-tok ipv6=off "$@"
	rm -rf "$TMP/state"
	: >"$S/requests.log"
}

conf "https://localhost:$FAKE_PORT" "tls-ca=$TMP/pki/ca.pem"
du_once "$C" $T0
is "$RC" 0 "right CA: exit 0"
is "$OUT" "h1.dyn.test updated 192.0.2.44" "right CA: check-IP and update over HTTPS"
is "$(checkips "$S")" 1 "the check-IP went over HTTPS"
is "$(last_auth "$S")" "auth=h1.dyn.test:tls-tok" "the update arrived with its token"
du_once "$C" $((T0 + 60))
is "$(wc -l <"$S/requests.log")" 2 "second run: nothing sent"

conf "https://localhost:$FAKE_PORT" "tls-ca=$TMP/pki/wrong-ca.pem" "ipv4=command echo 192.0.2.44"
du_once "$C" $T0
is "$RC" 2 "wrong CA: exit 2"
like "$OUT" "^h1.dyn.test waiting [0-9]+ network-error$" "wrong CA: refused, backing off"
like "$ERR" "certificate of localhost not trusted" "wrong CA: the log says why"
is "$(updates "$S")" 0 "wrong CA: no request reached the server"
unlike "$ERR" "tls-tok" "the token is not logged"

conf "https://localhost:$FAKE_PORT" "ipv4=command echo 192.0.2.44"
du_once "$C" $T0
like "$OUT" "waiting [0-9]+ network-error" "system CA store: the test CA is not trusted"
like "$ERR" "not trusted" "system CA store: the log says why"
is "$(updates "$S")" 0 "system CA store: no request"

conf "https://127.0.0.1:$FAKE_PORT" "tls-ca=$TMP/pki/ca.pem" "ipv4=command echo 192.0.2.44"
du_once "$C" $T0
like "$OUT" "waiting [0-9]+ network-error" "certificate for another name: refused"
like "$ERR" "not trusted" "name mismatch: the log says why"
is "$(updates "$S")" 0 "name mismatch: no request"

conf "https://localhost:$FAKE_PORT" "tls-ca=$TMP/pki/missing.pem" "ipv4=command echo 192.0.2.44"
du_once "$C" $T0
like "$ERR" "missing.pem" "an unreadable CA file is named in the log"
is "$(updates "$S")" 0 "unreadable CA file: no request"
t_done
