#!/usr/bin/env bash
# IPv6 prefixes (issue #16): a router's dyndns2 update with the exact
# FRITZ!Box template (values unencoded) moves the router's A and AAAA and
# every following host's AAAA in one commit; a new prefix moves them all
# again; a prefix of the wrong length or a non-global one is refused with a
# reply a user can read; the CLI sets, shows and clears the link.
. "$(dirname "$0")/../lib.sh"

dz_config api "update-rate-token = 0" "update-rate-client = 0"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1 || { notok "zone add"; t_done; exit 1; }
# a zone outside the special-use names: the prefix rules apply in full
dz zone add home.dynzone.net --ns ns1.home.dynzone.net=192.0.2.53 >/dev/null 2>&1 ||
	{ notok "zone add"; t_done; exit 1; }
echo "alice-password" | dz user add alice 2>/dev/null
echo "bob-password" | dz user add bob 2>/dev/null
TR=$(dz host add router.dyn.test --user alice)
TN=$(dz host add nas.dyn.test --user alice --prefix-of router.dyn.test --iid ::11:22ff:fe33:4455)
check "host add --prefix-of prints a token" test -n "$TN"
dz host add tv.dyn.test --user alice >/dev/null
like "$(dz host set tv.dyn.test --prefix-of router.dyn.test 2>&1)" 'needs its interface identifier' \
	"host set without an iid is refused"
dz host set tv.dyn.test --prefix-of router.dyn.test --iid ::aa:bbff:fecc:ddee --prefer own
is "$?" "0" "host set --prefix-of --iid --prefer own"
like "$(dz host list)" 'nas\.dyn\.test\. .* follows router\.dyn\.test\. iid ::11:22ff:fe33:4455 /64 prefer prefix' \
	"host list shows the follower's router, iid and length"
like "$(dz host add x.dyn.test --user alice --prefix-of nas.dyn.test --iid ::1 2>&1)" 'no chains' \
	"a follower as prefix source refused (no chains)"
like "$(dz host add y.dyn.test --user bob --prefix-of router.dyn.test --iid ::1 2>&1)" 'same user' \
	"another user's router refused"
like "$(dz host add z.dyn.test --user alice --prefix-of router.dyn.test --iid ::1 --prefix-len 200 2>&1)" \
	'--prefix-len must be a number from 1 to 127' "a bad --prefix-len refused"
