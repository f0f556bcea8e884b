#!/usr/bin/env bash
# dynzone-update as a daemon in a network namespace of its own: adding and
# removing addresses (ip addr add/del) makes exactly one update each, within
# a second; equal addresses do not flap; stable IPv6 beats temporary; check-
# IP hosts ask again only on an interface change; an idle client sleeps.
# Nothing leaves the namespace.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

# A dummy interface if the kernel has them, else one end of a veth pair.
if ! ip link add d0 type dummy 2>/dev/null; then
	ip link add d0 type veth peer name d0p && ip link set d0p up
fi
sysctl -qw net.ipv6.conf.d0.accept_dad=0 net.ipv6.conf.d0.use_tempaddr=2
ip link set d0 up
check "test interface d0 is up" test -n "$(ip link show d0 up)"

S=$TMP/srv
mkdir -p "$S"
echo "203.0.113.9" >"$S/checkip"
reply "$S" 200 "good"
fake_start "$S"
C=$TMP/c.conf
cat >"$C" <<EOC
cache = $TMP/state/cache
server = http://127.0.0.1:$FAKE_PORT
check-interval = 3600
[host v6.dyn.test]
token = t6
ipv4 = off
ipv6 = interface d0
[host v4.dyn.test]
token = t4
ipv4 = interface d0
ipv6 = off
[host nat.dyn.test]
token = tn
ipv4 = checkip http://127.0.0.1:$FAKE_PORT/checkip
ipv6 = off
EOC
chmod 600 "$C"

# n HOST: update requests the scripted server got for HOST.
n() { grep -c "hostname=$1&" "$S/requests.log"; }
last() { grep "hostname=$1&" "$S/requests.log" | tail -1 | cut -d' ' -f2 | sed 's/.*myip=//'; }
total() { wc -l <"$S/requests.log"; }

start_daemon() {
	: >"$TMP/du.log"
	"$DYNZONE_UPDATE" -c "$C" -v >>"$TMP/du.log" 2>&1 &
	DU_PID=$!
	PIDS+=("$DU_PID")
	wait_for 1 3000 grep -c "running with" "$TMP/du.log"
}
start_daemon
check "daemon started" test $? -eq 0

# ---- start-up: only the check-IP host has an address -------------------
wait_for 1 2000 n nat.dyn.test
check "start-up: the check-IP host is updated" test $? -eq 0
is "$(last nat.dyn.test)" "203.0.113.9" "with the check-IP address"
sleep 0.5
is "$(checkips "$S")" 1 "start-up: check-IP asked once"
is "$(total)" 2 "start-up: nothing else sent (no addresses on d0 yet)"

# ---- ip addr add: one update within a second ---------------------------
ip -6 addr add 2001:db8::5/64 dev d0 nodad
wait_for 1 1000 n v6.dyn.test
check "IPv6 add: update within a second ($WAITED ms)" test $? -eq 0
diag "reaction time, ip -6 addr add -> request at the server: $WAITED ms"
is "$(last v6.dyn.test)" "2001:db8::5" "IPv6 add: the new address"
sleep 0.6
is "$(n v6.dyn.test)" 1 "IPv6 add: exactly one update"
is "$(n v4.dyn.test)" 0 "IPv6 add: the IPv4 host sends nothing"
is "$(checkips "$S")" 2 "interface change: check-IP asked again, once"
is "$(n nat.dyn.test)" 1 "same public address: no update for the check-IP host"

ip -6 addr add 2001:db8::6/64 dev d0 nodad
sleep 1
is "$(n v6.dyn.test)" 1 "a second, equal address: no update (no flapping)"

ip -6 addr del 2001:db8::5/64 dev d0
wait_for 2 1000 n v6.dyn.test
check "IPv6 del: update within a second ($WAITED ms)" test $? -eq 0
diag "reaction time, ip -6 addr del -> request at the server: $WAITED ms"
is "$(last v6.dyn.test)" "2001:db8::6" "IPv6 del: moves to the remaining address"
sleep 0.6
is "$(n v6.dyn.test)" 2 "IPv6 del: exactly one update"

# ---- stable before temporary ------------------------------------------
ip -6 addr add 2001:db8:1::5/64 dev d0 mngtmpaddr nodad
sleep 0.5
tmp6=$(ip -6 -o addr show dev d0 temporary | awk '{print $4}' | cut -d/ -f1 | head -1)
check "the kernel made a temporary address ($tmp6)" test -n "$tmp6"
is "$(n v6.dyn.test)" 2 "new stable and temporary addresses: no update while ::6 stays"
ip -6 addr del 2001:db8::6/64 dev d0
wait_for 3 1000 n v6.dyn.test
check "IPv6 del with a temporary around: update within a second" test $? -eq 0
is "$(last v6.dyn.test)" "2001:db8:1::5" "the stable address is chosen, not the temporary one"

# ---- IPv4 ------------------------------------------------------------------
ip -4 addr add 10.9.0.1/24 dev d0
wait_for 1 1000 n v4.dyn.test
check "IPv4 add: update within a second ($WAITED ms)" test $? -eq 0
is "$(last v4.dyn.test)" "10.9.0.1" "IPv4 add: the new address"
sleep 0.5
is "$(n v4.dyn.test)" 1 "IPv4 add: exactly one update"
is "$(n v6.dyn.test)" 3 "IPv4 add: the IPv6 host sends nothing"

