#!/usr/bin/env bash
# The README's first command, tools/run, in a fresh clone: in a directory
# only root can enter (such as /root or one from mktemp -d) it serves as
# root and says why; where nobody can reach ./var it drops to nobody; it
# prints the ports its config really has; and a store the dropped user
# cannot reach stops the daemon with a message naming the path and the
# user.  In a network namespace of the test's own (ports 5353 and 8053).
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

# run_demo DIR: tools/run in the clone at DIR, in the background, until it
# says ready (DYNZONE: the binary under test, not a new build).  RUN_PID.
run_demo() {
	(cd "$1" && DYNZONE=$DYNZONE exec tools/run) >"$1.out" 2>&1 &
	RUN_PID=$!
	PIDS+=("$RUN_PID")
	started "$RUN_PID" "$1.out" ": ready$" "tools/run in $1"
}
stop_demo() { kill "$RUN_PID" 2>/dev/null; wait "$RUN_PID" 2>/dev/null; return 0; }

# a clone under /root (a root-only directory), as the README's first
# command meets it; elsewhere, a root-only directory of our own
if [ "$(id -u)" = 0 ] && [ -d /root ] && [ "$(stat -c %a /root)" = 700 ]; then
	PRIV=$(mktemp -d /root/.dztest-run.XXXXXX)
	trap 'rm -rf "$PRIV"; t_cleanup' EXIT
else
	PRIV=$TMP/private
	mkdir -m 700 "$PRIV"
fi
# the checkout's tools/ is all tools/run needs when DYNZONE names the binary
mkdir -p "$PRIV/repo"
cp -a "$DZ_TOP/tools" "$PRIV/repo/"
R=$PRIV/repo
diag "the root-only checkout: $R"
if run_demo "$R"; then
	ok "tools/run starts in a clone only root can enter"
	like "$(cat "$R.out")" "nobody cannot reach .*/var: the server keeps running as root" "and says why it stays root"
	is "$(dig +short +norec @127.0.0.1 -p 5353 TXT dyn.localhost)" '"dynzone demo zone"' "the demo zone answers on 5353"
	is "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8053/)" 200 "the dashboard answers on 8053"
	like "$(cat "$R.out")" "dig @127.0.0.1 -p 5353 SOA dyn.localhost" "it prints the DNS port"
	like "$(cat "$R.out")" "created the first admin account" "and the first admin account"
	is "$(stat -c %a "$R/var/dynzone.db")" 600 "its store is private"
	stop_demo
else
	notok "tools/run starts in a clone only root can enter"
fi

# the config is the user's: other ports are used and printed
sed -i -e 's/:5353$/:5354/' -e 's/:8053$/:8054/' "$R/var/dynzone.conf"
if run_demo "$R"; then
	like "$(cat "$R.out")" "dig @127.0.0.1 -p 5354 SOA" "a second run prints the DNS port the config says"
	like "$(cat "$R.out")" "http://127.0.0.1:8054/" "and the HTTP port"
	unlike "$(cat "$R.out")" "created the first admin" "and keeps the admin it made before"
	is "$(dig +short +norec @127.0.0.1 -p 5354 TXT dyn.localhost)" '"dynzone demo zone"' "and serves there"
	stop_demo
else
	notok "tools/run starts again with the ports changed"
fi

# a clone that nobody can reach: the server drops to nobody
mkdir -m 755 "$TMP/open"
chmod 711 "$TMP"
cp -a "$R" "$TMP/open/repo"
rm -rf "$TMP/open/repo/var"
O=$TMP/open/repo
if run_demo "$O"; then
	# tools/run execs the server: RUN_PID is the server
	like "$(cat /proc/$RUN_PID/status 2>/dev/null)" $'Uid:\t65534' "where nobody can reach ./var the server runs as nobody"
	is "$(dig +short +norec @127.0.0.1 -p 5353 TXT dyn.localhost)" '"dynzone demo zone"' "and answers"
	stop_demo
else
	notok "tools/run starts where nobody can reach ./var"
fi

# the daemon itself: a store its user cannot reach stops start-up, naming both
dz_config unreach "user = nobody"
mkdir -m 700 "$DZ_DIR/store"
sed -i "s|^db = .*|db = $DZ_DIR/store/dynzone.db|" "$DZ_CONF"
dz zone list >/dev/null
out=$("$DYNZONE" -c "$DZ_CONF" serve 2>&1); rc=$?
is "$rc" 1 "a store the dropped user cannot reach stops the server"
like "$out" "uid 65534 cannot write the store's directory $DZ_DIR/store" "naming the path and the uid"
like "$out" "runs as user nobody after binding" "and the user"
t_done
