/*
 * imcea.c - IMCEA encapsulation of non-SMTP addresses
 *
 * NAME
 *	imcea - wrap a "TYPE:value" address in an SMTP address and back
 *	(spec-imcea-proxy.md §1)
 *
 * EXPORTS
 *	addr_imcea_encode()		type, address, domain -> IMCEA address
 *	addr_imcea_encode_proxy()	"TYPE:value", domain -> IMCEA address
 *	addr_imcea_decode()		IMCEA address -> "TYPE:value"
 *
 * DESCRIPTION
 *	The encoder follows §1.4: "IMCEA" upper case, the type raw (1..9
 *	characters of a set every decoder copies unchanged), the address
 *	escaped (keep [A-Za-z0-9-=], "/" -> "_", everything else "+HH" with
 *	upper-case hex) over Latin-1 code points, or over UTF-8 octets after
 *	a "UTF8-" marker when a code point is above U+00FF or the address
 *	itself starts with "UTF8-"; the domain and the lengths of R7. It
 *	refuses every address the decoder would refuse (empty, blank,
 *	control characters, invalid for its type), so each successful
 *	encode decodes back to the same address octet for octet.
 *
 *	The decoder follows the nine steps of §1.6: "IMCEA" in any case
 *	(upper case only with ADDR_IMCEA_STRICT), the type up to the first
 *	"-", the address up to the last "@", the caller's local-domain
 *	gate, R9 unescaping (a "+" without two hex digits is literal, or an
 *	error when strict), the "UTF8-" form, R11 and R12.
 *
 *	Per-type checks (R12, R21), shared by both directions: SMTP is an
 *	addr-spec that addr_mailbox_parse (ADDR_P_ADDR_SPEC, ADDR_F_UTF8)
 *	does not rate ERROR, with a domain name (no literal) and the R7
 *	lengths, or "<>"; X400 parses in the Exchange form
 *	(addr_x400_parse, lenient unless ADDR_IMCEA_X400_STRICT); EUM holds
 *	";phone-context=" exactly once; every other type only needs a value
 *	that is not blank. In front of the two parsers, quick checks accept
 *	the shapes nearly every value has (a dot-atom address, a plain
 *	";"-form O/R address) without them; what they cannot vouch for goes
 *	to the parser, and tests/test_imcea.c holds them to the parsers.
 *
 * EXPORTS (private, imcea_int.h)
 *	addr__imcea_x400_quick(), addr__imcea_smtp_quick()
 *
 * DIAGNOSTICS
 *	Negative ADDR_E* codes: ADDR_ESYNTAX, ADDR_ETOOLONG (a length limit
 *	of R7, R11 or of the type's own syntax), ADDR_ENOMEM; the optional
 *	struct addr_error says what and where.
 */
#include <stdint.h>
#include <string.h>
#include "addr_int.h"
#include "imcea_int.h"

/* Limits of spec-imcea-proxy.md R7, R11 and RFC 5321 §4.5.3.1.1. */
#define TYPE_MAX	9
#define LOCAL_MAX	315
#define TOTAL_MAX	571
#define X400_LOCAL_MAX	1604
#define X400_TOTAL_MAX	1860
#define RFC5321_LOCAL	64
#define DOMAIN_MAX	255
#define LABEL_MAX	63

/* "IMCEA", and the "UTF8-" marker of the UTF-8 form. */
#define PREFIX_LEN	5
#define MARKER		"UTF8-"
#define MARKER_LEN	5

/* Classes of dec_class: what the decoder does with an input octet. */
enum { D_COPY, D_UNDERSCORE, D_PLUS, D_CONTROL, D_HIGH };

static const char hexdig[] = "0123456789ABCDEF";

/*
 * The escaping loops classify sixteen octets at a time with SSE2 (part of
 * every x86-64 processor): the plain runs between escapes are most of an
 * IMCEA address, and this is what keeps encode and decode within the 15
 * instructions per octet of issue 3. Other processors take the octet
 * loops, which give the same results.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* INLINE - for the small helpers of the per-call path, where a call
 * costs as much as the work */
#if defined(__GNUC__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif

/* dec_class: D_COPY, D_UNDERSCORE, D_PLUS, D_CONTROL (C0, DEL), D_HIGH */
static const unsigned char dec_class[256] = {
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4
};

/* hexval: 0..15 for a hex digit in either case, 16 for anything else */
static const unsigned char hexval[256] = {
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16
};

/* type_char: what §1.4 lets the encoder write raw in a type */
static const unsigned char type_char[128] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0
};

