#!/usr/bin/env bash
# Zone transfers carry exactly what dynzone serves from an imported
# tinydns `data` (src/db/served.h): records with no location or the
# default one (the first `%` line with an empty prefix), each RR once;
# not another location's, not a TTD record.  The AXFR has no duplicate and
# is, RR for RR, what dynzone answers to a query for each name (and what
# `zone show` prints); NSD and Knot as secondaries hold the same zone and
# answer the same.  IXFR: after
# a change the condensed difference carries only served records; a record
# added over its default-location copy and then deleted is deleted on a
# secondary that skipped the serial in between; a second import into the
# zone (a reload: IXFR falls back to the whole zone) carries no record
# that is not served.
. "$(dirname "$0")/../lib.sh"

ZN=loc.test
SECONDARIES="nsd knot"
for s in $SECONDARIES; do SEC_PORT[$s]=$(free_port); done
sec_key
dz_config loc "$SEC_KEY_LINE" "allow-transfer = $ZN $SEC_KEY_NAME" \
	"allow-transfer = $ZN 127.0.0.1/32" \
	"notify = $ZN 127.0.0.1:${SEC_PORT[nsd]} $SEC_KEY_NAME" \
	"notify = $ZN 127.0.0.1:${SEC_PORT[knot]} $SEC_KEY_NAME"
cat >"$TMP/data" <<'DATA'
%ex
%in:192.168
.loc.test:192.0.2.1:a:3600
+plain.loc.test:192.0.2.10:300
+dflt.loc.test:192.0.2.20:300::ex
+both.loc.test:192.0.2.30:300
+both.loc.test:192.0.2.30:300::ex
+both.loc.test:192.0.2.31:300::ex
+both.loc.test:192.0.2.30:300::in
+both.loc.test:192.0.2.32:300::in
+other.loc.test:192.0.2.40:300::in
+ttd.loc.test:192.0.2.50:0:4000000080000000
'txt.loc.test:hello:300
'txt.loc.test:hello:300::ex
DATA
out=$(dz import tinydns "$TMP/data" 2>&1)
like "$out" "9 records served, 4 kept for the CDB export only \\(0 in no zone, 3 other locations, 1 with a TTD" \
	"import: the served records, another location's and a TTD record kept for the export"
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"

# rrs: dig/kdig output on stdin as sorted lines "owner ttl type rdata"
# (class dropped, owner lowercased), comments and blank lines left out
rrs() {
	awk '!/^;/ && NF >= 5 { o = tolower($1); t = $2; ty = $4; $1 = $2 = $3 = $4 = "";
	     sub(/^ +/, ""); print o, t, ty, $0 }' | sort
}
# axfr_of PORT: the zone's RRs from an AXFR to PORT, the closing SOA left out
axfr_of() {
	kdig @127.0.0.1 -p "$1" +timeout=5 +retry=0 $ZN AXFR 2>/dev/null |
		grep -v '^;\|^$' | sed '$d' | rrs
}
# answers PORT: the answer to each name and type in $TMP/asked, from PORT
answers() {
	local n t
	while read -r n t; do
		dig @127.0.0.1 -p "$1" +norec +time=2 +tries=1 +noall +answer "$n" "$t"
	done <"$TMP/asked" | rrs
}
serial() { q +short $ZN SOA | awk '{print $3}'; }
# served_checks WHAT: dynzone's AXFR into $TMP/axfr; it holds no RR twice
# and is what dynzone answers (into $TMP/answers) for each of its names
# and types, and for the names of records not served
served_checks() {
	axfr_of "$DZ_PORT" >"$TMP/axfr"
	sed 's/^/#   AXFR: /' "$TMP/axfr"
	is "$(uniq -d "$TMP/axfr")" "" "$1: the AXFR holds no RR twice"
	{ awk '{ print $1, $3 }' "$TMP/axfr"; echo "other.loc.test. A"; echo "ttd.loc.test. A"; } |
		sort -u >"$TMP/asked"
	answers "$DZ_PORT" >"$TMP/answers"
	is "$(diff "$TMP/axfr" "$TMP/answers")" "" \
		"$1: the AXFR is, RR for RR, what dynzone answers for each of its names and types"
}
# secondaries_at SERIAL: each secondary reaches SERIAL, then holds the
# zone of $TMP/axfr and answers as $TMP/answers says
secondaries_at() {
	local s
	for s in $SECONDARIES; do
		check "$s: at serial $1" wait_for "$1" 10000 sec_serial $s $ZN
		is "$(axfr_of "${SEC_PORT[$s]}" | diff "$TMP/axfr" -)" "" "$s: holds the same zone"
		is "$(answers "${SEC_PORT[$s]}" | diff "$TMP/answers" -)" "" \
			"$s: answers each name and type as dynzone does"
	done
}

