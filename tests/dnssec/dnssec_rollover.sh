#!/usr/bin/env bash
# A whole CSK rollover on a running server: pre-publish (zone key add),
# swap (zone key activate), withdraw (zone key retire), with the zone
# fetched by AXFR passing ldns-verify-zone and dnssec-verify at each step
# and the DNSKEY, CDS and signatures each step should show.  Then a zone
# signed with a KSK and a ZSK, and the tinydns export leaving DNSSEC out.
. "$(dirname "$0")/../lib.sh"

Z=roll.test
dz_config roll "allow-transfer = $Z 127.0.0.0/8" "allow-transfer = split.test 127.0.0.0/8"
dz zone add $Z --ns ns1.$Z=192.0.2.53 >/dev/null 2>&1
dz record add www.$Z A 192.0.2.80 >/dev/null
dz record add $Z MX '10 www.roll.test.' >/dev/null
dz zone sign $Z >/dev/null 2>&1
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
tags() { # FILE TYPE: the key tags of the RRSIGs over TYPE, sorted
	awk -v t="$2" '$4 == "RRSIG" && $5 == t { print $11 }' "$1" | sort -u | tr '\n' ' '
}
old=$(dz zone key list $Z | awk '{print $3}')
axfr $Z "$TMP/s0" || notok "AXFR before the rollover"
verifies $Z "$TMP/s0" "before the rollover"

# 1: pre-publish
dz zone key add $Z >/dev/null
new=$(dz zone key list $Z | awk '$5 == "published" {print $3}')
like "$new" "^[0-9]+$" "zone key add: a published key"
axfr $Z "$TMP/s1"
verifies $Z "$TMP/s1" "with the new key pre-published"
is "$(grep -c "	DNSKEY	" "$TMP/s1")" 2 "two DNSKEYs served"
is "$(tags "$TMP/s1" DNSKEY)|$(tags "$TMP/s1" A)" "$old |$old " "only the old key signs"
is "$(dz zone ds $Z | awk '{print $5}' | sort -n | tr '\n' ' ')" \
	"$(printf '%s\n' "$old" "$new" | sort -n | tr '\n' ' ')" "zone ds names both (the parent may add the new DS now)"

# 2: swap
dz zone key activate $Z "$new" >/dev/null
is "$(dz zone key list $Z | awk '{print $3 "=" $5}' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$old=retired" "$new=active" | sort | tr '\n' ' ')" "the new key active, the old one retired"
wait_for "$new " 5000 sh -c "dig @127.0.0.1 -p $DZ_PORT +norec +short $Z CDS | awk '{print \$1}' | tr '\n' ' '"
axfr $Z "$TMP/s2"
verifies $Z "$TMP/s2" "after the swap"
is "$(tags "$TMP/s2" A)" "$new " "the zone's data is signed by the new key only"
is "$(tags "$TMP/s2" DNSKEY)" "$(printf '%s\n' "$old" "$new" | sort -u | tr '\n' ' ')" \
	"the DNSKEY RRset by both (the parent's old DS still works)"
is "$(grep "	CDS	" "$TMP/s2" | awk '{print $5}')" "$new" "CDS names the new key"
is "$(dz zone ds $Z | awk '{print $5}')" "$new" "zone ds: the new key's DS only"

# 3: withdraw
is "$(dz zone key retire $Z "$new" 2>&1 >/dev/null)" \
	"dynzone: $Z.: the active key cannot be withdrawn (activate another first)" "the active key stays"
dz zone key retire $Z "$old" >/dev/null
wait_for 1 5000 sh -c "dig @127.0.0.1 -p $DZ_PORT +norec +short $Z DNSKEY | wc -l"
axfr $Z "$TMP/s3"
verifies $Z "$TMP/s3" "after the old key is withdrawn"
is "$(grep "	DNSKEY	" "$TMP/s3" | wc -l) $(tags "$TMP/s3" DNSKEY)" "1 $new " "one DNSKEY left, signed by the new key"
is "$(grep -c "	RRSIG	.* $old $Z\. " "$TMP/s3")" 0 "no signature of the old key left"

# KSK + ZSK
dz zone add split.test --ns ns1.split.test=192.0.2.54 >/dev/null 2>&1
dz record add www.split.test A 192.0.2.81 >/dev/null
dz zone sign split.test --ksk-zsk >/dev/null 2>&1
ksk=$(dz zone key list split.test | awk '$4 == "KSK" {print $3}')
zsk=$(dz zone key list split.test | awk '$4 == "ZSK" {print $3}')
wait_for 2 5000 sh -c "dig @127.0.0.1 -p $DZ_PORT +norec +short split.test DNSKEY | wc -l"
axfr split.test "$TMP/k0"
verifies split.test "$TMP/k0" "signed with a KSK and a ZSK"
if out=$(dnssec-verify -q -o split.test "$TMP/k0" 2>&1); then ok "dnssec-verify without -z: a KSK and a ZSK"
else notok "dnssec-verify without -z: a KSK and a ZSK"; diag "$out"; fi
is "$(tags "$TMP/k0" DNSKEY)|$(tags "$TMP/k0" A)" "$ksk |$zsk " "the KSK signs the keys, the ZSK the data"
is "$(dz zone ds split.test | awk '{print $5}')" "$ksk" "zone ds: the KSK's DS"

# the tinydns export is unsigned
dz export cdb "$TMP/data.cdb" >/dev/null 2>"$TMP/export.err"
like "$(cat "$TMP/export.err")" "DNSSEC records left out: stock tinydns serves the zones unsigned" \
	"export cdb leaves DNSSEC out and says so"
t_done
