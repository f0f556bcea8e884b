#!/usr/bin/env bash
# A zone of 100,000 hosts (an A and an AAAA each) written as a zone file,
# imported, and served: reports the import time, the start-up time and the
# server's memory as TAP diagnostics (no timing assertions), and checks that
# hosts across the zone answer right over UDP and TCP, v4 and v6.
. "$(dirname "$0")/../lib.sh"

N=${DZ_LARGE_HOSTS:-100000}
dz_config large
cd "$TMP" || exit 1

# host i: h<i>.big.test  A 10.x.y.z (i as 24 bits)  AAAA 2001:db8::<i in hex>
addr4() { echo "10.$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"; }
addr6() {  # as dig prints it (RFC 5952)
	python3 -c 'import ipaddress, sys; print(ipaddress.IPv6Address(sys.argv[1]))' \
		"$(printf '2001:db8::%x:%x' $(($1 >> 16)) $(($1 & 65535)))"
}
hosts_zone big.test "$N" aaaa >big.zone
lines=$(wc -l <big.zone)
is "$lines" $((2 * N + 5)) "generated a zone file of $N hosts ($lines lines)"

t0=$(date +%s%N)
out=$(dz import zone big.zone 2>&1); rc=$?
t1=$(date +%s%N)
import_ms=$(((t1 - t0) / 1000000))
# every host's two records, plus the NS and its address (the SOA is the zone)
like "$rc/$out" "^0/big\\.zone: $((2 * N + 2)) records imported" "import of $((2 * N + 2)) records succeeds"
diag "import of $((2 * N + 2)) records: ${import_ms} ms wall ($out)"
like "$(dz zone list)" "^big\\.test\\. +serial [0-9]+ +$((2 * N + 2)) records" "zone list counts every record"
diag "database: $(du -k "$DZ_DIR/dynzone.db" | cut -f1) KiB"

t0=$(date +%s%N)
dz_start || notok "serve starts with the large zone"
t1=$(date +%s%N)
diag "start-up to ready: $(((t1 - t0) / 1000000)) ms ($(grep -o 'loaded .*' "$DZ_DIR/serve.log"))"
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DZ_PID/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DZ_PID/status")
like "$rss" '^[0-9]+$' "the server's memory can be read"
diag "server RSS after start-up: ${rss} KiB (peak ${hwm} KiB), $((rss * 1024 / (2 * N))) bytes per record"

for tr in $TRANSPORTS; do
	use "$tr"
	for i in 1 $((N / 3)) $((N / 2 + 7)) "$N"; do
		is "$(dq +short "h$i.big.test" A)" "$(addr4 "$i")" "$tr: h$i A"
		is "$(dq +short "H$i.BIG.test" AAAA)" "$(addr6 "$i")" "$tr: H$i AAAA (any case)"
	done
	is "$(dstatus "h$((N + 1)).big.test" A)" NXDOMAIN "$tr: a host past the end is NXDOMAIN"
done

# a thousand queries in one TCP pipeline spread over the zone
use tcp4
is "$(pv answered ids_ok -- pipe --count 1000 --name "h$((N / 4)).big.test")" "answered=1000 ids_ok=1 " \
	"1000 pipelined queries against the large zone"

# a change while serving the large zone still arrives within a second
dz record add h1.big.test A 192.0.2.123
if wait_for "10.0.0.1 192.0.2.123" 1000 eval 'dq +short h1.big.test A | sort | tr "\n" " " | sed "s/ $//"'; then
	ok "record add while serving the large zone: answered within a second (${WAITED} ms)"
else
	notok "record add while serving the large zone: answered within a second"
fi
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DZ_PID/status")
diag "server RSS after the queries: ${rss} KiB"

# the zone table's heap goes over to huge pages after start-up (src/common/thp.h),
# wherever the kernel offers them.  (Under ASan the nodes are in ASan's own
# mappings, not in [heap]: then the heap is small and there is nothing to
# collapse.)
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
# FIELD summed over the [heap] mappings (madvise splits the one into three)
heap_sum() {
	awk -v k="$1:" '/^[0-9a-f]+-[0-9a-f]+ / { f = / \[heap\]$/ } f && $1 == k { n += $2 }
		END { print n + 0 }' "/proc/$DZ_PID/smaps"
}
heap_kb() { heap_sum Size; }
heap_huge_kb() { heap_sum AnonHugePages; }
hk=$(heap_kb)
if [ -z "$thp" ] || [[ $thp == *"[never]"* ]]; then
	is "$(heap_huge_kb)" 0 "transparent huge pages are off here ('${thp:-absent}'): the heap stays on small pages"
elif [ "${hk:-0}" -lt 8192 ]; then
	ok "the heap is ${hk:-0} KiB (sanitizer allocator?): under two huge pages, nothing to collapse"
elif wait_for yes 10000 eval '[ "$(heap_huge_kb)" -ge 4096 ] && echo yes'; then
	ok "the ${hk} KiB heap is in huge pages within 10 s of start-up ($(heap_huge_kb) KiB; THP '$thp')"
else
	notok "the ${hk} KiB heap is in huge pages within 10 s of start-up ($(heap_huge_kb) KiB; THP '$thp')"
fi
check "the server is still running" kill -0 "$DZ_PID"
t_done
