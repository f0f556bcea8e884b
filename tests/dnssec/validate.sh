#!/usr/bin/env bash
# DNSSEC answers that validate: inside a network namespace, a signed test
# root and a signed parent test. (NSD) delegate dyn.test (NSEC) and
# dyn3.test (NSEC3, no salt, no extra iterations), with their DS, to
# dynzone serving both signed (dnssec_sign_zone in tests/lib.sh).  For each:
# unbound and delv, trusting only the test root, validate A, AAAA, TXT,
# NXDOMAIN, NODATA, a wildcard answer and wildcard NODATA, empty
# non-terminals and an insecure delegation as secure; dnsviz finds no
# errors or warnings; ldns-verify-zone accepts the zone as dynzone sends it
# by AXFR; an NSD secondary that took it by AXFR serves answers a second
# unbound validates.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

ZONES="dyn.test dyn3.test"
sec_key
dz_config dnssec "dns-listen = $DS_DZ_ADDR:53" "$SEC_KEY_LINE" \
	"allow-transfer = dyn.test $SEC_KEY_NAME" "allow-transfer = dyn3.test $SEC_KEY_NAME"
for ZN in $ZONES; do
	{ dnssec_zone_head $ZN; cat; } >"$TMP/$ZN.zone" <<ZONE
host A 192.0.2.1
host AAAA 2001:db8::1
txt TXT "signed text"
*.wild A 192.0.2.9
a.b.deep A 192.0.2.10
sub NS ns.sub
ns.sub A 192.0.2.53
ZONE
	args=()
	[ $ZN = dyn3.test ] && args=(--nsec3)
	dnssec_sign_zone $ZN "$TMP/$ZN.zone" "${args[@]}" || { notok "sign and import $ZN"; t_done; exit 1; }
	ok "$ZN signed and imported ($(cat "$TMP/sign/$ZN/import.log"))"
done
dz_start || { notok "dynzone serve starts"; t_done; exit 1; }
# shellcheck disable=SC2086  # a word list on purpose
dnssec_world $ZONES || { notok "the test root and test. start"; t_done; exit 1; }
dnssec_unbound unbound $DS_UNBOUND_ADDR || { notok "unbound starts"; t_done; exit 1; }
ok "signed root and test. (NSD), dynzone and a validating unbound start"
R=$DS_UNBOUND_ADDR

# what dynzone itself says
dzq() { dig @$DS_DZ_ADDR +norec +dnssec +time=2 +tries=1 "$@"; }
# auth ARGS: the authority section's "owner type" pairs, owners of NSEC3
# records shown as H (a hash), one line
auth() {
	dzq +noall +authority "$@" | awk '{ o = $1; if ($4 == "NSEC3" || ($4 == "RRSIG" && $5 == "NSEC3")) o = "H"
		print o, $4, ($4 == "RRSIG" ? $5 : "") }' | sed 's/ $//' | tr '\n' ',' | sed 's/,$//'
}
ZN=dyn.test
like "$(dzq host.$ZN A)" "; EDNS: version: 0, flags: do;" "DO comes back in the OPT record"
is "$(dzq host.$ZN A | dig_flags)" "qr aa" "AA set, AD clear"
is "$(dzq +short host.$ZN A | awk '{print $1}' | tr '\n' ' ')" "192.0.2.1 A " \
	"the A RRset comes with its RRSIG"
unlike "$(dig @$DS_DZ_ADDR +norec +time=2 +tries=1 host.$ZN A)" "RRSIG" "no RRSIG without DO"
is "$(auth nothere.$ZN A)" "$ZN. SOA,$ZN. RRSIG SOA,host.$ZN. NSEC,host.$ZN. RRSIG NSEC,$ZN. NSEC,$ZN. RRSIG NSEC" \
	"NXDOMAIN: SOA, the NSEC covering the name, the one covering *.$ZN, each signed"
