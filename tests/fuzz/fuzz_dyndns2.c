/* Fuzz the dyndns2 request parser with arbitrary query strings and
 * Authorization headers.  Beyond "no crash": a successful parse leaves
 * every kept string terminated and within its cap, the address set written
 * as text parses back to the same set, every hostname either converts to
 * a valid wire name or is refused, and a reply line always fits its cap. */
#include <stdlib.h>
#include <string.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addrs(const struct dd2_addrs *a)
{
	char text[2 * DD2_ADDR_TEXT + 2];
	int n = dd2_addrs_text(a, text, sizeof text);
	if (n < 0)
		abort();
	struct dd2_req again;
	char q[sizeof text + 8] = "myip=";
	memcpy(q + 5, text, (size_t)n + 1);
	dd2_req_init(&again);
	if (dd2_parse_query(&again, q, strlen(q)) != 0)
		abort();
	if (!dd2_addrs_equal(a, &again.addrs))
		abort();
	if (again.addr_given != (a->has4 || a->has6))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dd2_req r;
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;

	dd2_req_init(&r);
	int rc = dd2_parse_query(&r, s, size);
	if (rc != 0 && rc != DZ_EFORMAT && rc != DZ_ELIMIT)
		abort();
	if (rc && !r.why)
		abort();
	if (rc == 0) {
		if (r.nhosts > DD2_HOSTS_MAX || r.ntxt > DD2_TXT_MAX)
			abort();
		for (unsigned i = 0; i < r.nhosts; i++) {
			uint8_t w[DNAME_MAX];
			size_t hl = strnlen(r.hosts[i], DD2_HOST_TEXT);
			if (hl >= DD2_HOST_TEXT)
				abort();
			size_t n = dd2_hostname(r.hosts[i], hl, w);
			if (n && dname_len(w, sizeof w) != n)
				abort();
		}
		for (unsigned i = 0; i < r.ntxt; i++)
			if (strnlen(r.txt[i], DD2_TXT_LEN + 1) > DD2_TXT_LEN)
				abort();
		if (strnlen(r.user, DD2_CRED_LEN) >= DD2_CRED_LEN ||
		    strnlen(r.pass, DD2_CRED_LEN) >= DD2_CRED_LEN)
			abort();
		check_addrs(&r.addrs);
		char line[DD2_REPLY_MAX];
		size_t len = 0;
		line[0] = 0;
		if (dd2_reply_line(line, sizeof line, &len, DD2_GOOD, &r.addrs) != 0)
			abort();
		if (len != strlen(line) || len < 2 || line[len - 2] != '\r' || line[len - 1] != '\n')
			abort();
	}

	char u[DD2_CRED_LEN], p[DD2_CRED_LEN];
	rc = dd2_basic_auth(s, u, sizeof u, p, sizeof p);
	if (rc == 0 && (strlen(u) >= sizeof u || strlen(p) >= sizeof p))
		abort();
	if (rc != 0 && rc != DZ_EFORMAT && rc != DZ_ESPACE)
		abort();
	free(s);
	return 0;
}
