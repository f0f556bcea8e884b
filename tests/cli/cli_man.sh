#!/usr/bin/env bash
# The man pages: dynzone(8) and dynzone.conf(5) render without a groff
# warning and with man -l, document every command and every config key
# the binary knows (as its --help lists them), and the example config of
# dynzone.conf(5) is one the binary takes.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
M8=$top/man/dynzone.8
M5=$top/man/dynzone.conf.5
cd "$TMP" || exit 1

# render FILE: plain text, long lines, no hyphenation
render() { groff -man -Tutf8 -rLL=250n -rHY=0 -P-cbou "$1" 2>/dev/null; }

for m in "$M8" "$M5"; do
	n=$(basename "$m")
	is "$(groff -t -man -ww -z "$m" 2>&1)" "" "$n: groff -man -ww: no warnings"
	out=$(MANWIDTH=80 man -l "$m" 2>"$TMP/man.err"); rc=$?
	like "$rc/$out" '^0/' "$n: man -l renders it"
	like "$out" '^NAME' "$n: man -l shows the NAME section"
	is "$(cat "$TMP/man.err")" "" "$n: man -l says nothing on stderr"
done
t8=$(render "$M8")
t5=$(render "$M5")
for sec in SYNOPSIS DESCRIPTION OPTIONS COMMANDS CONFIGURATION SIGNALS FILES "EXIT STATUS" EXAMPLES; do
	like "$t8" "^$sec\$" "dynzone.8 has a $sec section"
done

help=$("$DYNZONE" --help)
# commands: the words after "dynzone" up to the first argument
cmds=$(printf '%s\n' "$help" | sed -n 's/^  dynzone \(\([a-z]\{1,\} \{0,1\}\)*\).*/\1/p' | sed 's/ *$//')
check "--help lists commands" test "$(printf '%s\n' "$cmds" | wc -l)" -ge 8
while read -r c; do
	like "$t8" "^ {7}$c( |\$)" "dynzone.8 documents the command '$c'"
done <<<"$cmds"
# config keys: the Options part of --help, after the --KEY=VALUE line
keys=$(printf '%s\n' "$help" | sed -n '/--KEY=VALUE/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p')
check "--help lists config keys" test "$(printf '%s\n' "$keys" | wc -l)" -ge 10
while read -r k; do
	like "$t5" "^ {7}$k( |\$)" "dynzone.conf.5 documents the key '$k'"
	like "$t8" "^ {7}$k( |\$)" "dynzone.8 lists the key '$k'"
done <<<"$keys"
# and no key documented that the binary does not know
for k in $(printf '%s\n' "$t5" | sed -n '/^KEYS$/,/^EXAMPLES$/p' |
	sed -n 's/^ \{7\}\([a-z][a-z0-9-]*\) [a-z].*/\1/p'); do
	like "$keys" "^$k\$" "dynzone.conf.5: '$k' is a key the binary knows"
done

# the example configuration is taken as written
printf '%s\n' "$t5" | sed -n '/# \/etc\/dynzone\/dynzone.conf/,/^ *signup-zones/p' | sed 's/^ *//' >example.conf
check "dynzone.conf.5: the example was extracted" grep -q '^dns-listen = ' example.conf
out=$("$DYNZONE" -c example.conf --db="$TMP/ex.db" zone list 2>&1); rc=$?
is "$rc/$out" "0/" "dynzone.conf.5: the example configuration loads"

# meson install puts the three pages in their sections under the prefix
B=${DZ_BUILD:?DZ_BUILD must point at the build directory}
prefix=$(meson introspect "$B" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
like "$prefix" '^/' "meson introspect gives the install prefix"
out=$(meson install -C "$B" --destdir "$TMP/dest" --quiet 2>&1); rc=$?
is "$rc" 0 "meson install --destdir succeeds"
[ "$rc" -eq 0 ] || diag "$out"
for pg in dynzone.8:man8 dynzone.conf.5:man5 dynzone-update.1:man1; do
	f=${pg%%:*}
	check "meson install: $f in share/man/${pg#*:}, as written" \
		cmp -s "$top/man/$f" "$TMP/dest$prefix/share/man/${pg#*:}/$f"
done
is "$(cd "$TMP/dest$prefix/share/man" 2>/dev/null && find . -type f | sort | tr '\n' ' ')" \
	"./man1/dynzone-update.1 ./man5/dynzone.conf.5 ./man8/dynzone.8 " \
	"meson install: the man pages and nothing else under share/man"
t_done
