#!/usr/bin/env bash
# Debian's ddclient (3.10) and inadyn (2.10) against a dynzone whose
# per-token change budget is spent (issue #16): the reply (911, HTTP 503,
# Retry-After) makes both back off and neither gives up; once the budget
# has refilled, both succeed.  A host an administrator blocked gets
# `abuse`, on which inadyn stops for good.  Everything runs on loopback;
# inadyn's address comes from a checkip command, ddclient's from its
# config.  ddclient's clock is its cache file: the test moves its last
# attempt back instead of waiting its five minutes.
. "$(dirname "$0")/../lib.sh"

command -v ddclient >/dev/null || { notok "ddclient installed (tools/deps test)"; t_done; exit 1; }
command -v inadyn >/dev/null || { notok "inadyn installed (tools/deps test)"; t_done; exit 1; }

# one change per token at once, then one every 3 seconds
dz_config limits "update-rate-token = 20" "update-burst-token = 1" "update-rate-client = 0"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
echo "alice-password" | dz user add alice 2>/dev/null
TD=$(dz host add d.dyn.test --user alice)
TI=$(dz host add i.dyn.test --user alice)
TB=$(dz host add b.dyn.test --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }
U4="http://127.0.0.1:$DZ_HTTP_PORT/nic/update"

# spend TOKEN HOST ADDR: one change that spends the token's budget
spend() {
	up "$U4" "hostname=$2&myip=$3" -u "$2:$1"
	[ "$BODY" = "good $3|" ] || diag "spending: $BODY"
}

# --- ddclient ---------------------------------------------------------------
ddc() {
	ddclient -foreground -file "$TMP/ddc.conf" -cache "$TMP/ddc.cache" \
		-daemon=0 -verbose -noquiet >"$TMP/ddc.out" 2>&1
	OUT=$(cat "$TMP/ddc.out")
}
# the address from a command: with use=ip its `ip` would also be the cache's
# "last address set", and a failed attempt would look like a success
printf '#!/bin/sh\necho 192.0.2.71\n' >"$TMP/myip"
chmod +x "$TMP/myip"
printf '%s\n' "daemon=0" "syslog=no" "ssl=no" "protocol=dyndns2" "use=cmd, cmd=$TMP/myip" \
	"server=127.0.0.1:$DZ_HTTP_PORT" "login=d.dyn.test" "password=$TD" "d.dyn.test" >"$TMP/ddc.conf"
chmod 600 "$TMP/ddc.conf"
spend "$TD" d.dyn.test 192.0.2.70
ddc
like "$OUT" 'HTTP/1\.[01] 503' "ddclient's update inside the spent budget: 503"
unlike "$OUT" 'SUCCESS' "not taken as a success"
is "$(qs d.dyn.test A)" "192.0.2.70" "nothing changed"
ddc
unlike "$OUT" 'SENDING' "ddclient backs off: the next run sends nothing"
like "$OUT" 'last attempt on .* failed' "and says it waits after a failed attempt"
# five minutes later, by ddclient's cache clock (3.10 itself writes atime=0
# after a skipped run, so its next run would retry anyway), and past the
# server's Retry-After of 3 s
perl -i -pe 's/\batime=(\d+)/"atime=" . ($1 > 400 ? $1 - 400 : $1)/e' "$TMP/ddc.cache"
sleep 3
ddc
like "$OUT" 'SUCCESS: +updating d\.dyn\.test: good: IP address set to 192\.0\.2\.71' \
	"after its min-error-interval ddclient retries and succeeds"
is "$(qs d.dyn.test A)" "192.0.2.71" "served"

# --- inadyn -----------------------------------------------------------------
# ina NAME ADDR TOKEN HOST: an inadyn config with a custom{} provider
ina_conf() {
	{
		printf 'verify-address = false\nallow-ipv6 = true\n'
		echo "custom $1 {"
		echo "    ssl = false"
		echo "    username = $4"
		echo "    password = $3"
		echo "    ddns-server = 127.0.0.1:$DZ_HTTP_PORT"
		echo '    ddns-path = "/nic/update?hostname=%h&myip=%i"'
		echo "    checkip-command = \"echo $2\""
		echo "    hostname = $4"
		echo "}"
	} >"$TMP/$1.conf"
	rm -rf "$TMP/$1.cache"
	mkdir -p "$TMP/$1.cache"
}
ina_conf lim 192.0.2.81 "$TI" i.dyn.test
spend "$TI" i.dyn.test 192.0.2.80
inadyn -1 -f "$TMP/lim.conf" --cache-dir "$TMP/lim.cache" -l debug -n --no-pidfile \
	>"$TMP/lim.out" 2>&1 &
INA=$!
PIDS+=("$INA")
started "$INA" "$TMP/lim.out" 'Will retry again in' inadyn
OUT=$(cat "$TMP/lim.out")
like "$OUT" 'Temporary error in DDNS server response' "inadyn: a temporary error"
like "$OUT" '\[503 ' "on the 503"
check "inadyn keeps running, waiting to retry" kill -0 "$INA"
is "$(qs i.dyn.test A)" "192.0.2.80" "nothing changed"
# the budget refills within 3 s; SIGUSR1 is inadyn's "update now", standing in for
# its 10 minutes
sleep 3
kill -USR1 "$INA"
wait_for gone 15000 sh -c "kill -0 $INA 2>/dev/null || echo gone"
like "$(cat "$TMP/lim.out")" 'Successful alias table update for i\.dyn\.test' \
	"on its retry inadyn succeeds (and, run with --once, exits)"
is "$(qs i.dyn.test A)" "192.0.2.81" "served"

# --- a blocked host: abuse, and inadyn stops ----------------------------------------
dz host block b.dyn.test --reason test 2>/dev/null
ina_conf blk 192.0.2.90 "$TB" b.dyn.test
timeout 20 inadyn -1 -f "$TMP/blk.conf" --cache-dir "$TMP/blk.cache" -l debug -n --no-pidfile \
	>"$TMP/blk.out" 2>&1
rc=$?
check "inadyn exits on abuse (status $rc, not killed by the timeout)" test "$rc" -ne 124
like "$(cat "$TMP/blk.out")" 'abuse' "it was told abuse"
like "$(cat "$TMP/blk.out")" 'exiting' "and stops for good"
is "$(qs b.dyn.test A)" "" "a blocked host gets no address"

dz_stop
t_done
