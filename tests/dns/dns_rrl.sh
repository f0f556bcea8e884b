#!/usr/bin/env bash
# Response rate limiting on UDP: past rrl-rate answers a second to one
# client network (/24) the rest are dropped, every rrl-slip-th going out
# empty with TC set; another network is answered as usual, TCP always is,
# the limit lifts within a second or two, loopback is exempt, and
# /metrics counts what was held back.  In a network namespace of the
# test's own, so that clients have addresses other than loopback.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"
for a in 192.0.2.53 192.0.2.1 198.51.100.1; do ip addr add "$a/32" dev lo; done

dz_config rrl "rrl-rate = 20" "rrl-slip = 2" "dns-workers = 1"
sed -i "s/^dns-listen = \[::1\]:\([0-9]*\)$/dns-listen = 192.0.2.53:\1/" "$DZ_CONF"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
dz record add www.dyn.test A 192.0.2.80 >/dev/null
dz_start || { notok "server starts"; t_done; exit 1; }

burst() { # SRC DST N: send N queries at once from SRC; print answered/truncated/silent
	python3 - "$1" "$2" "$DZ_PORT" "$3" <<'PY'
import socket, struct, sys, time
src, dst, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
q = b'\x03www\x03dyn\x04test\x00' + struct.pack('>HH', 1, 1)
for i in range(n):
    s.sendto(struct.pack('>HHHHHH', i, 0, 1, 0, 0, 0) + q, (dst, port))
ans = tc = 0
s.settimeout(0.5)
try:
    while True:
        r = s.recv(4096)
        an = struct.unpack('>H', r[6:8])[0]
        if r[2] & 0x02:
            tc += 1
        elif an:
            ans += 1
except socket.timeout:
    pass
print(ans, tc, n - ans - tc)
PY
}
read -r ans tc silent < <(burst 192.0.2.1 192.0.2.53 200)
diag "200 queries at once from 192.0.2.1: $ans answered, $tc truncated, $silent silent"
check "about rrl-rate (20) are answered, a burst of its size and its refill ($ans)" test "$ans" -ge 15 -a "$ans" -le 60
check "of the rest about every second slips out truncated ($tc)" test "$tc" -ge 60 -a "$tc" -le 100
check "and the others are dropped ($silent)" test "$silent" -ge 60
is "$(dig -b 198.51.100.1 @192.0.2.53 -p "$DZ_PORT" +norec +short +time=1 +tries=1 www.dyn.test A)" \
	"192.0.2.80" "another network is answered meanwhile"
is "$(dig -b 192.0.2.1 @192.0.2.53 -p "$DZ_PORT" +norec +short +tcp +time=2 +tries=1 www.dyn.test A)" \
	"192.0.2.80" "the limited network still gets its answer over TCP"
sleep 1.5
is "$(dig -b 192.0.2.1 @192.0.2.53 -p "$DZ_PORT" +norec +short +notcp +ignore +time=1 +tries=1 www.dyn.test A)" \
	"192.0.2.80" "a second later the limit has lifted"
read -r ans tc silent < <(burst 127.0.0.1 127.0.0.1 200)
is "$ans $tc" "200 0" "loopback is exempt (200 of 200 answered)"
m=$(curl -s "http://127.0.0.1:$DZ_HTTP_PORT/metrics")
like "$(grep '^dynzone_dns_rate_limited_total{action="dropped"}' <<<"$m")" ' [1-9][0-9]*$' "/metrics counts the dropped answers"
like "$(grep '^dynzone_dns_rate_limited_total{action="slipped"}' <<<"$m")" ' [1-9][0-9]*$' "and the slipped ones"
dz_stop

dz_config rrl0 "rrl-rate = 0" "dns-workers = 1"
sed -i "s/^dns-listen = \[::1\]:\([0-9]*\)$/dns-listen = 192.0.2.53:\1/" "$DZ_CONF"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
dz record add www.dyn.test A 192.0.2.80 >/dev/null
dz_start
read -r ans tc silent < <(burst 192.0.2.1 192.0.2.53 200)
is "$ans $tc" "200 0" "rrl-rate = 0 turns it off"
dz_stop
t_done
