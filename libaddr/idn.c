/*
 * idn.c - IDNA2008 / UTS #46 processing through ICU
 *
 * EXPORTS
 *	addr__idn_name_to_ascii()	UTS #46 ToASCII of a whole name
 *	addr__idn_name_to_unicode()	UTS #46 ToUnicode of a whole name
 *	addr__idn_label_to_ascii(), addr__idn_label_to_unicode()
 *	addr__idn_punycode()		RFC 3492 encoding of one label
 *
 * One UIDNA object is opened on first use and shared: ICU documents it as
 * thread-safe, and opening one costs far more than a lookup. The options
 * are those of spec-address.md §2.3 (non-transitional, Bidi, CONTEXTJ,
 * STD3 rules). Error bits are returned as ICU's UIDNA_ERROR_* values; the
 * ADDR__IDN_* mirrors in addr_int.h are checked against them below, so
 * that no other file needs an ICU header.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <unicode/uidna.h>
#include "addr_int.h"

_Static_assert(ADDR__IDN_EMPTY_LABEL == UIDNA_ERROR_EMPTY_LABEL, "idn");
_Static_assert(ADDR__IDN_LABEL_TOO_LONG == UIDNA_ERROR_LABEL_TOO_LONG, "idn");
_Static_assert(ADDR__IDN_DOMAIN_TOO_LONG == UIDNA_ERROR_DOMAIN_NAME_TOO_LONG, "idn");
_Static_assert(ADDR__IDN_LEADING_HYPHEN == UIDNA_ERROR_LEADING_HYPHEN, "idn");
_Static_assert(ADDR__IDN_TRAILING_HYPHEN == UIDNA_ERROR_TRAILING_HYPHEN, "idn");
_Static_assert(ADDR__IDN_HYPHEN_3_4 == UIDNA_ERROR_HYPHEN_3_4, "idn");
_Static_assert(ADDR__IDN_LEADING_COMBINING == UIDNA_ERROR_LEADING_COMBINING_MARK, "idn");
_Static_assert(ADDR__IDN_DISALLOWED == UIDNA_ERROR_DISALLOWED, "idn");
_Static_assert(ADDR__IDN_PUNYCODE == UIDNA_ERROR_PUNYCODE, "idn");
_Static_assert(ADDR__IDN_LABEL_HAS_DOT == UIDNA_ERROR_LABEL_HAS_DOT, "idn");
_Static_assert(ADDR__IDN_INVALID_ACE == UIDNA_ERROR_INVALID_ACE_LABEL, "idn");
_Static_assert(ADDR__IDN_BIDI == UIDNA_ERROR_BIDI, "idn");
_Static_assert(ADDR__IDN_CONTEXTJ == UIDNA_ERROR_CONTEXTJ, "idn");
_Static_assert(ADDR__IDN_CONTEXTO_PUNCT == UIDNA_ERROR_CONTEXTO_PUNCTUATION, "idn");
_Static_assert(ADDR__IDN_CONTEXTO_DIGITS == UIDNA_ERROR_CONTEXTO_DIGITS, "idn");

static pthread_once_t once = PTHREAD_ONCE_INIT;
static UIDNA *uts46;

static void open_uts46(void)
{
	UErrorCode st = U_ZERO_ERROR;

	uts46 = uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII |
				UIDNA_NONTRANSITIONAL_TO_UNICODE |
				UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
				UIDNA_USE_STD3_RULES, &st);
	if (U_FAILURE(st))
		uts46 = NULL;
}

typedef int32_t (*idna_fn)(const UIDNA *, const char *, int32_t, char *,
			   int32_t, UIDNAInfo *, UErrorCode *);

/* run - call one ICU function with a buffer that grows on overflow */
static int run(idna_fn fn, struct addr_buf *out, const char *s, size_t n,
	       uint32_t *errors)
{
	UIDNAInfo info = UIDNA_INFO_INITIALIZER;
	UErrorCode st = U_ZERO_ERROR;
	int32_t got, cap;

	addr_buf_clear(out);
	*errors = 0;
	pthread_once(&once, open_uts46);
	if (uts46 == NULL || n > INT32_MAX / 4)
		return ADDR_EINVAL;
	cap = (int32_t)n * 4 + 16;
	if (addr_buf_grow(out, (size_t)cap) < 0)
		return ADDR_ENOMEM;
	got = fn(uts46, s, (int32_t)n, out->ptr, cap, &info, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		st = U_ZERO_ERROR;
		cap = got + 1;
		if (addr_buf_grow(out, (size_t)cap) < 0)
			return ADDR_ENOMEM;
		info = (UIDNAInfo)UIDNA_INFO_INITIALIZER;
		got = fn(uts46, s, (int32_t)n, out->ptr, cap, &info, &st);
	}
	if (U_FAILURE(st) || got < 0)
		return ADDR_EINVAL;
	out->size = (size_t)got;
	out->ptr[out->size] = '\0';
	*errors = info.errors;
	return 0;
}

