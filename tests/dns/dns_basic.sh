#!/usr/bin/env bash
# The authoritative answers, asked with dig over UDP and TCP, IPv4 and IPv6:
# every record type, AA, NXDOMAIN / NODATA with the SOA (negative TTL),
# empty non-terminals, CNAME chasing, wildcards (RFC 4592), ANY (RFC 8482),
# 0x20 case, REFUSED outside the zones and no recursion, delegations with
# glue, TC over UDP and the full answer over TCP, every listen address.
. "$(dirname "$0")/../lib.sh"

EXTRA_PORT=$(free_port)
dns_serve basic "dns-listen = 127.0.0.2:$EXTRA_PORT"

serial=$(dz zone list | awk '$1 == "example.org." { print $3 }')
like "$serial" '^[0-9]+$' "zone list shows the serial of example.org"
SOA="example.org. 7200 IN SOA ns1.example.org. hostmaster.example.org. $serial 3600 600 1209600 60"
NEG="example.org. 60 IN SOA ns1.example.org. hostmaster.example.org. $serial 3600 600 1209600 60"

for tr in $TRANSPORTS; do
	use "$tr"

	# --- one of each type, AA set ---------------------------------------
	is "$(dans www.example.org A)" "www.example.org. 300 IN A 192.0.2.10" "$tr: A"
	f=$(dflags www.example.org A)
	like "$f" '(^| )aa( |$)' "$tr: AA set on an authoritative answer"
	unlike "$f" '(^| )ra( |$)' "$tr: RA never set"
	is "$(dans www.example.org AAAA)" "www.example.org. 300 IN AAAA 2001:db8::10" "$tr: AAAA"
	is "$(dans txt.example.org TXT)" 'txt.example.org. 300 IN TXT "v=spf1 -all" "second string"' \
		"$tr: TXT with two strings"
	is "$(dans example.org SOA)" "$SOA" "$tr: SOA at the apex, serial as in zone list"
	is "$(dans ptr.example.org PTR)" "ptr.example.org. 300 IN PTR www.example.org." "$tr: PTR"
	is "$(dans 10.2.0.192.in-addr.arpa PTR)" "10.2.0.192.in-addr.arpa. 300 IN PTR www.example.org." \
		"$tr: PTR in a second zone (reverse)"
	is "$(dans caa.example.org CAA)" 'caa.example.org. 300 IN CAA 0 issue "ca.example.net"' "$tr: CAA"
	is "$(dans generic.example.org TYPE65280)" 'generic.example.org. 300 IN TYPE65280 \# 4 DEADBEEF' \
		"$tr: unknown type stored in RFC 3597 form"

	# --- NS, MX, SRV with the addresses of in-zone targets --------------
	is "$(dans example.org NS)" \
		"example.org. 7200 IN NS ns1.example.org. | example.org. 7200 IN NS ns2.example.net." \
		"$tr: NS at the apex"
	is "$(dsec additional example.org NS)" \
		"ns1.example.org. 7200 IN A 192.0.2.1 | ns1.example.org. 7200 IN AAAA 2001:db8::1" \
		"$tr: glue A and AAAA for the in-zone NS only"
	is "$(dans example.org MX)" "example.org. 300 IN MX 10 mail.example.org." "$tr: MX"
	is "$(dsec additional example.org MX)" "mail.example.org. 300 IN A 192.0.2.25" \
		"$tr: MX target address in additional"
	is "$(dans _sip._udp.example.org SRV)" "_sip._udp.example.org. 300 IN SRV 10 20 5060 sip.example.org." \
		"$tr: SRV"
	is "$(dsec additional _sip._udp.example.org SRV)" "sip.example.org. 300 IN AAAA 2001:db8::30" \
		"$tr: SRV target address in additional"

	# --- 0x20: the query name's case comes back as sent -----------------
	out=$(dq WwW.ExAmPlE.OrG AAAA)
	like "$out" $'\n;WwW\\.ExAmPlE\\.OrG\\.[[:space:]]+IN[[:space:]]+AAAA' "$tr: question case preserved"
	like "$out" $'\nWwW\\.ExAmPlE\\.OrG\\.[[:space:]]+300[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+2001:db8::10' \
		"$tr: answer owner in the query's case"

	# --- negative answers (RFC 2308) ------------------------------------
	is "$(dstatus nosuch.example.org A)" NXDOMAIN "$tr: NXDOMAIN for a name that does not exist"
	is "$(dsec authority nosuch.example.org A)" "$NEG" \
		"$tr: NXDOMAIN carries the SOA, TTL = min(SOA TTL, MINIMUM)"
	like "$(dflags nosuch.example.org A)" '(^| )aa( |$)' "$tr: NXDOMAIN is authoritative"
	is "$(dstatus www.example.org TXT)/$(dcount ANSWER www.example.org TXT)" NOERROR/0 \
		"$tr: NODATA for a type the name lacks"
	is "$(dsec authority www.example.org TXT)" "$NEG" "$tr: NODATA carries the SOA"
	is "$(dstatus www.example.org TYPE4000)/$(dcount ANSWER www.example.org TYPE4000)" NOERROR/0 \
		"$tr: unknown type at an existing name is NODATA (RFC 8906)"
	is "$(dstatus c.example.org A)/$(dsec authority c.example.org A)" "NOERROR/$NEG" \
		"$tr: empty non-terminal is NODATA"
	is "$(dstatus b.c.example.org TXT)/$(dcount ANSWER b.c.example.org TXT)" NOERROR/0 \
		"$tr: deeper empty non-terminal is NODATA"
	is "$(dstatus x.b.c.example.org A)" NXDOMAIN "$tr: below an empty non-terminal is NXDOMAIN"

	# --- CNAME ----------------------------------------------------------
	is "$(dans alias.example.org A)" \
		"alias.example.org. 300 IN CNAME www.example.org. | www.example.org. 300 IN A 192.0.2.10" \
		"$tr: CNAME followed inside the zone"
	is "$(dans chain.example.org AAAA)" \
		"alias.example.org. 300 IN CNAME www.example.org. | chain.example.org. 300 IN CNAME alias.example.org. | www.example.org. 300 IN AAAA 2001:db8::10" \
		"$tr: CNAME chain followed"
	is "$(dans alias.example.org CNAME)" "alias.example.org. 300 IN CNAME www.example.org." \
		"$tr: qtype CNAME answers the CNAME itself"
	is "$(dstatus ext.example.org A)/$(dans ext.example.org A)" \
		"NOERROR/ext.example.org. 300 IN CNAME www.example.net." \
		"$tr: CNAME out of the zone: the CNAME only, no recursion"
	is "$(dstatus dangling.example.org A)/$(dans dangling.example.org A)" \
		"NXDOMAIN/dangling.example.org. 300 IN CNAME nothere.example.org." \
		"$tr: CNAME to a missing in-zone name: NXDOMAIN with the CNAME"
	is "$(dsec authority alias.example.org MX)" "$NEG" \
		"$tr: CNAME to a name without the type: NODATA SOA"
	is "$(dstatus towild.example.org A)/$(dans towild.example.org A)" \
		"NOERROR/foo.wild.example.org. 300 IN A 192.0.2.40 | towild.example.org. 300 IN CNAME foo.wild.example.org." \
		"$tr: CNAME to a name a wildcard covers: the synthesised answer follows"
	is "$(dstatus todeleg.example.org A)/$(dans todeleg.example.org A)" \
		"NOERROR/todeleg.example.org. 300 IN CNAME host.sub.example.org." \
		"$tr: CNAME into a delegation: NOERROR with the CNAME"
	is "$(dsec authority todeleg.example.org A)" "sub.example.org. 300 IN NS ns.sub.example.org." \
		"$tr: CNAME into a delegation: the referral in authority"
	is "$(dstatus loop1.example.org A)/$(dans loop1.example.org A)" \
		"NOERROR/loop1.example.org. 300 IN CNAME loop2.example.org. | loop2.example.org. 300 IN CNAME loop1.example.org." \
		"$tr: CNAME loop: each CNAME once, then stop"
	is "$(dstatus tochild.example.org A)/$(dans tochild.example.org A)" \
		"NOERROR/tochild.example.org. 300 IN CNAME www.child.example.org." \
		"$tr: CNAME into another zone (even a child we serve): the CNAME only"
	is "$(dans www.child.example.org A)" "www.child.example.org. 300 IN A 192.0.2.70" \
		"$tr: a name in a child zone is answered from the child"
	like "$(dsec authority nosuch.child.example.org A)" '^child\.example\.org\. [0-9]+ IN SOA ' \
		"$tr: NXDOMAIN in the child zone carries the child's SOA"

	# --- wildcards (RFC 4592) -------------------------------------------
	is "$(dans x.wild.example.org A)" "x.wild.example.org. 300 IN A 192.0.2.40" \
		"$tr: wildcard synthesised with the query name as owner"
	is "$(dans x.y.wild.example.org TXT)" 'x.y.wild.example.org. 300 IN TXT "wild"' \
		"$tr: wildcard matches several labels"
	like "$(dflags x.wild.example.org A)" '(^| )aa( |$)' "$tr: wildcard answer is authoritative"
	is "$(dstatus x.wild.example.org MX)/$(dcount ANSWER x.wild.example.org MX)" NOERROR/0 \
		"$tr: wildcard without the type: NODATA"
	is "$(dstatus exists.wild.example.org TXT)/$(dcount ANSWER exists.wild.example.org TXT)" NOERROR/0 \
		"$tr: an existing name is not covered by the wildcard"
	is "$(dstatus sub1.exists.wild.example.org A)" NXDOMAIN \
		"$tr: below an existing name the wildcard does not apply"
	is "$(dstatus wild.example.org A)/$(dcount ANSWER wild.example.org A)" NOERROR/0 \
		"$tr: the wildcard's parent (empty non-terminal) is NODATA"
	is "$(dans '*.wild.example.org' A)" "*.wild.example.org. 300 IN A 192.0.2.40" \
		"$tr: the wildcard name itself"

	# --- ANY (RFC 8482) -------------------------------------------------
	any=$(dans example.org ANY)
	types=$(printf '%s' "$any" | tr '|' '\n' | awk 'NF { print $4 }' | sort -u | tr '\n' ' ')
	if [ -z "$DQ_TCP" ]; then
		is "$(printf '%s' "$types" | wc -w)" 1 "$tr: ANY over UDP answers one RRset"
	else
		is "$types" "MX NS SOA " "$tr: ANY over TCP answers every RRset"
	fi
	is "$(dstatus c.example.org ANY)/$(dcount ANSWER c.example.org ANY)" NOERROR/0 \
		"$tr: ANY at an empty non-terminal is NODATA"
	is "$(dstatus nosuch.example.org ANY)" NXDOMAIN "$tr: ANY at a missing name is NXDOMAIN"

	# --- delegation ------------------------------------------------------
	is "$(dsec authority host.sub.example.org A)" "sub.example.org. 300 IN NS ns.sub.example.org." \
		"$tr: referral below a delegation"
	is "$(dsec additional host.sub.example.org A)" "ns.sub.example.org. 300 IN A 192.0.2.50" \
		"$tr: referral carries glue"
	f=$(dflags host.sub.example.org A)
	unlike "$f" '(^| )aa( |$)' "$tr: referral is not authoritative"
	is "$(dcount ANSWER host.sub.example.org A)" 0 "$tr: referral has no answer"

	# --- outside the zones: REFUSED, no recursion ------------------------
	is "$(dstatus www.example.com A)" REFUSED "$tr: REFUSED for a name outside the zones"
	is "$(dstatus org SOA)" REFUSED "$tr: REFUSED for the parent of a zone"
	f=$(dflags +rec www.example.com A)
	unlike "$f" '(^| )(aa|ra)( |$)' "$tr: REFUSED with RD set: no AA, no RA"
	f=$(dflags +rec www.example.org A)
	like "$f" '(^| )rd( |$)' "$tr: RD is copied into the answer"
	unlike "$f" '(^| )ra( |$)' "$tr: RD set still gets no RA"
	is "$(dstatus -c CH version.bind TXT)" REFUSED "$tr: class CH is refused, not dropped"

	# --- size: TC over UDP, the whole answer over TCP --------------------
	if [ -z "$DQ_TCP" ]; then
		f=$(dflags +noedns mid.example.org TXT)
		like "$f" '(^| )tc( |$)' "$tr: 800-byte answer without EDNS: TC"
		is "$(dcount ANSWER +noedns mid.example.org TXT)" 0 "$tr: truncated answer is empty"
		f=$(dflags mid.example.org TXT)
		unlike "$f" '(^| )tc( |$)' "$tr: 800-byte answer with EDNS 1232: no TC"
		is "$(dcount ANSWER mid.example.org TXT)" 3 "$tr: 800-byte answer complete with EDNS"
		like "$(dflags big.example.org TXT)" '(^| )tc( |$)' "$tr: 1.5k answer over UDP: TC"
		like "$(dflags +bufsize=4096 big.example.org TXT)" '(^| )tc( |$)' \
			"$tr: UDP answers are capped at 1232 even when 4096 is offered"
	else
		is "$(dcount ANSWER +noedns mid.example.org TXT)" 3 "$tr: 800-byte answer without EDNS complete"
		is "$(dcount ANSWER big.example.org TXT)" 6 "$tr: 1.5k answer complete over TCP"
		unlike "$(dflags big.example.org TXT)" '(^| )tc( |$)' "$tr: no TC over TCP"
	fi
done

# --- every configured address answers ----------------------------------
out=$(dig @127.0.0.2 -p "$EXTRA_PORT" +norec +time=2 +tries=1 +short www.example.org A)
is "$out" 192.0.2.10 "a third dns-listen address answers over UDP"
out=$(dig @127.0.0.2 -p "$EXTRA_PORT" +norec +time=2 +tries=1 +tcp +short www.example.org A)
is "$out" 192.0.2.10 "a third dns-listen address answers over TCP"

check "the server is still running" kill -0 "$DZ_PID"
t_done
