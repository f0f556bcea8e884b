# The one shell library of the integration tests (bash).  Every script in
# tests/<group>/*.sh sources it first and nothing else:
#   . "$(dirname "$0")/../lib.sh"
# Every check prints one TAP line; tests/run tallies them.  Servers started
# here listen on loopback (or in a namespace of the test's own) and are
# stopped by PID when the script exits.  Sourcing only defines functions and
# a few variables, and makes $TMP: whatever starts a server, installs or
# builds something is a function a script calls.
#
# Sections: TAP checks; waiting; ports; dynzone (config, commands, serve);
# DNS queries (dig, transports, dnsq.py, the test zones); namespaces; the
# update API; the dashboard API; test certificates; real dyndns2 clients
# (ddclient, inadyn); dynzone-update and its scripted server; tinydns.
set -u
: "${DYNZONE:?DYNZONE must point at the dynzone binary}"
DZ_TOP=${DZ_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export LC_ALL=C   # sort, tr and sed byte by byte, whatever the caller's locale
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

# --- TAP checks ---------------------------------------------------------------

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

# t_done: print the plan line; exit non-zero if anything failed.
t_done() {
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
}

# --- waiting ------------------------------------------------------------------

# ms_now: wall-clock milliseconds (monotonic enough for a test).
ms_now() { date +%s%3N; }

# wait_for WANT MS CMD...: run CMD every 10 ms until it prints WANT;
# succeeds if it did within MS milliseconds.  Sets WAITED (ms it took).
wait_for() {
	local want=$1 ms=$2 start
	shift 2
	start=$(ms_now)
	while :; do
		WAITED=$(($(ms_now) - start))
		[ "$("$@")" = "$want" ] && return 0
		[ "$WAITED" -ge "$ms" ] && return 1
		sleep 0.01
	done
}

# started PID LOG REGEX WHAT: wait (at most 10 s) until LOG matches REGEX
# while PID runs; if it does not, show LOG as diagnostics and fail.
started() {
	local pid=$1 log=$2 re=$3 what=$4 i
	for i in $(seq 1 200); do
		grep -q -- "$re" "$log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "# $what did not start:" >&2
	sed 's/^/#   /' "$log" >&2
	return 1
}

# --- ports --------------------------------------------------------------------

# A port free for both TCP and UDP on 127.0.0.1 and ::1.
free_port() {
	python3 - <<'PY'
import socket, random
# below the kernel's ephemeral range: a client's random source port (dig,
# nsupdate, kdig: thousands in a test) must never be the server's port,
# or its query is delivered to the server's own socket and the reply to
# the server itself (xfr/consistent lost an nsupdate that way, ~1 run in 10)
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
lo, hi = (10000, low - 1) if low > 12000 else (20000, 60000)
for _ in range(200):
    p = random.randint(lo, hi)
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

# --- dynzone: config, commands, serve -----------------------------------------

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

# hosts_zone ZONE N [aaaa]: a master file for ZONE on stdout: the SOA
# (serial 1), NS ns1 and its A, and hosts h1..hN, each with an A
# 10.x.y.z (i as 24 bits) and, given aaaa, an AAAA 2001:db8::<i in hex>.
hosts_zone() {
	awk -v zone="$1" -v n="$2" -v six="${3:-}" 'BEGIN {
		print "$ORIGIN " zone "."
		print "$TTL 300"
		print "@ SOA ns1 hostmaster ( 1 3600 600 1209600 60 )"
		print "  NS ns1"
		print "ns1 A 192.0.2.1"
		for (i = 1; i <= n; i++) {
			printf "h%d A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
			if (six != "")
				printf "h%d AAAA 2001:db8::%x:%x\n", i, int(i / 65536), i % 65536
		}
	}'
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
	started "$DZ_PID" "$DZ_DIR/serve.log" ": ready$" "dynzone serve"
}

# dz_stop: stop the server started by dz_start (SIGTERM, wait).
dz_stop() {
	kill "$DZ_PID" 2>/dev/null
	wait "$DZ_PID" 2>/dev/null
	return 0
}

# --- DNS queries --------------------------------------------------------------

# dz_dig SERVER ARGS...: dig against SERVER on the current config's DNS
# port, no recursion, one try of two seconds.
dz_dig() {
	local srv=$1; shift
	dig @"$srv" -p "$DZ_PORT" +norec +time=2 +tries=1 "$@"
}
# dig_status / dig_flags: the status word (NOERROR, NXDOMAIN, ...) / the
# header flags ("qr aa") of the dig output on stdin.
dig_status() { sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1; }
dig_flags() { sed -n 's/.*;; flags: \([a-z ]*\);.*/\1/p' | head -1; }

# q ARGS...: dig over UDP on 127.0.0.1 (add +tcp...); q6: on ::1.  A
# truncated answer is retried over TCP, as dig does by default.
q() { dz_dig 127.0.0.1 "$@"; }
q6() { dz_dig ::1 "$@"; }
# qs ARGS...: short answers, sorted, one line.
qs() { q +short "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
# rcode / flags ARGS...: the status word / the flags of q's answer.
rcode() { q "$@" | dig_status; }
flags() { q "$@" | dig_flags; }

# Transports: one of udp4 tcp4 udp6 tcp6; `use TRANSPORT` selects it for
# dq / dstatus / dflags / dsec / dans / dcount / probe / pv.
DNSQ=$DZ_TOP/tests/dns/dnsq.py
TRANSPORTS="udp4 tcp4 udp6 tcp6"
DQ_SRV=127.0.0.1
DQ_TCP=
TR=udp4

use() {
	case $1 in
	udp4) DQ_SRV=127.0.0.1 DQ_TCP= ;;
	tcp4) DQ_SRV=127.0.0.1 DQ_TCP=1 ;;
	udp6) DQ_SRV=::1 DQ_TCP= ;;
	tcp6) DQ_SRV=::1 DQ_TCP=1 ;;
	*) echo "use: bad transport $1" >&2; return 1 ;;
	esac
	TR=$1
}

