#!/usr/bin/env bash
# zone add / zone list / zone del / record add / record del / record list:
# what they accept, what they refuse (bad type, bad value, name outside the
# zones, CNAME conflicts, duplicates) and that a change made while `serve`
# runs is answered within a second.
. "$(dirname "$0")/../lib.sh"

dz_config records

# fails MSG_REGEX NAME CMD...: CMD must exit non-zero with MSG on stderr.
fails() {
	local want=$1 name=$2 out rc; shift 2
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -Eq -- "$want"; then
		ok "$name"
	else
		notok "$name"; diag "exit $rc" "got:  $out" "want: /$want/"
	fi
}

# --- zone add -------------------------------------------------------------
out=$(dz zone add example.org --ns ns1.example.org=192.0.2.1 --ns ns2.example.net --ttl 1h); rc=$?
like "$rc/$out" '^0/zone example\.org\. added, serial [0-9]+$' "zone add: created, prints the serial"
fails 'exists already' "zone add: the same zone twice is refused" dz zone add example.org --ns ns1.example.net
fails 'give at least one --ns' "zone add: without --ns is refused" dz zone add other.test
fails "not an IPv4 or IPv6 address" "zone add: bad glue address refused" \
	dz zone add other.test --ns ns.other.test=300.1.2.3
fails "only allowed\) for a name server inside" "zone add: glue for an outside NS refused" \
	dz zone add other.test --ns ns.example.net=192.0.2.3
fails "not a valid zone name" "zone add: bad zone name refused" dz zone add 'bad..name' --ns ns.example.net
fails "is not a TTL" "zone add: bad --ttl refused" dz zone add other.test --ns ns.example.net --ttl soon
is "$(dz zone list | awk '{ print $1 }')" "example.org." "zone list: only the zone that was added"
like "$(dz zone list)" '^example\.org\. +serial [0-9]+ +3 records$' "zone list: serial and record count (NS x2, glue)"
like "$(dz record list example.org)" $'example\\.org\\.\t3600\tIN\tNS\tns1\\.example\\.org\\.' \
	"zone add: --ttl 1h applies to the NS records"

# --- record add: good -----------------------------------------------------
check "record add A" dz record add www.example.org A 192.0.2.10
check "record add in mixed case" dz record add Mixed.Example.ORG AAAA 2001:db8::1 --ttl 120
check "record add TXT with several words" dz record add txt.example.org TXT '"a b"' '"c"'
check "record add MX" dz record add example.org MX 10 mail.example.org.
check "record add CNAME" dz record add alias.example.org CNAME www.example.org.
check "record add with the name written with a trailing dot" dz record add dot.example.org. A 192.0.2.11
check "record add in RFC 3597 form" dz record add gen.example.org TYPE65000 '\#' 2 abcd
list=$(dz record list example.org)
like "$list" $'\nmixed\\.example\\.org\\.\t120\tIN\tAAAA\t2001:db8::1' "record list: owner lowercased, --ttl kept"
like "$list" $'\ntxt\\.example\\.org\\.\t3600\tIN\tTXT\t"a b" "c"' "record list: TXT strings as given, default TTL 3600"
like "$list" $'\ngen\\.example\\.org\\.\t3600\tIN\tTYPE65000\t\\\\# 2 abcd' "record list: unknown type in RFC 3597 form"

# --- record add: refused --------------------------------------------------
fails "'FOO' is not a record type" "record add: unknown type refused" dz record add x.example.org FOO 1
fails "'OPT' is not a record type that can be stored" "record add: meta type refused" dz record add x.example.org OPT 1
fails "SOA is part of the zone" "record add: SOA refused" dz record add x.example.org SOA a. b. 1 2 3 4 5
fails "bad IPv4 address" "record add: bad A value refused" dz record add x.example.org A 300.1.1.1
fails "bad IPv6 address" "record add: bad AAAA value refused" dz record add x.example.org AAAA 192.0.2.1
fails "MX" "record add: MX without preference refused" dz record add x.example.org MX mail.example.org.
fails "longer than 255" "record add: TXT string over 255 bytes refused" \
	dz record add x.example.org TXT "\"$(head -c 300 /dev/zero | tr '\0' a)\""
fails "SRV" "record add: SRV without target refused" dz record add x.example.org SRV 1 2 3
fails "CAA" "record add: CAA without value refused" dz record add x.example.org CAA 0 issue
fails "missing arguments" "record add: no value refused" dz record add x.example.org A
fails "not a valid name" "record add: bad name refused" dz record add 'x..example.org' A 192.0.2.1
fails "is not a TTL" "record add: bad --ttl refused" dz record add x.example.org A 192.0.2.1 --ttl soon
fails "www\.example\.com is not in any zone" "record add: name outside the zones refused" \
	dz record add www.example.com A 192.0.2.1