int addr__idn_name_to_ascii(struct addr_buf *out, const char *s, size_t n,
			    uint32_t *errors)
{
	return run(uidna_nameToASCII_UTF8, out, s, n, errors);
}

int addr__idn_name_to_unicode(struct addr_buf *out, const char *s, size_t n,
			      uint32_t *errors)
{
	return run(uidna_nameToUnicodeUTF8, out, s, n, errors);
}

int addr__idn_label_to_ascii(struct addr_buf *out, const char *s, size_t n,
			     uint32_t *errors)
{
	return run(uidna_labelToASCII_UTF8, out, s, n, errors);
}

int addr__idn_label_to_unicode(struct addr_buf *out, const char *s, size_t n,
			       uint32_t *errors)
{
	return run(uidna_labelToUnicodeUTF8, out, s, n, errors);
}

/*
 * addr__idn_punycode - append "xn--" and the RFC 3492 §6.3 encoding of
 * one UTF-8 label (well-formed, as ICU's ToUnicode output is). ICU keeps
 * its encoder private; the algorithm is short and fully specified.
 * Returns 0, ADDR_ENOMEM, or ADDR_EINVAL on overflow.
 */
#define PC_BASE 36u
#define PC_TMIN 1u
#define PC_TMAX 26u
#define PC_SKEW 38u
#define PC_DAMP 700u

static uint32_t adapt(uint32_t delta, uint32_t numpoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / PC_DAMP : delta / 2;
	delta += delta / numpoints;
	while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
		delta /= PC_BASE - PC_TMIN;
		k += PC_BASE;
	}
	return k + (PC_BASE - PC_TMIN + 1) * delta / (delta + PC_SKEW);
}

static char digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

int addr__idn_punycode(struct addr_buf *out, const char *label, size_t n)
{
	uint32_t cps[64], m, delta = 0, bias = 72, h, b = 0, q, k, t;
	uint32_t next = 0x80;
	size_t ncp = 0, i = 0, j;
	char *o;
	const unsigned char *s = (const unsigned char *)label;

	while (i < n) {
		size_t k8 = addr__utf8_seqlen(s + i, n - i);
		if (k8 == 0 || ncp == 64)
			return ADDR_EINVAL;	/* no label is that long */
		cps[ncp++] = addr__utf8_decode(s + i, k8);
		i += k8;
	}
	/* "xn--", the basic code points, "-" and at most 11 digits a code
	 * point (a delta below 2^32): write into the buffer directly */
	if (addr_buf_grow(out, out->size + 8 + ncp * 12) < 0)
		return ADDR_ENOMEM;
	o = out->ptr + out->size;
	memcpy(o, "xn--", 4);
	o += 4;
	for (j = 0; j < ncp; j++)
		if (cps[j] < 0x80) {
			*o++ = (char)cps[j];
			b++;
		}
	h = b;
	if (b > 0)
		*o++ = '-';
	while (h < ncp) {
		m = UINT32_MAX;
		for (j = 0; j < ncp; j++)
			if (cps[j] >= next && cps[j] < m)
				m = cps[j];
		if ((m - next) > (UINT32_MAX - delta) / (h + 1))
			return ADDR_EINVAL;
		delta += (m - next) * (h + 1);
		next = m;
		for (j = 0; j < ncp; j++) {
			if (cps[j] < next && ++delta == 0)
				return ADDR_EINVAL;
			if (cps[j] == next) {
				for (q = delta, k = PC_BASE;; k += PC_BASE) {
					t = k <= bias ? PC_TMIN
					    : k >= bias + PC_TMAX ? PC_TMAX : k - bias;
					if (q < t)
						break;
					*o++ = digit(t + (q - t) % (PC_BASE - t));
					q = (q - t) / (PC_BASE - t);
				}
				*o++ = digit(q);
				bias = adapt(delta, h + 1, h == b);
				delta = 0;
				h++;
			}
		}
		delta++;
		next++;
	}
	out->size = (size_t)(o - out->ptr);
	out->ptr[out->size] = '\0';
	return 0;
}
