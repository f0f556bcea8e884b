#!/usr/bin/env bash
# DNS UPDATE authorisation and RFC 2136 rcodes: unsigned -> REFUSED; bad
# MAC -> BADSIG, unknown key -> BADKEY, skewed clock -> BADTIME; a change
# outside the key's allow-update scope (other name, other type) REFUSED
# with nothing changed, even when the same message holds allowed changes;
# prerequisites answer NXDOMAIN/YXDOMAIN/NXRRSET/YXRRSET; a zone not ours
# NOTAUTH; SOA and apex NS changes REFUSED; bad allow-update lines stop
# start-up naming the line.
. "$(dirname "$0")/../lib.sh"

ACME=$(tsig_secret) BIG=$(tsig_secret) OTHER=$(tsig_secret)
dz_config ddns "tsig-key = acme-h hmac-sha256 $ACME" "tsig-key = big hmac-sha256 $BIG" \
	"allow-update = dyn.test acme-h _acme-challenge.h.dyn.test TXT" \
	"allow-update = dyn.test big *.dyn.test A,TXT" \
	"allow-update = dyn.test big dyn.test NS,MX" "allow-update = x.dyn.test big *.x.dyn.test A"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
dz_start || { notok "server starts"; t_done; exit 1; }
u() { /usr/bin/python3 "$DZ_TOP/tests/ddns/ddnsupd.py" "$DZ_PORT" dyn.test. "$@"; }
A="acme-h:$ACME" B="big:$BIG"
T=_acme-challenge.h.dyn.test.

is "$(u - add:$T:60:TXT:x)" REFUSED "unsigned UPDATE: REFUSED"
is "$(u - --tcp add:$T:60:TXT:x)" REFUSED "unsigned UPDATE over TCP: REFUSED"
is "$(u "acme-h:$OTHER" add:$T:60:TXT:x)" PeerBadSignature "wrong secret: BADSIG"
is "$(u "nokey:$OTHER" add:$T:60:TXT:x)" PeerBadKey "unknown key: BADKEY"
is "$(u "$A" --skew -3600 add:$T:60:TXT:x)" PeerBadTime "clock an hour off: BADTIME"
is "$(u "$A" --tcp --skew 3600 add:$T:60:TXT:x)" PeerBadTime "BADTIME over TCP too"
is "$(rcode $T TXT)" NXDOMAIN "none of those changed anything"

is "$(u "$A" add:_acme-challenge.other.dyn.test.:60:TXT:x)" REFUSED "other name: REFUSED"
is "$(u "$A" add:$T:60:A:192.0.2.1)" REFUSED "other type: REFUSED"
is "$(u "$A" add:$T:60:TXT:ok add:_acme-challenge.other.dyn.test.:60:TXT:x)" REFUSED \
	"one allowed and one forbidden change: REFUSED"
is "$(rcode $T TXT)" NXDOMAIN "and the allowed half did not happen"
is "$(u "$A" add:$T:60:TXT:ok)" NOERROR "the allowed change alone: NOERROR"
is "$(qs $T TXT)" '"ok"' "served"
is "$(u "$B" add:dyn.test.:60:A:192.0.2.9)" REFUSED "*.name does not cover the name itself"
is "$(u "$B" delname:x.dyn.test.)" REFUSED "deleting every RRset needs type ANY in the rule"
is "$(u "$B" add:dyn.test.:60:NS:ns2.dyn.test.)" REFUSED "apex NS: REFUSED even when a rule lists it"
is "$(u "$B" "add:dyn.test.:60:MX:10 mx.dyn.test.")" NOERROR "an apex MX the rule allows: NOERROR"

# prerequisites (§2.4, §3.2)
is "$(u "$B" present:nx.dyn.test. add:a.dyn.test.:60:A:192.0.2.1)" NXDOMAIN "name in use, not there: NXDOMAIN"
is "$(u "$B" absent:$T add:a.dyn.test.:60:A:192.0.2.1)" YXDOMAIN "name not in use, there: YXDOMAIN"
is "$(u "$B" present:$T:A add:a.dyn.test.:60:A:192.0.2.1)" NXRRSET "RRset exists, not there: NXRRSET"
is "$(u "$B" absent:$T:TXT add:a.dyn.test.:60:A:192.0.2.1)" YXRRSET "RRset does not exist, there: YXRRSET"
is "$(u "$B" present:$T:TXT:nope add:a.dyn.test.:60:A:192.0.2.1)" NXRRSET "RRset value differs: NXRRSET"
is "$(rcode a.dyn.test A)" NXDOMAIN "failed prerequisites change nothing"
is "$(u "$B" present:$T:TXT:ok absent:a.dyn.test. present:$T add:a.dyn.test.:60:A:192.0.2.1)" NOERROR \
	"every prerequisite holds: NOERROR"
is "$(qs a.dyn.test A)" 192.0.2.1 "the change is served"
is "$(u "$B" --tcp present:a.dyn.test.:A:192.0.2.1 del:a.dyn.test.:A:192.0.2.1 add:a.dyn.test.:60:A:192.0.2.2)" NOERROR \
	"compare-and-swap of an address over TCP"
is "$(qs a.dyn.test A)" 192.0.2.2 "swapped"

# zones
is "$(/usr/bin/python3 "$DZ_TOP/tests/ddns/ddnsupd.py" "$DZ_PORT" other.test. "$B" add:x.other.test.:60:A:192.0.2.1)" \
	REFUSED "a zone no rule names: REFUSED (the scope is checked first)"
is "$(/usr/bin/python3 "$DZ_TOP/tests/ddns/ddnsupd.py" "$DZ_PORT" x.dyn.test. "$B" add:a.x.dyn.test.:60:A:192.0.2.1)" \
	NOTAUTH "a zone section that is not a zone of ours (a rule names it): NOTAUTH"
is "$(u "$B" add:a.other.test.:60:A:192.0.2.1)" NOTZONE "a record outside the zone: NOTZONE"
is "$(u "$B" "add:x.dyn.test.:60:SOA:a. b. 1 2 3 4 5")" REFUSED "SOA: REFUSED"

# bad allow-update lines stop start-up, naming the file and line
dz_stop
for bad in "dyn.test nokey x.dyn.test A" "dyn.test big x.dyn.test A,BOGUS" "dyn.test big *.*.dyn.test A" \
	"dyn.test big x.other.test A"; do
	echo "allow-update = $bad" >>"$DZ_CONF"
	line=$(wc -l <"$DZ_CONF")
	out=$(timeout 10 "$DYNZONE" -c "$DZ_CONF" serve 2>&1)
	like "$out" "dynzone.conf:$line: allow-update" "refused at start-up: $bad"
	sed -i '$d' "$DZ_CONF"
done
t_done