/* dom_class: 1 for [A-Za-z0-9_-] (R7 labels), 2 for ".", 0 refused */
static const unsigned char dom_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/* atom_class: 1 for RFC 5322 atext, 2 for ".", 0 for anything else */
static const unsigned char atom_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 2, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/* esc_tab: what R2..R4 write for each ASCII octet, and how many octets */
static const struct esc {
	char s[3];
	unsigned char n;
} esc_tab[128] = {
	{ { '+', '0', '0' }, 3 }, { { '+', '0', '1' }, 3 },
	{ { '+', '0', '2' }, 3 }, { { '+', '0', '3' }, 3 },
	{ { '+', '0', '4' }, 3 }, { { '+', '0', '5' }, 3 },
	{ { '+', '0', '6' }, 3 }, { { '+', '0', '7' }, 3 },
	{ { '+', '0', '8' }, 3 }, { { '+', '0', '9' }, 3 },
	{ { '+', '0', 'A' }, 3 }, { { '+', '0', 'B' }, 3 },
	{ { '+', '0', 'C' }, 3 }, { { '+', '0', 'D' }, 3 },
	{ { '+', '0', 'E' }, 3 }, { { '+', '0', 'F' }, 3 },
	{ { '+', '1', '0' }, 3 }, { { '+', '1', '1' }, 3 },
	{ { '+', '1', '2' }, 3 }, { { '+', '1', '3' }, 3 },
	{ { '+', '1', '4' }, 3 }, { { '+', '1', '5' }, 3 },
	{ { '+', '1', '6' }, 3 }, { { '+', '1', '7' }, 3 },
	{ { '+', '1', '8' }, 3 }, { { '+', '1', '9' }, 3 },
	{ { '+', '1', 'A' }, 3 }, { { '+', '1', 'B' }, 3 },
	{ { '+', '1', 'C' }, 3 }, { { '+', '1', 'D' }, 3 },
	{ { '+', '1', 'E' }, 3 }, { { '+', '1', 'F' }, 3 },
	{ { '+', '2', '0' }, 3 }, { { '+', '2', '1' }, 3 },
	{ { '+', '2', '2' }, 3 }, { { '+', '2', '3' }, 3 },
	{ { '+', '2', '4' }, 3 }, { { '+', '2', '5' }, 3 },
	{ { '+', '2', '6' }, 3 }, { { '+', '2', '7' }, 3 },
	{ { '+', '2', '8' }, 3 }, { { '+', '2', '9' }, 3 },
	{ { '+', '2', 'A' }, 3 }, { { '+', '2', 'B' }, 3 },
	{ { '+', '2', 'C' }, 3 }, { { '-', 0, 0 }, 1 },
	{ { '+', '2', 'E' }, 3 }, { { '_', 0, 0 }, 1 },
	{ { '0', 0, 0 }, 1 }, { { '1', 0, 0 }, 1 },
	{ { '2', 0, 0 }, 1 }, { { '3', 0, 0 }, 1 },
	{ { '4', 0, 0 }, 1 }, { { '5', 0, 0 }, 1 },
	{ { '6', 0, 0 }, 1 }, { { '7', 0, 0 }, 1 },
	{ { '8', 0, 0 }, 1 }, { { '9', 0, 0 }, 1 },
	{ { '+', '3', 'A' }, 3 }, { { '+', '3', 'B' }, 3 },
	{ { '+', '3', 'C' }, 3 }, { { '=', 0, 0 }, 1 },
	{ { '+', '3', 'E' }, 3 }, { { '+', '3', 'F' }, 3 },
	{ { '+', '4', '0' }, 3 }, { { 'A', 0, 0 }, 1 },
	{ { 'B', 0, 0 }, 1 }, { { 'C', 0, 0 }, 1 },
	{ { 'D', 0, 0 }, 1 }, { { 'E', 0, 0 }, 1 },
	{ { 'F', 0, 0 }, 1 }, { { 'G', 0, 0 }, 1 },
	{ { 'H', 0, 0 }, 1 }, { { 'I', 0, 0 }, 1 },
	{ { 'J', 0, 0 }, 1 }, { { 'K', 0, 0 }, 1 },
	{ { 'L', 0, 0 }, 1 }, { { 'M', 0, 0 }, 1 },
	{ { 'N', 0, 0 }, 1 }, { { 'O', 0, 0 }, 1 },
	{ { 'P', 0, 0 }, 1 }, { { 'Q', 0, 0 }, 1 },
	{ { 'R', 0, 0 }, 1 }, { { 'S', 0, 0 }, 1 },
	{ { 'T', 0, 0 }, 1 }, { { 'U', 0, 0 }, 1 },
	{ { 'V', 0, 0 }, 1 }, { { 'W', 0, 0 }, 1 },
	{ { 'X', 0, 0 }, 1 }, { { 'Y', 0, 0 }, 1 },
	{ { 'Z', 0, 0 }, 1 }, { { '+', '5', 'B' }, 3 },
	{ { '+', '5', 'C' }, 3 }, { { '+', '5', 'D' }, 3 },
	{ { '+', '5', 'E' }, 3 }, { { '+', '5', 'F' }, 3 },
	{ { '+', '6', '0' }, 3 }, { { 'a', 0, 0 }, 1 },
	{ { 'b', 0, 0 }, 1 }, { { 'c', 0, 0 }, 1 },
	{ { 'd', 0, 0 }, 1 }, { { 'e', 0, 0 }, 1 },
	{ { 'f', 0, 0 }, 1 }, { { 'g', 0, 0 }, 1 },
	{ { 'h', 0, 0 }, 1 }, { { 'i', 0, 0 }, 1 },
	{ { 'j', 0, 0 }, 1 }, { { 'k', 0, 0 }, 1 },
	{ { 'l', 0, 0 }, 1 }, { { 'm', 0, 0 }, 1 },
	{ { 'n', 0, 0 }, 1 }, { { 'o', 0, 0 }, 1 },
	{ { 'p', 0, 0 }, 1 }, { { 'q', 0, 0 }, 1 },
	{ { 'r', 0, 0 }, 1 }, { { 's', 0, 0 }, 1 },
	{ { 't', 0, 0 }, 1 }, { { 'u', 0, 0 }, 1 },
	{ { 'v', 0, 0 }, 1 }, { { 'w', 0, 0 }, 1 },
	{ { 'x', 0, 0 }, 1 }, { { 'y', 0, 0 }, 1 },
	{ { 'z', 0, 0 }, 1 }, { { '+', '7', 'B' }, 3 },
	{ { '+', '7', 'C' }, 3 }, { { '+', '7', 'D' }, 3 },
	{ { '+', '7', 'E' }, 3 }, { { '+', '7', 'F' }, 3 }
};

/* fail - fill err and return code (messages are short English text) */
static int fail(struct addr_error *err, int code, size_t off, const char *msg)
{
	return addr__error_set(err, code, off, "%s", msg);
}

/* ieq - s[0..n) equals the upper-case ASCII literal lit, ignoring case */
static int ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (lit[i] == '\0')
			return 0;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - ('a' - 'A'));
		if (c != (unsigned char)lit[i])
			return 0;
	}
	return lit[n] == '\0';
}

/* ------------------------------------------------ sixteen octets at once */

#if defined(__SSE2__)
/* splat - c in every octet */
static __m128i splat(char c)
{
	return _mm_set1_epi8(c);
}

/* load16 - sixteen octets, any alignment */
static __m128i load16(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* store16 - sixteen octets, any alignment */
static void store16(char *p, __m128i v)
{
	_mm_storeu_si128((__m128i *)(void *)p, v);
}

/* in_range - octets in [lo, hi] for ASCII lo and hi (the compares are
 * signed: an octet >= 0x80 is negative, in no ASCII range) */
static __m128i in_range(__m128i v, char lo, char hi)
{
	return _mm_and_si128(_mm_cmpgt_epi8(v, splat((char)(lo - 1))),
			     _mm_cmplt_epi8(v, splat((char)(hi + 1))));
}

/* unprintable - octets that are C0 controls, DEL or non-ASCII */
static __m128i unprintable(__m128i v)
{
	return _mm_or_si128(_mm_cmplt_epi8(v, splat(0x20)),
			    _mm_cmpeq_epi8(v, splat(0x7f)));
}

/* bits - one bit per octet of a compare result */
static unsigned bits(__m128i v)
{
	return (unsigned)_mm_movemask_epi8(v);
}
#endif

#if defined(__SSE2__)
/* ctz - index of the lowest set bit of m (m != 0) */
static unsigned ctz(uint64_t m)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(m);
#else
	unsigned k = 0;

	while (!(m & 1))
		m >>= 1, k++;
	return k;
#endif
}
#endif

/* last_at - index of the last "@" in s[0..n), or n when there is none */
static size_t last_at(const unsigned char *s, size_t n)
{
	size_t k = n;

#if defined(__SSE2__) && defined(__GNUC__)
	for (; k >= 16; k -= 16) {
		unsigned m = bits(_mm_cmpeq_epi8(load16(s + k - 16), splat('@')));

		if (m != 0)
			return k - 16 + (size_t)(31 - __builtin_clz(m));
	}
#endif
	for (; k > 0; k--)
		if (s[k - 1] == '@')
			return k - 1;
	return n;
}

/* ascii_prefix - length of the ASCII prefix of s[0..n) */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	while (n - i >= 16 && bits(load16(s + i)) == 0)
		i += 16;
