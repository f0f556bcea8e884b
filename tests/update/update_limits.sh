#!/usr/bin/env bash
# Abuse handling of the update API: per-token and per-client rate limits
# (911 + 503 + Retry-After, never abuse; a dual-stack client never trips
# the defaults; nochg never counts, a loop of identical requests does),
# a host an admin blocked (abuse), the
# failed-auth slow-down, X-Forwarded-For only from trusted proxies,
# update-path, and 911 when the store cannot be written.
. "$(dirname "$0")/../lib.sh"

setup() { # name [config lines...]
	dz_config "$@"
	dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
	echo "alice-password" | dz user add alice 2>/dev/null
	TA=$(dz host add a.dyn.test --user alice)
	TB=$(dz host add b.dyn.test --user alice)
	dz_start || { notok "server $1 starts"; t_done; exit 1; }
}

# --- defaults: a dual-stack client never trips them -----------------------
setup defaults
U4="http://127.0.0.1:$DZ_HTTP_PORT/nic/update"
U6="http://[::1]:$DZ_HTTP_PORT/nic/update"
bad=0
for i in $(seq 1 6); do
	up "$U4" "hostname=a.dyn.test&myip=192.0.2.$i" -u "a.dyn.test:$TA"
	[ "$BODY" = "good 192.0.2.$i$( [ "$i" -gt 1 ] && echo ",2001:db8::$((i - 1))")|" ] || { bad=$((bad + 1)); diag "v4 $i: $BODY"; }
	up "$U6" "hostname=a.dyn.test&myip=2001:db8::$i" -u "a.dyn.test:$TA"
	[ "$BODY" = "good 192.0.2.$i,2001:db8::$i|" ] || { bad=$((bad + 1)); diag "v6 $i: $BODY"; }
done
is "$bad" 0 "default limits: six dual-stack changes in a row (12 requests) all good"
dz_stop

# --- per-token limit --------------------------------------------------------
setup token "update-rate-token = 1" "update-burst-token = 2" "update-rate-client = 0"
U4="http://127.0.0.1:$DZ_HTTP_PORT/nic/update"
U6="http://[::1]:$DZ_HTTP_PORT/nic/update"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.10" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.10|" "burst 2: first update good"
up "$U6" "hostname=a.dyn.test&myip=2001:db8::10" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.10,2001:db8::10|" "the v6 half of the dual-stack change: good, and free"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.11" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.11,2001:db8::10|" "second change within the minute: good"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.12" -u "a.dyn.test:$TA"
is "$ST $BODY" "503 911|" "third change within the minute: 503 911 (never abuse)"
like "$HDR" '^Retry-After: [0-9]+$' "the refusal carries Retry-After"
ra=$(printf '%s\n' "$HDR" | sed -n 's/^Retry-After: //p')
check "Retry-After is 1..60 seconds ($ra)" test "$ra" -ge 1 -a "$ra" -le 60
is "$(qs a.dyn.test A)" "192.0.2.11" "the refused update changed nothing"
bad=0
for i in $(seq 1 10); do
	up "$U4" "hostname=a.dyn.test&myip=192.0.2.11" -u "a.dyn.test:$TA"
	[ "$ST $BODY" = "200 nochg 192.0.2.11,2001:db8::10|" ] || { bad=$((bad + 1)); diag "$ST $BODY"; }
done
is "$bad" 0 "a router re-checking while the change budget is spent: nochg, ten times"
up "$U4" "hostname=b.dyn.test&myip=192.0.2.12" -u "b.dyn.test:$TB"
is "$BODY" "good 192.0.2.12|" "another token is not limited by the first"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT result FROM update_log WHERE host = 'a.dyn.test' AND result <> 'nochg' ORDER BY id DESC LIMIT 1")" \
	"911" "the refusal is logged"
like "$(cat "$DZ_DIR/serve.log")" 'result=911 why=limit retry_after=[0-9]+' "and says why in the log"
dz_stop

# --- loops: only identical unchanged requests, many of them -------------------
setup loop "update-loop-max = 5" "update-loop-window = 30" "update-rate-client = 0"
U4="http://127.0.0.1:$DZ_HTTP_PORT/nic/update"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.30" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.30|" "first update good"
bad=0
for i in $(seq 1 5); do
	up "$U4" "hostname=a.dyn.test&myip=192.0.2.30" -u "a.dyn.test:$TA"
	[ "$BODY" = "nochg 192.0.2.30|" ] || bad=$((bad + 1))
