#!/usr/bin/env bash
# Dashboard API: sign-up, log-in, log-out, /me, sessions (hashed, cookie
# attributes, sliding expiry, expired), CSRF, request caps and the log-in
# slow-down.
. "$(dirname "$0")/../lib.sh"

dz_config acc signup=open signup-zones=$ZONE session-lifetime=4
dz zone add $ZONE --ns ns1.$ZONE=127.0.0.1 >/dev/null
dz_start

# --- public info and sign-up ---------------------------------------------
as anon
call GET /info
is "$ST $(j .signup)" "200 open" "GET /info tells the sign-up mode"
like "$HDRS" $'\n''Content-Type: application/json' "API replies are JSON"
like "$HDRS" "Cache-Control: no-store" "and never cached"
call GET /me
err_is 401 unauthenticated "GET /me without a session is 401"

signup alice 'alice-password-1'
is "$ST" 201 "POST /signup creates an account"
is "$(j .user.name) $(j .user.admin)" "alice false" "and answers with the new user"
like "$(j .csrf)" '^[A-Za-z0-9_-]{32}$' "with a CSRF token"
is "$(j '.zones | join(",")')" "$ZONE" "and the zones open to the user"
setcookie=$(grep -i '^Set-Cookie:' <<<"$HDRS")
like "$setcookie" 'dz_session=[A-Za-z0-9_-]{32};' "the session is a cookie"
like "$setcookie" 'HttpOnly' "HttpOnly"
like "$setcookie" 'SameSite=Strict' "SameSite=Strict"
unlike "$setcookie" 'Secure' "not Secure over plain HTTP"
call GET /me
is "$ST $(j .user.name)" "200 alice" "the cookie is a session"

pw=$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT password FROM users WHERE name = 'alice'")
like "$pw" '^\$argon2id\$' "the password is stored as an argon2id hash"
key=$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT lower(hex(key)) FROM sessions")
is "$key" "$(printf %s "$(cookie alice)" | sha256sum | cut -c1-64)" \
	"the store keeps only the SHA-256 of the session id"
first_cookie=$(cookie alice)

as mallory
call POST /signup '{"user":"alice","password":"another-password"}'
err_is 409 user_exists "a taken user name is refused"
call POST /signup '{"user":"<b>bob</b>","password":"another-password"}'
err_is 422 invalid_name "a user name with markup is refused"
call POST /signup '{"user":"bob","password":"short"}'
err_is 422 invalid_password "a short password is refused"
call POST /signup '{"user":"bob"}'
err_is 422 invalid_password "a missing password is refused"

# --- request shape -------------------------------------------------------------
call POST /signup '{"user":"bob",' 
err_is 400 invalid_json "a body that is not JSON is 400"
call POST /signup '["bob"]'
err_is 400 invalid_json "a body that is not an object is 400"
call POST /signup '{"user":"bob","user":"eve","password":"another-password"}'
err_is 400 invalid_json "duplicate keys are refused"
ST=$(curl -s -o "$TMP/b" -w '%{http_code}' -H 'Content-Type: text/plain' \
	--data-binary '{"user":"bob","password":"another-password"}' "$(api_base)/api/v1/signup")
BODY=$(cat "$TMP/b")
err_is 415 unsupported_media_type "a body that is not application/json is 415"
big=$(python3 -c 'print("{\"user\":\"bob\",\"password\":\"" + "x" * 20000 + "\"}")')
call POST /signup "$big"
err_is 413 body_too_large "a 20 KiB body is refused with a JSON 413"
python3 -c 'print("{\"pad\":\"" + "x" * 200000 + "\"}")' >"$TMP/huge.json"
ST=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @"$TMP/huge.json" "$(api_base)/api/v1/signup")
is "$ST" 413 "a 200 KiB body is refused before it is read whole"
call GET /nosuch
err_is 404 not_found "an unknown endpoint is a JSON 404"
call PUT /hosts '{}'
err_is 405 method_not_allowed "a wrong method is a JSON 405"

# --- log in and out --------------------------------------------------------------
login alice 'wrong-password'
err_is 401 bad_credentials "a wrong password is refused"
login nobody 'alice-password-1'
err_is 401 bad_credentials "an unknown user gets the same answer"
as alice2
call POST /login '{"user":"alice"}'
err_is 400 bad_request "a log-in without a password is 400"
login alice 'alice-password-1'
is "$ST $(j .user.name)" "200 alice" "the right password logs in"
second=$(cookie alice)
check "each log-in is a new session" test "$second" != "$first_cookie"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM sessions WHERE key = x'$(printf %s "$second" | sha256sum | cut -c1-64)'")" 1 \
	"with its own row"

