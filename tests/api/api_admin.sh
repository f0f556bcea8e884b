#!/usr/bin/env bash
# Dashboard API for administrators: zones, users, zone grants, invite codes
# and sign-up by invite; and the dashboard's own files (embedded, with
# their security headers and ETags).
. "$(dirname "$0")/../lib.sh"

dz_config admin signup=invite
dz zone add $ZONE --ns ns1.$ZONE=127.0.0.1 >/dev/null
printf 'root-password-1\n' | dz user add root --admin >/dev/null 2>&1
printf 'plain-password-1\n' | dz user add plain >/dev/null 2>&1
dz_start

login root 'root-password-1'
is "$ST $(j .user.admin)" "200 true" "an admin logs in"
is "$(j '.zones | join(",")')" "$ZONE" "and may use every zone"
login plain 'plain-password-1'
is "$(j '.zones | length')" 0 "a user with no grant has no zone"

# --- refusals for non-admins ------------------------------------------------------
as plain
for ep in "GET /zones" "GET /users"; do
	call $ep
	err_is 403 forbidden "$ep is for admins only"
done
call POST /zones "{\"name\":\"x.localhost\",\"ns\":\"ns.example.org\"}"
err_is 403 forbidden "POST /zones is for admins only"
call POST /users/plain/zones "{\"zone\":\"$ZONE\"}"
err_is 403 forbidden "a user cannot grant themselves a zone"
call POST /invites
err_is 403 forbidden "nor make invite codes"
as anon
call GET /users
err_is 401 unauthenticated "without a session: 401"

# --- zones --------------------------------------------------------------------------------
as root
call GET /zones
is "$ST $(j '[.zones[].name] | join(",")')" "200 $ZONE" "GET /zones lists the zones"
is "$(j '.zones[0].hosts') $(j '.zones[0].open')" "0 false" "with their hosts and whether sign-ups may use them"
like "$(j '.zones[0].serial')" '^[0-9]+$' "and serials"
call POST /zones '{"name":"office.localhost","ns":"ns1.example.net"}'
is "$ST $(j .zone.name)" "201 office.localhost" "POST /zones adds a zone"
is "$(q +short SOA office.localhost | cut -d' ' -f1-2)" "ns1.example.net. hostmaster.office.localhost." \
	"DNS serves its SOA at once"
is "$(qs office.localhost NS)" "ns1.example.net." "and its NS"
call POST /zones '{"name":"office.localhost","ns":"ns1.example.net"}'
err_is 409 exists "a zone that exists is refused"
call POST /zones '{"name":"<i>z</i>.localhost","ns":"ns1.example.net"}'
err_is 422 invalid_name "a zone name with markup is refused"
call POST /zones '{"name":"inner.localhost","ns":"ns1.inner.localhost"}'
err_is 422 invalid_ns "a name server inside the new zone (needs glue) is refused"
NOCSRF=1 call POST /zones '{"name":"z2.localhost","ns":"ns1.example.net"}'
err_is 403 csrf_failed "POST /zones without the CSRF token is refused"

# --- users and grants --------------------------------------------------------------------
call GET /users
is "$(j '[.users[] | .name + ":" + (.admin | tostring)] | join(" ")')" "plain:false root:true" \
	"GET /users lists the accounts"
