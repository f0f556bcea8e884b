#!/usr/bin/env bash
# AXFRs taken while a stream of RFC 2136 UPDATEs commits each give ONE
# version of the zone.  Every UPDATE moves two names to the same new
# address in one commit: a.big.test, the first owner of the stream, and
# zzzzzzzzzzzz.big.test, the last; a transfer that read the records of
# more than one version would show them apart, and the SOA serial says
# which version the pair must show.  kdig transfers in a loop while the
# updates run (each whole, at one version, more than one serial seen), and
# NSD, started in the middle of the stream (and NOTIFYed), ends with the
# last serial and the pair equal.  Also: after a transfer to a slow
# reader the server goes idle (the linger after the last message spun on
# the peer's FIN for 2 s when errno still held a send's EAGAIN).
. "$(dirname "$0")/../lib.sh"

N=${DZ_XFR_HOSTS:-30000}
ZN=big.test
U=${DZ_XFR_UPDATES:-1500}
UPD=$(tsig_secret)
sec_key
SEC_PORT[nsd]=$(free_port)
dz_config cons "$SEC_KEY_LINE" "allow-transfer = $ZN $SEC_KEY_NAME" "allow-transfer = $ZN 127.0.0.1" \
	"notify = $ZN 127.0.0.1:${SEC_PORT[nsd]} $SEC_KEY_NAME" \
	"tsig-key = upd hmac-sha256 $UPD" "allow-update = $ZN upd *.$ZN A"
{ hosts_zone $ZN "$N" aaaa; echo "a A 10.9.0.0"; echo "zzzzzzzzzzzz A 10.9.0.0"; } >"$TMP/big.zone"
out=$(dz import zone "$TMP/big.zone" 2>&1)
like "$out" "$((2 * N + 4)) records imported" "imported $N hosts and the pair"
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
K="hmac-sha256:$SEC_KEY_NAME:$SEC_KEY_SECRET"
axfr() { kdig @127.0.0.1 -p "$DZ_PORT" -y "$K" +timeout=10 $ZN AXFR 2>/dev/null | grep -v '^;\|^$\|TSIG'; }
# one line: records, first and last SOA serial, a's and zzz's address,
# and whether a came before every host and zzz after every host
summary() {
	awk -v zn="$ZN." '
		$4 == "SOA" { s[++ns] = $7 }
		$1 == "a." zn && $4 == "A" { a = $5; apos = NR }
		$1 == "zzzzzzzzzzzz." zn && $4 == "A" { z = $5; zpos = NR }
		$1 ~ /^h[0-9]+\./ { if (!hfirst) hfirst = NR; hlast = NR }
		END { printf "%d %s %s %s %s %s\n", NR, s[1], s[ns], a, z,
		      (apos < hfirst && zpos > hlast) ? "ends" : "inside" }'
}

read -r n s1 s2 a z where < <(axfr | summary)
is "$n $where" "$((2 * N + 6)) ends" "an idle AXFR: every record, the pair at the stream's two ends"
is "$s1 $a" "$s2 $z" "  one serial ($s1) and the pair equal ($a)"

# the transfer thread is idle once a transfer is over, also when the
# secondary was slow to read (the zone does not fit the socket buffers:
# sends had to wait, and errno kept their EAGAIN): its CPU time over the
# second after stays far below a spinning thread's
python3 - "$DZ_PORT" >"$TMP/slow.out" 2>&1 <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
q = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"\x03big\x04test\x00" + struct.pack(">HH", 252, 1)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(struct.pack(">H", len(q)) + q)
time.sleep(0.5)                      # let dynzone's sends wait
n = 0
while True:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
print("read", n)
s.close()
PY
PY_RC=$?
tcpu() { awk '{print $14 + $15}' "/proc/$DZ_PID/stat"; }
c0=$(tcpu); sleep 1; c1=$(tcpu)
like "$PY_RC $(cat "$TMP/slow.out")" "^0 read [0-9]{7}" "a slow reader gets the zone (unsigned: allowed by address)"
check "after a transfer the server is idle (CPU $((c1 - c0)) ticks in 1 s)" test $((c1 - c0)) -lt 30

# the update stream: U messages on one nsupdate, each a commit of its
# own; update i makes the serial 2 + i and the pair's address ip_of i
ip_of() { echo "10.9.$(($1 / 256)).$(($1 % 256))"; }
for i in $(seq 1 "$U"); do
	ip=$(ip_of "$i")
	printf 'update delete a.%s A\nupdate add a.%s 60 A %s\n' $ZN $ZN "$ip"
	printf 'update delete zzzzzzzzzzzz.%s A\nupdate add zzzzzzzzzzzz.%s 60 A %s\nsend\n' \
		$ZN $ZN "$ip"
done >"$TMP/updates"
# -t 30: this test is about what the transfers see, not how fast an update
# is; under a sanitizer on a busy CI machine (AXFRs in a loop, NSD
# transferring on every NOTIFY) one update once took over nsu's 5 s
nsu upd "$UPD" -t 30 <"$TMP/updates" >"$TMP/nsu.out" 2>&1 &
NSU=$!
PIDS+=("$NSU")

bad=0 runs=0 serials=""
while kill -0 "$NSU" 2>/dev/null || [ $runs -lt 3 ]; do
	read -r n s1 s2 a z where < <(axfr | summary)
	runs=$((runs + 1))
	serials="$serials $s1"
	if [ "$n" != $((2 * N + 6)) ] || [ "$s1" != "$s2" ] || [ "$a" != "$z" ] ||
	   [ "$a" != "$(ip_of $((s1 - 2)))" ]; then
		bad=$((bad + 1))
		diag "transfer $runs: $n records, SOA $s1 .. $s2, a $a, zzz $z"
	fi
	[ $runs -eq 2 ] && { sec_nsd $ZN || notok "nsd starts"; }
	[ $runs -ge 200 ] && break
done
wait "$NSU"
is "$bad" 0 "$runs AXFRs during $U updates: each whole, at one version (the pair equal, as the SOA serial says)"
nser=$(printf '%s\n' $serials | sort -u | wc -l)
check "the transfers saw the zone at $nser serials (the updates ran meanwhile)" test "$nser" -gt 1
unlike "$(cat "$TMP/nsu.out")" "REFUSED|NOTAUTH|SERVFAIL|failed" "every update was accepted"
S=$(q +short $ZN SOA | awk '{print $3}')
last=$(ip_of "$U")
is "$(qs a.$ZN A) $(qs zzzzzzzzzzzz.$ZN A)" "$last $last" "dynzone serves the last update"
check "NSD reaches the last serial $S" wait_for "$S" 15000 sec_serial nsd $ZN
is "$(sec_ask nsd a.$ZN A) $(sec_ask nsd zzzzzzzzzzzz.$ZN A)" "$last $last" \
	"NSD holds the pair at the last version"
is "$(sec_count nsd $ZN)" "$((2 * N + 6))" "NSD holds every record"
t_done