#endif
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

/* utf8_valid - length of the well-formed UTF-8 prefix, ASCII blocks first */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	for (;;) {
		i += ascii_prefix(s + i, n - i);
		if (i == n)
			return n;
		k = addr__utf8_seqlen(s + i, n - i);
		if (k == 0)
			return i;
		i += k;
	}
}

/*
 * copy_short - memcpy of the short pieces (type, domain, tails) without
 * a call: overlapping 8- or 4-octet moves. s and o must not overlap.
 */
INLINE char *copy_short(char *o, const char *s, size_t n)
{
	uint64_t w;
	uint32_t h;
	size_t k;

	if (n >= 8) {
		for (k = 0; k + 8 < n; k += 8) {
			memcpy(&w, s + k, 8);
			memcpy(o + k, &w, 8);
		}
		memcpy(&w, s + n - 8, 8);
		memcpy(o + n - 8, &w, 8);
	} else if (n >= 4) {
		memcpy(&h, s, 4);
		memcpy(o, &h, 4);
		memcpy(&h, s + n - 4, 4);
		memcpy(o + n - 4, &h, 4);
	} else {
		for (k = 0; k < n; k++)
			o[k] = s[k];
	}
	return o + n;
}

#if defined(__SSE2__)
/* load_part - the n < 16 octets at s, zero-padded to a vector (the
 * octets after s may not be readable) */
INLINE __m128i load_part(const unsigned char *s, size_t n)
{
	unsigned char b[16];

	memset(b, 0, sizeof(b));
	copy_short((char *)b, (const char *)s, n);
	return load16(b);
}

/* load_any - the next min(16, n) octets and the mask of valid lanes */
INLINE __m128i load_any(const unsigned char *s, size_t n, unsigned *valid)
{
	if (n >= 16) {
		*valid = 0xFFFF;
		return load16(s);
	}
	*valid = (1u << n) - 1;
	return load_part(s, n);
}

/* alnum16 - ASCII letters and digits */
static __m128i alnum16(__m128i x)
{
	return _mm_or_si128(in_range(x, '0', '9'),
			    in_range(_mm_or_si128(x, splat(0x20)), 'a', 'z'));
}

/* pad64 - s[0..n), n <= 64, in a zero-padded buffer, so that whole
 * blocks can be read and classified */
INLINE void pad64(unsigned char b[64], const unsigned char *s, size_t n)
{
	memset(b, 0, 64);
	copy_short((char *)b, (const char *)s, n);
}
#endif

/* ------------------------------------------------- per-type checks */

/* The types R21 gives a rule of their own; every other one is T_OTHER. */
enum { T_OTHER, T_SMTP, T_X400, T_EUM };

/* type_kind - the R21 rule of type t[0..n) (any case), from one load */
INLINE int type_kind(const char *t, size_t n)
{
	uint32_t w, smtp, x400;

	if (n == 3)
		return (t[0] | 0x20) == 'e' && (t[1] | 0x20) == 'u' &&
		       (t[2] | 0x20) == 'm' ? T_EUM : T_OTHER;
	if (n != 4)
		return T_OTHER;
	/* | 0x20 lowers letters and keeps "4" and "0"; an octet it could
	 * turn into one of these is a control, which no type holds */
	memcpy(&w, t, 4);
	memcpy(&smtp, "smtp", 4);
	memcpy(&x400, "x400", 4);
	w |= 0x20202020u;
	return w == smtp ? T_SMTP : w == x400 ? T_X400 : T_OTHER;
}

/*
 * dot_atom - s[0..n) is an RFC 5322 dot-atom-text: atext runs joined by
 * single dots
 */
static int dot_atom(const unsigned char *s, size_t n)
{
	unsigned prev = 2, c;	/* as if after a dot: no leading dot */
	size_t i;

	for (i = 0; i < n; i++) {
		c = atom_class[s[i]];
		if (c == 0 || (c & prev) == 2)
			return 0;
		prev = c;
	}
	return prev == 1;	/* not empty, no trailing dot */
}

/*
 * addr__imcea_smtp_quick - 1 when v[0..n), whose last "@" is at at, is
 * certainly an addr-spec that addr_mailbox_parse (ADDR_P_ADDR_SPEC,
 * ADDR_F_UTF8) rates better than ERROR with a domain name: an ASCII
 * dot-atom "@" dot-atom. Whatever else such a parse may diagnose
 * (over-long parts, a domain that is not LDH) is not an error. 0 when
 * it cannot tell; tests/test_imcea.c checks it against the parser.
 */
int addr__imcea_smtp_quick(const char *v, size_t n, size_t at)
{
	const unsigned char *s = (const unsigned char *)v;

	return at < n && dot_atom(s, at) && dot_atom(s + at + 1, n - at - 1);
}

/*
 * blank - s[0..n) (well-formed UTF-8) is empty or only white space.
 * White space is Unicode White_Space, what .NET's IsNullOrWhiteSpace
 * tests (R11, R12): U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
 */
static int blank(const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t c;

	while (i < n) {
		if (s[i] < 0x80) {
			if (s[i] != ' ' && (s[i] < 0x09 || s[i] > 0x0D))
				return 0;
			i++;
			continue;
		}
		k = addr__utf8_seqlen(s + i, n - i);
		if (k == 0)
			return 0;
		c = addr__utf8_decode(s + i, k);
		if (c != 0x85 && c != 0xA0 && c != 0x1680 &&
		    (c < 0x2000 || c > 0x200A) && c != 0x2028 && c != 0x2029 &&
		    c != 0x202F && c != 0x205F && c != 0x3000)
			return 0;
		i += k;
	}
	return 1;
}

/* check_smtp - R21 for SMTP: "<>", or an addr-spec with R7's limits */
static int check_smtp(const char *v, size_t n, size_t off,
		      struct addr_error *err)
{
	struct addr_mailbox_result r;
	struct addr_error e;
	size_t at;
	int rc;

	if (n == 2 && v[0] == '<' && v[1] == '>')
		return 0;	/* the null path, which R21 accepts */
	/* R7's limits on the text as written, before the parser sees it */
	if (n > TOTAL_MAX)
		return fail(err, ADDR_ETOOLONG, off,
			    "SMTP address longer than 571 characters");
	at = last_at((const unsigned char *)v, n);
	if (at < n && at > LOCAL_MAX)
		return fail(err, ADDR_ETOOLONG, off,
			    "SMTP local part longer than 315 characters");
	if (at < n && n - at - 1 > DOMAIN_MAX)
		return fail(err, ADDR_ETOOLONG, off + at + 1,
			    "SMTP domain longer than 255 characters");
	if (addr__imcea_smtp_quick(v, n, at))
		return 0;	/* what nearly every SMTP value looks like */
	addr_mailbox_result_init(&r);
	rc = addr_mailbox_parse(&r, v, n, ADDR_P_ADDR_SPEC, ADDR_F_UTF8, &e);
	if (rc == 0 && r.addr[0].domain_kind != ADDR_DK_NAME)
		rc = fail(err, ADDR_ESYNTAX, off + r.addr[0].span_offset,
			  "SMTP address with an address literal");
	else if (rc == ADDR_ESYNTAX)
		rc = addr__error_set(err, ADDR_ESYNTAX, off + e.offset,
				     "invalid SMTP address (%s@%zu)",
				     addr_diag_name(e.diag) ?
				     addr_diag_name(e.diag) : "?", e.offset);
	else if (rc < 0)
		rc = fail(err, rc, off, addr_strerror(rc));
	addr_mailbox_result_free(&r);
	return rc;
}

