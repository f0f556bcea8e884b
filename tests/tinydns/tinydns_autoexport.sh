#!/usr/bin/env bash
# Automatic export: `dynzone serve` with export-cdb (and export-merge)
# rewrites the data.cdb that stock tinydns (port 53 of a private network
# namespace this test creates) serves, within a second of each committed
# change: an HTTP update (/nic/update), a `dynzone record add`/`del` from
# the shell, a burst of changes, an edit of the merge file.  Stock tinydns
# must answer the new data within two seconds.  A failing export is logged,
# never stops the server, and recovers on the next change.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

cd "$TMP" || exit 1
if ! command -v tinydns >/dev/null || ! command -v dig >/dev/null ||
   ! command -v curl >/dev/null; then
	notok "needs stock tinydns, dig and curl (tools/deps test)"
	t_done
	exit 1
fi

# wait_ans PORT NAME TYPE REGEX: poll the server on 127.0.0.1:PORT until
# its answer matches (at most 5 s); prints the milliseconds it took, or
# "timeout".  wait_td: the same for stock tinydns.
wait_ans() {
	local t0 t
	t0=$(ms_now)
	while :; do
		if td_ans 127.0.0.1 "$1" "$2" "$3" | grep -Eq -- "$4"; then
			echo $(($(ms_now) - t0))
			return 0
		fi
		t=$(($(ms_now) - t0))
		[ "$t" -gt 5000 ] && { echo timeout; return 1; }
		sleep 0.02
	done
}
wait_td() { wait_ans 53 "$@"; }
# within2 MS NAME: pass if MS is a number under 2000.
within2() {
	if [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -lt 2000 ]; then ok "$2 (${1} ms)"; else notok "$2 ($1 ms)"; fi
}

mkdir -p root
cat >static.data <<'EOF'
.static.test:127.0.0.54:a:3600
+www.static.test:192.0.2.80:300
EOF
dz_config auto "export-cdb = $TMP/root/data.cdb" "export-merge = $TMP/static.data"
dz zone add dyn.test --ns ns1.dyn.test=127.0.0.53 >/dev/null
dz record add fixed.dyn.test A 192.0.2.1 --ttl 60
echo 'secret-password-1' | dz user add alice >/dev/null 2>&1
TOKEN=$(dz host add home.dyn.test --user alice 2>/dev/null)
like "$TOKEN" '^[A-Za-z0-9_-]{20,}$' "host add printed an update token"

dz_start || { notok "dynzone serve started"; t_done; exit 1; }
check "the first export is written at start-up" test -s root/data.cdb
td_start root || { notok "stock tinydns started"; t_done; exit 1; }
ok "stock tinydns serves the exported file"
like "$(td_ans 127.0.0.1 53 fixed.dyn.test A)" '^NOERROR \| fixed\.dyn\.test\. 60 A 192\.0\.2\.1$' "tinydns: a store record"
like "$(td_ans 127.0.0.1 53 www.static.test A)" '^NOERROR \| www\.static\.test\. 300 A 192\.0\.2\.80$' "tinydns: a record of the merge file"

# an HTTP update, as a router sends it
reply=$(curl -s -m 5 -u "home.dyn.test:$TOKEN" \
	"http://127.0.0.1:$DZ_HTTP_PORT/nic/update?hostname=home.dyn.test&myip=192.0.2.44")
like "$reply" '^good 192\.0\.2\.44' "HTTP update: good"
ms=$(wait_td home.dyn.test A '192\.0\.2\.44')
within2 "$ms" "after an HTTP update, stock tinydns answers the new address"
reply=$(curl -s -m 5 -u "home.dyn.test:$TOKEN" \
	"http://127.0.0.1:$DZ_HTTP_PORT/nic/update?hostname=home.dyn.test&myip=2001:db8::44")
like "$reply" '^good .*2001:db8::44' "HTTP update with an IPv6 address: good"
ms=$(wait_td home.dyn.test AAAA '2001:db8::44')
within2 "$ms" "... and stock tinydns answers the AAAA"

# the shell: record add / del go through the same journal
dz record add new.dyn.test A 192.0.2.77 --ttl 30
ms=$(wait_td new.dyn.test A '192\.0\.2\.77')
within2 "$ms" "after 'record add' while serving, tinydns answers the new record"
dz record del new.dyn.test >/dev/null
ms=$(wait_td new.dyn.test A '^NXDOMAIN')
within2 "$ms" "after 'record del', tinydns answers NXDOMAIN"

# a burst of 20 changes: all served soon after the last
for i in $(seq 1 20); do dz record add "b$i.dyn.test" A "192.0.2.$((100 + i))" --ttl 30; done
ms=$(wait_td b20.dyn.test A '192\.0\.2\.120')
within2 "$ms" "after a burst of 20 changes, the last is served"
n=0
for i in $(seq 1 20); do
	td_ans 127.0.0.1 53 "b$i.dyn.test" A | grep -q "192\.0\.2\.$((100 + i))" && n=$((n + 1))
done
is "$n" 20 "... and all 20 are"

# the merge file changes: re-exported without any store change
echo '+new.static.test:192.0.2.81:300' >>static.data
ms=$(wait_td new.static.test A '192\.0\.2\.81')
within2 "$ms" "an edit of the export-merge file is exported"

# a failing export (bad merge line) is logged, the server goes on, the next
# good change recovers
echo '6bad.static.test:20010db8000000000000000000000001' >>static.data
for i in $(seq 1 40); do grep -q 'static.data:4: unrecognized leading character' "$DZ_DIR/serve.log" && break; sleep 0.05; done
like "$(cat "$DZ_DIR/serve.log")" 'error: export: .*static\.data:4: unrecognized leading character' \
	"a failing export is logged with the file and line"
check "the server is still running" kill -0 "$DZ_PID"
dz record add during.dyn.test A 192.0.2.90 --ttl 30
ms=$(wait_ans "$DZ_PORT" during.dyn.test A '192\.0\.2\.90')
within2 "$ms" "dynzone still serves changes"
like "$(td_ans 127.0.0.1 53 fixed.dyn.test A)" '192\.0\.2\.1$' "tinydns keeps serving the last good export"
like "$(td_ans 127.0.0.1 53 during.dyn.test A)" '^NXDOMAIN' "... and nothing of a failed one"
sed -i '$d' static.data
ms=$(wait_td during.dyn.test A '192\.0\.2\.90')
within2 "$ms" "fixing the merge file: the next export carries every change"
is "$(ls root | tr '\n' ' ')" "data.cdb " "no temporary file left beside data.cdb"

dz_stop
t_done
