/*
 * test_base.c - unit tests of libaddr's base modules
 *
 * Covers struct addr_buf (buf.c) including sticky out-of-memory under a
 * failing allocator, addr_utf8_check (utf8.c) against the RFC 3629 §4
 * table, the diagnosis tables of spec-address.md §4.3 (diag.c) and
 * addr_strerror (error.c). Table-driven; failures print "got X, want Y".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* ------------------------------------------------ a counting allocator */

static long live;		/* blocks handed out and not freed */
static int fail_all;		/* nonzero: every allocation fails */

static void *t_malloc(size_t n)
{
	void *p;

	if (fail_all)
		return NULL;
	p = malloc(n);
	if (p != NULL)
		live++;
	return p;
}

static void *t_realloc(void *p, size_t n)
{
	void *q;

	if (fail_all)
		return NULL;
	q = realloc(p, n);
	if (q != NULL && p == NULL)
		live++;
	return q;
}

static void t_free(void *p)
{
	if (p != NULL) {
		live--;
		free(p);
	}
}

/* ------------------------------------------------------------- addr_buf */

static void assert_buf(const struct addr_buf *b, const char *want, size_t n)
{
	assert_non_null(b->ptr);
	assert_int_equal(b->size, n);
	assert_memory_equal(b->ptr, want, n);
	assert_int_equal(b->ptr[n], '\0');
	if (b->asize)
		assert_true(b->asize > b->size);
}

static void test_buf_init(void **state)
{
	struct addr_buf b;

	(void)state;
	memset(&b, 0x55, sizeof(b));
	addr_buf_init(&b);
	assert_buf(&b, "", 0);
	assert_int_equal(b.asize, 0);
	assert_int_equal(b.oom, 0);
	assert_int_equal(live, 0);	/* initialising allocates nothing */
	addr_buf_free(&b);
	assert_buf(&b, "", 0);
	addr_buf_free(NULL);		/* no-op */
}

static void test_buf_put(void **state)
{
	struct addr_buf b;

	(void)state;
	addr_buf_init(&b);
	assert_int_equal(addr_buf_put(&b, "", 0), 0);
	assert_buf(&b, "", 0);
	assert_int_equal(addr_buf_put(&b, "abc", 3), 0);
	assert_buf(&b, "abc", 3);
	assert_int_equal(addr_buf_putc(&b, 'd'), 0);
	assert_buf(&b, "abcd", 4);
	assert_int_equal(addr_buf_puts(&b, "ef"), 0);
	assert_buf(&b, "abcdef", 6);
	/* NUL is ordinary data */
	assert_int_equal(addr_buf_put(&b, "g\0h", 3), 0);
	assert_buf(&b, "abcdefg\0h", 9);
	assert_int_equal(addr_buf_putc(&b, '\0'), 0);
	assert_buf(&b, "abcdefg\0h\0", 10);
	/* only len octets are taken */
	assert_int_equal(addr_buf_put(&b, "xyz", 1), 0);
	assert_buf(&b, "abcdefg\0h\0x", 11);
	addr_buf_free(&b);
	assert_buf(&b, "", 0);
	assert_int_equal(b.asize, 0);
	assert_int_equal(live, 0);
}