TG=$(dz host add gw.home.dynzone.net --user alice)
dz host add pc.home.dynzone.net --user alice --prefix-of gw.home.dynzone.net --iid ::5 >/dev/null
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
U=http://127.0.0.1:$DZ_HTTP_PORT/nic/update
soa() { q +short dyn.test SOA | awk '{print $3}'; }
nlog() { sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log WHERE host = '$1' AND result = 'good'"; }

# --- the FRITZ!Box template, unencoded (curl --path-as-is sends it as is) ----
S0=$(soa)
FRITZ="hostname=router.dyn.test&myip=192.0.2.1,2001:db8:ffff::1&ip6lanprefix=2001:db8:1:2::/64"
up "$U" "$FRITZ" --path-as-is -u "router.dyn.test:$TR"
is "$ST $BODY" "200 good 192.0.2.1,2001:db8:ffff::1|" "one good line for the router, its own addresses"
is "$(qs router.dyn.test A)/$(qs router.dyn.test AAAA)" "192.0.2.1/2001:db8:ffff::1" \
	"the router's A and AAAA are its own (WAN), not the prefix"
is "$(qs nas.dyn.test AAAA)" "2001:db8:1:2:11:22ff:fe33:4455" "the follower's AAAA is prefix | iid"
is "$(qs tv.dyn.test AAAA)" "2001:db8:1:2:aa:bbff:fecc:ddee" "a prefer-own follower without an address gets one"
S1=$(soa)
check "one commit: the serial went up by one ($S0 -> $S1)" test "$S1" -eq $((S0 + 1))
is "$(nlog nas.dyn.test.)" "1" "the follower has its own history row"
like "$(dz host list)" 'router\.dyn\.test\. .* lan 2001:db8:1:2::/64 \(2 followers\)' "host list shows the router's prefix"

up "$U" "$FRITZ" --path-as-is -u "router.dyn.test:$TR"
is "$BODY" "nochg 192.0.2.1,2001:db8:ffff::1|" "the same addresses and prefix: nochg"
is "$(soa)" "$S1" "nochg commits nothing"

# --- a prefix change moves every follower again, in one commit ----------------
up "$U" "hostname=router.dyn.test&myip=192.0.2.1,2001:db8:ffff::1&ip6lanprefix=2001:db8:9:8::/64" \
	--path-as-is -u "router.dyn.test:$TR"
is "$BODY" "good 192.0.2.1,2001:db8:ffff::1|" "a new prefix alone answers good"
is "$(qs nas.dyn.test AAAA)/$(qs tv.dyn.test AAAA)" \
	"2001:db8:9:8:11:22ff:fe33:4455/2001:db8:9:8:aa:bbff:fecc:ddee" "both followers moved at once"
S2=$(soa)
check "one commit again ($S1 -> $S2)" test "$S2" -eq $((S1 + 1))
is "$(nlog nas.dyn.test.)" "2" "a second history row for the follower"

# --- prefer: own updates of followers -----------------------------------------
up "$U" "hostname=nas.dyn.test&myip=192.0.2.7,2001:db8:9:8::77" -u "nas.dyn.test:$TN"
is "$BODY" "good 192.0.2.7,2001:db8:9:8:11:22ff:fe33:4455|" \
	"prefer prefix: the follower's own v6 loses to the derived one, its A is taken"
is "$(qs nas.dyn.test AAAA)" "2001:db8:9:8:11:22ff:fe33:4455" "derived AAAA still served"
TT=$(dz token new tv.dyn.test)
up "$U" "hostname=tv.dyn.test&myip=2001:db8:9:8::99" -u "tv.dyn.test:$TT"
is "$(qs tv.dyn.test AAAA)" "2001:db8:9:8::99" "prefer own: the host's own v6 wins"
up "$U" "hostname=router.dyn.test&ip6lanprefix=2001:db8:7:6::/64" -u "router.dyn.test:$TR"
is "$BODY" "good 192.0.2.1,2001:db8:ffff::1|" "prefix-only request leaves the router's own addresses"
is "$(qs nas.dyn.test AAAA)/$(qs tv.dyn.test AAAA)" "2001:db8:7:6:11:22ff:fe33:4455/2001:db8:9:8::99" \
	"a new prefix moves the derived follower, not the own address"

# --- refusals -----------------------------------------------------------------
up "$U" "hostname=router.dyn.test&myip=192.0.2.50&ip6lanprefix=2001:db8:5::/56" \
	--path-as-is -u "router.dyn.test:$TR"
is "$ST $BODY" "200 badagent prefix /56 refused: followers need /64|" "a prefix of the wrong length refused, with why"
is "$(qs router.dyn.test A)/$(qs nas.dyn.test AAAA)" "192.0.2.1/2001:db8:7:6:11:22ff:fe33:4455" \
	"the refused request changed nothing"
GW="hostname=gw.home.dynzone.net&myip=198.51.100.1"
for p in "fd12:3456:789a:1::/64=ULA" "fe80::/64=link-local" "2001:db8:1:2::/64=documentation"; do
	up "$U" "$GW&ip6lanprefix=${p%=*}" --path-as-is -u "gw.home.dynzone.net:$TG"
	is "$ST $BODY" "200 badagent prefix refused: ${p#*=}|" "non-global prefix ${p%=*} refused: ${p#*=}"
done
is "$(qs gw.home.dynzone.net A)" "" "refused requests changed nothing"
up "$U" "$GW&ip6lanprefix=2a01:4f8:10:20::/64" --path-as-is -u "gw.home.dynzone.net:$TG"
is "$BODY" "good 198.51.100.1|" "a global prefix is taken"
is "$(qs pc.home.dynzone.net AAAA)" "2a01:4f8:10:20::5" "and its follower moved"
up "$U" "hostname=router.dyn.test&ipv6prefix=2001%3Adb8%3A3%3A4%3A%3A%2F64" -u "router.dyn.test:$TR"
is "$(qs nas.dyn.test AAAA)" "2001:db8:3:4:11:22ff:fe33:4455" "dynv6's ipv6prefix, percent-encoded"

# --- the CLI changes and removes the link; deleting the router --------------------
dz host set nas.dyn.test --iid ::abcd
check "host set --iid moves the AAAA at once (the server follows the CLI's commit)" \
	wait_for "2001:db8:3:4::abcd" 5000 qs nas.dyn.test AAAA
like "$(dz host set nas.dyn.test --prefix-len 56 2>&1)" "differs from the router's current prefix" \
	"a length the router's prefix does not have refused"
dz host set tv.dyn.test --prefix-of none
wait_for "2001:db8:9:8::99" 5000 qs tv.dyn.test AAAA
unlike "$(dz host list | grep '^tv')" 'follows' "--prefix-of none drops the link"
dz host del router.dyn.test
unlike "$(dz host list | grep '^nas')" 'follows' "deleting the router drops its followers' link"
check "and they keep their last address" wait_for "" 5000 qs router.dyn.test A
is "$(qs nas.dyn.test AAAA)" "2001:db8:3:4::abcd" "the follower's AAAA stays"
t_done
