#!/usr/bin/env bash
# Store files are private, and `dynzone backup` copies the store while the
# server serves and writes: the copy is consistent, private, holds every
# update acknowledged before it began, and a restore from it serves them.
. "$(dirname "$0")/../lib.sh"

mode() { stat -c %a "$1"; }

dz_config backup "update-rate-token = 0" "update-rate-client = 0"
DB=$DZ_DIR/dynzone.db
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
is "$(mode "$DB")" "600" "a new store is created 0600 (it holds password hashes)"
echo "alice-password" | dz user add alice 2>/dev/null
TOK=$(dz host add h1.dyn.test --user alice)
dz_start || { notok "server starts"; t_done; exit 1; }
is "$(upd "$TOK" "hostname=h1.dyn.test&myip=192.0.2.1")" "good 192.0.2.1" "an update before the backup"
is "$(mode "$DB-wal")" "600" "its -wal file is 0600 too"
is "$(mode "$DB-shm")" "600" "its -shm file is 0600 too"

# updates keep coming while the backup runs
( for i in $(seq 2 200); do upd "$TOK" "hostname=h1.dyn.test&myip=192.0.2.$((i % 250))" >/dev/null; done ) &
writer=$!
out=$(dz backup "$TMP/copy.db" 2>&1); rc=$?
is "$rc" "0" "backup while serving and writing exits 0"
like "$out" "backup of .* written" "and says what it wrote"
wait "$writer"
is "$(mode "$TMP/copy.db")" "600" "the copy is 0600"
check "no -wal beside the copy (a standalone file)" test ! -e "$TMP/copy.db-wal"
is "$(sqlite3 "$TMP/copy.db" 'PRAGMA integrity_check')" "ok" "the copy passes integrity_check"
is "$(sqlite3 "$TMP/copy.db" "SELECT count(*) FROM hosts")" "1" "the copy has the host"
like "$(sqlite3 "$TMP/copy.db" "SELECT count(*) FROM update_log WHERE result LIKE 'good%'")" "^[1-9]" \
	"the copy has the update log"

out=$(dz backup "$TMP/copy.db" 2>&1); rc=$?
is "$rc" "1" "backup onto an existing file fails"
like "$out" "File exists" "and says why"
is "$(sqlite3 "$TMP/copy.db" 'PRAGMA integrity_check')" "ok" "and leaves the existing file alone"
out=$(dz backup "$TMP/no/such/dir.db" 2>&1); rc=$?
is "$rc" "1" "backup into a missing directory fails"

# the last acknowledged address, then a change after the backup
is "$(upd "$TOK" "hostname=h1.dyn.test&myip=198.51.100.7")" "good 198.51.100.7" "an update after the backup"
dz_stop

# restore: the copy back at the db path, the old WAL files gone
want=$("$DYNZONE" -c "$DZ_CONF" --db="$TMP/copy.db" record list dyn.test | awk '$1 == "h1.dyn.test." && $4 == "A" { print $5 }')
like "$want" "^192\.0\.2\.[0-9]+$" "the copy holds an address acknowledged before or during the backup ($want)"
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$TMP/copy.db" "$DB"
dz_start || { notok "server starts on the restored store"; t_done; exit 1; }
is "$(qs h1.dyn.test A)" "$want" "the restored store serves the address the backup held"
is "$(upd "$TOK" "hostname=h1.dyn.test&myip=203.0.113.9")" "good 203.0.113.9" "the restored store takes updates"
is "$(qs h1.dyn.test A)" "203.0.113.9" "and serves them"
dz_stop
t_done
