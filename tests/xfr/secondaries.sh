#!/usr/bin/env bash
# NSD, Knot and BIND as TSIG-authenticated secondaries of dynzone: each
# takes a 1,000-host zone by AXFR; after an update over HTTP each gets a
# NOTIFY, transfers by IXFR (its log says so) and answers the new address
# within two seconds (the time from the update's reply is printed); twenty
# quick updates end with every secondary at the last serial; a change
# made while dynzone is down reaches them when it starts again.
. "$(dirname "$0")/../lib.sh"

ZN=dyn.test
SECONDARIES="nsd knot bind"
for s in $SECONDARIES; do SEC_PORT[$s]=$(free_port); done
sec_key
dz_config xfr "$SEC_KEY_LINE" "update-rate-token = 0" "update-rate-client = 0" \
	"allow-transfer = $ZN $SEC_KEY_NAME" \
	"notify = $ZN 127.0.0.1:${SEC_PORT[nsd]} $SEC_KEY_NAME" \
	"notify = $ZN 127.0.0.1:${SEC_PORT[knot]} $SEC_KEY_NAME" \
	"notify = $ZN 127.0.0.1:${SEC_PORT[bind]} $SEC_KEY_NAME"
hosts_zone dyn.test 1000 >"$TMP/dyn.zone"
dz import zone "$TMP/dyn.zone" >/dev/null 2>&1 || { notok "import"; t_done; exit 1; }
echo "alice-password" | dz user add alice >/dev/null 2>&1
TOK=$(dz host add home.dyn.test --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
serial() { q +short $ZN SOA | awk '{print $3}'; }
S0=$(serial)

sec_nsd $ZN && sec_knot $ZN && sec_bind $ZN || { notok "secondaries start"; t_done; exit 1; }
ok "NSD, Knot and BIND start"
for s in $SECONDARIES; do
	check "$s: AXFR of the 1,000-host zone (serial $S0)" wait_for "$S0" 10000 sec_serial $s $ZN
	is "$(sec_ask $s h777.dyn.test A)" "10.0.3.9" "$s: answers a host from the transfer"
done
for s in $SECONDARIES; do
	like "$(cat "$DZ_DIR/serve.log")" "xfr: AXFR of dyn\\.test\\. serial $S0 to ${SEC_SRC[$s]}: 1004 records" \
		"dynzone logs the AXFR to $s with its record count"
done

# one update: NOTIFY, IXFR, served within two seconds of the reply
up "http://127.0.0.1:$DZ_HTTP_PORT/nic/update" "hostname=home.dyn.test&myip=192.0.2.77" \
	-u "home.dyn.test:$TOK"
t_reply=$(ms_now)
is "$ST $BODY" "200 good 192.0.2.77|" "update over HTTP"
declare -A SEEN=()
while [ ${#SEEN[@]} -lt 3 ] && [ $(($(ms_now) - t_reply)) -lt 5000 ]; do
	for s in $SECONDARIES; do
		[ -z "${SEEN[$s]:-}" ] && [ "$(sec_ask $s home.dyn.test A)" = 192.0.2.77 ] &&
			SEEN[$s]=$(($(ms_now) - t_reply))
	done
done
for s in $SECONDARIES; do
	echo "# $s: update reply -> secondary serves it: ${SEEN[$s]:-never} ms"
	check "$s: serves the new address within 2 s of the update's reply" \
		test "${SEEN[$s]:-99999}" -le 2000
done
S1=$(serial)
for s in $SECONDARIES; do
	like "$(grep "xfr: IXFR of dyn\\.test\\. serial $S1 to ${SEC_SRC[$s]}:" "$DZ_DIR/serve.log")" \
		": 5 records in 1 messages" "$s: got a condensed IXFR (SOA, SOA, SOA, new A, SOA)"
done
like "$(grep "received update to serial $S1 " "${SEC_LOG[nsd]}" | tail -1)" " of [0-9]{2,3} bytes" \
	"NSD's log: serial $S1 came in a few hundred bytes (IXFR; the AXFR was 20 KB)"
like "$(grep -c "IXFR, incoming, remote 127.0.0.1@$DZ_PORT, finished" "${SEC_LOG[knot]}")" '^[1-9]' \
	"Knot's log says IXFR"
like "$(grep -c "requesting IXFR from 127.0.0.1#$DZ_PORT" "${SEC_LOG[bind]}")" '^[1-9]' \
	"BIND's log says IXFR"
for s in $SECONDARIES; do
	like "$(grep -ci notify "${SEC_LOG[$s]}")" '^[1-9]' "$s: received a NOTIFY"
done

# twenty quick updates: every secondary ends at the last serial
for i in $(seq 1 20); do
	up "http://127.0.0.1:$DZ_HTTP_PORT/nic/update" "hostname=home.dyn.test&myip=192.0.2.$((100 + i))" \
		-u "home.dyn.test:$TOK"
done
is "$ST $BODY" "200 good 192.0.2.120|" "twenty updates"
t_reply=$(ms_now)
S2=$(serial)
check "the serial moved on ($S1 -> $S2)" test "$S2" != "$S1"
for s in $SECONDARIES; do
	check "$s: reaches the last serial $S2" wait_for "$S2" 15000 sec_serial $s $ZN
	echo "# $s: last of 20 updates -> secondary at its serial: $(($(ms_now) - t_reply)) ms"
	is "$(sec_ask $s home.dyn.test A)" "192.0.2.120" "$s: serves the last address"
	is "$(sec_ask $s h1000.dyn.test A)" "10.0.3.232" "$s: still has the rest of the zone"
done

# a change made while dynzone is down reaches the secondaries when it
# starts again: a NOTIFY at start-up, not their next refresh (an hour)
dz_stop
dz record add offline.dyn.test A 192.0.2.99 >/dev/null
dz_start || { notok "server starts again"; t_done; exit 1; }
t_start=$(ms_now)
S3=$(serial)
check "the offline change moved the serial ($S2 -> $S3)" test "$S3" != "$S2"
for s in $SECONDARIES; do
	check "$s: reaches serial $S3 after the restart, by NOTIFY" wait_for "$S3" 10000 sec_serial $s $ZN
	echo "# $s: restart -> secondary at the new serial: $(($(ms_now) - t_start)) ms"
	is "$(sec_ask $s offline.dyn.test A)" "192.0.2.99" "$s: serves the record added while dynzone was down"
done
t_done
