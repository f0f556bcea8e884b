#!/usr/bin/env python3
"""Raw DNS probes for the integration tests (python3 stdlib only).

dig and kdig cannot send what a broken or hostile client sends: responses
(QR=1), truncated headers, compression loops, two OPT records, TCP
pipelines written in one segment.  This script builds such packets, sends
them to a server, and prints what came back as `key=value` lines that the
shell tests read with `field KEY`:

    reply=1 id_match=1 rcode=NOERROR flags=qr aa opcode=0 qd=1 an=1 ns=0
    ar=1 qname=WwW.example.org. opt=1 opt_version=0 opt_flags=0x8000
    opt_size=1232 opt_options= answer=www.example.org. 300 A 192.0.2.1 ...

or `reply=0` when nothing came back within the timeout.

Commands:
  query   one query (options below) over UDP or TCP
  bad     a malformed packet of a named kind (see BAD_KINDS) over UDP/TCP
  pipe    N queries written to one TCP connection in one send; prints
          answered=N ids_ok=1 if every id came back with a NOERROR answer
  seq     N queries one after another on one TCP connection
  idle    open a TCP connection, send nothing, print closed_after=SECONDS
  cap     open N TCP connections and hold them; print answered=K for how
          many answered a query and closed=M for how many of the others
          the server shut

query --tsig ALG:NAME:BASE64SECRET signs the query (RFC 8945) as of now
plus --tsig-skew seconds, and checks the reply's TSIG RR: tsig_error=,
tsig_mac_len=, tsig_time=, tsig_other_time= (BADTIME's server time) and
tsig_ok=1 when the reply's MAC verifies against the request's.
"""
import argparse
import base64
import hashlib
import hmac
import random
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13,
         "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33, "NAPTR": 35, "OPT": 41,
         "DS": 43, "TLSA": 52, "TSIG": 250, "IXFR": 251, "AXFR": 252,
         "MAILB": 253, "MAILA": 254, "ANY": 255, "CAA": 257}
TYPENAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED", 9: "NOTAUTH", 16: "BADVERS"}


def qtype(text):
    t = text.upper()
    if t in TYPES:
        return TYPES[t]
    if t.startswith("TYPE"):
        return int(t[4:])
    return int(t)


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            b = label.encode()
            out += bytes([len(b)]) + b
    return out + b"\0"


