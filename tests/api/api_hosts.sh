#!/usr/bin/env bash
# Dashboard API: hosts and tokens.  Create, list, show, delete; new, rotate
# and revoke tokens and use them on /nic/update; a host's history; and the
# refusals: another user's host, markup in a name, names that are not free,
# zones not opened, the per-user cap, a missing session or CSRF token.
. "$(dirname "$0")/../lib.sh"

dz_config hosts signup=open signup-zones=$ZONE signup-max-hosts=3
dz zone add $ZONE --ns ns1.$ZONE=127.0.0.1 >/dev/null
dz zone add other.localhost --ns ns1.other.localhost=127.0.0.1 >/dev/null
dz record add www.$ZONE A 192.0.2.80 >/dev/null
dz_start

signup alice 'alice-password-1'
signup bob 'bob-password-12'

# --- create ------------------------------------------------------------------
as alice
call GET /hosts
is "$ST $(j '.hosts | length')" "200 0" "a new user has no hosts"
call POST /hosts "{\"name\":\"home\",\"zone\":\"$ZONE\"}"
is "$ST" 201 "POST /hosts creates a host"
is "$(j .host.name)" "home.$ZONE" "named label.zone"
tok=$(j .token)
like "$tok" '^[A-Za-z0-9_-]{32}$' "with a first token, shown in the reply"
is "$(j .token_id)" "${tok:0:8}" "and its id"
is "$(j '[.host.ipv4, .host.ipv6] | map(tostring) | join(",")')" "null,null" "a new host has no address yet"
is "$(rcode home.$ZONE A)" NXDOMAIN "and no record in DNS"
call POST /hosts "{\"name\":\"work.$ZONE\"}"
is "$ST $(j .host.name)" "201 work.$ZONE" "a full name works too"
work_tok=$(j .token)

call POST /hosts "{\"name\":\"home\",\"zone\":\"$ZONE\"}"
err_is 409 exists "the same name again is refused"
as bob
call POST /hosts "{\"name\":\"home\",\"zone\":\"$ZONE\"}"
err_is 409 exists "also for another user"
call POST /hosts "{\"name\":\"www\",\"zone\":\"$ZONE\"}"
err_is 409 exists "a name with static records is not free"
is "$(qs www.$ZONE A)" "192.0.2.80" "and its record is untouched"
call POST /hosts "{\"name\":\"ns1\",\"zone\":\"$ZONE\"}"
err_is 409 exists "nor is a name server's name"
call POST /hosts "{\"name\":\"<script>alert(1)</script>\",\"zone\":\"$ZONE\"}"
err_is 422 invalid_name "a host name with markup is refused"
call POST /hosts "{\"name\":\"a<b>.$ZONE\"}"
err_is 422 invalid_name "also as a full name"
call POST /hosts "{\"name\":\"a.b\",\"zone\":\"$ZONE\"}"
err_is 422 invalid_name "a name with a dot in the label is refused"
call POST /hosts "{\"name\":\"_acme-challenge\",\"zone\":\"$ZONE\"}"
err_is 422 invalid_name "an underscore name is refused"
call POST /hosts "{\"name\":\"-x\",\"zone\":\"$ZONE\"}"
err_is 422 invalid_name "a leading hyphen is refused"
call POST /hosts "{\"name\":\"x.home.$ZONE\"}"
err_is 422 invalid_zone "a name below someone's host is refused"
call POST /hosts '{"name":"x","zone":"example.com"}'
err_is 422 invalid_zone "a zone this server does not have is refused"
call POST /hosts '{"name":"x","zone":"other.localhost"}'
err_is 403 zone_forbidden "a zone not opened to the user is refused"
call POST /hosts '{"zone":"other.localhost"}'
err_is 400 bad_request "a host without a name is 400"
NOCSRF=1 call POST /hosts "{\"name\":\"nocsrf\",\"zone\":\"$ZONE\"}"
err_is 403 csrf_failed "creating a host without the CSRF token is refused"
as anon
call POST /hosts "{\"name\":\"anon\",\"zone\":\"$ZONE\"}"
err_is 401 unauthenticated "creating a host without a session is refused"
as bob
for n in b1 b2 b3; do call POST /hosts "{\"name\":\"$n\",\"zone\":\"$ZONE\"}"; done
is "$ST" 201 "signup-max-hosts hosts may be made"
call POST /hosts "{\"name\":\"b4\",\"zone\":\"$ZONE\"}"
err_is 403 host_limit "one more is refused"

