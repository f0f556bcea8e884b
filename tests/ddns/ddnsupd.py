#!/usr/bin/python3
"""Send one DNS UPDATE with dnspython and print the outcome: the rcode
("NOERROR", "REFUSED", ...) or, for a TSIG error the server signalled,
the exception dnspython raised (PeerBadSignature, PeerBadKey, PeerBadTime).

  ddnsupd.py PORT ZONE KEYNAME:SECRET|- [--tcp] [--skew SECONDS] OP...
  OP: add:NAME:TTL:TYPE:DATA  del:NAME:TYPE[:DATA]  delname:NAME
      present:NAME[:TYPE[:DATA]]  absent:NAME[:TYPE]
"""
import sys, time
import dns.message, dns.query, dns.rcode, dns.renderer, dns.tsig, dns.tsigkeyring, dns.update

port, zone, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
args = sys.argv[4:]
tcp = "--tcp" in args
skew = 0
if "--skew" in args:
    skew = int(args[args.index("--skew") + 1])
    args = [a for i, a in enumerate(args) if a != "--skew" and args[i - 1] != "--skew"]
ops = [a for a in args if a != "--tcp"]

if skew:
    class _T:  # messages are signed with time.time(): shift it
        @staticmethod
        def time():
            return time.time() + skew
    dns.renderer.time = dns.message.time = _T

kw = {}
if key != "-":
    name, secret = key.split(":", 1)
    kw = dict(keyring=dns.tsigkeyring.from_text({name: secret}), keyalgorithm=dns.tsig.HMAC_SHA256)
u = dns.update.Update(zone, **kw)
for op in ops:
    f = op.split(":", 4 if op.startswith("add:") else 3)
    if f[0] == "add":
        u.add(f[1], int(f[2]), f[3], f[4])
    elif f[0] == "del":
        u.delete(f[1], *f[2:])
    elif f[0] == "delname":
        u.delete(f[1])
    elif f[0] == "present":
        u.present(f[1], *f[2:])
    elif f[0] == "absent":
        u.absent(f[1], *f[2:])
try:
    q = dns.query.tcp if tcp else dns.query.udp
    r = q(u, "127.0.0.1", timeout=5, port=port)
    print(dns.rcode.to_text(r.rcode()))
except dns.tsig.PeerError as e:
    print(type(e).__name__)
except dns.exception.Timeout:
    print("TIMEOUT")