#define X400_DDA 255	/* x400_bound: the DDA key */

/* key1_max - bounds of the one-letter keys a..z (0: not a key) */
static const unsigned char key1_max[26] = {
	16, 0, 3, 0, 0, 0, 16, 0, 5, 0, 0, 0, 0,	/* a c g i */
	0, 64, 16, 3, 0, 40, 0, 0, 0, 0, 0, 0, 0	/* o p q s */
};

/*
 * x400_bound - the bound of an Exchange-form key k[0..n) in any case
 * (spec-x400.md §1.1), X400_DDA for "DDA", 0 for anything else.
 */
static unsigned x400_bound(const unsigned char *k, size_t n)
{
	unsigned a = k[0] | 0x20u, b = n > 1 ? k[1] | 0x20u : 0;

	switch (n) {
	case 1:
		switch (a) {
		case 'c': case 'q': return 3;
		case 'a': case 'p': case 'g': return 16;
		case 'o': return 64;
		case 's': return 40;
		case 'i': return 5;
		}
		return 0;
	case 2:
		return a == 'c' && b == 'n' ? 64 : 0;
	case 3:
		if (a == 'o' && b == 'u' && k[2] >= '1' && k[2] <= '4')
			return 32;
		return a == 'd' && b == 'd' && (k[2] | 0x20u) == 'a' ?
		       X400_DDA : 0;
	case 4:
		if (k[1] != '-')
			return 0;
		b = k[2] | 0x20u;
		if ((k[3] | 0x20u) == 'd' && b == 'i')
			return a == 'n' ? 32 : a == 't' ? 24 : 0;
		return a == 't' && b == 't' && (k[3] | 0x20u) == 'y' ? 3 : 0;
	case 5:
		return a == 'x' && k[1] == '.' && k[2] == '1' && k[3] == '2' &&
		       k[4] == '1' ? 15 : 0;
	}
	return 0;
}

/*
 * ou_after_first - the key k[0..n) is OU2, OU3 or OU4 (any case). Lenient
 * mode drops those after a gap in the OU chain, and an address left
 * with nothing is an error; a component of any other key (or a DDA)
 * is an anchor that keeps the address valid.
 */
static int ou_after_first(const unsigned char *k, size_t n)
{
	return n == 3 && (k[0] | 0x20u) == 'o' && (k[1] | 0x20u) == 'u' &&
	       k[2] >= '2' && k[2] <= '4';
}

/* x400_country - C is empty, 2 ASCII letters or 3 digits (§1.1) */
static int x400_country(const unsigned char *v, size_t n)
{
	unsigned a, b;

	if (n == 0)
		return 1;
	if (n == 3)
		return (unsigned)(v[0] - '0') < 10 && (unsigned)(v[1] - '0') < 10 &&
		       (unsigned)(v[2] - '0') < 10;
	a = v[0] | 0x20u;
	b = n == 2 ? v[1] | 0x20u : 0;
	return n == 2 && a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z';
}

/*
 * x400_quick_octets - addr__imcea_x400_quick one octet at a time: the
 * answer for any length, and without SSE2. It is 1 when v[0..n) is
 * certainly an Exchange-form O/R address that addr_x400_parse accepts
 * in lenient mode, 0 when it cannot tell. It covers what IMCEA-X400 payloads look like: ";"
 * form, printable ASCII, known keys, no "\" or doubled ";", values
 * within bounds, C of 2 letters or 3 digits, at most 4 DDAs of type
 * 1..8 and value <= 128. Lenient mode has no character-set rule, keeps
 * the last of a repeated key (each within bounds) and drops an OU
 * after a gap, which can only make the value invalid when nothing else
 * is left: a component of another key is required. The rest goes to
 * the full parser; tests/test_imcea.c checks that every value this
 * accepts, the parser accepts too.
 */
static int x400_quick_octets(const unsigned char *v, size_t n)
{
	size_t i = 0, ks, vs, vl, t, ndda = 0;
	unsigned max;
	int anchor = 0;

	if (n == 0 || v[0] == '/')
		return 0;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n)
			break;
		for (ks = i; i < n && v[i] != '=' && v[i] != ':'; i++)
			;
		if (i == n || i == ks)
			return 0;
		if (i - ks == 1)	/* the common keys: one letter */
			max = (unsigned)((v[ks] | 0x20) - 'a') < 26 ?
			      key1_max[(v[ks] | 0x20) - 'a'] : 0;
		else
			max = x400_bound(v + ks, i - ks);
		if (max == 0 || (max == X400_DDA) != (v[i] == ':'))
			return 0;
		for (vs = ++i; i < n && v[i] != ';'; i++)
			if (v[i] == '\\' || v[i] < 0x20 || v[i] >= 0x7F)
				return 0;
		vl = i - vs;
		if (i < n && ++i < n && v[i] == ';')
			return 0;	/* ";;" is a literal ";" */
		if (max == X400_DDA) {
			for (t = 0; t < vl && v[vs + t] != '='; t++)
				;
			if (t == 0 || t == vl || t > 8 || vl - t - 1 > 128 ||
			    ++ndda > ADDR_X400_MAXDDA)
				return 0;
		} else if (vl > max || (vs - 1 - ks == 1 &&
					(v[ks] | 0x20u) == 'c' &&
					!x400_country(v + vs, vl))) {
			return 0;
		}
		anchor |= !ou_after_first(v + ks, vs - 1 - ks);
	}
	return anchor;
}

/*
 * addr__imcea_x400_quick - 1 when value[0..n) is certainly an
 * Exchange-form O/R address that addr_x400_parse accepts in lenient
 * mode, 0 when it cannot tell. Values of up to 64 octets (nearly all)
 * are classified sixteen octets at a time and walked with the bit
 * masks; longer ones go to x400_quick_octets.
 */
