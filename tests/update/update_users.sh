#!/usr/bin/env bash
# Users, hosts and tokens: the commands, what they refuse, token scope (a
# second user's token cannot touch the first user's host), revocation,
# deletion, and a running server picking up hosts added from the shell.
. "$(dirname "$0")/../lib.sh"

dz_config users "update-rate-token = 0" "update-rate-client = 0"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
dz zone add sub.dyn.test --ns ns1.dyn.test >/dev/null 2>&1
dz record add static.dyn.test A 192.0.2.200 >/dev/null 2>&1
dz record add static.dyn.test AAAA 2001:db8::200 >/dev/null 2>&1
dz record add alias.dyn.test CNAME static.dyn.test. >/dev/null 2>&1

echo "alice-password" | dz user add alice 2>/dev/null
check "user add" test $? -eq 0
echo "bob-password" | dz user add bob --admin 2>/dev/null
check "user add --admin" test $? -eq 0
out=$(echo "another-password" | dz user add alice 2>&1)
like "$out" "exists" "a second user with the same name is refused"
out=$(echo "short" | dz user add carol 2>&1)
like "$out" "shorter than 10" "a short password is refused"
out=$(echo "carol-password" | dz user add 'bad name' 2>&1)
like "$out" "user names are" "a bad user name is refused"
like "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT password FROM users WHERE name = 'alice'")" '^\$argon2id\$v=19\$m=65536,t=3,p=1\$' \
	"the password is stored as an argon2id hash"
like "$(dz user list)" 'bob +yes' "user list shows the admin"

TA=$(dz host add a.dyn.test --user alice)
like "$TA" '^[A-Za-z0-9_-]{32}$' "host add prints a token"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM tokens WHERE tid = '${TA:0:8}' AND length(hash) = 32")" \
	"1" "the store keeps the token's id and a 32-byte hash"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM tokens WHERE hash = CAST('$TA' AS BLOB) OR tid = '$TA'")" \
	"0" "and never the token itself"
out=$(dz host add a.dyn.test --user alice 2>&1)
like "$out" "exists" "a host cannot be added twice"
out=$(dz host add x.example.org --user alice 2>&1)
like "$out" "in no zone" "a name outside every zone is refused"
out=$(dz host add dyn.test --user alice 2>&1)
like "$out" "cannot be a host" "the apex is refused"
out=$(dz host add sub.dyn.test --user alice 2>&1)
like "$out" "cannot be a host" "another zone's apex is refused"
out=$(dz host add alias.dyn.test --user alice 2>&1)
like "$out" "cannot be a host" "a name with a CNAME is refused"
out=$(dz host add 'we ird.dyn.test' --user alice 2>&1)
like "$out" "cannot be a host|not a valid name" "a name that is no host name is refused"
out=$(dz host add z.dyn.test --user nobody 2>&1)
like "$out" "no user" "an unknown user is refused"
out=$(dz host add z.dyn.test 2>&1)
like "$out" "needs --user" "--user is required"
TS=$(dz host add static.dyn.test --user alice)
like "$(dz host list)" 'static\.dyn\.test\. +alice +60 online +- +192\.0\.2\.200,2001:db8::200 ' \
	"a host over existing A/AAAA records takes them over"
TX=$(dz host add x.sub.dyn.test --user alice)
check "a host in the more specific zone" test -n "$TX"
TC=$(dz host add c.dyn.test --user bob)

dz_start || { notok "server starts"; t_done; exit 1; }
U="http://127.0.0.1:$DZ_HTTP_PORT/nic/update"
upd() { curl -s -m 20 "$@" | perl -pe 's/\r\n/|/g'; }

is "$(upd -u "a.dyn.test:$TA" "$U?hostname=a.dyn.test&myip=192.0.2.1")" "good 192.0.2.1|" "alice updates her host"
is "$(upd -u "static.dyn.test:$TS" "$U?hostname=static.dyn.test&myip=192.0.2.201")" \
	"good 192.0.2.201,2001:db8::200|" "a taken-over host: its A replaced"
is "$(qs static.dyn.test A)" "192.0.2.201" "the static A is gone, the new one served"
is "$(qs static.dyn.test AAAA)" "2001:db8::200" "its AAAA kept"
is "$(upd -u "x.sub.dyn.test:$TX" "$U?hostname=x.sub.dyn.test&myip=192.0.2.3")" "good 192.0.2.3|" "host in a subzone"
is "$(dig @127.0.0.1 -p "$DZ_PORT" +short x.sub.dyn.test A)" "192.0.2.3" "served from the subzone"

# --- the second user's token cannot touch the first user's host -----------
# (bob is even an admin: an account's rights are no key to others' hosts)
is "$(upd -u "c.dyn.test:$TC" "$U?hostname=a.dyn.test&myip=198.51.100.66")" "nohost|" \
	"bob's token (as his host) on alice's host: nohost"
is "$(upd -u "bob:$TC" "$U?hostname=a.dyn.test&myip=198.51.100.66")" "nohost|" \
	"bob's token (as bob) on alice's host: nohost"
