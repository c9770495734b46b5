/*
 * text.c - Unicode text operations through ICU
 *
 * EXPORTS
 *	addr__text_is_nfc()	is UTF-8 text in Normalization Form C?
 *	addr__text_nfc()	append the NFC form of UTF-8 text
 *	addr__text_decode()	convert octets in a named charset to UTF-8
 *	addr__text_conv_open(), _close(), _decode(), _encode()
 *				a converter for files (CSV, spec-directory.md
 *				§5.7): STOP callbacks, never a substitute
 *	addr__text_charset_eq()	do two charset names name one converter?
 *	addr__text_casefold()	append the full case folding of UTF-8 text
 *	addr__translit_open(), addr__translit_run(), addr__translit_close()
 *				ICU transliteration (address policies)
 *
 * ICU works in UTF-16; each call converts in and out. The ASCII fast
 * paths matter: almost every address is ASCII, and ASCII is always NFC.
 */
#include <limits.h>
#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/uchar.h>
#include <unicode/utrans.h>
#include <unicode/utf16.h>
#include "addr_int.h"

static int is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * nfc_inert_cp - a code point that is NFC_Quick_Check=Yes and always has
 * a normalization boundary before it (it never combines with what
 * precedes it). A string of such code points is in NFC, so NFC needs no
 * ICU call for it. The ranges: U+0000..U+02FF (the combining marks begin
 * at U+0300), Greek U+0370..U+03FF less its three singletons, Cyrillic
 * U+0400..U+04FF less its five combining marks, Hiragana and Katakana U+3040..U+30FF less the two
 * combining voicing marks, CJK Unified Ideographs U+4E00..U+9FFF.
 * tests/test_text.c checks every one of them against ICU.
 */
static int nfc_inert_cp(uint32_t c)
{
	if (c < 0x300)
		return 1;
	if (c >= 0x370 && c <= 0x4FF)
		return c != 0x374 && c != 0x37E && c != 0x387 &&
		       (c < 0x483 || c > 0x487);	/* Cyrillic combining marks */
	if (c >= 0x3040 && c <= 0x30FF)
		return c != 0x3099 && c != 0x309A;
	return c >= 0x4E00 && c <= 0x9FFF;
}

/* nfc_inert - every code point of well-formed UTF-8 text is inert */
static int nfc_inert(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = addr__utf8_seqlen(p + i, n - i);
		if (k == 0 || !nfc_inert_cp(addr__utf8_decode(p + i, k)))
			return 0;
		i += k;
	}
	return 1;
}

/* addr__text_nfc_inert - exported for the test of the ranges above */
int addr__text_nfc_inert_cp(uint32_t c)
{
	return nfc_inert_cp(c);
}

