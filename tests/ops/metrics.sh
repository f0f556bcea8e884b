#!/usr/bin/env bash
# /metrics and /healthz: a real scrape passes `promtool check metrics`, the
# counters move with real traffic (dig queries by type, truncated answers,
# TCP connections, dyndns2 updates good and badauth, a signed nsupdate, an
# AXFR, a dashboard log-in with a wrong password, the commit histograms),
# /healthz says ok, and a client outside metrics-allow gets 403.
. "$(dirname "$0")/../lib.sh"

KEY=$(tsig_secret)
dz_config metrics "update-rate-token = 0" "update-rate-client = 0" \
	"metrics-allow = 127.0.0.1" "metrics-allow = ::1" \
	"tsig-key = up. hmac-sha256 $KEY" "allow-update = dyn.test up. *.dyn.test TXT" \
	"allow-transfer = dyn.test 127.0.0.1"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1 || { notok "zone add"; t_done; exit 1; }
echo "alice-password" | dz user add alice 2>/dev/null
TA=$(dz host add a.dyn.test --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }
URL=http://127.0.0.1:$DZ_HTTP_PORT

scrape() { curl -s -m 10 "$URL/metrics" >"$TMP/scrape"; }
# m 'NAME{LABELS}': that sample's value in the last scrape (empty if none)
m() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/scrape"; }

# --- format ------------------------------------------------------------
curl -s -m 10 -D "$TMP/mh" -o "$TMP/scrape" "$URL/metrics"
like "$(tr -d '\r' <"$TMP/mh")" '^Content-Type: text/plain; version=0\.0\.4' \
	"/metrics: text format 0.0.4"
out=$(promtool check metrics <"$TMP/scrape" 2>&1)
is "$?:$out" "0:" "promtool check metrics passes on a real scrape"
for name in dynzone_dns_queries_by_type_total dynzone_dns_responses_total \
	dynzone_dns_truncated_total dynzone_dns_tcp_connections_total dynzone_dns_tcp_open \
	dynzone_dns_udp_dropped_total dynzone_updates_total dynzone_dns_update_messages_total \
	dynzone_xfr_total dynzone_commit_batch_jobs dynzone_commit_duration_seconds \
	dynzone_update_auth_failures_total dynzone_dashboard_auth_failures_total \
	dynzone_zones dynzone_names dynzone_zone_names dynzone_store_bytes; do
	grep -q "^# TYPE $name " "$TMP/scrape" || notok "family $name missing"
done
ok "every documented family is there"
is "$(m dynzone_zones)" 1 "one zone in the table"
is "$(m 'dynzone_zone_names{zone="dyn.test."}')" "$(m dynzone_names)" \
	"names per zone: dyn.test. holds every name of the table ($(m dynzone_names))"
n0=$(m dynzone_names)
dz record add added-for-metrics.dyn.test A 192.0.2.44 >/dev/null
zn() { scrape; m 'dynzone_zone_names{zone="dyn.test."}'; }
wait_for $((n0 + 1)) 5000 zn
is "$(zn)" "$((n0 + 1))" "and counts a name added from the shell"
check "the store has bytes on disk ($(m 'dynzone_store_bytes{file="db"}'))" \
	test "$(m 'dynzone_store_bytes{file="db"}')" -gt 0

# --- DNS ---------------------------------------------------------------
aaaa0=$(m 'dynzone_dns_queries_by_type_total{type="AAAA"}')
nx0=$(m 'dynzone_dns_responses_total{rcode="NXDOMAIN"}')
tcp0=$(m dynzone_dns_tcp_connections_total)
for i in 1 2 3 4 5 6 7; do q "a$i.dyn.test" AAAA >/dev/null; done
q ns1.dyn.test A +tcp >/dev/null
scrape
is "$(( $(m 'dynzone_dns_queries_by_type_total{type="AAAA"}') - aaaa0 ))" 7 \
	"7 AAAA queries: the AAAA counter rose by 7"
is "$(( $(m 'dynzone_dns_responses_total{rcode="NXDOMAIN"}') - nx0 ))" 7 \
	"7 names that do not exist: NXDOMAIN rose by 7"