# --- list and show ------------------------------------------------------------------
as alice
call GET /hosts
is "$(j '[.hosts[].name] | join(" ")')" "home.$ZONE work.$ZONE" "GET /hosts lists only the user's hosts"
is "$(j '.hosts[0].tokens')" 1 "with their number of tokens"
is "$(upd "$tok" "hostname=home.$ZONE&myip=192.0.2.10")" "good 192.0.2.10" "the first token updates the host"
is "$(upd "$tok" "hostname=home.$ZONE&myip=2001:db8::10")" "good 192.0.2.10,2001:db8::10" "both families"
is "$(upd "$tok" "hostname=home.$ZONE&myip=2001:db8::10")" "nochg 192.0.2.10,2001:db8::10" "an unchanged update"
is "$(qs home.$ZONE A) $(qs home.$ZONE AAAA)" "192.0.2.10 2001:db8::10" "DNS serves them"
curl -s -A 'router <b>x</b>' -u "home.$ZONE:$tok" "$(api_base)/nic/update?hostname=home.$ZONE&myip=192.0.2.11&txt=hello" >/dev/null
call GET "/hosts/home.$ZONE"
is "$ST $(j .host.ipv4) $(j .host.ipv6)" "200 192.0.2.11 2001:db8::10" "GET /hosts/NAME shows the addresses"
is "$(j '.host.txt | join(",")')" "hello" "and TXT values"
is "$(j .host.last_update.client) $(j .host.last_update.agent)" "127.0.0.1 router <b>x</b>" \
	"and where the last update came from (as data, escaped by JSON)"
is "$(j '.host.tokens | length') $(j '.host.tokens[0].id')" "1 ${tok:0:8}" "and its tokens by id"
like "$(j '.host.tokens[0].last_used')" '^[1-9][0-9]+$' "with the time each was last used"
call GET "/hosts/HOME.${ZONE^^}."
is "$ST $(j .host.name)" "200 home.$ZONE" "names are found in any case, with or without the dot"
call GET "/hosts/%3Cscript%3E"
err_is 404 not_found "markup in a path is just not found"

# --- history ------------------------------------------------------------------------
call GET "/hosts/home.$ZONE/history"
is "$(j '[.history[].addrs] | join(" ")')" "192.0.2.11,2001:db8::10 192.0.2.10,2001:db8::10 192.0.2.10" \
	"the history lists the changes, newest first"
is "$(j '[.history[].result] | unique | join(",")')" good "only changes by default"
call GET "/hosts/home.$ZONE/history?all=1"
is "$(j '[.history[].result] | join(",")')" "good,nochg,good,good" "?all=1 adds the unchanged ones"
call GET "/hosts/home.$ZONE/history?limit=1"
is "$(j '.history | length')" 1 "?limit caps the list"
call GET "/hosts/home.$ZONE/history?limit=0"
err_is 400 bad_request "a bad limit is 400"