def header(qid, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def opt_rr(size=1232, version=0, flags=0, ext_rcode=0, options=b""):
    ttl = (ext_rcode << 24) | (version << 16) | flags
    return b"\0" + struct.pack("!HHIH", 41, size, ttl, len(options)) + options


TSIG_HASHES = {"hmac-md5": hashlib.md5, "hmac-sha1": hashlib.sha1,
               "hmac-sha224": hashlib.sha224, "hmac-sha256": hashlib.sha256,
               "hmac-sha384": hashlib.sha384, "hmac-sha512": hashlib.sha512}
TSIG_ERRORS = {0: "NOERROR", 16: "BADSIG", 17: "BADKEY", 18: "BADTIME", 22: "BADTRUNC"}


def tsig_alg_wire(alg):
    return encode_name("hmac-md5.sig-alg.reg.int" if alg == "hmac-md5" else alg)


def tsig_vars(key, alg, tsigned, fudge, error, other):
    return (encode_name(key) + struct.pack("!HI", 255, 0) + tsig_alg_wire(alg) +
            struct.pack("!HIHHH", tsigned >> 32, tsigned & 0xFFFFFFFF, fudge, error,
                        len(other)) + other)


def tsig_sign(pkt, spec, skew):
    """Append a TSIG RR to pkt (ARCOUNT + 1); returns (packet, mac)."""
    alg, key, secret = spec.split(":", 2)
    alg = alg.lower()
    tsigned = int(time.time()) + skew
    mac = hmac.new(base64.b64decode(secret), pkt + tsig_vars(key, alg, tsigned, 300, 0, b""),
                   TSIG_HASHES[alg]).digest()
    qid = struct.unpack("!H", pkt[:2])[0]
    rdata = (tsig_alg_wire(alg) + struct.pack("!HIHH", tsigned >> 32, tsigned & 0xFFFFFFFF,
                                               300, len(mac)) +
             mac + struct.pack("!HHH", qid, 0, 0))
    rr = encode_name(key) + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata
    ar = struct.unpack("!H", pkt[10:12])[0] + 1
    return pkt[:10] + struct.pack("!H", ar) + pkt[12:] + rr, mac


def tsig_check(msg, off, spec, req_mac, out):
    """The reply's TSIG RR starts at off: report it and check its MAC."""
    alg, key, secret = spec.split(":", 2)
    alg = alg.lower()
    _, o = read_name(msg, off)
    o += 10
    _, o = read_name(msg, o)
    hi, lo, fudge, mlen = struct.unpack("!HIHH", msg[o:o + 10])
    mac = msg[o + 10:o + 10 + mlen]
    o += 10 + mlen
    orig, err, olen = struct.unpack("!HHH", msg[o:o + 6])
    other = msg[o + 6:o + 6 + olen]
    tsigned = (hi << 32) | lo
    out.update(tsig_error=TSIG_ERRORS.get(err, str(err)), tsig_mac_len=str(mlen),
               tsig_time=str(tsigned))
    if olen == 6:
        ohi, olo = struct.unpack("!HI", other)
        out["tsig_other_time"] = str((ohi << 32) | olo)
    ar = struct.unpack("!H", msg[10:12])[0] - 1
    body = struct.pack("!H", orig) + msg[2:10] + struct.pack("!H", ar) + msg[12:off]
    want = hmac.new(base64.b64decode(secret),
                    struct.pack("!H", len(req_mac)) + req_mac + body +
                    tsig_vars(key, alg, tsigned, fudge, err, other),
                    TSIG_HASHES[alg]).digest()
    out["tsig_ok"] = "1" if mlen and hmac.compare_digest(mac, want) else "0"


def build_query(a, qid):
    flags = (a.opcode << 11) | (0x0100 if a.rd else 0) | a.flags
    opts = b""
    for o in a.option:
        code, _, hexdata = o.partition(":")
        data = bytes.fromhex(hexdata)
        opts += struct.pack("!HH", int(code), len(data)) + data
    edns = a.edns or a.edns_version or a.do or a.edns_flags or opts or a.payload
    ar = 1 if edns else 0
    pkt = header(qid, flags, 1, 0, 0, ar)
    pkt += encode_name(a.name) + struct.pack("!HH", qtype(a.type), a.qclass)
    if edns:
        eflags = a.edns_flags | (0x8000 if a.do else 0)
        pkt += opt_rr(a.payload or 1232, a.edns_version, eflags, 0, opts)
    return pkt


# Malformed or odd packets.  Each is (description, bytes) for a given id;
# NAME is a name inside the served zone.
def bad_packet(kind, qid, name):
    qn = encode_name(name)
    q = qn + struct.pack("!HH", 1, 1)
    if kind == "short":           # shorter than a header: no reply
        return header(qid, 0)[:7]
    if kind == "header-only":     # QDCOUNT=1 but no question
        return header(qid, 0)
    if kind == "qdcount0":
        return header(qid, 0, qd=0)
    if kind == "qdcount2":
        return header(qid, 0, qd=2) + q + q
    if kind == "trailing":        # garbage after the question
        return header(qid, 0) + q + b"\xde\xad\xbe\xef"
    if kind == "label-overrun":   # a label running past the end
        return header(qid, 0) + b"\x3fabc"
    if kind == "label-64":        # label longer than 63
        return header(qid, 0) + b"\x40" + b"a" * 64 + b"\0" + struct.pack("!HH", 1, 1)
    if kind == "ptr-loop":        # a compression pointer to itself
        return header(qid, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    if kind == "ptr-forward":     # a pointer forward, past itself
        return header(qid, 0) + b"\xc0\x20" + struct.pack("!HH", 1, 1) + b"\0" * 20
    if kind == "qtype-cut":       # question without its class
        return header(qid, 0) + qn + b"\x00\x01"
    if kind == "two-opt":
        return header(qid, 0, ar=2) + q + opt_rr() + opt_rr()
    if kind == "opt-in-answer":
        return header(qid, 0, an=1) + q + opt_rr()
    if kind == "opt-nonroot":     # OPT owner must be the root
        o = opt_rr()
        return header(qid, 0, ar=1) + q + b"\x01x" + o
    if kind == "opt-badlen":      # an EDNS option longer than the RDATA
        o = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 4) + struct.pack("!HH", 10, 8)
        return header(qid, 0, ar=1) + q + o
    if kind == "rr-cut":          # ARCOUNT=1 but the record is cut short
        return header(qid, 0, ar=1) + q + b"\0\x00\x29"
    if kind == "answer-rr":       # a query with a record in the answer section
        rr = qn + struct.pack("!HHIH", 1, 1, 60, 4) + b"\x7f\0\0\1"
        return header(qid, 0, an=1) + q + rr
    if kind == "qr":              # a response: must be dropped
        return header(qid, 0x8000) + q
    if kind == "qr-opt":
        return header(qid, 0x8400, ar=1) + q + opt_rr()
    if kind in ("tsig-not-last", "tsig-badmac"):
        # a TSIG RR (key k., any MAC) before an OPT, or whose MAC size
        # runs past its RDATA
        msize = 200 if kind == "tsig-badmac" else 32
        rdata = (encode_name("hmac-sha256") + struct.pack("!HIHH", 0, int(time.time()), 300, msize) +
                 b"\1" * 32 + struct.pack("!HHH", qid, 0, 0))
        t = encode_name("k") + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata
        if kind == "tsig-badmac":
            return header(qid, 0, ar=1) + q + t
        return header(qid, 0, ar=2) + q + t + opt_rr()
    raise SystemExit("unknown bad kind " + kind)


BAD_KINDS = ["short", "header-only", "qdcount0", "qdcount2", "trailing",
             "label-overrun", "label-64", "ptr-loop", "ptr-forward",
             "qtype-cut", "two-opt", "opt-in-answer", "opt-nonroot",
             "opt-badlen", "rr-cut", "answer-rr", "qr", "qr-opt",
             "tsig-not-last", "tsig-badmac"]


def read_name(msg, off):
    labels, jumped, end, hops = [], False, off, 0
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped = True
            hops += 1
            if hops > 50:
                raise ValueError("pointer loop")
            continue
        if n == 0:
            if not jumped:
                end = off + 1
            break
        labels.append(msg[off + 1:off + 1 + n].decode("latin-1"))
        off += 1 + n
    return ".".join(labels) + ".", end


def rdata_text(msg, t, off, rdlen):
    rd = msg[off:off + rdlen]
    if t == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, rd)
    if t == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, rd)
    if t in (2, 5, 12):
        return read_name(msg, off)[0]
    if t == 15:
        return "%d %s" % (struct.unpack("!H", rd[:2])[0], read_name(msg, off + 2)[0])
    if t == 6:
        mname, o = read_name(msg, off)
        rname, o = read_name(msg, o)
        return "%s %s %s" % (mname, rname, " ".join(
            str(x) for x in struct.unpack("!IIIII", msg[o:o + 20])))
    if t == 16:
        out, i = [], 0
        while i < len(rd):
            out.append('"%s"' % rd[i + 1:i + 1 + rd[i]].decode("latin-1"))
            i += 1 + rd[i]
        return " ".join(out)
    return "\\# %d %s" % (rdlen, rd.hex())


