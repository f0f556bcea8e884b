#!/usr/bin/env bash
# A failed fdatasync of the WAL: the updates of that batch are answered 911,
# not good, and so is every update after it (a later sync that succeeds
# would not prove the failed writes reached the disk), while DNS goes on
# answering; a restart takes updates again.  The failure is injected with
# an LD_PRELOAD shim that fails fdatasync while a file exists.
. "$(dirname "$0")/../lib.sh"

cat >"$TMP/failsync.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
int fdatasync(int fd)
{
	static int (*real)(int);
	const char *f = getenv("DZ_FAIL_SYNC_FILE");
	if (f && access(f, F_OK) == 0) {
		errno = EIO;
		return -1;
	}
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return real(fd);
}
C
cc -shared -fPIC -o "$TMP/failsync.so" "$TMP/failsync.c" -ldl 2>"$TMP/cc.err"
check "the fdatasync shim builds" test -f "$TMP/failsync.so"

dz_config fsync "update-rate-token = 0" "update-rate-client = 0"
dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
echo "alice-password" | dz user add alice 2>/dev/null
TOK=$(dz host add h1.dyn.test --user alice)

# upd_h1 ADDR: the reply to an update of h1 to ADDR
upd_h1() { upd "$TOK" "hostname=h1.dyn.test&myip=$1"; }
a_of_h1() { q +short h1.dyn.test A; }

LD_PRELOAD="$TMP/failsync.so" DZ_FAIL_SYNC_FILE="$TMP/fail" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" dz_start ||
	{ notok "serve starts with the shim"; t_done; exit 1; }
is "$(upd_h1 192.0.2.10)" "good 192.0.2.10" "an update before any failure: good"
is "$(a_of_h1)" 192.0.2.10 "and served"

touch "$TMP/fail"
is "$(upd_h1 192.0.2.11)" "911" "fdatasync fails: the update is answered 911, not good"
like "$(cat "$DZ_DIR/serve.log")" "syncing the database's WAL: .*refusing updates until restarted" \
	"the log says why"
rm -f "$TMP/fail"
is "$(upd_h1 192.0.2.12)" "911" "the disk is back, but no update is taken until a restart"
like "$(a_of_h1)" '^192\.0\.2\.1[01]$' "DNS still answers meanwhile"

dz_stop
dz_start || { notok "serve restarts"; t_done; exit 1; }
is "$(upd_h1 192.0.2.13)" "good 192.0.2.13" "after a restart updates are taken again"
is "$(a_of_h1)" 192.0.2.13 "and served"
t_done