is "$(( $(m dynzone_dns_tcp_connections_total) - tcp0 ))" 1 "one TCP query: one connection accepted"

# --- dyndns2 updates ---------------------------------------------------
good0=$(m 'dynzone_updates_total{result="good"}')
bad0=$(m 'dynzone_updates_total{result="badauth"}')
af0=$(m dynzone_update_auth_failures_total)
batch0=$(m dynzone_commit_batch_jobs_count)
up "$URL/nic/update" "hostname=a.dyn.test&myip=192.0.2.7" -u "a.dyn.test:$TA"
is "$ST $BODY" "200 good 192.0.2.7|" "an update: good"
up "$URL/nic/update" "hostname=a.dyn.test&myip=192.0.2.8" -u "a.dyn.test:wrong-token"
like "$BODY" "^badauth" "a wrong token: badauth"
scrape
is "$(( $(m 'dynzone_updates_total{result="good"}') - good0 ))" 1 "updates good rose by 1"
is "$(( $(m 'dynzone_updates_total{result="badauth"}') - bad0 ))" 1 "updates badauth rose by 1"
is "$(( $(m dynzone_update_auth_failures_total) - af0 ))" 1 "update auth failures rose by 1"
check "the batch histogram's count rose ($batch0 -> $(m dynzone_commit_batch_jobs_count))" \
	test "$(m dynzone_commit_batch_jobs_count)" -ge $((batch0 + 2))
is "$(m 'dynzone_commit_batch_jobs_bucket{le="+Inf"}')" "$(m dynzone_commit_batch_jobs_count)" \
	"the +Inf bucket holds every batch"
check "commit latency observed" test "$(m dynzone_commit_duration_seconds_count)" -gt 0

# --- DNS UPDATE, AXFR, dashboard ---------------------------------------
upd0=$(m 'dynzone_dns_update_messages_total{rcode="NOERROR"}')
out=$(nsu up. "$KEY" <<'N'
zone dyn.test
update add _acme-challenge.a.dyn.test 60 TXT "tok"
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "nsupdate: NOERROR"
ax0=$(m 'dynzone_xfr_total{result="axfr"}')
q dyn.test AXFR >/dev/null
dash0=$(m dynzone_dashboard_auth_failures_total)
login alice not-hers
is "$ST" 401 "a dashboard log-in with a wrong password: 401"
scrape
is "$(( $(m 'dynzone_dns_update_messages_total{rcode="NOERROR"}') - upd0 ))" 1 \
	"the UPDATE counter (NOERROR) rose by 1"
# the transfer thread counts as it ends, just after the last message
axfrs() { scrape; m 'dynzone_xfr_total{result="axfr"}'; }
if wait_for $((ax0 + 1)) 5000 axfrs; then ok "an AXFR: the AXFR counter rose by 1"
else notok "an AXFR: the AXFR counter rose by 1 ($ax0 -> $(axfrs))"; fi
is "$(( $(m dynzone_dashboard_auth_failures_total) - dash0 ))" 1 \
	"a wrong dashboard password: dashboard auth failures rose by 1"

# --- /healthz and metrics-allow ----------------------------------------
is "$(curl -s -m 10 -w ' %{http_code}' "$URL/healthz")" "ok
 200" "/healthz: 200 ok"
is "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://[::1]:$DZ_HTTP_PORT/metrics")" 200 \
	"::1 is allowed"
is "$(curl -s -m 10 -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$URL/metrics")" 403 \
	"/metrics from 127.0.0.2 (not in metrics-allow): 403"
is "$(curl -s -m 10 -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$URL/healthz")" 403 \
	"/healthz from 127.0.0.2: 403"
dz_stop

# --- a bad metrics-allow stops start-up, naming the key and value ------
dz_config badallow "metrics-allow = 10.0.0.0/99"
out=$("$DYNZONE" -c "$DZ_CONF" serve 2>&1 </dev/null)
rc=$?
check "a bad metrics-allow: serve exits non-zero ($rc)" test "$rc" -ne 0
like "$out" "dynzone.conf:[0-9]+: metrics-allow '10\.0\.0\.0/99'" "the message names file, line, key and value"
t_done
