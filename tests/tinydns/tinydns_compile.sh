#!/usr/bin/env bash
# proto/tinydns + src/cdbout against stock tinydns-data (Debian 12 djbdns):
# the same `data` file, using every line type, must compile to a
# byte-identical data.cdb; stock tinydns-get must answer the same from both;
# the renderer's lines must compile back to the same file; bad lines must be
# refused by both, with the line number, leaving no partial output.
. "$(dirname "$0")/../lib.sh"

TDC=${DZ_BUILD:?DZ_BUILD must point at the build directory}/tests/tdcompile
MTIME=1700000000
cd "$TMP" || exit 1

if ! command -v tinydns-data >/dev/null || ! command -v cdb >/dev/null || [ ! -x "$TDC" ]; then
	notok "tinydns-data, cdb and $TDC are needed (tools/deps test installs them)"
	t_done
	exit 1
fi

mkdir -p ref mine
td_data_all >ref/data
cp ref/data mine/data
touch -d "@$MTIME" ref/data mine/data

# every leading character tinydns-data takes is used
leads=$(cut -c1 ref/data | sort -u | tr -d '\n')
for c in . '&' = + @ "'" '^' C Z : S % - '#'; do
	[[ $leads == *"$c"* ]] || notok "data file lacks a '$c' line"
done

(cd ref && tinydns-data) 2>ref/err
check "stock tinydns-data compiles the data file" test -s ref/data.cdb
"$TDC" mine/data mine/data.cdb 2>mine/err
check "tdcompile compiles the data file" test -s mine/data.cdb
check "data.cdb byte-identical to tinydns-data's (mtime serial)" cmp ref/data.cdb mine/data.cdb
cdb -d ref/data.cdb >ref/dump
cdb -d mine/data.cdb >mine/dump
check "cdb -d dumps equal" cmp ref/dump mine/dump
check "sorted cdb -d dumps equal" cmp <(sort ref/dump) <(sort mine/dump)
records=$(cdb -s ref/data.cdb | sed -n 's/^number of records: *//p')
like "$records" '^[0-9]{2,}$' "dump has many records ($records)"
is "$(stat -c %a mine/data.cdb)" 644 "data.cdb mode 0644"
is "$(ls mine | tr '\n' ' ')" "data data.cdb dump err " "no temp file left"

# explicit MTIME equals the file's mtime; another MTIME changes only serials
"$TDC" mine/data mine/explicit.cdb "$MTIME"
check "explicit MTIME gives the same file" cmp ref/data.cdb mine/explicit.cdb
"$TDC" mine/data mine/other.cdb 1800000000
if cmp -s ref/data.cdb mine/other.cdb; then notok "another MTIME changes the SOA serial"; else ok "another MTIME changes the SOA serial"; fi
touch -d @1800000000 ref/data
(cd ref && tinydns-data && cmp -s data.cdb ../mine/other.cdb)
check "... exactly as tinydns-data does for that mtime" test $? -eq 0
touch -d "@$MTIME" ref/data
(cd ref && tinydns-data)

# stock tinydns-get answers the same from both files
queries=(
	"a host.dyn.example.test" "aaaa host.dyn.example.test" "txt host.dyn.example.test"
	"soa dyn.example.test" "ns dyn.example.test" "mx dyn.example.test" "any host.dyn.example.test"
	"any dyn.example.test" "a nope.dyn.example.test" "mx host.dyn.example.test"
	"a HoSt.DYN.example.TEST" "a foo.wild.dyn.example.test" "aaaa a.b.wild.dyn.example.test"
	"txt foo.wild.dyn.example.test" "a wild.dyn.example.test" "a alias.dyn.example.test"
	"a x.child.dyn.example.test" "ns child.dyn.example.test" "a sub.dyn.example.test"
	"a loc.dyn.example.test 127.0.0.1" "a loc.dyn.example.test 127.1.2.3" "a loc.dyn.example.test 10.1.2.3"
	"a q.lw.dyn.example.test 127.0.0.9" "a q.lw.dyn.example.test 8.8.8.8" "txt lw.dyn.example.test 8.8.8.8"
	"a ttd.dyn.example.test" "a soon.dyn.example.test" "a later.dyn.example.test" "a gone.dyn.example.test"
	"txt long.dyn.example.test" "txt esc.dyn.example.test" "txt empty.dyn.example.test"
	"a rev.dyn.example.test" "33 _sip._udp.dyn.example.test" "33 _xmpp._tcp.dyn.example.test"
	"a sip.srv._sip._udp.dyn.example.test" "99 spf.dyn.example.test" "257 caa.dyn.example.test"
	"a wrap.dyn.example.test" "aaaa odd.dyn.example.test" "a x.dyn.example.test" "a mixed.dyn.example.test"
	"soa static.test" "a ns.static.test" "soa defaults.test" "soa zero.test" "ns dflt.test"
	"a ns.dflt.test" "a removed.dyn.example.test" "a trail.dyn.example.test" "a crlf.dyn.example.test"
	"a last.dyn.example.test" "a fields.dyn.example.test" "a www.example.org"
)
same=0 differ=()
for qq in "${queries[@]}"; do
	# A answers are shuffled by tinydns: compare sorted lines
	a=$(cd ref && tinydns-get $qq 2>&1 | sort)
	b=$(cd mine && tinydns-get $qq 2>&1 | sort)
	if [ "$a" = "$b" ]; then same=$((same + 1)); else differ+=("$qq"); fi