# --- CSRF ----------------------------------------------------------------------
NOCSRF=1 call POST /logout
err_is 403 csrf_failed "log-out without the CSRF token is refused"
CSRFS[alice_saved]=${CSRFS[alice]}
CSRFS[alice]=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
call POST /logout
err_is 403 csrf_failed "log-out with a wrong CSRF token is refused"
CSRFS[alice]=${CSRFS[alice_saved]}
call POST /logout '' -H 'Origin: http://evil.example'
err_is 403 csrf_failed "a request from another origin is refused, token or not"
call POST /logout '' -H 'Sec-Fetch-Site: cross-site'
err_is 403 csrf_failed "a cross-site fetch is refused"
call GET /me
is "$ST" 200 "the session survived the refused requests"
call POST /logout '' -H "Origin: $(api_base)" -H 'Sec-Fetch-Site: same-origin'
is "$ST" 204 "log-out from the page's own origin works"
like "$(grep -i '^Set-Cookie:' <<<"$HDRS")" 'dz_session=;.*Max-Age=0' "and clears the cookie"
curl -s -o "$TMP/b" -w '%{http_code}' -b "dz_session=$second" "$(api_base)/api/v1/me" >"$TMP/st"
is "$(cat "$TMP/st") $(jq -r .error.code "$TMP/b")" "401 unauthenticated" \
	"the ended session's id is no longer accepted"

# --- sliding and expired sessions (session-lifetime = 4) -------------------------
login alice 'alice-password-1'
sleep 2.5
call GET /me
is "$ST" 200 "a session used within its lifetime is valid"
sleep 2.5
call GET /me
is "$ST" 200 "each use extends it (5 s after log-in, lifetime 4 s)"
like "$(grep -i '^Set-Cookie:' <<<"$HDRS")" 'dz_session=[A-Za-z0-9_-]{32};.*Max-Age=4' \
	"and the cookie's Max-Age slides along"
