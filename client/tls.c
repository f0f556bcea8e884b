/* TLS client connections with mbedTLS 2.28; see tls.h.  The CA store is
 * loaded per connection and freed with it: the client sleeps far more than
 * it talks, and the parsed system store would otherwise stay resident. */
#include "tls.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "util.h"

#define SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define SYSTEM_CA_DIR "/etc/ssl/certs"

struct tls {
	int fd;
	int64_t deadline_ms;
	int open;          /* handshake done: say goodbye at the end */
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	if (util_wait_fd(t->fd, POLLOUT, t->deadline_ms) < 0)
		return MBEDTLS_ERR_NET_SEND_FAILED;
	ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? MBEDTLS_ERR_SSL_WANT_WRITE
		                                         : MBEDTLS_ERR_NET_SEND_FAILED;
	return (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	if (util_wait_fd(t->fd, POLLIN, t->deadline_ms) < 0)
		return MBEDTLS_ERR_NET_RECV_FAILED;
	ssize_t n = recv(t->fd, buf, len, 0);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? MBEDTLS_ERR_SSL_WANT_READ
		                                         : MBEDTLS_ERR_NET_RECV_FAILED;
	return (int)n;
}

static void why_mbed(char *why, size_t cap, const char *what, int ret)
{
	char e[128];
	mbedtls_strerror(ret, e, sizeof e);
	util_fmt(why, cap, "%s: %s", what, e);
}

static int load_ca(struct tls *t, const char *ca_file, char *why, size_t cap)
{
	int ret;
	if (ca_file && *ca_file) {
		ret = mbedtls_x509_crt_parse_file(&t->ca, ca_file);
		if (ret < 0 || t->ca.version == 0) {
			why_mbed(why, cap, ca_file, ret);
			return DZ_EIO;
		}
		return 0;
	}
	/* A few unparsable certificates in a big store are not fatal
	 * (positive return); having none is. */
	ret = mbedtls_x509_crt_parse_file(&t->ca, SYSTEM_CA_FILE);
	if (ret < 0 || t->ca.version == 0)
		ret = mbedtls_x509_crt_parse_path(&t->ca, SYSTEM_CA_DIR);
	if (ret < 0 || t->ca.version == 0) {
		util_fmt(why, cap, "no CA certificates in %s or %s",
		         SYSTEM_CA_FILE, SYSTEM_CA_DIR);
		return DZ_EIO;
	}
	return 0;
}

int tls_start(struct tls **out, int fd, int64_t deadline_ms, const char *host,
              const char *ca_file, char *why, size_t whycap)
{
	static const char pers[] = "dynzone-update";
	int err, ret;
	struct tls *t = calloc(1, sizeof *t);

	if (!t)
		return DZ_ENOMEM;
	t->fd = fd;
	t->deadline_ms = deadline_ms;
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);

	err = DZ_EIO;
	ret = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
	                            (const unsigned char *)pers, sizeof pers - 1);
	if (ret != 0) {
		why_mbed(why, whycap, "random seed", ret);
		goto fail;
	}
	if (load_ca(t, ca_file, why, whycap) < 0)
		goto fail;
	ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
	                                  MBEDTLS_SSL_TRANSPORT_STREAM,
	                                  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0) {
		why_mbed(why, whycap, "TLS setup", ret);
		goto fail;
	}
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
	if (ret == 0)
		ret = mbedtls_ssl_set_hostname(&t->ssl, host);
	if (ret != 0) {
		why_mbed(why, whycap, "TLS setup", ret);
		goto fail;
	}
	mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
	do
		ret = mbedtls_ssl_handshake(&t->ssl);
	while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (ret != 0) {
		uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);
		if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags) {
			char info[160];
			int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
			/* One line: the library ends each reason with '\n'. */
			for (int i = 0; i < n && info[i]; i++)
				if (info[i] == '\n')
					info[i] = i + 1 < n && info[i + 1] ? ';' : '\0';
			util_fmt(why, whycap, "certificate of %s not trusted: %s",
			         host, info);
			err = DZ_EAUTH;
		} else {
			why_mbed(why, whycap, "TLS handshake", ret);
		}
		goto fail;
	}
	t->open = 1;
	*out = t;
	return 0;

fail:
	tls_end(t);
	return err;
}

int tls_send(struct tls *t, const void *p, size_t n)
{
	const unsigned char *s = p;
	while (n > 0) {
		int ret = mbedtls_ssl_write(&t->ssl, s, n);
		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (ret <= 0)
			return DZ_EIO;
		s += ret;
		n -= (size_t)ret;
	}
	return 0;
}

long tls_recv(struct tls *t, void *p, size_t cap)
{
	for (;;) {
		int ret = mbedtls_ssl_read(&t->ssl, p, cap);
		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		/* A server that closes the TCP connection after the body without
		 * close_notify still sent a complete reply (HTTP framing says). */
		if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == 0 ||
		    ret == MBEDTLS_ERR_NET_CONN_RESET)
			return 0;
		if (ret < 0)
			return DZ_EIO;
		return ret;
	}
}

void tls_end(struct tls *t)
{
	if (!t)
		return;
	if (t->open)
		mbedtls_ssl_close_notify(&t->ssl);
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	free(t);
}
