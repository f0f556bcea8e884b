#!/usr/bin/env bash
# Crash safety of DNS UPDATE: 8 concurrent clients (half UDP, half TCP)
# send a stream of UPDATEs, each adding an A record at a fresh name; the
# server is killed with SIGKILL in the middle and restarted.  Every change
# that was acknowledged (NOERROR) must be served after the restart.
. "$(dirname "$0")/../lib.sh"

KEY=$(tsig_secret)
dz_config crash "tsig-key = load hmac-sha256 $KEY" "allow-update = dyn.test load *.dyn.test A"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
dz_start || { notok "server starts"; t_done; exit 1; }

/usr/bin/python3 - "$DZ_PORT" "$TMP" "$KEY" <<'PY' >"$TMP/load.out" 2>&1 &
import os, sys, threading, time
import dns.query, dns.rcode, dns.tsig, dns.tsigkeyring, dns.update
port, tmp, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
kr = dns.tsigkeyring.from_text({"load.": secret})
sent = open(os.path.join(tmp, "sent.log"), "a", buffering=1)
good = open(os.path.join(tmp, "good.log"), "a", buffering=1)
lock = threading.Lock()
stop = time.time() + 20
def client(k):
    seq, errors = 0, 0
    q = dns.query.tcp if k % 2 else dns.query.udp
    while time.time() < stop and errors < 5:
        seq += 1
        name = "c%d-%d.dyn.test." % (k, seq)
        u = dns.update.Update("dyn.test.", keyring=kr, keyalgorithm=dns.tsig.HMAC_SHA256)
        u.add(name, 60, "A", "10.%d.%d.%d" % (k, seq >> 8 & 255, seq & 255))
        with lock:
            sent.write(name + "\n")
        try:
            r = q(u, "127.0.0.1", timeout=2, port=port)
        except Exception:
            errors += 1
            time.sleep(0.05)
            continue
        if r.rcode() == dns.rcode.NOERROR:
            with lock:
                good.write(name + "\n")
ts = [threading.Thread(target=client, args=(k,)) for k in range(8)]
for t in ts: t.start()
for t in ts: t.join()
PY
LOAD=$!
PIDS+=("$LOAD")
crash_mid_load "$LOAD" 400 UPDATEs

dz_start || { notok "server restarts after SIGKILL"; t_done; exit 1; }
ok "server restarts after SIGKILL"
missing=$(/usr/bin/python3 - "$DZ_PORT" "$TMP/good.log" <<'PY'
import sys
import dns.message, dns.query, dns.rcode
port, path = int(sys.argv[1]), sys.argv[2]
lost = 0
for name in open(path).read().split():
    r = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", timeout=2, port=port)
    if r.rcode() != dns.rcode.NOERROR or not r.answer:
        lost += 1
        print("lost", name, file=sys.stderr)
print(lost)
PY
)
is "$missing" 0 "every acknowledged UPDATE is served after the restart"
t_done