static void test_buf_large(void **state)
{
	struct addr_buf b;
	char chunk[97];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('!' + i % 90);
	addr_buf_init(&b);
	for (i = 0; i < 300; i++)
		assert_int_equal(addr_buf_put(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.size, 300 * sizeof(chunk));
	assert_true(b.asize > b.size);
	assert_int_equal(b.ptr[b.size], '\0');
	for (i = 0; i < 300; i++)
		for (j = 0; j < sizeof(chunk); j++)
			if (b.ptr[i * sizeof(chunk) + j] != chunk[j])
				fail_msg("content differs at %zu", i * sizeof(chunk) + j);
	/* clear keeps the storage; the next appends start over */
	addr_buf_clear(&b);
	assert_int_equal(addr_buf_puts(&b, "0123456789"), 0);
	assert_buf(&b, "0123456789", 10);
	addr_buf_free(&b);
	assert_int_equal(live, 0);
}

static void test_buf_grow(void **state)
{
	struct addr_buf b;
	char *p;

	(void)state;
	addr_buf_init(&b);
	assert_int_equal(addr_buf_grow(&b, 0), 0);
	assert_true(b.asize >= 1);
	assert_buf(&b, "", 0);
	assert_int_equal(addr_buf_grow(&b, 1000), 0);
	assert_true(b.asize >= 1001);
	assert_buf(&b, "", 0);
	assert_int_equal(addr_buf_puts(&b, "hello"), 0);
	p = b.ptr;
	/* room exists: no reallocation, content kept */
	assert_int_equal(addr_buf_grow(&b, 500), 0);
	assert_ptr_equal(b.ptr, p);
	assert_int_equal(addr_buf_grow(&b, 5000), 0);
	assert_true(b.asize >= 5001);
	assert_buf(&b, "hello", 5);
	/* a size that cannot be represented is out of memory, and sticky */
	assert_int_equal(addr_buf_grow(&b, (size_t)-1), ADDR_ENOMEM);
	assert_int_not_equal(b.oom, 0);
	assert_buf(&b, "hello", 5);
	assert_int_equal(addr_buf_putc(&b, 'x'), ADDR_ENOMEM);
	assert_buf(&b, "hello", 5);
	addr_buf_clear(&b);
	assert_int_equal(b.oom, 0);
	assert_int_equal(addr_buf_put(&b, "x", (size_t)-1), ADDR_ENOMEM);
	assert_int_not_equal(b.oom, 0);
	addr_buf_free(&b);
	assert_int_equal(b.oom, 0);
	assert_int_equal(live, 0);
}

static void test_buf_truncate_clear(void **state)
{
	struct addr_buf b;
	size_t asize;

	(void)state;
	addr_buf_init(&b);
	addr_buf_truncate(&b, 0);	/* on the static empty string */
	addr_buf_truncate(&b, 10);
	assert_buf(&b, "", 0);
	addr_buf_clear(&b);		/* clearing an empty buffer */
	assert_buf(&b, "", 0);
	assert_int_equal(addr_buf_puts(&b, "abcdef"), 0);
	addr_buf_truncate(&b, 10);	/* no-op: len >= size */
	assert_buf(&b, "abcdef", 6);
	addr_buf_truncate(&b, 6);
	assert_buf(&b, "abcdef", 6);
	addr_buf_truncate(&b, 3);
	assert_buf(&b, "abc", 3);
	addr_buf_truncate(&b, 0);
	assert_buf(&b, "", 0);
	assert_int_equal(addr_buf_puts(&b, "xyz"), 0);
	asize = b.asize;
	addr_buf_clear(&b);
	assert_buf(&b, "", 0);
	assert_int_equal(b.asize, asize);	/* storage kept */
	assert_int_equal(live, 1);
	assert_int_equal(addr_buf_puts(&b, "again"), 0);
	assert_buf(&b, "again", 5);
	addr_buf_free(&b);
	assert_int_equal(live, 0);
}

static void test_buf_detach(void **state)
{
	struct addr_buf b;
	char *p;

	(void)state;
	addr_buf_init(&b);
	assert_int_equal(addr_buf_puts(&b, "owned"), 0);
	p = addr_buf_detach(&b);
	assert_non_null(p);
	assert_string_equal(p, "owned");
	assert_buf(&b, "", 0);		/* the buffer is initialised again */
	assert_int_equal(b.asize, 0);
	assert_int_equal(live, 1);
	addr_free(p);
	assert_int_equal(live, 0);
	/* an empty buffer still hands out a freeable "" */
	p = addr_buf_detach(&b);
	assert_non_null(p);
	assert_string_equal(p, "");
	addr_free(p);
	addr_free(NULL);
	assert_int_equal(live, 0);
	/* reuse after detach */
	assert_int_equal(addr_buf_puts(&b, "next"), 0);
	assert_buf(&b, "next", 4);
	addr_buf_free(&b);
	assert_int_equal(live, 0);
}

static void test_buf_oom(void **state)
{
	struct addr_buf b;
	char *p;

	(void)state;
	/* first allocation fails */
	addr_buf_init(&b);
	fail_all = 1;
	assert_int_equal(addr_buf_puts(&b, "abc"), ADDR_ENOMEM);
	assert_int_not_equal(b.oom, 0);
	assert_buf(&b, "", 0);
	fail_all = 0;
	/* sticky: allocation would now succeed, appends still fail */
	assert_int_equal(addr_buf_puts(&b, "abc"), ADDR_ENOMEM);
	assert_int_equal(addr_buf_putc(&b, 'a'), ADDR_ENOMEM);
	assert_int_equal(addr_buf_put(&b, "", 0), ADDR_ENOMEM);
	assert_int_equal(addr_buf_grow(&b, 1), ADDR_ENOMEM);
	assert_buf(&b, "", 0);
	/* clear resets oom */
	addr_buf_clear(&b);
	assert_int_equal(b.oom, 0);
	assert_int_equal(addr_buf_puts(&b, "abc"), 0);
	assert_buf(&b, "abc", 3);

	/* a failing reallocation keeps the old content */
	fail_all = 1;
	assert_int_equal(addr_buf_grow(&b, 100000), ADDR_ENOMEM);
	assert_buf(&b, "abc", 3);
	assert_int_equal(addr_buf_puts(&b, "def"), ADDR_ENOMEM);
	fail_all = 0;
	assert_int_equal(addr_buf_puts(&b, "def"), ADDR_ENOMEM);
	assert_buf(&b, "abc", 3);
	/* detach of a buffer that ran out of memory gives NULL, frees it */
	p = addr_buf_detach(&b);
	assert_null(p);
	assert_buf(&b, "", 0);
	assert_int_equal(b.oom, 0);
	assert_int_equal(live, 0);

	/* oom, then free: initialised, usable, nothing leaked */
	assert_int_equal(addr_buf_puts(&b, "abc"), 0);
	fail_all = 1;
	assert_int_equal(addr_buf_grow(&b, 100000), ADDR_ENOMEM);
	fail_all = 0;
	addr_buf_free(&b);
	assert_int_equal(b.oom, 0);
	assert_int_equal(b.asize, 0);
	assert_int_equal(addr_buf_puts(&b, "ok"), 0);
	assert_buf(&b, "ok", 2);
	addr_buf_free(&b);
	assert_int_equal(live, 0);
}

/* ---------------------------------------------------------------- UTF-8 */

struct utf8_row {
	const char *name;
	const char *s;
	size_t len;
	size_t want;
};

#define U8(name, s, want) { name, s, sizeof(s) - 1, want }

static const struct utf8_row utf8_rows[] = {
	U8("empty", "", 0),
	U8("ascii", "abc", 3),
	U8("NUL and controls", "a\0\x01\x7f", 4),
	U8("2-octet", "a\xC3\xA9z", 4),
	U8("U+0080", "\xC2\x80", 2),
	U8("U+07FF", "\xDF\xBF", 2),
	U8("U+0800", "\xE0\xA0\x80", 3),
	U8("U+D7FF", "\xED\x9F\xBF", 3),
	U8("U+E000", "\xEE\x80\x80", 3),
	U8("U+FFFF", "\xEF\xBF\xBF", 3),
	U8("U+10000", "\xF0\x90\x80\x80", 4),
	U8("emoji", "\xF0\x9F\x98\x86", 4),
	U8("U+10FFFF", "\xF4\x8F\xBF\xBF", 4),
	U8("overlong C0 80", "\xC0\x80", 0),
	U8("overlong C1 BF", "\xC1\xBF", 0),
	U8("overlong after text", "ab\xC0\x80", 2),
	U8("overlong E0 80 80", "\xE0\x80\x80", 0),
	U8("overlong E0 9F BF", "\xE0\x9F\xBF", 0),
	U8("overlong F0 80 80 80", "\xF0\x80\x80\x80", 0),
	U8("overlong F0 8F BF BF", "\xF0\x8F\xBF\xBF", 0),
	U8("surrogate ED A0 80", "\xED\xA0\x80", 0),
	U8("surrogate ED BF BF", "\xED\xBF\xBF", 0),
	U8("surrogate after text", "x\xED\xA0\x80y", 1),
	U8("above U+10FFFF F4 90 80 80", "\xF4\x90\x80\x80", 0),
	U8("F5", "\xF5\x80\x80\x80", 0),
	U8("F8", "\xF8\x88\x80\x80\x80", 0),
	U8("FE", "\xFE", 0),
	U8("FF", "a\xFF", 1),
	U8("truncated 2 at end", "a\xC3", 1),
	U8("truncated 3 at end", "a\xE2\x82", 1),
	U8("truncated 4 at end", "a\xF0\x9F\x98", 1),
	U8("truncated 2 before ASCII", "\xC3" "a", 0),
	U8("truncated 3 before ASCII", "\xE2\x82" "a", 0),
	U8("truncated 4 before ASCII", "\xF0\x9F\x98" "a", 0),
	U8("stray continuation", "\x80", 0),
	U8("stray continuation after text", "ab\xBF", 2),
	U8("continuation after complete sequence", "\xC3\xA9\xA9", 2),
	U8("bad second octet", "\xC3\x28", 0),
	U8("bad third octet", "\xE2\x82\x28", 0),
	U8("bad fourth octet", "\xF0\x9F\x98\x28", 0),
	U8("mixed", "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x86z", 11),
};

static void test_utf8_check(void **state)
{
	size_t i, got;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(utf8_rows) / sizeof(utf8_rows[0]); i++) {
		const struct utf8_row *r = &utf8_rows[i];

		got = addr_utf8_check(r->s, r->len);
		if (got != r->want) {
			printf("row %zu (%s): got %zu, want %zu\n", i + 1,
			       r->name, got, r->want);
			bad++;
		}
	}
	/* the length bounds the check: a sequence cut by len is ill-formed */
	got = addr_utf8_check("\xC3\xA9", 1);
	if (got != 0) {
		printf("cut 2-octet: got %zu, want 0\n", got);
		bad++;
	}
	got = addr_utf8_check("ab\xF0\x9F\x98\x86", 5);
	if (got != 2) {
		printf("cut 4-octet: got %zu, want 2\n", got);
		bad++;
	}
	if (bad)
		fail_msg("%d UTF-8 rows failed", bad);
}

