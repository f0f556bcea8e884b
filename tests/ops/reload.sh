#!/usr/bin/env bash
# SIGHUP: the log file is reopened (logrotate's rename, then HUP), a new
# TLS certificate is served without a restart (its fingerprint, read with
# openssl s_client), a broken or missing certificate or key keeps the old
# one and logs why, the replaced HTTPS daemons are stopped (the thread
# count does not grow), and the server keeps answering and stops cleanly.
. "$(dirname "$0")/../lib.sh"

make_certs "$TMP/a" && make_certs "$TMP/b"
check "two test certificates made" test -s "$TMP/b/server.pem"
L=$TMP/live
mkdir -p "$L"
cp "$TMP/a/server.pem" "$L/cert.pem"; cp "$TMP/a/server.key" "$L/key.pem"
HTTPS_PORT=$(free_port)
dz_config r "https-listen = 127.0.0.1:$HTTPS_PORT" "tls-cert = $L/cert.pem" \
	"tls-key = $L/key.pem" "log-file = $TMP/r/dz.log"
LOG=$TMP/r/dz.log
"$DYNZONE" -c "$DZ_CONF" serve >"$DZ_DIR/serve.log" 2>&1 &
DZ_PID=$!
PIDS+=("$DZ_PID")
started "$DZ_PID" "$LOG" ": ready$" "dynzone serve with log-file" || { t_done; exit; }
ok "the log lines go to log-file"
is "$(stat -c %a "$LOG")" 640 "log-file is created 0640"
is "$(wc -c <"$DZ_DIR/serve.log")" 0 "nothing on stderr"

fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2; }
served() {
	openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername localhost </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2
}
FA=$(fp "$TMP/a/server.pem"); FB=$(fp "$TMP/b/server.pem")
is "$(served)" "$FA" "the first certificate is served"
threads0=$(ls /proc/"$DZ_PID"/task | wc -l)

# logrotate: rename, then HUP; the new certificate at the same time
mv "$LOG" "$LOG.1"
cp "$TMP/b/server.pem" "$L/cert.pem"; cp "$TMP/b/server.key" "$L/key.pem"
kill -HUP "$DZ_PID"
check "after HUP a new log file is made" wait_for yes 5000 \
	sh -c "grep -q 'log file .* reopened' '$LOG' 2>/dev/null && echo yes"
like "$(cat "$LOG.1")" "reload on SIGHUP" "the rotated file got the lines until the reopen"
unlike "$(cat "$LOG.1")" "reopened" "and nothing after it"
check "the new certificate is served after HUP" wait_for "$FB" 5000 served
like "$(cat "$LOG")" "https on 127.0.0.1:$HTTPS_PORT: certificate reloaded" "the reload is logged"

# a broken certificate: the old one stays
echo "not a certificate" >"$L/cert.pem"
kill -HUP "$DZ_PID"
check "a broken certificate is refused with an error" wait_for yes 5000 \
	sh -c "grep -q 'error: reload: tls: $L/cert.pem: no PEM certificate.*old certificate is still served' '$LOG' && echo yes"
is "$(served)" "$FB" "the previous certificate is still served"

# a certificate with another certificate's key
cp "$TMP/a/server.pem" "$L/cert.pem"
kill -HUP "$DZ_PID"
check "a key that does not match is refused" wait_for yes 5000 \
	sh -c "grep -q 'error: reload: tls: $L/key.pem is not the key of the certificate' '$LOG' && echo yes"
is "$(served)" "$FB" "still the previous certificate"

# a missing key file
rm "$L/key.pem"
kill -HUP "$DZ_PID"
check "a missing key file is named in the error" wait_for yes 5000 \
	sh -c "grep -q 'error: reload: tls: $L/key.pem: No such file' '$LOG' && echo yes"
is "$(served)" "$FB" "still served after a missing key"

# back to a good pair; several reloads leave no daemon behind
cp "$TMP/a/server.key" "$L/key.pem"
for i in 1 2 3; do
	n=$(grep -c 'certificate reloaded' "$LOG")
	kill -HUP "$DZ_PID"
	wait_for $((n + 1)) 5000 grep -c 'certificate reloaded' "$LOG"
done
is "$(served)" "$FA" "a good pair again: served"
is "$(ls /proc/"$DZ_PID"/task | wc -l)" "$threads0" "replaced HTTPS daemons are stopped (threads: $threads0)"
is "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT/nic/update")" 401 \
	"HTTPS still answers requests"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$DZ_HTTP_PORT/nic/update")" 401 \
	"HTTP too"
is "$(rcode example.test SOA)" REFUSED "DNS too"
kill "$DZ_PID"; wait "$DZ_PID"; rc=$?
is "$rc" 0 "SIGTERM: a clean stop"
like "$(tail -1 "$LOG")" "stopping on signal 15" "the stop is logged in the new file"
t_done
