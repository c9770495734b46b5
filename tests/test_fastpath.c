/*
 * test_fastpath.c - the parser's fast path and its general path agree
 *
 * mailbox.c answers the commonest shapes (a bare dot-atom addr-spec, a
 * plain phrase before an angle-addr) without the general machinery. This
 * test parses every input of every corpus, plus generated variants, in
 * every header production and flag combination, once normally and once
 * with the private ADDR__F_NOFAST flag, and compares everything a caller
 * can see: category, diagnoses, addresses, their fields and canonical
 * forms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr_int.h"

static int failures;
static size_t compared;

static int str_eq(struct addr_str a, struct addr_str b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static int mailbox_eq(const struct addr_mailbox *a, const struct addr_mailbox *b)
{
	size_t i;

	if (a->kind != b->kind || a->span_offset != b->span_offset ||
	    a->span_length != b->span_length || a->category != b->category ||
	    a->ndiag != b->ndiag || a->has_display_name != b->has_display_name ||
	    !str_eq(a->display_name, b->display_name) ||
	    !str_eq(a->local_part, b->local_part) || !str_eq(a->domain, b->domain) ||
	    a->domain_kind != b->domain_kind || !str_eq(a->a_label, b->a_label) ||
	    !str_eq(a->u_label, b->u_label) || a->nroute != b->nroute ||
	    a->smtputf8 != b->smtputf8 || a->nmembers != b->nmembers)
		return 0;
	for (i = 0; i < a->ndiag; i++)
		if (a->diag[i].code != b->diag[i].code ||
		    a->diag[i].offset != b->diag[i].offset)
			return 0;
	for (i = 0; i < a->nmembers; i++)
		if (!mailbox_eq(&a->members[i], &b->members[i]))
			return 0;
	return 1;
}

static void compare(const char *in, size_t len, int prod, unsigned flags)
{
	struct addr_mailbox_result r1, r2;
	struct addr_buf a1, a2, d1, d2;
	int rc1, rc2, same;
	size_t i;

	addr_mailbox_result_init(&r1);
	addr_mailbox_result_init(&r2);
	addr_buf_init(&a1);
	addr_buf_init(&a2);
	addr_buf_init(&d1);
	addr_buf_init(&d2);
	rc1 = addr_mailbox_parse(&r1, in, len, prod, flags, NULL);
	rc2 = addr_mailbox_parse(&r2, in, len, prod, flags | ADDR__F_NOFAST, NULL);
	same = rc1 == rc2 && r1.category == r2.category &&
	       r1.primary == r2.primary && r1.ndiag == r2.ndiag &&
	       r1.naddr == r2.naddr;
	for (i = 0; same && i < r1.ndiag; i++)
		same = r1.diag[i].code == r2.diag[i].code &&
		       r1.diag[i].offset == r2.diag[i].offset;
	for (i = 0; same && i < r1.naddr; i++) {
		same = mailbox_eq(&r1.addr[i], &r2.addr[i]);
		if (same && r1.addr[i].kind != ADDR_K_GROUP) {
			addr_mailbox_normalize(&a1, &d1, &r1.addr[i], ADDR_N_7BIT);
			addr_mailbox_normalize(&a2, &d2, &r2.addr[i], ADDR_N_7BIT);
			same = strcmp(a1.ptr, a2.ptr) == 0 && strcmp(d1.ptr, d2.ptr) == 0;
		}
	}
	compared++;
	if (!same) {
		failures++;
		if (failures <= 20)
			printf("fast and general paths differ: production %d flags %#x: "
			       "%.*s (categories %d/%d, %zu/%zu diagnoses, %zu/%zu addresses)\n",
			       prod, flags, (int)len, in, r1.category, r2.category,
			       r1.ndiag, r2.ndiag, r1.naddr, r2.naddr);
	}
	addr_buf_free(&a1);
	addr_buf_free(&a2);
	addr_buf_free(&d1);
	addr_buf_free(&d2);
	addr_mailbox_result_free(&r1);
	addr_mailbox_result_free(&r2);
}

static void compare_all(const char *in, size_t len)
{
	static const unsigned flagsets[] = {
		0, ADDR_F_LENIENT, ADDR_F_UTF8, ADDR_F_LENIENT | ADDR_F_UTF8,
		ADDR_F_LENIENT | ADDR_F_DECODE_2047,
		ADDR_F_LENIENT | ADDR_F_UTF8 | ADDR_F_DECODE_2047,
	};
	int prod;
	size_t f;

	for (prod = ADDR_P_ADDR_SPEC; prod <= ADDR_P_ADDRESS_LIST; prod++)
		for (f = 0; f < sizeof(flagsets) / sizeof(flagsets[0]); f++)
			compare(in, len, prod, flagsets[f]);
}

/* the raw first field of a corpus line; escapes are kept as text, which
 * is as good an input as any for this comparison */