# dq ARGS...: dig against the server over the selected transport.  Over
# UDP dig is kept on UDP: +notcp (dig 9.18 sends ANY over TCP by itself)
# and +ignore (no retry over TCP when the answer is truncated).
dq() {
	local t
	if [ -n "$DQ_TCP" ]; then t=(+tcp); else t=(+notcp +ignore); fi
	dz_dig "$DQ_SRV" "${t[@]}" "$@"
}
# dstatus / dflags ARGS...: the status word / the header flags of an answer.
dstatus() { dq "$@" | dig_status; }
dflags() { dq "$@" | dig_flags; }
# dsec SECTION ARGS...: the records of one section (answer, authority,
# additional), one per line as "owner ttl class type rdata" with single
# spaces, sorted, joined with " | ".
dsec() {
	local sec=$1; shift
	dq +noall +"$sec" "$@" | grep -v '^;' | grep -v '^$' | tr -s ' \t' ' ' |
		sort | sed ':a;N;$!ba;s/\n/ | /g'
}
dans() { dsec answer "$@"; }
# dcount SECTION ARGS...: "QUERY: 1, ANSWER: 2, AUTHORITY: 0, ..." -> the
# number for one of QUERY ANSWER AUTHORITY ADDITIONAL.
dcount() {
	local sec=$1; shift
	dq "$@" | sed -n "s/.*$sec: \([0-9]*\).*/\1/p" | head -1
}

# probe CMD ARGS...: tests/dns/dnsq.py (the packets dig will not send)
# against the selected server (adds --tcp for the TCP transports); prints
# key=value lines.
probe() {
	local cmd=$1; shift
	python3 "$DNSQ" "$cmd" --server "$DQ_SRV" --port "$DZ_PORT" \
		${DQ_TCP:+--tcp} "$@"
}
# field KEY: the value of KEY in probe output on stdin.
field() { sed -n "s/^$1=//p" | head -1; }
# pv KEY... -- PROBE ARGS: selected fields of one probe as "k=v k=v ".
pv() {
	local keys=() k out
	while [ "$1" != -- ]; do keys+=("$1"); shift; done
	shift
	out=$(probe "$@")
	for k in "${keys[@]}"; do printf '%s=%s ' "$k" "$(field "$k" <<<"$out")"; done
}

# dns_fixture: create the test zones through the CLI (the path every other
# writer takes) in the current config's store.  example.org holds one of
# every type the server answers, a wildcard, an empty non-terminal, a
# delegation with glue, CNAME chains and RRsets too large for UDP.
dns_fixture() {
	local big mid i
	dz zone add example.org --ns ns1.example.org=192.0.2.1 \
		--ns ns1.example.org=2001:db8::1 --ns ns2.example.net --ttl 7200 >/dev/null || return 1
	while read -r name type value; do
		[ -n "$name" ] || continue
		dz record add "$name" "$type" "$value" --ttl 300 || return 1
	done <<'EOF'
www.example.org A 192.0.2.10
www.example.org AAAA 2001:db8::10
example.org MX 10 mail.example.org.
mail.example.org A 192.0.2.25
txt.example.org TXT "v=spf1 -all" "second string"
alias.example.org CNAME www.example.org.
chain.example.org CNAME alias.example.org.
ext.example.org CNAME www.example.net.
dangling.example.org CNAME nothere.example.org.
_sip._udp.example.org SRV 10 20 5060 sip.example.org.
sip.example.org AAAA 2001:db8::30
ptr.example.org PTR www.example.org.
caa.example.org CAA 0 issue "ca.example.net"
generic.example.org TYPE65280 \# 4 deadbeef
a.b.c.example.org A 192.0.2.60
*.wild.example.org A 192.0.2.40
*.wild.example.org TXT "wild"
exists.wild.example.org A 192.0.2.41
towild.example.org CNAME foo.wild.example.org.
sub.example.org NS ns.sub.example.org.
ns.sub.example.org A 192.0.2.50
todeleg.example.org CNAME host.sub.example.org.
loop1.example.org CNAME loop2.example.org.
loop2.example.org CNAME loop1.example.org.
tochild.example.org CNAME www.child.example.org.
EOF
	# 6 x 250 bytes: more than the 1232 bytes we send over UDP
	big=$(head -c 250 /dev/zero | tr '\0' b)
	for i in 1 2 3 4 5 6; do
		dz record add big.example.org TXT "\"$i$big\"" --ttl 300 || return 1
	done
	# 3 x 250 bytes: over 512 (no EDNS), under 1232
	mid=$(head -c 250 /dev/zero | tr '\0' m)
	for i in 1 2 3; do
		dz record add mid.example.org TXT "\"$i$mid\"" --ttl 300 || return 1
	done
	dz zone add 2.0.192.in-addr.arpa --ns ns1.example.org >/dev/null || return 1
	dz record add 10.2.0.192.in-addr.arpa PTR www.example.org. --ttl 300 || return 1
	# a zone of its own below example.org (no delegation to it)
	dz zone add child.example.org --ns ns1.example.org >/dev/null || return 1
	dz record add www.child.example.org A 192.0.2.70 --ttl 300
}

# dns_serve NAME [key=value...]: a fresh config (dz_config), the fixture
# zones, and a running server; on failure reports it and ends the test.
dns_serve() {
	dz_config "$@"
	if ! dns_fixture; then
		notok "create the test zones with the CLI"
		t_done
		exit 1
	fi
	dz_start || { notok "dynzone serve starts"; t_done; exit 1; }
	ok "dynzone serve starts with the test zones"
}

# --- namespaces ---------------------------------------------------------------

# netns_enter "$@": re-run the calling script in a private network
# namespace (unshare -n, as root) with its loopback up, so that port 53,
# wildcard binds and address changes stay away from the host.  Call it
# first thing; inside, DZ_IN_NETNS=1.  Without the rights it fails the
# test with one check.
netns_enter() {
	if [ -z "${DZ_IN_NETNS:-}" ]; then
		if ! unshare -n true 2>/dev/null; then
			notok "a network namespace of the test's own (unshare -n: run as root)"
			t_done
			exit 1
		fi
		rm -rf "$TMP"   # exec skips the EXIT trap; the new run makes its own
		DZ_IN_NETNS=1 exec unshare -n bash "$0" "$@"
	fi
	ip link set lo up
}

