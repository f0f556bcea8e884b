#!/usr/bin/env bash
# Crash safety: a stream of updates from 16 concurrent clients, the server
# killed with SIGKILL in the middle of it, restarted; every update that was
# answered `good` must be there (in the store and in the DNS answers), or a
# later update of the same host that was sent but never answered.
. "$(dirname "$0")/../lib.sh"

NHOSTS=128
dz_config crash "update-rate-token = 0" "update-rate-client = 0" "http-max-per-ip = 0"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
echo "alice-password" | dz user add alice 2>/dev/null
: >"$TMP/tokens"
for i in $(seq 1 $NHOSTS); do
	echo "h$i.dyn.test $(dz host add h$i.dyn.test --user alice)" >>"$TMP/tokens"
done
is "$(wc -l <"$TMP/tokens" | tr -d ' ')" "$NHOSTS" "$NHOSTS hosts with tokens"
dz_start || { notok "server starts"; t_done; exit 1; }

# Each client owns NHOSTS/16 hosts and updates them round robin with a
# rising sequence number encoded in the address (10.S.S.S), one request at
# a time, and writes "host seq" to sent.log before and to good.log after a
# `good` reply.
python3 - "$DZ_HTTP_PORT" "$TMP" <<'PY' >"$TMP/load.out" 2>&1 &
import base64, http.client, os, sys, threading, time
port, tmp = int(sys.argv[1]), sys.argv[2]
hosts = [l.split() for l in open(os.path.join(tmp, "tokens"))]
sent = open(os.path.join(tmp, "sent.log"), "a", buffering=1)
good = open(os.path.join(tmp, "good.log"), "a", buffering=1)
lock = threading.Lock()
stop = time.time() + 20
def addr(seq):
    return "10.%d.%d.%d" % (seq >> 16 & 255, seq >> 8 & 255, seq & 255)
def client(k):
    mine = hosts[k::16]
    seq = 0
    errors = 0
    while time.time() < stop and errors < 20:
        for name, token in mine:
            seq += 1
            auth = base64.b64encode(("%s:%s" % (name, token)).encode()).decode()
            with lock:
                sent.write("%s %d\n" % (name, seq))
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/nic/update?hostname=%s&myip=%s" % (name, addr(seq)),
                          headers={"Authorization": "Basic " + auth, "Connection": "close"})
                r = c.getresponse()
                body = r.read().decode()
                c.close()
            except OSError:
                errors += 1
                time.sleep(0.05)
                continue
            if body.startswith("good "):
                with lock:
                    good.write("%s %d\n" % (name, seq))
ts = [threading.Thread(target=client, args=(k,)) for k in range(16)]
for t in ts: t.start()
for t in ts: t.join()
PY
LOAD=$!
PIDS+=("$LOAD")
# kill once a good number of updates have been answered
crash_mid_load "$LOAD" 600 updates
ngood=$NGOOD

dz_start || { notok "server restarts after SIGKILL"; t_done; exit 1; }
ok "server restarts after SIGKILL"

# what the store and DNS say now, per host
sqlite3 "$DZ_DIR/dynzone.db" "SELECT text, hex(ipv4) FROM hosts" >"$TMP/store.txt"
awk '{print $1}' "$TMP/tokens" | sed 's/$/ A/' >"$TMP/queries"
dig @127.0.0.1 -p "$DZ_PORT" +norec +time=2 +tries=2 +noall +answer -f "$TMP/queries" >"$TMP/dns.txt"
python3 - "$TMP" <<'PY' >"$TMP/verdict" 2>&1
import os, sys
tmp = sys.argv[1]
def seq_of(a):
    p = [int(x) for x in a.split(".")]
    return p[1] << 16 | p[2] << 8 | p[3]
lastgood, lastsent = {}, {}
for l in open(os.path.join(tmp, "good.log")):
    h, s = l.split(); lastgood[h + "."] = max(lastgood.get(h + ".", 0), int(s))
for l in open(os.path.join(tmp, "sent.log")):
    h, s = l.split(); lastsent[h + "."] = max(lastsent.get(h + ".", 0), int(s))
store = {}
for l in open(os.path.join(tmp, "store.txt")):
    h, hexa = l.strip().split("|")
    if hexa:
        store[h] = (int(hexa[2:4], 16) << 16) | (int(hexa[4:6], 16) << 8) | int(hexa[6:8], 16)
dns = {}
for l in open(os.path.join(tmp, "dns.txt")):
    f = l.split()
    if len(f) == 5 and f[3] == "A":
        dns[f[0]] = seq_of(f[4])
lost_store = [h for h in lastgood if store.get(h, -1) < lastgood[h]]
lost_dns = [h for h in lastgood if dns.get(h, -1) < lastgood[h]]
bogus = [h for h in store if store[h] > lastsent.get(h, 0)]
print("checked", len(lastgood), "hosts")
print("lost_store", len(lost_store), " ".join(lost_store[:5]))
print("lost_dns", len(lost_dns), " ".join(lost_dns[:5]))
print("bogus", len(bogus))
PY
diag "$(cat "$TMP/verdict")"
is "$(sed -n 's/^checked \([0-9]*\).*/\1/p' "$TMP/verdict")" "$NHOSTS" "every host got good answers"
is "$(awk '/^lost_store/ {print $2}' "$TMP/verdict")" "0" "every update answered good is in the store after the crash"
is "$(awk '/^lost_dns/ {print $2}' "$TMP/verdict")" "0" "and answered by DNS after the restart"
is "$(awk '/^bogus/ {print $2}' "$TMP/verdict")" "0" "nothing in the store that was never sent"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "PRAGMA integrity_check")" "ok" "the database is intact"
logged=$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log WHERE result = 'good'")
check "every good reply has its log row ($logged >= $ngood)" test "$logged" -ge "$ngood"
U="http://127.0.0.1:$DZ_HTTP_PORT/nic/update"
read -r h t < <(head -1 "$TMP/tokens")
is "$(curl -s -u "$h:$t" "$U?hostname=$h&myip=192.0.2.77" | tr -d '\r')" "good 192.0.2.77" "updates work after the restart"
is "$(qs "$h" A)" "192.0.2.77" "and are served"
dz_stop
t_done
