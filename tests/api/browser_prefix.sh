#!/usr/bin/env bash
# Prefix hosts in a real browser (tests/browser/prefix.mjs): add a host that
# follows a router's prefix in the dashboard, update the router with curl,
# see the follower's address change on the page.  Screenshot:
# $DZ_BUILD/artefacts/prefix-hosts.png.
. "$(dirname "$0")/../lib.sh"

ART=${DZ_BUILD:?}/artefacts
mkdir -p "$ART"
rm -f "$ART"/prefix-hosts.png "$ART"/prefix-failure.png
browser_setup

zone=dyn.localhost
dz_config prefixdash signup=open signup-zones=$zone "update-rate-token = 0" "update-rate-client = 0"
dz zone add $zone --ns ns1.$zone=127.0.0.1 >/dev/null
dz_start

DZ_URL=http://127.0.0.1:$DZ_HTTP_PORT DZ_ZONE=$zone DZ_ARTEFACTS=$ART DZ_PROFILE=$TMP/profile \
	browser_run prefix.mjs

# what the page showed is what DNS serves
is "$(qs nas.$zone AAAA)" "2001:db8:9:8::abcd" "DNS serves the follower's last address"
check "the prefix hosts screenshot is saved" test -s "$ART/prefix-hosts.png"
t_done