# --- another user's host ----------------------------------------------------------------
as bob
call GET "/hosts/home.$ZONE"
err_is 404 not_found "another user's host is not found"
call GET "/hosts/home.$ZONE/history"
err_is 404 not_found "nor its history"
call POST "/hosts/home.$ZONE/tokens"
err_is 404 not_found "no token can be made for it"
call POST "/hosts/home.$ZONE/tokens/rotate"
err_is 404 not_found "nor rotated"
call DELETE "/hosts/home.$ZONE/tokens/${tok:0:8}"
err_is 404 not_found "nor revoked"
call DELETE "/hosts/home.$ZONE"
err_is 404 not_found "and it cannot be deleted"
like "$(upd "$tok" "hostname=b1.$ZONE&myip=192.0.2.66")" '^(badauth|nohost)$' "alice's token cannot update bob's host"
is "$(rcode b1.$ZONE A)" NXDOMAIN "which keeps no address"
as alice
call GET "/hosts/home.$ZONE"
is "$ST $(j '.host.tokens | length')" "200 1" "alice's host and token are untouched"

# --- tokens ---------------------------------------------------------------------------------
call POST "/hosts/home.$ZONE/tokens"
is "$ST" 201 "POST tokens makes another token"
tok2=$(j .token)
is "$(j .id)" "${tok2:0:8}" "with its id"
is "$(upd "$tok2" "hostname=home.$ZONE&myip=192.0.2.12")" "good 192.0.2.12,2001:db8::10" "the new token works"
is "$(upd "$tok" "hostname=home.$ZONE&myip=192.0.2.13")" "good 192.0.2.13,2001:db8::10" "and the old one still does"
NOCSRF=1 call DELETE "/hosts/home.$ZONE/tokens/${tok:0:8}"
err_is 403 csrf_failed "revoking without the CSRF token is refused"
call DELETE "/hosts/home.$ZONE/tokens/${tok:0:8}"
is "$ST" 204 "DELETE tokens/ID revokes one token"
is "$(upd "$tok" "hostname=home.$ZONE&myip=192.0.2.14")" "badauth" "the revoked token is refused"
is "$(upd "$tok2" "hostname=home.$ZONE&myip=192.0.2.14")" "good 192.0.2.14,2001:db8::10" "the other one is not"
call DELETE "/hosts/home.$ZONE/tokens/${tok:0:8}"
err_is 404 not_found "revoking it again: not found"
call DELETE "/hosts/home.$ZONE/tokens/%3Cb%3E"
err_is 404 not_found "a token id with markup: not found"
call POST "/hosts/home.$ZONE/tokens"
tok3=$(j .token)
call POST "/hosts/home.$ZONE/tokens/rotate"
is "$ST $(j .revoked)" "201 2" "rotate revokes every token of the host"
tok4=$(j .token)
is "$(upd "$tok2" "hostname=home.$ZONE&myip=192.0.2.15") $(upd "$tok3" "hostname=home.$ZONE&myip=192.0.2.15")" \
	"badauth badauth" "the rotated-out tokens are refused"
is "$(upd "$tok4" "hostname=home.$ZONE&myip=192.0.2.15")" "good 192.0.2.15,2001:db8::10" "the new one works"
is "$(qs home.$ZONE A)" "192.0.2.15" "and DNS follows"
is "$(upd "$work_tok" "hostname=work.$ZONE&myip=192.0.2.20")" "good 192.0.2.20" "rotating one host leaves the others' tokens"

# --- delete ------------------------------------------------------------------------------------
NOCSRF=1 call DELETE "/hosts/work.$ZONE"
err_is 403 csrf_failed "deleting without the CSRF token is refused"
call DELETE "/hosts/work.$ZONE"
is "$ST" 204 "DELETE /hosts/NAME deletes the host"
is "$(rcode work.$ZONE A)" NXDOMAIN "its records are gone from DNS at once"
is "$(upd "$work_tok" "hostname=work.$ZONE&myip=192.0.2.21")" "badauth" "and its token with it"
call GET "/hosts/work.$ZONE"
err_is 404 not_found "it is not found any more"
call POST /hosts "{\"name\":\"work\",\"zone\":\"$ZONE\"}"
is "$ST" 201 "the name is free again"
t_done
