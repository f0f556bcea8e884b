#!/usr/bin/env bash
# What a system install ships: the systemd unit passes `systemd-analyze
# verify` with no complaint, the daemon runs the way the unit starts it (a
# system user with only CAP_NET_BIND_SERVICE and no-new-privs, port 53,
# umask 0077), `meson install` puts the unit, the sysusers file and the
# sample config where systemd and the docs expect them, and the sample
# config names every key, each of its example lines loading as written.
. "$(dirname "$0")/../lib.sh"
netns_enter "$@"

UNIT=$DZ_BUILD/dist/dynzone.service
check "the build makes the unit" test -f "$UNIT"
# verify needs the binary the unit names and its man pages
mkdir -p "$TMP/man/man8" "$TMP/man/man5"
cp "$DZ_TOP/man/dynzone.8" "$TMP/man/man8/"
cp "$DZ_TOP/man/dynzone.conf.5" "$TMP/man/man5/"
sed "s|^ExecStart=[^ ]*|ExecStart=$DYNZONE|" "$UNIT" >"$TMP/dynzone.service"
out=$(MANPATH=$TMP/man systemd-analyze verify "$TMP/dynzone.service" 2>&1); rc=$?
is "$rc" 0 "systemd-analyze verify accepts the unit"
is "$out" "" "and has nothing to say about it"
for d in NoNewPrivileges=yes ProtectSystem=strict CapabilityBoundingSet=CAP_NET_BIND_SERVICE \
	"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" StateDirectory=dynzone UMask=0077 \
	SystemCallFilter=@system-service User=dynzone; do
	check "the unit sets $d" grep -qx "$d" "$UNIT"
done
sed 's/^SystemCallFilter=@system-service/SystemCallFilter=@no-such-set/' "$TMP/dynzone.service" >"$TMP/bad.service"
out=$(MANPATH=$TMP/man systemd-analyze verify "$TMP/bad.service" 2>&1)
like "$out" "Unknown system call group" "(the check would see a broken directive)"

# the daemon as the unit runs it: not root, only CAP_NET_BIND_SERVICE
dz_config unit
sed -i -e "/^dns-listen = \[::1\]/d" -e "s/^dns-listen = .*/dns-listen = 127.0.0.1:53/" "$DZ_CONF"
DZ_PORT=53
# a system user reaches none of the test's directories (the checkout may be
# root's own): give it the binary and the state directory in $TMP
chmod 711 "$TMP"
mkdir -p "$TMP/bin"
cp "$DYNZONE" "$TMP/bin/dynzone"
chmod 755 "$TMP/bin" "$TMP/bin/dynzone"
chown -R nobody "$DZ_DIR"
runuser -u nobody -- "$TMP/bin/dynzone" -c "$DZ_CONF" zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null
(umask 0077; exec setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	--inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --no-new-privs \
	"$TMP/bin/dynzone" -c "$DZ_CONF" serve >"$DZ_DIR/serve.log" 2>&1) &
DZ_PID=$!
PIDS+=("$DZ_PID")
if started "$DZ_PID" "$DZ_DIR/serve.log" ': ready$' "dynzone serve (as the unit runs it)"; then
	st=$(cat /proc/$DZ_PID/status)
	like "$st" $'Uid:\t[1-9]' "it runs as a system user, not root"
	like "$st" $'NoNewPrivs:\t1' "with no-new-privs"
	like "$st" $'CapEff:\t0000000000000400' "and only CAP_NET_BIND_SERVICE"
	is "$(qs ns1.dyn.test A)" "192.0.2.53" "and answers on port 53"
	dz_stop
else
	notok "the daemon starts as the unit runs it"
fi

# meson install: where the files land
out=$(DESTDIR=$TMP/dest meson install -C "$DZ_BUILD" --no-rebuild --only-changed 2>&1); rc=$?
is "$rc" 0 "meson install into a DESTDIR"
unit=$(find "$TMP/dest" -path '*systemd/system/dynzone.service' | head -1)
check "the unit is installed under systemd/system ($unit)" test -n "$unit"
like "$(grep '^ExecStart=' "$unit" 2>/dev/null)" "^ExecStart=/.*/bin/dynzone -c /etc/dynzone/dynzone.conf serve$" \
	"naming the installed binary"
check "the sysusers file is installed" test -n "$(find "$TMP/dest" -path '*sysusers.d/dynzone.conf')"
sample=$(find "$TMP/dest" -path '*doc/dynzone/dynzone.conf.example' | head -1)
check "the sample config is installed with the docs" test -n "$sample"

# the sample config: every key, each example line valid
SAMPLE=$DZ_TOP/dist/dynzone.conf.example
keys=$("$DYNZONE" --help | sed -n '/^  --KEY=VALUE/,/^See /p' | awk 'NR > 1 && /^  [a-z]/ { print $1 }')
missing=""
for k in $keys; do grep -q "^#$k = " "$SAMPLE" || missing="$missing $k"; done
is "$missing" "" "the sample config names every key ($(echo $keys | wc -w) keys)"
sed -n 's/^#\([a-z-]* = \)/\1/p' "$SAMPLE" | grep -v '^\(db\|user\|tls-cert\|tls-key\|export-cdb\|export-merge\|tsig-key-file\) ' >"$TMP/sample.conf"
echo "db = $TMP/sample.db" >>"$TMP/sample.conf"
out=$("$DYNZONE" -c "$TMP/sample.conf" zone list 2>&1); rc=$?
is "$rc" 0 "every example line of the sample loads as written"
t_done
