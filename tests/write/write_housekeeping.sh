#!/usr/bin/env bash
# Housekeeping runs on the committer whatever front ends the server has: a
# server with DNS only (no http-listen) prunes the change journal (a day)
# and the update log (update-log-days), a chunk at a time until caught up,
# keeps the recent rows, and still serves a change another process commits.
. "$(dirname "$0")/../lib.sh"

dz_config hk update-log-days=2
sed -i '/^http-listen/d' "$DZ_CONF"
db=$DZ_DIR/dynzone.db
sql() { sqlite3 -cmd '.timeout 5000' "$db" "$@"; }

check "a fresh store" dz zone list
now=$(date +%s)
old_j=$((now - 2 * 86400))     # older than the journal's day
old_u=$((now - 3 * 86400))     # older than update-log-days = 2
mid_u=$((now - 86400))         # inside update-log-days
# more old rows than one chunk (5,000) of each: several rounds
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
     INSERT INTO journal(zone_id, serial, op, time) SELECT 1, 1, 3, $old_j + i FROM n;
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 7000)
     INSERT INTO update_log(time, host, addrs, client, agent, result)
       SELECT $old_u + i, 'h.example.org', '', '127.0.0.1', 'test', 'good' FROM n;
     INSERT INTO update_log(time, host, addrs, client, agent, result)
       VALUES($mid_u, 'h.example.org', '192.0.2.1', '127.0.0.1', 'test', 'good');"
check "zone add (recent journal rows)" dz zone add example.org --ns ns1.example.org=192.0.2.1
is "$(sql "SELECT count(*) FROM journal WHERE time < $now - 86400")" 12000 "12000 old journal rows to start with"
is "$(sql "SELECT count(*) FROM update_log WHERE time < $now - 2 * 86400")" 7000 "7000 old update log rows"
recent_j=$(sql "SELECT count(*) FROM journal WHERE time >= $now - 86400")

check "serve starts with DNS only" dz_start
unlike "$(cat "$DZ_DIR/serve.log")" 'https? on' "no HTTP listener"
left_j=-1 left_u=-1
for _ in $(seq 1 100); do
	left_j=$(sql "SELECT count(*) FROM journal WHERE time < $now - 86400")
	left_u=$(sql "SELECT count(*) FROM update_log WHERE time < $now - 2 * 86400")
	[ "$left_j" = 0 ] && [ "$left_u" = 0 ] && break
	sleep 0.1
done
is "$left_j" 0 "the old journal rows are pruned without any update"
is "$left_u" 0 "the old update log rows are pruned too"
is "$(sql "SELECT count(*) FROM journal WHERE time >= $now - 86400")" "$recent_j" \
	"the journal's recent rows stay"
is "$(sql "SELECT count(*) FROM update_log")" 1 "the update log's row inside update-log-days stays"

# the committer (not a front end) follows other processes' commits
check "record add while serving" dz record add www.example.org A 192.0.2.10
got=
for _ in $(seq 1 40); do
	got=$(qs www.example.org A)
	[ "$got" = 192.0.2.10 ] && break
	sleep 0.05
done
is "$got" 192.0.2.10 "a record added from the shell is served within the sync interval"
dz_stop
unlike "$(cat "$DZ_DIR/serve.log")" 'pruning the logs|housekeeping' "no housekeeping errors logged"
t_done
