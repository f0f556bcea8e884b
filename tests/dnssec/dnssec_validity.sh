#!/usr/bin/env bash
# The server signs with the configured dnssec-validity from its very first
# commit (not only once its housekeeping has run): an HTTP update right
# after start-up gets an RRSIG valid for dnssec-validity (600 s, from an
# hour ago), not the 14-day default.
. "$(dirname "$0")/../lib.sh"

Z=val.test
dz_config validity "allow-transfer = $Z 127.0.0.0/8" "dnssec-validity = 600" "dnssec-refresh = 300"
dz zone add $Z --ns ns1.$Z=192.0.2.53 >/dev/null 2>&1
echo "alice-password" | dz user add alice --admin 2>/dev/null
TOK=$(dz host add home.$Z --user alice)
dz zone sign $Z >/dev/null 2>&1
dz_start || { notok "server starts"; t_done; exit 1; }
ok "server starts"
is "$(upd "$TOK" "hostname=home.$Z&myip=192.0.2.77")" "good 192.0.2.77" "an HTTP update at once"
wait_for 192.0.2.77 5000 qs home.$Z A >/dev/null
span() { # the RRSIG over home's A: expiration - inception, in seconds
	dz_dig 127.0.0.1 +dnssec +short home.$Z A | awk '$1 == "A" { print $5, $6 }' | head -1 |
	while read -r e i; do
		echo $(( $(date -u -d "${e:0:8} ${e:8:2}:${e:10:2}:${e:12:2}" +%s) -
		         $(date -u -d "${i:0:8} ${i:8:2}:${i:10:2}:${i:12:2}" +%s) ))
	done
}
s=$(span)
check "its RRSIG spans at most 3600 + 600 s (got ${s:-none}), not 14 days" \
	test -n "$s" -a "${s:-0}" -le 4200 -a "${s:-0}" -ge 3600
t_done
