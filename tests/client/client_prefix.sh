#!/usr/bin/env bash
# dynzone-update on a router (issue #16): `lan-prefix = IFNAME` learns the
# LAN prefix from the kernel (the on-link prefix of the LAN interface's
# global address, never the WAN address) and sends it as ip6lanprefix to a
# real dynzone on loopback, in a network namespace of the test's own with
# a WAN and a LAN interface.  A renumbered LAN sends the new prefix once,
# though the router's own addresses did not change.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

for i in wan0 lan0; do
	if ! ip link add "$i" type dummy 2>/dev/null; then
		ip link add "$i" type veth peer name "${i}p" && ip link set "${i}p" up
	fi
	sysctl -qw "net.ipv6.conf.$i.accept_dad=0"
	ip link set "$i" up
done
ip -6 addr add 2001:db8:ffff::5/64 dev wan0 nodad
ip -6 addr add 2001:db8:1:2::1/64 dev lan0 nodad
check "WAN and LAN interfaces are up" test -n "$(ip link show lan0 up)"

dz_config prefix
check "zone added" dz zone add dyn.test --ns ns1.dyn.test=127.0.0.1
printf 'alice-pass-9\n' | dz user add alice >/dev/null
TOKEN=$(dz host add router.dyn.test --user alice | tail -1)
dz_start || { notok "dynzone serve starts in the namespace"; t_done; exit 1; }

C=$TMP/c.conf
du_conf "$C" "http://127.0.0.1:$DZ_HTTP_PORT" router.dyn.test "token=$TOKEN" "ipv4=off" \
	"ipv6=interface wan0" "lan-prefix=lan0" "allow-plain-http=yes"
du_once "$C" $T0 -v
is "$RC" 0 "first run: exit 0"
is "$OUT" "router.dyn.test updated 2001:db8:ffff::5" "the router's own (WAN) address is set"
like "$ERR" 'myip=2001:db8:ffff::5&ip6lanprefix=2001:db8:1:2::/64' \
	"ip6lanprefix is the LAN interface's /64, sent with the WAN address"
is "$(qs router.dyn.test AAAA)" "2001:db8:ffff::5" "DNS answers the router's address"
n1=$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log")

du_once "$C" $((T0 + 60)) -v
is "$OUT" "router.dyn.test current 2001:db8:ffff::5" "second run: nothing changed, nothing sent"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log")" "$n1" "(the server saw nothing)"

# the ISP renumbers the LAN; the WAN address stays
ip -6 addr del 2001:db8:1:2::1/64 dev lan0
ip -6 addr add 2001:db8:1:3::1/64 dev lan0 nodad
du_once "$C" $((T0 + 120)) -v
is "$RC" 0 "after renumbering: exit 0"
like "$ERR" 'LAN prefix 2001:db8:1:2::/64 -> 2001:db8:1:3::/64' "the client sees the new prefix"
like "$ERR" 'ip6lanprefix=2001:db8:1:3::/64' "and sends it"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log")" "$((n1 + 1))" \
	"one request reached the server"
du_once "$C" $((T0 + 180)) -v
unlike "$ERR" 'ip6lanprefix' "then nothing more"

# no global address on the LAN: no prefix, the update still goes
ip -6 addr del 2001:db8:1:3::1/64 dev lan0
ip -6 addr del 2001:db8:ffff::5/64 dev wan0
ip -6 addr add 2001:db8:ffff::6/64 dev wan0 nodad
du_once "$C" $((T0 + 240)) -v
is "$OUT" "router.dyn.test updated 2001:db8:ffff::6" "no LAN prefix: the address update goes alone"
unlike "$ERR" 'ip6lanprefix' "without ip6lanprefix"
dz_stop
t_done
