/*
 * ps_decode.c - fuzz target: ps-encoding (RFC 2156 §3.4) both ways
 *
 * DESCRIPTION
 *	Input: one selector octet, then the text. Selector bits:
 *
 *	  0x01	ADDR_PS_PASSTHROUGH (decode mode)
 *	  0x02	encode mode
 *	  0xfc	unused
 *
 *	Decode mode (spec-x400.md §3.4) checks:
 *	 - the result is 0 (decoded), 1 (passed through, only with the
 *	   flag) or ADDR_ESYNTAX (only without it); passing through gives
 *	   the input unaltered; an error and a pass-through happen for the
 *	   same inputs; the error offset lies inside the input;
 *	 - a decoded value is ASCII, no longer than the input, and encodes
 *	   to text that decodes to it again;
 *	 - decoding is case-insensitive in the specials: the input with its
 *	   letters inside "(x)" upper-cased decodes the same.
 *	Encode mode: ASCII text encodes (anything else is ADDR_ESYNTAX at
 *	the first non-ASCII octet) to PrintableString only, which decodes
 *	to the text octet for octet. Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

/* printable - every octet is a PrintableString character */
static int printable(const char *s, size_t n)
{
	static const char ps[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
				 "vwxyz0123456789 '()+,-./:=?";
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(ps, s[i]) == NULL)
			return 0;
	return 1;
}

/* encode_mode - ASCII in, PrintableString out, and back */
static void encode_mode(const char *in, size_t n)
{
	struct addr_buf enc, dec;
	struct addr_error err;
	size_t i, first = n;
	int r;

	for (i = 0; i < n; i++)
		if ((unsigned char)in[i] >= 0x80) {
			first = i;
			break;
		}
	addr_buf_init(&enc);
	addr_buf_init(&dec);
	r = addr_ps_encode(&enc, in, n, &err);
	if (first < n) {
		FZ_CHECK(r == ADDR_ESYNTAX && err.offset == first,
		      "non-ASCII refused at its offset");
	} else {
		FZ_CHECK(r == 0, "ASCII encodes");
		FZ_CHECK(printable(enc.ptr, enc.size), "encoding is PrintableString");
		FZ_CHECK(addr_ps_decode(&dec, enc.ptr, enc.size, 0, NULL) == 0,
		      "encoding decodes");
		FZ_CHECK(dec.size == n && memcmp(dec.ptr, in, n) == 0,
		      "decode(encode(x)) == x");
	}
	addr_buf_free(&enc);
	addr_buf_free(&dec);
}

/* upper_specials - a copy of s with "(x)" letters upper-cased */
static void upper_specials(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (i >= 1 && i + 1 < n && s[i - 1] == '(' && s[i + 1] == ')' &&
		    c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		addr_buf_putc(out, c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_buf out, other, enc, again, up;
	struct addr_error err;
	const char *in;
	unsigned flags;
	size_t i;
	int r, r2;

	if (size < 1)
		return 0;
	in = (const char *)data + 1;
	flags = (data[0] & 0x01) ? ADDR_PS_PASSTHROUGH : 0;
	size--;
	if (data[0] & 0x02) {
		encode_mode(in, size);
		return 0;
	}
	addr_buf_init(&out);
	addr_buf_init(&other);
	addr_buf_init(&enc);
	addr_buf_init(&again);
	addr_buf_init(&up);
	memset(&err, 0, sizeof(err));
	r = addr_ps_decode(&out, in, size, flags, &err);
	r2 = addr_ps_decode(&other, in, size, flags ^ ADDR_PS_PASSTHROUGH, NULL);
	if (r == 0) {
		FZ_CHECK(r2 == 0, "decoding does not depend on the flag");
		FZ_CHECK(out.size <= size, "decoded no longer than the input");
		for (i = 0; i < out.size; i++)
			FZ_CHECK((unsigned char)out.ptr[i] < 0x80, "decoded is ASCII");
		FZ_CHECK(addr_ps_encode(&enc, out.ptr, out.size, NULL) == 0,
		      "decoded value encodes");
		FZ_CHECK(addr_ps_decode(&again, enc.ptr, enc.size, 0, NULL) == 0 &&
		      again.size == out.size &&
		      memcmp(again.ptr, out.ptr, out.size) == 0,
		      "decode(encode(decode(x))) == decode(x)");
		upper_specials(&up, in, size);
		addr_buf_clear(&again);
		FZ_CHECK(addr_ps_decode(&again, up.ptr, up.size, 0, NULL) == 0 &&
		      again.size == out.size &&
		      memcmp(again.ptr, out.ptr, out.size) == 0,
		      "specials decode in any case");
	} else if (r == 1) {
		FZ_CHECK(flags, "pass-through only with the flag");
		FZ_CHECK(out.size == size && memcmp(out.ptr, in, size) == 0,
		      "passed through unaltered");
		FZ_CHECK(r2 == ADDR_ESYNTAX, "pass-through iff error");
	} else {
		FZ_CHECK(r == ADDR_ESYNTAX && !flags, "error only without the flag");
		FZ_CHECK(err.offset < size, "error offset inside the input");
		FZ_CHECK(r2 == 1, "error iff pass-through");
	}
	addr_buf_free(&out);
	addr_buf_free(&other);
	addr_buf_free(&enc);
	addr_buf_free(&again);
	addr_buf_free(&up);
	return 0;
}
