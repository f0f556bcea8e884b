#!/usr/bin/env bash
# Signed queries (RFC 8945 TSIG): dig -y and kdig -y get signed answers they
# verify, over UDP and TCP; a wrong secret gets BADSIG, an unknown key
# BADKEY, a skewed clock a signed BADTIME (crafted by dnsq.py); a truncated
# UDP answer keeps its TSIG; keys made by `dynzone tsig new` load from
# tsig-key and tsig-key-file; bad key lines stop start-up naming the line.
. "$(dirname "$0")/../lib.sh"

KEYFILE=$TMP/keys
umask 077
"$DYNZONE" tsig new xfr.example >"$KEYFILE" 2>"$TMP/new.err"
"$DYNZONE" tsig new big.example --algorithm hmac-sha512 >>"$KEYFILE"
"$DYNZONE" tsig new old.example --algorithm hmac-md5 >>"$KEYFILE"
umask 022
is "$(grep -c '^#' "$KEYFILE")" 3 "tsig new: a '#' hint line after each key"
like "$(sed -n 2p "$KEYFILE")" "dig/kdig -y hmac-sha256:xfr.example.:" "tsig new: the hint has the dig -y form"
SOLO=$("$DYNZONE" tsig new solo.example | head -1)
read -r _ _ sec <<<"$SOLO"
is "$(printf '%s' "$sec" | base64 -d | wc -c)" 32 "tsig new: a 32-byte secret for hmac-sha256"

dns_serve tsig "tsig-key = $SOLO" "tsig-key-file = $KEYFILE"

# ALG:NAME:SECRET of key line N of the key file (or of $SOLO)
spec() { awk '{ print $2 ":" $1 ":" $3 }'; }
K256=$(sed -n 1p "$KEYFILE" | spec)
K512=$(sed -n 3p "$KEYFILE" | spec)
KMD5=$(sed -n 5p "$KEYFILE" | spec)
KSOLO=$(spec <<<"$SOLO")

for tr in udp4 tcp4 udp6 tcp6; do
	use "$tr"
	out=$(dq -y "$K256" www.example.org A)
	is "$(dig_status <<<"$out")" NOERROR "$tr: dig -y hmac-sha256: NOERROR"
	like "$out" "TSIG.*hmac-sha256\. [0-9]+ 300 32 .* NOERROR 0" "$tr: dig: the answer is signed"
	unlike "$out" "tsig verify failure|TSIG error" "$tr: dig verifies the answer's TSIG"
	like "$out" "www.example.org.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.10" \
		"$tr: dig: the normal answer"
	t=()
	[ -n "$DQ_TCP" ] && t=(+tcp)
	out=$(kdig @"$DQ_SRV" -p "$DZ_PORT" +norec +time=2 +retry=0 "${t[@]}" -y "$K512" www.example.org A 2>&1)
	like "$out" "status: NOERROR" "$tr: kdig -y hmac-sha512: NOERROR"
	like "$out" "TSIG PSEUDOSECTION" "$tr: kdig: the answer is signed"
	unlike "$out" "WARNING|failed|BADSIG" "$tr: kdig verifies it"
done

use udp4
is "$(dstatus -y "$KMD5" www.example.org A)" NOERROR "hmac-md5 key from the file answers"
is "$(dstatus -y "$KSOLO" www.example.org A)" NOERROR "tsig-key line from tsig new answers"
unlike "$(dq -y "$KSOLO" www.example.org A)" "tsig verify failure" "and its answer verifies"

