#!/usr/bin/env bash
# dynzone-update against a scripted server: sends only on change, obeys
# every reply code (stop, wait 30 min, Retry-After, back-off), refuses plain
# HTTP, and the protocols build what they should.  The client's clock is
# set with --time, so hours of back-off take no time.
. "$(dirname "$0")/../lib.sh"

S=$TMP/srv
mkdir -p "$S"
echo "Current IP Address: 192.0.2.7" >"$S/checkip"
reply "$S" 200 "good 192.0.2.7"
fake_start "$S"
check "scripted server is up" test -n "$FAKE_PORT"
C=$TMP/c.conf

# conf FILE KEY=VALUE...: a one-host config against the scripted server.
conf() {
	local f=$1
	shift
	du_conf "$f" "http://127.0.0.1:$FAKE_PORT" h1.dyn.test token=tok-1 "$@"
}
fresh() { rm -rf "$TMP/state"; : >"$S/requests.log"; }

# ---- only changes are sent; check-IP is asked only when due -------------
conf "$C" "ipv6=off" "check-interval=3600"
fresh
du_once "$C" $T0
is "$RC" 0 "first run: exit 0"
is "$OUT" "h1.dyn.test updated 192.0.2.7" "first run: updated"
is "$(checkips "$S")" 1 "first run asked check-IP once"
is "$(updates "$S")" 1 "first run sent one update"
is "$(last_update "$S")" "/nic/update?hostname=h1.dyn.test&myip=192.0.2.7" "dyndns2 request"
is "$(last_auth "$S")" "auth=h1.dyn.test:tok-1" "Basic auth: host name and token"
like "$(grep -v /checkip "$S/requests.log")" "ua=dynzone-update/" "user agent names the client"
check "state cache written" test -s "$TMP/state/cache"
check "no temp file left" test ! -e "$TMP/state/cache.tmp"

du_once "$C" $((T0 + 60))
is "$RC" 0 "second run: exit 0"
is "$OUT" "h1.dyn.test current 192.0.2.7" "second run: current"
is "$(wc -l <"$S/requests.log")" 2 "second run sent nothing, not even check-IP"

du_once "$C" $((T0 + 3601))
is "$(checkips "$S")" 2 "after check-interval: check-IP asked again"
is "$(updates "$S")" 1 "same address: still no update"

echo "192.0.2.8" >"$S/checkip"
reply "$S" 200 "good 192.0.2.8"
du_once "$C" $((T0 + 3700))
is "$(checkips "$S")" 2 "check-IP not asked before the interval"
du_once "$C" $((T0 + 7300))
is "$OUT" "h1.dyn.test updated 192.0.2.8" "new check-IP answer: updated"
is "$(updates "$S")" 2 "exactly one more update"
is "$(last_update "$S")" "/nic/update?hostname=h1.dyn.test&myip=192.0.2.8" "with the new address"
conf "$C" "ipv6=off" "check-interval=3000" "timeout=9"
count=$(wc -l <"$S/requests.log")
du_once "$C" $((T0 + 7400))
is "$OUT" "h1.dyn.test current 192.0.2.8" "settings the server does not see changed: current"
is "$(wc -l <"$S/requests.log")" "$count" "and nothing sent"
echo "192.0.2.7" >"$S/checkip"

# ---- dry run ------------------------------------------------------------
conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off"
fresh
du_once "$C" $T0 --dry-run
is "$OUT" "h1.dyn.test would-update 198.51.100.1" "dry run says what it would send"
is "$(updates "$S")" 0 "dry run sends nothing"
check "dry run writes no cache" test ! -e "$TMP/state/cache"

# ---- codes that stop the host until its configuration changes ----------
for code in badauth nohost notfqdn abuse numhost badagent; do
	conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off"
	fresh
	if [ $code = badauth ]; then reply "$S" 401 "badauth"; else reply "$S" 200 "$code"; fi
	du_once "$C" $T0
	is "$RC" 3 "$code: exit 3"
	is "$OUT" "h1.dyn.test stopped $code" "$code: stopped"
	du_once "$C" $((T0 + 86400 * 30))
	is "$(updates "$S")" 1 "$code: nothing sent a month later"
	is "$RC" 3 "$code: still exit 3"
	reply "$S" 200 "good 198.51.100.1"
	conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off" "username=h1.dyn.test"
	du_once "$C" $((T0 + 86400 * 30))
	is "$(updates "$S")" 1 "$code: a config change that the server does not see keeps it stopped"
	if [ $code = badauth ]; then
		conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off" "username=other"
	else
		conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off" "timeout=7"
	fi
	du_once "$C" $((T0 + 86400 * 30))
	is "$OUT" "h1.dyn.test updated 198.51.100.1" "$code: a changed config resumes"
	is "$(updates "$S")" 2 "$code: with one request"
