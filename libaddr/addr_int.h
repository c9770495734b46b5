/*
 * addr_int.h - private declarations shared between libaddr's files
 *
 * Nothing here is exported from the shared library (it is built with
 * -fvisibility=hidden and only ADDR_EXTERN symbols are public). Names are
 * addr__<module>_<verb>.
 */
#ifndef ADDR_INT_H
#define ADDR_INT_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"

/* A private parse flag: skip the fast path of mailbox.c, so that tests
 * can compare it with the general parser. */
#define ADDR__F_NOFAST 0x80000000u

/* alloc.c: the allocator that addr_set_alloc_funcs installs */
void *addr__malloc(size_t n);
void *addr__realloc(void *p, size_t n);
void addr__free(void *p);

/* error.c: fill a nullable error struct; returns code */
int addr__error_set(struct addr_error *err, int code, size_t offset,
		    const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* size arithmetic that cannot wrap: 0 on success, -1 on overflow */
static inline int addr__size_add(size_t *r, size_t a, size_t b)
{
	if (a > (size_t)-1 - b)
		return -1;
	*r = a + b;
	return 0;
}

/* addr__hexval - 0..15 for a hex digit in either case, -1 otherwise */
static inline int addr__hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* addr__b64val - 0..63 for a base64 digit (RFC 4648 §4), -1 otherwise */
static inline int addr__b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* buf.c: addr_buf_putc with its common case inline, for loops that
 * append octet by octet. Same semantics, sticky oom included. */
int addr__buf_putc_slow(struct addr_buf *buf, char c);
static inline int addr__buf_putc(struct addr_buf *buf, char c)
{
	if (!buf->oom && buf->size + 1 < buf->asize) {
		buf->ptr[buf->size++] = c;
		buf->ptr[buf->size] = '\0';
		return 0;
	}
	return addr__buf_putc_slow(buf, c);
}

/* addr__lower8 - A-Z to a-z in a word of eight ASCII octets: 0x20 is
 * or'ed into the octets from 'A' (0x41) to 'Z' (0x5A), found by
 * carrying into their high bits (no carry crosses an ASCII octet) */
static inline uint64_t addr__lower8(uint64_t w)
{
	const uint64_t h = 0x8080808080808080ull;
	uint64_t ge_a = w + 0x3F3F3F3F3F3F3F3Full;	/* high bit: >= 'A' */
	uint64_t gt_z = w + 0x2525252525252525ull;	/* high bit: > 'Z' */

	return w | ((ge_a & ~gt_z & h) >> 2);
}

/* utf8.c */
/* addr__utf8_seqlen - length of the well-formed UTF-8 sequence at s
 * (1..4), or 0 if the octets at s do not start one. n is what is left. */
size_t addr__utf8_seqlen(const unsigned char *s, size_t n);
/* addr__utf8_decode - code point of the well-formed sequence at s */
uint32_t addr__utf8_decode(const unsigned char *s, size_t seqlen);
/* addr__utf8_encode - append a code point; 0 or ADDR_ENOMEM */
int addr__utf8_encode(struct addr_buf *out, uint32_t cp);

/* idn.c (ICU): UTS #46 processing. Error bits are ICU's UIDNA_ERROR_*
 * values, passed through unchanged so that mailbox.c needs no ICU
 * header; the constants below mirror them (checked in idn.c). */
#define ADDR__IDN_EMPTY_LABEL		0x0001u
#define ADDR__IDN_LABEL_TOO_LONG	0x0002u
#define ADDR__IDN_DOMAIN_TOO_LONG	0x0004u
#define ADDR__IDN_LEADING_HYPHEN	0x0008u
#define ADDR__IDN_TRAILING_HYPHEN	0x0010u
#define ADDR__IDN_HYPHEN_3_4		0x0020u
#define ADDR__IDN_LEADING_COMBINING	0x0040u
#define ADDR__IDN_DISALLOWED		0x0080u
#define ADDR__IDN_PUNYCODE		0x0100u
#define ADDR__IDN_LABEL_HAS_DOT		0x0200u
#define ADDR__IDN_INVALID_ACE		0x0400u
#define ADDR__IDN_BIDI			0x0800u
#define ADDR__IDN_CONTEXTJ		0x1000u
#define ADDR__IDN_CONTEXTO_PUNCT	0x2000u
#define ADDR__IDN_CONTEXTO_DIGITS	0x4000u

/* Each appends to out (cleared first) and sets *errors; returns 0,
 * ADDR_ENOMEM, or ADDR_EINVAL when ICU fails outright. */
int addr__idn_name_to_ascii(struct addr_buf *out, const char *s, size_t n,
			    uint32_t *errors);
int addr__idn_name_to_unicode(struct addr_buf *out, const char *s, size_t n,
			      uint32_t *errors);
int addr__idn_label_to_ascii(struct addr_buf *out, const char *s, size_t n,
			     uint32_t *errors);
int addr__idn_label_to_unicode(struct addr_buf *out, const char *s, size_t n,
			       uint32_t *errors);

/* addr__idn_punycode - append "xn--" + RFC 3492 encoding of a label */
int addr__idn_punycode(struct addr_buf *out, const char *label, size_t n);

/* text.c (ICU): normalization, charsets, case folding */
/* addr__text_is_nfc - 1 if s is in NFC, 0 if not, negative on error */
int addr__text_is_nfc(const char *s, size_t n);
/* addr__text_nfc - append the NFC form of UTF-8 s to out (not cleared) */
int addr__text_nfc(struct addr_buf *out, const char *s, size_t n);
/* addr__text_decode - convert octets in charset to UTF-8 (appended);
 * ADDR_ENOTSUP for an unknown charset, ADDR_ESYNTAX for an illegal or
 * unmappable sequence. */
int addr__text_decode(struct addr_buf *out, const char *charset,
		      const char *s, size_t n);
/*
 * File converters (CSV, spec-directory.md §5.7), ICU behind a void
 * pointer. open: ADDR_ENOTSUP for an unknown charset. decode: s[0..n)
 * to UTF-8 appended to out; an undecodable or truncated sequence (and,
 * in windows-1252, the five unassigned bytes) is left out, never
 * replaced; returns how many there were, *bad (nullable) the offset of
 * the first; or ADDR_ENOMEM / ADDR_EINVAL. encode: UTF-8 s[0..n) to
 * the charset appended to out; ADDR_ESYNTAX when a character has no
 * encoding (*bad its UTF-8 offset; out then holds the part before).
 * charset_eq: 1 when two names open the same converter, 0 when not,
 * ADDR_ENOTSUP when one is unknown.
 */
int addr__text_conv_open(void **out, const char *charset);
void addr__text_conv_close(void *cv);
int addr__text_conv_decode(void *cv, struct addr_buf *out, const char *s,
			   size_t n, size_t *bad);
int addr__text_conv_encode(void *cv, struct addr_buf *out, const char *s,
			   size_t n, size_t *bad);
int addr__text_charset_eq(const char *a, const char *b);
/* addr__text_nfc_inert_cp - a code point NFC never changes in any
 * context (used by the fast NFC check; tested against ICU) */
int addr__text_nfc_inert_cp(uint32_t c);
/* addr__text_casefold - append the full Unicode case folding of s */
int addr__text_casefold(struct addr_buf *out, const char *s, size_t n);
/* ICU transliteration: open by transform id (ADDR_ENOTSUP if unknown),
 * append the transliteration of UTF-8 text, close (NULL is a no-op) */
int addr__translit_open(void **out, const char *id);
int addr__translit_run(void *t, struct addr_buf *out, const char *s, size_t n);
void addr__translit_close(void *t);

#endif
