#!/usr/bin/env python3
"""Send raw bytes to an HTTP server and print what comes back.

    rawhttp.py PORT [--body-mb N] [--wait S] < request-head

The request head comes on stdin (\\n is sent as \\r\\n).  With --body-mb the
script then streams N MiB of body as fast as the server takes it and stops at
the first error.  Prints the status line of the first reply (or "none"),
whether the server closed the connection ("closed" / "open") and how many
body bytes it took ("sent=N").
"""
import socket, sys, time

port = int(sys.argv[1])
body_mb = 0
wait = 2.0
args = sys.argv[2:]
while args:
    a = args.pop(0)
    if a == '--body-mb':
        body_mb = int(args.pop(0))
    elif a == '--wait':
        wait = float(args.pop(0))
head = sys.stdin.read().replace('\r\n', '\n').replace('\n', '\r\n')
s = socket.create_connection(('127.0.0.1', port), timeout=wait)
s.sendall(head.encode('latin-1'))
sent = 0
chunk = b'x' * 65536
if body_mb:
    s.settimeout(0.5)
    try:
        while sent < body_mb << 20:
            s.sendall(chunk)
            sent += len(chunk)
    except (socket.timeout, OSError):
        pass
s.settimeout(wait)
data = b''
closed = False
deadline = time.time() + wait
try:
    while time.time() < deadline:
        d = s.recv(65536)
        if not d:
            closed = True
            break
        data += d
except socket.timeout:
    pass
except OSError:
    closed = True
line = data.split(b'\r\n', 1)[0].decode('latin-1') if data else 'none'
print(line)
print('closed' if closed else 'open')
print('sent=%d' % sent)