/* to_u16 - UTF-8 to a freshly allocated UTF-16 string */
static int to_u16(UChar **dst, int32_t *dlen, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;
	UChar *u;

	if (n > INT32_MAX / 2)
		return ADDR_EINVAL;
	u_strFromUTF8(NULL, 0, &len, s, (int32_t)n, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return ADDR_ESYNTAX;
	u = addr__malloc(((size_t)len + 1) * sizeof(UChar));
	if (u == NULL)
		return ADDR_ENOMEM;
	st = U_ZERO_ERROR;
	u_strFromUTF8(u, len + 1, NULL, s, (int32_t)n, &st);
	if (U_FAILURE(st)) {
		addr__free(u);
		return ADDR_ESYNTAX;
	}
	*dst = u;
	*dlen = len;
	return 0;
}

/* put_u16 - append UTF-16 text to out as UTF-8 */
static int put_u16(struct addr_buf *out, const UChar *u, int32_t ulen)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	u_strToUTF8(NULL, 0, &len, u, ulen, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return ADDR_ESYNTAX;
	if (addr_buf_grow(out, out->size + (size_t)len) < 0)
		return ADDR_ENOMEM;
	st = U_ZERO_ERROR;
	u_strToUTF8(out->ptr + out->size, len + 1, NULL, u, ulen, &st);
	if (U_FAILURE(st))
		return ADDR_ESYNTAX;
	out->size += (size_t)len;
	out->ptr[out->size] = '\0';
	return 0;
}

int addr__text_is_nfc(const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfc;
	UChar *u;
	int32_t ulen;
	int rc;
	UBool yes;

	if (is_ascii(s, n) || nfc_inert(s, n))
		return 1;
	nfc = unorm2_getNFCInstance(&st);
	if (U_FAILURE(st))
		return ADDR_EINVAL;
	if ((rc = to_u16(&u, &ulen, s, n)) < 0)
		return rc;
	yes = unorm2_isNormalized(nfc, u, ulen, &st);
	addr__free(u);
	if (U_FAILURE(st))
		return ADDR_EINVAL;
	return yes ? 1 : 0;
}

int addr__text_nfc(struct addr_buf *out, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfc;
	UChar *u, *v;
	int32_t ulen, vlen;
	int rc;

	if (is_ascii(s, n) || nfc_inert(s, n))
		return addr_buf_put(out, s, n);
	nfc = unorm2_getNFCInstance(&st);
	if (U_FAILURE(st))
		return ADDR_EINVAL;
	if ((rc = to_u16(&u, &ulen, s, n)) < 0)
		return rc;
	vlen = unorm2_normalize(nfc, u, ulen, NULL, 0, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) {
		addr__free(u);
		return ADDR_EINVAL;
	}
	v = addr__malloc(((size_t)vlen + 1) * sizeof(UChar));
	if (v == NULL) {
		addr__free(u);
		return ADDR_ENOMEM;
	}
	st = U_ZERO_ERROR;
	unorm2_normalize(nfc, u, ulen, v, vlen + 1, &st);
	addr__free(u);
	rc = U_FAILURE(st) ? ADDR_EINVAL : put_u16(out, v, vlen);
	addr__free(v);
	return rc;
}

int addr__text_casefold(struct addr_buf *out, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar *u, *v;
	int32_t ulen, vlen;
	int rc;
	size_t i;

	if (is_ascii(s, n)) {
		for (i = 0; i < n; i++) {
			char c = s[i];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			if (addr_buf_putc(out, c) < 0)
				return ADDR_ENOMEM;
		}
		return 0;
	}
	if ((rc = to_u16(&u, &ulen, s, n)) < 0)
		return rc;
	vlen = u_strFoldCase(NULL, 0, u, ulen, U_FOLD_CASE_DEFAULT, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) {
		addr__free(u);
		return ADDR_EINVAL;
	}
	v = addr__malloc(((size_t)vlen + 1) * sizeof(UChar));
	if (v == NULL) {
		addr__free(u);
		return ADDR_ENOMEM;
	}
	st = U_ZERO_ERROR;
	u_strFoldCase(v, vlen + 1, u, ulen, U_FOLD_CASE_DEFAULT, &st);
	addr__free(u);
	rc = U_FAILURE(st) ? ADDR_EINVAL : put_u16(out, v, vlen);
	addr__free(v);
	return rc;
}

int addr__text_decode(struct addr_buf *out, const char *charset,
		      const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	UConverter *cnv;
	UChar *u;
	int32_t ulen;
	int rc;

	if (n > INT32_MAX / 4)
		return ADDR_EINVAL;
	cnv = ucnv_open(charset, &st);
	if (U_FAILURE(st) || cnv == NULL)
		return ADDR_ENOTSUP;	/* warnings (ambiguous alias) pass */
	st = U_ZERO_ERROR;
	ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
	if (U_FAILURE(st)) {
		ucnv_close(cnv);
		return ADDR_EINVAL;
	}
	/* a byte yields at most two UTF-16 units in any ICU charset */
	u = addr__malloc(((size_t)n * 2 + 1) * sizeof(UChar));
	if (u == NULL) {
		ucnv_close(cnv);
		return ADDR_ENOMEM;
	}
	ulen = ucnv_toUChars(cnv, u, (int32_t)n * 2 + 1, s, (int32_t)n, &st);
	ucnv_close(cnv);
	if (U_FAILURE(st)) {
		addr__free(u);
		return ADDR_ESYNTAX;
	}
	rc = put_u16(out, u, ulen);
	addr__free(u);
	return rc;
}

/* ------------------------------------------------- file converters */

/*
 * A converter for whole files. ICU substitutes undecodable input unless
 * told otherwise; a directory file must never be changed behind the
 * user's back, so both directions use STOP callbacks and report what
 * they could not convert. ICU's windows-1252 ("ibm-5348_P100-1997")
 * maps the five bytes windows-1252 leaves unassigned to C1 controls, so
 * they are refused here by hand (spec-directory.md §5.7, verified on
 * ICU 72).
 */
struct conv {
	UConverter *u;
	int cp1252;		/* refuse 0x81 0x8D 0x8F 0x90 0x9D */
};

#define CONV_CHUNK 2048		/* UTF-16 units per ICU call */

static int cp1252_hole(unsigned char c)
{
	return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

/* canonical - ICU's name of the converter charset opens, or NULL */
static const char *canonical(UConverter **u, const char *charset)
{
	UErrorCode st = U_ZERO_ERROR;
	const char *name;

	*u = ucnv_open(charset, &st);
	if (U_FAILURE(st) || *u == NULL) {	/* warnings (ambiguous
						 * alias) pass */
		*u = NULL;
		return NULL;
	}
	st = U_ZERO_ERROR;
	name = ucnv_getName(*u, &st);
	return U_FAILURE(st) ? NULL : name;
}

int addr__text_charset_eq(const char *a, const char *b)
{
	UConverter *ua, *ub;
	const char *na = canonical(&ua, a), *nb = canonical(&ub, b);
	int rc = na == NULL || nb == NULL ? ADDR_ENOTSUP : strcmp(na, nb) == 0;

	if (ua != NULL)
		ucnv_close(ua);
	if (ub != NULL)
		ucnv_close(ub);
	return rc;
}

int addr__text_conv_open(void **out, const char *charset)
{
	UErrorCode st = U_ZERO_ERROR;
	struct conv *c;
	UConverter *w;
	const char *name;

	*out = NULL;
	if ((c = addr__malloc(sizeof(*c))) == NULL)
		return ADDR_ENOMEM;
	if ((name = canonical(&c->u, charset)) == NULL) {
		if (c->u != NULL)
			ucnv_close(c->u);
		addr__free(c);
		return ADDR_ENOTSUP;
	}
	c->cp1252 = 0;
	{
		const char *wn = canonical(&w, "windows-1252");

		c->cp1252 = wn != NULL && strcmp(wn, name) == 0;
		if (w != NULL)
			ucnv_close(w);
	}
	ucnv_setToUCallBack(c->u, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
			    &st);
	ucnv_setFromUCallBack(c->u, UCNV_FROM_U_CALLBACK_STOP, NULL, NULL,
			      NULL, &st);
	if (U_FAILURE(st)) {
		ucnv_close(c->u);
		addr__free(c);
		return ADDR_EINVAL;
	}
	*out = c;
	return 0;
}

void addr__text_conv_close(void *cv)
{
	struct conv *c = cv;

	if (c == NULL)
		return;
	ucnv_close(c->u);
	addr__free(c);
}

/* decode_run - one stretch without cp1252 holes; bad sequences are
 * skipped and counted, *first gets the offset of the first (from base) */
static int decode_run(struct conv *c, struct addr_buf *out, const char *s,
		      size_t n, const char *base, size_t *first, size_t *nbad)
{
	UChar u[CONV_CHUNK];
	const char *src = s, *lim = s + n;
	size_t carry = 0;	/* a lead surrogate kept for the next chunk */

	for (;;) {
		UErrorCode st = U_ZERO_ERROR;
		UChar *t = u + carry;
		size_t m;
		int rc;

		ucnv_toUnicode(c->u, &t, u + CONV_CHUNK, &src, lim, NULL, 1, &st);
		m = (size_t)(t - u);
		carry = st == U_BUFFER_OVERFLOW_ERROR && m > 0 &&
			U16_IS_LEAD(u[m - 1]);
		if (m > carry &&
		    (rc = put_u16(out, u, (int32_t)(m - carry))) < 0)
			return rc == ADDR_ENOMEM ? rc : ADDR_EINVAL;
		if (carry)
			u[0] = u[m - 1];
		if (st == U_BUFFER_OVERFLOW_ERROR)
			continue;
		if (st == U_ILLEGAL_CHAR_FOUND || st == U_INVALID_CHAR_FOUND ||
		    st == U_TRUNCATED_CHAR_FOUND ||
		    st == U_ILLEGAL_ESCAPE_SEQUENCE) {
			char bad[32];
			int8_t blen = (int8_t)sizeof(bad);
			UErrorCode e2 = U_ZERO_ERROR;

			ucnv_getInvalidChars(c->u, bad, &blen, &e2);
			if (U_FAILURE(e2) || blen < 0 || (size_t)blen > (size_t)(src - s))
				blen = 0;
			if ((*nbad)++ == 0)
				*first = (size_t)(src - base) - (size_t)blen;
			continue;
		}
		if (U_FAILURE(st))
			return ADDR_EINVAL;
		break;
	}
	ucnv_resetToUnicode(c->u);
	return 0;
}

int addr__text_conv_decode(void *cv, struct addr_buf *out, const char *s,
			   size_t n, size_t *bad)
{
	struct conv *c = cv;
	size_t i = 0, j, nbad = 0, first = 0;
	int rc;

	if (n > INT32_MAX)
		return ADDR_EINVAL;
	while (i < n) {
		j = i;
		if (c->cp1252)
			while (j < n && !cp1252_hole((unsigned char)s[j]))
				j++;
		else
			j = n;
		if (j > i &&
		    (rc = decode_run(c, out, s + i, j - i, s, &first, &nbad)) < 0)
			return rc;
		if (j < n && nbad++ == 0)	/* a hole */
			first = j;
		i = j + (j < n);
	}
	if (bad != NULL)
		*bad = first;
	return out->oom ? ADDR_ENOMEM : (int)(nbad > INT32_MAX ? INT32_MAX : nbad);
}

/* u8_offset - the UTF-8 offset of UTF-16 unit index k of s */
static size_t u8_offset(const char *s, size_t n, size_t k)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, units = 0, l;

	while (i < n && units < k) {
		l = addr__utf8_seqlen(p + i, n - i);
		if (l == 0)
			l = 1;
		units += l == 4 ? 2 : 1;
		i += l;
	}
	return i;
}

int addr__text_conv_encode(void *cv, struct addr_buf *out, const char *s,
			   size_t n, size_t *bad)
{
	struct conv *c = cv;
	char b[CONV_CHUNK * 4];
	const UChar *src, *lim;
	UChar *u;
	int32_t ulen;
	size_t i;
	int rc;

	if (bad != NULL)
		*bad = 0;
	if ((i = addr_utf8_check(s, n)) != n) {
		if (bad != NULL)
			*bad = i;
		return ADDR_ESYNTAX;
	}
	/* the C1 controls ICU would write as windows-1252's holes */
	for (i = 0; c->cp1252 && i + 1 < n; i++)
		if ((unsigned char)s[i] == 0xC2 &&
		    cp1252_hole((unsigned char)s[i + 1])) {
			if (bad != NULL)
				*bad = i;
			return ADDR_ESYNTAX;
		}
	if (n == 0)
		return 0;
	if ((rc = to_u16(&u, &ulen, s, n)) < 0)
		return rc;
	src = u;
	lim = u + ulen;
	rc = 0;
	for (;;) {
		UErrorCode st = U_ZERO_ERROR;
		char *t = b;

		ucnv_fromUnicode(c->u, &t, b + sizeof(b), &src, lim, NULL, 1,
				 &st);
		if (t > b && addr_buf_put(out, b, (size_t)(t - b)) < 0) {
			rc = ADDR_ENOMEM;
			break;
		}
		if (st == U_BUFFER_OVERFLOW_ERROR)
			continue;
		if (U_FAILURE(st)) {
			UChar inv[8];
			int8_t il = (int8_t)(sizeof(inv) / sizeof(inv[0]));
			UErrorCode e2 = U_ZERO_ERROR;

			ucnv_getInvalidUChars(c->u, inv, &il, &e2);
			if (U_FAILURE(e2) || il < 0 || il > src - u)
				il = 0;
			if (bad != NULL)
				*bad = u8_offset(s, n, (size_t)(src - u) -
						 (size_t)il);
			rc = ADDR_ESYNTAX;
		}
		break;
	}
	ucnv_resetFromUnicode(c->u);
	addr__free(u);
	return rc;
}

/* addr__translit_open - an ICU transliterator for id (e.g.
 * "de-ASCII; Any-Latin; Latin-ASCII"); ADDR_ENOTSUP for an unknown id */
int addr__translit_open(void **out, const char *id)
{
	UErrorCode st = U_ZERO_ERROR;
	UParseError pe;
	UChar *u;
	int32_t ulen;
	int rc;
	UTransliterator *t;

	*out = NULL;
	if ((rc = to_u16(&u, &ulen, id, strlen(id))) < 0)
		return rc;
	t = utrans_openU(u, ulen, UTRANS_FORWARD, NULL, 0, &pe, &st);
	addr__free(u);
	if (U_FAILURE(st) || t == NULL)
		return ADDR_ENOTSUP;
	*out = t;
	return 0;
}

void addr__translit_close(void *t)
{
	if (t != NULL)
		utrans_close(t);
}

/* addr__translit_run - append the transliteration of UTF-8 s to out */
int addr__translit_run(void *t, struct addr_buf *out, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar *u, *v;
	int32_t ulen, cap, len, limit;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = to_u16(&u, &ulen, s, n)) < 0)
		return rc;
	/* transliteration grows text (ß -> ss, Ü -> Ue, CJK -> syllables);
	 * retry with more room when ICU asks for it */
	for (cap = ulen * 4 + 16;; cap *= 2) {
		if (cap > INT32_MAX / 4) {
			addr__free(u);
			return ADDR_ETOOLONG;
		}
		v = addr__malloc((size_t)cap * sizeof(UChar));
		if (v == NULL) {
			addr__free(u);
			return ADDR_ENOMEM;
		}
		memcpy(v, u, (size_t)ulen * sizeof(UChar));
		len = limit = ulen;
		st = U_ZERO_ERROR;
		utrans_transUChars(t, v, &len, cap, 0, &limit, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR)
			break;
		addr__free(v);
	}
	addr__free(u);
	rc = U_FAILURE(st) ? ADDR_EINVAL : put_u16(out, v, len);
	addr__free(v);
	return rc;
}
