#!/usr/bin/env bash
# Dashboard API: per-host settings (issue #16), PATCH /hosts/{name}: TTL,
# a wildcard below the host (*.host answers the host's A and AAAA and
# follows its updates), addresses set by hand or cleared, "use my current
# address" over either family; all in one commit, DNS answering when the
# reply comes; refusals: bad values, unknown settings, another user's host,
# a missing CSRF token.
. "$(dirname "$0")/../lib.sh"

dz_config settings signup=open signup-zones=$ZONE
dz zone add $ZONE --ns ns1.$ZONE=127.0.0.1 >/dev/null
dz_start

signup alice 'alice-password-1'
signup bob 'bob-password-12'
as alice
call POST /hosts "{\"name\":\"home\",\"zone\":\"$ZONE\"}"
tok=$(j .token)
H=home.$ZONE
is "$(j .host.wildcard)" "false" "a new host has no wildcard"

call PATCH /hosts/$H '{"ipv4":"192.0.2.7","ipv6":"2001:db8::7","ttl":120}'
is "$ST" 200 "PATCH sets addresses and TTL in one request"
is "$(j '[.host.ipv4, .host.ipv6, .host.ttl] | map(tostring) | join(" ")')" \
	"192.0.2.7 2001:db8::7 120" "the reply is the new host"
is "$(qs $H A) $(qs $H AAAA)" "192.0.2.7 2001:db8::7" "DNS answers at once"
is "$(q +noall +answer $H A | awk '{print $2}')" "120" "with the new TTL"

call PATCH /hosts/$H '{"wildcard":true}'
is "$ST $(j .host.wildcard)" "200 true" "wildcard on"
is "$(qs anything.$H A)" "192.0.2.7" "*.host answers the host's A"
is "$(qs deep.er.$H AAAA)" "2001:db8::7" "and AAAA, at any depth"
up "$(api_base)/nic/update" "hostname=$H&myip=192.0.2.8" -u "$H:$tok"
is "$BODY" "good 192.0.2.8,2001:db8::7|" "an update"
is "$(qs anything.$H A)" "192.0.2.8" "moves the wildcard too"
up "$(api_base)/nic/update" "hostname=$H&txt=token-1" -u "$H:$tok"
is "$(q +noall +answer _acme-challenge.$H TXT | awk '{print $2}')" "120" "a TXT value has the host's TTL"
call PATCH /hosts/$H '{"ttl":300}'
is "$(q +noall +answer x.$H A | awk '{print $2}')" "300" "a TTL change reaches the wildcard"
is "$(q +noall +answer _acme-challenge.$H TXT | awk '{print $2 " " $5}')" '300 "token-1"' \
	"and the TXT value, kept"
call PATCH /hosts/$H '{"wildcard":false}'
is "$ST $(j .host.wildcard)" "200 false" "wildcard off"
is "$(rcode anything.$H A)" "NXDOMAIN" "*.host is gone"
is "$(qs $H A)" "192.0.2.8" "the host keeps its address"

call PATCH /hosts/$H '{"ipv6":""}'
is "$ST $(j .host.ipv6)" "200 null" "ipv6 \"\" removes the IPv6 address"
is "$(qs $H AAAA)" "" "no AAAA in DNS"
is "$(qs $H A)" "192.0.2.8" "the A stays"

call PATCH /hosts/$H '{"myip":true}'
is "$ST $(j .host.ipv4)" "200 127.0.0.1" "myip over IPv4: the caller's v4 address"
is "$(curl -s -g -H "Cookie: dz_session=$(cookie alice)" -H "X-CSRF-Token: ${CSRFS[alice]}" \
	-H 'Content-Type: application/json' -X PATCH --data-binary '{"myip":true}' \
	"http://[::1]:$DZ_HTTP_PORT/api/v1/hosts/$H" | jq -r '.host.ipv6 // .error.code')" "::1" \
	"myip over IPv6: the caller's v6 address"
is "$(qs $H A) $(qs $H AAAA)" "127.0.0.1 ::1" "both in DNS"
call GET /hosts/$H/history
like "$(j '.history[0].agent')" "dashboard" "changes by hand are in the history"

# --- refusals ------------------------------------------------------------------
call PATCH /hosts/$H '{"ttl":0}'
err_is 422 invalid_ttl "TTL 0"
call PATCH /hosts/$H '{"ttl":"60"}'
err_is 422 invalid_ttl "a TTL that is not a number"
call PATCH /hosts/$H '{"ipv4":"2001:db8::1"}'
err_is 422 invalid_address "an IPv6 address as ipv4"
call PATCH /hosts/$H '{"ipv6":"not-an-address"}'
err_is 422 invalid_address "garbage as ipv6"
call PATCH /hosts/$H '{"wildcard":"yes"}'
err_is 422 invalid_wildcard "wildcard not a boolean"
call PATCH /hosts/$H '{"colour":"blue"}'
err_is 400 bad_request "an unknown setting"
call PATCH /hosts/$H '{"ttl":600,"ipv4":"bad"}'
err_is 422 invalid_address "one bad member refuses the whole request"
call GET /hosts/$H
is "$(j .host.ttl)" "300" "and nothing of it was applied"
NOCSRF=1 call PATCH /hosts/$H '{"ttl":60}'
is "$ST" 403 "without the CSRF token: refused"
as bob
call PATCH /hosts/$H '{"ttl":60}'
err_is 404 not_found "another user's host is not found"
t_done
