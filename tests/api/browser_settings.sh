#!/usr/bin/env bash
# Per-host settings and the dual-stack client settings in a real browser
# (tests/browser/settings.mjs, Debian's chromium and playwright-core, set
# up as tests/api/browser_dashboard.sh does) against `dynzone serve` with
# update-name: the copied curl -4/-6 lines set both families, and TTL,
# wildcard, an address by hand and "use my current address" reach DNS.
. "$(dirname "$0")/../lib.sh"

browser_setup

zone=dyn.localhost
dz_config settings signup=open signup-zones=$zone "update-name = update.$zone"
dz zone add $zone --ns ns1.$zone=127.0.0.1 >/dev/null
dz_start

DZ_URL=http://127.0.0.1:$DZ_HTTP_PORT DZ_ZONE=$zone DZ_DNS_PORT=$DZ_PORT DZ_PROFILE=$TMP/profile \
	browser_run settings.mjs
is "$(qs box.$zone A)" "127.0.0.1" "DNS: the address the browser came from"
is "$(qs www.box.$zone A)" "" "no wildcard left"
t_done
