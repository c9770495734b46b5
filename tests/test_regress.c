/*
 * test_regress.c - one test per parser bug found after the parser landed
 *
 * Each row failed before its fix; the comment says what was wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"

struct row {
	const char *name;
	const char *in;
	int prod;
	unsigned flags;
	const char *want_diags;		/* "CODE@N ..." */
	const char *want_norm;		/* canonical, or NULL */
};

static const struct row rows[] = {
	/* a lexical error inside a phrase left the local-part reading's
	 * provisional ERR_EXPECTING_ATEXT in the list, with its tag bits */
	{ "unclosed-qs-after-atom", "test\"@iana.org", ADDR_P_MAILBOX,
	  ADDR_F_LENIENT | ADDR_F_UTF8, "ERR_UNCLOSEDQUOTEDSTR@4", NULL },
	/* RFC 6532 extends VCHAR after "\" in a domain literal too
	 * (hapi isemail tests.json case 138) */
	{ "utf8-qp-in-literal", "test@[RFC-5322-\\\xe9\x83\xb5-no-domain-literal]",
	  ADDR_P_ADDR_SPEC, ADDR_F_LENIENT | ADDR_F_UTF8,
	  "RFC5322_DOMAINLITERAL@5 RFC5322_DOMLIT_OBSDTEXT@15", NULL },
	/* NFC turned U+037E GREEK QUESTION MARK into ";" in the fallback
	 * domain form, so the canonical address no longer parsed */
	{ "nfc-semicolon", "me@\xcd\xbe.com", ADDR_P_ADDR_SPEC,
	  ADDR_F_LENIENT | ADDR_F_UTF8, "IDNA_DISALLOWED@3",
	  "me@\xcd\xbe.com" },
	/* a domain made of a mapped full stop and ASCII labels skipped
	 * IDNA entirely (spec §6 example 102) */
	{ "mapped-dot-ascii-labels", "my@\xef\xbc\x8eleadingfwdot.com",
	  ADDR_P_ADDR_SPEC, ADDR_F_LENIENT | ADDR_F_UTF8,
	  "IDNA_MAPPED@3 IDNA_FORM@3", NULL },
	/* with both readings failed the terminator decides (spec §6 #68+s) */
	{ "both-readings-failed", "Joe Q. Public <john.q.public@example.com>",
	  ADDR_P_MAILBOX, 0, "DEPREC_PHRASE@5 ERR_OBSOLETE@5", NULL },
	/* IDNA_FORM for a mapped trailing full stop pointed at the last
	 * octet of the separator, not its first (spec §0, §2.3) */
	{ "trailing-mapped-dot", "a@b.c\xef\xbc\x8e", ADDR_P_ADDR_SPEC,
	  ADDR_F_LENIENT | ADDR_F_UTF8, "IDNA_MAPPED@2 IDNA_FORM@5", NULL },
	/* warnings inside an unclosed construct came after the error,
	 * which must be the last diagnosis (spec §1.4) */
	{ "warning-inside-unclosed", "\"\x07", ADDR_P_ADDR_SPEC, ADDR_F_LENIENT,
	  "ERR_UNCLOSEDQUOTEDSTR@0", NULL },
	{ "utf8-control-inside-unclosed-literal", "test@[\xc2\x80",
	  ADDR_P_ADDR_SPEC, ADDR_F_LENIENT | ADDR_F_UTF8,
	  "ERR_UNCLOSEDDOMLIT@5", NULL },
	/* "<@example.com>" has no ":": no route, an empty local part */
	{ "route-without-colon", "<@example.com>", ADDR_P_MAILBOX, ADDR_F_LENIENT,
	  "ERR_NOLOCALPART@1", NULL },
	/* a comma ends neither reading of a phrase in a single mailbox */
	{ "phrase-then-comma", "John Doe, x <a@b.c>", ADDR_P_MAILBOX,
	  ADDR_F_LENIENT, "ERR_EXPECTING_ATEXT@8", NULL },
	/* an R-LDH label reached through mapping (fullwidth hyphens) is a
	 * mapped domain too: not usable as is in an envelope */
	{ "mapped-rldh", "<me@yy\xef\xbc\x8d\xef\xbc\x8d" "0.tld>",
	  ADDR_P_FORWARD_PATH, ADDR_F_UTF8,
	  "IDNA_MAPPED@4 ERR_ENVELOPE@4", NULL },
	/* fuzz/regressions: found by the fuzz targets (issue 8) */
	/* a lone "<" read the octet after it */
	{ "fuzz-lone-angle", "<", ADDR_P_REVERSE_PATH, 0, "ERR_ANGLE@0", NULL },
	/* "=" with DECODE_2047 read the octet after it (fast path) */
	{ "fuzz-lone-equals", "=", ADDR_P_ADDRESS,
	  ADDR_F_LENIENT | ADDR_F_DECODE_2047, "ERR_NODOMAIN@1", NULL },
	/* "@a@b:" is no obs-domain-list (a "," must separate the domains);
	 * taking it for one read past the input when collecting it */
	{ "fuzz-obs-route-no-comma", "<@a@b:c@d>", ADDR_P_MAILBOX,
	  ADDR_F_LENIENT, "ERR_NOLOCALPART@1", NULL },
	/* an escaped CR in a domain literal is content, not folding */
	{ "fuzz-literal-escaped-cr", "a@[\\\r]", ADDR_P_ADDR_SPEC,
	  ADDR_F_LENIENT, "RFC5322_DOMAINLITERAL@2 RFC5322_DOMLIT_OBSDTEXT@3",
	  "a@[\\\r]" },
	{ "fuzz-angle-comma", "<,", ADDR_P_ADDRESS_LIST,
	  ADDR_F_UTF8 | ADDR_F_DECODE_2047, "ERR_EXPECTING_ATEXT@1", NULL },
	/* two ERROR diagnoses at a group's colon */
	{ "fuzz-dot-colon-group", " .:;", ADDR_P_ADDRESS_LIST, 0,
	  "ERR_EXPECTING_ATEXT@1", NULL },
	{ "fuzz-dot-colon-mailbox", ".:", ADDR_P_MAILBOX, 0,
	  "ERR_GROUP_NOT_ALLOWED@1", NULL },
	/* over 128 labels with a mapped full stop: the labels past the
	 * 128th were folded into one, whose dots read as non-LDH */
	{ "fuzz-129-labels", "a@" "e.e\xef\xbc\x8ep." "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
	  "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
	  "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
	  "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
	  "com", ADDR_P_ADDR_SPEC, ADDR_F_LENIENT | ADDR_F_UTF8,
	  "RFC5322_TOOLONG@0 IDNA_MAPPED@2 RFC5322_DOMAIN_TOOLONG@2", NULL },
	/* a failed reading went on recording: two ERR_OBSOLETE */
	{ "fuzz-strict-obs-localpart", "\"a\" .b@c", ADDR_P_MAILBOX, 0,
	  "RFC5321_QUOTEDSTRING@0 DEPREC_FWS@3 ERR_OBSOLETE@3", NULL },
};