int addr__imcea_x400_quick(const char *value, size_t n)
{
	const unsigned char *v = (const unsigned char *)value;
#if defined(__SSE2__)
	unsigned char b[64];
	uint64_t semi, eq, sep, bad, all;
	size_t i = 0, k, ke, vs, ve, t, ndda = 0;
	unsigned max;
	int anchor = 0;

	if (n == 0 || n > 64 || v[0] == '/')
		return n > 64 ? x400_quick_octets(v, n) : 0;
	/* ";", "=", ":", and what is left to the parser: "\\", C0, DEL,
	 * non-ASCII */
	pad64(b, v, n);
	semi = eq = sep = bad = 0;
	for (k = 0; k < n; k += 16) {
		__m128i x = load16(b + k);
		__m128i e = _mm_cmpeq_epi8(x, splat('='));

		semi |= (uint64_t)bits(_mm_cmpeq_epi8(x, splat(';'))) << k;
		eq |= (uint64_t)bits(e) << k;
		sep |= (uint64_t)bits(_mm_or_si128(e,
				_mm_cmpeq_epi8(x, splat(':')))) << k;
		bad |= (uint64_t)bits(_mm_or_si128(unprintable(x),
				_mm_cmpeq_epi8(x, splat('\\')))) << k;
	}
	all = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
	if (bad & all)
		return 0;	/* the parser decides */
	if (semi & (semi >> 1))
		return 0;	/* ";;" is a literal ";" */
	while (i < n) {
		while (v[i] == ' ')	/* tabs are C0: not here */
			if (++i == n)
				return anchor;
		if (!(sep >> i))
			return 0;
		ke = i + ctz(sep >> i);	/* the key ends at "=" or ":" */
		if (ke - i == 1)	/* the common keys: one letter */
			max = (unsigned)((v[i] | 0x20) - 'a') < 26 ?
			      key1_max[(v[i] | 0x20) - 'a'] : 0;
		else
			max = ke == i ? 0 : x400_bound(v + i, ke - i);
		if (max == 0 || (max == X400_DDA) != (v[ke] == ':'))
			return 0;
		vs = ke + 1;
		ve = vs < n && (semi >> vs) ? vs + ctz(semi >> vs) : n;
		if (max == X400_DDA) {
			t = vs < n && (eq >> vs) ? ctz(eq >> vs) : n;
			if (t == 0 || vs + t >= ve || t > 8 ||
			    ve - vs - t - 1 > 128 || ++ndda > ADDR_X400_MAXDDA)
				return 0;
		} else if (ve - vs > max || (ke - i == 1 &&
					     (v[i] | 0x20u) == 'c' &&
					     !x400_country(v + vs, ve - vs))) {
			return 0;
		}
		anchor |= !ou_after_first(v + i, ke - i);
		i = ve + 1;
	}
	return anchor;
#else
	return x400_quick_octets(v, n);
#endif
}

/*
 * check_x400 - R21/R22 for X400: the Exchange form, lenient unless
 * ADDR_IMCEA_X400_STRICT. The value is the O/R address itself, so a
 * leading "X400:" (which addr_x400_parse would take as a proxy prefix)
 * is refused here: Exchange reads it as an unknown key.
 */
static int check_x400(const char *v, size_t n, unsigned flags, size_t off,
		      struct addr_error *err)
{
	struct addr_x400 x;
	struct addr_error e;
	int rc;

	if (n >= 5 && v[4] == ':' && type_kind(v, 4) == T_X400)
		return fail(err, ADDR_ESYNTAX, off,
			    "invalid X.400 address: unknown key \"X400\"");
	if (!(flags & ADDR_IMCEA_X400_STRICT) && addr__imcea_x400_quick(v, n))
		return 0;
	addr_x400_init(&x);
	rc = addr_x400_parse(&x, v, n, ADDR_X400_EXCHANGE,
			     (flags & ADDR_IMCEA_X400_STRICT) ?
			     ADDR_X400_STRICT : 0, &e);
	addr_x400_free(&x);
	if (rc >= 0)
		return 0;
	if (rc == ADDR_ENOMEM)
		return fail(err, rc, off, addr_strerror(rc));
	return addr__error_set(err, rc == ADDR_ETOOLONG ? rc : ADDR_ESYNTAX,
			       off + e.offset, "invalid X.400 address: %s",
			       e.message);
}

/* check_eum - R21 for EUM: ";phone-context=" exactly once (any case) */
static int check_eum(const char *v, size_t n, size_t off,
		     struct addr_error *err)
{
	static const char pc[] = ";PHONE-CONTEXT=";
	const size_t m = sizeof(pc) - 1;
	size_t i, count = 0;

	for (i = 0; i + m <= n; i++)
		if (v[i] == ';' && ieq(v + i, m, pc))
			count++;
	if (count != 1)
		return fail(err, ADDR_ESYNTAX, off, count ?
			    "EUM address with more than one ;phone-context=" :
			    "EUM address without ;phone-context=");
	return 0;
}

/*
 * check_value - R12 for a value that is well-formed UTF-8 without
 * control characters: not blank, then valid for its type (R21). off is
 * where the value starts in the caller's input; when the value is not
 * that input itself (decoded), positions inside it mean nothing there,
 * so err->offset is then off.
 */
static int check_value(int kind, const char *v, size_t n, unsigned flags,
		       size_t off, int as_given, struct addr_error *err)
{
	int rc = 0;

	if (n == 0)
		return fail(err, ADDR_ESYNTAX, off, "empty address");
	if (blank((const unsigned char *)v, n))
		return fail(err, ADDR_ESYNTAX, off,
			    "address is only white space");
	if (kind == T_SMTP)
		rc = check_smtp(v, n, off, err);
	else if (kind == T_X400)
		rc = check_x400(v, n, flags, off, err);
	else if (kind == T_EUM)
		rc = check_eum(v, n, off, err);
	if (rc < 0 && !as_given && err != NULL)
		err->offset = off;
	return rc;
}

/* ------------------------------------------------------------- encoder */

/* check_type - §1.4: 1..9 characters that every decoder copies as is */
static int check_type(const char *t, size_t n, size_t off,
		      struct addr_error *err)
{
	size_t i;

	if (n == 0)
		return fail(err, ADDR_ESYNTAX, off, "empty type");
	for (i = 0; i < n && i <= TYPE_MAX; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c >= 0x80 || !type_char[c])
			return addr__error_set(err, ADDR_ESYNTAX, off + i,
					       c >= 0x20 && c < 0x7F ?
					       "character '%c' not allowed in "
					       "the type" : "character \\x%02X "
					       "not allowed in the type", c);
	}
	if (n > TYPE_MAX)
		return fail(err, ADDR_ETOOLONG, off,
			    "type longer than 9 characters");
	return 0;
}

/*
 * check_domain - R7: labels of [A-Za-z0-9_-], 1..63 octets, at most
 * 255 octets, no trailing dot, no address literal. Offsets are into
 * the domain. A domain of at most 63 octets cannot have a long label:
 * then bit masks of its octets and dots answer at once.
 */
