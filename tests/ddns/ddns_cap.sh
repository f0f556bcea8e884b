#!/usr/bin/env bash
# The cap on UPDATEs waiting for the committer: while another process holds
# the store's write lock, a burst of 150 UPDATEs gets at most 64 queued
# (answered NOERROR once the lock goes) and SERVFAIL at once for the rest;
# every one gets exactly one reply, and the server's memory stays bounded.
. "$(dirname "$0")/../lib.sh"

KEY=$(tsig_secret)
dz_config cap "tsig-key = load hmac-sha256 $KEY" "allow-update = dyn.test load *.dyn.test A"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
dz_start || { notok "server starts"; t_done; exit 1; }

# a writer from outside holds the lock for 3 seconds
printf 'BEGIN IMMEDIATE;\nINSERT INTO update_log(time, host, addrs, client, agent, result) VALUES(0, "x", "", "", "", "");\n.shell touch %s\n.shell sleep 3\nCOMMIT;\n' "$TMP/locked" |
	sqlite3 "$DZ_DIR/dynzone.db" >/dev/null 2>&1 &
PIDS+=($!)
wait_for yes 5000 sh -c "test -e '$TMP/locked' && echo yes" || notok "the store is locked by another writer"
out=$(/usr/bin/python3 - "$DZ_PORT" "$KEY" <<'PY'
import socket, sys, time, collections
import dns.message, dns.rcode, dns.tsig, dns.tsigkeyring, dns.update
port, key = int(sys.argv[1]), sys.argv[2]
kr = dns.tsigkeyring.from_text({"load.": key})
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
sent = {}
for i in range(150):
    u = dns.update.Update("dyn.test.", keyring=kr, keyalgorithm=dns.tsig.HMAC_SHA256)
    u.id = i + 1
    u.add("b%d.dyn.test." % i, 60, "A", "10.1.0.%d" % (i % 250 + 1))
    s.sendto(u.to_wire(), ("127.0.0.1", port))
    sent[u.id] = u
got, early = {}, 0
t0 = time.time()
while time.time() - t0 < 15 and len(got) < len(sent):
    try:
        data, _ = s.recvfrom(4096)
    except socket.timeout:
        continue
    rid = int.from_bytes(data[:2], "big")
    rcode = data[3] & 15
    got.setdefault(rid, []).append(rcode)
    if time.time() - t0 < 1.5:
        early += 1
c = collections.Counter(dns.rcode.to_text(r[0]) for r in got.values())
print("replies=%d once=%s noerror=%d servfail=%d early_servfail=%s" % (
    len(got), all(len(r) == 1 for r in got.values()), c["NOERROR"], c["SERVFAIL"],
    all(r[0] == 2 for r in list(got.values())[:early])))
PY
)
diag "$out"
like "$out" "^replies=150 once=True " "every UPDATE got exactly one reply"
n_ok=$(printf '%s' "$out" | sed -n 's/.* noerror=\([0-9]*\).*/\1/p')
n_fail=$(printf '%s' "$out" | sed -n 's/.* servfail=\([0-9]*\).*/\1/p')
check "at most 64 were queued and then applied ($n_ok)" test "$n_ok" -ge 1 -a "$n_ok" -le 64
check "the rest got SERVFAIL at once ($n_fail)" test "$n_fail" -ge 86
like "$out" "early_servfail=True" "the replies before the lock went were all SERVFAIL"
applied=$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log WHERE agent = 'dns-update key load.'")
is "$applied" "$n_ok" "each NOERROR is in the update log, nothing else"
check "the server is still running" kill -0 "$DZ_PID"
t_done
