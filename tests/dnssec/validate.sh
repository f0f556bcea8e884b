#!/usr/bin/env bash
# DNSSEC answers that validate: inside a network namespace, a signed test
# root and a signed parent test. (NSD) delegate dyn.test, with its DS, to
# dynzone serving the zone signed (dnssec_sign_zone in tests/lib.sh).
# unbound and delv, trusting only the test root, validate an A, AAAA, TXT,
# NXDOMAIN, NODATA, a wildcard answer, a name under an empty non-terminal
# and an insecure delegation as secure; ldns-verify-zone accepts the zone
# as dynzone sends it by AXFR; an NSD secondary that took it by AXFR serves
# answers a second unbound validates; dnsviz finds no errors.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

ZN=dyn.test
sec_key
dz_config dnssec "dns-listen = $DS_DZ_ADDR:53" "$SEC_KEY_LINE" "allow-transfer = $ZN $SEC_KEY_NAME"
cat >"$TMP/dyn.zone" <<ZONE
\$ORIGIN $ZN.
\$TTL 300
@ SOA ns1 hostmaster ( 7 3600 600 1209600 60 )
  NS ns1
ns1 A $DS_DZ_ADDR
host A 192.0.2.1
host AAAA 2001:db8::1
txt TXT "signed text"
*.wild A 192.0.2.9
a.b.deep A 192.0.2.10
sub NS ns.sub
ns.sub A 192.0.2.53
ZONE
dnssec_sign_zone $ZN "$TMP/dyn.zone" || { notok "sign and import $ZN"; t_done; exit 1; }
ok "$ZN signed and imported ($(cat "$TMP/sign/$ZN/import.log"))"
dz_start || { notok "dynzone serve starts"; t_done; exit 1; }
dnssec_world $ZN || { notok "the test root and test. start"; t_done; exit 1; }
dnssec_unbound unbound $DS_UNBOUND_ADDR || { notok "unbound starts"; t_done; exit 1; }
ok "signed root and test. (NSD), dynzone and a validating unbound start"

# what dynzone itself says
dzq() { dig @$DS_DZ_ADDR +norec +dnssec +time=2 +tries=1 "$@"; }
like "$(dzq host.$ZN A)" "; EDNS: version: 0, flags: do;" "DO comes back in the OPT record"
is "$(dzq host.$ZN A | dig_flags)" "qr aa" "AA set, AD clear"
is "$(dzq +short host.$ZN A | awk '{print $1}' | tr '\n' ' ')" "192.0.2.1 A " \
	"the A RRset comes with its RRSIG"
unlike "$(dig @$DS_DZ_ADDR +norec +time=2 +tries=1 host.$ZN A)" "RRSIG" "no RRSIG without DO"
like "$(dzq nothere.$ZN A +noall +authority | awk '{print $4}' | sort | uniq -c | tr -s ' \n' ' ')" \
	"2 NSEC 3 RRSIG 1 SOA" "NXDOMAIN: SOA and two NSEC, each with its RRSIG"
like "$(dzq +noall +authority host.$ZN TXT | awk '{print $1, $4}' | tr '\n' ' ')" \
	"SOA .*host.$ZN. NSEC host.$ZN. RRSIG" "NODATA: the name's own NSEC"
like "$(dzq +noall +authority x.sub.$ZN A | awk '{print $1, $4}' | tr '\n' ' ')" \
	"sub.$ZN. NS sub.$ZN. NSEC sub.$ZN. RRSIG" "insecure referral: NS and the NSEC proving no DS"
is "$(dzq +tcp +short $ZN DNSKEY | awk '{print $1}' | tr '\n' ' ')" "257 DNSKEY " "DNSKEY at the apex, signed"