static int check_domain(const char *d, size_t n, struct addr_error *err)
{
	size_t i, label = 0;

	if (n == 0)
		return fail(err, ADDR_ESYNTAX, 0, "empty domain");
	if (d[0] == '[')
		return fail(err, ADDR_ESYNTAX, 0, "IP-literal domain");
#if defined(__SSE2__)
	if (n <= LABEL_MAX) {
		/* no label can be too long: only the octets and the dots
		 * matter, and bit masks answer that at once */
		unsigned char b[64];
		uint64_t ok = 0, dots = 0, all = ((uint64_t)1 << n) - 1;
		size_t k;

		pad64(b, (const unsigned char *)d, n);
		for (k = 0; k < n; k += 16) {
			__m128i x = load16(b + k);

			ok |= (uint64_t)bits(_mm_or_si128(alnum16(x),
				_mm_or_si128(_mm_cmpeq_epi8(x, splat('-')),
					     _mm_cmpeq_epi8(x, splat('_'))))) << k;
			dots |= (uint64_t)bits(_mm_cmpeq_epi8(x,
							      splat('.'))) << k;
		}
		if (((ok | dots) & all) == all && !(dots & 1) &&
		    !((dots >> (n - 1)) & 1) && !(dots & (dots >> 1)))
			return 0;
		/* else the loop below says what is wrong */
	}
#endif
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (dom_class[c] == 1) {
			label++;
			continue;
		}
		if (dom_class[c] == 0)
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       c >= 0x20 && c < 0x7F ?
					       "character '%c' not allowed in "
					       "the domain" : "character \\x%02X "
					       "not allowed in the domain", c);
		if (label == 0)
			return fail(err, ADDR_ESYNTAX, i, i + 1 == n ?
				    "domain ends with a dot" :
				    "empty label in the domain");
		if (label > LABEL_MAX)
			return fail(err, ADDR_ETOOLONG, i - label,
				    "domain label longer than 63 characters");
		label = 0;
	}
	if (label == 0)
		return fail(err, ADDR_ESYNTAX, n - 1, "domain ends with a dot");
	if (label > LABEL_MAX)
		return fail(err, ADDR_ETOOLONG, n - label,
			    "domain label longer than 63 characters");
	if (n > DOMAIN_MAX)
		return fail(err, ADDR_ETOOLONG, 0,
			    "domain longer than 255 characters");
	return 0;
}

/* put_hex - "+HH" with upper-case hex (R4) */
static char *put_hex(char *o, unsigned c)
{
	o[0] = '+';
	o[1] = hexdig[c >> 4];
	o[2] = hexdig[c & 15];
	return o + 3;
}

/* How escape ended. */
enum { ESC_OK, ESC_CONTROL, ESC_NOT_UTF8, ESC_WIDE };

/* escape_ascii - R2..R4 of printable ASCII a[0..n) from the table */
INLINE char *escape_ascii(char *o, const unsigned char *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct esc *e = &esc_tab[a[i]];

		memcpy(o, e->s, 4);	/* one store; the 4th octet is slack */
		o += e->n;
	}
	return o;
}

#if defined(__SSE2__)
/*
 * escape_block - R2..R4 of the next min(16, n) octets of a to *op, up to
 * the first one that is not printable ASCII; returns how many were done.
 * The block is classified once; the runs of kept octets (and "/" as
 * "_") between escapes are copied with one 16-octet move each from a
 * translated copy, and each other octet comes from the table. *op needs
 * room for 16 octets past the output.
 */
static size_t escape_block(char **op, const unsigned char *a, size_t n)
{
	unsigned char tmp[32];
	unsigned valid, spec, up;
	size_t p = 0, q, lim = n < 16 ? n : 16;
	char *o = *op;
	__m128i x = load_any(a, n, &valid);
	__m128i slash = _mm_cmpeq_epi8(x, splat('/'));
	__m128i keep = _mm_or_si128(_mm_or_si128(alnum16(x),
				_mm_cmpeq_epi8(x, splat('-'))),
			_mm_or_si128(_mm_cmpeq_epi8(x, splat('=')), slash));

	store16((char *)tmp, _mm_xor_si128(x, _mm_and_si128(slash,
						splat('/' ^ '_'))));
	spec = ~bits(keep) & valid;
	up = bits(unprintable(x)) & valid;
	while (spec) {
		q = ctz(spec);
		store16(o, load16(tmp + p));	/* the run a[p..q) */
		o += q - p;
		if ((up >> q) & 1) {
			*op = o;
			return q;
		}
		o = escape_ascii(o, a + q, 1);
		p = q + 1;
		spec &= spec - 1;
	}
	store16(o, load16(tmp + p));
	*op = o + (lim - p);
	return lim;
}
#endif

/*
 * escape - R2..R5 of a[0..n) to *op (room for 3 octets per input octet
 * plus 16), octets 0 for the Latin-1 form, 1 for the "UTF8-" form,
 * checking as it goes: well-formed UTF-8, no U+0000..U+001F or U+007F.
 * Returns ESC_OK (*op advanced), or ESC_CONTROL / ESC_NOT_UTF8 with
 * *at set, or ESC_WIDE (Latin-1 form only): a code point above U+00FF,
 * so the caller starts again in the UTF8- form.
 */
static int escape(char **op, const unsigned char *a, size_t n, int octets,
		  size_t *at)
{
	char *o = *op;
	size_t i = 0, k;
	unsigned c;

	while (i < n) {
#if defined(__SSE2__)
		size_t r = n - i < 16 ? n - i : 16;

		k = escape_block(&o, a + i, n - i);
		i += k;
		if (k == r)
			continue;
		/* else a[i] is not printable ASCII: below */
#endif
		c = a[i];
		if (c >= 0x20 && c < 0x7F) {
			o = escape_ascii(o, a + i, 1);
			i++;
			continue;
		}
		if (c < 0x80) {
			*at = i;
			return ESC_CONTROL;
		}
		if ((k = addr__utf8_seqlen(a + i, n - i)) == 0) {
			*at = i;
			return ESC_NOT_UTF8;
		}
		if (octets) {
			for (; k > 0; k--)
				o = put_hex(o, a[i++]);
			continue;
		}
		if (c >= 0xC4)	/* U+0100 and up: the UTF8- form (R5) */
			return ESC_WIDE;
		o = put_hex(o, ((c & 0x1F) << 6) | (a[i + 1] & 0x3F));
		i += 2;
	}
	*op = o;
	return ESC_OK;
}

/*
 * encode - addr_imcea_encode with the offsets of type and address
 * errors shifted by tbase and abase (for the "TYPE:value" entry).
 */
static int encode(struct addr_buf *out, const char *type, size_t tlen,
		  size_t tbase, const char *addr, size_t alen, size_t abase,
		  const char *domain, size_t dlen, unsigned flags,
		  struct addr_error *err)
{
	const unsigned char *a = (const unsigned char *)addr;
	size_t max_local = LOCAL_MAX, max_total = TOTAL_MAX;
	size_t head, local, at = 0;
	int wide, rc, kind;
	char *o, *start;

