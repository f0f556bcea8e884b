#!/usr/bin/env bash
# An NSEC3 zone as dynzone signs it (`zone sign --nsec3`, RFC 9276: SHA-1,
# no extra iterations, no salt, no opt-out): NSEC3PARAM at the apex, one
# NSEC3 per name with data and per empty non-terminal, none for glue, no
# NSEC; after HTTP updates, hosts added and deleted, an RFC 2136 UPDATE
# that makes and unmakes an empty non-terminal, the zone fetched by AXFR
# passes ldns-verify-zone and dnssec-verify each time, and a negative
# answer carries NSEC3 proofs.
. "$(dirname "$0")/../lib.sh"

Z=n3.test
BIG=$(tsig_secret)
dz_config n3 "allow-transfer = $Z 127.0.0.0/8" "update-rate-token = 0" \
	"update-rate-client = 0" "update-burst-token = 1000000" \
	"tsig-key = big hmac-sha256 $BIG" "allow-update = $Z big *.$Z A,AAAA,TXT"
dz zone add $Z --ns ns1.$Z=192.0.2.53 >/dev/null 2>&1
dz record add $Z MX '10 mail.n3.test.' >/dev/null
dz record add mail.$Z A 192.0.2.25 >/dev/null
dz record add '*.wild.'$Z TXT '"any"' >/dev/null
dz record add sub.$Z NS ns.sub.$Z >/dev/null
dz record add ns.sub.$Z A 192.0.2.99 >/dev/null
dz record add deep.ent.$Z TXT '"below an empty non-terminal"' >/dev/null
echo "alice-password" | dz user add alice --admin 2>/dev/null
n3() { awk -v t="$1" '$4 == t' "$2" | wc -l; }  # n3 TYPE FILE: how many of TYPE
hosts=()
for i in $(seq 1 10); do hosts+=("h$i.$Z"); dz host add "h$i.$Z" --user alice >/dev/null; done
TOKEN=$(dz token new "${hosts[@]}")

out=$(dz zone sign $Z --nsec3 2>"$TMP/sign.err")
like "$out" "^$Z\. key [0-9]+ CSK active algorithm 13" "zone sign --nsec3 makes an active CSK"
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"

# names with data: apex ns1 mail *.wild sub deep.ent (hosts have no address
# yet); empty non-terminals: wild ent
axfr $Z "$TMP/z0" || notok "AXFR of the NSEC3 zone"
verifies $Z "$TMP/z0" "signed with --nsec3"
is "$(awk -v z=$Z. '$1 == z && $4 == "NSEC3PARAM" {print $5, $6, $7, $8}' "$TMP/z0")" "1 0 0 -" \
	"NSEC3PARAM 1 0 0 - at the apex (RFC 9276)"
is "$(n3 NSEC "$TMP/z0")" 0 "no NSEC in an NSEC3 zone"
is "$(n3 NSEC3 "$TMP/z0")" 8 "an NSEC3 per name with data (6) and per empty non-terminal (2)"
is "$(awk '$4 == "NSEC3" {print $5, $6, $7, $8}' "$TMP/z0" | sort -u)" "1 0 0 -" \
	"each NSEC3: SHA-1, no opt-out, no iterations, no salt"
is "$(awk '$4 == "NSEC3" && NF == 9' "$TMP/z0" | wc -l)" 2 "the two empty non-terminals' NSEC3 name no type"
is "$(grep -c "^ns\.sub\.$Z\..*RRSIG" "$TMP/z0")" 0 "glue is not signed"
h=$(dz_dig 127.0.0.1 +dnssec +norec nothere.$Z A)
like "$h" "status: NXDOMAIN" "NXDOMAIN in the NSEC3 zone"
like "$h" "NSEC3[[:space:]]+1 0 0 - " "with NSEC3 proofs"

for i in $(seq 1 10); do
	upd "$TOKEN" "hostname=h$i.$Z&myip=10.0.0.$i" >>"$TMP/codes"
done
is "$(grep -c '^good' "$TMP/codes")" 10 "10 HTTP updates good"
dz host del h3.$Z >/dev/null
dz host add new1.$Z --user alice >/dev/null
axfr $Z "$TMP/z1" || notok "AXFR after the updates"
verifies $Z "$TMP/z1" "after HTTP updates, a host added and one deleted"
is "$(n3 NSEC3 "$TMP/z1")" 17 "ten hosts with addresses came, a deleted one went"

# RFC 2136: a name two labels below a new empty non-terminal, then the ENT's only child goes
out=$(nsu big "$BIG" <<N
zone $Z
update add a.b.$Z 60 A 192.0.2.77
update delete deep.ent.$Z TXT
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "nsupdate: NOERROR"
axfr $Z "$TMP/z2" || notok "AXFR after nsupdate"
verifies $Z "$TMP/z2" "after an ENT came and another went"
is "$(n3 NSEC3 "$TMP/z2")" 17 "a.b and b gained an NSEC3, ent and deep.ent lost theirs"

# the whole zone re-made (an import) keeps it NSEC3
printf '$ORIGIN %s.\n$TTL 120\n@ SOA ns1 hostmaster 1 3600 600 1209600 60\nimp1 A 192.0.2.101\n' $Z \
	>"$TMP/imp.zone"
dz import zone "$TMP/imp.zone" >/dev/null 2>&1
check "import into the NSEC3 zone" test $? -eq 0
wait_for 192.0.2.101 5000 qs imp1.$Z A || true
axfr $Z "$TMP/z3" || notok "AXFR after the import"
verifies $Z "$TMP/z3" "after an import"
is "$(n3 NSEC "$TMP/z3")" 0 "and still no NSEC"

dz zone unsign $Z >/dev/null
axfr $Z "$TMP/z4"
is "$(grep -cE "	(RRSIG|NSEC3|NSEC3PARAM|DNSKEY)	" "$TMP/z4")" 0 "zone unsign leaves no NSEC3 or NSEC3PARAM"
t_done