/* ---------------------------------------------------- diagnosis tables */

struct diag_row {
	int code;
	const char *name;
	int cat;
};

#define D(n, c) { ADDR_D_##n, #n, ADDR_CAT_##c }

/* spec-address.md §4.3, every code */
static const struct diag_row diag_rows[] = {
	D(VALID, VALID),
	D(ENCWORD_UNDECODABLE, VALID),
	D(UTF8_CONTROL, RFC5321),
	D(UTF8_NOT_NFC, RFC5321),
	D(RFC5321_TLD, RFC5321),
	D(RFC5321_TLDNUMERIC, RFC5321),
	D(RFC5321_QUOTEDSTRING, RFC5321),
	D(RFC5321_ADDRESSLITERAL, RFC5321),
	D(RFC5321_RESERVEDLABEL, RFC5321),
	D(DEPREC_IPV6, DEPRECATED),
	D(CFWS_COMMENT, CFWS),
	D(CFWS_FWS, CFWS),
	D(IDNA_MAPPED, CFWS),
	D(DEPREC_LOCALPART, DEPRECATED),
	D(DEPREC_FWS, DEPRECATED),
	D(DEPREC_QTEXT, DEPRECATED),
	D(DEPREC_QP, DEPRECATED),
	D(DEPREC_COMMENT, DEPRECATED),
	D(DEPREC_CTEXT, DEPRECATED),
	D(DEPREC_PHRASE, DEPRECATED),
	D(DEPREC_ROUTE, DEPRECATED),
	D(DEPREC_EMPTY_MEMBER, DEPRECATED),
	D(DEPREC_CFWS_NEAR_AT, DEPRECATED),
	D(RFC5322_DOMAIN, RFC5322),
	D(RFC5322_TOOLONG, RFC5322),
	D(RFC5322_LOCAL_TOOLONG, RFC5322),
	D(RFC5322_DOMAIN_TOOLONG, RFC5322),
	D(RFC5322_LABEL_TOOLONG, RFC5322),
	D(RFC5322_DOMAINLITERAL, RFC5322),
	D(RFC5322_DOMLIT_OBSDTEXT, RFC5322),
	D(RFC5322_IPV6_GRPCOUNT, RFC5322),
	D(RFC5322_IPV6_2X2XCOLON, RFC5322),
	D(RFC5322_IPV6_BADCHAR, RFC5322),
	D(RFC5322_IPV6_MAXGRPS, RFC5322),
	D(RFC5322_IPV6_COLONSTRT, RFC5322),
	D(RFC5322_IPV6_COLONEND, RFC5322),
	D(IDNA_DISALLOWED, RFC5322),
	D(IDNA_ALABEL, RFC5322),
	D(IDNA_BIDI, RFC5322),
	D(IDNA_CONTEXT, RFC5322),
	D(IDNA_FORM, RFC5322),
	D(RFC5322_HYPHENSTART, RFC5322),
	D(RFC5322_HYPHENEND, RFC5322),
	D(ERR_EXPECTING_DTEXT, ERROR),
	D(ERR_NOLOCALPART, ERROR),
	D(ERR_NODOMAIN, ERROR),
	D(ERR_CONSECUTIVEDOTS, ERROR),
	D(ERR_ATEXT_AFTER_CFWS, ERROR),
	D(ERR_ATEXT_AFTER_QS, ERROR),
	D(ERR_ATEXT_AFTER_DOMLIT, ERROR),
	D(ERR_EXPECTING_QPAIR, ERROR),
	D(ERR_EXPECTING_ATEXT, ERROR),
	D(ERR_EXPECTING_QTEXT, ERROR),
	D(ERR_EXPECTING_CTEXT, ERROR),
	D(ERR_BACKSLASHEND, ERROR),
	D(ERR_DOT_START, ERROR),
	D(ERR_DOT_END, ERROR),
	D(ERR_UNCLOSEDQUOTEDSTR, ERROR),
	D(ERR_UNCLOSEDCOMMENT, ERROR),
	D(ERR_UNCLOSEDDOMLIT, ERROR),
	D(ERR_FWS_CRLF_X2, ERROR),
	D(ERR_FWS_CRLF_END, ERROR),
	D(ERR_CR_NO_LF, ERROR),
	D(ERR_OBSOLETE, ERROR),
	D(ERR_ENVELOPE, ERROR),
	D(ERR_UTF8_MALFORMED, ERROR),
	D(ERR_ANGLE, ERROR),
	D(ERR_GROUP_NOT_ALLOWED, ERROR),
	D(ERR_UNCLOSEDGROUP, ERROR),
	D(ERR_EMPTY, ERROR),
	D(ERR_NULLPATH, ERROR),
	D(ERR_TRAILING, ERROR),
};

