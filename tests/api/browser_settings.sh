#!/usr/bin/env bash
# Per-host settings and the dual-stack client settings in a real browser
# (tests/browser/settings.mjs, Debian's chromium and playwright-core, set
# up as tests/api/browser_dashboard.sh does) against `dynzone serve` with
# update-name: the copied curl -4/-6 lines set both families, and TTL,
# wildcard, an address by hand and "use my current address" reach DNS.
. "$(dirname "$0")/../lib.sh"

BR=$DZ_TOP/tests/browser
check "chromium is installed" test -x /usr/bin/chromium
if [ ! -f "$BR/node_modules/playwright-core/package.json" ] ||
   ! cmp -s "$BR/package-lock.json" "$BR/node_modules/.dz-lock"; then
	if (cd "$BR" && npm ci --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1; then
		cp "$BR/package-lock.json" "$BR/node_modules/.dz-lock"
	else
		sed 's/^/# /' "$TMP/npm.log"
	fi
fi
check "playwright-core is installed from the lockfile" test -f "$BR/node_modules/playwright-core/package.json"

zone=dyn.localhost
dz_config settings signup=open signup-zones=$zone "update-name = update.$zone"
dz zone add $zone --ns ns1.$zone=127.0.0.1 >/dev/null
dz_start

DZ_URL=http://127.0.0.1:$DZ_HTTP_PORT DZ_ZONE=$zone DZ_DNS_PORT=$DZ_PORT DZ_PROFILE=$TMP/profile \
	timeout 180 node "$BR/settings.mjs" >"$TMP/browser.out" 2>"$TMP/browser.err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "browser: ${line#ok - }" ;;
	"not ok - "*) notok "browser: ${line#not ok - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$TMP/browser.out"
if [ $rc -ne 0 ] && ! grep -q '^not ok' "$TMP/browser.out"; then
	notok "the browser test ran to its end (exit $rc)"
	sed 's/^/# /' "$TMP/browser.err" | tail -30
fi
is "$(qs box.$zone A)" "127.0.0.1" "DNS: the address the browser came from"
is "$(qs www.box.$zone A)" "" "no wildcard left"
t_done