is "$(auth host.$ZN TXT)" "$ZN. SOA,$ZN. RRSIG SOA,host.$ZN. NSEC,host.$ZN. RRSIG NSEC" \
	"NODATA: the name's own NSEC"
is "$(auth x.sub.$ZN A)" "sub.$ZN. NS,sub.$ZN. NSEC,sub.$ZN. RRSIG NSEC" \
	"insecure referral: NS and the NSEC proving no DS"
is "$(dzq +noall +authority foo.wild.$ZN A | awk '{print $1, $4}' | tr '\n' ',')" \
	"*.wild.$ZN. NSEC,*.wild.$ZN. RRSIG," "wildcard answer: the NSEC proving foo.wild.$ZN does not exist"
is "$(dzq +tcp +short $ZN DNSKEY | awk '{print $1}' | tr '\n' ' ')" "257 DNSKEY " "DNSKEY at the apex, signed"
like "$(dzq nothere.$ZN A +noall +authority | awk '$4 == "RRSIG" && $5 == "SOA" {print $2}')" '^60$' \
	"the negative SOA's RRSIG has the negative SOA's TTL"
ZN=dyn3.test
is "$(auth nothere.$ZN A)" "$ZN. SOA,$ZN. RRSIG SOA,H NSEC3,H RRSIG NSEC3,H NSEC3,H RRSIG NSEC3,H NSEC3,H RRSIG NSEC3" \
	"NSEC3 NXDOMAIN: SOA and three NSEC3 (closest encloser, next closer, wildcard), each signed"
is "$(auth host.$ZN TXT)" "$ZN. SOA,$ZN. RRSIG SOA,H NSEC3,H RRSIG NSEC3" "NSEC3 NODATA: the name's NSEC3"
is "$(auth x.sub.$ZN A)" "sub.$ZN. NS,H NSEC3,H RRSIG NSEC3" "NSEC3 insecure referral: the delegation's NSEC3"
is "$(auth foo.wild.$ZN A)" "H NSEC3,H RRSIG NSEC3" "NSEC3 wildcard answer: the NSEC3 covering the next closer name"
is "$(dzq +bufsize=512 +ignore nothere.$ZN A | dig_flags)" "qr aa tc" \
	"with DO and 512 bytes the NSEC3 NXDOMAIN does not fit: TC"
like "$(dzq +tcp nothere.$ZN A)" "AUTHORITY: 8," "over TCP it comes whole"
is "$(dzq +bufsize=512 +ignore nothere.$ZN A +nodnssec | dig_flags)" "qr aa" "without DO it fits"

for ZN in $ZONES; do
	# a validating resolver trusting only the test root
	is "$(secure $R host.$ZN A)" "NOERROR ad" "$ZN, unbound: A validates"
	is "$(vq $R +short host.$ZN A | head -1)" "192.0.2.1" "$ZN, unbound: the A's address"
	is "$(secure $R host.$ZN AAAA)" "NOERROR ad" "$ZN, unbound: AAAA validates"
	is "$(secure $R txt.$ZN TXT)" "NOERROR ad" "$ZN, unbound: TXT validates"
	is "$(secure $R nothere.$ZN A)" "NXDOMAIN ad" "$ZN, unbound: NXDOMAIN validates"
	is "$(secure $R x.y.host.$ZN A)" "NXDOMAIN ad" "$ZN, unbound: NXDOMAIN below an existing name validates"
	is "$(secure $R host.$ZN TXT)" "NOERROR ad" "$ZN, unbound: NODATA validates"
	is "$(secure $R $ZN MX)" "NOERROR ad" "$ZN, unbound: NODATA at the apex validates"
	is "$(secure $R b.deep.$ZN A)" "NOERROR ad" "$ZN, unbound: NODATA at an empty non-terminal validates"
	is "$(secure $R a.b.deep.$ZN A)" "NOERROR ad" "$ZN, unbound: a name under empty non-terminals validates"
	is "$(secure $R foo.wild.$ZN A)" "NOERROR ad" "$ZN, unbound: a wildcard answer validates"
	is "$(vq $R +short foo.wild.$ZN A | head -1)" "192.0.2.9" "$ZN, unbound: the wildcard's address"
	is "$(secure $R foo.wild.$ZN TXT)" "NOERROR ad" "$ZN, unbound: wildcard NODATA validates"
	is "$(secure $R $ZN DNSKEY)" "NOERROR ad" "$ZN, unbound: the DNSKEY RRset validates"
	is "$(secure $R sub.$ZN DS)" "NOERROR ad" "$ZN, unbound: no DS at the insecure delegation, proven"
