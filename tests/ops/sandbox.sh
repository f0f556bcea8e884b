#!/usr/bin/env bash
# The serving process's sandbox (seccomp = yes, the default): after start-up
# /proc/PID/status says NoNewPrivs: 1 and Seccomp: 2 with one filter more
# than its parent has, the log counts the allowed system calls, and the
# server, dropped to user nobody, still does all of its work through the
# filter: DNS over UDP, TCP and TSIG-signed, an HTTP update, a DNS UPDATE, an
# AXFR, the tinydns export, the dashboard API, a reload on SIGHUP (log file
# and TLS certificate re-read as nobody) and a clean stop on SIGTERM.  With
# seccomp = no there is no filter and the log says so.
. "$(dirname "$0")/../lib.sh"

KEY=$(tsig_secret)
make_certs "$TMP/pki"
HTTPS_PORT=$(free_port)
dz_config sb "user = nobody" "tsig-key = sbkey hmac-sha256 $KEY" \
	"allow-update = dyn.test sbkey *.dyn.test A,TXT" "allow-transfer = dyn.test sbkey" \
	"export-cdb = $TMP/sb/data.cdb" "signup = open" "signup-zones = dyn.test" \
	"https-listen = 127.0.0.1:$HTTPS_PORT" "tls-cert = $TMP/pki/server.pem" \
	"tls-key = $TMP/pki/server.key" "log-file = $TMP/sb/dz.log"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
echo "alice-password" | dz user add alice 2>/dev/null
TOK=$(dz host add h.dyn.test --user alice)
# the dropped user reaches the store, the log, the export and the TLS files
chmod 755 "$TMP"
chown -R nobody "$TMP/sb" "$TMP/pki"
LOG=$TMP/sb/dz.log
"$DYNZONE" -c "$DZ_CONF" serve >"$DZ_DIR/serve.log" 2>&1 &
DZ_PID=$!
PIDS+=("$DZ_PID")
started "$DZ_PID" "$LOG" ": ready$" "dynzone serve (seccomp)" || { t_done; exit; }

st() { sed -n "s/^$1:[[:space:]]*//p" /proc/"$DZ_PID"/status; }
is "$(st NoNewPrivs)" 1 "NoNewPrivs: 1"
is "$(st Seccomp)" 2 "Seccomp: 2 (filter mode)"
own=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' /proc/$$/status)
is "$(st Seccomp_filters)" $((own + 1)) "one filter more than the test's shell has ($own)"
is "$(st Uid | awk '{print $1}')" "$(id -u nobody)" "running as nobody"
like "$(cat "$LOG")" "sandbox: no-new-privs on, seccomp allows [0-9]{3} system calls" \
	"the log says the filter is on and how many calls it allows"
# every thread has the filter (TSYNC), not just the main one
bad=0
for t in /proc/"$DZ_PID"/task/*; do
	grep -q '^Seccomp:[[:space:]]*2' "$t/status" || bad=$((bad + 1))
done
is "$bad" 0 "every one of its $(ls /proc/"$DZ_PID"/task | wc -l) threads is filtered"
# each names itself (src/common/thread.h; prctl under the filter)
names=$(cat /proc/"$DZ_PID"/task/*/comm | sort -u | tr '\n' ' ')
for n in dz-udp dz-tcp dz-commit dz-sync dz-timer dz-export; do
	like "$names" "(^| )$n " "a thread is named $n ($names)"
done

use udp4
is "$(dstatus dyn.test SOA)" NOERROR "DNS over UDP"
use tcp6
is "$(dstatus dyn.test SOA)" NOERROR "DNS over TCP"
out=$(dz_dig 127.0.0.1 -y "hmac-sha256:sbkey:$KEY" dyn.test SOA)
like "$out" "TSIG.*NOERROR" "a signed query gets a signed answer"

is "$(upd "$TOK" "hostname=h.dyn.test&myip=192.0.2.9")" "good 192.0.2.9" "an HTTP update"
is "$(qs h.dyn.test A)" 192.0.2.9 "served at once"
out=$(nsu sbkey "$KEY" <<'N'
zone dyn.test
update add u.dyn.test 60 TXT "through-seccomp"
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "a DNS UPDATE"
is "$(qs u.dyn.test TXT)" '"through-seccomp"' "served at once"
n=$(dz_dig 127.0.0.1 -y "hmac-sha256:sbkey:$KEY" +tcp dyn.test AXFR | grep -c 'IN')
check "an AXFR ($n records)" test "$n" -ge 5
check "the tinydns export is written" wait_for yes 5000 \
	sh -c "cdb -l '$TMP/sb/data.cdb' 2>/dev/null | grep -q . && echo yes"
signup bob 'bob-password-12'
is "$ST" 201 "dashboard API: sign-up (argon2)"
call GET /hosts
is "$ST $(j '.hosts | length')" "200 0" "dashboard API: the host list"

fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2; }
served() {
	openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername localhost </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2
}
is "$(served)" "$(fp "$TMP/pki/server.pem")" "HTTPS serves the certificate"
make_certs "$TMP/pki2"
cp "$TMP/pki2/server.pem" "$TMP/pki/server.pem"; cp "$TMP/pki2/server.key" "$TMP/pki/server.key"
mv "$LOG" "$LOG.1"
kill -HUP "$DZ_PID"
check "SIGHUP under seccomp as nobody: the new certificate is served" \
	wait_for "$(fp "$TMP/pki2/server.pem")" 5000 served
check "and the log file was made anew by nobody" wait_for nobody 5000 stat -c %U "$LOG"
is "$(upd "$TOK" "hostname=h.dyn.test&myip=192.0.2.10")" "good 192.0.2.10" "updates still work"
kill "$DZ_PID"; wait "$DZ_PID"; rc=$?
is "$rc" 0 "SIGTERM: a clean stop, exit 0"
like "$(tail -1 "$LOG")" "stopping on signal 15" "the stop is logged"
unlike "$(cat "$LOG.1" "$LOG" "$DZ_DIR/serve.log")" "error" "no error logged"

# seccomp = no: no filter, and the log says so
dz_config off "seccomp = no"
dz_start
is "$(st Seccomp)" 0 "seccomp = no: Seccomp: 0"
like "$(cat "$DZ_DIR/serve.log")" "warning: sandbox: seccomp = no" "and the log says so"
dz_stop
t_done
