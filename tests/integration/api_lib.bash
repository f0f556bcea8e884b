# Helpers for the dashboard API tests (tests/integration/api_*.sh).  Source
# after tests/lib.sh and dz_config.  Each client ("as NAME") has its own cookie
# jar and CSRF token, like one browser each.
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

# upd TOKEN QUERY: GET /nic/update as the host in QUERY's hostname=; prints
# the reply's first line.
upd() {
	local host=${2#hostname=}
	host=${host%%&*}
	curl -s -u "$host:$1" "$(api_base)/nic/update?$2" | tr -d '\r' | head -1
}
