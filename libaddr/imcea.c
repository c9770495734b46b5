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
 *	that is not blank.
 *
 * DIAGNOSTICS
 *	Negative ADDR_E* codes: ADDR_ESYNTAX, ADDR_ETOOLONG (a length limit
 *	of R7, R11 or of the type's own syntax), ADDR_ENOMEM; the optional
 *	struct addr_error says what and where.
 */
#include <stdint.h>
#include <string.h>
#include "addr_int.h"

/* Limits of spec-imcea-proxy.md R7, R11 and RFC 5321 §4.5.3.1.1. */
#define TYPE_MAX	9
#define LOCAL_MAX	315
#define TOTAL_MAX	571
#define X400_LOCAL_MAX	1604
#define X400_TOTAL_MAX	1860
#define RFC5321_LOCAL	64
#define DOMAIN_MAX	255
#define LABEL_MAX	63

/* "IMCEA" plus the "-" after the type, and the "UTF8-" marker. */
#define PREFIX_LEN	5
#define MARKER		"UTF8-"
#define MARKER_LEN	5

/* Classes of enc_class: what the encoder writes for an octet. */
enum { E_KEEP, E_SLASH, E_HEX, E_HIGH };
/* Classes of dec_class: what the decoder does with an input octet. */
enum { D_COPY, D_UNDERSCORE, D_PLUS, D_CONTROL, D_HIGH };

static const char hexdig[] = "0123456789ABCDEF";

static const unsigned char enc_class[256] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 2, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 2, 2,
	2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2,
	2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3
};

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

/* load64 - eight octets as one word, for the word-at-a-time scans */
static uint64_t load64(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/*
 * printable_word - every octet of x is printable ASCII (0x20..0x7E):
 * no octet >= 0x80, none < 0x20 and no DEL. The subtraction tests are
 * the "has a byte less than n" idiom; borrows can only mark octets above
 * one that is really below n, so the answer for the word is exact.
 */
static int printable_word(uint64_t x)
{
	uint64_t del = x ^ (ONES * 0x7F);

	return ((x | ((x - ONES * 0x20) & ~x) | ((del - ONES) & ~del)) &
		HIGHS) == 0;
}

/* ascii_prefix - length of the ASCII prefix of s[0..n) */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (n - i >= 8 && (load64(s + i) & HIGHS) == 0)
		i += 8;
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

/* utf8_valid - length of the well-formed UTF-8 prefix, ASCII words first */
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
	size_t at = n;
	int rc;

	if (n == 2 && v[0] == '<' && v[1] == '>')
		return 0;	/* the null path, which R21 accepts */
	/* R7's limits on the text as written, before the parser sees it */
	if (n > TOTAL_MAX)
		return fail(err, ADDR_ETOOLONG, off,
			    "SMTP address longer than 571 characters");
	while (at > 0 && v[at - 1] != '@')
		at--;
	if (at > 0 && at - 1 > LOCAL_MAX)
		return fail(err, ADDR_ETOOLONG, off,
			    "SMTP local part longer than 315 characters");
	if (at > 0 && n - at > DOMAIN_MAX)
		return fail(err, ADDR_ETOOLONG, off + at,
			    "SMTP domain longer than 255 characters");
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

	if (n >= 5 && ieq(v, 5, "X400:"))
		return fail(err, ADDR_ESYNTAX, off,
			    "invalid X.400 address: unknown key \"X400\"");
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
static int check_value(const char *type, size_t tlen, const char *v,
		       size_t n, unsigned flags, size_t off, int as_given,
		       struct addr_error *err)
{
	int rc = 0;

	if (n == 0)
		return fail(err, ADDR_ESYNTAX, off, "empty address");
	if (blank((const unsigned char *)v, n))
		return fail(err, ADDR_ESYNTAX, off,
			    "address is only white space");
	if (ieq(type, tlen, "SMTP"))
		rc = check_smtp(v, n, off, err);
	else if (ieq(type, tlen, "X400"))
		rc = check_x400(v, n, flags, off, err);
	else if (ieq(type, tlen, "EUM"))
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
 * the domain.
 */
static int check_domain(const char *d, size_t n, struct addr_error *err)
{
	size_t i, label = 0;

	if (n == 0)
		return fail(err, ADDR_ESYNTAX, 0, "empty domain");
	if (d[0] == '[')
		return fail(err, ADDR_ESYNTAX, 0, "IP-literal domain");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0)
				return fail(err, ADDR_ESYNTAX, i, i + 1 == n ?
					    "domain ends with a dot" :
					    "empty label in the domain");
			label = 0;
			continue;
		}
		if (c >= 0x80 || (enc_class[c] != E_KEEP && c != '_') ||
		    c == '=')
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       c >= 0x20 && c < 0x7F ?
					       "character '%c' not allowed in "
					       "the domain" : "character \\x%02X "
					       "not allowed in the domain", c);
		if (++label > LABEL_MAX)
			return fail(err, ADDR_ETOOLONG, i,
				    "domain label longer than 63 characters");
	}
	if (label == 0)
		return fail(err, ADDR_ESYNTAX, n - 1, "domain ends with a dot");
	if (n > DOMAIN_MAX)
		return fail(err, ADDR_ETOOLONG, 0,
			    "domain longer than 255 characters");
	return 0;
}

