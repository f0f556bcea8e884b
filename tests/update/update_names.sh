#!/usr/bin/env bash
# update-name (issue #16): NAME resolves to both families, update4.* to
# A only and update6.* to AAAA only, with the http-listen addresses or the
# ones given after the name; a client using update4 with curl -4 and
# update6 with curl -6 (addresses looked up with dig) sets A and AAAA;
# /checkip answers over either; a restart with the same setting writes
# nothing; a name in no zone stops start-up naming the key.
. "$(dirname "$0")/../lib.sh"

dz_config names "update-name = update.dyn.test"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
echo "alice-password" | dz user add alice 2>/dev/null
TH=$(dz host add h.dyn.test --user alice)
dz_start || { notok "server with update-name starts"; t_done; exit 1; }

is "$(qs update.dyn.test A)" "127.0.0.1" "update.dyn.test: A from http-listen"
is "$(qs update.dyn.test AAAA)" "::1" "update.dyn.test: AAAA from http-listen"
is "$(qs update4.dyn.test A)" "127.0.0.1" "update4: A"
is "$(qs update4.dyn.test AAAA)" "" "update4: no AAAA"
is "$(rcode update4.dyn.test AAAA)" "NOERROR" "(the name exists)"
is "$(qs update6.dyn.test AAAA)" "::1" "update6: AAAA"
is "$(qs update6.dyn.test A)" "" "update6: no A"

# a dual-stack client: one request over each family, by name, no myip
A4=$(qs update4.dyn.test A)
A6=$(qs update6.dyn.test AAAA)
P=$DZ_HTTP_PORT
r4=$(curl -4 -s -u "h.dyn.test:$TH" --resolve "update4.dyn.test:$P:$A4" \
	"http://update4.dyn.test:$P/nic/update?hostname=h.dyn.test" | tr -d '\r')
is "$r4" "good 127.0.0.1" "curl -4 via update4: good with the v4 address"
r6=$(curl -6 -s -u "h.dyn.test:$TH" --resolve "update6.dyn.test:$P:[$A6]" \
	"http://update6.dyn.test:$P/nic/update?hostname=h.dyn.test" | tr -d '\r')
is "$r6" "good 127.0.0.1,::1" "curl -6 via update6: good with both"
is "$(qs h.dyn.test A)" "127.0.0.1" "the host has its A"
is "$(qs h.dyn.test AAAA)" "::1" "and its AAAA"
is "$(curl -4 -s --resolve "update4.dyn.test:$P:$A4" "http://update4.dyn.test:$P/checkip" | tr -d '\r\n')" \
	"127.0.0.1" "checkip over update4: the v4 address"
is "$(curl -6 -s --resolve "update6.dyn.test:$P:[$A6]" "http://update6.dyn.test:$P/checkip" | tr -d '\r\n')" \
	"::1" "checkip over update6: the v6 address"

# a restart with the same setting writes nothing
serial=$(qs dyn.test SOA | awk '{print $3}')
dz_stop
dz_start || { notok "restarts"; t_done; exit 1; }
is "$(qs dyn.test SOA | awk '{print $3}')" "$serial" "restart, same update-name: the serial stays"
dz_stop

# addresses after the name (for wildcard listeners) replace the listen ones
sed -i 's/^update-name = .*/update-name = update.dyn.test 192.0.2.80 2001:db8::80 192.0.2.81/' "$DZ_CONF"
dz_start || { notok "starts with addresses after the name"; t_done; exit 1; }
is "$(qs update.dyn.test A)" "192.0.2.80 192.0.2.81" "given addresses: A"
is "$(qs update.dyn.test AAAA)" "2001:db8::80" "given addresses: AAAA"
is "$(qs update4.dyn.test A)" "192.0.2.80 192.0.2.81" "update4 follows, the old address gone"
is "$(qs update6.dyn.test AAAA)" "2001:db8::80" "update6 follows"
is "$(qs update6.dyn.test A)" "" "update6 still has no A"
dz_stop

# bad values stop start-up, naming the key
for bad in "update.other.test" "dyn.test" "update.dyn.test 192.0.2.300" "-bad-.dyn.test x"; do
	sed -i "s/^update-name = .*/update-name = $bad/" "$DZ_CONF"
	out=$("$DYNZONE" -c "$DZ_CONF" serve 2>&1); rc=$?
	check "update-name = $bad: serve refuses to start" test "$rc" -ne 0
	like "$out" "update-name '$bad'" "and names the key and value"
done
t_done