def parse(msg, qid, tsig=None, req_mac=b""):
    out = {"reply": "1", "len": str(len(msg))}
    if len(msg) < 12:
        out["short"] = "1"
        return out
    rid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    out["id_match"] = "1" if rid == qid else "0"
    names = [("qr", 0x8000), ("aa", 0x0400), ("tc", 0x0200), ("rd", 0x0100),
             ("ra", 0x0080), ("z", 0x0040), ("ad", 0x0020), ("cd", 0x0010)]
    out["flags"] = " ".join(n for n, b in names if flags & b)
    out["opcode"] = str((flags >> 11) & 0xF)
    rcode = flags & 0xF
    out.update(qd=str(qd), an=str(an), ns=str(ns), ar=str(ar), opt="0")
    off = 12
    sections = {"answer": [], "authority": [], "additional": []}
    try:
        for _ in range(qd):
            name, off = read_name(msg, off)
            out["qname"] = name
            out["qtype"] = str(struct.unpack("!H", msg[off:off + 2])[0])
            off += 4
        for i in range(an + ns + ar):
            sec = "answer" if i < an else "authority" if i < an + ns else "additional"
            start = off
            name, off = read_name(msg, off)
            t, cls, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            if t == 250 and tsig:
                out["tsig"] = "1"
                tsig_check(msg, start, tsig, req_mac, out)
            elif t == 41:
                out["opt"] = str(int(out["opt"]) + 1)
                out["opt_size"] = str(cls)
                out["opt_version"] = str((ttl >> 16) & 0xFF)
                out["opt_flags"] = "0x%04x" % (ttl & 0xFFFF)
                rcode |= (ttl >> 24) << 4
                opts, o = [], off
                while o < off + rdlen:
                    code, olen = struct.unpack("!HH", msg[o:o + 4])
                    opts.append(str(code))
                    o += 4 + olen
                out["opt_options"] = ",".join(opts)
            else:
                tn = TYPENAMES.get(t, "TYPE%d" % t)
                sections[sec].append("%s %d %s %s" % (
                    name, ttl, tn, rdata_text(msg, t, off, rdlen)))
            off += rdlen
        out["trailing"] = str(len(msg) - off)
    except (IndexError, ValueError, struct.error) as e:
        out["parse_error"] = str(e)
    out["rcode"] = RCODES.get(rcode, str(rcode))
    for sec, rrs in sections.items():
        out[sec] = " | ".join(rrs)
    return out