done
is "$same" "${#queries[@]}" "tinydns-get answers the same from both for ${#queries[@]} queries"
[ ${#differ[@]} -eq 0 ] || diag "differ: ${differ[*]}"
ans=$(cd mine && tinydns-get a host.dyn.example.test)
like "$ans" 'answer: host\.dyn\.example\.test 300 A 192\.0\.2\.10' "served: A from our file"
ans=$(cd mine && tinydns-get 33 _sip._udp.dyn.example.test)
# tinydns-get prints SRV raw: priority 10 (\000\012), weight 20 (\000\024), port 5060 (\023\304)
like "$ans" 'answer: _sip\._udp\.dyn\.example\.test 300 33 \\000\\012\\000\\024\\023\\304\\003sip\\003srv\\004_sip' "served: SRV priority 10 weight 20 port 5060"
ans=$(cd mine && tinydns-get a loc.dyn.example.test 127.0.0.1)
like "$ans" '192\.0\.2\.30' "served: location in"
unlike "$ans" '192\.0\.2\.31' "served: not location ex"
ans=$(cd mine && tinydns-get a gone.dyn.example.test)
like "$ans" 'nxdomain' "served: expired TTD is gone"
ans=$(cd mine && tinydns-get soa dyn.example.test)
like "$ans" "hostmaster\.dyn\.example\.test $MTIME 16384 2048 1048576 2560" "served: SOA serial from the mtime"

# the renderer: one line per record, compiled by tinydns-data, same file
mkdir -p rend
"$TDC" --render mine/data >rend/data 2>rend/err
check "renderer writes every record" test -s rend/data
is "$(wc -l <rend/data)" "$records" "one rendered line per cdb record"
like "$(cat rend/data)" '^\+host\.dyn\.example\.test:192\.0\.2\.10:300$' "rendered A line"
like "$(cat rend/data)" "^Zdyn\.example\.test:a\.ns\.dyn\.example\.test\.:hostmaster\.dyn\.example\.test\.:$MTIME:16384:2048:1048576:2560:2560\$" "rendered SOA of a . line as Z"
like "$(cat rend/data)" '^S_sip\._udp\.dyn\.example\.test::sip\.srv\._sip\._udp\.dyn\.example\.test\.:5060:10:20:300$' "rendered S line"
like "$(cat rend/data)" '^%in:127\.0\.0$' "rendered % line"
(cd rend && tinydns-data) 2>>rend/err
check "tinydns-data compiles the rendered lines" test -s rend/data.cdb
check "rendered lines compile to the identical data.cdb" cmp ref/data.cdb rend/data.cdb
"$TDC" rend/data rend/mine.cdb
check "tdcompile of the rendered lines: identical too" cmp ref/data.cdb rend/mine.cdb

# refused lines: both refuse; ours names the line and leaves nothing behind
label64=$(head -c 64 /dev/zero | tr '\0' a)
bad=(
	"6host.dyn.example.test:20010db8000000000000000000000001"
	"3host.dyn.example.test:20010db8000000000000000000000001"
	":x.dyn.example.test:2:\\003foo\\000"
	":x.dyn.example.test:252:x"
	":x.dyn.example.test::x"
	"+$label64.dyn.example.test:192.0.2.1"
	"Ss.dyn.example.test::sip.dyn.example.test.:"
)
mkdir -p bad
cp mine/data.cdb bad/before.cdb
for b in "${bad[@]}"; do
	printf '+ok.test:192.0.2.1\n# two\n%s\n+after.test:192.0.2.2\n' "$b" >bad/data
	(cd bad && rm -f data.tmp && tinydns-data) 2>/dev/null
	rc_ref=$?
	cp bad/before.cdb bad/data.cdb
	err=$("$TDC" bad/data bad/data.cdb 2>&1)
	rc=$?
	if [ "$rc_ref" -ne 0 ] && [ "$rc" -ne 0 ] && [[ $err == *"bad/data:3:"* ]]; then
		ok "refused like tinydns-data, line 3 named: ${b:0:24}... ($err)"
	else
		notok "refused like tinydns-data, line 3 named: ${b:0:24}..."
		diag "tinydns-data rc $rc_ref, tdcompile rc $rc: $err"
	fi
	check "old data.cdb untouched after refusing ${b:0:12}" cmp bad/before.cdb bad/data.cdb
	left=$(find bad -name 'data.cdb.tmp*' | wc -l)
	is "$left" 0 "no temp file left after refusing ${b:0:12}"
done
check "tdcompile fails on a missing data file" bash -c "! '$TDC' bad/nope bad/x.cdb 2>/dev/null"
check "tdcompile fails when the output directory is missing" bash -c "! '$TDC' mine/data no/such/x.cdb 2>/dev/null"

t_done
