# Helpers for the DNS integration tests, on top of tests/lib.sh:
#   . "$(dirname "$0")/../lib.sh"; . "$(dirname "$0")/../dns/lib-dns.sh"
# A transport is one of udp4 tcp4 udp6 tcp6; `use TRANSPORT` selects it for
# dq / dstatus / dflags / dans / probe.
DNSQ=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dnsq.py
TRANSPORTS="udp4 tcp4 udp6 tcp6"
export LC_ALL=C
DQ_SRV=127.0.0.1
DQ_TCP=
TR=udp4

use() {
	case $1 in
	udp4) DQ_SRV=127.0.0.1 DQ_TCP= ;;
	tcp4) DQ_SRV=127.0.0.1 DQ_TCP=1 ;;
	udp6) DQ_SRV=::1 DQ_TCP= ;;
	tcp6) DQ_SRV=::1 DQ_TCP=1 ;;
	*) echo "use: bad transport $1" >&2; return 1 ;;
	esac
	TR=$1
}

# dq ARGS...: dig against the server over the selected transport.  Over
# UDP dig is kept on UDP: +notcp (dig 9.18 sends ANY over TCP by itself)
# and +ignore (no retry over TCP when the answer is truncated).
dq() {
	local t
	if [ -n "$DQ_TCP" ]; then t=(+tcp); else t=(+notcp +ignore); fi
	dig @"$DQ_SRV" -p "$DZ_PORT" +norec +time=2 +tries=1 "${t[@]}" "$@"
}
# dstatus / dflags ARGS...: the status word / the header flags of an answer.
dstatus() { dq "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1; }
dflags() { dq "$@" | sed -n 's/.*;; flags: \([a-z ]*\);.*/\1/p' | head -1; }
# dsec SECTION ARGS...: the records of one section (answer, authority,
# additional), one per line as "owner ttl class type rdata" with single
# spaces, sorted, joined with " | ".
dsec() {
	local sec=$1; shift
	dq +noall +"$sec" "$@" | grep -v '^;' | grep -v '^$' | tr -s ' \t' ' ' |
		sort | sed ':a;N;$!ba;s/\n/ | /g'
}
dans() { dsec answer "$@"; }
# dcount SECTION ARGS...: "QUERY: 1, ANSWER: 2, AUTHORITY: 0, ..." -> the
# number for one of QUERY ANSWER AUTHORITY ADDITIONAL.
dcount() {
	local sec=$1; shift
	dq "$@" | sed -n "s/.*$sec: \([0-9]*\).*/\1/p" | head -1
}

# probe ARGS...: tests/dns/dnsq.py against the selected server (adds
# --tcp for the TCP transports); prints key=value lines.
probe() {
	local cmd=$1; shift
	python3 "$DNSQ" "$cmd" --server "$DQ_SRV" --port "$DZ_PORT" \
		${DQ_TCP:+--tcp} "$@"
}
# field KEY: the value of KEY in probe output on stdin.
field() { sed -n "s/^$1=//p" | head -1; }
# pv KEY... -- PROBE ARGS: selected fields of one probe as "k=v k=v ".
pv() {
	local keys=() k out
	while [ "$1" != -- ]; do keys+=("$1"); shift; done
	shift
	out=$(probe "$@")
	for k in "${keys[@]}"; do printf '%s=%s ' "$k" "$(field "$k" <<<"$out")"; done
}

# dns_fixture: create the test zones through the CLI (the path every other
# writer takes) in the current config's store.  example.org holds one of
# every type the server answers, a wildcard, an empty non-terminal, a
# delegation with glue, CNAME chains and RRsets too large for UDP.
dns_fixture() {
	local big mid i
	dz zone add example.org --ns ns1.example.org=192.0.2.1 \
		--ns ns1.example.org=2001:db8::1 --ns ns2.example.net --ttl 7200 >/dev/null || return 1
	while read -r name type value; do
		[ -n "$name" ] || continue
		dz record add "$name" "$type" "$value" --ttl 300 || return 1
	done <<'EOF'
www.example.org A 192.0.2.10
www.example.org AAAA 2001:db8::10
example.org MX 10 mail.example.org.
mail.example.org A 192.0.2.25
txt.example.org TXT "v=spf1 -all" "second string"
alias.example.org CNAME www.example.org.
chain.example.org CNAME alias.example.org.
ext.example.org CNAME www.example.net.
dangling.example.org CNAME nothere.example.org.
_sip._udp.example.org SRV 10 20 5060 sip.example.org.
sip.example.org AAAA 2001:db8::30
ptr.example.org PTR www.example.org.
caa.example.org CAA 0 issue "ca.example.net"
generic.example.org TYPE65280 \# 4 deadbeef
a.b.c.example.org A 192.0.2.60
*.wild.example.org A 192.0.2.40
*.wild.example.org TXT "wild"
exists.wild.example.org A 192.0.2.41
towild.example.org CNAME foo.wild.example.org.
sub.example.org NS ns.sub.example.org.
ns.sub.example.org A 192.0.2.50
todeleg.example.org CNAME host.sub.example.org.
loop1.example.org CNAME loop2.example.org.
loop2.example.org CNAME loop1.example.org.
tochild.example.org CNAME www.child.example.org.
EOF
	# 6 x 250 bytes: more than the 1232 bytes we send over UDP
	big=$(head -c 250 /dev/zero | tr '\0' b)
	for i in 1 2 3 4 5 6; do
		dz record add big.example.org TXT "\"$i$big\"" --ttl 300 || return 1
	done
	# 3 x 250 bytes: over 512 (no EDNS), under 1232
	mid=$(head -c 250 /dev/zero | tr '\0' m)
	for i in 1 2 3; do
		dz record add mid.example.org TXT "\"$i$mid\"" --ttl 300 || return 1
	done
	dz zone add 2.0.192.in-addr.arpa --ns ns1.example.org >/dev/null || return 1
	dz record add 10.2.0.192.in-addr.arpa PTR www.example.org. --ttl 300 || return 1
	# a zone of its own below example.org (no delegation to it)
	dz zone add child.example.org --ns ns1.example.org >/dev/null || return 1
	dz record add www.child.example.org A 192.0.2.70 --ttl 300
}

# dns_serve NAME [key=value...]: a fresh config (dz_config), the fixture
# zones, and a running server; on failure reports it and ends the test.
dns_serve() {
	dz_config "$@"
	if ! dns_fixture; then
		notok "create the test zones with the CLI"
		t_done
		exit 1
	fi
	dz_start || { notok "dynzone serve starts"; t_done; exit 1; }
	ok "dynzone serve starts with the test zones"
}

# within SECONDS WANT CMD...: run CMD every 50 ms until its output is WANT
# or SECONDS have passed.  Succeeds if it got there; WITHIN_MS is set to
# the milliseconds it took.
within() {
	local secs=$1 want=$2 t0 now; shift 2
	t0=$(date +%s%N)
	while :; do
		now=$(date +%s%N)
		WITHIN_MS=$(((now - t0) / 1000000))
		[ "$("$@")" = "$want" ] && return 0
		[ "$WITHIN_MS" -gt $((secs * 1000)) ] && return 1
		sleep 0.05
	done
}
