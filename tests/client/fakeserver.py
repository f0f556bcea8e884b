#!/usr/bin/env python3
"""A scripted update server for the dynzone-update tests.

It answers every request but /checkip with the reply in DIR/reply, and
/checkip with the text in DIR/checkip (or the caller's address), and logs
one line per request to DIR/requests.log:

    <epoch seconds> <path and query> auth=<user:password or -> ua=<agent>

DIR/reply: a status line ("200"), optional header lines ("Retry-After:
60"), a blank line, then the body.  The status may instead be "close" (close
the connection without a reply) or "hang" (say nothing for 30 s).  The file
is read for every request, so a test rewrites it between steps.

    fakeserver.py --dir DIR --port-file FILE [--listen ADDR] [--tls CERT KEY]

Listens on 127.0.0.1 (or ADDR) on a free port it writes to FILE.
"""
import argparse
import base64
import http.server
import os
import socket
import ssl
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    d = args.dir

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def do_GET(self):
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                auth = base64.b64decode(auth[6:]).decode("utf-8", "replace")
            else:
                auth = "-"
            ua = self.headers.get("User-Agent", "-").replace(" ", "_")
            with open(os.path.join(d, "requests.log"), "a") as f:
                f.write("%.3f %s auth=%s ua=%s\n" % (time.time(), self.path, auth, ua))
            if self.path.split("?")[0] == "/checkip":
                try:
                    with open(os.path.join(d, "checkip")) as f:
                        text = f.read()
                except FileNotFoundError:
                    text = self.client_address[0]
                self.reply(200, [], text)
                return
            with open(os.path.join(d, "reply")) as f:
                raw = f.read()
            head, _, body = raw.partition("\n\n")
            lines = head.split("\n")
            status = lines[0].strip()
            if status == "close":
                self.close_connection = True
                return
            if status == "hang":
                time.sleep(30)
                self.close_connection = True
                return
            headers = [tuple(x.split(": ", 1)) for x in lines[1:] if x]
            self.reply(int(status), headers, body)

        def reply(self, status, headers, body):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

    class Server(http.server.HTTPServer):
        address_family = socket.AF_INET6 if ":" in args.listen else socket.AF_INET
        allow_reuse_address = True

    srv = Server((args.listen, args.port), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