done

# ---- 911 and dnserr: at least 30 minutes ------------------------------
for code in 911 dnserr; do
	conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off"
	fresh
	if [ $code = 911 ]; then reply "$S" 500 "911"; else reply "$S" 200 "dnserr"; fi
	du_once "$C" $T0
	is "$RC" 2 "$code: exit 2 (try later)"
	like "$OUT" "^h1.dyn.test waiting [0-9]+ $code\$" "$code: waiting"
	wait=$(echo "$OUT" | cut -d' ' -f3)
	check "$code: waits at least 30 minutes ($wait s)" test "$wait" -ge 1800
	du_once "$C" $((T0 + 1799))
	is "$(updates "$S")" 1 "$code: nothing sent before 30 minutes"
	is "$RC" 2 "$code: still exit 2"
	reply "$S" 200 "good 198.51.100.1"
	du_once "$C" $((T0 + wait + 1))
	is "$(updates "$S")" 2 "$code: sent again after the wait"
	is "$OUT" "h1.dyn.test updated 198.51.100.1" "$code: then updated"
done

# 911 twice: the second wait is longer.
fresh
reply "$S" 500 "911"
du_once "$C" $T0
w1=$(echo "$OUT" | cut -d' ' -f3)
du_once "$C" $((T0 + w1 + 1))
w2=$(echo "$OUT" | cut -d' ' -f3)
check "911 twice: the wait grows ($w1 s, then $w2 s)" test "$w2" -gt "$w1"

# ---- Retry-After ------------------------------------------------------
fresh
reply "$S" 200 "abuse" "Retry-After: 120"
du_once "$C" $T0
is "$OUT" "h1.dyn.test waiting 120 abuse" "abuse with Retry-After: waits, does not stop"
du_once "$C" $((T0 + 119))
is "$(updates "$S")" 1 "nothing before Retry-After"
reply "$S" 200 "good 198.51.100.1"
du_once "$C" $((T0 + 121))
is "$(updates "$S")" 2 "sent after Retry-After"
fresh
reply "$S" 503 "busy" "Retry-After: 900"
du_once "$C" $T0
is "$OUT" "h1.dyn.test waiting 900 server-error" "503 with Retry-After 900"
du_once "$C" $((T0 + 899))
is "$(updates "$S")" 1 "nothing before 900 s"

# ---- network errors: exponential back-off with jitter -----------------
conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off" "backoff-min=60" "backoff-max=3600" "timeout=2"
fresh
reply "$S" close ""
t=$T0
prev_hi=0
for n in 1 2 3 4 5 6 7; do
	du_once "$C" $t
	[ $n = 1 ] && first_err=$ERR
	w=$(echo "$OUT" | cut -d' ' -f3)
	hi=$((60 << (n - 1)))
	[ $hi -gt 3600 ] && hi=3600
	check "network error $n: waits $w s, within [$((hi / 2)), $hi]" \
		test "$w" -ge $((hi / 2)) -a "$w" -le $hi
	is "$RC" 2 "network error $n: exit 2"
	du_once "$C" $((t + w - 1))
	is "$(updates "$S")" $n "network error $n: nothing sent during the back-off"
	t=$((t + w))
done
like "$first_err" "no reply from 127.0.0.1 \\(connection closed\\)" "the log says what went wrong"
reply "$S" hang ""
conf "$C" "ipv4=command echo 198.51.100.1" "ipv6=off" "timeout=1"
fresh
start=$(date +%s%3N)
du_once "$C" $T0
took=$(( $(date +%s%3N) - start ))
like "$OUT" "waiting [0-9]+ network-error" "a server that never answers is a network error"
check "given up after the time-out ($took ms)" test $took -lt 3000
like "$ERR" "timed out" "the log says it timed out"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null
fresh
du_once "$C" $T0
like "$OUT" "waiting [0-9]+ network-error" "connection refused is a network error"
like "$ERR" "cannot connect to 127.0.0.1 port $FAKE_PORT" "and the log names the server"
fake_start "$S"

# ---- tokens never go over plain HTTP to other machines ----------------
cat >"$C" <<EOC
cache = $TMP/state/cache
[host h1.dyn.test]
server = http://192.0.2.1:9
token = tok-1
ipv4 = command echo 198.51.100.1
ipv6 = off
EOC
fresh
du_once "$C" $T0
is "$RC" 3 "plain HTTP to a non-loopback server: exit 3"
is "$OUT" "h1.dyn.test stopped refused" "refused before connecting"
like "$ERR" "refusing to send a token over plain HTTP to 192.0.2.1" "the log says why"
unlike "$ERR" "tok-1" "the token is never logged"