static void diag_string(char *out, size_t cap, const struct addr_mailbox_result *r)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < r->ndiag && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s@%zu", i ? " " : "",
				      addr_diag_name(r->diag[i].code) ?
				      addr_diag_name(r->diag[i].code) : "?",
				      r->diag[i].offset);
}

static void test_rows(void **state)
{
	struct addr_mailbox_result r;
	struct addr_buf a, d;
	char got[512];
	size_t i;
	int bad = 0;

	(void)state;
	addr_mailbox_result_init(&r);
	addr_buf_init(&a);
	addr_buf_init(&d);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		addr_mailbox_parse(&r, w->in, strlen(w->in), w->prod, w->flags, NULL);
		diag_string(got, sizeof(got), &r);
		if (strcmp(got, w->want_diags) != 0) {
			printf("%s: diagnoses: got \"%s\", want \"%s\"\n", w->name,
			       got, w->want_diags);
			bad++;
		}
		if (w->want_norm != NULL) {
			if (r.naddr != 1 ||
			    addr_mailbox_normalize(&a, &d, &r.addr[0], 0) != 0 ||
			    strcmp(a.ptr, w->want_norm) != 0) {
				printf("%s: canonical: got \"%s\", want \"%s\"\n",
				       w->name, a.ptr, w->want_norm);
				bad++;
			}
		}
	}
	addr_buf_free(&a);
	addr_buf_free(&d);
	addr_mailbox_result_free(&r);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