call POST /users/plain/zones "{\"zone\":\"$ZONE\",\"max_hosts\":1}"
is "$ST" 204 "an admin grants a zone"
call POST /users/plain/zones '{"zone":"nosuch.localhost"}'
err_is 404 not_found "granting a zone that does not exist: 404"
call POST /users/nobody/zones "{\"zone\":\"$ZONE\"}"
err_is 404 not_found "granting to a user who does not exist: 404"
call POST /users/plain/zones "{\"zone\":\"$ZONE\",\"max_hosts\":\"many\"}"
err_is 422 invalid_value "max_hosts must be a number"
call GET /users
is "$(j '.users[] | select(.name == "plain") | .zones | join(",")')" "$ZONE" "the grant shows in the list"
as plain
call GET /me
is "$(j '.zones | join(",")')" "$ZONE" "the user now sees the zone"
call POST /hosts "{\"name\":\"pc\",\"zone\":\"$ZONE\"}"
is "$ST" 201 "and may create a host in it"
call POST /hosts "{\"name\":\"pc2\",\"zone\":\"$ZONE\"}"
err_is 403 host_limit "up to the grant's max_hosts"
call POST /hosts '{"name":"pc","zone":"office.localhost"}'
err_is 403 zone_forbidden "but not in a zone not granted"
as root
call GET /zones
is "$(j ".zones[] | select(.name == \"$ZONE\") | .hosts")" 1 "GET /zones counts the hosts"
call DELETE "/users/plain/zones/$ZONE"
is "$ST" 204 "an admin takes a zone back"
call DELETE "/users/plain/zones/$ZONE"
err_is 404 not_found "taking it again: 404"
as plain
call POST /hosts "{\"name\":\"pc3\",\"zone\":\"$ZONE\"}"
err_is 403 zone_forbidden "the user cannot create more hosts there"
call GET "/hosts/pc.$ZONE"
is "$ST" 200 "but keeps the hosts made"

# --- invites -------------------------------------------------------------------------------
as newbie
call POST /signup '{"user":"newbie","password":"newbie-password"}'
err_is 403 invite_invalid "with signup = invite, sign-up needs a code"
call POST /signup '{"user":"newbie","password":"newbie-password","invite":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
err_is 403 invite_invalid "a made-up code is refused"
as root
call POST /invites
is "$ST" 201 "an admin makes an invite code"
code=$(j .code)
like "$code" '^[A-Za-z0-9_-]{32}$' "a random code"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM invites WHERE hash = x'$(printf %s "$code" | sha256sum | cut -c1-64)'")" 1 \
	"stored as its hash"
signup newbie 'newbie-password' "$code"
is "$ST $(j .user.name)" "201 newbie" "the code lets one user sign up"
signup other 'other-password' "$code"
err_is 403 invite_invalid "and only one"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM users WHERE name = 'other'")" 0 \
	"a refused sign-up leaves no account behind"

# --- the dashboard's files ----------------------------------------------------------------
base=$(api_base)
hdr() { curl -s -D - -o "$TMP/page" "$@" | tr -d '\r'; }
h=$(hdr "$base/")
like "$h" '^HTTP/1.1 200' "GET / serves the dashboard"
like "$h" 'Content-Type: text/html; charset=utf-8' "as HTML"
like "$h" "Content-Security-Policy: default-src 'self'" "with a Content-Security-Policy of default-src 'self'"
like "$h" "frame-ancestors 'none'" "that forbids framing"
like "$h" 'X-Frame-Options: DENY' "X-Frame-Options: DENY"
like "$h" 'X-Content-Type-Options: nosniff' "X-Content-Type-Options: nosniff"
like "$h" 'Referrer-Policy: no-referrer' "Referrer-Policy"
etag=$(sed -n 's/^ETag: //p' <<<"$h")
like "$etag" '^"[0-9a-f]{24}"$' "a strong ETag"
check "the page is web/index.html, embedded in the binary" cmp -s "$TMP/page" "$DZ_TOP/web/index.html"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/")" 304 "If-None-Match gets 304"
for f in app.js app.css favicon.svg; do
	curl -s -o "$TMP/$f" "$base/$f"
	check "/$f is web/$f" cmp -s "$TMP/$f" "$DZ_TOP/web/$f"
done
like "$(hdr "$base/app.js")" 'Content-Type: text/javascript' "JavaScript is served as such"
like "$(hdr -I "$base/app.css")" 'Content-Type: text/css' "HEAD works"
check "the page loads nothing from elsewhere" bash -c \
	"! grep -Eo '(src|href)=\"[^\"]*\"' '$DZ_TOP/web/index.html' | grep -Eq '\"(https?:)?//'"
check "and the script sets no HTML from data (no innerHTML)" bash -c "! grep -q 'innerHTML *=' '$DZ_TOP/web/app.js'"
is "$(curl -s -o /dev/null -w '%{http_code}' "$base/index.htm")" 404 "other paths are not found"
t_done
