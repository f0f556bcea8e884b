#!/usr/bin/env bash
# DNS UPDATE with real clients: nsupdate and knsupdate add and delete
# _acme-challenge TXT records over UDP and TCP with HMAC-SHA256 TSIG; dig
# sees each change on the next query, the serial moves, and the update log
# has a row per message on the host the TXT belongs to.
. "$(dirname "$0")/../lib.sh"

ACME=$(tsig_secret) BIG=$(tsig_secret)
dz_config ddns "tsig-key = acme-h. hmac-sha256 $ACME" "tsig-key = big hmac-sha256 $BIG" \
	"allow-update = dyn.test acme-h _acme-challenge.h.dyn.test TXT" \
	"allow-update = dyn.test. big. *.dyn.test A,AAAA,TXT,CNAME,MX"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
echo "alice-password" | dz user add alice 2>/dev/null
dz host add h.dyn.test --user alice >/dev/null
dz_start || { notok "server starts"; t_done; exit 1; }
serial() { q dyn.test SOA +short | awk '{print $3}'; }
s0=$(serial)

out=$(nsu acme-h "$ACME" <<'N'
zone dyn.test
update add _acme-challenge.h.dyn.test 60 TXT "tok-udp"
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "nsupdate over UDP: NOERROR"
is "$(qs _acme-challenge.h.dyn.test TXT)" '"tok-udp"' "dig sees the TXT at once"
s1=$(serial)
check "the serial moved ($s0 -> $s1)" test "$s1" -gt "$s0"

out=$(nsu acme-h "$ACME" -v <<'N'
zone dyn.test
update add _acme-challenge.h.dyn.test 60 TXT "tok-tcp"
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "nsupdate -v (TCP): NOERROR"
is "$(qs _acme-challenge.h.dyn.test TXT)" '"tok-tcp" "tok-udp"' "both TXT values served"

out=$(knsu acme-h "$ACME" <<'N'
zone dyn.test
update add _acme-challenge.h.dyn.test 60 TXT "tok-knot"
send
N
)
rc=$?
is "$rc:$out" "0:" "knsupdate over UDP succeeds"
is "$(qs _acme-challenge.h.dyn.test TXT)" '"tok-knot" "tok-tcp" "tok-udp"' "knsupdate's TXT served"

out=$(knsu acme-h "$ACME" -v <<'N'
zone dyn.test
update delete _acme-challenge.h.dyn.test TXT "tok-udp"
send
N
)
rc=$?
is "$rc:$out" "0:" "knsupdate -v (TCP) deletes one value"
is "$(qs _acme-challenge.h.dyn.test TXT)" '"tok-knot" "tok-tcp"' "only that value went"

out=$(nsu acme-h "$ACME" -v <<'N'
zone dyn.test
update delete _acme-challenge.h.dyn.test TXT
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "nsupdate deletes the whole TXT RRset"
is "$(rcode _acme-challenge.h.dyn.test TXT)" NXDOMAIN "the name is gone"

# the host's history: one row per message, on host h
is "$(ulog | grep -c '^h.dyn.test.|.*|dns-update key acme-h.|good$')" 5 \
	"five update-log rows on the host, agent names the key"

# records that belong to no host: a plain A, MX and CNAME by the wider key
out=$(nsu big "$BIG" <<'N'
zone dyn.test
update add www.dyn.test 300 A 192.0.2.80
update add www.dyn.test 300 AAAA 2001:db8::80
update add dyn-mx.dyn.test 300 MX 10 www.dyn.test.
update add alias.dyn.test 300 CNAME www.dyn.test.
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "four records in one message"
is "$(qs www.dyn.test A)" 192.0.2.80 "A served"
is "$(qs dyn-mx.dyn.test MX)" "10 www.dyn.test." "MX served (target sent compressed)"
is "$(qs alias.dyn.test CNAME)" "www.dyn.test." "CNAME served"
is "$(ulog | tail -1)" "www.dyn.test.|dns update: 4 record(s), first A|dns-update key big.|good" \
	"a row with no host for them"

# CNAME and other data (§3.4.2.2): an A next to the CNAME is ignored
out=$(nsu big "$BIG" <<'N'
zone dyn.test
update add alias.dyn.test 300 A 192.0.2.81
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "an A at a CNAME: NOERROR"
is "$(q alias.dyn.test A +short | tail -1)" 192.0.2.80 "but ignored: the CNAME still answers"
is "$(ulog | tail -1 | cut -d'|' -f4)" nochg "and logged as no change"

# one TTL per RRset (RFC 2181 5.2): an RR added with another TTL gives the
# whole RRset its TTL, as BIND does
out=$(nsu big "$BIG" <<'N'
zone dyn.test
update add ttl.dyn.test 300 TXT "one"
update add ttl.dyn.test 300 TXT "two"
send
update add ttl.dyn.test 60 TXT "three"
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "three TXT records added, the last with TTL 60"
is "$(q ttl.dyn.test TXT +noall +answer | awk '{print $2}' | sort -u | tr '\n' ' ')" "60 " \
	"the whole RRset now has TTL 60"
is "$(q ttl.dyn.test TXT +short | wc -l)" 3 "and all three records are served"
is "$(dz record list dyn.test | awk '$1 == "ttl.dyn.test." && $4 == "TXT" { print $2 }' | sort -u | tr '\n' ' ')" \
	"60 " "and stored with TTL 60 (what AXFR sends)"

# it lasts: after a restart everything is still there
dz_stop
dz_start || { notok "server restarts"; t_done; exit 1; }
is "$(qs www.dyn.test A)" 192.0.2.80 "the change survived a restart"
t_done
