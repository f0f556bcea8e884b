#!/usr/bin/env bash
# A signed zone as secondaries get it: `zone sign` (CSK) of a zone with
# static records of several types, a wildcard, a delegation with glue and
# DS, and dynamic hosts; then, with the server running, 1000 HTTP updates
# (changed addresses, new hosts and deleted hosts from the shell between
# them), an RFC 2136 UPDATE and an import.  After each, the zone fetched by
# dig AXFR passes ldns-verify-zone and dnssec-verify.  `zone ds` matches
# dnssec-dsfromkey and ldns-key2ds on the served DNSKEY; the private key
# is nowhere in the logs, `zone show`, `zone key list` or the dashboard API.
. "$(dirname "$0")/../lib.sh"

Z=dyn.test
BIG=$(tsig_secret)
dz_config sign "allow-transfer = $Z 127.0.0.0/8" "update-rate-token = 0" \
	"update-rate-client = 0" "update-burst-token = 1000000" \
	"tsig-key = big hmac-sha256 $BIG" "allow-update = $Z big *.$Z A,AAAA,TXT,RRSIG,NSEC" \
	"allow-update = $Z big $Z DNSKEY,NSEC3PARAM,CDS,CDNSKEY"
dz zone add $Z --ns ns1.$Z=192.0.2.53 >/dev/null 2>&1
dz record add $Z MX '10 Mail.Dyn.Test.' >/dev/null
dz record add $Z TXT '"v=spf1 -all"' >/dev/null
dz record add mail.$Z A 192.0.2.25 >/dev/null
dz record add '*.wild.'$Z TXT '"any"' >/dev/null
dz record add sub.$Z NS ns.sub.$Z >/dev/null
dz record add ns.sub.$Z A 192.0.2.99 >/dev/null
dz record add sub.$Z DS '4711 13 2 8D3A7C1C0D4E1DEDC6DA2D64F4C6D14C6F6A3E81D5C5F1B2A9C6E8BD91E0A3C2' >/dev/null
dz record add _sip._tcp.$Z SRV '10 5 5060 SIP.dyn.test.' >/dev/null
echo "alice-password" | dz user add alice --admin 2>/dev/null
NH=30   # a token covers 32 hosts at most
hosts=()
for i in $(seq 1 $NH); do hosts+=("h$i.$Z"); dz host add "h$i.$Z" --user alice >/dev/null; done
TOKEN=$(dz token new "${hosts[@]}")

out=$(dz zone sign $Z 2>"$TMP/sign.err")
like "$out" "^$Z\. key [0-9]+ CSK active algorithm 13" "zone sign makes an active CSK"
like "$(cat "$TMP/sign.err")" "zone ds" "and says to hand the DS to the parent"
is "$(dz zone sign $Z 2>&1 >/dev/null)" "dynzone: $Z. is already signed (see 'dynzone zone key list')" \
	"signing twice is refused"
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"

axfr $Z "$TMP/z0" || notok "AXFR of the signed zone"
verifies $Z "$TMP/z0" "after zone sign"
is "$(grep -c "IN	DNSKEY	257 3 13" "$TMP/z0")" 1 "one DNSKEY (a CSK) served"
is "$(grep -c "IN	CDS	" "$TMP/z0") $(grep -c "IN	CDNSKEY	" "$TMP/z0")" "1 1" "CDS and CDNSKEY published"
like "$(grep "^sub\.$Z\..*	NSEC	" "$TMP/z0")" "NS DS RRSIG NSEC$" \
	"the delegation's NSEC has NS DS RRSIG NSEC only"
is "$(grep -c "^ns\.sub\.$Z\..*RRSIG" "$TMP/z0")" 0 "glue is not signed"
is "$(grep "^sub\.$Z\..*	RRSIG	" "$TMP/z0" | awk '{print $5}' | sort | tr '\n' ' ')" "DS NSEC " \
	"at the delegation only DS and NSEC are signed"
