#!/usr/bin/env bash
# In a network namespace of its own (port 53 and wildcard binds stay away
# from the host): wildcard listen addresses (0.0.0.0 and [::]) answer on
# every address, each UDP reply leaving from the address the query was sent
# to (dig ignores a reply from any other); and `user`: port 53 is bound as
# root, then the server runs as that user.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

ip link set lo up && ip addr add 127.0.0.9/32 dev lo && ip -6 addr add fd00:53::9/128 dev lo nodad
check "namespace loopback up with extra addresses" test $? -eq 0
sleep 0.2   # let the v6 addresses settle

dz_config netns
dz zone add example.org --ns ns1.example.org=192.0.2.1 >/dev/null
dz record add www.example.org A 192.0.2.10 >/dev/null
dz record add big.example.org TXT "\"$(head -c 250 /dev/zero | tr '\0' b)\"" >/dev/null
DZ_PORT=53
dz_start --dns-listen=0.0.0.0:53 --dns-listen='[::]:53' || notok "serve on 0.0.0.0:53 and [::]:53"
like "$(cat "$DZ_DIR/serve.log")" 'dns on \[::\]:53' "serve binds the wildcard addresses"

for srv in 127.0.0.1 127.0.0.9 ::1 fd00:53::9; do
	for t in +notcp +tcp; do
		out=$(dig @"$srv" -p 53 +norec +time=2 +tries=1 "$t" +short www.example.org A 2>&1)
		is "$out" 192.0.2.10 "wildcard listen: $srv ($t) answers from the address asked"
	done
done
out=$(dig @127.0.0.9 -p 53 +norec +time=2 +tries=1 +notcp +ignore +bufsize=4096 big.example.org TXT)
like "$out" 'SERVER: 127\.0\.0\.9#53' "wildcard listen: a larger UDP answer also comes from the address asked"
check "the server is still running" kill -0 "$DZ_PID"
dz_stop

# bind port 53 as root, then run as `user`: the store must then be the
# user's to write
nobody_uid=$(id -u nobody)
chown -R nobody: "$DZ_DIR" && chmod 755 "$TMP"
dz_start --dns-listen=127.0.0.1:53 --user=nobody || notok "serve with user = nobody"
uid=$(awk '/^Uid:/ { print $2 "/" $3 "/" $4 }' "/proc/$DZ_PID/status")
is "$uid" "$nobody_uid/$nobody_uid/$nobody_uid" "user = nobody: real, effective and saved uid dropped"
unlike "$(cat "$DZ_DIR/serve.log")" "running as root" "user = nobody: no warning about running as root"
is "$(dig @127.0.0.1 -p 53 +norec +time=2 +tries=1 +short www.example.org A)" 192.0.2.10 \
	"user = nobody: port 53 bound before the drop, answering"
# nobody runs a copy: the build directory may sit in a checkout only root
# can enter (a clone in a `mktemp -d` directory is 0700)
install -m 755 "$DYNZONE" "$TMP/dynzone-copy"
runuser -u nobody -- "$TMP/dynzone-copy" -c "$DZ_CONF" record add new.example.org A 192.0.2.11
if wait_for 192.0.2.11 1000 dig @127.0.0.1 -p 53 +norec +time=2 +tries=1 +short new.example.org A; then
	ok "user = nobody: a change by the same user is served within a second (${WAITED} ms)"
else
	notok "user = nobody: a change by the same user is served within a second"
fi
dz_stop
out=$("$DYNZONE" -c "$DZ_CONF" serve --dns-listen=127.0.0.1:53 --user=no-such-user-here 2>&1); rc=$?
check "user = an unknown user: serve fails" test "$rc" -ne 0
like "$out" "no-such-user-here" "user = an unknown user: the message names it"
t_done
