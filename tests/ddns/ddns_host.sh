#!/usr/bin/env bash
# DNS UPDATE on a dynamic host keeps the host model consistent: an A or
# AAAA set by UPDATE is the host's address in the dashboard API
# (GET /api/v1/hosts/NAME), its history shows the update, a delete clears
# the family, an HTTP update afterwards takes over cleanly; TXT at
# _acme-challenge.<host> lands in the host's TXT list.  And certbot's
# RFC 2136 plugin client (python3-certbot-dns-rfc2136) adds and deletes
# its challenge TXT record (a whole issuance with lego and pebble:
# ddns_lego.sh).
. "$(dirname "$0")/../lib.sh"

KEY=$(tsig_secret)
dz_config hostupd signup=open signup-zones=$ZONE "tsig-key = home-key hmac-sha256 $KEY" \
	"allow-update = $ZONE home-key home.$ZONE A,AAAA" \
	"allow-update = $ZONE home-key _acme-challenge.home.$ZONE TXT"
dz zone add $ZONE --ns ns1.$ZONE=127.0.0.1 >/dev/null
dz_start || { notok "server starts"; t_done; exit 1; }
signup alice 'alice-password-1'
call POST /hosts "{\"name\":\"home\",\"zone\":\"$ZONE\"}"
is "$ST" 201 "alice has a host"
tok=$(j .token)
H=home.$ZONE

out=$(nsu home-key "$KEY" <<N
zone $ZONE
update add $H 60 A 192.0.2.44
update add $H 60 AAAA 2001:db8::44
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "UPDATE sets the host's A and AAAA"
is "$(qs $H A) $(qs $H AAAA)" "192.0.2.44 2001:db8::44" "DNS serves them"
call GET /hosts/$H
is "$(j '[.host.ipv4, .host.ipv6] | join(",")')" "192.0.2.44,2001:db8::44" \
	"GET /api/v1/hosts/NAME shows the new addresses"
call GET /hosts/$H/history
is "$(j '.history[0].addrs + " " + .history[0].result')" "192.0.2.44,2001:db8::44 good" \
	"the host's history shows the update"
like "$(j '.history[0].agent')" "dns-update key home-key" "naming the key"

out=$(nsu home-key "$KEY" -v <<N
zone $ZONE
update add $H 60 A 192.0.2.45
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "a second A over TCP"
is "$(qs $H A)" 192.0.2.45 "replaces the host's address (a host has one per family)"
call GET /hosts/$H
is "$(j .host.ipv4)" 192.0.2.45 "and the dashboard agrees"

out=$(nsu home-key "$KEY" <<N
zone $ZONE
update delete $H AAAA
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "deleting the AAAA RRset"
is "$(rcode $H AAAA)" NOERROR "the name stays (its A), no AAAA"
is "$(qs $H AAAA)" "" "no AAAA served"
call GET /hosts/$H
is "$(j '.host.ipv6 | tostring')" null "the host has no IPv6 address any more"

is "$(upd "$tok" "hostname=$H&myip=192.0.2.46")" "good 192.0.2.46" "an HTTP update afterwards"
is "$(qs $H A)" 192.0.2.46 "serves its address"

out=$(nsu home-key "$KEY" <<N
zone $ZONE
update add _acme-challenge.$H 60 TXT "acme-token-1"
send
N
)
is "$(printf '%s' "$out" | nsu_status)" NOERROR "an ACME TXT by UPDATE"
call GET /hosts/$H
is "$(j '.host.txt | join(",")')" "acme-token-1" "lands in the host's TXT list"

# certbot's RFC 2136 client, as `certbot --dns-rfc2136` runs it: it looks
# for the zone with TSIG-signed SOA queries, then sends the UPDATE over TCP
certbot_txt() { # add|del VALUE
	/usr/bin/python3 - "$DZ_PORT" "$H" "$KEY" "$1" "$2" <<'PY' 2>&1
import sys
import dns.tsig
from certbot_dns_rfc2136._internal.dns_rfc2136 import _RFC2136Client
port, host, secret, op, value = sys.argv[1:]
c = _RFC2136Client("127.0.0.1", int(port), "home-key", secret, dns.tsig.HMAC_SHA256)
if op == "add":
    c.add_txt_record("_acme-challenge." + host, value, 60)
else:
    c.del_txt_record("_acme-challenge." + host, value)
print("done")
PY
}
is "$(certbot_txt add certbot-validation-1)" done "certbot's client adds its TXT"
is "$(qs _acme-challenge.$H TXT)" '"acme-token-1" "certbot-validation-1"' "dig sees it next to the first"
call GET /hosts/$H
is "$(j '.host.txt | join(",")')" "acme-token-1,certbot-validation-1" "the dashboard lists both"
is "$(certbot_txt del certbot-validation-1)" done "certbot's client deletes it"
is "$(qs _acme-challenge.$H TXT)" '"acme-token-1"' "gone from DNS"
call GET /hosts/$H
is "$(j '.host.txt | join(",")')" "acme-token-1" "and from the host's list"
is "$(sqlite3 "$DZ_DIR/dynzone.db" "SELECT count(*) FROM update_log l JOIN hosts h ON h.id = l.host_id WHERE l.agent LIKE 'dns-update%'")" 6 \
	"every UPDATE message has its row on the host"
t_done
