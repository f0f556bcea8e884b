#!/usr/bin/env bash
# Slow clients: a connection gets http-timeout seconds for a whole request
# (head and body), not for each idle gap.  Clients that drip one header
# line a second, holding every connection the listener allows and coming
# back as soon as they are closed, are closed at the deadline, and a
# normal update still gets through during the attack.
. "$(dirname "$0")/../lib.sh"

dz_config slow "http-timeout = 2" "http-max-connections = 40" "http-max-per-ip = 0" \
	"update-rate-token = 0" "update-rate-client = 0"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
echo "alice-password" | dz user add alice 2>/dev/null
TOK=$(dz host add h1.dyn.test --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }

# the attack: 40 connections, a header line each second, reopened when
# closed; prints how long the first connections lived, then runs on
python3 - "$DZ_HTTP_PORT" 40 20 >"$TMP/attack.out" 2>&1 <<'PY' &
import socket, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
def conn():
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(b'GET /checkip HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    return [s, time.time(), True]
conns = [conn() for _ in range(n)]
lived = []
end = time.time() + secs
i = 0
while time.time() < end:
    time.sleep(1)
    i += 1
    for c in conns:
        try:
            c[0].sendall(b'X-Drip-%d: %d\r\n' % (i, i))
            c[0].settimeout(0.001)
            try:
                if c[0].recv(1) == b'':
                    raise OSError('closed')
            except socket.timeout:
                pass
        except OSError:
            if c[2]:
                lived.append(time.time() - c[1])
            try:
                c[0].close()
            except OSError:
                pass
            try:
                c[:] = conn()
                c[2] = False
            except OSError:
                pass
    if len(lived) == n:
        print('first-closed %.1f %.1f' % (min(lived), max(lived)), flush=True)
        lived.append(0)
print('done', flush=True)
PY
attack=$!
PIDS+=("$attack")
sleep 1
# a normal client keeps trying for 15 s; with the deadline it gets a slot
s=$(ms_now); got=""
while [ $(( $(ms_now) - s )) -lt 15000 ]; do
	got=$(upd "$TOK" "hostname=h1.dyn.test&myip=192.0.2.77")
	[ "$got" = "good 192.0.2.77" ] && break
	sleep 0.1
done
is "$got" "good 192.0.2.77" "a normal update gets through while slow clients hold every connection"
diag "it took $(( $(ms_now) - s )) ms"
is "$(qs h1.dyn.test A)" "192.0.2.77" "and is served"
wait_for 1 20000 grep -c '^first-closed' "$TMP/attack.out"
read -r _ lo hi < <(grep '^first-closed' "$TMP/attack.out")
diag "the dripping connections lived ${lo}-${hi} s (http-timeout = 2)"
check "none was kept past the deadline by its dripping (${hi} s <= 5 s)" awk -v h="$hi" 'BEGIN { exit !(h != "" && h <= 5) }'
check "none was closed long before it (${lo} s >= 1.5 s)" awk -v l="$lo" 'BEGIN { exit !(l != "" && l >= 1.5) }'
like "$(cat "$DZ_DIR/serve.log")" "closed [0-9]+ connections? that sent no whole request in 2 s" \
	"the server says what it closed and why"

# a request that takes its time but finishes within the deadline is fine
out=$(python3 - "$DZ_HTTP_PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
for part in (b'GET /checkip HTTP/1.1\r\n', b'Host: 127.0.0.1\r\n', b'\r\n'):
    s.sendall(part)
    time.sleep(0.4)
s.settimeout(3)
print(s.recv(4096).split(b'\r\n')[0].decode())
PY
)
like "$out" "^HTTP/1.1 200" "a slow but whole request within the deadline is answered"
kill "$attack" 2>/dev/null
dz_stop
t_done
