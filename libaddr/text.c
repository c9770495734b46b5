/*
 * text.c - Unicode text operations through ICU
 *
 * EXPORTS
 *	addr__text_is_nfc()	is UTF-8 text in Normalization Form C?
 *	addr__text_nfc()	append the NFC form of UTF-8 text
 *	addr__text_decode()	convert octets in a named charset to UTF-8
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