# in_ns CMD...: run CMD in a private mount namespace whose /etc/hosts is
# $TMP/hosts (the host's /etc/hosts is not touched).
in_ns() {
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$TMP/hosts" "$@"
}

# --- the update API (/nic/update) ---------------------------------------------

# up URL QUERY [CURL-ARGS...]: GET URL?QUERY; sets ST (HTTP status), BODY
# (CRLF shown as '|', a bare LF as <LF>, a bare CR as <CR>), HDR (the
# headers) and SECS (the time it took).
up() {
	local url=$1 query=$2 out; shift 2
	out=$(curl -s -m 30 -D "$TMP/hdr" -o "$TMP/body" -w '%{http_code} %{time_total}' "$@" "$url?$query")
	ST=${out% *}
	SECS=${out#* }
	BODY=$(perl -0777 -pe 's/\r\n/|/g; s/\n/<LF>/g; s/\r/<CR>/g' "$TMP/body")
	HDR=$(tr -d '\r' <"$TMP/hdr")
}

# upd TOKEN QUERY: GET /nic/update as the host in QUERY's hostname=; prints
# the reply's first line.
upd() {
	local host=${2#hostname=}
	host=${host%%&*}
	curl -s -m 20 -u "$host:$1" "$(api_base)/nic/update?$2" | tr -d '\r' | head -1
}

# --- the dashboard API (curl + jq) --------------------------------------------
# Each client ("as NAME") has its own cookie jar and CSRF token, like one
# browser each.  ZONE is the zone the API tests open to their users.
ZONE=dyn.localhost
declare -A CSRFS=()
WHO=anon

api_base() { echo "http://127.0.0.1:$DZ_HTTP_PORT"; }

# as NAME: the following requests are NAME's (own cookies, own CSRF token).
as() { WHO=$1; }

# call METHOD PATH [JSON [CURL-ARGS...]]: one API request as the current
# client.  Sets ST (the HTTP status), BODY, and HDRS (the reply headers).
# The CSRF token is sent unless NOCSRF=1; JSON "" sends no body.
call() {
	local m=$1 p=$2 d=${3-}
	shift $(($# < 3 ? $# : 3))
	local args=(-s -o "$TMP/api.body" -D "$TMP/api.hdrs" -w '%{http_code}' -X "$m"
		-b "$TMP/$WHO.jar" -c "$TMP/$WHO.jar")
	if [ -z "${NOCSRF:-}" ] && [ -n "${CSRFS[$WHO]:-}" ]; then
		args+=(-H "X-CSRF-Token: ${CSRFS[$WHO]}")
	fi
	[ -n "$d" ] && args+=(-H 'Content-Type: application/json' --data-binary "$d")
	ST=$(curl "${args[@]}" "$@" "$(api_base)/api/v1$p")
	BODY=$(cat "$TMP/api.body")
	HDRS=$(tr -d '\r' <"$TMP/api.hdrs")
}

# j FILTER: a jq filter on the last reply's body.
j() { printf '%s' "$BODY" | jq -r "$1" 2>/dev/null; }

# err_is STATUS CODE WHAT: the last reply was this JSON error.
err_is() {
	is "$ST $(j .error.code)" "$1 $2" "$3"
}

# signup NAME PASSWORD [INVITE]: sign up as NAME (logged in afterwards).
signup() {
	as "$1"
	local inv=""
	[ -n "${3:-}" ] && inv=",\"invite\":\"$3\""
	call POST /signup "{\"user\":\"$1\",\"password\":\"$2\"$inv}"
	[ "$ST" = 201 ] && CSRFS[$1]=$(j .csrf)
}

# login NAME PASSWORD
login() {
	as "$1"
	call POST /login "{\"user\":\"$1\",\"password\":\"$2\"}"
	[ "$ST" = 200 ] && CSRFS[$1]=$(j .csrf)
}

# cookie NAME: the session cookie value in NAME's jar.
cookie() { awk '$6 == "dz_session" { print $7 }' "$TMP/$1.jar" 2>/dev/null | tail -1; }

# --- the dashboard in a browser (tests/browser/*.mjs) ---------------------------

# browser_setup: check chromium and node, install playwright-core from the
# lockfile (node_modules is kept between runs).  Sets BR (tests/browser).
browser_setup() {
	BR=$DZ_TOP/tests/browser
	check "chromium is installed" test -x /usr/bin/chromium
	check "node is installed" test -x "$(command -v node)"
	if [ ! -f "$BR/node_modules/playwright-core/package.json" ] ||
	   ! cmp -s "$BR/package-lock.json" "$BR/node_modules/.dz-lock"; then
		if (cd "$BR" && npm ci --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1; then
			cp "$BR/package-lock.json" "$BR/node_modules/.dz-lock"
		else
			sed 's/^/# /' "$TMP/npm.log"
		fi
	fi
	check "playwright-core is installed from the lockfile" test -f "$BR/node_modules/playwright-core/package.json"
}

# browser_run SCRIPT.mjs: run a browser script (environment set by the
# caller) and turn its "ok - " / "not ok - " lines into this test's checks.
browser_run() {
	timeout 180 node "$BR/$1" >"$TMP/browser.out" 2>"$TMP/browser.err"
	local rc=$? line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "browser: ${line#ok - }" ;;
		"not ok - "*) notok "browser: ${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$TMP/browser.out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$TMP/browser.out"; then
		notok "the browser test ran to its end (exit $rc)"
		sed 's/^/# /' "$TMP/browser.err" | tail -30
	fi
}

# --- test certificates --------------------------------------------------------

# make_certs DIR [SAN]: a test CA (DIR/ca.pem), a server certificate signed
# by it (DIR/server.pem, DIR/server.key) for the subjectAltName SAN (default
# DNS:localhost), and an unrelated CA (DIR/wrong-ca.pem).  P-256 keys,
# valid for two days.  Fails if openssl does.
make_certs() {
	local d=$1 san=${2:-DNS:localhost}
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	mkdir -p "$d" &&
	openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
		-subj /CN=dynzone-test-CA -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null &&
	openssl req "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=dynzone-test-server" 2>/dev/null &&
	printf '%s\n' "subjectAltName=$san" "basicConstraints=CA:FALSE" \
		"keyUsage=digitalSignature" "extendedKeyUsage=serverAuth" >"$d/server.ext" &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-out "$d/server.pem" -days 2 -extfile "$d/server.ext" 2>/dev/null &&
	openssl req -x509 "${ec[@]}" -keyout "$d/wrong-ca.key" -out "$d/wrong-ca.pem" -days 2 \
		-subj /CN=dynzone-test-CA -addext basicConstraints=critical,CA:TRUE 2>/dev/null
}

# --- real dyndns2 clients (ddclient, inadyn) ----------------------------------

# clients_setup NAME: test certificates in $CERTS, a config with HTTPS too
# (DZ_HTTPS_PORT), the zone dyn.test, user alice, and $TMP/hosts for in_ns,
# in which dz4.test is 127.0.0.1 and dz6.test is ::1 (ddclient 3.10 takes
# no IPv6 literal as its server, and a name lets the clients check the
# certificate).  Ends the test if any of it cannot be made.
clients_setup() {
	CERTS=$TMP/certs
	make_certs "$CERTS" "DNS:dz4.test,DNS:dz6.test,IP:127.0.0.1,IP:::1" ||
		{ notok "test certificates made with openssl"; t_done; exit 1; }
	DZ_HTTPS_PORT=$(free_port)
	dz_config "$1" "https-listen = 127.0.0.1:$DZ_HTTPS_PORT" "https-listen = [::1]:$DZ_HTTPS_PORT" \
		"tls-cert = $CERTS/server.pem" "tls-key = $CERTS/server.key" \
		"update-rate-token = 0" "update-rate-client = 0"
	dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
	echo "alice-password" | dz user add alice 2>/dev/null
	printf '127.0.0.1 dz4.test\n::1 dz6.test\n127.0.0.1 localhost\n' >"$TMP/hosts"
	if ! in_ns getent hosts dz6.test >/dev/null 2>&1; then
		notok "a mount namespace with its own /etc/hosts (unshare -m, as root)"
		t_done
		exit 1
	fi
}

# --- dynzone-update and its scripted server -----------------------------------

T0=1700000000   # the client's fake clock starts here (--time)

# fake_start DIR [fakeserver.py args...]: start the scripted server
# (tests/client/fakeserver.py) with its files in DIR (reply, checkip,
# requests.log); sets FAKE_PORT and FAKE_PID.
fake_start() {
	local dir=$1 i; shift
	mkdir -p "$dir"
	: >"$dir/requests.log"
	rm -f "$dir/port"
	[ -f "$dir/reply" ] || reply "$dir" 200 "good"
	python3 "$DZ_TOP/tests/client/fakeserver.py" --dir "$dir" --port-file "$dir/port" "$@" \
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
	OUT=$("${DYNZONE_UPDATE:?DYNZONE_UPDATE must point at the dynzone-update binary}" \
		-c "$conf" --once --time "$t" "$@" 2>"$TMP/du.err")
	RC=$?
	ERR=$(cat "$TMP/du.err")
}

# --- tinydns (stock djbdns beside dynzone) ------------------------------------

# td_data_all: print a tinydns `data` file that uses every line type
# tinydns-data takes, and its quirks.
td_data_all() {
	local now x300 fields16
	now=$(date +%s)
	x300=$(head -c 300 /dev/zero | tr '\0' x)
	fields16=$(seq -s: 1 16)
	# ttd SECONDS: a TAI64 label SECONDS from now
	ttd() { printf '%016x' $(((1 << 62) + 10 + now + $1)); }
	# Appendix A of the reference, in its order
	cat <<'EOF'
.dyn.example.test:192.0.2.53:a:3600
&dyn.example.test::ns2.example.net:3600
+host.dyn.example.test:192.0.2.10:300
+host.dyn.example.test:192.0.2.11:300
:host.dyn.example.test:28:\040\001\015\270\000\000\000\000\000\000\000\000\000\000\000\001:300
'host.dyn.example.test:hello world\072x:300
+*.wild.dyn.example.test:192.0.2.20:60
:*.wild.dyn.example.test:28:\040\001\015\270\000\000\000\000\000\000\000\000\000\000\000\040:60
+MiXeD.Dyn.Example.Test:192.0.2.50:300
Calias.dyn.example.test:host.dyn.example.test:300
@dyn.example.test:192.0.2.25:mx:10:300
&child.dyn.example.test:192.0.2.99:ns1.child.dyn.example.test:3600
%in:127.0.0
%ex
+loc.dyn.example.test:192.0.2.30:300::in
+loc.dyn.example.test:192.0.2.31:300::ex
EOF
	echo "+ttd.dyn.example.test:192.0.2.40:0:$(ttd 604800)"
	echo "+soon.dyn.example.test:192.0.2.42:0:$(ttd 120)"
	echo "+later.dyn.example.test:192.0.2.41:300:$(ttd 604800)"
	echo "+gone.dyn.example.test:192.0.2.43:0:$(ttd -3600)"
	echo "'long.dyn.example.test:$x300:300"
	cat <<'EOF'
+a.sub.dyn.example.test:192.0.2.60:300
Zstatic.test:ns.static.test.:admin.static.test.:2024010101:7200:1800:604800:300:600
&static.test::ns.static.test.:3600
+ns.static.test:192.0.2.54:3600
# every other line type and rule
=Rev.dyn.example.test:192.0.2.77:300
^78.2.0.192.in-addr.arpa:Other.dyn.example.test:300
S_sip._udp.dyn.example.test:192.0.2.1:sip:5060:10:20:300
S_xmpp._tcp.dyn.example.test::xmpp.example.net.:5222
Zdefaults.test:ns.defaults.test.:hm.defaults.test.
.zero.test::ns.zero.test.:0
.dflt.test:192.0.2.55
&dflt.test::a\
%x:10.1
%lo:300..2.3.4.5
+*.lw.dyn.example.test:192.0.2.5:60::in
:lw.dyn.example.test:16:\005in-lw:60::ex
'esc.dyn.example.test:a\\b\101\0101\777 \q tail\
'empty.dyn.example.test::300
:spf.dyn.example.test:99:\013v=spf1 -all:300
:caa.dyn.example.test:257:\000\005issueca.example.net:300
:wrap.dyn.example.test:65537:\300\000\002\001
:odd.dyn.example.test:28:\040\001:300
+a\056b.dyn.example.test:192.0.2.80
+\052.esc-star.dyn.example.test:192.0.2.81
+.:192.0.2.82:60
+x.dyn.example.test:192.0.2.83:4294967297
+x.dyn.example.test:299.0.2.84junk: 77junk
+noaddr.dyn.example.test:192.0.2
.dyn6.example.test:2001:db8::1:a
-+removed.dyn.example.test:192.0.2.99
#+comment.dyn.example.test:192.0.2.99
EOF
	echo "+ttdcase.dyn.example.test:192.0.2.85:0:400000006B1058C0"
	echo "+fields.dyn.example.test:192.0.2.86:$fields16"
	printf '   \n\n+trail.dyn.example.test:192.0.2.87:300 \t \n'
	printf '+crlf.dyn.example.test:192.0.2.88:300\r\n'
	printf '+last.dyn.example.test:192.0.2.89:300'   # no final newline
}

# td_dump CDB: its records, one per line as hex "key data", sorted (cdb -d
# output, split by record, not by newline).
td_dump() {
	cdb -d "$1" | python3 -c '
import signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # cmp may stop reading at a difference
d = sys.stdin.buffer.read()
i, recs = 0, []
while i < len(d) and d[i:i + 1] == b"+":
    comma = d.index(b",", i); colon = d.index(b":", comma)
    kl, dl = int(d[i + 1:comma]), int(d[comma + 1:colon])
    k = d[colon + 1:colon + 1 + kl]; v = d[colon + 3 + kl:colon + 3 + kl + dl]
    recs.append(k.hex() + " " + v.hex())
    i = colon + 3 + kl + dl + 1
if d[i:] != b"\n":
    sys.exit("td_dump: cannot parse cdb -d output at byte %d" % i)
print("\n".join(sorted(recs)))'
}

# td_nrec CDB: the number of records (cdb -s).
td_nrec() { cdb -s "$1" | sed -n 's/^number of records: *//p'; }

# td_start ROOT: start stock tinydns on 127.0.0.1:53 (inside the test's
# network namespace: netns_enter) serving ROOT/data.cdb; sets TD_PID, log
# in $TD_LOG.
td_start() {
	local root=$1
	TD_LOG=$TMP/tinydns.log
	: >"$TD_LOG"
	chmod 755 "$root"
	env IP=127.0.0.1 ROOT="$root" UID=65534 GID=65534 tinydns 2>"$TD_LOG" &
	TD_PID=$!
	PIDS+=("$TD_PID")
	started "$TD_PID" "$TD_LOG" '^starting tinydns' tinydns
}

# td_ans SERVER PORT NAME TYPE [ADDR]: "STATUS | answer records" (sorted,
# "owner ttl type rdata"), asked over UDP from ADDR (default 127.0.0.1).
td_ans() {
	local out status
	out=$(dig @"$1" -p "$2" -b "${5:-127.0.0.1}" +norec +notcp +ignore +time=1 +tries=2 "$3" "$4" 2>&1)
	status=$(printf '%s\n' "$out" | dig_status)
	printf '%s | ' "${status:-NOREPLY}"
	printf '%s\n' "$out" | awk '/^;; ANSWER SECTION:/ {a = 1; next} a && /^$/ {a = 0} a' |
		awk '{ printf "%s %s %s", $1, $2, $4; for (i = 5; i <= NF; i++) printf " %s", $i; print "" }' |
		sort | sed ':a;N;$!ba;s/\n/ | /g'
}

# --- stock secondaries (NSD, Knot, BIND) --------------------------------------
# Each runs in the foreground from $TMP/<name>/ (config, pid, database, log),
# listens on 127.0.0.1 at a free port and transfers ZONE from dynzone (the
# current config's DNS port) with the TSIG key SEC_KEY_NAME/SEC_KEY_SECRET
# (hmac-sha256), taking NOTIFY from 127.0.0.1 with the same key, at port
# SEC_PORT[name] if set (dynzone.conf names it in notify lines) or a free
# one.  Each transfers from its own source address (SEC_SRC[name]), so
# that dynzone's log tells which one got what.  Each sets
# SEC_PORT[name] and SEC_LOG[name]; the trimmed configurations are the ones
# README.md's "Scaling out" shows.
declare -A SEC_PORT=() SEC_LOG=()
declare -A SEC_SRC=([nsd]=127.0.0.2 [knot]=127.0.0.3 [bind]=127.0.0.4)
SEC_KEY_NAME=xfr-key
SEC_KEY_SECRET=

# sec_dir NAME: make $TMP/NAME; pick SEC_PORT[NAME] unless it is set.
sec_dir() {
	mkdir -p "$TMP/$1"
	[ -n "${SEC_PORT[$1]:-}" ] || SEC_PORT[$1]=$(free_port)
}
# sec_run NAME READY-REGEX CMD...: run the daemon CMD in the background,
# its output (and the log it is told to write) in $TMP/NAME/NAME.log
# (SEC_LOG[NAME]); wait until the log matches READY-REGEX.
sec_run() {
	local name=$1 re=$2 log=$TMP/$1/$1.log
	shift 2
	: >"$log"
	"$@" >>"$log" 2>&1 &
	PIDS+=($!)
	SEC_LOG[$name]=$log
	started $! "$log" "$re" "$name"
}

# sec_key: make a fresh key; SEC_KEY_LINE is its tsig-key line for
# dynzone.conf.
sec_key() {
	SEC_KEY_SECRET=$(head -c 32 /dev/urandom | base64)
	SEC_KEY_LINE="tsig-key = $SEC_KEY_NAME hmac-sha256 $SEC_KEY_SECRET"
}

# nsd_server DIR ADDR@PORT: the server: clause of an NSD that keeps
# everything in DIR, runs as the caller, listens on ADDR@PORT (IPv4) only.
nsd_server() {
	cat <<CONF
server:
  ip-address: $2
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$1"
  database: ""
  zonelistfile: "$1/zone.list"
  xfrdfile: "$1/xfrd.state"
  xfrdir: "$1"
  pidfile: "$1/nsd.pid"
  server-count: 1
CONF
}

# sec_nsd ZONE: NSD as a secondary of ZONE.
sec_nsd() {
	local zone=$1 d=$TMP/nsd port
	sec_dir nsd; port=${SEC_PORT[nsd]}
	{ nsd_server "$d" "127.0.0.1@$port"; cat <<CONF
  logfile: "$d/nsd.log"
  verbosity: 2
remote-control:
  control-enable: no
key:
  name: "$SEC_KEY_NAME"
  algorithm: hmac-sha256
  secret: "$SEC_KEY_SECRET"
zone:
  name: "$zone"
  zonefile: "$zone.zone"
  request-xfr: 127.0.0.1@$DZ_PORT $SEC_KEY_NAME
  allow-notify: 127.0.0.1 $SEC_KEY_NAME
  outgoing-interface: 127.0.0.2
  provide-xfr: 127.0.0.1 NOKEY
CONF
	} >"$d/nsd.conf"
	sec_run nsd 'nsd started' nsd -d -c "$d/nsd.conf"
}

# sec_knot ZONE: Knot as a secondary of ZONE.
sec_knot() {
	local zone=$1 d=$TMP/knot port
	sec_dir knot; port=${SEC_PORT[knot]}
	cat >"$d/knot.conf" <<CONF
server:
  rundir: "$d"
  pidfile: "$d/knot.pid"
  listen: 127.0.0.1@$port
control:
  listen: "$d/knot.sock"
database:
  storage: "$d"
log:
  - target: "$d/knot.log"
    any: info
key:
  - id: $SEC_KEY_NAME
    algorithm: hmac-sha256
    secret: $SEC_KEY_SECRET
remote:
  - id: dynzone
    address: 127.0.0.1@$DZ_PORT
    via: 127.0.0.3
    key: $SEC_KEY_NAME
acl:
  - id: notify-from-dynzone
    address: 127.0.0.1
    key: $SEC_KEY_NAME
    action: notify
  - id: transfer-to-tests
    address: 127.0.0.1
    action: transfer
zone:
  - domain: $zone
    storage: "$d"
    master: dynzone
    acl: [notify-from-dynzone, transfer-to-tests]
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
CONF
	sec_run knot 'server started' knotd -c "$d/knot.conf"
}

# sec_bind ZONE: BIND (named) as a secondary of ZONE.
sec_bind() {
	local zone=$1 d=$TMP/bind port
	sec_dir bind; port=${SEC_PORT[bind]}
	cat >"$d/named.conf" <<CONF
options {
	directory "$d";
	pid-file "$d/named.pid";
	session-keyfile "$d/session.key";
	managed-keys-directory "$d";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
};
controls { };
key "$SEC_KEY_NAME" { algorithm hmac-sha256; secret "$SEC_KEY_SECRET"; };
zone "$zone" {
	type secondary;
	primaries port $DZ_PORT { 127.0.0.1 key "$SEC_KEY_NAME"; };
	transfer-source 127.0.0.4;
	file "$d/$zone.db";
};
CONF
	sec_run bind 'running$' named -g -d 1 -c "$d/named.conf"
}

# sec_count NAME ZONE: the records an AXFR from the secondary NAME holds
# (NSD and Knot let 127.0.0.1 transfer without a key), SOA counted twice.
sec_count() {
	kdig @127.0.0.1 -p "${SEC_PORT[$1]}" +timeout=10 "$2" AXFR 2>/dev/null | grep -vc '^;\|^$'
}

# sec_serial NAME ZONE: the SOA serial the secondary NAME serves (empty if
# none yet).
sec_serial() {
	dig @127.0.0.1 -p "${SEC_PORT[$1]}" +norec +time=1 +tries=1 +short "$2" SOA 2>/dev/null |
		awk '{print $3}'
}
# sec_ask NAME QNAME TYPE: the secondary's short answer, sorted, one line.
sec_ask() {
	dig @127.0.0.1 -p "${SEC_PORT[$1]}" +norec +time=1 +tries=1 +short "$2" "$3" 2>/dev/null |
		sort | tr '\n' ' ' | sed 's/ $//'
}

# --- DNS UPDATE (RFC 2136) ----------------------------------------------------

# tsig_secret: a fresh base64 HMAC-SHA256 secret.
tsig_secret() { head -c 32 /dev/urandom | base64; }

# nsu KEYNAME SECRET [NSUPDATE-ARGS...] <<EOF: nsupdate (-y hmac-sha256)
# against the current config's 127.0.0.1 port, the "server" line added;
# the script on stdin.  Prints nsupdate's output; its exit status.
nsu() {
	local key=$1 secret=$2
	shift 2
	{ echo "server 127.0.0.1 $DZ_PORT"; cat; } |
		nsupdate -t 5 "$@" -y "hmac-sha256:$key:$secret" 2>&1
}
# knsu KEYNAME SECRET [KNSUPDATE-ARGS...] <<EOF: the same with knsupdate.
knsu() {
	local key=$1 secret=$2
	shift 2
	{ echo "server 127.0.0.1 $DZ_PORT"; cat; } |
		knsupdate -t 5 "$@" -y "hmac-sha256:$key:$secret" 2>&1
}
# nsu_status: the rcode word an nsupdate output on stdin reports
# ("update failed: REFUSED"), NOERROR if none.
nsu_status() {
	local out
	out=$(cat)
	printf '%s' "$out" | sed -n 's/.*update failed: \([A-Z]*\).*/\1/p;s/.*status: \([A-Z]*\).*/\1/p' | head -1 |
		grep . || echo NOERROR
}
# ulog: the update log's rows (host|addrs|agent|result), oldest first.
ulog() { sqlite3 "$DZ_DIR/dynzone.db" "SELECT host, addrs, agent, result FROM update_log ORDER BY id"; }

# --- crash tests --------------------------------------------------------------

# crash_mid_load LOADPID MIN WHAT: once $TMP/good.log has MIN lines (or
# after 10 s), SIGKILL the server, wait for the load (LOADPID) to end, and
# check that hundreds (at least MIN/2) of WHAT were acknowledged and some
# sent ($TMP/sent.log) never were.  Sets NGOOD, NSENT.
crash_mid_load() {
	local load=$1 min=$2 what=$3 i
	for i in $(seq 1 200); do
		[ -f "$TMP/good.log" ] && [ "$(wc -l <"$TMP/good.log")" -ge "$min" ] && break
		sleep 0.05
	done
	kill -9 "$DZ_PID"
	wait "$DZ_PID" 2>/dev/null
	wait "$load"
	NGOOD=$(wc -l <"$TMP/good.log" | tr -d ' ')
	NSENT=$(wc -l <"$TMP/sent.log" | tr -d ' ')
	diag "$NGOOD $what acknowledged of $NSENT sent before and after the kill"
	check "hundreds of $what were acknowledged before the kill ($NGOOD)" test "$NGOOD" -ge $((min / 2))
	check "and some were sent that never got an answer" test "$NSENT" -gt "$NGOOD"
}

# --- DNSSEC: a signed test root, a signed parent, validators ------------------
#
# Inside a network namespace (netns_enter, so port 53 and any 127/8 address
# are the test's own): one NSD on $DS_ROOT_ADDR:53 serves the root "." and
# "test.", both signed with dnssec-signzone; test. delegates dynzone's zone
# (glue $DS_DZ_ADDR) and holds its DS.  unbound on $DS_UNBOUND_ADDR:53
# resolves from the test root with its trust anchor and validates (test.
# is special-use, RFC 6761: unbound is told not to answer it itself).
DS_ROOT_ADDR=127.0.1.1
DS_DZ_ADDR=127.0.1.3
DS_UNBOUND_ADDR=127.0.2.1

# dnssec_presign ZONE IN OUT [SIGNZONE-ARGS...]: sign the master file IN
# with dnssec-signzone into OUT, with one ECDSA P-256 key (a CSK) kept in
# $TMP/keys/ZONE; sets DNSSEC_DS (the DS lines, SHA-256, for the parent) and
# DNSSEC_KEY (the DNSKEY line).
dnssec_presign() {
	local zone=$1 in=$2 out=$3 kd=$TMP/keys/${1%.}
	shift 3
	mkdir -p "$kd"
	ls "$kd"/K*.key >/dev/null 2>&1 ||
		dnssec-keygen -q -K "$kd" -a ECDSAP256SHA256 -f KSK "$zone" >/dev/null || return 1
	dnssec-signzone -q -S -z -K "$kd" -d "$kd" -o "$zone" -N keep -e +2592000 -f "$out" "$@" "$in" \
		>/dev/null || return 1
	DNSSEC_DS=$(dnssec-dsfromkey -2 "$kd"/K*.key) || return 1
	DNSSEC_KEY=$(grep -hv '^;' "$kd"/K*.key)
}

# dnssec_zone_head ZONE: the start of a test zone's master file served
# from $DS_DZ_ADDR (dnssec_world's address for dynzone): SOA, NS ns1 and
# ns1's address; the test appends its own names.
dnssec_zone_head() {
	printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns1 hostmaster ( 7 3600 600 1209600 60 )\n' "$1"
	printf '  NS ns1\nns1 A %s\n' "$DS_DZ_ADDR"
}

# dnssec_sign_zone ZONE FILE [--nsec3] [--ksk-zsk]: import ZONE from the
# unsigned master file FILE into dynzone's store and sign it with dynzone's
# own signer (`zone sign`, its arguments passed on); sets DNSSEC_DS (`zone
# ds`: the DS lines for the parent) and keeps it in $TMP/ds/ZONE.  The test
# root and parent are signed by dnssec_presign (BIND) instead.
dnssec_sign_zone() {
	local zone=$1 file=$2 d=$TMP/sign/${1%.}
	shift 2
	mkdir -p "$d" "$TMP/ds"
	dz import zone "$file" --origin "$zone" >"$d/import.log" 2>&1 || return 1
	dz zone sign "$zone" "$@" >"$d/sign.log" 2>&1 || return 1
	DNSSEC_DS=$(dz zone ds "$zone") || return 1
	printf '%s\n' "$DNSSEC_DS" >"$TMP/ds/${zone%.}"
}

# dnssec_world ZONE...: sign the test root and test. (which delegates each
# ZONE, a child of test., to ns1.ZONE at $DS_DZ_ADDR with the DS in
# $TMP/ds/ZONE) and serve both from NSD on $DS_ROOT_ADDR:53.  Writes
# $TMP/root.hints and the trust anchor $TMP/root.key (zone-file form) and
# $TMP/root.anchor (delv).
dnssec_world() {
	local zone d=$TMP/world
	mkdir -p "$d"
	{
		printf '$ORIGIN test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n'
		printf '@ NS ns\nns A %s\n' "$DS_ROOT_ADDR"
		for zone in "$@"; do
			printf '%s. NS ns1.%s.\nns1.%s. A %s\n' "$zone" "$zone" "$zone" "$DS_DZ_ADDR"
			cat "$TMP/ds/$zone"
		done
	} >"$d/test.zone"
	dnssec_presign test. "$d/test.zone" "$d/test.signed" || return 1
	cat >"$d/root.zone" <<ZONE
\$TTL 300
. SOA ns.test. hostmaster.test. 1 3600 600 86400 60
. NS ns.test.
test. NS ns.test.
ns.test. A $DS_ROOT_ADDR
$DNSSEC_DS
ZONE
	dnssec_presign . "$d/root.zone" "$d/root.signed" || return 1
	printf '%s\n' "$DNSSEC_KEY" >"$TMP/root.key"
	printf '. 3600000 NS ns.test.\nns.test. 3600000 A %s\n' "$DS_ROOT_ADDR" >"$TMP/root.hints"
	printf '%s\n' "$DNSSEC_KEY" | awk '{ k = ""; for (i = 7; i <= NF; i++) k = k $i
		printf "trust-anchors { . static-key %s %s %s \"%s\"; };\n", $4, $5, $6, k }' \
		>"$TMP/root.anchor"
	{ nsd_server "$d" "$DS_ROOT_ADDR@53"; cat <<CONF
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "root.signed"
zone:
  name: "test."
  zonefile: "test.signed"
CONF
	} >"$d/nsd.conf"
	sec_run world 'nsd started' nsd -d -c "$d/nsd.conf"
}

# dnssec_unbound NAME ADDR [CONF-LINES...]: a validating unbound on ADDR:53
# with the test root's hints and trust anchor (log $TMP/NAME/NAME.log);
# CONF-LINES go at the end of the config (a stub-zone: clause, say).
dnssec_unbound() {
	local name=$1 addr=$2 d=$TMP/$1
	shift 2
	mkdir -p "$d"
	{
		cat <<CONF
server:
  interface: $addr
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  logfile: ""
  use-syslog: no
  verbosity: 1
  val-log-level: 2
  do-ip6: no
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  root-hints: "$TMP/root.hints"
  trust-anchor-file: "$TMP/root.key"
  module-config: "validator iterator"
  local-zone: "test." nodefault
remote-control:
  control-enable: no
CONF
		local l
		for l in "$@"; do echo "$l"; done
	} >"$d/unbound.conf"
	sec_run "$name" 'start of service' unbound -d -c "$d/unbound.conf"
}

# vq SERVER ARGS...: dig through a validating resolver (recursion, DO).
vq() {
	local srv=$1; shift
	dig @"$srv" +dnssec +time=5 +tries=2 "$@"
}
# secure SERVER NAME TYPE: "STATUS ad" if the resolver's answer validated
# (the AD bit), "STATUS -" if not.
secure() {
	local out
	out=$(vq "$@")
	printf '%s %s\n' "$(dig_status <<<"$out")" \
		"$(dig_flags <<<"$out" | grep -qw ad && echo ad || echo -)"
}

# dnsviz_check ZONE NAME...: dnsviz probes ZONE and NAMEs from the test
# root down (servers given explicitly: no network outside the namespace)
# and groks the result with the test root's trust anchor, at level
# warning; prints "errors=N warnings=N" and leaves the report in
# $TMP/grok.json.  (Debian's dnsviz 0.9 looks for pygraphviz.release, which
# pygraphviz 1.10 no longer has: a sitecustomize in $TMP/pyshim supplies
# it, for the dnsviz commands only.)
dnsviz_check() {
	local zone=$1
	shift
	mkdir -p "$TMP/pyshim"
	cat >"$TMP/pyshim/sitecustomize.py" <<'PY'
import sys, types
try:
    import pygraphviz
    if not hasattr(pygraphviz, 'release'):
        m = types.ModuleType('pygraphviz.release')
        m.version = pygraphviz.__version__
        pygraphviz.release = m
        sys.modules['pygraphviz.release'] = m
except ImportError:
    pass
PY
	dnsviz probe -A -a . -x ".:ns.test=$DS_ROOT_ADDR" -x "test:ns.test=$DS_ROOT_ADDR" \
		-x "$zone:ns1.$zone=$DS_DZ_ADDR" "$zone" "$@" >"$TMP/probe.json" 2>"$TMP/probe.log" &&
		PYTHONPATH=$TMP/pyshim dnsviz grok -t "$TMP/root.key" -l warning <"$TMP/probe.json" \
			>"$TMP/grok.json" 2>"$TMP/grok.log" || { echo "dnsviz failed"; return 1; }
	printf 'errors=%s warnings=%s\n' "$(grep -o '"errors"' "$TMP/grok.json" | wc -l)" \
		"$(grep -o '"warnings"' "$TMP/grok.json" | wc -l)"
}

# --- DNSSEC -------------------------------------------------------------------

# axfr ZONE FILE: the zone as dig AXFR fetches it from the current config's
# server into FILE (comments dropped); fails if three tries failed (a
# loaded machine may miss dig's deadline once).
axfr() {
	local i
	for i in 1 2 3; do
		if dig @127.0.0.1 -p "$DZ_PORT" +time=5 +tries=1 +nocmd +nostats +onesoa "$1" AXFR \
			>"$2.raw" 2>&1 && ! grep -q '^; Transfer failed\|^;; connection timed out' "$2.raw"; then
			grep -v '^;' "$2.raw" | grep -v '^$' >"$2"
			[ -s "$2" ] && return 0
		fi
		diag "AXFR of $1, try $i: $(grep '^;' "$2.raw" | tail -1)"
	done
	return 1
}

# verifies ZONE FILE WHAT: ldns-verify-zone and dnssec-verify (-z: a CSK
# counts as a ZSK too) both accept the zone in FILE.  Two checks.
verifies() {
	local zone=$1 f=$2 what=$3 out
	if out=$(ldns-verify-zone "$f" 2>&1); then ok "ldns-verify-zone accepts the zone $what"
	else notok "ldns-verify-zone accepts the zone $what"; diag "$(printf '%s' "$out" | head -8)"; fi
	if out=$(dnssec-verify -q -z -o "$zone" "$f" 2>&1); then ok "dnssec-verify accepts the zone $what"
	else notok "dnssec-verify accepts the zone $what"; diag "$(printf '%s' "$out" | head -8)"; fi
}
