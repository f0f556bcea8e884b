#!/usr/bin/env bash
# Who may transfer what: allow-transfer by key and by address; no key, a
# wrong key, an unknown key or another address is refused; AXFR over UDP
# is refused; kdig IXFR=SERIAL gets the condensed difference (a record
# added and deleted again in between is not in it), a current serial just
# the SOA, a serial the journal does not reach an AXFR-style reply; bad
# allow-transfer and notify lines stop start-up; `zone show` output passes
# named-checkzone and kzonecheck.
. "$(dirname "$0")/../lib.sh"

sec_key
WRONG=$(head -c 32 /dev/urandom | base64)
dz_config xfr "$SEC_KEY_LINE" "tsig-key = other-key hmac-sha256 $WRONG" \
	"allow-transfer = example.org $SEC_KEY_NAME" \
	"allow-transfer = example.org 127.0.0.5/32" \
	"allow-transfer = open.test 127.0.0.0/8"
dz zone add example.org --ns ns1.example.org=192.0.2.1 >/dev/null
dz zone add open.test --ns ns1.open.test=192.0.2.2 >/dev/null
dz zone add closed.test --ns ns1.closed.test=192.0.2.3 >/dev/null
dz record add www.example.org A 192.0.2.10 >/dev/null
dz record add example.org MX '10 mail.example.org.' >/dev/null
dz record add example.org TXT '"v=spf1 -all"' >/dev/null
dz record add old.example.org A 192.0.2.20 >/dev/null
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
K="hmac-sha256:$SEC_KEY_NAME:$SEC_KEY_SECRET"
xfr() { kdig @127.0.0.1 -p "$DZ_PORT" +timeout=3 +retry=0 "$@" 2>&1; }
# xstat ARGS: the rcode kdig reports for a transfer (NOERROR when it got one)
xstat() {
	local out
	out=$(xfr "$@")
	if grep -q "ERROR: server replied with error '" <<<"$out"; then
		sed -n "s/.*server replied with error '\([A-Z]*\)'.*/\1/p" <<<"$out" | head -1
	elif grep -q '^;; Received .* records)' <<<"$out"; then
		echo NOERROR
	else
		echo "?"
		printf '%s\n' "$out" | head -5 >&2
	fi
}
nrec() { xfr "$@" | grep -vc '^;\|^$\|TSIG'; }

is "$(xstat -y "$K" example.org AXFR)" NOERROR "AXFR with the key"
is "$(nrec -y "$K" example.org AXFR)" 8 "it holds SOA, NS, glue, four records and the SOA again"
is "$(xstat example.org AXFR)" REFUSED "AXFR without the key: REFUSED"
is "$(xstat -y "hmac-sha256:$SEC_KEY_NAME:$WRONG" example.org AXFR)" BADSIG \
	"AXFR with a wrong secret: NOTAUTH, TSIG error BADSIG"
is "$(xstat -y "hmac-sha256:other-key:$WRONG" example.org AXFR)" REFUSED \
	"AXFR signed with another known key: REFUSED"
is "$(xstat -y "hmac-sha256:nokey:$WRONG" example.org AXFR)" BADKEY \
	"AXFR signed with an unknown key: NOTAUTH, TSIG error BADKEY"
is "$(xstat -b 127.0.0.5 example.org AXFR)" NOERROR "AXFR from an allowed address, unsigned"
is "$(xstat -b 127.0.0.6 example.org AXFR)" REFUSED "AXFR from another address: REFUSED"
is "$(xstat open.test AXFR)" NOERROR "a zone open to 127.0.0.0/8"
is "$(xstat -y "$K" closed.test AXFR)" REFUSED "a zone without allow-transfer: REFUSED, key or not"
is "$(xstat -y "$K" nosuch.test AXFR)" REFUSED "no such zone: REFUSED"
use udp4
is "$(pv rcode -- query --name example.org --type AXFR | tr -d ' ')" "rcode=REFUSED" \
	"AXFR over UDP: REFUSED"
is "$(pv rcode -- query --name example.org --type IXFR | tr -d ' ')" "rcode=REFUSED" \
	"IXFR over UDP: REFUSED (use TCP)"

