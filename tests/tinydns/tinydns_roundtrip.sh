#!/usr/bin/env bash
# `dynzone import tinydns` + `dynzone export cdb` against stock tinydns-data:
# a `data` file using every line type, imported and exported, gives exactly
# the records tinydns-data compiles from it (sorted `cdb -d` dumps), SOA
# serials by tinydns-data's rule; --merge adds a data file's records to the
# store's; bad lines are named and nothing is imported; a failed export
# leaves the old file and no temporary file.
. "$(dirname "$0")/../lib.sh"

MTIME=1700000000
cd "$TMP" || exit 1
if ! command -v tinydns-data >/dev/null || ! command -v cdb >/dev/null ||
   ! command -v tinydns-get >/dev/null; then
	notok "tinydns-data, tinydns-get and cdb are needed (tools/deps test installs them)"
	t_done
	exit 1
fi

dump() { td_dump "$1"; }
# compile DIR: tinydns-data in DIR (its data file, its mtime)
compile() { (cd "$1" && tinydns-data); }

# -- record for record ---------------------------------------------------------
mkdir -p ref
td_data_all >ref/data
touch -d "@$MTIME" ref/data
compile ref
dz_config rt
out=$(dz import tinydns ref/data 2>import.err)
check "import tinydns of a file with every line type succeeds" test $? -eq 0
like "$out" '5 zones \(5 new\), [0-9]+ records served' "import summary: 5 zones, records served ($out)"
like "$(cat import.err)" '^ref/data:27: note: 77\.2\.0\.192\.in-addr\.arpa\. is in no zone: kept for the CDB export only' \
	"a name in no zone is named with its line number"
like "$(cat import.err)" 'ref/data:44: note: odd\.dyn\.example\.test\. AAAA is malformed' \
	"a malformed AAAA (2 bytes) is named with its line number"
dz export cdb mine.cdb >export.out
check "export cdb succeeds" test $? -eq 0
n=$(td_nrec ref/data.cdb)
check "export == tinydns-data: equal sorted cdb -d dumps ($n records)" cmp <(dump ref/data.cdb) <(dump mine.cdb)
like "$(cat export.out)" "^mine\.cdb: $n records" "export reports the record count ($n)"
is "$(stat -c %a mine.cdb)" 644 "exported data.cdb has mode 0644"
zl=$(dz zone list)
like "$zl" "dyn\.example\.test\. +serial $MTIME " "'.' line: SOA serial is the data file's mtime"
like "$zl" "static\.test\. +serial 2024010101 " "'Z' line: its own serial"
like "$zl" "defaults\.test\. +serial $MTIME " "'Z' line without a serial: the mtime"
soa=$(cd ref && cp ../mine.cdb data.cdb && tinydns-get soa dyn.example.test)
like "$soa" "a\.ns\.dyn\.example\.test hostmaster\.dyn\.example\.test $MTIME 16384 2048 1048576 2560" \
	"stock tinydns-get reads the exported SOA"
compile ref

# importing the same file again adds nothing
out=$(dz import tinydns ref/data 2>/dev/null)
like "$out" ' 0 records served, 0 kept .* [1-9][0-9]* duplicates skipped' "a second import adds nothing ($out)"
dz export cdb mine2.cdb >/dev/null
check "... and the export is unchanged" cmp <(dump ref/data.cdb) <(dump mine2.cdb)

# another mtime: serials follow it, exactly as tinydns-data's do
mkdir -p ref2
cp ref/data ref2/data
touch -d @1800000000 ref2/data
compile ref2
dz_config rt2
dz import tinydns ref2/data >/dev/null 2>&1
dz export cdb mine3.cdb >/dev/null
check "another mtime: export == tinydns-data again" cmp <(dump ref2/data.cdb) <(dump mine3.cdb)
if cmp -s <(dump ref/data.cdb) <(dump mine3.cdb); then
	notok "... and the serials differ from the first file's"
else
	ok "... and the serials differ from the first file's"
fi

# a serial of 1 (the bump's edge) and a zone that already exists
dz_config rt3
dz zone add edge.test --ns ns1.edge.test=192.0.2.1 >/dev/null
mkdir -p ref3
printf 'Zedge.test:ns1.edge.test.:hm.edge.test.:1:2:3:4:5:6\n&edge.test::ns1.edge.test.:7\n+ns1.edge.test:192.0.2.1:7\n' >ref3/data
dz import tinydns ref3/data >/dev/null 2>&1
like "$(dz zone list)" 'edge\.test\. +serial 1 ' "an existing zone takes the file's SOA, serial 1 kept"

# records dynzone does not serve (CNAME conflicts, second SOAs) still round-trip
mkdir -p ref4
cat >ref4/data <<'EOF'
.c.test::a:3600
.c.test::b:3600
Cc.test:x.c.test:60
Cx.c.test:y.c.test:60
+x.c.test:192.0.2.9:60
+y.c.test:192.0.2.9:60
Cy.c.test:x.c.test:60
Cy.c.test:z.c.test:60
EOF
touch -d "@$MTIME" ref4/data
compile ref4
dz_config rt4
err=$(dz import tinydns ref4/data 2>&1)
like "$err" 'ref4/data:5: note: x\.c\.test\.: a CNAME cannot stand beside other records' "a CNAME conflict is named"
dz export cdb mine4.cdb >/dev/null
check "CNAME conflicts and a second SOA: export == tinydns-data" cmp <(dump ref4/data.cdb) <(dump mine4.cdb)