	addr_buf_clear(out);
	if ((rc = check_type(type, tlen, tbase, err)) < 0 ||
	    (rc = check_domain(domain, dlen, err)) < 0)
		return rc;
	/* R7: the X.400 limits apply when the result starts "IMCEAX400-" */
	kind = type_kind(type, tlen);
	if (kind == T_X400) {
		max_local = X400_LOCAL_MAX;
		max_total = X400_TOTAL_MAX;
	}
	if ((flags & ADDR_IMCEA_RFC5321) && max_local > RFC5321_LOCAL)
		max_local = RFC5321_LOCAL;
	/* every input octet yields at least one output octet, so this
	 * bounds the work and the buffer below */
	if (alen > max_local)
		goto toolong;
	/* room for 3 octets per address octet, a block store, "@" domain:
	 * all small, as alen <= 1604 and dlen <= 255 */
	if (addr_buf_grow(out, PREFIX_LEN + tlen + 1 + MARKER_LEN + 3 * alen +
			  16 + 1 + dlen) < 0)
		return fail(err, ADDR_ENOMEM, 0, addr_strerror(ADDR_ENOMEM));
	start = out->ptr;
	memcpy(start, "IMCEA", PREFIX_LEN);
	o = copy_short(start + PREFIX_LEN, type, tlen);
	*o++ = '-';
	head = (size_t)(o - start);

	/* §1.4 form choice; an address that starts with the marker gets
	 * one of its own, or the decoder would take it for the form */
	wide = alen >= MARKER_LEN && memcmp(addr, MARKER, MARKER_LEN) == 0;
	for (;;) {
		o = start + head;
		if (wide) {
			memcpy(o, MARKER, MARKER_LEN);
			o += MARKER_LEN;
		}
		rc = escape(&o, a, alen, wide, &at);
		if (rc != ESC_WIDE)
			break;
		wide = 1;
	}
	if (rc == ESC_CONTROL) {
		rc = addr__error_set(err, ADDR_ESYNTAX, abase + at,
				     "control character \\x%02X in the "
				     "address", a[at]);
		goto fail;
	}
	if (rc == ESC_NOT_UTF8) {
		rc = fail(err, ADDR_ESYNTAX, abase + at,
			  "address is not valid UTF-8");
		goto fail;
	}
	/* R12: what the decoder checks after unescaping */
	if ((rc = check_value(kind, addr, alen, flags, abase, 1, err)) < 0)
		goto fail;
	local = (size_t)(o - start);
	if (local > max_local)
		goto toolong;
	if (local + 1 + dlen > max_total) {
		rc = fail(err, ADDR_ETOOLONG, abase, "address too long");
		goto fail;
	}
	*o++ = '@';
	o = copy_short(o, domain, dlen);
	out->size = (size_t)(o - start);
	*o = '\0';
	return 0;
toolong:
	rc = fail(err, ADDR_ETOOLONG, abase, flags & ADDR_IMCEA_RFC5321 ?
		  "local part longer than 64 characters (rfc5321)" :
		  "local part too long");
fail:
	addr_buf_clear(out);	/* also restores the NUL the writes replaced */
	return rc;
}

/* addr_imcea_encode - §1.4 for a type and an address given apart */
int addr_imcea_encode(struct addr_buf *out, const char *type, size_t tlen,
		      const char *address, size_t alen, const char *domain,
		      size_t dlen, unsigned flags, struct addr_error *err)
{
	return encode(out, type, tlen, 0, address, alen, 0, domain, dlen,
		      flags, err);
}

/* addr_imcea_encode_proxy - §1.4 for "TYPE:value", split at the first ":" */
int addr_imcea_encode_proxy(struct addr_buf *out, const char *proxy,
			    size_t len, const char *domain, size_t dlen,
			    unsigned flags, struct addr_error *err)
{
	const char *colon;
	size_t tlen;

	/* a valid type is at most 9 characters: look there first */
	for (tlen = 0; tlen < len && tlen <= TYPE_MAX && proxy[tlen] != ':';
	     tlen++)
		;
	colon = tlen < len && proxy[tlen] == ':' ? proxy + tlen :
		memchr(proxy, ':', len);
	if (colon == NULL) {
		addr_buf_clear(out);
		return fail(err, ADDR_ESYNTAX, len, "no \"TYPE:\" prefix");
	}
	tlen = (size_t)(colon - proxy);
	return encode(out, proxy, tlen, 0, colon + 1, len - tlen - 1,
		      tlen + 1, domain, dlen, flags, err);
}

/* ------------------------------------------------------------- decoder */

/*
 * unescape_type - R9 on the raw type s[0..n) (input offset off) into o,
 * upper-cased, then R11: 1..9 ASCII characters, no ":", no control
 * character, not blank. *tlen receives the length.
 */
static int unescape_type(char *o, size_t *tlen, const unsigned char *s,
			 size_t n, unsigned flags, size_t off,
			 struct addr_error *err)
{
	size_t i, k = 0, at;
	unsigned c;

	for (i = 0; i < n; i++) {
		at = i;
		c = s[i];
		if (c == '_') {
			c = '/';
		} else if (c == '+') {
			if (n - i >= 3 && hexval[s[i + 1]] < 16 &&
			    hexval[s[i + 2]] < 16) {
				c = (unsigned)(hexval[s[i + 1]] << 4) |
				    hexval[s[i + 2]];
				i += 2;
			} else if (flags & ADDR_IMCEA_STRICT) {
				return fail(err, ADDR_ESYNTAX, off + at,
					    "\"+\" without two hex digits");
			}
		}
		if (c >= 0x80)
			return fail(err, ADDR_ESYNTAX, off + at,
				    "type is not ASCII");
		if (c < 0x20 || c == 0x7F)
			return fail(err, ADDR_ESYNTAX, off + at,
				    "control character in the type");
		if (c == ':')
			return fail(err, ADDR_ESYNTAX, off + at,
				    "\":\" in the type");
		if (k == TYPE_MAX)
			return fail(err, ADDR_ETOOLONG, off,
				    "type longer than 9 characters");
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		o[k++] = (char)c;
	}
	if (k == 0)
		return fail(err, ADDR_ESYNTAX, off, "empty type");
	for (i = 0; i < k && o[i] == ' '; i++)
		;
	if (i == k)
		return fail(err, ADDR_ESYNTAX, off, "type is only white space");
	*tlen = k;
	return 0;
}

/*
 * unescape_addr - R9 / R10 on the raw address s[0..n) (input offset
 * off) to *op. octets: the "UTF8-" form, where "+HH" is an octet and
 * raw non-ASCII is an error; otherwise "+HH" is a Latin-1 code point
 * and raw non-ASCII (well-formed, checked by the caller) is copied.
 * Control characters are errors either way. The output is never longer
 * than the input, but a block store may write up to 16 octets past it:
 * the caller's buffer has that room.
 */
static int unescape_addr(char **op, const unsigned char *s, size_t n,
			 int octets, unsigned flags, size_t off,
			 struct addr_error *err)
{
	char *o = *op;
	size_t i = 0;
	unsigned c;

