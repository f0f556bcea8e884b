#!/usr/bin/env bash
# Re-signing before expiry: with dnssec-validity 60 s and dnssec-refresh
# 40 s, the housekeeping job replaces every signature before it expires,
# in several rounds, and the zone transferred after the first signatures
# would have run out still passes ldns-verify-zone (which checks the
# validity times) and dnssec-verify.  dnssec-refresh not below
# dnssec-validity stops start-up with a message naming both.
. "$(dirname "$0")/../lib.sh"

Z=resign.test
dz_config resign "allow-transfer = $Z 127.0.0.0/8" "dnssec-validity = 60" "dnssec-refresh = 40"
dz zone add $Z --ns ns1.$Z=192.0.2.53 >/dev/null 2>&1
for i in $(seq 1 30); do dz record add "h$i.$Z" A "192.0.2.$i" >/dev/null; done
dz zone sign $Z >/dev/null 2>&1
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
axfr $Z "$TMP/r0" || notok "AXFR"
verifies $Z "$TMP/r0" "as signed"
sigs() { awk '$4 == "RRSIG" { print $NF }' "$1" | sort; }
sigs "$TMP/r0" >"$TMP/sig0"
first_exp=$(awk '$4 == "RRSIG" { print $9 }' "$TMP/r0" | sort | head -1)
# every first signature replaced by another (polling the AXFR)
left() { axfr $Z "$TMP/rn" && sigs "$TMP/rn" | comm -12 - "$TMP/sig0" | wc -l; }
if wait_for 0 70000 left; then ok "every signature was re-made ($WAITED ms)"
else notok "every signature was re-made"; diag "$(left) left"; fi
check "in more than one round" test "$(grep -c 're-signed rrsets=' "$DZ_DIR/serve.log")" -ge 2
# past the first signatures' earliest expiry
exp_s=$(date -u -d "${first_exp:0:8} ${first_exp:8:2}:${first_exp:10:2}:${first_exp:12:2}" +%s)
while [ "$(date +%s)" -le "$exp_s" ]; do sleep 1; done
axfr $Z "$TMP/r1"
verifies $Z "$TMP/r1" "after the first signatures expired"

dz_stop
DZ_GLOBAL_OPTS=--dnssec-refresh=60 dz_start 2>/dev/null
like "$(cat "$DZ_DIR/serve.log")" "dnssec-refresh \(60\) must be less than dnssec-validity \(60\)" \
	"dnssec-refresh >= dnssec-validity stops start-up"
t_done
