#!/usr/bin/env bash
# `dynzone import zone`: a realistic RFC 1035 master file ($ORIGIN, $TTL,
# relative names, @, blank owners, parentheses, comments, every type the
# server answers) is imported and every record is then answered; a file with
# bad lines is refused with each line number and nothing is imported;
# re-imports, --origin, and an import while serving.
. "$(dirname "$0")/../lib.sh"

dz_config import
cd "$TMP" || exit 1

cat >example.net.zone <<'EOF'
; example.net, as a registrar would hand it over
$ORIGIN example.net.
$TTL 1h
@	IN	SOA	ns1 hostmaster (
		2024010101 ; serial
		7200       ; refresh
		900        ; retry
		1209600    ; expire
		300 )      ; minimum
	IN	NS	ns1
	IN	NS	ns2.example.com.
	IN	MX	10 mail
	IN	MX	20 mail.backup.example.com.
	IN	TXT	"v=spf1 mx -all"
	IN	CAA	0 issue "letsencrypt.org"
ns1	IN	A	192.0.2.1
	IN	AAAA	2001:db8::1
mail	300	IN	A	192.0.2.25
www	IN	A	192.0.2.80
www	IN	AAAA	2001:db8::80
ftp	IN	CNAME	www
_sip._tcp	IN	SRV	10 60 5060 sip
sip	IN	A	192.0.2.50
long	IN	TXT	( "first part "
		"second part" )   ; one record over two lines
esc	TXT	"quote \" and semicolon ; inside"
*.users	IN	A	192.0.2.99
unknown	IN	TYPE65432	\# 3 010203
	IN 60 A	192.0.2.81 ; class before TTL, blank owner: still "unknown"
$ORIGIN dept.example.net.
host	IN	A	192.0.2.100
$TTL 600
printer	A	192.0.2.101
printer.dept.example.net. AAAA 2001:db8::101
EOF

cat >2.0.192.in-addr.arpa.zone <<'EOF'
$TTL 86400
@ SOA ns1.example.net. hostmaster.example.net. 7 7200 900 1209600 300
  NS ns1.example.net.
80 PTR www.example.net.
1  PTR ns1.example.net.
EOF

out=$(dz import zone example.net.zone 2>&1); rc=$?
like "$rc/$out" '^0/example\.net\.zone: 22 records imported in [0-9.]+ s$' "import zone: 22 records reported"
out=$(dz import zone 2.0.192.in-addr.arpa.zone --origin 2.0.192.in-addr.arpa 2>&1); rc=$?
like "$rc/$out" '^0/.*: 3 records imported' "import zone --origin for a file without \$ORIGIN"
like "$(dz zone list)" 'example\.net\. +serial 2024010102 +22 records' \
	"zone list: the file's serial (bumped once by the import) and 22 records"