is "$(upd -u "a.dyn.test:$TC" "$U?hostname=a.dyn.test&myip=198.51.100.66")" "badauth|" \
	"bob's token with alice's host as user name: badauth"
is "$(upd -u "alice:$TC" "$U?hostname=a.dyn.test&myip=198.51.100.66")" "badauth|" \
	"bob's token with alice's name: badauth"
is "$(upd "$U?hostname=a.dyn.test&myip=198.51.100.66&username=bob&password=$TC")" "nohost|" \
	"bob's token in the query: nohost"
is "$(upd -u "bob:$TC" "$U?hostname=c.dyn.test,a.dyn.test&myip=198.51.100.66")" "good 198.51.100.66|nohost|" \
	"in one request with his own host: only his own changes"
is "$(qs a.dyn.test A)" "192.0.2.1" "alice's host untouched"
is "$(qs c.dyn.test A)" "198.51.100.66" "bob's host updated"
out=$(dz token new a.dyn.test c.dyn.test 2>&1)
like "$out" "another user" "one token cannot span two users' hosts"

# --- several tokens, revocation ----------------------------------------------
TA2=$(dz token new a.dyn.test)
like "$TA2" '^[A-Za-z0-9_-]{32}$' "token new prints a token"
is "$(upd -u "a.dyn.test:$TA2" "$U?hostname=a.dyn.test&myip=192.0.2.2")" "good 192.0.2.2|" "the new token works"
is "$(upd -u "a.dyn.test:$TA" "$U?hostname=a.dyn.test&myip=192.0.2.3")" "good 192.0.2.3|" "the old one still does"
like "$(dz token list a.dyn.test)" "${TA:0:8} +alice .* a\.dyn\.test\." "token list shows the id"
dz token revoke a.dyn.test "${TA:0:8}" 2>/dev/null
check "token revoke by id" test $? -eq 0
is "$(upd -u "a.dyn.test:$TA" "$U?hostname=a.dyn.test&myip=192.0.2.4")" "badauth|" "a revoked token is refused at once"
is "$(upd -u "a.dyn.test:$TA2" "$U?hostname=a.dyn.test&myip=192.0.2.4")" "good 192.0.2.4|" "the other token still works"
out=$(dz token revoke a.dyn.test "${TA:0:8}" 2>&1)
like "$out" "no token" "revoking it again: no such token"
dz token revoke a.dyn.test 2>/dev/null
is "$(upd -u "a.dyn.test:$TA2" "$U?hostname=a.dyn.test&myip=192.0.2.5")" "badauth|" "token revoke FQDN revokes all"
is "$(qs a.dyn.test A)" "192.0.2.4" "no change after revocation"

# --- a host added while the server runs --------------------------------------
TN=$(dz host add new.dyn.test --user alice)
is "$(upd -u "new.dyn.test:$TN" "$U?hostname=new.dyn.test&myip=192.0.2.50")" "good 192.0.2.50|" \
	"a host added from the shell is updatable at once"
is "$(qs new.dyn.test A)" "192.0.2.50" "and served"
is "$(rcode fresh.dyn.test A)" "NXDOMAIN" "(a name never updated is NXDOMAIN)"
TF=$(dz host add fresh.dyn.test --user alice)
is "$(rcode fresh.dyn.test A)" "NXDOMAIN" "a new host has no address until its first update"

# --- deletion ------------------------------------------------------------------
dz host del new.dyn.test 2>/dev/null
check "host del" test $? -eq 0
sleep 0.5
is "$(rcode new.dyn.test A)" "NXDOMAIN" "its records leave DNS (through the journal)"
is "$(upd -u "new.dyn.test:$TN" "$U?hostname=new.dyn.test&myip=192.0.2.51")" "badauth|" "its token died with it"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log WHERE host_id NOT IN (SELECT id FROM hosts)")" \
	"0" "its log went with it"
TAX=$(dz token new a.dyn.test static.dyn.test)
dz host del static.dyn.test 2>/dev/null
is "$(upd -u "alice:$TAX" "$U?hostname=a.dyn.test&myip=192.0.2.6")" "good 192.0.2.6|" \
	"a token covering two hosts survives the deletion of one"
dz user del alice 2>/dev/null
check "user del" test $? -eq 0
sleep 0.5
is "$(rcode a.dyn.test A)" "NXDOMAIN" "the user's hosts leave DNS"
is "$(rcode x.sub.dyn.test A)" "NXDOMAIN" "in every zone"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM hosts; SELECT count(*) FROM tokens")" $'1\n1' \
	"only bob's host and token remain"
is "$(upd -u "c.dyn.test:$TC" "$U?hostname=c.dyn.test&myip=198.51.100.67")" "good 198.51.100.67|" "bob is unaffected"

# --- zone access -------------------------------------------------------------------
dz user allow bob dyn.test --max-hosts 5 2>/dev/null
like "$(dz user list)" 'bob +yes .* dyn\.test\.' "user allow opens a zone"
out=$(dz user allow bob nosuch.test 2>&1)
like "$out" "no zone" "user allow needs an existing zone"
dz user deny bob dyn.test 2>/dev/null
unlike "$(dz user list)" 'bob +yes .* dyn\.test\.' "user deny closes it"
dz_stop
t_done
