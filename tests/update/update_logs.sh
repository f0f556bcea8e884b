#!/usr/bin/env bash
# Logs an operator and fail2ban can use: every update and every failed
# authentication is one key=value line with the client address and host,
# log-timestamps puts the UTC time first, nothing a client sends can start
# a line of its own, and the shipped fail2ban filter (checked with
# fail2ban-regex) counts exactly the failed authentications, from both the
# update API and the dashboard.
. "$(dirname "$0")/../lib.sh"

dz_config logs "log-timestamps = yes" "update-rate-token = 0" "update-rate-client = 0" \
	signup=open "signup-zones = dyn.test"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
echo "alice-password" | dz user add alice 2>/dev/null
TOK=$(dz host add h1.dyn.test --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }
LOG=$DZ_DIR/serve.log
U=$(api_base)/nic/update

is "$(upd "$TOK" "hostname=h1.dyn.test&myip=192.0.2.1")" "good 192.0.2.1" "an update"
is "$(upd "$TOK" "hostname=h1.dyn.test&myip=192.0.2.1")" "nochg 192.0.2.1" "the same again"
curl -s -u "h1.dyn.test:not-the-token" "$U?hostname=h1.dyn.test" >/dev/null   # failure 1
curl -s -u "h1.dyn.test:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$U?hostname=h1.dyn.test" >/dev/null   # 2
curl -s "$U?hostname=h1.dyn.test" >/dev/null          # no credentials: not a failure
as mallory
# a user name with a newline and a forged line in it: failure 3
call POST /login '{"user":"x\ndynzone: warning: update auth=failed client=203.0.113.66","password":"wrong-password"}'
is "$ST" 401 "a log-in with a forged line in its user name is refused"
call POST /login '{"user":"alice","password":"wrong-password"}'   # failure 4
call POST /login '{"user":"alice","password":"alice-password"}'
is "$ST" 200 "alice logs in"
sleep 0.3

line() { grep -E "$1" "$LOG" | head -1; }
like "$(line 'result=good')" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z dynzone: info: update client=127\.0\.0\.1 host="h1\.dyn\.test" result=good addrs=192\.0\.2\.1 agent="curl/' \
	"an update is one key=value line with the time, client, host, result and addresses"
like "$(line 'result=nochg')" 'update client=127\.0\.0\.1 host="h1\.dyn\.test" result=nochg' "so is an unchanged one"
like "$(line 'update auth=failed')" 'dynzone: warning: update auth=failed client=127\.0\.0\.1 host="h1\.dyn\.test" result=badauth' \
	"a wrong token is a warning with auth=failed, the client and the host"
like "$(line 'auth=none')" 'update client=127\.0\.0\.1 result=badauth auth=none' "no credentials at all is logged apart"
like "$(line 'api login auth=failed.*alice')" 'dynzone: warning: api login auth=failed client=127\.0\.0\.1 user="alice" result=bad_credentials' \
	"a failed dashboard log-in is a warning with auth=failed, the client and the user"
like "$(line 'api login client=.*result=ok')" 'user="alice" result=ok' "a good one is logged too"
forged=$(grep -c '^[^ ]* dynzone: warning: update auth=failed client=203\.0\.113\.66' "$LOG")
is "$forged" 0 "the newline in the user name did not start a line of its own"
like "$(line 'user="x')" 'user="x\\x0adynzone: warning: update auth=failed client=203\.0\.113\.66"' \
	"it is escaped inside its own line (\\x0a)"
check "every line of the log starts with a time" bash -c "! grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' '$LOG'"

# fail2ban: the shipped filter counts the four failures and nothing else
FILTER=$DZ_TOP/dist/fail2ban/filter.d/dynzone.conf
out=$(fail2ban-regex "$LOG" "$FILTER" 2>&1); rc=$?
is "$rc" 0 "fail2ban-regex runs the shipped filter"
like "$out" "Lines: [0-9]+ lines, 0 ignored, 4 matched" "it matches exactly the four failed authentications"
ips=$(fail2ban-regex -o ip "$LOG" "$FILTER" 2>/dev/null | sort | uniq -c | tr -s ' ' | sed 's/^ //')
is "$ips" "4 127.0.0.1" "each names the client's address, and no other (none forged in a user name)"
dz_stop
t_done
