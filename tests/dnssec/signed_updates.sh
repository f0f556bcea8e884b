#!/usr/bin/env bash
# Signed updates validate on the next query: inside a network namespace
# under a signed test root and parent (tests/lib.sh, DNSSEC), the zone
# signed by dynzone (`zone sign`), after an
# update over HTTP (/nic/update) and after an RFC 2136 UPDATE (nsupdate,
# TSIG) the new address validates as secure at unbound (AD) and delv; a
# deleted name is a validated NXDOMAIN; the NSEC chain still holds
# (ldns-verify-zone on an AXFR) after a hundred more updates.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

ZN=dyn.test
KEY=$(tsig_secret)
sec_key
dz_config signed "dns-listen = $DS_DZ_ADDR:53" "update-rate-token = 0" "update-rate-client = 0" \
	"tsig-key = upd hmac-sha256 $KEY" "allow-update = $ZN upd *.$ZN A,AAAA,TXT" \
	"$SEC_KEY_LINE" "allow-transfer = $ZN $SEC_KEY_NAME"
{ dnssec_zone_head $ZN; echo "host A 192.0.2.1"; } >"$TMP/$ZN.zone"
dnssec_sign_zone $ZN "$TMP/$ZN.zone" || { notok "sign and import $ZN"; t_done; exit 1; }
echo "alice-password" | dz user add alice >/dev/null 2>&1
TOK=$(dz host add home.$ZN --user alice)
dz_start || { notok "dynzone serve starts"; t_done; exit 1; }
dnssec_world $ZN || { notok "the test root and test. start"; t_done; exit 1; }
dnssec_unbound unbound $DS_UNBOUND_ADDR || { notok "unbound starts"; t_done; exit 1; }
ok "signed root and test. (NSD), dynzone and a validating unbound start"
R=$DS_UNBOUND_ADDR
dv() { delv @$R -a "$TMP/root.anchor" +root=. "$@" 2>&1; }
is "$(secure $R host.$ZN A)" "NOERROR ad" "the signed zone validates before any update"

# an update over HTTP
up "http://127.0.0.1:$DZ_HTTP_PORT/nic/update" "hostname=home.$ZN&myip=192.0.2.77" -u "home.$ZN:$TOK"
is "$ST $BODY" "200 good 192.0.2.77|" "HTTP update"
is "$(secure $R home.$ZN A)" "NOERROR ad" "the HTTP update's address validates on the next query"
is "$(vq $R +short home.$ZN A | head -1)" "192.0.2.77" "and is the new one"
like "$(dv home.$ZN A)" "^; fully validated" "delv: fully validated"
is "$(secure $R home.$ZN AAAA)" "NOERROR ad" "NODATA for its missing AAAA validates"

# an RFC 2136 UPDATE
out=$(nsu upd "$KEY" <<NSU
update add nsu.$ZN 300 A 192.0.2.88
send
NSU
)
is "$(nsu_status <<<"$out")" NOERROR "nsupdate adds nsu.$ZN"
is "$(secure $R nsu.$ZN A)" "NOERROR ad" "the UPDATE's new name validates on the next query"
is "$(vq $R +short nsu.$ZN A | head -1)" "192.0.2.88" "with its address"
out=$(nsu upd "$KEY" <<NSU
update delete nsu.$ZN A
send
NSU
)
is "$(nsu_status <<<"$out")" NOERROR "nsupdate deletes it"
is "$(secure $R nsu2.$ZN A)" "NXDOMAIN ad" "an NXDOMAIN next to it validates"
is "$(dig @$DS_DZ_ADDR +norec nsu.$ZN A | dig_status)" NXDOMAIN "dynzone: the deleted name is gone"
# (A type unbound has not cached: its A answer may still be in the cache)
is "$(secure $R nsu.$ZN TXT)" "NXDOMAIN ad" "and its NXDOMAIN validates"

# a hundred more updates: the chain and the signatures hold
for i in $(seq 1 100); do
	up "http://127.0.0.1:$DZ_HTTP_PORT/nic/update" "hostname=home.$ZN&myip=192.0.2.$((100 + i % 100))" \
		-u "home.$ZN:$TOK"
done
is "$ST $BODY" "200 good 192.0.2.100|" "a hundred updates"
dig @127.0.0.1 -p "$DZ_PORT" -y "hmac-sha256:$SEC_KEY_NAME:$SEC_KEY_SECRET" $ZN AXFR +onesoa \
	2>/dev/null | grep -v '^;' | awk 'NF && $4 != "TSIG"' >"$TMP/$ZN.axfr"
check "ldns-verify-zone accepts the AXFR after them" ldns-verify-zone "$TMP/$ZN.axfr"
is "$(secure $R home.$ZN A)" "NOERROR ad" "the last address validates"
is "$(grep -c 'validation failure' "${SEC_LOG[unbound]}")" 0 "unbound logged no validation failure"

t_done
