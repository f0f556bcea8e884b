/* Fuzz the dashboard's Cookie header reader and CSRF check with arbitrary
 * headers.  Beyond "no crash": an id taken from a header is exactly
 * SESSION_ID_LEN characters of a session id's shape, and appears in the
 * header as our cookie's value. */
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "src/api/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[SESSION_ID_LEN + 1];
	char *h = malloc(size + 1);
	if (!h)
		abort();
	memcpy(h, data, size);
	h[size] = 0;
	int rc = session_cookie_get(h, id);
	if (rc != 0 && rc != DZ_ENOENT)
		abort();
	if (rc == 0) {
		if (strlen(id) != SESSION_ID_LEN || !strstr(h, id))
			abort();
	}
	struct session s;
	memset(&s, 0, sizeof s);
	memset(s.csrf, 'A', SESSION_CSRF_LEN);
	if (session_csrf_ok(&s, h) && strcmp(h, s.csrf) != 0)
		abort();      /* only the exact token passes */
	free(h);
	return 0;
}