static void corpus_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *tab;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		tab = memchr(line, '\t', (size_t)n);
		if (tab == NULL)
			continue;
		compare_all(line, (size_t)(tab - line));
	}
	free(line);
	fclose(f);
}

static void test_corpora(void **state)
{
	const char *root = getenv("ADDR_CORPORA");
	char path[1024];
	struct dirent *e;
	DIR *d;

	(void)state;
	if (root == NULL)
		root = "../shared/corpora";
	d = opendir(root);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		DIR *sub;
		struct dirent *f;
		char dir[900];

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
		if ((sub = opendir(dir)) == NULL)
			continue;
		while ((f = readdir(sub)) != NULL) {
			size_t l = strlen(f->d_name);
			if (l > 4 && strcmp(f->d_name + l - 4, ".tsv") == 0) {
				snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
				corpus_file(path);
			}
		}
		closedir(sub);
	}
	closedir(d);
	printf("fast/general comparison: %zu parses, %d differences\n",
	       compared, failures);
	assert_int_equal(failures, 0);
}

/* the shapes at the edge of the fast path */
static void test_edges(void **state)
{
	static const char *const in[] = {
		"a@b", "a@b.c", "a.b@c.d", "a..b@c", ".a@b", "a.@b", "a@.b", "a@b.",
		"a@b..c", "@b", "a@", "a", "", "a@b c", "A B <a@b.c>", "A  B <a@b.c>",
		" A <a@b.c>", "A <a@b.c> ", "A <a@b.c>x", "<a@b.c>", "<a@b.c", "A <>",
		"A <a@b.c>>", "=?utf-8?q?x?= <a@b.c>", "x=?a?= <a@b.c>", "A. B <a@b.c>",
		"a@-b.c", "a@b-.c", "a@b_c.d", "a@xn--bcher-kva.de", "a@ab--cd.e",
		"a@b.123", "a@b", "a@localhost", "A <a@-b>", "x@" "aaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c",
		"A,B <a@b.c>", "a@b.c,d@e.f", "G: a@b.c;", "a@b.c;",
		"\"Last, First\" <a@b.c>", "\"\" <a@b.c>", "\"A\" B <a@b.c>",
		"A \"B\" <a@b.c>", "\"A\"B <a@b.c>", "\"A\\\"B\" <a@b.c>",
		"\"A\tB\" <a@b.c>", "\"=?utf-8?q?x?=\" <a@b.c>", "\"A <a@b.c>",
		"\"a\"@b.c", "\" \" <a@b.c>", "\"A.B\" <a@b.c>",
		"A <a@b..c>", "A <a@>", "A <a@b.>", "A <a@.b>", "a@b\x80",
		"A <a@b\x80>", "a@B.EXAMPLE.COM", "A <a@Xn--bcher-kva.de>",
		"a@b-c.d-", "a@-", "a@1", "a@b.c>", "A <a@b.c> <d@e.f>",
		"a@b.c (x)", "a@b.c (x@y.z)", "a@b.c  (x)", "a@b.c(x)", "a@b.c ()",
		"a@b.c (x) ", "a@b.c (x(y))", "a@b.c (x\\)", "a@b.c (x))",
		"A <a@b.c> (work)", "A <a@b.c>(work)", "<a@b.c> (x)", "(x)",
		" (x)", "a (x)", "a@ (x)", "a@b. (x)", "\"Q\" <a@b.c> (do not reply)",
		"a@b.c (\x01)", "a@b.c (\xc3\xa9)", "A. <a@b.c> (x)",
		"Prof. Sales Clark <d@e.f>", "J.R.R. Tolkien <a@b.c>", ".A <a@b.c>",
		"A . B <a@b.c>", "A .B <a@b.c>", "A.. <a@b.c>", "\"A\".B <a@b.c>",
		"\"Lisa \\\"Bud\\\" Garcia\" <a@b.c>", "\"a\\\\b\" <a@b.c>",
		"\"x\\", "\"A\"<a@b.c>", "A<a@b.c>", "A <a@b.c>", "A  <a@b.c>",
		"\"A\" <a@b.c>", "=?x?= <a@b.c>", "A.=?utf-8?q?x?= <a@b.c>",
		"\"a b\"@c.d", "\"\"@c.d", "\"a\"@c", "\"a\\b\"@c.d", "\"a\tb\"@c.d",
		"\"a@b\"@c.d", "\"a\"@", "\"a\"@@c", "\"a\".b@c.d", "\"a\"b@c.d",
		"N <\"a b\"@c.d>", "\"Q\" <\"a.\"@c.d> (x)", "\"a\"@-c.d",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"@b.c",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa a\"@b.c",
		"a@b.c (the (deeply (nested)) one)", "a@b.c ((x)", "a@b.c (x))", "a@b.c ()",
		"(home) a@b.c", "(a (b) c) a@b.c", "() a@b.c", "(x)a@b.c", "(x)  a@b.c",
		"(x) Name <a@b.c>", "(x) <a@b.c>", "(x) .Name <a@b.c>", "(x) \"Q\" <a@b.c>",
		"(x) a@b.c (y)", "(x) Name <a@b.c> (y)", "(x)", "(x) ", "(x) (y) a@b.c",
		"(\\x) a@b.c", "(x) \"a\"@b.c", "(x) a.b@c", "(x) Na.me <a@b.c>",
		"a@b.c  (x)", "Name <a@b.c> (x (y))", "(x) =?utf-8?q?a?= <a@b.c>",
		"\xc3\xb1o\xc3\xb1o@example.com", "Zo\xc3\xab Saldana <fran\xc3\xa7ois@m\xc3\xbcnchen.de>",
		"\xe7\x94\xa8\xe6\x88\xb7@B\xc3\x9c" "CHER.de", "\xc2\x80@x.y", "a@b.c\xc3",
		"\xe5\xb1\xb1\xe7\x94\xb0 <a@b.c>", "Zo\xc3\xab  <a@b.c>", "s\xcc\xa3\xcc\x87@nfc.tld",
		"s\xcc\xa3\xcc\x87 <a@b.c>", "a\xe2\x80\xa8" "b@c.d", "x@\xef\xbc\x8eleading.com",
		"\xc3\xa9<a@b.c>", "\xc3\xa9 <a@b.c", "<\xc3\xa9@b.c>", "\xc3\xa9.\xc3\xa9@b.c",
		"\xc3\xa9..x@b.c", "x@\xc3\xa9.", "x@m\xc3\xbcnchen.de.", "\xc3\xa9 x <a@b.c>",
		"=?utf-8?q?x?= \xc3\xa9 <a@b.c>", "\xed\xa0\x80@b.c", "\xc3\xa9@[1.2.3.4]",
		"\"lars\".allen@b.c", "allen.\"lars\"@b.c", "a.\"b\".c@d.e", "\"a\".\"b\"@c.d",
		"\"a\"..b@c.d", "\"a\".@c.d", ".\"a\"@c.d", "\"a\\\"b\"@c.d", "\"a\\\\b\"@c.d",
		"\"a\\", "\"a\\\x01\"@c.d", "N <\"a\".b@c.d>", "\"a\"@b\"c\"", "a@b\"c",
		"\"a b\".c@d.e (x)", "(x) \"a\".b@c.d", "\"ab\".\"cd\".ef.\"g\"@h.i",
		"\"a\\ b\"@c.d", "\"a\\\\\"@c.d", "\"\\\"\"@c.d", "\"\\a\"@c.d",
		"N <\"a\\\"b\"@c.d>", "\"a\\\xc3\xa9\"@c.d", "\"a\\\tb\"@c.d",
		"\"a\\~\\\x7f\"@c.d", "\"a\\\"@c.d", "\"\\\\\\\\\"@c.d (x)",
		"a(x)@b.c", "a@(x)b.c", "a(x)@(y)b.c", "a.b(x)@c.d", ".a(x)@b.c",
		"a.(x)@b.c", "a(x)@b.c (y)", "(y) a(x)@b.c", "a(x)@.b.c", "a(x)@b..c",
		"a(x)@", "a(x)@(y)", "a(x\\))@b.c", "a(x\\\x01)@b.c", "a((x))@b.c",
		"a(x)(y)@b.c", "a (x)@b.c", "a(x) @b.c", "a@(x) b.c", "a@(x)b.c(y)",
		"\"a\"(x)@b.c", "a(x)@[1.2.3.4]", "a(x)@xn--bcher-kva.de", "a(x)@b_c.d",
		"a(x)@-b.c", "a(x)@B.C", "a@(x)b-.c", "a(x)@b.c.", "a(@)@b.c", "a@(x)",
		"a(x)b@c.d", "A <a(x)@b.c>", "a=?x?=(y)@b.c", "A (x) <a@b.c>",
		"A(x) <a@b.c>", "A (x)<a@b.c>", "A (x)  <a@b.c>", "A  (x) <a@b.c>",
		"A (x) B <a@b.c>", "A (x)(y) <a@b.c>", "\"Q\" (x) <a@b.c>",
		"A. B (x) <a@b.c>", "A (x\\)) <a@b.c>", "A (x) <a@b.c> (y)",
		"(z) A (x) <a@b.c>", "A (x) <\"q\"@b.c>", "A (\x01) <a@b.c>", "A (x",
		"A (x) <a@b.c", "A (x) <>", "A (x) a@b.c", "(x\\)) a@b.c", "a@b.c (x\\))",
		"a@b.c (x\\\\)", "a@b.c (\\(x)", "a@b.c (x\\\\\\))", "a@b.c x\\)",
		"a@b.c (\\\\)", "a@b.c (x\\)", "a@b.c ((x)\\)", "A <a@b.c> (x\\) y)",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa(x)@b.c",
		"a@(x)bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.c",
		"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (x) <a@b.c>",
	};
	size_t i;

	(void)state;
	failures = 0;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		compare_all(in[i], strlen(in[i]));
	assert_int_equal(failures, 0);
}

/* seeded random strings over the octets that matter to the shapes */
static void test_random(void **state)
{
	static const char alphabet[] = "aaaabbbcZ09._-+=?@@ <<>>\"\"\\()(),;:.~\x01\xc3\xa9";
	uint64_t x = 0x9E3779B97F4A7C15ull;
	char buf[48];
	size_t i, k, len;

	(void)state;
	failures = 0;
	compared = 0;
	for (i = 0; i < 30000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = 1 + (size_t)(x % 40);
		for (k = 0; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[k] = alphabet[x % (sizeof(alphabet) - 1)];
		}
		/* half of them shaped like the fast path's inputs */
		if (i % 2 == 0 && len > 6) {
			buf[len / 2] = '@';
			if (i % 4 == 0) {
				buf[0] = 'A';
				buf[1] = ' ';
				buf[2] = '<';
				buf[len - 1] = '>';
			}
		}
		compare_all(buf, len);
	}
	printf("random comparison: %zu parses, %d differences\n", compared,
	       failures);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_corpora),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