like "$(grep "^\*\.wild\.$Z\..*RRSIG.*TXT" "$TMP/z0")" "RRSIG	TXT 13 3 " "the wildcard's labels do not count '*'"
like "$(grep "^$Z\..*	RRSIG	SOA" "$TMP/z0")" "RRSIG	SOA 13 2 3600 " "the SOA's RRSIG is transferred"

# the DS for the parent, three ways
grep "	DNSKEY	" "$TMP/z0" >"$TMP/dnskey"
ours=$(dz zone ds $Z | awk '{print $5, $6, $7, $8}')
bind=$(dnssec-dsfromkey -2 -f "$TMP/dnskey" $Z | awk '{print $4, $5, $6, $7}')
is "$ours" "$bind" "zone ds matches dnssec-dsfromkey"
(cd "$TMP" && ldns-key2ds -n -2 dnskey >ldns.ds 2>/dev/null)
ldns=$(awk '{print $5, $6, $7, toupper($8)}' "$TMP/ldns.ds")
is "$ours" "$ldns" "zone ds matches ldns-key2ds"

# 1000 HTTP updates over one keep-alive connection, new and deleted hosts between
mkreqs() { # FROM TO [SKIP]: the updates n = FROM..TO, host after host (not host
           # number SKIP: deleted); prints the status codes
	python3 - "$DZ_HTTP_PORT" "$TOKEN" "$Z" "$NH" "$1" "$2" "${3:-0}" <<'PY'
import base64, http.client, sys
port, token, zone = sys.argv[1], sys.argv[2], sys.argv[3]
nh, lo, hi, skip = (int(a) for a in sys.argv[4:8])
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=20)
n = lo
while n <= hi:
    if n % nh + 1 == skip:
        hi += 1
        n += 1
        continue
    h = "h%d.%s" % (n % nh + 1, zone)
    auth = base64.b64encode(("%s:%s" % (h, token)).encode()).decode()
    c.request("GET", "/nic/update?hostname=%s&myip=10.%d.%d.%d" % (h, n >> 16 & 255, n >> 8 & 255, n & 255),
              headers={"Authorization": "Basic " + auth})
    r = c.getresponse()
    r.read()
    print(r.status)
    n += 1
PY
}
t0=$(ms_now)
mkreqs 1 500 >"$TMP/codes1"
NEW=$(dz host add new1.$Z --user alice)
dz host add new2.$Z --user alice >/dev/null
dz host del h3.$Z >/dev/null
dz record add zz.$Z A 192.0.2.200 >/dev/null
mkreqs 501 999 3 >"$TMP/codes2"
upd "$NEW" "hostname=new1.$Z&myip=192.0.2.150" >"$TMP/codes3"
dz host del h7.$Z >/dev/null
is "$(upd "$TOKEN" "hostname=h7.$Z&myip=192.0.2.7")" "badauth" "an update of a deleted host: badauth"
dz record del zz.$Z >/dev/null
t1=$(ms_now)
diag "1000 signed HTTP updates and 7 shell changes in $((t1 - t0)) ms"
is "$(cat "$TMP/codes1" "$TMP/codes2" | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" "999 200 " \
	"999 updates in two curl runs answered 200"
is "$(cat "$TMP/codes3")" "good 192.0.2.150" "and the new host's first update good"
axfr $Z "$TMP/z1" || notok "AXFR after the updates"
verifies $Z "$TMP/z1" "after 1000 HTTP updates, hosts added and deleted"
is "$(grep -c "^new1\.$Z.*	NSEC	" "$TMP/z1") $(grep -c "^h3\.$Z" "$TMP/z1")" "1 0" \
	"a new host is in the NSEC chain, a deleted one has left it"
is "$(grep -c "^zz\.$Z" "$TMP/z1")" 0 "a record added and deleted again leaves nothing behind"

