/* dyndns2 request parsing and reply formatting. */
#include "proto/hex.h"
#include "proto/dyndns2.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/errors.h"
#include "proto/iptext.h"

void dd2_req_init(struct dd2_req *r)
{
	memset(r, 0, offsetof(struct dd2_req, hosts));
	r->offline = -1;
	r->user[0] = r->pass[0] = 0;
}

int dd2_decode(const char *in, size_t len, char *out, size_t cap, size_t *outlen)
{
	size_t o = 0;
	if (cap == 0)
		return DZ_ESPACE;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == '%') {
			int h, l;
			if (len - i < 3 || (h = hex_digit(in[i + 1])) < 0 || (l = hex_digit(in[i + 2])) < 0)
				return DZ_EFORMAT;
			c = (char)(h << 4 | l);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == 0)
			return DZ_EFORMAT;
		if (o + 1 >= cap)
			return DZ_ESPACE;
		out[o++] = c;
	}
	out[o] = 0;
	if (outlen)
		*outlen = o;
	return 0;
}

/* Text without leading and trailing blanks. */
static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

int dd2_addr_parse(const char *s, size_t len, struct dd2_addr *out)
{
	char buf[DD2_ADDR_TEXT + 8];
	const char *slash;
	size_t alen;

	trim(&s, &len);
	slash = memchr(s, '/', len);
	alen = slash ? (size_t)(slash - s) : len;
	if (alen == 0 || alen >= DD2_ADDR_TEXT)
		return DZ_EFORMAT;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	memset(out, 0, sizeof *out);
	unsigned maxpfx;
	if (inet_pton(AF_INET, buf, out->a) == 1) {
		out->family = 4;
		maxpfx = 32;
	} else if (inet_pton(AF_INET6, buf, out->a) == 1) {
		out->family = 6;
		maxpfx = 128;
	} else {
		return DZ_EFORMAT;
	}
	if (slash) {
		/* a prefix length (FRITZ!Box <ip6lanprefix>): check, then drop */
		size_t plen = len - alen - 1;
		unsigned v = 0;
		if (plen == 0 || plen > 3)
			return DZ_EFORMAT;
		for (size_t i = 0; i < plen; i++) {
			char c = slash[1 + i];
			if (c < '0' || c > '9')
				return DZ_EFORMAT;
			v = v * 10 + (unsigned)(c - '0');
		}
		if (v > maxpfx)
			return DZ_EFORMAT;
	}
	if (out->family == 6) {
		static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
		if (memcmp(out->a, mapped, 12) == 0) {
			memmove(out->a, out->a + 12, 4);
			memset(out->a + 4, 0, 12);
			out->family = 4;
		}
	}
	if (out->family == 4) {
		if ((out->a[0] | out->a[1] | out->a[2] | out->a[3]) == 0)
			return DZ_EFORMAT;          /* 0.0.0.0 */
		if (out->a[0] >= 224 && out->a[0] <= 239)
			return DZ_EFORMAT;          /* multicast */
	} else {
		static const uint8_t zero[16];
		if (memcmp(out->a, zero, 16) == 0 || out->a[0] == 0xff)
			return DZ_EFORMAT;          /* :: and multicast */
	}
	return 0;
}

int dd2_prefix_parse(const char *s, size_t len, uint8_t out[16], unsigned *plen)
{
	char buf[DD2_ADDR_TEXT];
	const char *slash;
	size_t alen;
	unsigned v = 64;

	trim(&s, &len);
	slash = memchr(s, '/', len);
	alen = slash ? (size_t)(slash - s) : len;
	if (alen == 0 || alen >= sizeof buf)
		return DZ_EFORMAT;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	if (inet_pton(AF_INET6, buf, out) != 1)
		return DZ_EFORMAT;
	if (slash) {
		size_t n = len - alen - 1;
		if (n == 0 || n > 3)
			return DZ_EFORMAT;
		v = 0;
		for (size_t i = 0; i < n; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9')
				return DZ_EFORMAT;
			v = v * 10 + (unsigned)(slash[1 + i] - '0');
		}
		if (v < 1 || v > 128)
			return DZ_EFORMAT;
	}
	static const uint8_t zero[16];
	dd2_prefix_join(out, v, zero, out);
	*plen = v;
	return 0;
}

const char *dd2_prefix_refused(const uint8_t p[16])
{
	if ((p[0] & 0xfe) == 0xfc)
		return "ULA";
	if (p[0] == 0xfe && (p[1] & 0xc0) == 0x80)
		return "link-local";
	if ((p[0] & 0xe0) != 0x20)
		return "not global unicast";
	if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0x0d && p[3] == 0xb8)
		return "documentation";
	return NULL;
}

