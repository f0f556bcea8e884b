#!/usr/bin/env bash
# Side by side: a tinydns `data` file imported into dynzone, exported with
# `dynzone export cdb`, served by stock Debian tinydns (port 53 of a private
# network namespace this test creates) and by `dynzone serve` (same
# namespace, another port): both give the same rcode and answer records
# for a corpus of queries (A, AAAA, TXT, MX, NS, SOA, CNAME, NXDOMAIN,
# NODATA, wildcards, mixed case, the default location).
#
# Left out on purpose, where the two differ by design (README, "Running
# with djbdns"): empty non-terminals and names holding only wildcard
# records (tinydns: NXDOMAIN; dynzone: NODATA, RFC 4592), CNAME chasing
# (dynzone adds the target's records), records with a TTD or another
# location (dynzone does not serve them), names outside every zone
# (tinydns: no reply; dynzone: REFUSED), more than 8 A records (tinydns
# picks 8).
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

cd "$TMP" || exit 1
if ! command -v tinydns >/dev/null || ! command -v dig >/dev/null; then
	notok "needs stock tinydns and dig (tools/deps test)"
	t_done
	exit 1
fi

v6() { printf ':%s:28:\\040\\001\\015\\270\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\%03o:%s\n' "$1" "$2" "$3"; }
{
	cat <<'EOF'
.sbs.test:127.0.0.53:a:3600
&sbs.test::ns2.example.net:3600
+host.sbs.test:192.0.2.10:300
+host.sbs.test:192.0.2.11:300
'host.sbs.test:hello world:300
'host.sbs.test:second\072string:300
+v4only.sbs.test:192.0.2.12:300
+*.wild.sbs.test:192.0.2.20:60
+MiXeD.sbs.test:192.0.2.50:300
Calias.sbs.test:host.sbs.test:300
@sbs.test:192.0.2.25:mx:10:300
@sbs.test::mail.example.net.:20:300
'sbs.test:v=spf1 -all:300
%in:10
%ex
+loc.sbs.test:192.0.2.30:300::in
+loc.sbs.test:192.0.2.31:300::ex
+x.deep.sub.sbs.test:192.0.2.60:300
Zother.test:ns.other.test.:hostmaster.other.test.:7:3600:600:86400:120:900
&other.test::ns.other.test.:900
+ns.other.test:127.0.0.54:900
+www.other.test:192.0.2.70:900
EOF
	v6 host.sbs.test 1 300
	v6 v6only.sbs.test 2 300
	v6 '*.wild.sbs.test' 32 60
	v6 www.other.test 112 900
	for i in 1 2 3 4 5 6 7 8; do echo "+many.sbs.test:192.0.2.$((100 + i)):120"; done
} >data
touch -d @1700000000 data

mkdir -p root
dz_config sbs
dz import tinydns data >import.out 2>import.err
check "import tinydns" test $? -eq 0
dz export cdb root/data.cdb >/dev/null
check "export cdb" test -s root/data.cdb
td_start root || { notok "stock tinydns started"; t_done; exit 1; }
ok "stock tinydns started on 127.0.0.1:53 in a private network namespace"
dz_start || { notok "dynzone serve started"; t_done; exit 1; }
ok "dynzone serve started on port $DZ_PORT beside it"

queries=(
	"host.sbs.test A" "host.sbs.test AAAA" "host.sbs.test TXT" "host.sbs.test MX"
	"HoSt.SbS.TeSt A" "HOST.SBS.TEST AAAA" "host.SBS.test TXT"
	"v4only.sbs.test A" "v4only.sbs.test AAAA" "v6only.sbs.test AAAA" "v6only.sbs.test A"
	"nope.sbs.test A" "nope.sbs.test AAAA" "NoPe.sbs.test TXT" "x.host.sbs.test A"
	"foo.wild.sbs.test A" "foo.wild.sbs.test AAAA" "a.b.wild.sbs.test A" "FoO.WiLd.sbs.test AAAA"
	"foo.wild.sbs.test TXT" "foo.wild.sbs.test MX"
	"mixed.sbs.test A" "MIXED.SBS.TEST A" "mixed.sbs.test AAAA"
	"alias.sbs.test CNAME" "ALIAS.sbs.test CNAME"
	"sbs.test SOA" "sbs.test NS" "sbs.test MX" "sbs.test TXT" "Sbs.Test A"
	"a.ns.sbs.test A" "mx.mx.sbs.test A" "loc.sbs.test A" "many.sbs.test A"
	"x.deep.sub.sbs.test A" "x.deep.sub.sbs.test AAAA" "y.deep.sub.sbs.test A"
	"other.test SOA" "other.test NS" "www.other.test A" "WWW.Other.Test AAAA"
	"ns.other.test A" "missing.other.test A" "www.other.test TXT"
)
same=0 differ=() statuses=""
for qq in "${queries[@]}"; do
	set -- $qq
	a=$(td_ans 127.0.0.1 53 "$1" "$2")
	b=$(td_ans 127.0.0.1 "$DZ_PORT" "$1" "$2")
	statuses+="${a%% *} "
	if [ "$a" = "$b" ]; then
		same=$((same + 1))
	else
		differ+=("$qq: tinydns [$a] dynzone [$b]")
	fi