done
is "$bad" 0 "five identical re-checks: nochg"
up "$U4" "myip=192.0.2.30&hostname=a.dyn.test" -u "a.dyn.test:$TA"
is "$ST $BODY" "503 911|" "the sixth inside the window (spelt differently): a loop, 503 911"
ra=$(printf '%s\n' "$HDR" | sed -n 's/^Retry-After: //p')
check "Retry-After runs to the window's end ($ra)" test "$ra" -ge 20 -a "$ra" -le 31
up "$U4" "hostname=a.dyn.test&myip=192.0.2.31" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.31|" "a real change is not the loop"
up "$U4" "hostname=b.dyn.test&myip=192.0.2.30" -u "b.dyn.test:$TB"
is "$BODY" "good 192.0.2.30|" "another token is not limited"

# --- a host an admin blocked: abuse -------------------------------------------
dz host block a.dyn.test --reason "spam" 2>/dev/null
like "$(dz host list | awk '$1 == "a.dyn.test." || $1 == "b.dyn.test." { print $1, $4 }' | tr '\n' ' ')" \
	"^a\.dyn\.test\. blocked b\.dyn\.test\. online $" "host list shows the blocked host as blocked"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.32" -u "a.dyn.test:$TA"
is "$ST $BODY" "200 abuse|" "a blocked host: 200 abuse"
is "$(qs a.dyn.test A)" "192.0.2.31" "and nothing changes"
TAB=$(dz token new a.dyn.test b.dyn.test)
up "$U4" "hostname=a.dyn.test,b.dyn.test&myip=192.0.2.33" -u "alice:$TAB"
is "$BODY" "abuse|good 192.0.2.33|" "one line per host: the blocked one abuse, the other updated"
dz host unblock a.dyn.test 2>/dev/null
is "$(dz host list | awk '$1 == "a.dyn.test." { print $4 }')" online "and as online once unblocked"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.34" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.34|" "unblocked: updates work again"
is "$(dz host unblock a.dyn.test 2>&1)" "dynzone: a.dyn.test. was not blocked" "unblock says when there was nothing to do"
dz_stop

# --- X-Forwarded-For ------------------------------------------------------------
setup misc "update-rate-token = 0" "update-rate-client = 0" "trusted-proxy = 127.0.0.1"
U4="http://127.0.0.1:$DZ_HTTP_PORT/nic/update"
U6="http://[::1]:$DZ_HTTP_PORT/nic/update"
C4="http://127.0.0.1:$DZ_HTTP_PORT/checkip"
C6="http://[::1]:$DZ_HTTP_PORT/checkip"
is "$(curl -s -H 'X-Forwarded-For: 203.0.113.9' "$C4")" "203.0.113.9" "XFF believed from a trusted proxy"
is "$(curl -s -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.7, 127.0.0.1' "$C4")" "203.0.113.7" \
	"the rightmost address that is not a trusted proxy"
is "$(curl -s -H 'X-Forwarded-For: 2001:db8::99' "$C4")" "2001:db8::99" "an IPv6 client behind the proxy"
is "$(curl -s -H 'X-Forwarded-For: 203.0.113.9' "$C6")" "::1" "XFF ignored from an address not listed"
is "$(curl -s -H 'X-Forwarded-For: not-an-address' "$C4")" "127.0.0.1" "garbage XFF: the peer's address"
# a client's own line first, the proxy's after it: the proxy's line counts
is "$(curl -s -H 'X-Forwarded-For: 192.0.2.66' -H 'X-Forwarded-For: 203.0.113.8' "$C4")" "203.0.113.8" \
	"two XFF lines: the rightmost address over all lines, not the client-supplied first"
is "$(curl -s -H 'X-Forwarded-For: 192.0.2.66' -H 'X-Forwarded-For: 203.0.113.8, 127.0.0.1' "$C4")" \
	"203.0.113.8" "two XFF lines with the proxy's own address last"
long=$(printf '10.0.0.%d, ' $(seq 1 250)); long=${long%, }
is "$(curl -s -H "X-Forwarded-For: $long" -H 'X-Forwarded-For: 127.0.0.1, 127.0.0.1' "$C4")" \
	"10.0.0.250" "a very long XFF list: read from the right, never from a cut entry"
