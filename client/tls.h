/* TLS client connections over an already connected socket, with mbedTLS.
 * The server's certificate is always verified, against the system CA store
 * or a given CA file, and must name the host we asked for. */
#ifndef DU_TLS_H
#define DU_TLS_H

#include <stddef.h>
#include <stdint.h>

struct tls;

/* Run the TLS handshake on connected socket `fd` for server name `host`
 * before the monotonic `deadline_ms`.  `ca_file` NULL or "" means the
 * system store.  On success *out is a connection the caller ends with
 * tls_end() (which does not close `fd`).  Errors: DZ_EAUTH when the
 * certificate does not verify, DZ_EIO for network or handshake failures,
 * DZ_ENOMEM; a one-line reason goes into `why`. */
int tls_start(struct tls **out, int fd, int64_t deadline_ms, const char *host,
              const char *ca_file, char *why, size_t whycap);

/* Send all `n` bytes.  Returns 0 or DZ_EIO. */
int tls_send(struct tls *t, const void *p, size_t n);

/* Receive up to `cap` bytes: returns the count, 0 when the server closed,
 * or DZ_EIO. */
long tls_recv(struct tls *t, void *p, size_t cap);

/* Close the TLS session (sends close_notify) and free everything. */
void tls_end(struct tls *t);

#endif
