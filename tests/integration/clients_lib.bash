# Shared set-up of the real-client tests (clients_*.sh): a test CA and
# server certificate, a dynzone with HTTP and HTTPS on 127.0.0.1 and ::1,
# and a private mount namespace in which dz4.test is 127.0.0.1 and
# dz6.test is ::1 (ddclient 3.10 takes no IPv6 literal as its server, and
# a name lets the clients check the certificate).  Source after lib.sh.

# make_certs DIR: DIR/ca.pem and DIR/server.{pem,key} for dz4.test,
# dz6.test, 127.0.0.1 and ::1.
make_certs() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dynzone test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=dz4.test" \
		-keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:dz4.test,DNS:dz6.test,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n' >"$d/ext" &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext" -out "$d/server.pem" >/dev/null 2>&1
}

# clients_setup NAME: certificates, config (HTTPS too: DZ_HTTPS_PORT), the
# zone dyn.test, user alice, and the hosts file for in_ns.
clients_setup() {
	CERTS=$TMP/certs
	make_certs "$CERTS" || { notok "test certificates made with openssl"; t_done; exit 1; }
	DZ_HTTPS_PORT=$(free_port)
	dz_config "$1" "https-listen = 127.0.0.1:$DZ_HTTPS_PORT" "https-listen = [::1]:$DZ_HTTPS_PORT" \
		"tls-cert = $CERTS/server.pem" "tls-key = $CERTS/server.key" \
		"update-rate-token = 0" "update-rate-client = 0"
	dz zone add dyn.test --ns ns1.dyn.test=192.0.2.53 >/dev/null 2>&1
	echo "alice-password" | dz user add alice 2>/dev/null
	printf '127.0.0.1 dz4.test\n::1 dz6.test\n127.0.0.1 localhost\n' >"$TMP/hosts"
	if ! unshare -m sh -c "mount --bind '$TMP/hosts' /etc/hosts && getent hosts dz6.test" >/dev/null 2>&1; then
		notok "a mount namespace with its own /etc/hosts (unshare -m, as root)"
		t_done
		exit 1
	fi
}

# in_ns CMD...: run CMD where dz4.test and dz6.test resolve (the host's
# /etc/hosts is not touched).
in_ns() {
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$TMP/hosts" "$@"
}