#define NDIAG_ROWS (sizeof(diag_rows) / sizeof(diag_rows[0]))

/* the numeric values of §4.3 (is_email's where it has one) */
static void test_diag_values(void **state)
{
	(void)state;
	assert_int_equal(ADDR_D_VALID, 0);
	assert_int_equal(ADDR_D_RFC5321_TLD, 9);
	assert_int_equal(ADDR_D_RFC5321_ADDRESSLITERAL, 12);
	assert_int_equal(ADDR_D_DEPREC_IPV6, 13);
	assert_int_equal(ADDR_D_CFWS_COMMENT, 17);
	assert_int_equal(ADDR_D_DEPREC_CFWS_NEAR_AT, 49);
	assert_int_equal(ADDR_D_RFC5322_DOMAIN, 65);
	assert_int_equal(ADDR_D_RFC5322_IPV6_COLONEND, 77);
	assert_int_equal(ADDR_D_ERR_EXPECTING_DTEXT, 129);
	assert_int_equal(ADDR_D_RFC5322_HYPHENSTART, 143);
	assert_int_equal(ADDR_D_ERR_CR_NO_LF, 150);
	assert_int_equal(ADDR_D_ERR_TRAILING, 159);
	assert_int_equal(ADDR_CAT_VALID, 1);
	assert_int_equal(ADDR_CAT_RFC5321, 15);
	assert_int_equal(ADDR_CAT_CFWS, 31);
	assert_int_equal(ADDR_CAT_DEPRECATED, 63);
	assert_int_equal(ADDR_CAT_RFC5322, 127);
	assert_int_equal(ADDR_CAT_ERROR, 255);
}