done
is "$(grep -c 'validation failure' "${SEC_LOG[unbound]}")" 0 "unbound logged no validation failure"

# delv, a second validator
dv() { delv @$R -a "$TMP/root.anchor" +root=. "$@" 2>&1; }
for ZN in $ZONES; do
	like "$(dv host.$ZN A)" "^; fully validated" "$ZN, delv: A fully validated"
	like "$(dv host.$ZN AAAA)" "^; fully validated" "$ZN, delv: AAAA fully validated"
	like "$(dv txt.$ZN TXT)" "^; fully validated" "$ZN, delv: TXT fully validated"
	like "$(dv nothere.$ZN A)" "; negative response, fully validated" "$ZN, delv: NXDOMAIN fully validated"
	like "$(dv host.$ZN TXT)" "; negative response, fully validated" "$ZN, delv: NODATA fully validated"
	like "$(dv foo.wild.$ZN A)" "^; fully validated" "$ZN, delv: wildcard fully validated"
done

# dnsviz, from the test root down
for ZN in $ZONES; do
	is "$(dnsviz_check $ZN host.$ZN txt.$ZN nothere.$ZN foo.wild.$ZN a.b.deep.$ZN b.deep.$ZN sub.$ZN)" \
		"errors=0 warnings=0" "$ZN, dnsviz grok: no errors, no warnings" ||
		sed 's/^/#   /' "$TMP/grok.json" | head -40
done

# the zone as a secondary gets it
for ZN in $ZONES; do
	dig @127.0.0.1 -p "$DZ_PORT" -y "hmac-sha256:$SEC_KEY_NAME:$SEC_KEY_SECRET" $ZN AXFR +onesoa \
		2>/dev/null | grep -v '^;' | awk 'NF && $4 != "TSIG"' >"$TMP/$ZN.axfr"
	check "$ZN: ldns-verify-zone accepts the zone as dynzone sends it by AXFR" \
		ldns-verify-zone -k "$TMP/ds/$ZN" "$TMP/$ZN.axfr"
done
ZN=dyn.test
sec_nsd $ZN || { notok "NSD secondary starts"; t_done; exit 1; }
S=$(dzq +short $ZN SOA | awk '$2 != "SOA" {print $3; exit}')
check "NSD took the signed zone by AXFR (serial $S)" wait_for "$S" 10000 sec_serial nsd $ZN
dnssec_unbound unbound2 127.0.2.2 "stub-zone:" "  name: $ZN" "  stub-addr: 127.0.0.1@${SEC_PORT[nsd]}" ||
	{ notok "a second unbound (stub to NSD) starts"; t_done; exit 1; }
is "$(secure 127.0.2.2 host.$ZN A)" "NOERROR ad" "via the NSD secondary: A validates"
is "$(secure 127.0.2.2 nothere.$ZN A)" "NXDOMAIN ad" "via the NSD secondary: NXDOMAIN validates"
is "$(secure 127.0.2.2 foo.wild.$ZN A)" "NOERROR ad" "via the NSD secondary: wildcard validates"
is "$(grep -c 'validation failure' "${SEC_LOG[unbound2]}")" 0 "the second unbound logged no validation failure"

t_done
