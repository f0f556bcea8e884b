#!/usr/bin/env bash
# The config file and its command-line twin: `key = value` lines with
# comments, every key also as --key=value (the command line wins), and a bad
# line stops start-up with FILE:LINE: problem and a non-zero exit.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1

# bad_conf NAME LINE WANT_REGEX: a config whose line 3 is LINE must stop
# `zone list` (and `serve`) with "bad.conf:3: ..." matching WANT_REGEX.
bad_conf() {
	local name=$1 line=$2 want=$3 out rc
	printf '# a comment\n\n%s\ndb = %s/never.db\n' "$line" "$TMP" >"$TMP/bad.conf"
	out=$("$DYNZONE" -c "$TMP/bad.conf" zone list 2>&1); rc=$?
	check "config $name: non-zero exit" test "$rc" -ne 0
	like "$out" "^dynzone: $TMP/bad.conf:3: $want" "config $name: message names file, line and problem"
	out=$("$DYNZONE" -c "$TMP/bad.conf" serve 2>&1); rc=$?
	check "config $name: serve refuses to start" test "$rc" -ne 0
	unlike "$out" ready "config $name: serve never says ready"
}
bad_conf "unknown key" "no-such-key = 1" "unknown key 'no-such-key'"
bad_conf "bad IPv4 address" "dns-listen = 1.2.3:53" "dns-listen: '1.2.3:53' is not"
bad_conf "bad IPv6 address" "dns-listen = [::1:53" "dns-listen: '\[::1:53' is not"
bad_conf "bad port" "dns-listen = 127.0.0.1:99999" "dns-listen: '127.0.0.1:99999' is not"
bad_conf "not a number" "tcp-clients = many" "tcp-clients must be a number from 1 to 65536, not 'many'"
bad_conf "number out of range" "tcp-idle-timeout = 0" "tcp-idle-timeout must be a number from 1 to 3600"
bad_conf "number with junk" "sync-interval = 100ms" "sync-interval must be a number"
bad_conf "line without =" "dns-listen 127.0.0.1:53" "expected 'key = value'"
bad_conf "empty value" "user =" "user has no value"
printf 'db = %s/a.db\n# c\ndb = %s/b.db\n' "$TMP" "$TMP" >"$TMP/twice.conf"
out=$("$DYNZONE" -c "$TMP/twice.conf" zone list 2>&1); rc=$?
like "$rc/$out" "^1/dynzone: $TMP/twice.conf:3: db given twice" "config: a single-valued key given twice is refused"

out=$("$DYNZONE" -c "$TMP/missing.conf" zone list 2>&1); rc=$?
like "$rc/$out" "^1/dynzone: $TMP/missing.conf: No such file" "config: -c with a missing file is an error"

# --- a good file: comments, blank lines, spaces, trailing comments ------------
dz_config good
{
	echo "   # indented comment"
	echo ""
	echo "tcp-clients=7"
	echo "tcp-idle-timeout   =   5    # trailing comment"
	echo "sync-interval = 100"
} >>"$DZ_CONF"
out=$(dz zone list 2>&1); rc=$?
is "$rc/$out" "0/" "config: comments, blank lines, spacing and trailing comments are taken"

# --- command-line keys ------------------------------------------------------
out=$("$DYNZONE" -c "$DZ_CONF" --tcp-clients=many zone list 2>&1); rc=$?
like "$rc/$out" "^1/dynzone: --tcp-clients: tcp-clients must be a number" "--key=value: a bad value is refused"
out=$("$DYNZONE" -c "$DZ_CONF" --no-such-key=1 zone list 2>&1); rc=$?
like "$rc/$out" "^2/dynzone: unknown option --no-such-key=1" "--key=value: an unknown key is refused"
out=$("$DYNZONE" -c "$DZ_CONF" zone list --dns-listen=nowhere 2>&1); rc=$?
like "$rc/$out" "^[1-9]/dynzone: --dns-listen: dns-listen: 'nowhere' is not" \
	"--key=value after the command is checked too"
out=$("$DYNZONE" -c "$DZ_CONF" --tcp-clients 2>&1); rc=$?
check "--key without a value is refused" test "$rc" -ne 0

# --db on the command line, no config file at all
out=$("$DYNZONE" --db="$TMP/cmdline.db" zone add cmd.test --ns ns.cmd.test=192.0.2.9 2>&1); rc=$?
is "$rc" 0 "--db=FILE without -c: zone added"
check "--db=FILE created the database" test -s "$TMP/cmdline.db"
like "$("$DYNZONE" --db="$TMP/cmdline.db" zone list)" '^cmd\.test\. ' "--db=FILE: zone list reads it"

# the command line wins over the file, and a list key given there replaces
# the file's list: serve on another port only
dz zone add example.org --ns ns1.example.org=192.0.2.1 >/dev/null
dz record add www.example.org A 192.0.2.10 >/dev/null
OTHER=$(free_port)
dz_start --dns-listen="127.0.0.1:$OTHER" --dns-listen="[::1]:$OTHER" --tcp-idle-timeout=1 ||
	notok "serve with --dns-listen on the command line"
like "$(cat "$DZ_DIR/serve.log")" "dns on 127\.0\.0\.1:$OTHER " "--dns-listen after serve is used"
unlike "$(cat "$DZ_DIR/serve.log")" "dns on 127\.0\.0\.1:$DZ_PORT " "--dns-listen replaces the file's list"
out=$(dig @127.0.0.1 -p "$OTHER" +norec +time=2 +tries=1 +short www.example.org A)
is "$out" 192.0.2.10 "serve answers on the command-line address (v4)"
out=$(dig @::1 -p "$OTHER" +norec +time=2 +tries=1 +short +tcp www.example.org A)
is "$out" 192.0.2.10 "serve answers on the command-line address (v6, tcp)"
out=$(python3 "$DNSQ" idle --server 127.0.0.1 --port "$OTHER" --wait 6)
t=$(field closed_after <<<"$out")
check "--tcp-idle-timeout=1 wins over the file's 5 (closed after ${t}s)" \
	awk -v v="$t" 'BEGIN { exit !(v >= 0.5 && v <= 2.5) }'

# a port already held: start-up fails and names the address
out=$(timeout 10 "$DYNZONE" -c "$DZ_CONF" serve --dns-listen="127.0.0.1:$OTHER" 2>&1); rc=$?
check "serve on a port in use: non-zero exit" test "$rc" -ne 0 -a "$rc" -ne 124
like "$out" "dns-listen 127\.0\.0\.1:$OTHER \((udp|tcp)\): Address already in use" \
	"serve on a port in use: the message names the address"
dz_stop

# --help lists every key the config takes
help=$("$DYNZONE" --help)
for k in db dns-listen tcp-clients tcp-idle-timeout sync-interval dns-workers user; do
	like "$help" "^  $k +[A-Za-z]" "--help lists the key $k"
done
t_done
