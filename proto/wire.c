/* Names on the wire: decompression with validation, and compression. */
#include "proto/wire.h"


/* Follow a possibly compressed name starting at w->pos.  Copies the
 * uncompressed name to `out` if not NULL.  Advances the cursor past the name
 * as it stands at the cursor (up to and including the first pointer). */
static size_t read_name(wire_t *w, uint8_t *out)
{
	size_t pos = w->pos;      /* where we read labels */
	size_t end = 0;           /* cursor after the name; 0 until a pointer */
	size_t olen = 0;
	size_t limit = w->pos;    /* a pointer must go strictly below this */
	size_t run = w->pos, orun = 0;  /* the labels not yet copied to out */
	unsigned hops = 0;

	if (w->err)
		return 0;
	for (;;) {
		if (pos >= w->len)
			goto bad;
		uint8_t c = w->base[pos];
		if (c == 0) {
			if (olen + 1 > DNAME_MAX)
				goto bad;
			olen++;
			pos++;
			/* each run of labels between pointers is copied at once */
			if (out)
				memcpy(out + orun, w->base + run, pos - run);
			break;
		}
		if ((c & 0xC0) == 0xC0) {
			if (pos + 1 >= w->len)
				goto bad;
			if (out)
				memcpy(out + orun, w->base + run, pos - run);
			size_t ptr = ((size_t)(c & 0x3F) << 8) | w->base[pos + 1];
			if (!end)
				end = pos + 2;
			/* strictly backwards from the start of the label run that
			 * contains this pointer: no loops, no forward references */
			if (ptr >= limit || ++hops > DNAME_PTR_HOPS)
				goto bad;
			limit = ptr;
			pos = ptr;
			run = ptr;
			orun = olen;
			continue;
		}
		if (c & 0xC0)   /* 0x40 and 0x80: extended label types, obsolete */
			goto bad;
		if (pos + 1 + c > w->len || olen + 1 + c + 1 > DNAME_MAX)
			goto bad;
		olen += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
	w->pos = end ? end : pos;
	return olen;
bad:
	wire_fail(w, DZ_EFORMAT);
	return 0;
}

size_t wire_read_name(wire_t *w, uint8_t *out)
{
	return read_name(w, out);
}

void wire_skip_name(wire_t *w)
{
	(void)read_name(w, NULL);
}

static inline uint8_t lc(uint8_t c)
{
	return (uint8_t)(c + 32 * ((unsigned)(c - 'A') < 26u));
}

/* Compare the uncompressed name `name` with the (possibly compressed) name
 * stored in the buffer at `off`, case-insensitively. */
static int name_matches_at(const wire_t *w, const uint8_t *name, size_t off)
{
	unsigned hops = 0;
	for (;;) {
		if (off >= w->pos)
			return 0;
		uint8_t c = w->base[off];
		if ((c & 0xC0) == 0xC0) {
			if (off + 1 >= w->pos || ++hops > DNAME_PTR_HOPS)
				return 0;
			off = ((size_t)(c & 0x3F) << 8) | w->base[off + 1];
			continue;
		}
		if (c != *name)
			return 0;
		if (c == 0)
			return 1;
		if (off + 1 + c > w->pos)
			return 0;
		for (unsigned i = 1; i <= c; i++)
			if (lc(w->base[off + i]) != lc(name[i]))
				return 0;
		off += 1 + (size_t)c;
		name += 1 + (size_t)c;
	}
}

void wire_write_name(wire_t *w, const uint8_t *name, wire_ctab_t *ct)
{
	const uint8_t *p = name;
	size_t start = w->pos;
	uint16_t newoff[DNAME_MAX / 2 + 1];
	unsigned nnew = 0;

	if (w->err)
		return;
	while (*p) {
		if (ct) {
			/* newest first: the next RR often has the same owner (an
			 * AXFR's A then AAAA); every entry is a label written in
			 * full, so its length byte and last character filter out
			 * most (h1233 vs h1234) before the whole compare */
			for (unsigned i = ct->n; i-- > 0;) {
				const uint8_t *e = w->base + ct->off[i];
				if (ct->off[i] + (size_t)*p >= w->pos || e[0] != *p ||
				    lc(e[*p]) != lc(p[*p]))
					continue;
				if (name_matches_at(w, p, ct->off[i])) {
					wire_write_u16(w, 0xC000 | ct->off[i]);
					goto record;
				}
			}
		}
		if (w->pos < 0x4000 && nnew < sizeof newoff / sizeof newoff[0])
			newoff[nnew++] = (uint16_t)w->pos;
		wire_write_bytes(w, p, 1 + (size_t)*p);
		p += 1 + *p;
	}
	wire_write_u8(w, 0);
record:
	if (w->err) {
		w->pos = start < w->len ? start : w->pos;
		return;
	}
	if (!ct || !nnew)
		return;
	for (unsigned i = 0; i < nnew && ct->n < WIRE_CTAB_MAX; i++)
		ct->off[ct->n++] = newoff[i];
	/* full: the newest name takes the last entry, so that a long
	 * message (a zone transfer) keeps compressing repeated owners */
	if (ct->n == WIRE_CTAB_MAX)
		ct->off[WIRE_CTAB_MAX - 1] = newoff[0];
}
