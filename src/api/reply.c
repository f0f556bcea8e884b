/* The API's replies and the JSON helpers its handlers share. */
#include "src/api/call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "src/common/log.h"

/* Headers on every reply: nothing is framed, sniffed, or loaded from
 * elsewhere. */
static const char *const sec_headers[][2] = {
	{ "Content-Security-Policy",
	  "default-src 'self'; object-src 'none'; base-uri 'none'; "
	  "frame-ancestors 'none'; form-action 'self'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
};

/* Replies ------------------------------------------------------------------ */

void api_sec_headers(http_req_t *rq)
{
	for (size_t i = 0; i < sizeof sec_headers / sizeof sec_headers[0]; i++)
		http_reply_header(rq, sec_headers[i][0], sec_headers[i][1]);
}

/* Set an error reply: {"error":{"code":...,"message":...}}.  Returns -1 so
 * a handler can `return call_fail(...)`. */
int call_fail(struct call *c, unsigned status, const char *code, const char *msg)
{
	json_decref(c->out);
	c->status = status;
	c->out = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
	return -1;
}

int call_internal(struct call *c, int rc)
{
	log_err("api: %s %s: %s", c->method, http_req_path(c->rq), dz_strerror(rc));
	return call_fail(c, 500, "internal", "Something went wrong on the server.");
}

void call_ok(struct call *c, unsigned status, json_t *out)
{
	json_decref(c->out);
	c->status = status;
	c->out = out;
}

/* Send a JSON reply (body NULL: none) with the security headers. */
void api_send_json(http_req_t *rq, unsigned status, json_t *body, const char *cookie,
                      unsigned retry_after)
{
	char *text = NULL;
	size_t len = 0;
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			status = 500;
			text = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
		}
		len = text ? strlen(text) : 0;
	}
	api_sec_headers(rq);
	http_reply_header(rq, "Cache-Control", "no-store");
	if (cookie && cookie[0])
		http_reply_header(rq, "Set-Cookie", cookie);
	if (retry_after) {
		char ra[16];
		snprintf(ra, sizeof ra, "%u", retry_after);
		http_reply_header(rq, "Retry-After", ra);
	}
	http_reply(rq, status, "application/json", text ? text : "", len, false);
	free(text);
}

/* JSON from stored text that updates put there (user agents, TXT values):
 * bytes outside printable ASCII are shown as \xNN, so the string is always
 * valid UTF-8 and plain to display. */
json_t *api_safe_text(const void *p, int n)
{
	const unsigned char *s = p;
	char buf[4 * 512 + 1];
	size_t o = 0;
	if (!s || n < 0)
		return json_string("");
	for (int i = 0; i < n && o + 5 < sizeof buf; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			buf[o++] = (char)s[i];
		else
			o += (size_t)snprintf(buf + o, sizeof buf - o, "\\x%02x", s[i]);
	}
	buf[o] = 0;
	return json_string(buf);
}

json_t *api_str_json(const char *t)
{
	return api_safe_text(t, (int)strlen(t));
}

/* A name's presentation form without the trailing dot. */
void api_name_text(const char *text, char *out, size_t cap)
{
	size_t n = strnlen(text, cap - 1);
	if (n > 1 && text[n - 1] == '.')
		n--;
	memcpy(out, text, n);
	out[n] = 0;
}

/* Request details ------------------------------------------------------------ */

const char *api_jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A query parameter's raw value ("" if present without '='), or NULL. */
const char *api_query_param(const char *q, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t n = end ? (size_t)(end - q) : strlen(q);
		if (n >= kl && memcmp(q, key, kl) == 0 && (n == kl || q[kl] == '=')) {
			size_t vl = n > kl ? n - kl - 1 : 0;
			size_t got;
			if (dd2_decode(q + n - vl, vl, out, cap, &got))
				return NULL;
			return out;
		}
		q = end ? end + 1 : NULL;
	}
	return NULL;
}


/* Rows gathered into a JSON array, at most LIST_MAX. */
int api_arr_full(json_t *arr)
{
	return json_array_size(arr) >= LIST_MAX;
}

/* A walk's rows as a JSON array; NULL on a store error (rc < 0). */
json_t *api_rows_done(json_t *arr, int rc)
{
	if (rc < 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* rows_done, with a store error shown as no rows (parts of a bigger
 * answer). */
json_t *api_rows_or_empty(json_t *arr, int rc)
{
	json_t *out = api_rows_done(arr, rc);
	return out ? out : json_array();
}