static void test_diag_tables(void **state)
{
	size_t i, j;
	int bad = 0;
	const char *name;
	int code, cat;

	(void)state;
	for (i = 0; i < NDIAG_ROWS; i++) {
		const struct diag_row *r = &diag_rows[i];

		name = addr_diag_name(r->code);
		if (name == NULL || strcmp(name, r->name) != 0) {
			printf("row %zu (%s): addr_diag_name(%d): got %s, want %s\n",
			       i + 1, r->name, r->code, name ? name : "NULL", r->name);
			bad++;
		}
		code = addr_diag_from_name(r->name);
		if (code != r->code) {
			printf("row %zu (%s): addr_diag_from_name: got %d, want %d\n",
			       i + 1, r->name, code, r->code);
			bad++;
		}
		cat = addr_diag_category(r->code);
		if (cat != r->cat) {
			printf("row %zu (%s): addr_diag_category: got %d, want %d\n",
			       i + 1, r->name, cat, r->cat);
			bad++;
		}
		for (j = 0; j < i; j++)
			if (diag_rows[j].code == r->code)
				fail_msg("test table: %s and %s share a value",
					 diag_rows[j].name, r->name);
	}
	/* every value 0..255 that is not in the table is unknown */
	for (code = -3; code < 300; code++) {
		int known = 0;

		for (i = 0; i < NDIAG_ROWS; i++)
			if (diag_rows[i].code == code)
				known = 1;
		if (known)
			continue;
		if (addr_diag_name(code) != NULL) {
			printf("addr_diag_name(%d): got %s, want NULL\n", code,
			       addr_diag_name(code));
			bad++;
		}
		if (addr_diag_category(code) != 0) {
			printf("addr_diag_category(%d): got %d, want 0\n", code,
			       addr_diag_category(code));
			bad++;
		}
	}
	{
		static const char *const unknown[] = {
			"", "NOPE", "RFC5321", "ISEMAIL_VALID", "ERR_",
			"VALID ", "DNSWARN_NO_MX_RECORD",
		};
		for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
			code = addr_diag_from_name(unknown[i]);
			if (code != -1) {
				printf("addr_diag_from_name(\"%s\"): got %d, want -1\n",
				       unknown[i], code);
				bad++;
			}
		}
	}
	if (bad)
		fail_msg("%d diagnosis checks failed", bad);
}

