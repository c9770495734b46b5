/*
 * utf8.c - UTF-8 well-formedness (RFC 3629 §4), decoding and encoding
 *
 * EXPORTS
 *	addr_utf8_check()	length of the well-formed prefix
 *	addr__utf8_seqlen()	length of one well-formed sequence, 0 if none
 *	addr__utf8_decode(), addr__utf8_encode()
 *
 * The table of RFC 3629 §4 is applied literally: no overlong forms, no
 * surrogates, nothing above U+10FFFF. ICU is not used here because the
 * parser must check octets before it knows what a component is.
 */
#include <string.h>
#include "addr_int.h"

size_t addr__utf8_seqlen(const unsigned char *s, size_t n)
{
	unsigned char c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (n < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

size_t addr_utf8_check(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		uint64_t w;

		/* ASCII, eight octets at a time */
		if (len - i >= 8 && (memcpy(&w, p + i, 8),
				     (w & 0x8080808080808080ull) == 0)) {
			i += 8;
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = addr__utf8_seqlen(p + i, len - i);
		if (k == 0)
			break;
		i += k;
	}
	return i;
}

uint32_t addr__utf8_decode(const unsigned char *s, size_t seqlen)
{
	switch (seqlen) {
	case 1: return s[0];
	case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
	case 3: return ((uint32_t)(s[0] & 0x0F) << 12) |
		       ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	default: return ((uint32_t)(s[0] & 0x07) << 18) |
			((uint32_t)(s[1] & 0x3F) << 12) |
			((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	}
}

int addr__utf8_encode(struct addr_buf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return addr_buf_put(out, b, n);
}