# IXFR: the condensed difference since a serial
S0=$(q +short example.org SOA | awk '{print $3}')
dz record del old.example.org A >/dev/null
dz record add www.example.org A 192.0.2.11 >/dev/null
dz record add tmp.example.org A 192.0.2.99 >/dev/null
dz record del tmp.example.org >/dev/null
dz record del www.example.org A 192.0.2.10 >/dev/null
S1=$((S0 + 5))
check "the server follows the CLI's changes (serial $S1)" \
	wait_for "$S1" 3000 sh -c "dig @127.0.0.1 -p $DZ_PORT +short example.org SOA | awk '{print \$3}'"
diff=$(xfr -y "$K" example.org IXFR="$S0" | grep -v '^;\|^$\|TSIG' | awk '{print $1, $4, $5, $7}')
is "$(echo $diff)" "example.org. SOA ns1.example.org. $S1 example.org. SOA ns1.example.org. $S0 old.example.org. A 192.0.2.20 www.example.org. A 192.0.2.10 example.org. SOA ns1.example.org. $S1 www.example.org. A 192.0.2.11 example.org. SOA ns1.example.org. $S1" \
	"IXFR=$S0: SOA new, SOA old, deletions, SOA new, additions, SOA new; tmp (added, deleted) left out"
is "$(nrec -y "$K" example.org IXFR="$S1")" 1 "IXFR from the current serial: just the SOA"
is "$(nrec -y "$K" example.org IXFR=$((S0 - 1000)))" "$(nrec -y "$K" example.org AXFR)" \
	"IXFR from a serial the journal does not reach: the whole zone, AXFR-style"
like "$(cat "$DZ_DIR/serve.log")" "IXFR \\(as AXFR\\) of example\\.org\\." "logged as an AXFR-style IXFR"

# zone show: a master file the stock checkers accept
dz zone show example.org >"$TMP/example.org.zone"
like "$(head -1 "$TMP/example.org.zone")" '^\$ORIGIN example\.org\.$' "zone show starts with \$ORIGIN"
like "$(sed -n 2p "$TMP/example.org.zone")" "^example\\.org\\.	[0-9]+	IN	SOA	.* $S1 " \
	"then the SOA with the current serial"
check "named-checkzone accepts zone show's output" \
	named-checkzone -q example.org "$TMP/example.org.zone"
check "kzonecheck accepts zone show's output" kzonecheck -o example.org "$TMP/example.org.zone"
is "$(grep -vc '^\$' "$TMP/example.org.zone")" "$(($(nrec -y "$K" example.org AXFR) - 1))" \
	"zone show has the records AXFR sends (SOA once)"
out=$(dz zone show nosuch.test 2>&1); rc=$?
is "$rc/$out" "1/dynzone: no zone nosuch.test" "zone show of an unknown zone fails"

# xfr-max: over the cap a transfer is REFUSED.  A client that takes its
# AXFR but keeps the connection open holds its slot (the server waits up
# to two seconds for the client's FIN after the last message).
dz_stop
dz_start --xfr-max=1 || { notok "server restarts with xfr-max = 1"; t_done; exit 1; }
python3 - "$DZ_PORT" >"$TMP/hold.out" 2>&1 <<'PY' &
import socket, struct, sys, time
q = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"\x07example\x03org\x00" + struct.pack(">HH", 252, 1)
s = socket.socket()
s.bind(("127.0.0.5", 0))
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(struct.pack(">H", len(q)) + q)
n = struct.unpack(">H", s.recv(2, socket.MSG_WAITALL))[0]
print("got", len(s.recv(n, socket.MSG_WAITALL)), flush=True)
time.sleep(1.5)
s.close()
PY
HOLD=$!
PIDS+=("$HOLD")
wait_for yes 3000 sh -c "grep -q '^got' '$TMP/hold.out' && echo yes" || diag "$(cat "$TMP/hold.out")"
is "$(xstat -b 127.0.0.5 example.org AXFR)" REFUSED "a second transfer while the first holds the only slot: REFUSED"
wait "$HOLD"
is "$(xstat -b 127.0.0.5 example.org AXFR)" NOERROR "once the first client closed, transfers go again"

# bad lines stop start-up, naming the line
dz_stop
for bad in "allow-transfer = example.org nokey" "allow-transfer = example.org 10.0.0.0/33" \
	"notify = example.org 127.0.0.1:99999" "notify = example.org 127.0.0.1 nokey"; do
	out=$("$DYNZONE" -c "$DZ_CONF" "--${bad%% = *}=${bad#* = }" serve 2>&1); rc=$?
	like "$rc $out" "^1 .*${bad%% = *} '${bad#* = }'" "start-up stops on '$bad'"
done
t_done
