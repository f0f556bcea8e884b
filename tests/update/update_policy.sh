#!/usr/bin/env bash
# The myip policy: outside the special-use names of RFC 6761 a host may
# not point at loopback, link-local or broadcast addresses (badagent, and
# the log says why), private and ULA addresses are refused only in a
# refuse-private zone, and special-use zones (.test, .localhost, ...) take
# anything, so tests and the demo keep using loopback.
. "$(dirname "$0")/../lib.sh"

dz_config policy "update-rate-token = 0" "update-rate-client = 0" "refuse-private = strict.dz-policy.net"
dz zone add dz-policy.net --ns ns1.dz-policy.net=192.0.2.53 >/dev/null
dz zone add strict.dz-policy.net --ns ns1.dz-policy.net >/dev/null
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
echo "alice-password" | dz user add alice 2>/dev/null
TP=$(dz host add home.dz-policy.net --user alice)
TS=$(dz host add box.strict.dz-policy.net --user alice)
TT=$(dz host add lab.dyn.test --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }

for a in 127.0.0.1 127.1.2.3 ::1 169.254.10.1 fe80::1 255.255.255.255; do
	is "$(upd "$TP" "hostname=home.dz-policy.net&myip=$a")" "badagent" "$a refused for a host in a public zone"
done
like "$(cat "$DZ_DIR/serve.log")" 'host="home.dz-policy.net" result=badagent why="loopback address 127.0.0.1 refused"' \
	"the log says which address and why"
is "$(qs home.dz-policy.net A)" "" "nothing was published"
is "$(upd "$TP" "hostname=home.dz-policy.net")" "badagent" \
	"no myip from a loopback client (a proxy without trusted-proxy): refused too"
is "$(upd "$TP" "hostname=home.dz-policy.net&myip=192.0.2.10")" "good 192.0.2.10" "a global address is taken"
is "$(upd "$TP" "hostname=home.dz-policy.net&myip=10.1.2.3")" "good 10.1.2.3" \
	"a private address is taken where the zone allows it (the default)"
is "$(upd "$TP" "hostname=home.dz-policy.net&myip=fd00::5")" "good 10.1.2.3,fd00::5" "and a ULA one"

is "$(upd "$TS" "hostname=box.strict.dz-policy.net&myip=10.1.2.3")" "badagent" "refuse-private: 10/8 refused"
is "$(upd "$TS" "hostname=box.strict.dz-policy.net&myip=192.168.0.9")" "badagent" "refuse-private: 192.168/16 refused"
is "$(upd "$TS" "hostname=box.strict.dz-policy.net&myip=fd00::5")" "badagent" "refuse-private: ULA refused"
is "$(upd "$TS" "hostname=box.strict.dz-policy.net&myip=198.51.100.4")" "good 198.51.100.4" \
	"refuse-private: a global address is taken"

is "$(upd "$TT" "hostname=lab.dyn.test&myip=127.0.0.1")" "good 127.0.0.1" "a .test host takes loopback"
is "$(upd "$TT" "hostname=lab.dyn.test&myip=fe80::1")" "good 127.0.0.1,fe80::1" "and link-local"
is "$(qs lab.dyn.test A)" "127.0.0.1" "and serves it"
dz_stop

dz_config policy2 "refuse-private = *"
dz zone add dz-policy.net --ns ns1.dz-policy.net=192.0.2.53 >/dev/null
echo "alice-password" | dz user add alice 2>/dev/null
TP=$(dz host add home.dz-policy.net --user alice)
dz_start
is "$(upd "$TP" "hostname=home.dz-policy.net&myip=172.20.0.1")" "badagent" "refuse-private = * covers every zone"
dz_stop
t_done
