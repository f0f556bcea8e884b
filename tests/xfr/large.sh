#!/usr/bin/env bash
# A 100,000-host zone transfers completely to NSD and to Knot (the record
# counts of an AXFR from each equal dynzone's); prints how long each took
# and dynzone's memory while streaming (VmRSS sampled, VmHWM before and
# after) as TAP comments.  No timing assertions.
. "$(dirname "$0")/../lib.sh"

N=${DZ_XFR_HOSTS:-100000}
ZN=big.test
sec_key
dz_config big "$SEC_KEY_LINE" "allow-transfer = $ZN $SEC_KEY_NAME" \
	"allow-transfer = $ZN 127.0.0.9" "xfr-timeout = 2"
hosts_zone big.test "$N" >"$TMP/big.zone"
out=$(dz import zone "$TMP/big.zone" 2>&1)
like "$out" "$((N + 2)) records imported" "imported $N hosts"
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
S=$(q +short $ZN SOA | awk '{print $3}')
K="hmac-sha256:$SEC_KEY_NAME:$SEC_KEY_SECRET"
want=$(kdig @127.0.0.1 -p "$DZ_PORT" -y "$K" +timeout=10 $ZN AXFR | grep -vc '^;\|^$\|TSIG')
is "$want" $((N + 4)) "dynzone's own AXFR: every record and the SOA twice"
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$DZ_PID/status"; }

for s in nsd knot; do
	hwm0=$(kb VmHWM) rss0=$(kb VmRSS) peak=$rss0
	t0=$(ms_now)
	"sec_$s" $ZN || { notok "$s starts"; continue; }
	while [ "$(sec_serial $s $ZN)" != "$S" ] && [ $(($(ms_now) - t0)) -lt 120000 ]; do
		r=$(kb VmRSS); [ "${r:-0}" -gt "$peak" ] && peak=$r
		sleep 0.02
	done
	took=$(($(ms_now) - t0))
	is "$(sec_serial $s $ZN)" "$S" "$s: has serial $S"
	is "$(sec_count $s $ZN)" "$want" "$s: holds every record ($want)"
	line=$(grep "xfr: AXFR of big\\.test\\. serial $S to ${SEC_SRC[$s]}:" "$DZ_DIR/serve.log")
	like "$line" ": $((N + 4)) records in [0-9]+ messages" "dynzone logs the whole transfer to $s"
	echo "# $s: $N hosts: start to serving ${took} ms; dynzone: ${line##*: }"
	echo "# $s: dynzone VmRSS ${rss0} kB before, peak ${peak} kB sampled; VmHWM ${hwm0} -> $(kb VmHWM) kB"
done

# a secondary that stops reading: dropped after xfr-timeout (2 s); the
# store and the zone table are not held meanwhile
python3 - "$DZ_PORT" >"$TMP/stall.out" 2>&1 <<'PY' &
import socket, struct, sys, time
q = struct.pack(">HHHHHH", 9, 0, 1, 0, 0, 0) + b"\x03big\x04test\x00" + struct.pack(">HH", 252, 1)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.9", 0))
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(struct.pack(">H", len(q)) + q)
print("sent", flush=True)
time.sleep(8)
PY
STALL=$!
PIDS+=("$STALL")
t0=$(ms_now)
wait_for yes 3000 sh -c "grep -q '^sent' '$TMP/stall.out' && echo yes"
dz record add new.big.test A 192.0.2.200 >/dev/null 2>&1
check "while a transfer is stuck, an update is served" wait_for 192.0.2.200 1500 q +short new.big.test A
is "$(q +short h77.big.test A)" "10.0.0.77" "and queries are answered"
check "the stuck secondary is dropped after xfr-timeout" wait_for yes 6000 \
	sh -c "grep -q 'xfr: AXFR of big.test. to 127.0.0.9 failed after .*xfr-timeout' '$DZ_DIR/serve.log' && echo yes"
echo "# stuck secondary dropped $(($(ms_now) - t0)) ms after it stopped reading: $(grep -o 'AXFR of big.test. to 127.0.0.9 failed.*' "$DZ_DIR/serve.log")"
kill "$STALL" 2>/dev/null
t_done