# -- merge ------------------------------------------------------------------
dz_config merge
dz zone add dyn2.example.test --ns ns1.dyn2.example.test=192.0.2.1 --ns ns2.example.net >/dev/null
dz record add host.dyn2.example.test AAAA 2001:db8::5 --ttl 120
dz record add host.dyn2.example.test A 192.0.2.5 --ttl 120
dz record add '*.w.dyn2.example.test' A 192.0.2.9 --ttl 60
dz record add t.dyn2.example.test TXT '"hello"'
dz export cdb store.cdb >/dev/null
dz export cdb merged.cdb --merge ref/data >merge.out
check "export --merge succeeds" test $? -eq 0
check "merged = the store's records + tinydns-data's, record for record" \
	cmp <(cat <(dump store.cdb) <(dump ref/data.cdb) | sort) <(dump merged.cdb)
like "$(cat merge.out)" " $n from merge files" "the merge file's $n records are counted"
mkdir -p get
cp merged.cdb get/data.cdb
g() { (cd get && tinydns-get "$@"); }
like "$(g aaaa host.dyn2.example.test)" 'answer: host\.dyn2\.example\.test 120 28 \\040\\001\\015\\270(\\000){11}\\005' \
	"tinydns-get: a stored AAAA is a type-28 record of 16 bytes"
like "$(g soa dyn2.example.test)" 'answer: dyn2\.example\.test 3600 SOA ns1\.dyn2\.example\.test hostmaster\.dyn2\.example\.test' \
	"tinydns-get: the store's zone has its SOA"
ans=$(g a host.dyn2.example.test)
like "$ans" 'authority: dyn2\.example\.test 3600 NS ns1\.dyn2\.example\.test' "... and NS at the apex"
like "$ans" 'additional: ns1\.dyn2\.example\.test 3600 A 192\.0\.2\.1' "... and glue for the in-zone name server"
like "$(g a x.y.w.dyn2.example.test)" 'answer: x\.y\.w\.dyn2\.example\.test 60 A 192\.0\.2\.9' "tinydns-get: the store's wildcard"
like "$(g txt host.dyn.example.test)" 'answer: host\.dyn\.example\.test 300 16 \\015hello\\040world:x' "tinydns-get: a merged record"

# config keys: export-cdb and export-merge are the defaults of 'export cdb'
echo "export-cdb = $TMP/conf.cdb" >>"$DZ_CONF"
echo "export-merge = $TMP/ref/data" >>"$DZ_CONF"
dz export cdb >/dev/null
check "export cdb with no OUT writes export-cdb merged with export-merge" cmp merged.cdb conf.cdb

# -- refusals -----------------------------------------------------------------
dz_config bad
dz zone add keep.test --ns ns.keep.test=192.0.2.1 >/dev/null
before=$(dz record list)
printf '+a.keep.test:192.0.2.1\n# fine\n6a.keep.test:20010db8000000000000000000000001\n+b.keep.test:192.0.2.2\n:c.keep.test:2:\\003foo\\000\n' >bad.data
err=$(dz import tinydns bad.data 2>&1)
rc=$?
check "import of a file with bad lines fails" test "$rc" -ne 0
like "$err" 'bad\.data:3: unrecognized leading character' "the first bad line is named (line 3)"
like "$err" 'bad\.data:5: type NS prohibited' "the second bad line is named (line 5)"
like "$err" '2 lines could not be taken; nothing was imported' "nothing imported, says so"
is "$(dz record list)" "$before" "the store is unchanged"

dz export cdb good.cdb >/dev/null
cp good.cdb keep.cdb
err=$(dz export cdb good.cdb --merge bad.data 2>&1)
check "export with a bad merge line fails" test $? -ne 0
like "$err" 'bad\.data:3: unrecognized leading character' "... naming the file and line"
check "... leaving the old data.cdb as it was" cmp keep.cdb good.cdb
is "$(ls | grep -c '\.tmp\.')" 0 "... and no temporary file"
err=$(dz export cdb good.cdb --merge nonexistent.data 2>&1)
like "$err" 'nonexistent\.data: No such file' "a missing merge file fails the export"
check "... leaving the old data.cdb" cmp keep.cdb good.cdb
err=$(dz export cdb no/such/dir/data.cdb 2>&1)
check "export into a missing directory fails" test $? -ne 0
check "... creating nothing" test ! -e no
printf '%s\n' '+long.keep.test:192.0.2.1' >longline.data
head -c 1100000 /dev/zero | tr '\0' x >>longline.data
err=$(dz export cdb good.cdb --merge longline.data 2>&1)
like "$err" 'longline\.data:2: line longer than' "a line over the cap is refused with its number"
check "... leaving the old data.cdb" cmp keep.cdb good.cdb
dz_config noout
err=$(dz export cdb 2>&1)
like "$err" 'give OUT or set export-cdb' "export cdb without OUT or export-cdb explains"

t_done
