#!/usr/bin/env bash
# dynzone-update: the man page renders cleanly and documents every config
# key and option the code knows; the client's sources use none of the
# banned string functions.
. "$(dirname "$0")/../lib.sh"

man=man/dynzone-update.1
src=client
warn=$(groff -t -man -ww -z "$man" 2>&1)
is "$warn" "" "man page renders without groff warnings"
text=$(groff -t -man -Tascii -rLL=200n -P-cbou "$man" 2>/dev/null)
like "$text" "dynzone-update - keep dynamic DNS names" "man page renders"

keys=$(sed -n 's/^\tH[KU]("\([a-z0-9-]*\)".*/\1/p' "$src/conf.c")
check "config keys found in conf.c ($(echo $keys | wc -w))" test "$(echo $keys | wc -w)" -ge 15
for k in $keys cache; do
	like "$text" "(^|[[:space:]])$k = " "man page documents key '$k'"
done
opts=$(sed -n 's/^\t\t{ "\([a-z-]*\)", .*_argument.*/\1/p' "$src/main.c")
check "options found in main.c ($(echo $opts | wc -w))" test "$(echo $opts | wc -w)" -ge 10
for o in $opts; do
	[ "$o" = help ] && continue
	like "$text" "\-\-$o" "man page documents --$o"
done
for p in dyndns2 template duckdns; do
	like "$text" "$p" "man page names protocol $p"
done

banned=$(grep -nE '\b(sprintf|strcpy|strcat|strtok|atoi|gets|sscanf)[[:space:]]*\(' \
	"$src"/*.c "$src"/*.h tests/unit/client/test_client_*.c tests/fuzz/fuzz_client.c)
is "$banned" "" "no sprintf/strcpy/strcat/strtok/atoi/gets/sscanf in the client"
t_done
