#!/usr/bin/env bash
# In a network namespace of its own: DNS UPDATE on wildcard listen
# addresses (0.0.0.0 and [::]).  The reply is sent later, from the syncer
# thread, yet must leave from the address the UPDATE was sent to, over
# IPv4 and IPv6 (nsupdate takes a reply from any address: the UDP check
# reads the reply's source itself).
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

ip addr add 127.0.0.9/32 dev lo && ip -6 addr add fd00:53::9/128 dev lo nodad
check "namespace loopback up with extra addresses" test $? -eq 0
sleep 0.2   # let the v6 addresses settle

KEY=$(tsig_secret)
dz_config ddnsns "tsig-key = wild hmac-sha256 $KEY" "allow-update = dyn.test wild *.dyn.test A"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.1 >/dev/null 2>&1
DZ_PORT=53
dz_start --dns-listen=0.0.0.0:53 --dns-listen='[::]:53' || notok "serve on 0.0.0.0:53 and [::]:53"
n=0
# each client sends from another local address than the one it asks, so
# that only the pktinfo the reply is sent with makes its source right
n=0
for pair in 127.0.0.9/127.0.0.1 fd00:53::9/::1 127.0.0.1/127.0.0.9 ::1/fd00:53::9; do
	srv=${pair%/*} from=${pair#*/}
	n=$((n + 1))
	src=$(/usr/bin/python3 - "$KEY" "$srv" "$from" $n <<'PY' 2>&1
import socket, sys
import dns.message, dns.rcode, dns.tsig, dns.tsigkeyring, dns.update
key, srv, frm, n = sys.argv[1:]
kr = dns.tsigkeyring.from_text({"wild.": key})
u = dns.update.Update("dyn.test.", keyring=kr, keyalgorithm=dns.tsig.HMAC_SHA256)
u.add("u%s.dyn.test." % n, 60, "A", "192.0.2.%s" % n)
fam = socket.AF_INET6 if ":" in srv else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((frm, 0))
s.settimeout(3)
s.sendto(u.to_wire(), (srv, 53))
data, peer = s.recvfrom(4096)
r = dns.message.from_wire(data, keyring=u.keyring, request_mac=u.mac)
print(peer[0], dns.rcode.to_text(r.rcode()))
PY
)
	is "$src" "$srv NOERROR" "UDP UPDATE to $srv from $from: the reply comes from $srv"
	is "$(dig @"$srv" -p 53 +norec +short +time=2 +tries=1 u$n.dyn.test A)" 192.0.2.$n "and it is served"
	out=$({ echo "server $srv 53"; echo "local $from";
		printf 'zone dyn.test\nupdate add t%d.dyn.test 60 A 192.0.2.%d\nsend\n' $n $n; } |
		nsupdate -t 3 -v -y "hmac-sha256:wild:$KEY" 2>&1)
	is "$(printf '%s' "$out" | nsu_status)" NOERROR "nsupdate -v (TCP) to $srv from $from: NOERROR"
done
t_done