	while (i < n) {
#if defined(__SSE2__)
		{
			/* copy with "_" -> "/" up to the first "+", control
			 * or non-ASCII octet, which is done below */
			unsigned valid, stop;
			size_t k;
			__m128i x = load_any(s + i, n - i, &valid);

			stop = bits(_mm_or_si128(unprintable(x),
					_mm_cmpeq_epi8(x, splat('+')))) & valid;
			store16(o, _mm_xor_si128(x, _mm_and_si128(
					_mm_cmpeq_epi8(x, splat('_')),
					splat('/' ^ '_'))));
			if (stop == 0) {
				k = n - i < 16 ? n - i : 16;
				o += k;
				i += k;
				continue;
			}
			o += ctz(stop);
			i += ctz(stop);
		}
#endif
		c = s[i];
		switch (dec_class[c]) {
		case D_COPY:
			*o++ = (char)c;
			i++;
			continue;
		case D_UNDERSCORE:
			*o++ = '/';
			i++;
			continue;
		case D_PLUS:
			if (n - i >= 3 && hexval[s[i + 1]] < 16 &&
			    hexval[s[i + 2]] < 16) {
				c = (unsigned)(hexval[s[i + 1]] << 4) |
				    hexval[s[i + 2]];
				break;
			}
			if (flags & ADDR_IMCEA_STRICT)
				return fail(err, ADDR_ESYNTAX, off + i,
					    "\"+\" without two hex digits");
			*o++ = '+';	/* R9: kept, decoding goes on */
			i++;
			continue;
		case D_CONTROL:
			return addr__error_set(err, ADDR_ESYNTAX, off + i,
					       "control character \\x%02X in "
					       "the address", c);
		default:	/* D_HIGH: raw non-ASCII */
			if (octets)
				return fail(err, ADDR_ESYNTAX, off + i,
					    "raw non-ASCII character in the "
					    "UTF8- form");
			do
				*o++ = (char)s[i++];
			while (i < n && (s[i] & 0xC0) == 0x80);
			continue;
		}
		/* an escape "+HH" decoded to c */
		if (c < 0x20 || c == 0x7F)
			return addr__error_set(err, ADDR_ESYNTAX, off + i,
					       "control character \\x%02X in "
					       "the address", c);
		if (c < 0x80 || octets) {
			*o++ = (char)c;
		} else {
			o[0] = (char)(0xC0 | (c >> 6));
			o[1] = (char)(0x80 | (c & 0x3F));
			o += 2;
		}
		i += 3;
	}
	*op = o;
	return 0;
}

/* listed - R14 gate: domain d[0..n) is one of the local domains (ASCII
 * case-insensitive; NULL entries are skipped) */
static int listed(const char *d, size_t n, const char *const *local,
		  size_t nlocal)
{
	size_t k, i;

	for (k = 0; k < nlocal; k++) {
		const char *l = local[k];

		if (l == NULL || strlen(l) != n)
			continue;
		for (i = 0; i < n; i++) {
			unsigned char x = (unsigned char)d[i];
			unsigned char y = (unsigned char)l[i];

			if (x >= 'A' && x <= 'Z')
				x = (unsigned char)(x + 32);
			if (y >= 'A' && y <= 'Z')
				y = (unsigned char)(y + 32);
			if (x != y)
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

/* is_imcea - §1.6 step 2: the first five octets spell "IMCEA" */
static int is_imcea(const unsigned char *s, unsigned flags)
{
	if (flags & ADDR_IMCEA_STRICT)
		return memcmp(s, "IMCEA", PREFIX_LEN) == 0;
	return (s[0] | 0x20) == 'i' && (s[1] | 0x20) == 'm' &&
	       (s[2] | 0x20) == 'c' && (s[3] | 0x20) == 'e' &&
	       (s[4] | 0x20) == 'a';
}

/* addr_imcea_decode - §1.6: 1 decoded, 0 not encapsulated, or an error */
int addr_imcea_decode(struct addr_buf *out, const char *in, size_t len,
		      const char *const *local, size_t nlocal, unsigned flags,
		      struct addr_error *err)
{
	const unsigned char *s = (const unsigned char *)in;
	const unsigned char *dash;
	size_t i, j, bad, tlen = 0, vstart;
	int octets, rc;
	char *o, *v;

	addr_buf_clear(out);
	if ((bad = utf8_valid(s, len)) != len)
		return fail(err, ADDR_ESYNTAX, bad, "not valid UTF-8");
	if (len <= PREFIX_LEN || !is_imcea(s, flags))
		return 0;

	/* step 3: the first "-" after "IMCEA", the last "@" */
	dash = memchr(s + PREFIX_LEN, '-', len - PREFIX_LEN);
	j = last_at(s, len);
	if (dash == NULL)
		return fail(err, ADDR_ESYNTAX, PREFIX_LEN,
			    "no \"-\" after the type");
	i = (size_t)(dash - s);
	if (j == len)
		return fail(err, ADDR_ESYNTAX, len, "no \"@\"");
	if (j == len - 1)
		return fail(err, ADDR_ESYNTAX, j, "empty domain");
	if (j < i)
		return fail(err, ADDR_ESYNTAX, j, "\"@\" before the type's \"-\"");

	/* step 4: the domain gate; the content is then not looked at */
	if (local != NULL && !listed(in + j + 1, len - j - 1, local, nlocal))
		return 0;

	/* the output is never longer than the input; 16 more for the
	 * block stores of unescape_addr */
	if (len > (size_t)-1 - 16)
		return fail(err, ADDR_ETOOLONG, 0, "input too long");
	if (addr_buf_grow(out, len + 16) < 0)
		return fail(err, ADDR_ENOMEM, 0, addr_strerror(ADDR_ENOMEM));
	o = out->ptr;
	rc = unescape_type(o, &tlen, s + PREFIX_LEN, i - PREFIX_LEN, flags,
			   PREFIX_LEN, err);
	if (rc < 0)
		goto fail;
	o[tlen] = ':';

	/* steps 6 and 7 */
	vstart = i + 1;
	octets = j - vstart >= MARKER_LEN &&
		 memcmp(s + vstart, MARKER, MARKER_LEN) == 0;
	if (octets)
		vstart += MARKER_LEN;
	v = o = out->ptr + tlen + 1;
	rc = unescape_addr(&o, s + vstart, j - vstart, octets, flags, vstart,
			   err);
	if (rc < 0)
		goto fail;
	if (octets && addr_utf8_check(v, (size_t)(o - v)) != (size_t)(o - v)) {
		rc = fail(err, ADDR_ESYNTAX, vstart,
			  "UTF8- form does not decode to valid UTF-8");
		goto fail;
	}
	out->size = (size_t)(o - out->ptr);
	*o = '\0';

	/* step 8 */
	rc = check_value(type_kind(out->ptr, tlen), v, (size_t)(o - v), flags,
			 i + 1, 0, err);
	if (rc < 0)
		goto fail;
	return 1;
fail:
	addr_buf_clear(out);	/* also restores the NUL the writes replaced */
	return rc;
}