# errors (dnsq.py signs the query and checks the reply's TSIG itself)
for tr in udp4 tcp4; do
	use "$tr"
	is "$(pv rcode tsig_error tsig_ok -- query --name www.example.org --tsig "$K256")" \
		"rcode=NOERROR tsig_error=NOERROR tsig_ok=1 " "$tr: dnsq.py: signed answer verifies"
	wrong=${K256%:*}:$(head -c 32 /dev/urandom | base64)
	is "$(pv rcode tsig_error tsig_mac_len an -- query --name www.example.org --tsig "$wrong")" \
		"rcode=NOTAUTH tsig_error=BADSIG tsig_mac_len=0 an=0 " "$tr: wrong secret: NOTAUTH, BADSIG, unsigned"
	is "$(pv rcode tsig_error tsig_mac_len -- query --name www.example.org --tsig "hmac-sha256:nokey.example.:${K256##*:}")" \
		"rcode=NOTAUTH tsig_error=BADKEY tsig_mac_len=0 " "$tr: unknown key: NOTAUTH, BADKEY"
	is "$(pv rcode tsig_error -- query --name www.example.org --tsig "hmac-sha512:${K256#*:}")" \
		"rcode=NOTAUTH tsig_error=BADKEY " "$tr: right name, wrong algorithm: BADKEY"
	out=$(probe query --name www.example.org --tsig "$K256" --tsig-skew 1000)
	is "$(pv rcode tsig_error tsig_ok an -- query --name www.example.org --tsig "$K256" --tsig-skew 1000)" \
		"rcode=NOTAUTH tsig_error=BADTIME tsig_ok=1 an=0 " "$tr: 1000 s skew: BADTIME, signed"
	now=$(date +%s)
	st=$(field tsig_other_time <<<"$out")
	check "$tr: BADTIME carries the server's time ($st, now $now)" \
		test "${st:-0}" -ge $((now - 5)) -a "${st:-0}" -le $((now + 5))
	is "$(pv rcode tsig_error -- query --name www.example.org --tsig "$K256" --tsig-skew -299)" \
		"rcode=NOERROR tsig_error=NOERROR " "$tr: 299 s skew is within the fudge"
	is "$(pv rcode -- bad --kind tsig-not-last)" "rcode=FORMERR " "$tr: TSIG not the last record: FORMERR"
	is "$(pv rcode -- bad --kind tsig-badmac)" "rcode=FORMERR " "$tr: MAC size past the RDATA: FORMERR"
done

# truncation: the signed UDP answer to big.example.org TXT does not fit
use udp4
is "$(pv flags an tsig_error tsig_ok -- query --name big.example.org --type TXT --edns --tsig "$K256")" \
	"flags=qr aa tc an=0 tsig_error=NOERROR tsig_ok=1 " "truncated signed UDP answer: TC and a valid TSIG"
is "$(pv flags tsig_ok -- query --name mid.example.org --type TXT --tsig "$K256")" \
	"flags=qr aa tc tsig_ok=1 " "no EDNS, 512 bytes: TC and a valid TSIG"
use tcp4
out=$(dq -y "$K256" big.example.org TXT)
is "$(dcount ANSWER -y "$K256" big.example.org TXT)" 6 "over TCP the whole signed answer"
unlike "$out" "tsig verify failure" "and dig verifies it"

# unsigned queries are untouched
use udp4
is "$(dans www.example.org A)" "www.example.org. 300 IN A 192.0.2.10" "unsigned queries still answered"
unlike "$(dq www.example.org A)" "TSIG" "and not signed"
check "the server is still running" kill -0 "$DZ_PID"
dz_stop

# bad configurations stop start-up with FILE:LINE and never the secret
no_secret() { ! grep -qF -e c2hvcnQ -e "$sec" "$1"; }
start_fails() {
	local want=$1 what=$2; shift 2
	dz_config bad "$@"
	local rc=0
	# start-up checks the config first: it exits at once (timeout: in
	# case it wrongly starts serving)
	timeout 10 "$DYNZONE" -c "$DZ_CONF" serve >"$DZ_DIR/err" 2>&1 || rc=$?
	check "$what: start-up fails (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
	like "$(cat "$DZ_DIR/err")" "$want" "$what: the message names the problem"
	check "$what: and does not show the secret" no_secret "$DZ_DIR/err"
}
start_fails "dynzone.conf:6: secret shorter than 16 bytes" "a 5-byte secret" \
	"tsig-key = k1 hmac-sha256 c2hvcnQ="
start_fails "dynzone.conf:7: key solo.example. defined twice" "a duplicate key name" \
	"tsig-key = $SOLO" "tsig-key = $SOLO"
start_fails "dynzone.conf:6: unknown algorithm" "an unknown algorithm" \
	"tsig-key = k1 hmac-sha3 ${sec}"
printf 'ok.example hmac-sha256 %s\n\n# fine\nbad.example hmac-sha256 not!base64\n' "$sec" >"$TMP/badkeys"
chmod 600 "$TMP/badkeys"
start_fails "$TMP/badkeys:4: secret is not valid base64" "a bad line in a key file" \
	"tsig-key-file = $TMP/badkeys"
chmod 644 "$KEYFILE"
start_fails "readable or writable by others" "a key file readable by others" \
	"tsig-key-file = $KEYFILE"
t_done