/*
 * scan_address - well-formed UTF-8 without U+0000..U+001F or U+007F;
 * *wide is set when some code point is above U+00FF (R5). Printable
 * ASCII goes eight octets at a time.
 */
static int scan_address(const unsigned char *s, size_t n, int *wide,
			size_t off, struct addr_error *err)
{
	size_t i = 0, k;

	*wide = 0;
	while (i < n) {
		unsigned char c;

		if (n - i >= 8 && printable_word(load64(s + i))) {
			i += 8;
			continue;
		}
		c = s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7F)
				return addr__error_set(err, ADDR_ESYNTAX,
						       off + i, "control "
						       "character \\x%02X in "
						       "the address", c);
			i++;
			continue;
		}
		k = addr__utf8_seqlen(s + i, n - i);
		if (k == 0)
			return fail(err, ADDR_ESYNTAX, off + i,
				    "address is not valid UTF-8");
		if (c >= 0xC4)	/* two-octet U+0100 and up, or longer */
			*wide = 1;
		i += k;
	}
	return 0;
}

/*
 * escape_latin1 - R2..R5 over code points U+0000..U+00FF of UTF-8 text
 * (the caller made sure there is none above); returns the end of the
 * output. Room for 3 output octets per input octet is needed.
 */
static char *escape_latin1(char *o, const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n;

	while (s < end) {
		unsigned c = *s++;

		switch (enc_class[c]) {
		case E_KEEP:
			*o++ = (char)c;
			break;
		case E_SLASH:
			*o++ = '_';
			break;
		case E_HIGH:	/* C2 or C3 lead: U+0080..U+00FF */
			c = ((c & 0x1F) << 6) | (*s++ & 0x3F);
			/* fall through */
		default:
			o[0] = '+';
			o[1] = hexdig[c >> 4];
			o[2] = hexdig[c & 15];
			o += 3;
			break;
		}
	}
	return o;
}

/* escape_octets - R2..R4 over octets (the "UTF8-" form); as above */
static char *escape_octets(char *o, const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n;

	while (s < end) {
		unsigned c = *s++;

		switch (enc_class[c]) {
		case E_KEEP:
			*o++ = (char)c;
			break;
		case E_SLASH:
			*o++ = '_';
			break;
		default:
			o[0] = '+';
			o[1] = hexdig[c >> 4];
			o[2] = hexdig[c & 15];
			o += 3;
			break;
		}
	}
	return o;
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
	size_t head, cap, local;
	int wide, rc;
	char *o;

	addr_buf_clear(out);
	if ((rc = check_type(type, tlen, tbase, err)) < 0 ||
	    (rc = check_domain(domain, dlen, err)) < 0 ||
	    (rc = scan_address(a, alen, &wide, abase, err)) < 0 ||
	    (rc = check_value(type, tlen, addr, alen, flags, abase, 1,
				 err)) < 0)
		return rc;

	/* R7: the X.400 limits apply when the result starts "IMCEAX400-" */
	if (ieq(type, tlen, "X400")) {
		max_local = X400_LOCAL_MAX;
		max_total = X400_TOTAL_MAX;
	}
	if ((flags & ADDR_IMCEA_RFC5321) && max_local > RFC5321_LOCAL)
		max_local = RFC5321_LOCAL;

	/* §1.4 form choice; an address that starts with the marker must
	 * get one of its own, or the decoder would take it for the form */
	if (!wide && alen >= MARKER_LEN && memcmp(addr, MARKER, MARKER_LEN) == 0)
		wide = 1;
	head = PREFIX_LEN + tlen + 1 + (wide ? MARKER_LEN : 0);
	/* every input octet yields at least one output octet */
	if (alen > max_local || head + alen > max_local)
		return fail(err, ADDR_ETOOLONG, abase, flags & ADDR_IMCEA_RFC5321 ?
			    "local part longer than 64 characters (rfc5321)" :
			    "local part too long");
	cap = head + 3 * alen + 1 + dlen;	/* alen <= 1604: no overflow */
	if (addr_buf_grow(out, cap) < 0)
		return fail(err, ADDR_ENOMEM, 0, addr_strerror(ADDR_ENOMEM));
	o = out->ptr;
	memcpy(o, "IMCEA", PREFIX_LEN);
	memcpy(o + PREFIX_LEN, type, tlen);
	o += PREFIX_LEN + tlen;
	*o++ = '-';
	if (wide) {
		memcpy(o, MARKER, MARKER_LEN);
		o += MARKER_LEN;
		o = escape_octets(o, a, alen);
	} else {
		o = escape_latin1(o, a, alen);
	}
	local = (size_t)(o - out->ptr);
	if (local > max_local || local + 1 + dlen > max_total) {
		addr_buf_clear(out);
		return fail(err, ADDR_ETOOLONG, abase, local > max_local ?
			    (flags & ADDR_IMCEA_RFC5321 ?
			     "local part longer than 64 characters (rfc5321)" :
			     "local part too long") : "address too long");
	}
	*o++ = '@';
	memcpy(o, domain, dlen);
	out->size = local + 1 + dlen;
	out->ptr[out->size] = '\0';
	return 0;
}