up "$U4" "hostname=b.dyn.test" -u "b.dyn.test:$TB" -H "X-Forwarded-For: 203.0.113.50"
is "$BODY" "good 203.0.113.50|" "myip absent behind the proxy: the forwarded address"
is "$(qs b.dyn.test A)" "203.0.113.50" "served"

# --- failed-auth slow-down ------------------------------------------------------
slow=""
for i in $(seq 1 8); do
	up "$U4" "hostname=b.dyn.test&myip=192.0.2.13" -u "b.dyn.test:wrongwrongwrongwrongwrongwrong00"
	slow="$slow $SECS"
done
diag "badauth times: $slow"
first5=$(echo "$slow" | awk '{m = 0; for (i = 1; i <= 5; i++) if ($i > m) m = $i; print m}')
check "the first five failures are answered at once ($first5 s)" awk "BEGIN { exit !($first5 < 0.2) }"
t6=$(echo "$slow" | awk '{print $6}')
t8=$(echo "$slow" | awk '{print $8}')
check "the sixth is held (>= 0.25 s: $t6)" awk "BEGIN { exit !($t6 >= 0.25) }"
check "the eighth is held longer (>= 0.9 s: $t8)" awk "BEGIN { exit !($t8 >= 0.9) }"
is "$BODY" "badauth|" "still badauth"
up "$U6" "hostname=b.dyn.test&myip=192.0.2.14" -u "b.dyn.test:wrongwrongwrongwrongwrongwrong00"
check "another address is not slowed ($SECS s)" awk "BEGIN { exit !($SECS < 0.2) }"
up "$U4" "hostname=b.dyn.test&myip=192.0.2.15" -u "b.dyn.test:$TB"
is "$BODY" "good 192.0.2.15|" "a right token from the slowed address still works"

# --- 911 while the store cannot be written -------------------------------------
python3 - "$DZ_DIR/dynzone.db" >"$TMP/locker.out" 2>&1 <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(13)
c.execute("ROLLBACK")
PY
LOCKER=$!
PIDS+=("$LOCKER")
for i in $(seq 1 50); do grep -q locked "$TMP/locker.out" && break; sleep 0.1; done
up "$U4" "hostname=b.dyn.test&myip=192.0.2.16" -u "b.dyn.test:$TB"
is "$ST $BODY" "200 911|" "store locked past the busy timeout: 911"
is "$(qs b.dyn.test A)" "192.0.2.15" "nothing served that was not committed"
wait "$LOCKER"
up "$U4" "hostname=b.dyn.test&myip=192.0.2.16" -u "b.dyn.test:$TB"
is "$BODY" "good 192.0.2.16|" "after the lock goes, updates work again"
dz_stop

# --- per-client limit and update-path ---------------------------------------------
setup client "update-rate-client = 1" "update-burst-client = 3" "update-path = /dyn/update"
U4="http://127.0.0.1:$DZ_HTTP_PORT/dyn/update"
U6="http://[::1]:$DZ_HTTP_PORT/dyn/update"
up "$U4" "hostname=a.dyn.test&myip=192.0.2.20" -u "a.dyn.test:$TA"
is "$BODY" "good 192.0.2.20|" "update-path serves updates"
is "$(curl -s -o /dev/null -w '%{http_code}' -u "a.dyn.test:$TA" "http://127.0.0.1:$DZ_HTTP_PORT/nic/update?hostname=a.dyn.test")" \
	"404" "with update-path set, /nic/update is gone"
up "$U4" "hostname=b.dyn.test&myip=192.0.2.21" -u "b.dyn.test:$TB"
is "$BODY" "good 192.0.2.21|" "second request from the address"
is "$(curl -s "http://127.0.0.1:$DZ_HTTP_PORT/checkip")" "127.0.0.1" "checkip counts as the third"
up "$U4" "hostname=b.dyn.test&myip=192.0.2.22" -u "b.dyn.test:$TB"
is "$ST $BODY" "503 911|" "fourth from one address: 503 911"
like "$HDR" '^Retry-After: [0-9]+$' "with Retry-After"
is "$(curl -s -w ' %{http_code}' "http://127.0.0.1:$DZ_HTTP_PORT/checkip" | tr -d '\r\n')" "911 503" "checkip is limited too"
up "$U6" "hostname=b.dyn.test&myip=192.0.2.22" -u "b.dyn.test:$TB"
is "$BODY" "good 192.0.2.22|" "another client address is not limited"
dz_stop
t_done
