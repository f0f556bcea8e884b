#!/usr/bin/env bash
# HTTP framing (RFC 9112): conflicting Content-Lengths are refused and the
# connection closed; a body over the route's cap is refused before it is
# read (413 at once, also for Expect: 100-continue), and a chunked body
# that grows past the cap ends the connection instead of being read to
# its end.
. "$(dirname "$0")/../lib.sh"

dz_config framing
dz init >/dev/null
dz_start
raw() { "$DZ_TOP/tests/http/rawhttp.py" "$DZ_HTTP_PORT" "$@"; }
head_() { printf 'POST /api/v1/login HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n%s\n' "$1"; }

out=$(head_ $'Content-Length: 5\nContent-Length: 7\n' | raw)
is "$(echo "$out" | sed -n 1p)" "HTTP/1.1 400 Bad Request" "two different Content-Lengths: 400"
is "$(echo "$out" | sed -n 2p)" "closed" "... and the connection is closed"

out=$(printf 'POST /api/v1/login HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nContent-Length: 2\nContent-Length: 2\n\n{}' | raw)
like "$(echo "$out" | sed -n 1p)" "^HTTP/1.1 400" "the same Content-Length twice is read as one (the API answers)"

out=$(head_ $'Content-Length: 2\nTransfer-Encoding: chunked\n' | raw)
is "$(echo "$out" | sed -n 1p)" "HTTP/1.1 400 Bad Request" "Content-Length with Transfer-Encoding: 400"
is "$(echo "$out" | sed -n 2p)" "closed" "... and the connection is closed"

out=$(head_ $'Content-Length: 8000000000\nExpect: 100-continue\n' | raw)
like "$(echo "$out" | sed -n 1p)" "^HTTP/1.1 413" "Expect: 100-continue with a length over the cap: 413, not 100 Continue"
is "$(echo "$out" | sed -n 2p)" "closed" "... and the connection is closed"

out=$(head_ $'Content-Length: 800000000\n' | raw --body-mb 200 --wait 3)
like "$(echo "$out" | sed -n 1p)" "^HTTP/1.1 413" "a declared length over the cap: 413 at once"
sent=$(echo "$out" | sed -n 's/^sent=//p')
check "the body was not read to its end ($sent of 209715200 bytes taken)" test "$sent" -lt 50000000

# a chunked body past the cap: the connection ends long before the end
sent=$(python3 - "$DZ_HTTP_PORT" <<'PY'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
          b'Transfer-Encoding: chunked\r\n\r\n')
sent = 0
s.settimeout(2)
try:
    while sent < 200 << 20:
        s.sendall(b'10000\r\n' + b'x' * 65536 + b'\r\n')
        sent += 65536
except OSError:
    pass
print(sent)
PY
)
check "a chunked body over the cap is not read to its end ($sent bytes taken)" test "$sent" -lt 50000000

# the server is still fine
is "$(curl -s "http://127.0.0.1:$DZ_HTTP_PORT/checkip")" "127.0.0.1" "the server still answers"
dz_stop
t_done