dz_start || notok "serve starts"
SOA="example.net. 3600 IN SOA ns1.example.net. hostmaster.example.net. 2024010102 7200 900 1209600 300"
for tr in udp4 tcp6; do
	use "$tr"
	# name type | the whole answer section (sorted, " | " between records)
	while IFS='|' read -r q want; do
		q=${q% }; want=${want# }
		is "$(dans $q)" "$want" "$tr: imported: $q"
	done <<EOF
example.net SOA | $SOA
example.net NS | example.net. 3600 IN NS ns1.example.net. | example.net. 3600 IN NS ns2.example.com.
example.net MX | example.net. 3600 IN MX 10 mail.example.net. | example.net. 3600 IN MX 20 mail.backup.example.com.
example.net TXT | example.net. 3600 IN TXT "v=spf1 mx -all"
example.net CAA | example.net. 3600 IN CAA 0 issue "letsencrypt.org"
ns1.example.net A | ns1.example.net. 3600 IN A 192.0.2.1
ns1.example.net AAAA | ns1.example.net. 3600 IN AAAA 2001:db8::1
mail.example.net A | mail.example.net. 300 IN A 192.0.2.25
www.example.net A | www.example.net. 3600 IN A 192.0.2.80
www.example.net AAAA | www.example.net. 3600 IN AAAA 2001:db8::80
ftp.example.net A | ftp.example.net. 3600 IN CNAME www.example.net. | www.example.net. 3600 IN A 192.0.2.80
_sip._tcp.example.net SRV | _sip._tcp.example.net. 3600 IN SRV 10 60 5060 sip.example.net.
sip.example.net A | sip.example.net. 3600 IN A 192.0.2.50
long.example.net TXT | long.example.net. 3600 IN TXT "first part " "second part"
esc.example.net TXT | esc.example.net. 3600 IN TXT "quote \" and semicolon ; inside"
anyone.users.example.net A | anyone.users.example.net. 3600 IN A 192.0.2.99
unknown.example.net TYPE65432 | unknown.example.net. 3600 IN TYPE65432 \# 3 010203
unknown.example.net A | unknown.example.net. 60 IN A 192.0.2.81
host.dept.example.net A | host.dept.example.net. 3600 IN A 192.0.2.100
printer.dept.example.net A | printer.dept.example.net. 600 IN A 192.0.2.101
printer.dept.example.net AAAA | printer.dept.example.net. 600 IN AAAA 2001:db8::101
80.2.0.192.in-addr.arpa PTR | 80.2.0.192.in-addr.arpa. 86400 IN PTR www.example.net.
1.2.0.192.in-addr.arpa PTR | 1.2.0.192.in-addr.arpa. 86400 IN PTR ns1.example.net.
EOF
	is "$(dstatus dept.example.net A)/$(dcount ANSWER dept.example.net A)" NOERROR/0 \
		"$tr: imported: dept.example.net is an empty non-terminal"
	is "$(dsec additional example.net NS)" \
		"ns1.example.net. 3600 IN A 192.0.2.1 | ns1.example.net. 3600 IN AAAA 2001:db8::1" \
		"$tr: imported: glue for the in-zone NS"
	is "$(dsec authority nosuch.example.net A)" \
		"example.net. 300 IN SOA ns1.example.net. hostmaster.example.net. 2024010102 7200 900 1209600 300" \
		"$tr: imported: negative TTL from the SOA minimum"
done
use udp4

# --- the same file again: nothing new, nothing lost, serial still grows -------
dz record add extra.example.net A 192.0.2.201 && dz record del extra.example.net >/dev/null
before=$(dz zone list | awk '$1 == "example.net." { print $3 }')
out=$(dz import zone example.net.zone 2>&1); rc=$?
after=$(dz zone list | awk '$1 == "example.net." { print $3 }')
check "import of an older serial: the zone's serial still grows ($before -> $after)" \
	test "$after" -gt "$before"
like "$rc/$out" '^0/example\.net\.zone: 0 records imported, 22 already present' \
	"import of the same file again: 22 already present"
like "$(dz zone list)" 'example\.net\. +22 records|example\.net\. +serial [0-9]+ +22 records' \
	"import again: still 22 records"

# --- record list is a zone file that imports back to the same records -------
dz record list example.net >dump.zone
out=$("$DYNZONE" --db="$TMP/copy.db" import zone dump.zone 2>&1); rc=$?
like "$rc/$out" '^0/dump\.zone: 22 records imported' "record list output imports into a new store"
is "$("$DYNZONE" --db="$TMP/copy.db" record list example.net | tail -n +2 | sort)" \
	"$(tail -n +2 dump.zone | sort)" "the copy lists the same records"

# --- a file with bad lines: every one reported, nothing imported --------------
cat >bad.zone <<'EOF'
$ORIGIN bad.test.
$TTL 1h
@ SOA ns1 hostmaster 1 2 3 4 5
  NS ns1
ns1 A 192.0.2.1
a A 300.1.2.3
b AAAA nonsense
c MX mail
d FROB 1
$INCLUDE other.zone
e.other.test. A 192.0.2.1
f CH A 192.0.2.3
g A 192.0.2.4
h TXT "unterminated
EOF
out=$(dz import zone bad.zone 2>&1); rc=$?
check "bad file: non-zero exit" test "$rc" -ne 0
for want in "bad.zone:6: bad IPv4 address" "bad.zone:7: bad IPv6 address" "bad.zone:8: .*MX" \
	"bad.zone:9: .*FROB" "bad.zone:10: .*INCLUDE" "bad.zone:11: e.other.test. is not inside any zone" \
	"bad.zone:12: " "bad.zone:14: .*unterminated"; do
	like "$out" "^$want" "bad file: reports ${want%%: *}"
done
unlike "$out" "bad.zone:(1|2|3|4|5|13):" "bad file: good lines are not reported"
like "$out" "nothing was imported" "bad file: says nothing was imported"
unlike "$(dz zone list)" 'bad\.test' "bad file: the zone was not created"
is "$(dstatus ns1.bad.test A)" REFUSED "bad file: nothing of it is served"

# the CNAME rules of record add hold for imports too
cat >cname.zone <<'EOF'
$ORIGIN cn.test.
$TTL 300
@ SOA ns1 hm 1 2 3 4 5
  NS ns1
ns1 A 192.0.2.1
a A 192.0.2.2
a CNAME ns1
b CNAME ns1
b TXT "x"
c CNAME ns1
c CNAME a
d CNAME ns1
d CNAME ns1
@ CNAME ns1
EOF
out=$(dz import zone cname.zone 2>&1); rc=$?
check "CNAME conflicts: non-zero exit" test "$rc" -ne 0
like "$out" "^cname.zone:7: a.cn.test.: a CNAME cannot stand beside" "CNAME after an A at the name: line 7"
like "$out" "^cname.zone:9: b.cn.test.: the name has a CNAME" "TXT after a CNAME at the name: line 9"
like "$out" "^cname.zone:11: c.cn.test.: a second CNAME" "a second CNAME at the name: line 11"
like "$out" "^cname.zone:14: cn.test.: a CNAME cannot stand beside" "CNAME at the apex: line 14"
unlike "$out" "cname.zone:1[23]:" "the same CNAME twice is a duplicate, not a conflict"
unlike "$(dz zone list)" 'cn\.test' "CNAME conflicts: nothing imported"

cat >noorigin.zone <<'EOF'
www A 192.0.2.1
EOF
out=$(dz import zone noorigin.zone 2>&1); rc=$?
like "$rc/$out" '^[1-9]/.*noorigin\.zone:1: ' "relative name without \$ORIGIN or --origin: line 1 reported"
out=$(dz import zone /nonexistent.zone 2>&1); rc=$?
like "$rc/$out" '^[1-9]/dynzone: /nonexistent\.zone: No such file' "missing file: error"

# --- an import while serving is answered within a second ----------------------
cat >late.zone <<'EOF'
$ORIGIN late.example.
@ 300 SOA ns.late.example. hm.late.example. 1 3600 600 86400 60
  300 NS ns
ns 300 A 192.0.2.111
added 300 A 192.0.2.112
EOF
dz import zone late.zone >/dev/null
if wait_for 192.0.2.112 1000 dq +short added.late.example A; then
	ok "import while serving: a new zone answered within a second (${WAITED} ms)"
else
	notok "import while serving: a new zone answered within a second"
fi
printf '$ORIGIN example.net.\nnew 60 A 192.0.2.200\n' >more.zone
dz import zone more.zone >/dev/null
if wait_for 192.0.2.200 1000 dq +short new.example.net A; then
	ok "import into an existing zone while serving: answered within a second (${WAITED} ms)"
else
	notok "import into an existing zone while serving: answered within a second"
fi
is "$(dq +short www.example.net A)" 192.0.2.80 "the zone's other records are still served"
check "the server is still running" kill -0 "$DZ_PID"
t_done