static void test_category_names(void **state)
{
	static const struct {
		int cat;
		const char *name;
	} rows[] = {
		{ ADDR_CAT_VALID, "VALID" },
		{ ADDR_CAT_RFC5321, "RFC5321" },
		{ ADDR_CAT_CFWS, "CFWS" },
		{ ADDR_CAT_DEPRECATED, "DEPRECATED" },
		{ ADDR_CAT_RFC5322, "RFC5322" },
		{ ADDR_CAT_ERROR, "ERROR" },
		{ 0, NULL },
		{ 2, NULL },
		{ 7, NULL },	/* is_email's DNSWARN is never produced */
		{ 16, NULL },
		{ 256, NULL },
		{ -1, NULL },
	};
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = addr_category_name(rows[i].cat);

		if ((got == NULL) != (rows[i].name == NULL) ||
		    (got != NULL && strcmp(got, rows[i].name) != 0)) {
			printf("row %zu: addr_category_name(%d): got %s, want %s\n",
			       i + 1, rows[i].cat, got ? got : "NULL",
			       rows[i].name ? rows[i].name : "NULL");
			bad++;
		}
	}
	if (bad)
		fail_msg("%d category names failed", bad);
}

static void test_strerror(void **state)
{
	static const int codes[] = {
		ADDR_OK, ADDR_ESYNTAX, ADDR_ETOOLONG, ADDR_ENOMEM, ADDR_EIO,
		ADDR_ECONFLICT, ADDR_EINVAL, ADDR_ENOTSUP,
	};
	const char *txt[sizeof(codes) / sizeof(codes[0])];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		txt[i] = addr_strerror(codes[i]);
		assert_non_null(txt[i]);
		assert_true(txt[i][0] != '\0');
		for (j = 0; j < i; j++)
			if (strcmp(txt[i], txt[j]) == 0)
				fail_msg("codes %d and %d share the text \"%s\"",
					 codes[i], codes[j], txt[i]);
	}
	assert_string_equal(addr_strerror(ADDR_ENOMEM), "out of memory");
	assert_string_equal(addr_strerror(ADDR_ESYNTAX), "syntax error");
	/* unknown codes: never NULL */
	assert_non_null(addr_strerror(1));
	assert_non_null(addr_strerror(-100));
	assert_non_null(addr_strerror(12345));
	assert_true(addr_strerror(-100)[0] != '\0');
}

/* leak check between tests */
static int check_live(void **state)
{
	(void)state;
	fail_all = 0;
	if (live != 0) {
		printf("%ld blocks still allocated\n", live);
		live = 0;
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_buf_init, check_live),
		cmocka_unit_test_teardown(test_buf_put, check_live),
		cmocka_unit_test_teardown(test_buf_large, check_live),
		cmocka_unit_test_teardown(test_buf_grow, check_live),
		cmocka_unit_test_teardown(test_buf_truncate_clear, check_live),
		cmocka_unit_test_teardown(test_buf_detach, check_live),
		cmocka_unit_test_teardown(test_buf_oom, check_live),
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_diag_values),
		cmocka_unit_test(test_diag_tables),
		cmocka_unit_test(test_category_names),
		cmocka_unit_test(test_strerror),
	};

	addr_set_alloc_funcs(t_malloc, t_realloc, t_free);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