def family(server):
    return socket.AF_INET6 if ":" in server else socket.AF_INET


def udp_exchange(a, pkt):
    s = socket.socket(family(a.server), socket.SOCK_DGRAM)
    s.settimeout(a.timeout)
    s.sendto(pkt, (a.server, a.port))
    try:
        return s.recv(65535)
    except socket.timeout:
        return None
    finally:
        s.close()


def tcp_connect(a):
    s = socket.create_connection((a.server, a.port), timeout=a.timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_read_msg(s):
    try:
        hdr = recv_exact(s, 2)
        if hdr is None:
            return None
        return recv_exact(s, struct.unpack("!H", hdr)[0])
    except (socket.timeout, ConnectionResetError):
        return None


def frame(pkt):
    return struct.pack("!H", len(pkt)) + pkt


def tcp_exchange(a, pkt):
    s = tcp_connect(a)
    try:
        s.sendall(frame(pkt))
        return tcp_read_msg(s)
    finally:
        s.close()


def emit(d):
    for k, v in d.items():
        print("%s=%s" % (k, v))


def cmd_query(a):
    qid = random.randrange(65536)
    pkt = build_query(a, qid)
    mac = b""
    if a.tsig:
        pkt, mac = tsig_sign(pkt, a.tsig, a.tsig_skew)
    r = (tcp_exchange if a.tcp else udp_exchange)(a, pkt)
    emit(parse(r, qid, a.tsig, mac) if r is not None else {"reply": "0"})


def cmd_bad(a):
    qid = random.randrange(65536)
    pkt = bad_packet(a.kind, qid, a.name)
    r = (tcp_exchange if a.tcp else udp_exchange)(a, pkt)
    emit(parse(r, qid) if r is not None else {"reply": "0"})


def answered_ok(r, qid):
    if r is None:
        return False
    p = parse(r, qid)
    return p.get("id_match") == "1" and p.get("rcode") == "NOERROR" and p.get("an") != "0"


def cmd_pipe(a):
    # every query written in one send: the server must answer each
    ids = random.sample(range(65536), a.count)
    data = b"".join(frame(build_query(a, i)) for i in ids)
    if a.rcvbuf:
        # a small window: the server cannot push its answers out at once
        s = socket.socket(family(a.server), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        s.settimeout(a.timeout)
        s.connect((a.server, a.port))
    else:
        s = tcp_connect(a)
    s.sendall(data)
    if a.shut:
        s.shutdown(socket.SHUT_WR)   # the answers must still come
    if a.delay:
        time.sleep(a.delay)          # a client slow to read
    got = []
    for _ in ids:
        r = tcp_read_msg(s)
        if r is None:
            break
        got.append(r)
    s.close()
    rids = [struct.unpack("!H", r[:2])[0] for r in got]
    ok = sum(1 for r, i in zip(got, rids) if answered_ok(r, i))
    emit({"answered": ok, "ids_ok": "1" if sorted(rids) == sorted(ids) else "0"})


def cmd_seq(a):
    # one query, wait for its answer, then the next, on one connection
    s = tcp_connect(a)
    ok = 0
    for _ in range(a.count):
        qid = random.randrange(65536)
        msg = frame(build_query(a, qid))
        if a.split:
            # the length, then the message in two pieces, apart in time
            for piece in (msg[:1], msg[1:2], msg[2:9], msg[9:]):
                s.sendall(piece)
                time.sleep(0.1)
        else:
            s.sendall(msg)
        if answered_ok(tcp_read_msg(s), qid):
            ok += 1
        if a.pause:
            time.sleep(a.pause)
    s.close()
    emit({"answered": ok})


def wait_closed(s, limit):
    """Seconds until the peer closes the connection, or -1 after `limit`."""
    t0 = time.monotonic()
    s.settimeout(0.1)
    while time.monotonic() - t0 < limit:
        try:
            if s.recv(4096) == b"":
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.monotonic() - t0
    return -1


def cmd_idle(a):
    s = tcp_connect(a)
    if a.first:
        qid = random.randrange(65536)
        s.sendall(frame(build_query(a, qid)))
        emit({"first_answered": "1" if answered_ok(tcp_read_msg(s), qid) else "0"})
    emit({"closed_after": "%.1f" % wait_closed(s, a.wait)})
    s.close()


def cmd_cap(a):
    held = [tcp_connect(a) for _ in range(a.count)]
    time.sleep(0.3)   # let the server accept them all, in order
    answered = closed = 0
    for s in held:
        # connections over the cap are closed by the server at once
        qid = random.randrange(65536)
        try:
            s.sendall(frame(build_query(a, qid)))
            if answered_ok(tcp_read_msg(s), qid):
                answered += 1
                continue
        except (BrokenPipeError, ConnectionResetError):
            pass
        if wait_closed(s, 1.0) >= 0:
            closed += 1
    emit({"answered": answered, "closed": closed})
    for s in held:
        s.close()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["query", "bad", "pipe", "seq", "idle", "cap"])
    p.add_argument("--server", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tcp", action="store_true")
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("--name", default="example.org")
    p.add_argument("--type", default="A")
    p.add_argument("--qclass", type=int, default=1)
    p.add_argument("--opcode", type=int, default=0)
    p.add_argument("--flags", type=lambda x: int(x, 0), default=0,
                   help="extra header flag bits, e.g. 0x0040 (Z)")
    p.add_argument("--rd", action="store_true")
    p.add_argument("--edns", action="store_true")
    p.add_argument("--edns-version", type=int, default=0)
    p.add_argument("--edns-flags", type=lambda x: int(x, 0), default=0)
    p.add_argument("--do", action="store_true")
    p.add_argument("--payload", type=int, default=0)
    p.add_argument("--option", action="append", default=[],
                   help="EDNS option CODE:HEX (repeatable)")
    p.add_argument("--kind", choices=BAD_KINDS)
    p.add_argument("--count", type=int, default=2)
    p.add_argument("--pause", type=float, default=0.0)
    p.add_argument("--split", action="store_true",
                   help="seq: send each message in pieces, 0.1 s apart")
    p.add_argument("--shut", action="store_true",
                   help="pipe: shut down our sending side after the queries")
    p.add_argument("--rcvbuf", type=int, default=0,
                   help="pipe: our socket's receive buffer (bytes)")
    p.add_argument("--delay", type=float, default=0.0,
                   help="pipe: seconds to wait before reading the answers")
    p.add_argument("--wait", type=float, default=10.0)
    p.add_argument("--tsig", default="",
                   help="query: sign with ALG:NAME:BASE64SECRET")
    p.add_argument("--tsig-skew", type=int, default=0,
                   help="query: seconds added to the Time Signed")
    p.add_argument("--first", action="store_true",
                   help="idle: send one query before going idle")
    a = p.parse_args()
    try:
        {"query": cmd_query, "bad": cmd_bad, "pipe": cmd_pipe, "seq": cmd_seq,
         "idle": cmd_idle, "cap": cmd_cap}[a.command](a)
    except OSError as e:
        print("error=%s" % e)
        sys.exit(1)


if __name__ == "__main__":
    main()
