#!/usr/bin/env bash
# A real ACME DNS-01 issuance, offline: lego (--dns rfc2136) asks pebble
# (the ACME test server, Debian package pebble) for a certificate for a
# dynamic host and a wildcard under it; lego sets the challenge TXT records
# in dynzone by TSIG-signed DNS UPDATE, pebble checks them by asking
# dynzone, and the certificate is issued; lego then deletes the records.
. "$(dirname "$0")/../lib.sh"

KEY=$(tsig_secret)
dz_config lego "tsig-key = acme-home. hmac-sha256 $KEY" \
	"allow-update = dyn.test acme-home _acme-challenge.home.dyn.test TXT"
dz zone add dyn.test --ns ns1.dyn.test=127.0.0.1 >/dev/null 2>&1
echo "alice-password" | dz user add alice 2>/dev/null
dz host add home.dyn.test --user alice >/dev/null
dz_start || { notok "server starts"; t_done; exit 1; }

CERTS=$TMP/certs
make_certs "$CERTS" "DNS:localhost,IP:127.0.0.1" || { notok "test certificates"; t_done; exit 1; }
ACME_PORT=$(free_port) MGMT_PORT=$(free_port)
cat >"$TMP/pebble.json" <<J
{"pebble": {"listenAddress": "127.0.0.1:$ACME_PORT", "managementListenAddress": "127.0.0.1:$MGMT_PORT",
  "certificate": "$CERTS/server.pem", "privateKey": "$CERTS/server.key",
  "httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
J
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 pebble -config "$TMP/pebble.json" \
	-dnsserver "127.0.0.1:$DZ_PORT" >"$TMP/pebble.log" 2>&1 &
PIDS+=($!)
started $! "$TMP/pebble.log" "ACME directory available" pebble || { notok "pebble starts"; t_done; exit 1; }
ok "pebble (ACME test server) starts, resolving with dynzone"

cd "$TMP" || exit 1
LEGO_CA_CERTIFICATES=$CERTS/ca.pem RFC2136_NAMESERVER=127.0.0.1:$DZ_PORT \
RFC2136_TSIG_KEY=acme-home. RFC2136_TSIG_ALGORITHM=hmac-sha256. RFC2136_TSIG_SECRET=$KEY \
RFC2136_PROPAGATION_TIMEOUT=20 RFC2136_POLLING_INTERVAL=1 \
	timeout 120 lego --path "$TMP/lego" --server "https://127.0.0.1:$ACME_PORT/dir" \
	--accept-tos --email test@example.org --dns rfc2136 --dns.disable-cp \
	--dns.resolvers "127.0.0.1:$DZ_PORT" \
	--domains home.dyn.test --domains '*.home.dyn.test' run >"$TMP/lego.log" 2>&1
rc=$?
is "$rc" 0 "lego gets a certificate by DNS-01 through dynzone"
[ "$rc" = 0 ] || sed 's/^/#   /' "$TMP/lego.log" | tail -20
crt=$TMP/lego/certificates/home.dyn.test.crt
like "$(openssl x509 -in "$crt" -noout -ext subjectAltName 2>&1)" 'DNS:\*\.home\.dyn\.test' \
	"the certificate covers the host and the wildcard"
is "$(grep -c 'acme-home.|good' <(ulog))" 4 "two TXT added and two deleted, each logged on the host"
is "$(rcode _acme-challenge.home.dyn.test TXT)" NXDOMAIN "lego cleaned its records up"
t_done