void dd2_prefix_join(const uint8_t p[16], unsigned plen, const uint8_t iid[16],
                     uint8_t out[16])
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > 8 * i ? plen - 8 * i : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
		out[i] = (uint8_t)((p[i] & mask) | (iid[i] & (uint8_t)~mask));
	}
}

enum dd2_scope dd2_addr_scope(const uint8_t *a, int family)
{
	if (family == 4) {
		if (a[0] == 127)
			return DD2_LOOPBACK;
		if (a[0] == 169 && a[1] == 254)
			return DD2_LINKLOCAL;
		if (a[0] == 0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255))
			return DD2_BROADCAST;
		if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168) || (a[0] == 100 && (a[1] & 0xc0) == 64))
			return DD2_PRIVATE;
		return DD2_GLOBAL;
	}
	static const uint8_t loop[16] = { [15] = 1 };
	if (memcmp(a, loop, 16) == 0)
		return DD2_LOOPBACK;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return DD2_LINKLOCAL;
	if ((a[0] & 0xfe) == 0xfc)
		return DD2_PRIVATE;
	return DD2_GLOBAL;
}

const char *dd2_scope_name(enum dd2_scope s)
{
	static const char *const names[] = { "global", "loopback", "link-local",
	                                     "broadcast", "private" };
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

bool dd2_name_under(const char *name, const char *zone)
{
	size_t n = strlen(name), zl = strlen(zone);
	if (n && name[n - 1] == '.')
		n--;
	if (zl && zone[zl - 1] == '.')
		zl--;
	if (zl == 0 || n < zl || strncasecmp(name + n - zl, zone, zl) != 0)
		return false;
	return n == zl || name[n - zl - 1] == '.';
}

bool dd2_name_special(const char *host)
{
	static const char *const special[] = { "test", "localhost", "invalid", "example",
	                                       "example.com", "example.net", "example.org" };
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
		if (dd2_name_under(host, special[i]))
			return true;
	return false;
}

int dd2_addrs_add(struct dd2_addrs *set, const struct dd2_addr *a)
{
	if (a->family == 4) {
		if (set->has4 && memcmp(set->v4, a->a, 4) != 0)
			return DZ_EEXIST;
		memcpy(set->v4, a->a, 4);
		set->has4 = true;
	} else {
		if (set->has6 && memcmp(set->v6, a->a, 16) != 0)
			return DZ_EEXIST;
		memcpy(set->v6, a->a, 16);
		set->has6 = true;
	}
	return 0;
}

bool dd2_addrs_equal(const struct dd2_addrs *a, const struct dd2_addrs *b)
{
	if (a->has4 != b->has4 || a->has6 != b->has6)
		return false;
	if (a->has4 && memcmp(a->v4, b->v4, 4) != 0)
		return false;
	return !a->has6 || memcmp(a->v6, b->v6, 16) == 0;
}

int dd2_addrs_text(const struct dd2_addrs *set, char *out, size_t cap)
{
	char t[16 + 1 + IPTEXT_MAX];
	size_t n = set->has4 ? ip4_text(set->v4, t) : 0;
	if (set->has4 && set->has6)
		t[n++] = ',';
	if (set->has6)
		n += ip6_text(set->v6, t + n);
	if (n >= cap)
		return -1;
	memcpy(out, t, n);
	out[n] = 0;
	return (int)n;
}

/* A comma list of addresses (myip=v4,v6 in either order). */
static int addr_list(struct dd2_req *r, const char *v, size_t vlen, int only_family)
{
	const char *p = v, *end = v + vlen;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		const char *s = p;
		size_t n = (size_t)(e - p);
		struct dd2_addr a;
		trim(&s, &n);
		if (n) {
			if (dd2_addr_parse(s, n, &a)) {
				r->why = "not an IP address";
				return DZ_EFORMAT;
			}
			if (only_family && a.family != only_family) {
				r->why = "not an IPv6 address";
				return DZ_EFORMAT;
			}
			if (dd2_addrs_add(&r->addrs, &a)) {
				r->why = a.family == 4 ? "two different IPv4 addresses"
				                       : "two different IPv6 addresses";
				return DZ_EFORMAT;
			}
			r->addr_given = true;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static int host_list(struct dd2_req *r, const char *v, size_t vlen)
{
	const char *p = v, *end = v + vlen;
	r->hostname_given = true;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		const char *s = p;
		size_t n = (size_t)(e - p);
		trim(&s, &n);
		if (n) {
			if (r->nhosts >= DD2_HOSTS_MAX) {
				r->too_many = true;
			} else {
				/* a name too long to be one is kept empty: it can
				 * only be answered notfqdn */
				size_t k = n < DD2_HOST_TEXT ? n : 0;
				memcpy(r->hosts[r->nhosts], s, k);
				r->hosts[r->nhosts][k] = 0;
				r->nhosts++;
			}
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static bool key_is(const char *key, size_t klen, const char *name)
{
	size_t n = strlen(name);
	if (n != klen)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return false;
	}
	return true;
}

static int cred(struct dd2_req *r, char *dst, const char *v, size_t vlen)
{
	if (vlen >= DD2_CRED_LEN) {
		r->why = "credential too long";
		return DZ_EFORMAT;
	}
	memcpy(dst, v, vlen);
	dst[vlen] = 0;
	return 0;
}

int dd2_param(struct dd2_req *r, const char *key, size_t klen,
              const char *val, size_t vlen)
{
	if (key_is(key, klen, "hostname"))
		return host_list(r, val, vlen);
	if (key_is(key, klen, "myip"))
		return addr_list(r, val, vlen, 0);
	if (key_is(key, klen, "myipv6") || key_is(key, klen, "myip6") ||
	    key_is(key, klen, "ipv6"))
		return addr_list(r, val, vlen, 6);
	if (key_is(key, klen, "ip6lanprefix") || key_is(key, klen, "ipv6prefix")) {
		const char *s = val;
		size_t n = vlen;
		trim(&s, &n);
		if (n == 0)
			return 0;      /* FRITZ!Box without IPv6 sends it empty */
		uint8_t p[16];
		unsigned pl;
		if (dd2_prefix_parse(s, n, p, &pl)) {
			r->why = "not an IPv6 prefix";
			return DZ_EFORMAT;
		}
		if (r->prefix_given && (pl != r->prefix_len || memcmp(p, r->prefix, 16) != 0)) {
			r->why = "two different IPv6 prefixes";
			return DZ_EFORMAT;
		}
		memcpy(r->prefix, p, 16);
		r->prefix_len = pl;
		r->prefix_given = true;
		return 0;
	}
	if (key_is(key, klen, "offline")) {
		const char *s = val;
		size_t n = vlen;
		trim(&s, &n);
		if (key_is(s, n, "yes") || key_is(s, n, "true") || key_is(s, n, "1"))
			r->offline = 1;
		else if (key_is(s, n, "no") || key_is(s, n, "false") || key_is(s, n, "0") || n == 0)
			r->offline = 0;
		else {
			r->why = "offline must be YES or NO";
			return DZ_EFORMAT;
		}
		return 0;
	}
	if (key_is(key, klen, "txt")) {
		r->txt_given = true;
		if (vlen == 0)
			return 0;
		if (vlen > DD2_TXT_LEN) {
			r->why = "TXT value longer than 255 bytes";
			return DZ_EFORMAT;
		}
		if (r->ntxt >= DD2_TXT_MAX) {
			r->why = "too many TXT values";
			return DZ_EFORMAT;
		}
		for (unsigned i = 0; i < r->ntxt; i++)
			if (strlen(r->txt[i]) == vlen && memcmp(r->txt[i], val, vlen) == 0)
				return 0;
		memcpy(r->txt[r->ntxt], val, vlen);
		r->txt[r->ntxt][vlen] = 0;
		r->ntxt++;
		return 0;
	}
	if (key_is(key, klen, "username") || key_is(key, klen, "user"))
		return cred(r, r->user, val, vlen);
	if (key_is(key, klen, "password") || key_is(key, klen, "pass"))
		return cred(r, r->pass, val, vlen);
	/* system, wildcard, mx, backmx and anything else: accepted, ignored */
	return 0;
}

int dd2_parse_query(struct dd2_req *r, const char *q, size_t len)
{
	/* decoded keys and values are never longer than their encoding */
	char key[64], val[DD2_QUERY_MAX + 1];
	const char *p = q, *end = q + len;

	if (len > DD2_QUERY_MAX) {
		r->why = "query string too long";
		return DZ_ELIMIT;
	}
	while (p < end) {
		const char *e = p;
		while (e < end && *e != '&')
			e++;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		const char *k = p, *v = eq ? eq + 1 : e;
		size_t kl = eq ? (size_t)(eq - p) : (size_t)(e - p);
		size_t vl = eq ? (size_t)(e - v) : 0;
		size_t dk, dv;
		if (kl) {
			int rc = dd2_decode(k, kl, key, sizeof key, &dk);
			if (rc == DZ_ESPACE) {
				p = e + (e < end);
				continue;     /* no key we know is that long */
			}
			if (rc || dd2_decode(v, vl, val, sizeof val, &dv)) {
				r->why = "bad %-escape in the query";
				return DZ_EFORMAT;
			}
			rc = dd2_param(r, key, dk, val, dv);
			if (rc)
				return rc;
		}
		p = e + (e < end);
	}
	return 0;
}

size_t dd2_hostname(const char *text, size_t len, uint8_t out[DNAME_MAX])
{
	static const uint8_t root[1] = { 0 };
	size_t labels = 0, lablen = 0;

	if (len && text[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '.') {
			if (lablen == 0)
				return 0;
			labels++;
			lablen = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (++lablen > 63)
			return 0;
	}
	if (lablen == 0 || labels + 1 < 2)
		return 0;
	size_t n = dname_from_text(out, text, len, root);
	if (n)
		dname_lower(out);
	return n;
}

/* Base64 (standard alphabet, padding optional) into out; -1 on error. */
static long b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == '=') {
			for (size_t j = i; j < len; j++)
				if (in[j] != '=')
					return -1;
			break;
		} else
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)o;
}

int dd2_basic_auth(const char *header, char *user, size_t ucap, char *pass,
                   size_t pcap)
{
	uint8_t dec[2 * DD2_CRED_LEN];
	size_t hl = strlen(header);
	const char *s = header;

	if (hl < 6 || !key_is(s, 5, "basic") || (s[5] != ' ' && s[5] != '\t'))
		return DZ_EFORMAT;
	s += 6;
	hl -= 6;
	trim(&s, &hl);
	if (hl > 4 * sizeof dec / 3)
		return DZ_ESPACE;
	long n = b64_decode(s, hl, dec, sizeof dec);
	if (n < 0)
		return DZ_EFORMAT;
	uint8_t *colon = memchr(dec, ':', (size_t)n);
	if (!colon || memchr(dec, 0, (size_t)n))
		return DZ_EFORMAT;
	size_t ul = (size_t)(colon - dec), pl = (size_t)n - ul - 1;
	if (ul >= ucap || pl >= pcap)
		return DZ_ESPACE;
	memcpy(user, dec, ul);
	user[ul] = 0;
	memcpy(pass, colon + 1, pl);
	pass[pl] = 0;
	return 0;
}

static const char *const code_text[DD2_NCODES] = {
	"good", "nochg", "badauth", "notfqdn", "nohost", "numhost",
	"abuse", "badagent", "dnserr", "911",
};

const char *dd2_code_text(enum dd2_code c)
{
	return (unsigned)c < DD2_NCODES ? code_text[c] : "911";
}

int dd2_code_from_word(const char *w, size_t n)
{
	for (int c = 0; c < DD2_NCODES; c++)
		if (strlen(code_text[c]) == n && strncasecmp(w, code_text[c], n) == 0)
			return c;
	return -1;
}

unsigned dd2_code_status(enum dd2_code c)
{
	return c == DD2_BADAUTH ? 401 : 200;
}

int dd2_reply_line(char *buf, size_t cap, size_t *len, enum dd2_code c,
                   const struct dd2_addrs *addrs)
{
	char at[2 * DD2_ADDR_TEXT + 2] = "";
	bool with = (c == DD2_GOOD || c == DD2_NOCHG) && addrs &&
	            (addrs->has4 || addrs->has6);
	if (with && dd2_addrs_text(addrs, at, sizeof at) < 0)
		return DZ_ESPACE;
	if (*len >= cap)
		return DZ_ESPACE;
	int n = snprintf(buf + *len, cap - *len, "%s%s%s\r\n", dd2_code_text(c),
	                 with ? " " : "", at);
	if (n < 0 || (size_t)n >= cap - *len) {
		buf[*len] = 0;
		return DZ_ESPACE;
	}
	*len += (size_t)n;
	return 0;
}

int dd2_reply_text(char *buf, size_t cap, size_t *len, enum dd2_code c, const char *text)
{
	if (*len >= cap)
		return DZ_ESPACE;
	int n = snprintf(buf + *len, cap - *len, "%s %s\r\n", dd2_code_text(c), text);
	if (n < 0 || (size_t)n >= cap - *len) {
		buf[*len] = 0;
		return DZ_ESPACE;
	}
	*len += (size_t)n;
	return 0;
}
