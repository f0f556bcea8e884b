#!/usr/bin/env bash
# mkcerts.sh DIR: a test CA (DIR/ca.pem), a server certificate for
# "localhost" signed by it (DIR/server.pem, DIR/server.key), and an unrelated
# CA (DIR/wrong-ca.pem).  P-256 keys, valid for two days.
set -eu
d=$1
mkdir -p "$d"
cd "$d"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 \
	-subj /CN=dynzone-test-CA -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req "${ec[@]}" -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
printf '%s\n' "subjectAltName=DNS:localhost" "basicConstraints=CA:FALSE" \
	"keyUsage=digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-out server.pem -days 2 -extfile server.ext 2>/dev/null
openssl req -x509 "${ec[@]}" -keyout wrong-ca.key -out wrong-ca.pem -days 2 \
	-subj /CN=dynzone-test-CA -addext basicConstraints=critical,CA:TRUE 2>/dev/null
