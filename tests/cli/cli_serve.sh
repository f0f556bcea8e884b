#!/usr/bin/env bash
# `dynzone serve` as a process: it says ready, SIGHUP leaves it serving,
# SIGTERM and SIGINT stop it cleanly (exit 0, ports free again); the
# command line's usage, --help, --version and unknown commands.
. "$(dirname "$0")/../lib.sh"

dz_config serve
dz zone add example.org --ns ns1.example.org=192.0.2.1 >/dev/null
dz record add www.example.org A 192.0.2.10 >/dev/null

# stop_with SIG: send SIG to the server; STOP_RC gets its exit status (or
# "running" if it is still up after 3 s)
stop_with() {
	local i
	kill -"$1" "$DZ_PID"
	for i in $(seq 1 60); do
		if ! kill -0 "$DZ_PID" 2>/dev/null; then
			wait "$DZ_PID"
			STOP_RC=$?
			return
		fi
		sleep 0.05
	done
	STOP_RC=running
}

for sig in TERM INT; do
	dz_start || notok "serve starts"
	like "$(cat "$DZ_DIR/serve.log")" 'info: ready$' "serve logs 'ready' once it answers"
	is "$(dig @127.0.0.1 -p "$DZ_PORT" +norec +time=2 +tries=1 +short www.example.org A)" 192.0.2.10 \
		"serve answers"
	stop_with "$sig"
	is "$STOP_RC" 0 "SIG$sig: serve exits with status 0"
	like "$(cat "$DZ_DIR/serve.log")" 'stopping on signal' "SIG$sig: serve says why it stops"
done
dz_start || notok "serve starts again on the same ports after a stop"
ok "the ports are free again after a stop"
kill -HUP "$DZ_PID"
sleep 0.5
check "SIGHUP: serve keeps running" kill -0 "$DZ_PID"
is "$(dig @::1 -p "$DZ_PORT" +norec +time=2 +tries=1 +short www.example.org A)" 192.0.2.10 \
	"SIGHUP: serve keeps answering"
stop_with TERM
is "$STOP_RC" 0 "SIGTERM after SIGHUP: exit 0"

unlike "$(cat "$DZ_DIR/serve.log")" 'debug: ' "without -d, no debug messages"

# -d: debug messages too (here: a change the daemon takes from the journal)
if DZ_GLOBAL_OPTS=-d dz_start; then
	dz record add dbg.example.org A 192.0.2.11 >/dev/null
	if wait_for yes 5000 eval 'grep -q "debug: applied [0-9]* changes" "$DZ_DIR/serve.log" && echo yes'; then
		ok "-d serve logs, at debug level, the change it applied from the journal"
	else
		notok "-d serve logs, at debug level, the change it applied from the journal"
	fi
	stop_with TERM
	is "$STOP_RC" 0 "-d serve stops with status 0"
else
	notok "-d serve starts"
fi

# --- the command line -----------------------------------------------------------
out=$("$DYNZONE" --version); rc=$?
like "$rc/$out" '^0/dynzone [0-9]+\.[0-9]+' "--version"
out=$("$DYNZONE" --help); rc=$?
like "$rc/$out" '^0/usage: dynzone ' "--help: usage, exit 0"
like "$out" '^  -d, --debug ' "--help lists -d"
for c in "serve" "zone add" "zone list" "zone del" "record add" "record del" "record list" "import zone"; do
	like "$out" "^  dynzone $c( |$)" "--help lists '$c'"
	out2=$("$DYNZONE" -c "$DZ_CONF" $c --help); rc=$?
	like "$rc/$out2" "^0/usage: dynzone \[-c FILE\] $c" "'$c --help': its usage, exit 0"
done
out=$("$DYNZONE" -c "$DZ_CONF" frobnicate 2>&1); rc=$?
like "$rc/$out" "^2/dynzone: unknown command 'frobnicate'" "unknown command: exit 2 with a message"
out=$("$DYNZONE" -c "$DZ_CONF" 2>&1); rc=$?
like "$rc/$out" "^2/usage: " "no command: usage, exit 2"
out=$("$DYNZONE" -c "$DZ_CONF" zone list extra 2>&1); rc=$?
like "$rc/$out" "^2/dynzone: zone list: too many arguments" "too many arguments: exit 2"
out=$("$DYNZONE" -x 2>&1); rc=$?
like "$rc/$out" "^2/dynzone: unknown option -x" "unknown global option: exit 2"
out=$("$DYNZONE" -c "$DZ_CONF" --db=/nonexistent/dir/x.db zone list 2>&1); rc=$?
like "$rc/$out" "^1/dynzone: cannot open the store: /nonexistent/dir/x\.db" \
	"a store that cannot be opened: exit 1 with the path"
out=$("$DYNZONE" -c "$DZ_CONF" --db=/nonexistent/dir/x.db serve 2>&1); rc=$?
is "$rc" 1 "serve on a store that cannot be opened: exit 1"
t_done
