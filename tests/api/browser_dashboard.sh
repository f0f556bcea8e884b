#!/usr/bin/env bash
# The dashboard in a real browser: Debian's chromium driven by playwright-core
# (tests/browser/dashboard.mjs) against the real `dynzone serve`.  A newcomer's
# path: sign up, log in, add a host, copy its token and curl line, update with
# that line, see the address change live, rotate and see the old token
# refused.  Screenshots go to $DZ_BUILD/artefacts/ (hosts.png: the host list).
. "$(dirname "$0")/../lib.sh"

ART=${DZ_BUILD:?}/artefacts
mkdir -p "$ART"
rm -f "$ART"/hosts.png "$ART"/host.png "$ART"/hosts-phone.png "$ART"/admin.png "$ART"/token.png "$ART"/failure.png
browser_setup

zone=dyn.localhost
admin_pw=admin-password-$$
dz_config dash signup=open signup-zones=$zone
dz zone add $zone --ns ns1.$zone=127.0.0.1 >/dev/null
printf '%s\n' "$admin_pw" | dz user add root-admin --admin >/dev/null 2>&1
dz_start

DZ_URL=http://127.0.0.1:$DZ_HTTP_PORT DZ_ZONE=$zone DZ_ARTEFACTS=$ART \
DZ_ADMIN_USER=root-admin DZ_ADMIN_PASSWORD=$admin_pw DZ_PROFILE=$TMP/profile \
	browser_run dashboard.mjs

# what the page showed is what DNS serves
is "$(qs myhome.$zone A)" "198.51.100.10" "DNS answers the address set with the rotated token"
is "$(qs myhome.$zone AAAA)" "2001:db8::42" "and the AAAA set earlier"
check "the host list screenshot is saved" test -s "$ART/hosts.png"
t_done
