# Shared helpers for integration tests (bash).  Source it first:
#   . tests/lib.sh
# Every check prints one TAP line; tests/run tallies them.  Servers started
# here listen on loopback only and are stopped by PID when the script exits.
set -u
: "${DYNZONE:?DYNZONE must point at the dynzone binary}"
T_N=0
T_FAIL=0
TMP=$(mktemp -d /tmp/dztest.XXXXXX)
PIDS=()

t_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap t_cleanup EXIT

ok()    { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
notok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
diag()  { printf '#   %s\n' "$@"; }

# check NAME CMD...: passes if CMD exits 0.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else notok "$name"; diag "command: $*"; fi
}
# is GOT WANT NAME: exact string compare.
is() {
	if [ "$1" = "$2" ]; then ok "$3"; else notok "$3"; diag "got:  $1" "want: $2"; fi
}
# like GOT REGEX NAME: extended regex match.
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok "$3"; else notok "$3"; diag "got:  $1" "want: /$2/"; fi
}
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then notok "$3"; diag "got:  $1" "must not match: /$2/"; else ok "$3"; fi
}

# A port free for both TCP and UDP on 127.0.0.1 and ::1.
free_port() {
	python3 - <<'PY'
import socket, random
for _ in range(200):
    p = random.randint(20000, 60000)
    try:
        ss = []
        for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(fam, typ); s.bind((host, p)); ss.append(s)
        for s in ss: s.close()
        print(p); break
    except OSError:
        for s in ss: s.close()
PY
}

# dz_config NAME [key=value...]: write $TMP/NAME/dynzone.conf with fresh
# ports and a fresh database; sets DZ_DIR DZ_CONF DZ_PORT DZ_HTTP_PORT.
dz_config() {
	local name=$1; shift
	DZ_DIR=$TMP/$name
	mkdir -p "$DZ_DIR"
	DZ_CONF=$DZ_DIR/dynzone.conf
	DZ_PORT=$(free_port)
	DZ_HTTP_PORT=$(free_port)
	{
		echo "db = $DZ_DIR/dynzone.db"
		echo "dns-listen = 127.0.0.1:$DZ_PORT"
		echo "dns-listen = [::1]:$DZ_PORT"
		echo "http-listen = 127.0.0.1:$DZ_HTTP_PORT"
		echo "http-listen = [::1]:$DZ_HTTP_PORT"
		local kv
		for kv in "$@"; do echo "$kv"; done
	} >"$DZ_CONF"
}

# dz ARGS...: run the dynzone command against the current config.
dz() { "$DYNZONE" -c "$DZ_CONF" "$@"; }

# dz_start [ARGS]: start `dynzone serve ARGS` for the current config in the
# background and wait until it says it is ready.  Sets DZ_PID.  Log in
# $DZ_DIR/serve.log.  Global options (before `serve`) from $DZ_GLOBAL_OPTS.
dz_start() {
	: >"$DZ_DIR/serve.log"
	# shellcheck disable=SC2086  # a word list on purpose
	"$DYNZONE" -c "$DZ_CONF" ${DZ_GLOBAL_OPTS:-} serve "$@" >>"$DZ_DIR/serve.log" 2>&1 &
	DZ_PID=$!
	PIDS+=("$DZ_PID")
	local i
	for i in $(seq 1 200); do
		grep -q 'ready' "$DZ_DIR/serve.log" && return 0
		kill -0 "$DZ_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "# dynzone serve did not start:" >&2
	sed 's/^/#   /' "$DZ_DIR/serve.log" >&2
	return 1
}

# dz_stop: stop the server started by dz_start (SIGTERM, wait).
dz_stop() {
	kill "$DZ_PID" 2>/dev/null
	wait "$DZ_PID" 2>/dev/null
	return 0
}

# q ARGS...: dig against the server over UDP on 127.0.0.1 (add +tcp, -6...).
q() { dig @127.0.0.1 -p "$DZ_PORT" +norec +time=2 +tries=1 "$@"; }
q6() { dig @::1 -p "$DZ_PORT" +norec +time=2 +tries=1 "$@"; }
# qs ARGS...: short answers, sorted, one line.
qs() { q +short "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
# rcode ARGS...: the status word of a dig answer (NOERROR, NXDOMAIN, ...).
rcode() { q "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1; }
# flags ARGS...: the flags of a dig answer ("qr aa").
flags() { q "$@" | sed -n 's/.*;; flags: \([a-z ]*\);.*/\1/p' | head -1; }

# t_done: print the plan line; exit non-zero if anything failed.
t_done() {
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
}