kept=$(cookie alice)
sleep 5.5
# a client that keeps the cookie past its Max-Age: the server's expiry
ST=$(curl -s -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' -b "dz_session=$kept" "$(api_base)/api/v1/me")
BODY=$(cat "$TMP/b")
err_is 401 session_expired "an unused session expires on the server"
like "$(tr -d '\r' <"$TMP/h" | grep -i '^Set-Cookie:')" 'Max-Age=0' "and the client is told to clear the cookie"
call GET /me
err_is 401 unauthenticated "a browser has dropped the cookie by then (its Max-Age)"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM sessions WHERE key = x'$(printf %s "$kept" | sha256sum | cut -c1-64)'")" 0 \
	"the expired session's row is deleted"

# --- the log-in slow-down -------------------------------------------------------------
signup bob 'bob-password-12'
# timed_login NAME PASSWORD: log in, MS = how long it took
timed_login() { local s; s=$(date +%s%N); login "$@"; MS=$((($(date +%s%N) - s) / 1000000)); }
timed_login bob 'wrong-1'
first=$MS
for i in 2 3 4 5 6 7; do timed_login bob "wrong-$i"; done
timed_login bob 'wrong-8'
slow=$MS
err_is 401 bad_credentials "failed log-ins are still answered"
diag "first failure ${first} ms, eighth ${slow} ms"
check "after a few failures a log-in is held (${slow} ms vs ${first} ms)" test "$slow" -ge $((first + 500))
timed_login bob 'bob-password-12'
is "$ST" 200 "the right password still gets in, slowed, not locked out"
check "held too (${MS} ms)" test "$MS" -ge $((first + 500))
timed_login carol 'whatever-pw'
err_is 401 bad_credentials "other accounts from the same address"
check "are held too: the address counts (${MS} ms)" test "$MS" -ge $((first + 500))
check "the slow-down held no HTTP thread: /info answers at once meanwhile" bash -c "
	curl -s -o /dev/null --max-time 1 -H 'Content-Type: application/json' \
		-d '{\"user\":\"bob\",\"password\":\"wrong-8\"}' $(api_base)/api/v1/login &
	sleep 0.1
	s=\$(date +%s%N); curl -s -o /dev/null $(api_base)/api/v1/info; e=\$(date +%s%N)
	wait
	[ \$(((e - s) / 1000000)) -lt 1500 ]"
# as many held log-ins as there are API workers (2), and one more: they
# wait on a timer, not on a worker, so a request that needs a worker
# (every API request does) is answered at once meanwhile
check "held log-ins hold no API worker: /info answers at once meanwhile" bash -c "
	for i in 1 2 3; do
		curl -s -o /dev/null --max-time 2 -H 'Content-Type: application/json' \
			-d '{\"user\":\"bob\",\"password\":\"wrong-9\"}' $(api_base)/api/v1/login &
	done
	sleep 0.2
	s=\$(date +%s%N)
	st=\$(curl -s -o /dev/null -w '%{http_code}' $(api_base)/api/v1/info)
	e=\$(date +%s%N)
	wait
	[ \"\$st\" = 200 ] && [ \$(((e - s) / 1000000)) -lt 1000 ]"

# --- sign-up limits and modes ------------------------------------------------------------
n=0
for i in $(seq 1 12); do
	as "flood$i"
	call POST /signup "{\"user\":\"flood$i\",\"password\":\"flood-password\"}"
	[ "$ST" = 429 ] && break
	n=$((n + 1))
done
err_is 429 rate_limited "mass sign-up from one address is rate-limited"
like "$HDRS" 'Retry-After: [0-9]+' "with Retry-After"
dz_stop

dz_config closed signup=closed
dz_start
as x
call GET /info
is "$(j .signup)" closed "signup = closed is reported"
call POST /signup '{"user":"dave","password":"dave-password"}'
err_is 403 signup_closed "and sign-up is refused"
dz_stop

# --- password change, and names that differ only in case -------------------------------
dz_config pw signup=open signup-zones=$ZONE
dz_start
signup erin 'erin-password-1'
as erin2; call POST /login '{"user":"ERIN","password":"erin-password-1"}'
is "$ST" 200 "a user name is found whatever its case at log-in"
CSRFS[erin2]=$(j .csrf)
is "$(j .user.name)" "erin" "and the account keeps the name as it was written"
signup Erin 'other-password-1'
err_is 409 user_exists "'Erin' cannot sign up beside 'erin'"
as erin
call POST /me/password '{"current":"wrong-password","password":"erin-password-2"}'
err_is 403 bad_credentials "a password change needs the current password"
call POST /me/password '{"current":"erin-password-1","password":"short"}'
err_is 422 invalid_password "the new password follows the policy"
NOCSRF=1 call POST /me/password '{"current":"erin-password-1","password":"erin-password-2"}'
err_is 403 csrf_failed "a password change needs the CSRF token"
call POST /me/password '{"current":"erin-password-1","password":"erin-password-2"}'
is "$ST" 204 "the password is changed"
call GET /me
is "$ST" 200 "the session that changed it goes on"
as erin2; call GET /me
err_is 401 unauthenticated "the user's other sessions are ended"
login erin 'erin-password-1'
err_is 401 bad_credentials "the old password no longer logs in"
login erin 'erin-password-2'
is "$ST" 200 "the new one does"
echo 'erin-password-3' | dz user passwd ERIN 2>/dev/null
is "$?" 0 "an administrator resets it from the shell (any case)"
call GET /me
err_is 401 unauthenticated "which ends every session"
login erin 'erin-password-3'
is "$ST" 200 "and the reset password logs in"
echo 'short' | dz user passwd erin 2>"$TMP/pw.err"
is "$?" 1 "user passwd refuses a short password"
echo 'erin-password-4' | dz user passwd nobody-here 2>"$TMP/pw.err"
is "$?" 1 "user passwd of an unknown user fails"
like "$(cat "$TMP/pw.err")" "no user 'nobody-here'" "and says so"
echo 'erin-password-4' | dz user add ERIN 2>"$TMP/pw.err"
like "$(cat "$TMP/pw.err")" "exists" "user add refuses a name that differs only in case"
dz_stop

# --- password hashing never takes every API worker ------------------------------------
dz_config hash signup=open signup-zones=$ZONE
dz_start
signup frank 'frank-password-1'
# ten log-ins at once (argon2id each), then /info, which needs a worker too
cat >"$TMP/burst.py" <<'PY'
import json, sys, threading, time, urllib.request
base = sys.argv[1]
def post(path, body, out, i):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json'})
    try:
        out[i] = urllib.request.urlopen(req, timeout=20).status
    except urllib.error.HTTPError as e:
        out[i] = e.code
res = [0] * 9
ts = [threading.Thread(target=post, args=('/api/v1/login', {'user': 'frank', 'password': 'frank-password-1'}, res, i)) for i in range(9)]
t0 = time.time()
for t in ts: t.start()
time.sleep(0.15)
s = time.time()
info = urllib.request.urlopen(base + '/api/v1/info', timeout=20).status
e = time.time()
for t in ts: t.join()
print(info, int((e - s) * 1000), int((time.time() - t0) * 1000), ' '.join(map(str, res)))
PY
read -r info info_ms all_ms codes < <(python3 "$TMP/burst.py" "$(api_base)")
diag "/info took ${info_ms} ms while nine log-ins hashed (all done in ${all_ms} ms): $codes"
is "$info" 200 "/info is answered during a burst of log-ins"
check "at once: password hashing leaves a worker free (${info_ms} ms)" test "$info_ms" -lt 400
is "$codes" "200 200 200 200 200 200 200 200 200" "and every log-in of the burst gets in (held for a slot, not refused)"
dz_stop

cat >"$TMP/bad.conf" <<EOF
db = $TMP/bad.db
dns-listen = 127.0.0.1:$DZ_PORT
http-listen = 127.0.0.1:$DZ_HTTP_PORT
signup = sometimes
EOF
"$DYNZONE" -c "$TMP/bad.conf" serve >"$TMP/bad.log" 2>&1 &
bad=$!
PIDS+=("$bad")
for i in $(seq 1 50); do kill -0 $bad 2>/dev/null || break; sleep 0.1; done
like "$(cat "$TMP/bad.log")" "signup must be open, invite or closed" "a bad signup value stops the server with a reason"
t_done