# ---- check-IP host: the event makes it look, and it sees the change ---------
echo "203.0.113.10" >"$S/checkip"
before=$(checkips "$S")
ip -4 addr add 10.9.0.2/24 dev d0
wait_for 2 1000 n nat.dyn.test
check "public address changed behind NAT: found on the interface event" test $? -eq 0
is "$(last nat.dyn.test)" "203.0.113.10" "with the new public address"
sleep 0.5
is "$(( $(checkips "$S") - before ))" 1 "check-IP asked exactly once for the event"
is "$(n v4.dyn.test)" 1 "the IPv4 host keeps its address (no flapping)"

# ---- idle: no traffic, no CPU, little memory ---------------------------
count=$(total)
cpu0=$(awk '{print $14 + $15}' "/proc/$DU_PID/stat")
sleep 2
cpu1=$(awk '{print $14 + $15}' "/proc/$DU_PID/stat")
is "$(total)" "$count" "idle: no requests"
is "$cpu1" "$cpu0" "idle: no CPU time used in 2 s"
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$DU_PID/status")
diag "idle resident memory: VmRSS $rss kB ($(awk '/^RssAnon/ {print $2}' "/proc/$DU_PID/status") kB private)"
# Sanitizer builds carry shadow memory and allocator caches.
limit=4096
grep -q __asan_init "$DYNZONE_UPDATE" && limit=65536
check "idle RSS under $limit kB ($rss kB)" test "$rss" -lt $limit

# ---- SIGHUP: a changed host is sent again -----------------------------------
sed -i 's/^token = t4$/token = t4-new/' "$C"
kill -HUP "$DU_PID"
wait_for 2 1000 n v4.dyn.test
check "SIGHUP with a new token: the host is sent again" test $? -eq 0
is "$(grep "hostname=v4.dyn.test&" "$S/requests.log" | tail -1 | cut -d' ' -f3)" \
	"auth=v4.dyn.test:t4-new" "with the new token"
sleep 0.3
is "$(n v6.dyn.test)" 3 "SIGHUP: unchanged hosts send nothing"

# ---- SIGTERM, and a restart sends nothing --------------------------------
kill "$DU_PID"
wait "$DU_PID"
is "$?" 0 "SIGTERM: clean exit"
count=$(total)
start_daemon
sleep 1
is "$(total)" "$count" "restart: the cache says all is current, nothing sent"
kill "$DU_PID"
wait "$DU_PID"

# phase NAME STATUS BODY HOST KEY=VALUE...: a fresh scripted server in
# $TMP/NAME answering STATUS BODY, and a one-host config for it.
phase() {
	local name=$1 status=$2 body=$3 host=$4
	shift 4
	mkdir -p "$TMP/$name"
	reply "$TMP/$name" "$status" "$body"
	fake_start "$TMP/$name"
	DU_CACHE=$TMP/$name/state du_conf "$C" "http://127.0.0.1:$FAKE_PORT" "$host" "$@"
}

# ---- a changed network ends a network back-off early ----------------------
S2=$TMP/srv2
phase srv2 close "" r.dyn.test token=tr backoff-min=120 ipv4=off "ipv6=interface d0"
start_daemon
wait_for 1 2000 updates "$S2"
check "network error on the first try" test $? -eq 0
wait_for 1 1000 grep -c "network-error" "$TMP/du.log"
like "$(grep network-error "$TMP/du.log")" "next try in [0-9]+s" "backing off"
reply "$S2" 200 "good"
ip -6 addr add 2001:db8:2::1/64 dev d0 nodad
wait_for 2 1000 updates "$S2"
check "an address change ends the back-off: retried within a second" test $? -eq 0
kill "$DU_PID"
wait "$DU_PID"

# ---- the check interval: check-IP asked on its timer, nothing else --------
S4=$TMP/srv4
mkdir -p "$S4"
echo "203.0.113.20" >"$S4/checkip"
phase srv4 200 good timer.dyn.test token=tt check-interval=1 ipv4=checkip ipv6=off
start_daemon
sleep 3.5
k=$(checkips "$S4")
check "check-interval = 1: about one check-IP a second ($k in 3.5 s)" test "$k" -ge 3 -a "$k" -le 5
is "$(updates "$S4")" 1 "same answer every time: one update only"
echo "203.0.113.21" >"$S4/checkip"
wait_for 2 1500 updates "$S4"
check "a new answer is sent on the next interval ($WAITED ms)" test $? -eq 0
is "$(last_update "$S4")" "/nic/update?hostname=timer.dyn.test&myip=203.0.113.21" "with the new address"
kill "$DU_PID"
wait "$DU_PID"

# ---- plain HTTP to a non-loopback address: refused unless allowed ------------
S3=$TMP/srv3
mkdir -p "$S3"
reply "$S3" 200 "good"
fake_start "$S3" --listen 10.9.0.1
plain() {
	DU_CACHE=$TMP/srv3/state du_conf "$C" "http://10.9.0.1:$FAKE_PORT" p.dyn.test \
		token=tp "ipv4=command echo 198.51.100.7" ipv6=off "$@"
}
plain
du_once "$C" $T0
is "$OUT" "p.dyn.test stopped refused" "plain HTTP to 10.9.0.1: refused"
is "$(updates "$S3")" 0 "the server got nothing"
plain allow-plain-http=yes
du_once "$C" $T0
is "$OUT" "p.dyn.test updated 198.51.100.7" "allow-plain-http = yes: sent"
is "$(last_auth "$S3")" "auth=p.dyn.test:tp" "the server got it"
t_done
