# Helpers for the dynzone-update integration tests (tests/integration/
# client_*.sh).  Source after tests/lib.sh.
: "${DYNZONE_UPDATE:?DYNZONE_UPDATE must point at the dynzone-update binary}"
DU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T0=1700000000   # the fake clock's start (--time)

# fake_start DIR [fakeserver.py args...]: start the scripted server with its
# files in DIR (reply, checkip, requests.log); sets FAKE_PORT and FAKE_PID.
fake_start() {
	local dir=$1 i; shift
	mkdir -p "$dir"
	: >"$dir/requests.log"
	rm -f "$dir/port"
	[ -f "$dir/reply" ] || reply "$dir" 200 "good"
	python3 "$DU_TOP/tests/client/fakeserver.py" --dir "$dir" --port-file "$dir/port" "$@" \
		2>>"$dir/server.err" &
	FAKE_PID=$!
	PIDS+=("$FAKE_PID")
	for i in $(seq 1 200); do
		[ -s "$dir/port" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$dir/port")
}

# reply DIR STATUS BODY [HEADER...]: what the scripted server answers next.
reply() {
	local dir=$1 status=$2 body=$3 h
	shift 3
	{
		echo "$status"
		for h in "$@"; do echo "$h"; done
		echo
		printf '%s' "$body"
	} >"$dir/reply.tmp"
	mv "$dir/reply.tmp" "$dir/reply"
}

# du_conf FILE SERVER HOST [KEY=VALUE...]: a one-host config, mode 0600,
# with its cache at $DU_CACHE (default $TMP/state/cache).
du_conf() {
	local f=$1 server=$2 host=$3 kv
	shift 3
	{
		echo "cache = ${DU_CACHE:-$TMP/state/cache}"
		echo "server = $server"
		echo "[host $host]"
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
	} >"$f"
	chmod 600 "$f"
}

# Counts and contents of what the scripted server in DIR received.
updates() { grep -vc ' /checkip' "$1/requests.log"; }
checkips() { grep -c ' /checkip' "$1/requests.log"; }
last_update() { grep -v ' /checkip' "$1/requests.log" | tail -1 | cut -d' ' -f2; }
last_auth() { grep -v ' /checkip' "$1/requests.log" | tail -1 | cut -d' ' -f3; }

# du_once CONF TIME [ARGS...]: run `dynzone-update --once` with the clock at
# TIME; sets OUT (stdout), ERR (stderr) and RC (exit status).
du_once() {
	local conf=$1 t=$2
	shift 2
	OUT=$("$DYNZONE_UPDATE" -c "$conf" --once --time "$t" "$@" 2>"$TMP/du.err")
	RC=$?
	ERR=$(cat "$TMP/du.err")
}

# wait_for N MS CMD...: wait until CMD prints N (polling every 10 ms);
# returns 0 if it did within MS milliseconds.  Sets WAITED (ms).
wait_for() {
	local want=$1 ms=$2 start
	shift 2
	start=$(date +%s%3N)
	while :; do
		WAITED=$(( $(date +%s%3N) - start ))
		[ "$("$@")" = "$want" ] && return 0
		[ "$WAITED" -ge "$ms" ] && return 1
		sleep 0.01
	done
}
