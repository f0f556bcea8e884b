#!/usr/bin/env bash
# Limits of the DNS service against odd and hostile clients:
# - an unknown opcode is NOTIMP whatever the rest of the header holds (a
#   header-only opcode-15 message too), RFC 8906 §8.1.4;
# - a UDP query over the 4096-byte receive buffer gets FORMERR, not silence;
# - one source address may hold at most tcp-max-per-ip TCP connections, so
#   it cannot take every slot;
# - a client dripping a message a byte at a time is closed once a whole
#   message has taken tcp-idle-timeout, however often it sends;
# - during such an attack an answer too large for UDP stays fetchable over
#   TCP from another address.
. "$(dirname "$0")/../lib.sh"

dz_config limits "tcp-clients = 12" "tcp-max-per-ip = 4" "tcp-idle-timeout = 3"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
for i in $(seq 1 40); do
	dz record add big.dyn.test TXT "\"$(printf 'txt-%02d-%0100d' "$i" 0)\"" >/dev/null
done
dz_start || { notok "server starts"; t_done; exit 1; }

raw() { python3 - "$DZ_PORT" "$@" <<'PY'
import socket, struct, sys, time
port, what = int(sys.argv[1]), sys.argv[2]
def udp(msg, timeout=2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.sendto(msg, ('127.0.0.1', port))
    try:
        return s.recv(65535)
    except socket.timeout:
        return b''
def question(name=b'\x03www\x03dyn\x04test\x00', qtype=1):
    return name + struct.pack('>HH', qtype, 1)
def rc(r):
    return 'none' if not r else 'rcode=%d opcode=%d qd=%d' % (r[3] & 15, (r[2] >> 3) & 15,
                                                             struct.unpack('>H', r[4:6])[0])
if what == 'op15-header':
    print(rc(udp(struct.pack('>HHHHHH', 0x1234, 15 << 11, 0, 0, 0, 0))))
elif what == 'op15-junk':
    # opcode 15 with counts that promise sections that are not there
    print(rc(udp(struct.pack('>HHHHHH', 0x1235, 15 << 11, 3, 7, 9, 2) + b'\xff\xff')))
elif what == 'op2-question':
    print(rc(udp(struct.pack('>HHHHHH', 0x1236, 2 << 11, 1, 0, 0, 0) + question())))
elif what == 'big-udp':
    # a well-formed query with an OPT record padded far past 4096 bytes
    pad = b'\x00' * 5000
    opt = b'\x00' + struct.pack('>HHIH', 41, 1232, 0, 4 + len(pad)) + struct.pack('>HH', 12, len(pad)) + pad
    msg = struct.pack('>HHHHHH', 0x1237, 0, 1, 0, 0, 1) + question() + opt
    print(len(msg), rc(udp(msg)))
elif what == 'cap':
    # hold N connections from 127.0.0.1; print how many the server keeps
    n = int(sys.argv[3])
    socks = []
    for i in range(n):
        s = socket.create_connection(('127.0.0.1', port))
        socks.append(s)
    time.sleep(0.5)
    kept = 0
    for s in socks:
        s.settimeout(0.2)
        try:
            kept += s.recv(1) != b''
        except socket.timeout:
            kept += 1
        except OSError:
            pass
    print('kept=%d' % kept)
elif what == 'drip':
    # a 2-byte length then a byte a second: print when the server closed it
    s = socket.create_connection(('127.0.0.1', port))
    msg = struct.pack('>HHHHHH', 0x1238, 0, 1, 0, 0, 0) + question()
    data = struct.pack('>H', len(msg)) + msg
    t0 = time.time()
    for b in data:
        try:
            s.send(bytes([b]))
            s.settimeout(1)
            try:
                if s.recv(1) == b'':
                    break
            except socket.timeout:
                pass
        except OSError:
            break
    print('closed_after=%.1f sent_all=%d' % (time.time() - t0, time.time() - t0 >= len(data) - 1))
PY
}

is "$(raw op15-header)" "rcode=4 opcode=15 qd=0" "a header-only opcode-15 message: NOTIMP"
is "$(raw op15-junk)" "rcode=4 opcode=15 qd=0" "opcode 15 with nonsense counts: NOTIMP, not FORMERR"
is "$(raw op2-question)" "rcode=4 opcode=2 qd=1" "opcode 2 (STATUS) with a question: NOTIMP, question echoed"
out=$(raw big-udp)
like "$out" "^[5-9][0-9]{3} rcode=1 opcode=0 qd=1$" "a ${out%% *}-byte UDP query gets FORMERR with its question, not silence"
is "$(q +short www.dyn.test A | head -1)$(rcode ns1.dyn.test A)" "NOERROR" "the server still answers"

# per-source cap: 8 connections from one address, 4 kept
is "$(raw cap 8)" "kept=4" "one address keeps at most tcp-max-per-ip (4) TCP connections"

# an attack from 127.0.0.1: four dripping connections (its cap) while a
# client at 127.0.0.2 fetches an answer too large for UDP
drips=()
for i in 1 2 3 4; do raw drip >"$TMP/drip$i" & drips+=($!); done
sleep 1
tc=$(dig -b 127.0.0.2 @127.0.0.1 -p "$DZ_PORT" +norec +tcp +time=3 +tries=1 big.dyn.test TXT | dig_status)
is "$tc" "NOERROR" "during the attack a large answer is fetched over TCP from another address"
n=$(dig -b 127.0.0.2 @127.0.0.1 -p "$DZ_PORT" +norec +tcp +short big.dyn.test TXT | wc -l)
is "$n" "40" "all forty TXT records of it"
uc=$(dig -b 127.0.0.2 @127.0.0.1 -p "$DZ_PORT" +norec +notcp +ignore +bufsize=1232 big.dyn.test TXT | dig_flags)
like "$uc" "tc" "(over UDP the same answer is truncated)"
wait "${drips[@]}"
for i in 1 2 3 4; do
	read -r closed all <"$TMP/drip$i"
	t=${closed#closed_after=}
	check "dripping connection $i closed at the message deadline ($t s; tcp-idle-timeout 3)" \
		awk -v t="$t" 'BEGIN { exit !(t >= 2.5 && t <= 6) }'
done
dz_stop
t_done
