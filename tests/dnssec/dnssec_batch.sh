#!/usr/bin/env bash
# Whole-zone signing in batches: `zone sign` of a zone of 3000 names runs
# in transactions of a few hundred names, so a running server's HTTP
# updates keep being answered good (none 911) while it runs; the end
# result, fetched by AXFR, passes ldns-verify-zone and dnssec-verify.  The
# same for a key activation (the old key's signatures stay until the new
# key's cover everything; the old key cannot be withdrawn before), an
# NSEC3 signing and key activation, a delegation made below the apex (only its subtree is
# re-signed) and `zone ds` while a signing is unfinished (refused).
. "$(dirname "$0")/../lib.sh"

Z=big.test
N=3000
dz_config batch "allow-transfer = $Z 127.0.0.0/8" "allow-transfer = big3.test 127.0.0.0/8" \
	"update-rate-token = 0" "update-rate-client = 0" "update-burst-token = 1000000"
hosts_zone $Z $N >"$TMP/big.zone"
dz import zone "$TMP/big.zone" >/dev/null 2>&1
echo "alice-password" | dz user add alice --admin 2>/dev/null
hosts=()
for i in $(seq 1 8); do hosts+=("dyn$i.$Z"); dz host add "dyn$i.$Z" --user alice >/dev/null; done
TOKEN=$(dz token new "${hosts[@]}")
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"

# updater FILE NET: updates (HTTP, one keep-alive connection) to addresses
# in 10.NET/16 until $TMP/stop exists; the status and reply word to FILE
updater() {
	python3 - "$DZ_HTTP_PORT" "$TOKEN" "$Z" "$TMP/stop" "$2" >"$1" <<'PY' &
import base64, http.client, os, sys
port, token, zone, stop, net = sys.argv[1:6]
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
n = 0
while not os.path.exists(stop) or n < 5:
    h = "dyn%d.%s" % (n % 8 + 1, zone)
    auth = base64.b64encode(("%s:%s" % (h, token)).encode()).decode()
    c.request("GET", "/nic/update?hostname=%s&myip=10.%s.%d.%d" % (h, net, n >> 8 & 255, n & 255),
              headers={"Authorization": "Basic " + auth})
    r = c.getresponse()
    print(r.status, r.read().decode().split(" ")[0], flush=True)
    n += 1
PY
	UPD_PID=$!
}
# updates_ok WHAT FILE: every update answered 200 good
updates_ok() {
	local total good
	total=$(wc -l <"$2")
	good=$(grep -c '^200 good$' "$2")
	check "$1: all $total HTTP updates meanwhile answered good" test "$total" -ge 5 -a "$good" -eq "$total"
	[ "$good" -eq "$total" ] || diag "$(sort "$2" | uniq -c)"
}
stop_updater() { touch "$TMP/stop"; wait "$UPD_PID"; rm -f "$TMP/stop"; }

rm -f "$TMP/stop"
updater "$TMP/u1" 201
t0=$(ms_now)
out=$(dz zone sign $Z 2>&1)
t1=$(ms_now)
stop_updater
like "$out" "signed in [0-9]+ transactions" "zone sign of $N names ran in batches"
diag "zone sign of $N names: $((t1 - t0)) ms; $(printf '%s' "$out" | grep transactions)"
batches=$(printf '%s' "$out" | sed -n 's/.*signed in \([0-9]*\) transactions.*/\1/p')
check "more than one transaction ($batches)" test "${batches:-0}" -gt 1
updates_ok "zone sign" "$TMP/u1"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM dnssec_pending")" 0 "nothing is left pending"
like "$(dz zone ds $Z)" "^$Z\. [0-9]+ IN DS [0-9]+ 13 2 " "zone ds once it is finished"
wait_for 0 10000 sh -c "[ \$(dig @127.0.0.1 -p $DZ_PORT +short $Z SOA | awk '{print \$3}') = $(sqlite3 "$DZ_DIR/dynzone.db" "SELECT serial FROM zones WHERE name = '$Z.'") ] && echo 0"
axfr $Z "$TMP/z1" || notok "AXFR after zone sign"
verifies $Z "$TMP/z1" "signed in batches while updates ran"

# zone ds refuses while a signing is unfinished (a pending one made by hand)
sqlite3 "$DZ_DIR/dynzone.db" "INSERT INTO dnssec_pending(zone_id, phase) SELECT id, 2 FROM zones WHERE name = '$Z.'"
like "$(dz zone ds $Z 2>&1)" "signing is not finished" "zone ds refuses while signing is unfinished"

# a key rollover's activation re-signs in batches too (the key add first
# finishes the pending signing, as every signing command does)
OLD=$(dz zone key list $Z 2>/dev/null | awk '{print $3}')
NEW=$(dz zone key add $Z 2>/dev/null | awk '$5 == "published" {print $3}')
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM dnssec_pending")" 0 \
	"the next signing command finishes a pending signing"
updater "$TMP/u2" 202
out=$(dz zone key activate $Z "$NEW" 2>&1)
stop_updater
like "$out" "signed in [0-9]+ transactions" "key activate re-signs in batches"
updates_ok "key activate" "$TMP/u2"
axfr $Z "$TMP/z2" || notok "AXFR after the activation"
verifies $Z "$TMP/z2" "after a key activation in batches"
is "$(awk '$4 == "RRSIG" && $5 == "A" {print $11}' "$TMP/z2" | sort -u)" "$NEW" "every A is signed by the new key alone"
dz zone key retire $Z "$OLD" >/dev/null 2>&1
check "the old key can be withdrawn once the new key covers everything" test $? -eq 0

# a delegation below the apex: only its subtree is re-signed
t0=$(ms_now)
dz record add sub.$Z NS ns.sub.$Z >/dev/null
dz record add ns.sub.$Z A 192.0.2.99 >/dev/null
diag "a delegation made in a signed zone of $N names: $(($(ms_now) - t0)) ms for two commands"
axfr $Z "$TMP/z3" || notok "AXFR after the delegation"
verifies $Z "$TMP/z3" "after a delegation was made"
is "$(grep -c "^ns\.sub\.$Z\..*RRSIG" "$TMP/z3")" 0 "its glue is not signed"

# NSEC3 in batches
hosts_zone big3.test 1500 >"$TMP/big3.zone"
dz import zone "$TMP/big3.zone" >/dev/null 2>&1
like "$(dz zone sign big3.test --nsec3 2>&1)" "signed in [0-9]+ transactions" "zone sign --nsec3 of 1500 names in batches"
axfr big3.test "$TMP/z4" || notok "AXFR of the NSEC3 zone"
verifies big3.test "$TMP/z4" "signed with NSEC3 in batches"
is "$(awk '$4 == "NSEC3"' "$TMP/z4" | wc -l)" 1502 "an NSEC3 per name"
N3NEW=$(dz zone key add big3.test 2>/dev/null | awk '$5 == "published" {print $3}')
like "$(dz zone key activate big3.test "$N3NEW" 2>&1)" "signed in [0-9]+ transactions" \
	"a key activation in the NSEC3 zone, in batches"
axfr big3.test "$TMP/z5" || notok "AXFR after the NSEC3 zone's activation"
verifies big3.test "$TMP/z5" "after a key activation in the NSEC3 zone"
is "$(awk '$4 == "RRSIG" && $5 == "NSEC3" {print $11}' "$TMP/z5" | sort | uniq -c | awk '{print $1, $2}')" \
	"1502 $N3NEW" "every NSEC3 signed once, by the new key"
t_done
