#!/usr/bin/env bash
# Wildcard listen addresses (0.0.0.0 and [::]) in a network namespace of
# its own: every address of the host answers, and each UDP reply leaves from
# the address the query was sent to (dig ignores a reply from any other).
# The namespace keeps port 53 and the wildcard binds away from the host.
if [ -z "${DZ_IN_NETNS:-}" ]; then
	DZ_IN_NETNS=1 exec unshare --net bash "$0" "$@"
	echo "not ok 1 - unshare --net (a network namespace) is needed: run as root"
	echo "1..1"
	exit 1
fi
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../dns/lib-dns.sh"

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
t_done