done
is "$same" "${#queries[@]}" "same rcode and answer records from both for ${#queries[@]} queries"
for d in "${differ[@]}"; do diag "$d"; done
[ -n "${TD_VERBOSE:-}" ] && for qq in "${queries[@]}"; do set -- $qq; diag "$qq: $(td_ans 127.0.0.1 "$DZ_PORT" "$1" "$2")"; done
# the corpus covers what it says, and tinydns really answered
like "$statuses" 'NXDOMAIN' "corpus has NXDOMAIN answers"
unlike "$statuses" 'NOREPLY' "tinydns answered every query"
like "$(td_ans 127.0.0.1 53 host.sbs.test MX)" '^NOERROR \| $' "corpus has NODATA answers"
like "$(td_ans 127.0.0.1 53 foo.wild.sbs.test A)" '^NOERROR \| foo\.wild\.sbs\.test\. 60 A 192\.0\.2\.20$' "wildcard: synthesized with the query name"
like "$(td_ans 127.0.0.1 "$DZ_PORT" HoSt.SbS.TeSt A)" '^NOERROR \| HoSt\.SbS\.TeSt\. 300 A 192\.0\.2\.10 \| HoSt\.SbS\.TeSt\. 300 A 192\.0\.2\.11$' \
	"mixed case: the owner echoes the query's case"
like "$(td_ans 127.0.0.1 53 v6only.sbs.test AAAA)" '2001:db8::2$' "AAAA from the generic type-28 record"
like "$(td_ans 127.0.0.1 "$DZ_PORT" loc.sbs.test A)" '^NOERROR \| loc\.sbs\.test\. 300 A 192\.0\.2\.31$' \
	"location: dynzone serves the default location's record"
like "$(td_ans 127.0.0.1 53 many.sbs.test A | tr '|' '\n' | grep -c ' A ')" '^8$' "8 A records at one name"

dz_stop

# The other set-up (README "Running with djbdns", 1): tinydns keeps the
# parent zone and delegates a subzone to dynzone on another address, port 53.
mkdir -p parent
cat >parent/data <<'EOF'
.example.org:127.0.0.1:a:259200
+www.example.org:192.0.2.80:300
&dyn.example.org:127.0.0.2:ns1.dyn.example.org:3600
EOF
(cd parent && tinydns-data) && mv parent/data.cdb root/data.cdb
dz_config beside
sed -i '/^dns-listen/d' "$DZ_CONF"
echo 'dns-listen = 127.0.0.2:53' >>"$DZ_CONF"
dz zone add dyn.example.org --ns ns1.dyn.example.org=127.0.0.2 >/dev/null
dz record add home.dyn.example.org A 192.0.2.44 --ttl 60
dz_start || { notok "dynzone serve on 127.0.0.2:53"; t_done; exit 1; }
ref=$(dig @127.0.0.1 +norec +notcp home.dyn.example.org A)
like "$(echo "$ref" | grep -A1 'AUTHORITY SECTION' | tail -1)" 'dyn\.example\.org\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+NS[[:space:]]+ns1\.dyn\.example\.org\.' \
	"beside: tinydns refers dyn.example.org to dynzone"
like "$(echo "$ref" | grep -A1 'ADDITIONAL SECTION' | tail -1)" 'ns1\.dyn\.example\.org\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.2' \
	"beside: with glue for dynzone's address"
unlike "$(echo "$ref" | grep 'flags:')" ' aa' "beside: the referral is not authoritative"
like "$(dig @127.0.0.2 +norec home.dyn.example.org A | grep -E 'flags:|^home' | tr '\n' ' ')" 'flags: qr aa.*home\.dyn\.example\.org\.[[:space:]]+60[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.44' \
	"beside: dynzone on the glue address answers, authoritative"
like "$(td_ans 127.0.0.1 53 www.example.org A)" '^NOERROR \| www\.example\.org\. 300 A 192\.0\.2\.80$' "beside: tinydns still serves the parent"
dz_stop
t_done
