#!/usr/bin/env bash
# Dashboard API: prefix-following hosts (issue #16).  POST /hosts with
# prefix_of/iid/prefix_len/prefer, the prefix fields of GET, PATCH to change
# and remove the link, a router update moving the follower, and the
# refusals (no iid, a chain, another user's router, a bad value).
. "$(dirname "$0")/../lib.sh"

dz_config prefix signup=open signup-zones=$ZONE "update-rate-token = 0" "update-rate-client = 0"
dz zone add $ZONE --ns ns1.$ZONE=127.0.0.1 >/dev/null
dz_start

signup alice 'alice-password-1'
signup bob 'bob-password-12'
as bob
call POST /hosts "{\"name\":\"bobrouter\",\"zone\":\"$ZONE\"}"
as alice
call POST /hosts "{\"name\":\"router\",\"zone\":\"$ZONE\"}"
is "$ST $(j .host.prefix_of) $(j .host.lan_prefix) $(j '.host.followers | length')" "201 null null 0" \
	"a new host follows nothing, has no prefix and no followers"
TR=$(j .token)
call POST /hosts "{\"name\":\"nas\",\"zone\":\"$ZONE\",\"prefix_of\":\"router.$ZONE\",\"iid\":\"::11:22ff:fe33:4455\"}"
is "$ST $(j .host.prefix_of) $(j .host.iid) $(j .host.prefix_len) $(j .host.prefer)" \
	"201 router.$ZONE ::11:22ff:fe33:4455 64 prefix" "POST /hosts creates a follower (prefer prefix, /64 by default)"
is "$(j .host.ipv6)" "null" "no address while the router has no prefix"
call POST /hosts "{\"name\":\"tv\",\"zone\":\"$ZONE\",\"prefix_of\":\"router.$ZONE\"}"
is "$ST $(j .error.code)" "422 invalid_prefix" "a follower without an iid is refused"
like "$(j .error.message)" "interface identifier" "saying what is missing"
call GET /hosts/tv.$ZONE
is "$ST" "404" "and the refused host was not created"
call POST /hosts "{\"name\":\"x\",\"zone\":\"$ZONE\",\"prefix_of\":\"nas.$ZONE\",\"iid\":\"::1\"}"
is "$ST $(j .error.message)" "422 That router follows a prefix itself: no chains." "a chain is refused"
call POST /hosts "{\"name\":\"y\",\"zone\":\"$ZONE\",\"prefix_of\":\"bobrouter.$ZONE\",\"iid\":\"::1\"}"
is "$ST $(j .error.code)" "422 invalid_prefix" "another user's router is refused"
call POST /hosts "{\"name\":\"z\",\"zone\":\"$ZONE\",\"prefix_of\":\"router.$ZONE\",\"iid\":\"nope\"}"
is "$ST $(j .error.code)" "422 invalid_prefix" "a bad iid is refused"

curl -s -u "router.$ZONE:$TR" --path-as-is \
	"$(api_base)/nic/update?hostname=router.$ZONE&myip=192.0.2.1&ip6lanprefix=2001:db8:1:2::/64" >/dev/null
call GET /hosts/router.$ZONE
is "$(j .host.lan_prefix) $(j '.host.followers | join(",")')" "2001:db8:1:2::/64 nas.$ZONE" \
	"the router shows its LAN prefix and followers"
call GET /hosts/nas.$ZONE
is "$(j .host.ipv6)" "2001:db8:1:2:11:22ff:fe33:4455" "the follower's address is prefix | iid"
call GET /hosts
is "$(j ".hosts[] | select(.name == \"nas.$ZONE\") | .prefix_of")" "router.$ZONE" "GET /hosts has the prefix fields"

call PATCH /hosts/nas.$ZONE '{"iid":"::abcd","prefer":"own"}'
is "$ST $(j .host.iid) $(j .host.prefer) $(j .host.ipv6)" "200 ::abcd own 2001:db8:1:2::abcd" \
	"PATCH changes iid and prefer in one commit, the address at once"
is "$(qs nas.$ZONE AAAA)" "2001:db8:1:2::abcd" "DNS serves it"
call PATCH /hosts/nas.$ZONE '{"prefix_len":56}'
is "$ST $(j .error.code)" "422 invalid_prefix" "a length the router's prefix does not have is refused"
call PATCH /hosts/nas.$ZONE '{"prefer":"always"}'
is "$ST $(j .error.code)" "422 invalid_prefix" "a bad prefer is refused"
call PATCH /hosts/nas.$ZONE '{}'
is "$ST" "400" "an empty PATCH is 400"
as bob
call PATCH /hosts/nas.$ZONE '{"prefix_of":null}'
is "$ST" "404" "another user's host cannot be changed"
as alice
NOCSRF=1 call PATCH /hosts/nas.$ZONE '{"prefix_of":null}'
is "$ST" "403" "PATCH without the CSRF token is refused"
call PATCH /hosts/nas.$ZONE '{"prefix_of":null}'
is "$ST $(j .host.prefix_of) $(j .host.ipv6)" "200 null 2001:db8:1:2::abcd" "prefix_of null drops the link, keeps the address"
call GET /hosts/router.$ZONE
is "$(j '.host.followers | length')" "0" "the router has no followers left"
t_done