# RFC 2136 UPDATE
out=$(nsu big "$BIG" <<N
zone $Z
update add nsu.$Z 60 A 192.0.2.77
update add nsu.$Z 60 TXT "from nsupdate"
update delete h1.$Z A
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "nsupdate: NOERROR"
axfr $Z "$TMP/z2" || notok "AXFR after nsupdate"
verifies $Z "$TMP/z2" "after an RFC 2136 UPDATE"
like "$(grep "^nsu\.$Z\..*	RRSIG	A " "$TMP/z2")" "RRSIG	A 13 3 60 " "the new name's A is signed"
is "$(grep -c "^h1\.$Z\." "$TMP/z2")" 0 "h1, its only record deleted, has left the chain"

# the signer's records are not UPDATE's to change (REFUSED, as BIND does)
for u in "update delete nsu.$Z RRSIG" "update delete nsu.$Z NSEC" "update delete $Z DNSKEY" \
	"update add $Z 60 NSEC3PARAM 1 0 0 -" "update delete $Z CDS" "update delete $Z CDNSKEY"; do
	out=$(printf 'zone %s\n%s\nsend\n' $Z "$u" | nsu big "$BIG")
	is "$(printf '%s' "$out" | nsu_status)" REFUSED "nsupdate '$u' in a signed zone: REFUSED"
done
axfr $Z "$TMP/z2b" || notok "AXFR after the refused updates"
is "$(grep -c "	DNSKEY	" "$TMP/z2b") $(grep -c "^nsu\.$Z\..*	NSEC	" "$TMP/z2b")" "1 1" \
	"the DNSKEY and nsu's NSEC are still there"
is "$(grep -c "refused, a DNSSEC record type" "$DZ_DIR/serve.log")" 6 "refused by the signed-zone rule, not the key's scope"

# an import into the signed zone (bulk: the whole zone is re-signed)
cat >"$TMP/imp.zone" <<Z
\$ORIGIN $Z.
\$TTL 120
@ SOA ns1 hostmaster 1 3600 600 1209600 60
imp1 A 192.0.2.101
imp2 AAAA 2001:db8::102
imp3 CNAME imp1
Z
dz import zone "$TMP/imp.zone" >/dev/null 2>&1
check "import into the signed zone" test $? -eq 0
wait_for 192.0.2.101 5000 qs imp1.$Z A || true
axfr $Z "$TMP/z3" || notok "AXFR after the import"
verifies $Z "$TMP/z3" "after an import"
is "$(grep -c "^imp3\.$Z.*RRSIG	CNAME" "$TMP/z3")" 1 "imported records are signed"

# the private key stays in the store
priv=$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT hex(private) FROM dnssec_keys")
priv64=$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT hex(private) FROM dnssec_keys" | xxd -r -p | base64)
check "the store holds a 32-byte private key" test ${#priv} -eq 64
dz zone show $Z >"$TMP/show" 2>&1
dz zone key list $Z >>"$TMP/show" 2>&1
login alice alice-password >/dev/null 2>&1
call GET /hosts; echo "$BODY" >>"$TMP/show"
call GET /admin/zones; echo "$BODY" >>"$TMP/show"
cat "$DZ_DIR/serve.log" "$TMP"/*.raw "$TMP/sign.err" >>"$TMP/show"
lower=$(printf '%s' "$priv" | tr 'A-F' 'a-f')
is "$(grep -ci -e "$priv" -e "$lower" -e "$priv64" "$TMP/show")" 0 \
	"the private key is in no log, zone show, key list, transfer or API reply"
check "stat: the store is 0600" test "$(stat -c %a "$DZ_DIR/dynzone.db")" = 600

# unsign
dz zone unsign $Z >/dev/null
wait_for 0 5000 sh -c "dig @127.0.0.1 -p $DZ_PORT +norec +short $Z DNSKEY | wc -l"
check "after zone unsign no DNSKEY is served" test "$(dz_dig 127.0.0.1 +short $Z DNSKEY | wc -l)" -eq 0
axfr $Z "$TMP/z4"
is "$(grep -cE "	(RRSIG|NSEC|DNSKEY|CDS|CDNSKEY)	" "$TMP/z4")" 0 "and the zone has no DNSSEC record left"
t_done