# a validating resolver trusting only the test root
R=$DS_UNBOUND_ADDR
is "$(secure $R host.$ZN A)" "NOERROR ad" "unbound: A validates"
is "$(vq $R +short host.$ZN A | head -1)" "192.0.2.1" "unbound: the A's address"
is "$(secure $R host.$ZN AAAA)" "NOERROR ad" "unbound: AAAA validates"
is "$(secure $R txt.$ZN TXT)" "NOERROR ad" "unbound: TXT validates"
is "$(secure $R nothere.$ZN A)" "NXDOMAIN ad" "unbound: NXDOMAIN validates"
is "$(secure $R x.y.host.$ZN A)" "NXDOMAIN ad" "unbound: NXDOMAIN below an existing name validates"
is "$(secure $R host.$ZN TXT)" "NOERROR ad" "unbound: NODATA validates"
is "$(secure $R $ZN MX)" "NOERROR ad" "unbound: NODATA at the apex validates"
is "$(secure $R b.deep.$ZN A)" "NOERROR ad" "unbound: NODATA at an empty non-terminal validates"
is "$(secure $R a.b.deep.$ZN A)" "NOERROR ad" "unbound: a name under empty non-terminals validates"
is "$(secure $R foo.wild.$ZN A)" "NOERROR ad" "unbound: a wildcard answer validates"
is "$(vq $R +short foo.wild.$ZN A | head -1)" "192.0.2.9" "unbound: the wildcard's address"
is "$(secure $R foo.wild.$ZN TXT)" "NOERROR ad" "unbound: wildcard NODATA validates"
is "$(secure $R $ZN DNSKEY)" "NOERROR ad" "unbound: the DNSKEY RRset validates"
is "$(secure $R sub.$ZN DS)" "NOERROR ad" "unbound: no DS at the insecure delegation, proven"
like "$(grep -c 'validation failure' "${SEC_LOG[unbound]}")" '^0$' "unbound logged no validation failure"

# delv, a second validator
dv() { delv @$R -a "$TMP/root.anchor" +root=. "$@" 2>&1; }
like "$(dv host.$ZN A)" "; fully validated" "delv: A fully validated"
like "$(dv host.$ZN AAAA)" "; fully validated" "delv: AAAA fully validated"
like "$(dv txt.$ZN TXT)" "; fully validated" "delv: TXT fully validated"
like "$(dv nothere.$ZN A)" "; negative response, fully validated" "delv: NXDOMAIN fully validated"
like "$(dv host.$ZN TXT)" "; negative response, fully validated" "delv: NODATA fully validated"
like "$(dv foo.wild.$ZN A)" "; fully validated" "delv: wildcard fully validated"

# dnsviz, from the test root down
is "$(dnsviz_check $ZN host.$ZN txt.$ZN nothere.$ZN foo.wild.$ZN a.b.deep.$ZN b.deep.$ZN sub.$ZN)" \
	"errors=0 warnings=0" "dnsviz grok: no errors, no warnings" || sed 's/^/#   /' "$TMP/grok.json" | head -40

# the zone as a secondary gets it
dig @127.0.0.1 -p "$DZ_PORT" -y "hmac-sha256:$SEC_KEY_NAME:$SEC_KEY_SECRET" $ZN AXFR +onesoa \
	2>/dev/null | grep -v '^;' | awk 'NF && $4 != "TSIG"' >"$TMP/axfr.zone"
check "ldns-verify-zone accepts the zone as dynzone sends it by AXFR" \
	ldns-verify-zone -k "$TMP/keys/$ZN/"K*.key "$TMP/axfr.zone"
sec_nsd $ZN || { notok "NSD secondary starts"; t_done; exit 1; }
S=$(dzq +short $ZN SOA | awk '$2 != "SOA" {print $3; exit}')
check "NSD took the signed zone by AXFR (serial $S)" wait_for "$S" 10000 sec_serial nsd $ZN
dnssec_unbound unbound2 127.0.2.2 "stub-zone:" "  name: $ZN" "  stub-addr: 127.0.0.1@${SEC_PORT[nsd]}" ||
	{ notok "a second unbound (stub to NSD) starts"; t_done; exit 1; }
is "$(secure 127.0.2.2 host.$ZN A)" "NOERROR ad" "via the NSD secondary: A validates"
is "$(secure 127.0.2.2 nothere.$ZN A)" "NXDOMAIN ad" "via the NSD secondary: NXDOMAIN validates"
is "$(secure 127.0.2.2 foo.wild.$ZN A)" "NOERROR ad" "via the NSD secondary: wildcard validates"

t_done