int addr_imcea_encode(struct addr_buf *out, const char *type, size_t tlen,
		      const char *address, size_t alen, const char *domain,
		      size_t dlen, unsigned flags, struct addr_error *err)
{
	return encode(out, type, tlen, 0, address, alen, 0, domain, dlen,
		      flags, err);
}

int addr_imcea_encode_proxy(struct addr_buf *out, const char *proxy,
			    size_t len, const char *domain, size_t dlen,
			    unsigned flags, struct addr_error *err)
{
	const char *colon = memchr(proxy, ':', len);
	size_t tlen;

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
 * off) into o; *olen receives the length. octets: the "UTF8-" form,
 * where "+HH" is an octet and raw non-ASCII is an error; otherwise
 * "+HH" is a Latin-1 code point and raw non-ASCII (well-formed, checked
 * by the caller) is copied. Control characters are errors either way.
 * Output is never longer than the input.
 */
static int unescape_addr(char *o, size_t *olen, const unsigned char *s,
			 size_t n, int octets, unsigned flags, size_t off,
			 struct addr_error *err)
{
	char *start = o;
	size_t i = 0;
	unsigned c;

	while (i < n) {
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
	*olen = (size_t)(o - start);
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

int addr_imcea_decode(struct addr_buf *out, const char *in, size_t len,
		      const char *const *local, size_t nlocal, unsigned flags,
		      struct addr_error *err)
{
	const unsigned char *s = (const unsigned char *)in;
	const unsigned char *dash;
	size_t i, j, bad, tlen = 0, alen, vlen = 0, vstart;
	int octets, rc;
	char *o;

	addr_buf_clear(out);
	if ((bad = utf8_valid(s, len)) != len)
		return fail(err, ADDR_ESYNTAX, bad, "not valid UTF-8");
	if (len <= PREFIX_LEN || !is_imcea(s, flags))
		return 0;

	/* step 3: the first "-" after "IMCEA", the last "@" */
	dash = memchr(s + PREFIX_LEN, '-', len - PREFIX_LEN);
	for (j = len; j > 0 && s[j - 1] != '@'; j--)
		;
	if (dash == NULL)
		return fail(err, ADDR_ESYNTAX, PREFIX_LEN,
			    "no \"-\" after the type");
	i = (size_t)(dash - s);
	if (j == 0)
		return fail(err, ADDR_ESYNTAX, len, "no \"@\"");
	j--;
	if (j == len - 1)
		return fail(err, ADDR_ESYNTAX, j, "empty domain");
	if (j < i)
		return fail(err, ADDR_ESYNTAX, j, "\"@\" before the type's \"-\"");

	/* step 4: the domain gate; the content is then not looked at */
	if (local != NULL && !listed(in + j + 1, len - j - 1, local, nlocal))
		return 0;

	/* the output is never longer than the input */
	if (addr_buf_grow(out, len) < 0)
		return fail(err, ADDR_ENOMEM, 0, addr_strerror(ADDR_ENOMEM));
	o = out->ptr;
	rc = unescape_type(o, &tlen, s + PREFIX_LEN, i - PREFIX_LEN, flags,
			   PREFIX_LEN, err);
	if (rc < 0)
		goto fail;
	o[tlen] = ':';

	/* steps 6 and 7 */
	vstart = i + 1;
	alen = j - vstart;
	octets = alen >= MARKER_LEN && memcmp(s + vstart, MARKER, MARKER_LEN) == 0;
	if (octets)
		vstart += MARKER_LEN;
	rc = unescape_addr(o + tlen + 1, &vlen, s + vstart, j - vstart, octets,
			   flags, vstart, err);
	if (rc < 0)
		goto fail;
	if (octets && addr_utf8_check(o + tlen + 1, vlen) != vlen) {
		rc = fail(err, ADDR_ESYNTAX, vstart,
			  "UTF8- form does not decode to valid UTF-8");
		goto fail;
	}
	out->size = tlen + 1 + vlen;
	o[out->size] = '\0';

	/* step 8 */
	rc = check_value(o, tlen, o + tlen + 1, vlen, flags, i + 1, 0, err);
	if (rc < 0)
		goto fail;
	return 1;
fail:
	addr_buf_clear(out);	/* also restores the NUL the writes replaced */
	return rc;
}