fails "xexample\.org is not in any zone" "record add: a name that only ends like the zone is outside" \
	dz record add xexample.org A 192.0.2.1
fails "exists already" "record add: the same record twice refused" dz record add www.example.org A 192.0.2.10
fails "a CNAME cannot stand beside other records" "record add: CNAME beside an A refused" \
	dz record add www.example.org CNAME other.example.org.
fails "has a CNAME, which cannot have other records" "record add: A beside a CNAME refused" \
	dz record add alias.example.org A 192.0.2.1
fails "has a CNAME already" "record add: a second CNAME refused" \
	dz record add alias.example.org CNAME mail.example.org.
fails "CNAME" "record add: CNAME at the apex refused" dz record add example.org CNAME www.example.org.
unlike "$(dz record list example.org)" '(x|xexample)\.example\.org|other\.example\.org' \
	"no refused record was stored"

# --- record del -------------------------------------------------------------
dz record add multi.example.org A 192.0.2.21 && dz record add multi.example.org A 192.0.2.22 &&
	dz record add multi.example.org TXT '"t"'
is "$(dz record del multi.example.org A 192.0.2.21)" "1 record deleted" "record del NAME TYPE VALUE: one record"
is "$(dz record del multi.example.org A)" "1 record deleted" "record del NAME TYPE: the rest of the type"
is "$(dz record list example.org | grep -c '^multi\.')" 1 "record del left the other type"
is "$(dz record del multi.example.org)" "1 record deleted" "record del NAME: everything at the name"
fails "no such record" "record del of nothing: error" dz record del multi.example.org
fails "not in any zone" "record del outside the zones: error" dz record del www.example.com
fails "bad IPv4 address" "record del with a bad value: error" dz record del www.example.org A 1.2.3

# --- changes while serving are answered within a second -----------------------
dz_start || notok "serve starts"
use udp4
wait_for 192.0.2.10 3000 dq +short www.example.org A
check "serve answers the records added before it started" test "$(dq +short www.example.org A)" = 192.0.2.10

dz record add live.example.org A 192.0.2.77
if wait_for 192.0.2.77 1000 dq +short live.example.org A; then
	ok "record add while serving: answered within a second (${WAITED} ms)"
else
	notok "record add while serving: answered within a second"
fi
dz record add live.example.org AAAA 2001:db8::77 --ttl 60
if wait_for "live.example.org. 60 IN AAAA 2001:db8::77" 1000 dans live.example.org AAAA; then
	ok "second type at the name while serving: answered within a second (${WAITED} ms)"
else
	notok "second type at the name while serving: answered within a second"
fi
dz record del live.example.org A >/dev/null
if wait_for "NOERROR/0" 1000 eval 'echo "$(dstatus live.example.org A)/$(dcount ANSWER live.example.org A)"'; then
	ok "record del of a type while serving: NODATA within a second (${WAITED} ms)"
else
	notok "record del of a type while serving: NODATA within a second"
fi
dz record del live.example.org >/dev/null
if wait_for NXDOMAIN 1000 dstatus live.example.org AAAA; then
	ok "record del of a name while serving: NXDOMAIN within a second (${WAITED} ms)"
else
	notok "record del of a name while serving: NXDOMAIN within a second"
fi
dz zone add late.test --ns ns.late.test=192.0.2.99 >/dev/null
if wait_for 192.0.2.99 1000 dq +short ns.late.test A; then
	ok "zone add while serving: the new zone answered within a second (${WAITED} ms)"
else
	notok "zone add while serving: the new zone answered within a second"
fi
is "$(dq +short late.test NS)" "ns.late.test." "the new zone has its NS"
old=$(dq +short example.org SOA | awk '{ print $3 }')
dz record add serial.example.org A 192.0.2.5
if wait_for 192.0.2.5 1000 dq +short serial.example.org A; then ok "one more change served"; else notok "one more change served"; fi
new=$(dq +short example.org SOA | awk '{ print $3 }')
check "the served SOA serial grows with a change ($old -> $new)" test "$new" -gt "$old"
is "$(dz zone del late.test)" "zone late.test. deleted" "zone del"
if wait_for REFUSED 1000 dstatus ns.late.test A; then
	ok "zone del while serving: REFUSED within a second (${WAITED} ms)"
else
	notok "zone del while serving: REFUSED within a second"
fi
fails "no zone late.test" "zone del of a missing zone: error" dz zone del late.test
is "$(dz zone list | awk '{ print $1 }')" "example.org." "zone list after zone del"
check "the server is still running" kill -0 "$DZ_PID"
dz_stop
t_done