# ---- both families: one request, or one each --------------------------
v6=2001:db8::10
cat >"$C" <<EOC
cache = $TMP/state/cache
server = http://127.0.0.1:$FAKE_PORT
[host h1.dyn.test]
token = tok-1
ipv4 = command echo 198.51.100.1
ipv6 = command cat $TMP/v6
EOC
echo $v6 >"$TMP/v6"
fresh
reply "$S" 200 "good 198.51.100.1,$v6"
du_once "$C" $T0
is "$OUT" "h1.dyn.test updated 198.51.100.1,$v6" "dual stack: updated"
is "$(updates "$S")" 1 "combined: one request"
is "$(last_update "$S")" "/nic/update?hostname=h1.dyn.test&myip=198.51.100.1,$v6" "myip=v4,v6"
echo 2001:db8::11 >"$TMP/v6"
du_once "$C" $((T0 + 7200))
is "$(last_update "$S")" "/nic/update?hostname=h1.dyn.test&myip=198.51.100.1,2001:db8::11" \
	"combined: a v6 change sends both"
echo "combined = no" >>"$C"
echo $v6 >"$TMP/v6"
fresh
du_once "$C" $T0
is "$(updates "$S")" 2 "combined = no: two requests"
is "$(grep -v /checkip "$S/requests.log" | cut -d' ' -f2 | tr '\n' ' ')" \
	"/nic/update?hostname=h1.dyn.test&myip=198.51.100.1 /nic/update?hostname=h1.dyn.test&myip=$v6 " \
	"one per family"
echo 2001:db8::11 >"$TMP/v6"
du_once "$C" $((T0 + 7200))
is "$(updates "$S")" 3 "separate: a v6 change sends one request"
is "$(last_update "$S")" "/nic/update?hostname=h1.dyn.test&myip=2001:db8::11" "with v6 only"

# ---- other protocols ----------------------------------------------------
cat >"$C" <<EOC
cache = $TMP/state/cache
[host me.duckdns.org]
protocol = duckdns
server = http://127.0.0.1:$FAKE_PORT
token = duck-tok
ipv4 = command echo 198.51.100.1
ipv6 = command echo $v6
EOC
fresh
reply "$S" 200 "OK"
du_once "$C" $T0
is "$OUT" "me.duckdns.org updated 198.51.100.1,$v6" "duckdns: updated"
is "$(last_update "$S")" "/update?domains=me&token=duck-tok&ip=198.51.100.1&ipv6=$v6" "duckdns request"
unlike "$ERR" "duck-tok" "duckdns: the token is masked in logs"
du_once "$C" $((T0 + 60))
is "$(updates "$S")" 1 "duckdns: nothing sent without a change"
reply "$S" 200 "KO"
rm -rf "$TMP/state"
du_once "$C" $T0
is "$OUT" "me.duckdns.org stopped badauth" "duckdns: KO stops"

cat >"$C" <<EOC
cache = $TMP/state/cache
[host t.example.com]
protocol = template
url = http://127.0.0.1:$FAKE_PORT/set?host=%h&ip=%a&key=%t
token = tmpl-tok
ipv4 = command echo 198.51.100.1
ipv6 = command echo $v6
EOC
fresh
reply "$S" 200 "updated"
du_once "$C" $T0
is "$OUT" "t.example.com updated 198.51.100.1,$v6" "template: updated"
is "$(grep -v /checkip "$S/requests.log" | cut -d' ' -f2 | tr '\n' ' ')" \
	"/set?host=t.example.com&ip=198.51.100.1&key=tmpl-tok /set?host=t.example.com&ip=$v6&key=tmpl-tok " \
	"template with %a: one request per family"
like "$ERR" "key=\\*\\*\\*" "template: the token is masked in logs"
unlike "$ERR" "tmpl-tok" "template: the token never appears in logs"

# ---- one instance per cache -------------------------------------------
mkdir -p "$TMP/state"
flock -n "$TMP/state/cache.lock" sleep 3 &
locker=$!
PIDS+=("$locker")
sleep 0.3
du_once "$C" $T0
is "$RC" 1 "a second instance on the same cache: exit 1"
like "$ERR" "another dynzone-update is using" "and says why"
kill "$locker" 2>/dev/null

# ---- configuration errors --------------------------------------------
printf '[host x.example]\nfoo = bar\n' >"$C"
du_once "$C" $T0
is "$RC" 1 "bad configuration: exit 1"
like "$ERR" "line 2: unknown key 'foo'" "bad configuration: names the line"
conf "$C" "ipv6=off"
out=$("$DYNZONE_UPDATE" -c "$C" --check 2>&1)
is "$?" 0 "--check accepts a good file"
is "$out" "$C: 1 host, cache $TMP/state/cache" "--check summarises it"
t_done
