#include <stdint.h>

#include "proto/wire.h"
#include "tests/unit/tap.h"

int main(void)
{
	uint8_t buf[64];
	wire_t w;

	wire_init(&w, buf, 5);
	wire_write_u16(&w, 0x1234);
	wire_write_u16(&w, 0xabcd);
	is_int(w.err, 0, "two u16 fit in 5 bytes");
	wire_write_u16(&w, 1);
	is_int(w.err, DZ_ESPACE, "third u16 sets ESPACE");
	wire_write_u8(&w, 9);
	is_int(w.pos, 4, "writes after the error do nothing");
	ok(buf[0] == 0x12 && buf[1] == 0x34 && buf[2] == 0xab, "big-endian on the wire");

	wire_init(&w, buf, 4);
	is_int(wire_read_u32(&w), 0x1234abcd, "read u32");
	is_int(wire_read_u8(&w), 0, "read past the end yields zero");
	is_int(w.err, DZ_EFORMAT, "and sets EFORMAT");

	/* name decompression */
	uint8_t msg[] = {
		/* 0 */ 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
		/* 17 */ 4, 'm', 'a', 'i', 'l', 0xC0, 4,
		/* 24 */ 0xC0, 24,             /* pointer to itself */
		/* 26 */ 0xC0, 28, 1, 'a', 0,  /* forward pointer */
		/* 31 */ 0x41, 0,              /* extended label type */
	};
	uint8_t name[DNAME_MAX];
	wire_init(&w, msg, sizeof msg);
	is_int(wire_read_name(&w, name), 17, "plain name length");
	is_int(w.pos, 17, "cursor after plain name");
	is_int(wire_read_name(&w, name), 18, "compressed name expands to 18 bytes");
	is_int(w.pos, 24, "cursor after the pointer");
	ok(memcmp(name, "\4mail\7example\3org", 18) == 0, "expanded name right");
	wire_read_name(&w, name);
	is_int(w.err, DZ_EFORMAT, "pointer to itself is refused");
	wire_init(&w, msg, sizeof msg);
	w.pos = 26;
	wire_read_name(&w, name);
	is_int(w.err, DZ_EFORMAT, "forward pointer is refused");
	wire_init(&w, msg, sizeof msg);
	w.pos = 31;
	wire_read_name(&w, name);
	is_int(w.err, DZ_EFORMAT, "extended label type is refused");
	wire_init(&w, msg, 10);
	wire_read_name(&w, name);
	is_int(w.err, DZ_EFORMAT, "truncated name is refused");

	/* 255 bytes ok, 256 not */
	uint8_t longn[300];
	size_t o = 0;
	for (int i = 0; i < 4; i++) { longn[o++] = 62; memset(longn + o, 'a', 62); o += 62; }
	longn[o++] = 0;  /* 4*63 + 1 = 253 */
	wire_init(&w, longn, o);
	is_int(wire_read_name(&w, name), 253, "253-byte name ok");
	o = 0;
	for (int i = 0; i < 4; i++) { longn[o++] = 63; memset(longn + o, 'a', 63); o += 63; }
	longn[o++] = 0;  /* 257 */
	wire_init(&w, longn, o);
	wire_read_name(&w, name);
	is_int(w.err, DZ_EFORMAT, "257-byte name refused");

	/* compression on write */
	uint8_t out[128];
	wire_ctab_t ct = {0};
	wire_init(&w, out, sizeof out);
	wire_write_name(&w, (const uint8_t *)"\3www\7EXAMPLE\3org", &ct);
	size_t second = w.pos;
	wire_write_name(&w, (const uint8_t *)"\4mail\7example\3ORG", &ct);
	is_int(w.pos - second, 7, "suffix written as a pointer (case-insensitive)");
	is_int(wire_peek_u16_at(&w, second + 5), 0xC004, "pointer targets example.org");
	wire_write_name(&w, (const uint8_t *)"\3www\7example\3org", &ct);
	is_int(wire_peek_u16_at(&w, w.pos - 2), 0xC000, "whole name as one pointer");
	wire_t r;
	wire_init(&r, out, w.pos);
	wire_seek(&r, second);
	is_int(wire_read_name(&r, name), 18, "compressed output reads back");

	/* raw loads and stores */
	uint8_t raw[6];
	wire_store_u16(raw, 0xbeef);
	wire_store_u32(raw + 2, 0x01020304);
	ok(raw[0] == 0xbe && raw[1] == 0xef && raw[2] == 1 && raw[5] == 4,
	   "stores are big-endian");
	is_int(wire_load_u16(raw), 0xbeef, "load u16");
	is_int(wire_load_u32(raw + 2), 0x01020304, "load u32");

	/* peeking reads at the cursor and moves nothing */
	wire_init(&r, raw, sizeof raw);
	is_int(wire_peek_u8(&r), 0xbe, "peek u8");
	is_int(wire_peek_u16(&r), 0xbeef, "peek u16");
	is_int(wire_pos(&r), 0, "peeking leaves the cursor");
	wire_skip(&r, 2);
	is_int(wire_peek_u32(&r), 0x01020304, "peek u32 after a skip");
	is_int(wire_read_u32(&r), 0x01020304, "the read after a peek agrees");
	is_int(wire_peek_u8(&r), 0, "peek at the end yields zero");
	is_int(wire_peek_u16_at(&r, 0), 0xbeef, "peek at an absolute offset");
	is_int(wire_peek_u16_at(&r, 5), 0, "peek at an offset past the end yields zero");
	is_int(r.err, 0, "peeking never sets the error");
	wire_seek(&r, 4);
	is_int(wire_peek_u32(&r), 0, "peek u32 with two bytes left yields zero");
	is_int(wire_peek_u16(&r), 0x0304, "peek u16 with two bytes left");

	/* offsets */
	wire_seek(&r, 1);
	is_int(wire_pos(&r), 1, "seek backwards");
	is_int(wire_avail(&r), 5, "avail counts from the new offset");
	is_int(wire_read_u16(&r), 0xef01, "read after a seek");
	wire_seek(&r, 6);
	is_int(wire_avail(&r), 0, "seek to the very end is allowed");
	is_int(r.err, 0, "without an error");
	wire_seek(&r, 7);
	is_int(r.err, DZ_EFORMAT, "seek past the end sets EFORMAT");
	is_int(wire_pos(&r), 6, "and leaves the cursor");
	is_int(wire_peek_u8(&r), 0, "peek after an error yields zero");
	wire_seek(&r, 0);
	is_int(wire_pos(&r), 6, "seek after an error does nothing");

	/* a patch that would straddle the end fails */
	wire_init(&w, buf, 4);
	wire_patch_u16(&w, 3, 1);
	is_int(w.err, DZ_ESPACE, "patch past the end sets ESPACE");
	wire_init(&w, buf, 4);
	wire_patch_u16(&w, SIZE_MAX, 1);
	is_int(w.err, DZ_ESPACE, "patch at a huge offset sets ESPACE (no wrap)");
	return tap_done();
}