served_checks "after the import"
is "$(awk '$3 != "SOA" && $3 != "NS" { print $1, $3, $4 }' "$TMP/axfr" | tr '\n' ' ')" \
	"a.ns.loc.test. A 192.0.2.1 both.loc.test. A 192.0.2.30 both.loc.test. A 192.0.2.31 dflt.loc.test. A 192.0.2.20 plain.loc.test. A 192.0.2.10 txt.loc.test. TXT \"hello\" " \
	"the AXFR: no location and the default one, once each; not another location's, not a TTD's"
is "$(rcode other.loc.test A) $(rcode ttd.loc.test A)" "NXDOMAIN NXDOMAIN" \
	"dynzone does not answer for another location's name or a TTD record's"
is "$(dz zone show $ZN | rrs | diff "$TMP/axfr" -)" "" "zone show prints the zone the AXFR carries"

S0=$(serial)
sec_nsd $ZN && sec_knot $ZN || { notok "secondaries start"; t_done; exit 1; }
ok "NSD and Knot start"
secondaries_at "$S0"

# IXFR: one change, the condensed difference carries only it
dz record add new.loc.test A 192.0.2.60 >/dev/null
S1=$((S0 + 1))
check "dynzone serves the new record (serial $S1)" wait_for "$S1" 3000 serial
ixfr() {
	kdig @127.0.0.1 -p "$DZ_PORT" +timeout=5 +retry=0 $ZN IXFR="$1" 2>/dev/null |
		grep -v '^;\|^$' | awk '$4 != "SOA" { print $1, $4, $5 }' | tr '\n' ' '
}
is "$(ixfr "$S0")" "new.loc.test. A 192.0.2.60 " "IXFR=$S0: the new record and nothing else"
served_checks "after a record added"
secondaries_at "$S1"

# the default location's record added without a location, then deleted
# (both rows go); the secondaries, stopped from following meanwhile (dynzone
# down), go from S1 to S3 in one IXFR
dz_stop
dz record add dflt.loc.test A 192.0.2.20 --ttl 120 >/dev/null
dz record del dflt.loc.test A 192.0.2.20 >/dev/null
dz_start || { notok "server starts again"; t_done; exit 1; }
S3=$((S1 + 2))
check "dynzone is at serial $S3" wait_for "$S3" 3000 serial
is "$(qs dflt.loc.test A)" "" "dynzone no longer serves dflt.loc.test"
is "$(ixfr "$S1")" "dflt.loc.test. A 192.0.2.20 " "IXFR=$S1: dflt's record deleted, nothing added"
served_checks "after dflt's record added and deleted"
secondaries_at "$S3"
for s in $SECONDARIES; do
	is "$(sec_ask $s dflt.loc.test A)" "" "$s: no longer serves dflt.loc.test"
done

# a second import into the zone: another location, the default one, a
# twin of a record without a location; it reloads the zone
cat >"$TMP/data2" <<'DATA'
+plain.loc.test:192.0.2.11:300::in
+plain.loc.test:192.0.2.12:300::ex
+plain.loc.test:192.0.2.10:300::ex
DATA
dz import tinydns "$TMP/data2" >/dev/null 2>&1
S4=$((S3 + 1))
check "dynzone is at serial $S4 after the second import" wait_for "$S4" 3000 serial
is "$(qs plain.loc.test A)" "192.0.2.10 192.0.2.12" "dynzone serves the default location's new record"
served_checks "after the second import"
ix=$(kdig @127.0.0.1 -p "$DZ_PORT" +timeout=5 +retry=0 $ZN IXFR="$S3" 2>/dev/null |
	grep -v '^;\|^$' | sed '$d' | rrs)
is "$(diff "$TMP/axfr" - <<<"$ix")" "" "IXFR=$S3 across the reload: the whole zone, as the AXFR"
unlike "$(cat "$TMP/axfr")" "192\\.0\\.2\\.(11|32|40|50)" "  which holds no record dynzone does not serve"
secondaries_at "$S4"
t_done
