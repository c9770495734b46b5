/*
 * test_imcea.c - IMCEA encapsulation (spec-imcea-proxy.md §1, §2.1;
 * spec-x400.md §9.8)
 *
 * Table-driven: every encode vector (E1..E21) and decode vector
 * (D1..D23) of spec-imcea-proxy.md §1.7/§1.8, the IMCEA vectors 95 and
 * 97 of spec-x400.md §9.8, and rows derived from the rules (R1..R21 and
 * the "libaddr behaviour" lines), each with the rule it comes from.
 * Failures print got/want. Then a seeded property test: decode(encode(x))
 * == x for every one of >= 100,000 random inputs the encoder accepts
 * (ASCII, every special character, Latin-1, BMP and astral UTF-8, every
 * type class, both forms), differential tests of the quick X.400 and
 * SMTP checks against the full parsers, and an allocation-failure test.
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
#include "imcea_int.h"

#define STRICT	ADDR_IMCEA_STRICT
#define X4S	ADDR_IMCEA_X400_STRICT
#define R5321	ADDR_IMCEA_RFC5321

/* ------------------------------------------------------------ encoding */

struct enc_row {
	const char *name;	/* vector number or rule */
	const char *proxy;	/* "TYPE:value" */
	const char *domain;
	unsigned flags;
	int want_rc;		/* 0 or ADDR_E* */
	const char *want;	/* the IMCEA address when want_rc is 0 */
};

static const struct enc_row enc_rows[] = {
	{ "E1", "FAX:1234567890", "MyDomain.com", 0, 0,
	  "IMCEAFAX-1234567890@MyDomain.com" },
	{ "E3", "EX:/o=Contoso/ou=Exchange Administrative Group "
	  "(FYDIBOHF23SPDLT)/cn=Recipients/cn=jdoe", "contoso.com", 0, 0,
	  "IMCEAEX-_o=Contoso_ou=Exchange+20Administrative+20Group+20+28"
	  "FYDIBOHF23SPDLT+29_cn=Recipients_cn=jdoe@contoso.com" },
	{ "E5", "X400:C=US;A= ;P=Contoso;O=Exchange;S=Doe;G=John;",
	  "contoso.com", 0, 0,
	  "IMCEAX400-C=US+3BA=+20+3BP=Contoso+3BO=Exchange+3BS=Doe+3BG=John"
	  "+3B@contoso.com" },
	{ "E7", "SMTP:a+b_c@x.org", "contoso.com", 0, 0,
	  "IMCEASMTP-a+2Bb+5Fc+40x+2Eorg@contoso.com" },
	{ "E9", "NOTES:John Doe/Sales/Acme@Acme", "contoso.com", 0, 0,
	  "IMCEANOTES-John+20Doe_Sales_Acme+40Acme@contoso.com" },
	{ "E11", "EX:/o=Org/cn=M\xc3\xbcller", "contoso.com", 0, 0,
	  "IMCEAEX-_o=Org_cn=M+FCller@contoso.com" },
	{ "E13", "EX:/o=Org/cn=\xe6\x97\xa5\xe6\x9c\xac", "contoso.com", 0, 0,
	  "IMCEAEX-UTF8-_o=Org_cn=+E6+97+A5+E6+9C+AC@contoso.com" },
	{ "E15", "FAX:FAX: 123 ", "contoso.com", 0, 0,
	  "IMCEAFAX-FAX+3A+20123+20@contoso.com" },
	{ "E17", "FAX:123", "[10.0.0.1]", 0, ADDR_ESYNTAX, NULL },
	{ "E21", "FAX:", "contoso.com", 0, ADDR_ESYNTAX, NULL },
	/* spec-x400.md §9.8 */
	{ "x400-95", "X400:c=US;a= ;p=MS;o=PARIS;s=user;",
	  "host.microsoft.com", 0, 0,
	  "IMCEAX400-c=US+3Ba=+20+3Bp=MS+3Bo=PARIS+3Bs=user+3B"
	  "@host.microsoft.com" },
	{ "x400-97", "X400:C=US;A= ;P=Org;O=Sales/East;S=O_Neil;", "x.org",
	  0, 0, "IMCEAX400-C=US+3BA=+20+3BP=Org+3BO=Sales_East+3BS=O+5FNeil"
	  "+3B@x.org" },
	/* §1.4: an address starting with UTF8- gets the marker (R10) */
	{ "1.4-utf8-prefix", "FAX:UTF8-abc", "c.com", 0, 0,
	  "IMCEAFAX-UTF8-UTF8-abc@c.com" },
	{ "1.4-utf8-prefix-wide", "EX:UTF8-\xe6\x97\xa5", "c.com", 0, 0,
	  "IMCEAEX-UTF8-UTF8-+E6+97+A5@c.com" },
	{ "1.4-utf8-lower-no-marker", "FAX:utf8-abc", "c.com", 0, 0,
	  "IMCEAFAX-utf8-abc@c.com" },
	/* R5: Latin-1 unless a code point is >= U+0100, then all UTF-8 */
	{ "R5-latin1-top", "EX:\xc3\xbf\xc2\x80", "c.com", 0, 0,
	  "IMCEAEX-+FF+80@c.com" },
	{ "R5-u0100", "EX:\xc3\xa9\xc4\x80", "c.com", 0, 0,
	  "IMCEAEX-UTF8-+C3+A9+C4+80@c.com" },
	{ "R5-astral", "EX:a\xf0\x9f\x98\x80/", "c.com", 0, 0,
	  "IMCEAEX-UTF8-a+F0+9F+98+80_@c.com" },
	/* R1: the type is copied as given */
	{ "R1-type-case", "ex:/o=x", "c.com", 0, 0, "IMCEAex-_o=x@c.com" },
	{ "R1-type-set", "A!#$%&'*/=?^`{|}~:x", "c.com", 0, ADDR_ETOOLONG,
	  NULL },
	{ "R1-type-set-9", "!#$%&'*/=:x", "c.com", 0, 0,
	  "IMCEA!#$%&'*/=-x@c.com" },
	{ "R2-R4-every-special", "FAX: !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
	  "c.com", 0, 0, "IMCEAFAX-+20+21+22+23+24+25+26+27+28+29+2A+2B+2C-"
	  "+2E_+3A+3B+3C=+3E+3F+40+5B+5C+5D+5E+5F+60+7B+7C+7D+7E@c.com" },
	/* §1.4 type checks */
	{ "1.4-type-empty", ":x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-type-9", "ABCDEFGHI:x", "c.com", 0, 0,
	  "IMCEAABCDEFGHI-x@c.com" },
	{ "1.4-type-10", "ABCDEFGHIJ:x", "c.com", 0, ADDR_ETOOLONG, NULL },
	{ "1.4-type-hyphen", "A-B:x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-type-plus", "A+B:x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-type-underscore", "A_B:x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-type-dot", "A.B:x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-type-space", "A B:x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-type-at", "A@B:x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-type-non-ascii", "\xc3\xa9:x", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-no-colon", "FAX", "c.com", 0, ADDR_ESYNTAX, NULL },
	/* §1.4 address checks */
	{ "P11-blank", "FAX:   ", "contoso.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-blank-nbsp", "FAX:\xc2\xa0", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-blank-ideographic", "FAX: \xe3\x80\x80", "c.com", 0,
	  ADDR_ESYNTAX, NULL },
	{ "1.4-control-tab", "FAX:1\t2", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-control-del", "FAX:1\x7f", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-control-esc", "FAX:\x1b[0m", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-not-utf8", "FAX:\xe9t\xe9", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "1.4-c1-is-no-control", "FAX:a\xc2\x85", "c.com", 0, 0,
	  "IMCEAFAX-a+85@c.com" },
	/* R12 / R21 per type */
	{ "R21-smtp-invalid", "SMTP:not an address", "c.com", 0,
	  ADDR_ESYNTAX, NULL },
	{ "R21-smtp-literal", "SMTP:a@[10.0.0.1]", "c.com", 0, ADDR_ESYNTAX,
	  NULL },
	{ "R21-smtp-null-path", "SMTP:<>", "c.com", 0, 0,
	  "IMCEASMTP-+3C+3E@c.com" },
	{ "R21-smtp-quoted", "smtp:\"a b\"@x.org", "c.com", 0, 0,
	  "IMCEAsmtp-+22a+20b+22+40x+2Eorg@c.com" },
	{ "R21-smtp-utf8", "SMTP:j\xc3\xb6rg@b\xc3\xbc" "cher.de", "c.com", 0,
	  0, "IMCEASMTP-j+F6rg+40b+FCcher+2Ede@c.com" },
	{ "P13-eum", "EUM:1234;phone-context=dp.contoso.com", "c.com", 0, 0,
	  "IMCEAEUM-1234+3Bphone-context=dp+2Econtoso+2Ecom@c.com" },
	{ "P13-eum-missing", "EUM:1234", "c.com", 0, ADDR_ESYNTAX, NULL },
	{ "R21-eum-twice", "EUM:1;phone-context=a;phone-context=b", "c.com", 0,
	  ADDR_ESYNTAX, NULL },
	{ "D15-x400-ou", "X400:c=US;ou=Sales;", "c.com", 0, ADDR_ESYNTAX,
	  NULL },
	{ "P5-x400-unterminated", "X400:c=US;a= ;p=Microsoft;s=Parkes;g=Pat",
	  "c.com", 0, 0, "IMCEAX400-c=US+3Ba=+20+3Bp=Microsoft+3Bs=Parkes+3Bg"
	  "=Pat@c.com" },
	{ "P7-x400-lenient", "X400:c=US;a= ;p=A;;B;o=X;", "c.com", 0, 0,
	  "IMCEAX400-c=US+3Ba=+20+3Bp=A+3B+3BB+3Bo=X+3B@c.com" },
	{ "P7-x400-strict", "X400:c=US;a= ;p=A;;B;o=X;", "c.com", X4S,
	  ADDR_ESYNTAX, NULL },
	{ "P9-x400-dda", "X400:c=US;a= ;p=Contoso;DDA:RFC-822=jdoe(a)"
	  "contoso.com;", "c.com", 0, 0, "IMCEAX400-c=US+3Ba=+20+3Bp=Contoso"
	  "+3BDDA+3ARFC-822=jdoe+28a+29contoso+2Ecom+3B@c.com" },
	{ "R22-x400-prefix", "X400:X400:c=US;", "c.com", 0, ADDR_ESYNTAX,
	  NULL },
	{ "R22-x400-bound", "X400:c=US;a= ;p=First Organization;", "c.com", 0,
	  ADDR_ETOOLONG, NULL },
	{ "R21-custom-anything", "MS:NET/PO/MAILBOX", "c.com", 0, 0,
	  "IMCEAMS-NET_PO_MAILBOX@c.com" },
	/* R7 domain */
	{ "R7-domain-underscore", "FAX:1", "a_b.c-d.com", 0, 0,
	  "IMCEAFAX-1@a_b.c-d.com" },
	{ "R7-domain-trailing-dot", "FAX:1", "c.com.", 0, ADDR_ESYNTAX, NULL },
	{ "R7-domain-empty-label", "FAX:1", "c..com", 0, ADDR_ESYNTAX, NULL },
	{ "R7-domain-leading-dot", "FAX:1", ".c.com", 0, ADDR_ESYNTAX, NULL },
	{ "R7-domain-empty", "FAX:1", "", 0, ADDR_ESYNTAX, NULL },
	{ "R7-domain-char", "FAX:1", "c+d.com", 0, ADDR_ESYNTAX, NULL },
	{ "R7-domain-non-ascii", "FAX:1", "b\xc3\xbc" "cher.de", 0,
	  ADDR_ESYNTAX, NULL },
	/* R7 / §1.4 lengths, rfc5321 */
	{ "rfc5321-short", "FAX:1234567890", "MyDomain.com", R5321, 0,
	  "IMCEAFAX-1234567890@MyDomain.com" },
	{ "rfc5321-E3", "EX:/o=Contoso/ou=Exchange Administrative Group "
	  "(FYDIBOHF23SPDLT)/cn=Recipients/cn=jdoe", "contoso.com", R5321,
	  ADDR_ETOOLONG, NULL },
};

/* long_string - n copies of c (static storage, one at a time) */
static const char *long_string(char c, size_t n)
{
	static char s[1024];

	assert_true(n < sizeof(s));
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* make_domain - labels of the given lengths (0 ends the list) */
static void make_domain(char *d, int a, int b, int c, int e, int f)
{
	const int len[] = { a, b, c, e, f, 0 };
	size_t i;

	d[0] = '\0';
	for (i = 0; len[i] > 0; i++) {
		if (i)
			strcat(d, ".");
		strcat(d, long_string('a', (size_t)len[i]));
	}
}

static int check_encode(const char *name, const char *proxy, size_t plen,
			const char *domain, unsigned flags, int want_rc,
			const char *want)
{
	struct addr_buf out;
	struct addr_error err;
	int rc, bad = 0;

	addr_buf_init(&out);
	memset(&err, 0, sizeof(err));
	rc = addr_imcea_encode_proxy(&out, proxy, plen, domain, strlen(domain),
				     flags, &err);
	if (rc != want_rc || (want != NULL && strcmp(out.ptr, want) != 0) ||
	    (rc < 0 && out.size != 0)) {
		printf("encode %s: got %d \"%s\" (%s), want %d \"%s\"\n", name,
		       rc, out.ptr, rc < 0 ? err.message : "", want_rc,
		       want ? want : "");
		bad = 1;
	}
	addr_buf_free(&out);
	return bad;
}

static void test_encode_vectors(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(enc_rows) / sizeof(enc_rows[0]); i++) {
		const struct enc_row *r = &enc_rows[i];

		bad += check_encode(r->name, r->proxy, strlen(r->proxy),
				    r->domain, r->flags, r->want_rc, r->want);
	}
	assert_int_equal(bad, 0);
}

/* E19 and the R7 length boundaries: strings built at run time */
static void test_encode_lengths(void **state)
{
	char v[2048], w[2048], dom[300];
	struct addr_buf out;
	int bad = 0;

	(void)state;
	/* E19: a local part of exactly 1000 characters is fine for X400 */
	snprintf(v, sizeof(v), "X400:C=US;A= ;P=Contoso;O=Exchange;S=Doe;"
		 "DDA:X1=%s;", long_string('.', 101));
	snprintf(v + strlen(v), sizeof(v) - strlen(v), "DDA:X2=%s;",
		 long_string('.', 101));
	snprintf(v + strlen(v), sizeof(v) - strlen(v), "DDA:X3=%s;",
		 long_string('.', 100));
	addr_buf_init(&out);
	if (addr_imcea_encode_proxy(&out, v, strlen(v), "contoso.com", 11, 0,
				    NULL) != 0 ||
	    strchr(out.ptr, '@') - out.ptr != 1000) {
		printf("E19: got \"%s\", want a local part of 1000\n", out.ptr);
		bad++;
	}
	addr_buf_free(&out);
	/* the same address as FAX: 999 > 315 */
	memcpy(w, "FAX", 3);
	strcpy(w + 3, v + 4);
	bad += check_encode("E19-fax", w, strlen(w), "contoso.com", 0,
			    ADDR_ETOOLONG, NULL);
	/* 315: "IMCEAFAX-" is 9, so 306 octets fit and 307 do not */
	snprintf(v, sizeof(v), "FAX:%s", long_string('a', 306));
	snprintf(w, sizeof(w), "IMCEAFAX-%s@c.com", long_string('a', 306));
	bad += check_encode("R7-local-315", v, strlen(v), "c.com", 0, 0, w);
	snprintf(v, sizeof(v), "FAX:%s", long_string('a', 307));
	bad += check_encode("R7-local-316", v, strlen(v), "c.com", 0,
			    ADDR_ETOOLONG, NULL);
	/* escapes count three: 102 "." = 306 octets */
	snprintf(v, sizeof(v), "FAX:%s", long_string('.', 102));
	bad += check_encode("R7-local-escaped", v, strlen(v), "c.com", 0, 0,
			    NULL);
	snprintf(v, sizeof(v), "FAX:%s", long_string('.', 103));
	bad += check_encode("R7-local-escaped-316", v, strlen(v), "c.com", 0,
			    ADDR_ETOOLONG, NULL);
	/* rfc5321: "IMCEAFAX-" + 55 = 64 */
	snprintf(v, sizeof(v), "FAX:%s", long_string('a', 55));
	bad += check_encode("rfc5321-64", v, strlen(v), "c.com", R5321, 0,
			    NULL);
	snprintf(v, sizeof(v), "FAX:%s", long_string('a', 56));
	bad += check_encode("rfc5321-65", v, strlen(v), "c.com", R5321,
			    ADDR_ETOOLONG, NULL);
	/* domain: 255 fits (the total is then 571 exactly), 256 does not;
	 * a label of 63 fits, 64 does not */
	make_domain(dom, 63, 63, 63, 61, 1);
	assert_int_equal(strlen(dom), 255);
	snprintf(v, sizeof(v), "FAX:%s", long_string('a', 306));
	snprintf(w, sizeof(w), "IMCEAFAX-%s@%s", long_string('a', 306), dom);
	bad += check_encode("R7-total-571", v, strlen(v), dom, 0, 0, w);
	make_domain(dom, 63, 63, 63, 62, 1);
	assert_int_equal(strlen(dom), 256);
	bad += check_encode("R7-domain-256", v, strlen(v), dom, 0,
			    ADDR_ETOOLONG, NULL);
	make_domain(dom, 63, 3, 0, 0, 0);
	bad += check_encode("R7-label-63", "FAX:1", 5, dom, 0, 0, NULL);
	make_domain(dom, 64, 3, 0, 0, 0);
	bad += check_encode("R7-label-64", "FAX:1", 5, dom, 0, ADDR_ETOOLONG,
			    NULL);
	/* rfc5321 on an X400 address (limit 64, not 1604) */
	snprintf(v, sizeof(v), "X400:C=US;S=%s;", long_string('x', 40));
	snprintf(v + strlen(v), sizeof(v) - strlen(v), "G=%s;",
		 long_string('y', 16));
	bad += check_encode("x400-83", v, strlen(v), "c.com", 0, 0, NULL);
	bad += check_encode("rfc5321-x400", v, strlen(v), "c.com", R5321,
			    ADDR_ETOOLONG, NULL);
	/* a NUL inside the address is a control character */
	bad += check_encode("1.4-nul", "FAX:1\0002", 7, "c.com", 0,
			    ADDR_ESYNTAX, NULL);
	assert_int_equal(bad, 0);
}

/* the split entry point and its error offsets */
static void test_encode_split(void **state)
{
	struct addr_buf out;
	struct addr_error err;
	int rc;

	(void)state;
	addr_buf_init(&out);
	rc = addr_imcea_encode(&out, "FAX", 3, "1/2", 3, "c.com", 5, 0, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(out.ptr, "IMCEAFAX-1_2@c.com");
	rc = addr_imcea_encode(&out, "A:B", 3, "1", 1, "c.com", 5, 0, &err);
	assert_int_equal(rc, ADDR_ESYNTAX);
	assert_int_equal(err.offset, 1);
	assert_int_equal(out.size, 0);
	rc = addr_imcea_encode_proxy(&out, "FAX:12\t", 7, "c.com", 5, 0, &err);
	assert_int_equal(rc, ADDR_ESYNTAX);
	assert_int_equal(err.offset, 6);
	rc = addr_imcea_encode_proxy(&out, "FAX:1", 5, "c..com", 6, 0, &err);
	assert_int_equal(rc, ADDR_ESYNTAX);
	assert_int_equal(err.offset, 2);
	addr_buf_free(&out);
}

/* ------------------------------------------------------------ decoding */

struct dec_row {
	const char *name;
	const char *in;
	const char *local;	/* comma-separated local domains, or NULL */
	unsigned flags;
	int want_rc;		/* 1 decoded, 0 not encapsulated, ADDR_E* */
	const char *want;	/* "TYPE:value" when want_rc is 1 */
};

static const struct dec_row dec_rows[] = {
	{ "D1", "IMCEAEX-_O=MMS_OU=EXCHANGE+20ADMINISTRATIVE+20GROUP+20+28"
	  "FYDIBOHF23SPDLT+29_CN=RECIPIENTS_CN=User6ed4e168-addd-4b03-95f5-"
	  "b9c9a421957358d@mgd.domain.com", NULL, 0, 1,
	  "EX:/O=MMS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN="
	  "RECIPIENTS/CN=User6ed4e168-addd-4b03-95f5-b9c9a421957358d" },
	{ "D1-strict", "IMCEAEX-_O=MMS_OU=EXCHANGE+20ADMINISTRATIVE+20GROUP+20"
	  "+28FYDIBOHF23SPDLT+29_CN=RECIPIENTS_CN=User6ed4e168-addd-4b03-95f5-"
	  "b9c9a421957358d@mgd.domain.com", NULL, STRICT, 1,
	  "EX:/O=MMS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN="
	  "RECIPIENTS/CN=User6ed4e168-addd-4b03-95f5-b9c9a421957358d" },
	{ "D3", "IMCEAEX-_o=org_ou=Exchange+2fAdministrative@contoso.com",
	  NULL, 0, 1, "EX:/o=org/ou=Exchange/Administrative" },
	{ "D3-strict", "IMCEAEX-_o=org_ou=Exchange+2fAdministrative@contoso.com",
	  NULL, STRICT, 1, "EX:/o=org/ou=Exchange/Administrative" },
	{ "D5a", "IMCEAFAX-12+3@contoso.com", NULL, 0, 1, "FAX:12+3" },
	{ "D5b", "IMCEAFAX-12+@contoso.com", NULL, 0, 1, "FAX:12+" },
	{ "D5a-strict", "IMCEAFAX-12+3@contoso.com", NULL, STRICT,
	  ADDR_ESYNTAX, NULL },
	{ "D5b-strict", "IMCEAFAX-12+@contoso.com", NULL, STRICT, ADDR_ESYNTAX,
	  NULL },
	{ "D7", "IMCEA-foo@contoso.com", NULL, 0, ADDR_ESYNTAX, NULL },
	{ "D9a", "IMCEAFAX-123@", NULL, 0, ADDR_ESYNTAX, NULL },
	{ "D9b", "IMCEAFAX-123", NULL, 0, ADDR_ESYNTAX, NULL },
	{ "D11", "IMCEAEX-UTF8-_o=Org_cn=+C5@contoso.com", NULL, 0,
	  ADDR_ESYNTAX, NULL },
	{ "D13", "IMCEAFAX-a-b@c@contoso.com", NULL, 0, 1, "FAX:a-b@c" },
	{ "D15", "IMCEAX400-c=US+3Bou=Sales+3B@contoso.com", NULL, 0,
	  ADDR_ESYNTAX, NULL },
	{ "D17", "IMCEAA+3AB-x@contoso.com", NULL, 0, ADDR_ESYNTAX, NULL },
	{ "D19", "IMCEASMTP-john+2Edoe+40fabrikam+2Ecom@contoso.com", NULL, 0,
	  1, "SMTP:john.doe@fabrikam.com" },
	{ "D21", "IMCEAEX-_o=Org_cn=x@other.example", "contoso.com", 0, 0,
	  NULL },
	{ "D21-no-list", "IMCEAEX-_o=Org_cn=x@other.example", NULL, 0, 1,
	  "EX:/o=Org/cn=x" },
	{ "D23", "IMCEAFAX-+00@contoso.com", NULL, 0, ADDR_ESYNTAX, NULL },
	/* spec-x400.md §9.8 back */
	{ "x400-95", "IMCEAX400-c=US+3Ba=+20+3Bp=MS+3Bo=PARIS+3Bs=user+3B"
	  "@host.microsoft.com", NULL, 0, 1,
	  "X400:c=US;a= ;p=MS;o=PARIS;s=user;" },
	{ "x400-97", "IMCEAX400-C=US+3BA=+20+3BP=Org+3BO=Sales_East+3BS=O+5F"
	  "Neil+3B@x.org", NULL, 0, 1,
	  "X400:C=US;A= ;P=Org;O=Sales/East;S=O_Neil;" },
	{ "x400-97-strict-imcea", "IMCEAX400-C=US+3BA=+20+3BP=Org+3BO=Sales_"
	  "East+3BS=O+5FNeil+3B@x.org", NULL, STRICT, 1,
	  "X400:C=US;A= ;P=Org;O=Sales/East;S=O_Neil;" },
	{ "x400-97-x400-strict", "IMCEAX400-C=US+3BA=+20+3BP=Org+3BO=Sales_"
	  "East+3BS=O+5FNeil+3B@x.org", NULL, X4S, ADDR_ESYNTAX, NULL },
	/* the encode vectors back */
	{ "E1", "IMCEAFAX-1234567890@MyDomain.com", NULL, STRICT, 1,
	  "FAX:1234567890" },
	{ "E11", "IMCEAEX-_o=Org_cn=M+FCller@contoso.com", NULL, 0, 1,
	  "EX:/o=Org/cn=M\xc3\xbcller" },
	{ "E13", "IMCEAEX-UTF8-_o=Org_cn=+E6+97+A5+E6+9C+AC@contoso.com",
	  NULL, 0, 1, "EX:/o=Org/cn=\xe6\x97\xa5\xe6\x9c\xac" },
	{ "E15", "IMCEAFAX-FAX+3A+20123+20@contoso.com", NULL, 0, 1,
	  "FAX:FAX: 123 " },
	{ "E21-exchange", "IMCEAFAX-@contoso.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "1.4-utf8-prefix", "IMCEAFAX-UTF8-UTF8-abc@c.com", NULL, 0, 1,
	  "FAX:UTF8-abc" },
	{ "R10-exchange-utf8-prefix", "IMCEAFAX-UTF8-abc@c.com", NULL, 0, 1,
	  "FAX:abc" },
	/* §1.6 recognition */
	{ "1.6-any-case", "imceaex-_o=Org_cn=x@contoso.com", NULL, 0, 1,
	  "EX:/o=Org/cn=x" },
	{ "1.6-any-case-strict", "imceaex-_o=Org_cn=x@contoso.com", NULL,
	  STRICT, 0, NULL },
	{ "1.6-mixed-case-strict", "ImceaEX-x@contoso.com", NULL, STRICT, 0,
	  NULL },
	{ "R13-type-upper", "IMCEAex-_o=x@c.com", NULL, STRICT, 1, "EX:/o=x" },
	{ "R11-escaped-hyphen", "IMCEAEX+2DX-abc@c.com", NULL, 0, 1,
	  "EX-X:abc" },
	{ "R11-type-9", "IMCEAABCDEFGHI-x@c.com", NULL, 0, 1, "ABCDEFGHI:x" },
	{ "R11-type-10", "IMCEAABCDEFGHIJ-x@c.com", NULL, 0, ADDR_ETOOLONG,
	  NULL },
	{ "R11-type-blank", "IMCEA+20+20-x@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "R11-type-non-ascii", "IMCEAF+E9-x@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "R11-type-control", "IMCEAF+09X-1@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "R11-type-underscore", "IMCEAA_B-1@c.com", NULL, 0, 1, "A/B:1" },
	{ "R11-type-strict-plus", "IMCEAA+-1@c.com", NULL, STRICT,
	  ADDR_ESYNTAX, NULL },
	{ "R11-type-lenient-plus", "IMCEAA+-1@c.com", NULL, 0, 1, "A+:1" },
	{ "1.6-short", "IMCEA", NULL, 0, 0, NULL },
	{ "1.6-plain", "john@example.com", NULL, 0, 0, NULL },
	{ "1.6-empty", "", NULL, 0, 0, NULL },
	{ "R17-exchangeguid", "ExchangeGuid+00000000-0000-0000-0000-"
	  "000000000000@contoso.com", NULL, 0, 0, NULL },
	{ "1.6-no-hyphen", "IMCEAFAX@contoso.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "1.6-at-before-hyphen", "IMCEAFAX@c-x.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "1.6-not-utf8", "IMCEAFAX-\xe9@c.com", NULL, 0, ADDR_ESYNTAX, NULL },
	{ "1.6-not-utf8-plain", "j\xe9@c.com", NULL, 0, ADDR_ESYNTAX, NULL },
	/* R9 / R10 / §1.6 unescaping */
	{ "R9-no-reassembly", "IMCEAEX-M+C3+BCller@c.com", NULL, 0, 1,
	  "EX:M\xc3\x83\xc2\xbcller" },
	{ "R9-raw-copied", "IMCEAEX-caf\xc3\xa9.x@c.com", NULL, 0, 1,
	  "EX:caf\xc3\xa9.x" },
	{ "R10-raw-non-ascii", "IMCEAEX-UTF8-caf\xc3\xa9@c.com", NULL, 0,
	  ADDR_ESYNTAX, NULL },
	{ "R10-utf8", "IMCEAEX-UTF8-caf+c3+a9@c.com", NULL, STRICT, 1,
	  "EX:caf\xc3\xa9" },
	{ "R10-overlong", "IMCEAEX-UTF8-+C0+AF@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "R10-surrogate", "IMCEAEX-UTF8-+ED+A0+80@c.com", NULL, 0,
	  ADDR_ESYNTAX, NULL },
	{ "R10-marker-case", "IMCEAEX-utf8-+C3+A9@c.com", NULL, 0, 1,
	  "EX:utf8-\xc3\x83\xc2\xa9" },
	{ "R10-empty", "IMCEAEX-UTF8-@c.com", NULL, 0, ADDR_ESYNTAX, NULL },
	{ "R9-plus-G", "IMCEAFAX-1+G0@c.com", NULL, 0, 1, "FAX:1+G0" },
	{ "R9-plus-G-strict", "IMCEAFAX-1+G0@c.com", NULL, STRICT,
	  ADDR_ESYNTAX, NULL },
	{ "1.6-raw-control", "IMCEAFAX-1\t2@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "1.6-control-del", "IMCEAFAX-1+7F@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "1.6-control-utf8", "IMCEAFAX-UTF8-1+0A@c.com", NULL, 0,
	  ADDR_ESYNTAX, NULL },
	{ "1.6-blank", "IMCEAFAX-+20@c.com", NULL, 0, ADDR_ESYNTAX, NULL },
	{ "1.6-blank-nbsp", "IMCEAFAX-+A0@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "1.6-blank-ideographic", "IMCEAFAX-UTF8-+E3+80+80@c.com", NULL, 0,
	  ADDR_ESYNTAX, NULL },
	/* R12 / R21 */
	{ "P13-eum", "IMCEAEUM-1234+3Bphone-context=dp+2Econtoso+2Ecom@c.com",
	  NULL, 0, 1, "EUM:1234;phone-context=dp.contoso.com" },
	{ "P13-eum-missing", "IMCEAEUM-1234@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "R21-smtp-invalid", "IMCEASMTP-john@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	{ "R21-smtp-literal", "IMCEASMTP-a+40+5B10+2E0+2E0+2E1+5D@c.com", NULL,
	  0, ADDR_ESYNTAX, NULL },
	{ "R21-smtp-null-path", "IMCEASMTP-+3C+3E@c.com", NULL, 0, 1,
	  "SMTP:<>" },
	{ "R22-x400-unknown", "IMCEAX400-x=1+3B@c.com", NULL, 0, ADDR_ESYNTAX,
	  NULL },
	/* R14 gate */
	{ "R14-gate-case", "IMCEAFAX-1@Contoso.COM", "other.example,"
	  "CONTOSO.com", 0, 1, "FAX:1" },
	{ "R14-gate-empty-list", "IMCEAFAX-1@contoso.com", "", 0, 0, NULL },
	{ "R14-gate-content-unseen", "IMCEA-+00@other.example", "contoso.com",
	  0, 0, NULL },
	{ "R14-gate-subdomain", "IMCEAFAX-1@a.contoso.com", "contoso.com", 0,
	  0, NULL },
};

/* split_list - "a,b" into an array (at most 8); "" is the empty list */
static size_t split_list(const char *s, char buf[8][64], const char *v[8])
{
	size_t n = 0;

	while (*s != '\0' && n < 8) {
		size_t k = strcspn(s, ",");

		assert_true(k < 64);
		memcpy(buf[n], s, k);
		buf[n][k] = '\0';
		v[n] = buf[n];
		n++;
		s += k + (s[k] == ',');
	}
	return n;
}

static void test_decode_vectors(void **state)
{
	struct addr_buf out;
	struct addr_error err;
	char buf[8][64];
	const char *v[8];
	size_t i, n;
	int rc, bad = 0;

	(void)state;
	addr_buf_init(&out);
	for (i = 0; i < sizeof(dec_rows) / sizeof(dec_rows[0]); i++) {
		const struct dec_row *r = &dec_rows[i];

		n = r->local ? split_list(r->local, buf, v) : 0;
		memset(&err, 0, sizeof(err));
		rc = addr_imcea_decode(&out, r->in, strlen(r->in),
				       r->local ? v : NULL, n, r->flags, &err);
		if (rc != r->want_rc ||
		    strcmp(out.ptr, r->want ? r->want : "") != 0 ||
		    (rc < 0 && err.offset > strlen(r->in))) {
			printf("decode %s: got %d \"%s\" (%s), want %d \"%s\"\n",
			       r->name, rc, out.ptr, rc < 0 ? err.message : "",
			       r->want_rc, r->want ? r->want : "");
			bad++;
		}
	}
	addr_buf_free(&out);
	assert_int_equal(bad, 0);
}

/* ------------------------------------------------- the property test */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static unsigned rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* A generated string with room for a few hundred code points. */
struct gen {
	char s[2048];
	size_t n;
};

/* put, putch - append, keeping a NUL after the text (for messages) */
static void put(struct gen *g, const char *s)
{
	size_t k = strlen(s);

	if (g->n + k < sizeof(g->s)) {
		memcpy(g->s + g->n, s, k);
		g->n += k;
		g->s[g->n] = '\0';
	}
}

static void putch(struct gen *g, char c)
{
	if (g->n + 1 < sizeof(g->s)) {
		g->s[g->n++] = c;
		g->s[g->n] = '\0';
	}
}

static void put_cp(struct gen *g, uint32_t cp)
{
	char b[4];
	size_t n, i;

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
	for (i = 0; i < n; i++)
		putch(g, b[i]);
}

/* Every printable ASCII character that is not a letter or digit. */
static const char specials[] = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/* Character classes for random text, with weights in rand_char. */
enum { C_ALNUM, C_SPECIAL, C_LATIN1, C_BMP, C_ASTRAL, C_CONTROL };

static unsigned stat_class[6];

/* rand_char - one code point of a random class (controls rarely) */
static void rand_char(struct gen *g, int allow_control)
{
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned k = rn(100);
	uint32_t cp;

	if (k < 45) {
		putch(g, alnum[rn(sizeof(alnum) - 1)]);
		stat_class[C_ALNUM]++;
	} else if (k < 75) {
		putch(g, specials[rn(sizeof(specials) - 1)]);
		stat_class[C_SPECIAL]++;
	} else if (k < 87) {
		put_cp(g, 0x80 + rn(0x80));
		stat_class[C_LATIN1]++;
	} else if (k < 94) {
		do
			cp = 0x100 + rn(0xFFFE - 0x100);
		while (cp >= 0xD800 && cp <= 0xDFFF);
		put_cp(g, cp);
		stat_class[C_BMP]++;
	} else if (k < 99 || !allow_control) {
		put_cp(g, 0x10000 + rn(0x10FFFF - 0x10000 + 1));
		stat_class[C_ASTRAL]++;
	} else {
		putch(g, rn(2) ? (char)rn(0x20) : (char)0x7F);
		stat_class[C_CONTROL]++;
	}
}

static void rand_text(struct gen *g, unsigned maxlen, int allow_control)
{
	unsigned i, n = 1 + rn(maxlen);

	for (i = 0; i < n; i++)
		rand_char(g, allow_control);
}

static void rand_label(struct gen *g, const char *set)
{
	unsigned i, n = 1 + rn(12);

	for (i = 0; i < n; i++)
		putch(g, set[rn((unsigned)strlen(set))]);
}

static void rand_domain(struct gen *g)
{
	unsigned i, n = 1 + rn(3);

	for (i = 0; i < n; i++) {
		if (i)
			putch(g, '.');
		rand_label(g, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_");
	}
	switch (rn(40)) {
	case 0: putch(g, '.'); break;		/* trailing dot: refused */
	case 1: g->n = 0; put(g, "[10.0.0.1]"); break;
	}
}

/* rand_smtp - mostly valid addr-specs: dot-atoms, quoted, UTF-8 */
static void rand_smtp(struct gen *g)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
		"QRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
	unsigned i, n = 1 + rn(20);

	switch (rn(6)) {
	case 0:		/* quoted local part with specials and space */
		putch(g, '"');
		for (i = 0; i < n; i++) {
			char c = specials[rn(sizeof(specials) - 1)];

			if (c == '"' || c == '\\')
				putch(g, '\\');
			putch(g, c);
		}
		putch(g, '"');
		break;
	case 1:		/* UTF-8 local part */
		for (i = 0; i < n; i++) {
			if (rn(3) == 0)
				put_cp(g, 0xA0 + rn(0x2000));
			else
				putch(g, atext[rn(26)]);
		}
		break;
	case 2:		/* anything at all: mostly invalid */
		rand_text(g, 20, 0);
		return;
	default:
		for (i = 0; i < n; i++) {
			if (i > 0 && i + 1 < n && rn(8) == 0 &&
			    g->s[g->n - 1] != '.')
				putch(g, '.');
			else
				putch(g, atext[rn(sizeof(atext) - 1)]);
		}
	}
	putch(g, '@');
	for (i = 0, n = 1 + rn(3); i < n; i++) {
		if (i)
			putch(g, '.');
		rand_label(g, "abcdefghijklmnopqrstuvwxyz0123456789");
	}
	put(g, ".example");
}

/* rand_x400 - an Exchange-form O/R address, sometimes with mistakes */
static void rand_x400(struct gen *g)
{
	static const char *const keys[] = {
		"P", "O", "S", "G", "I", "Q", "CN", "OU1", "OU2"
	};
	static const size_t maxlen[] = { 16, 64, 40, 16, 5, 3, 64, 32, 32 };
	unsigned i, j, n = 1 + rn(5);

	put(g, rn(2) ? "C=US;" : "c=de;");
	put(g, rn(2) ? "A= ;" : "a=ADMD;");
	for (i = 0; i < n; i++) {
		unsigned k = rn(sizeof(keys) / sizeof(keys[0]));
		unsigned len = 1 + rn((unsigned)maxlen[k]);

		put(g, keys[k]);
		putch(g, '=');
		for (j = 0; j < len; j++) {
			switch (rn(20)) {
			case 0: put(g, "\\;"); break;
			case 1: put(g, ";;"); break;
			case 2: put(g, "\\\\"); break;
			case 3: put_cp(g, 0xE9); break;
			case 4: put_cp(g, 0x1F600); break;
			default:
				putch(g, "abcdefghijklmnopqrstuvwxyz .'()+,-/:=?"
				      "@&_"[rn(41)]);
			}
		}
		putch(g, ';');
	}
	if (rn(3) == 0) {
		put(g, "DDA:RFC-822=");
		rand_label(g, "abcdefghijklmnop()");
		putch(g, ';');
	}
	if (rn(10) == 0)
		put(g, "ou=Sales;");	/* not a key */
}

/* The types, with the per-type generator each one gets. */
static const char *const fixed_types[] = {
	"EX", "X500", "FAX", "SMTP", "X400", "NOTES", "MS", "EUM", "MSFAX",
	"CCMAIL", "ex", "x400", "Smtp", "eum", "A", "ABCDEFGHI", "A/B", "$%&",
	"ABCDEFGHIJ", "A-B", "A_B", "A+B", "A.B", "A B", ""
};

static void rand_type(struct gen *g)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
		"rstuvwxyz0123456789!#$%&'*/=?^`{|}~";
	unsigned i, n;

	if (rn(4)) {
		put(g, fixed_types[rn(sizeof(fixed_types) /
				      sizeof(fixed_types[0]))]);
		return;
	}
	for (i = 0, n = 1 + rn(9); i < n; i++)
		putch(g, set[rn(sizeof(set) - 1)]);
	if (rn(20) == 0)
		putch(g, "-+_.: "[rn(6)]);	/* one the encoder refuses */
}

static int ieq_type(const struct gen *t, const char *lit)
{
	size_t i;

	if (strlen(lit) != t->n)
		return 0;
	for (i = 0; i < t->n; i++) {
		char c = t->s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c != lit[i])
			return 0;
	}
	return 1;
}

static void rand_address(struct gen *a, const struct gen *t)
{
	unsigned k = rn(100);

	if (ieq_type(t, "SMTP") && k < 90) {
		rand_smtp(a);
		return;
	}
	if (ieq_type(t, "X400") && k < 90) {
		rand_x400(a);
		return;
	}
	if (ieq_type(t, "EUM") && k < 80) {
		rand_label(a, "0123456789");
		put(a, rn(2) ? ";phone-context=" : ";Phone-Context=");
		rand_label(a, "abcdef.");
		return;
	}
	if (k < 8)
		put(a, "UTF8-");	/* the round trip Exchange breaks */
	else if (k < 10)
		return;			/* empty: refused */
	else if (k < 12) {
		put(a, rn(2) ? "   " : "\xc2\xa0\xe3\x80\x80");
		return;			/* blank: refused */
	} else if (k < 13) {
		rand_text(a, 10, 0);
		putch(a, (char)(0x80 + rn(0x40)));	/* invalid UTF-8 */
		return;
	} else if (k < 20) {
		put(a, "/o=Org/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)"
		    "/cn=Recipients/cn=");
	}
	rand_text(a, 60, 1);
}

/* upper_type - "TYPE:" as the decoder writes it */
static void upper_type(struct gen *w, const struct gen *t)
{
	size_t i;

	w->n = 0;
	for (i = 0; i < t->n; i++) {
		char c = t->s[i];

		putch(w, c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
	}
	putch(w, ':');
}

static void test_property_roundtrip(void **state)
{
	const unsigned total = 250000;
	struct gen t, a, d, p, w, ud;
	struct addr_buf enc, dec;
	struct addr_error err;
	const char *local[2];
	unsigned i, m, accepted = 0, latin1 = 0, utf8 = 0, marker_start = 0;
	unsigned by_smtp = 0, by_x400 = 0, by_eum = 0, rej_syntax = 0;
	unsigned rej_toolong = 0, bad = 0;
	static const unsigned modes[] = { 0, STRICT };
	int rc;

	(void)state;
	rng_state = UINT64_C(0x1a2b3c4d5e6f7081);	/* the seed */
	memset(stat_class, 0, sizeof(stat_class));
	addr_buf_init(&enc);
	addr_buf_init(&dec);
	for (i = 0; i < total; i++) {
		unsigned flags = (rn(10) == 0 ? R5321 : 0) |
				 (rn(10) == 0 ? X4S : 0);

		t.n = a.n = d.n = p.n = 0;
		rand_type(&t);
		rand_address(&a, &t);
		rand_domain(&d);
		if (t.n + 1 + a.n >= sizeof(p.s))
			continue;	/* cannot happen with these sizes */
		memcpy(p.s, t.s, t.n);
		p.n = t.n;
		putch(&p, ':');
		memcpy(p.s + p.n, a.s, a.n);
		p.n += a.n;
		rc = addr_imcea_encode_proxy(&enc, p.s, p.n, d.s, d.n, flags,
					     &err);
		if (rc < 0) {
			if (enc.size != 0 ||
			    (rc != ADDR_ESYNTAX && rc != ADDR_ETOOLONG)) {
				printf("property: encode %u: rc %d size %zu\n",
				       i, rc, enc.size);
				bad++;
			}
			rej_syntax += rc == ADDR_ESYNTAX;
			rej_toolong += rc == ADDR_ETOOLONG;
			continue;
		}
		accepted++;
		if (strstr(enc.ptr, "-UTF8-") == enc.ptr + 5 + t.n)
			utf8++;
		else
			latin1++;
		marker_start += a.n >= 5 && memcmp(a.s, "UTF8-", 5) == 0;
		by_smtp += ieq_type(&t, "SMTP");
		by_x400 += ieq_type(&t, "X400");
		by_eum += ieq_type(&t, "EUM");
		/* the expected result: upper-cased type, the address as is */
		upper_type(&w, &t);
		memcpy(w.s + w.n, a.s, a.n);
		w.n += a.n;
		/* a gate listing the domain in another case */
		ud.n = 0;
		for (m = 0; m < d.n; m++)
			putch(&ud, d.s[m] >= 'a' && d.s[m] <= 'z' ?
			      (char)(d.s[m] - 32) : d.s[m]);
		ud.s[ud.n] = '\0';
		local[0] = "other.example";
		local[1] = ud.s;
		for (m = 0; m < 4; m++) {
			unsigned dflags = modes[m & 1] | (flags & X4S);

			rc = addr_imcea_decode(&dec, enc.ptr, enc.size,
					       m < 2 ? NULL : local,
					       m < 2 ? 0 : 2, dflags, &err);
			if (rc != 1 || dec.size != w.n ||
			    memcmp(dec.ptr, w.s, w.n) != 0) {
				printf("property: input %u \"%.*s\" @ %s: "
				       "encoded \"%s\", decoded (%u) %d \"%s\""
				       " (%s)\n", i, (int)p.n, p.s, d.s,
				       enc.ptr, m, rc, dec.ptr,
				       rc < 0 ? err.message : "");
				bad++;
				break;
			}
		}
		/* a gate without the domain: not encapsulated */
		if (addr_imcea_decode(&dec, enc.ptr, enc.size, local, 1, 0,
				      NULL) != 0) {
			printf("property: input %u: gate let %s through\n", i,
			       d.s);
			bad++;
		}
		if (bad > 10)
			break;
	}
	printf("property: seed 0x1a2b3c4d5e6f7081, %u inputs, %u accepted "
	       "(%u Latin-1 form, %u UTF8- form, %u starting \"UTF8-\"; "
	       "%u SMTP, %u X400, %u EUM), rejected %u syntax, %u too long; "
	       "characters: %u alnum, %u special, %u Latin-1, %u BMP, "
	       "%u astral, %u control\n", total, accepted, latin1, utf8,
	       marker_start, by_smtp, by_x400, by_eum, rej_syntax, rej_toolong,
	       stat_class[C_ALNUM], stat_class[C_SPECIAL], stat_class[C_LATIN1],
	       stat_class[C_BMP], stat_class[C_ASTRAL], stat_class[C_CONTROL]);
	addr_buf_free(&enc);
	addr_buf_free(&dec);
	assert_int_equal(bad, 0);
	/* the generator must exercise both forms and every type class */
	assert_true(accepted >= total / 2);
	assert_true(utf8 > 1000 && latin1 > 1000 && marker_start > 100);
	assert_true(by_smtp > 1000 && by_x400 > 1000 && by_eum > 1000);
}

/*
 * decode, encode, decode: for random IMCEA-like strings that decode and
 * whose result the encoder accepts, the second decode equals the first.
 */
static void test_property_decode_first(void **state)
{
	static const char pieces[] = "ABCabc019-=_+/.@ ;:";
	struct addr_buf d1, e, d2;
	struct gen g;
	unsigned i, j, n, decoded = 0, again = 0;
	const char *colon;
	int rc, bad = 0;

	(void)state;
	rng_state = UINT64_C(0x0badc0ffee123457);
	addr_buf_init(&d1);
	addr_buf_init(&e);
	addr_buf_init(&d2);
	for (i = 0; i < 30000; i++) {
		g.n = 0;
		put(&g, rn(4) ? "IMCEA" : "imcea");
		put(&g, fixed_types[rn(10)]);
		putch(&g, '-');
		if (rn(5) == 0)
			put(&g, "UTF8-");
		for (j = 0, n = rn(30); j < n; j++) {
			if (rn(4) == 0) {
				putch(&g, '+');
				putch(&g, "0123456789ABCDEFabcdefG"[rn(23)]);
				putch(&g, "0123456789ABCDEFabcdefG"[rn(23)]);
			} else if (rn(20) == 0) {
				put_cp(&g, 0xE9);	/* raw non-ASCII */
			} else {
				putch(&g, pieces[rn(sizeof(pieces) - 1)]);
			}
		}
		put(&g, "@contoso.com");
		rc = addr_imcea_decode(&d1, g.s, g.n, NULL, 0, 0, NULL);
		if (rc != 1)
			continue;
		decoded++;
		colon = strchr(d1.ptr, ':');
		if (addr_imcea_encode(&e, d1.ptr, (size_t)(colon - d1.ptr),
				      colon + 1, d1.size - (size_t)(colon - d1.ptr) - 1,
				      "contoso.com", 11, 0, NULL) != 0)
			continue;
		again++;
		rc = addr_imcea_decode(&d2, e.ptr, e.size, NULL, 0, STRICT, NULL);
		if (rc != 1 || strcmp(d1.ptr, d2.ptr) != 0) {
			printf("decode-first: \"%.*s\" -> \"%s\" -> \"%s\" -> "
			       "%d \"%s\"\n", (int)g.n, g.s, d1.ptr, e.ptr, rc,
			       d2.ptr);
			if (++bad > 10)
				break;
		}
	}
	printf("decode-first: 30000 inputs, %u decoded, %u re-encoded\n",
	       decoded, again);
	addr_buf_free(&d1);
	addr_buf_free(&e);
	addr_buf_free(&d2);
	assert_int_equal(bad, 0);
	assert_true(again > 1000);
}

/* ------------------------------------------ the quick checks, checked */

/*
 * addr__imcea_x400_quick may only accept what addr_x400_parse (Exchange
 * form, lenient) accepts: random Exchange-form values with every key,
 * bad keys, escapes, doubled ";", spaces, long values and non-ASCII,
 * some longer than the 64 octets of the mask path.
 */
static void test_x400_quick(void **state)
{
	static const char *const keys[] = {
		"C", "c", "A", "P", "O", "o", "OU1", "ou2", "OU3", "OU4", "OU",
		"OU5", "S", "G", "I", "Q", "CN", "cn", "X.121", "x.121", "N-ID",
		"T-ID", "t-ty", "DDA", "dda", "X", "", " C", "C ", "D-ID", "X.12"
	};
	static const char *const pieces[] = {
		"a", "Z", "1", "0", " ", ".", "=", ":", "\\;", ";;", "\\",
		"(a)", "-", "/", "_", "\xc3\xa9", "@", "&", "'"
	};
	struct addr_x400 x;
	struct gen g;
	unsigned i, j, k, n, quick = 0, valid = 0;
	int q, rc, bad = 0;

	(void)state;
	rng_state = UINT64_C(0x400400400400abcd);
	addr_x400_init(&x);
	for (i = 0; i < 60000; i++) {
		g.n = 0;
		if (rn(30) == 0)
			putch(&g, '/');
		for (j = 0, n = 1 + rn(7); j < n; j++) {
			const char *key = keys[rn(sizeof(keys) / sizeof(keys[0]))];

			if (rn(20) == 0)
				putch(&g, ' ');
			put(&g, key);
			putch(&g, strcmp(key, "DDA") == 0 || strcmp(key, "dda") == 0 ?
			      (rn(10) ? ':' : '=') : (rn(30) ? '=' : ':'));
			if ((strcmp(key, "C") == 0 || strcmp(key, "c") == 0) &&
			    rn(2)) {
				put(&g, rn(2) ? "US" : rn(2) ? "276" : "U");
			} else {
				unsigned len = rn(4) == 0 ? rn(140) : rn(18);

				for (k = 0; k < len; k++)
					put(&g, rn(3) ? "x" : pieces[rn(
					    sizeof(pieces) / sizeof(pieces[0]))]);
			}
			if (j + 1 < n || rn(2))
				putch(&g, ';');
		}
		q = addr__imcea_x400_quick(g.s, g.n);
		rc = addr_x400_parse(&x, g.s, g.n, ADDR_X400_EXCHANGE, 0, NULL);
		quick += q == 1;
		valid += rc >= 0;
		if (q == 1 && rc < 0) {
			printf("x400 quick accepts \"%.*s\", the parser does not "
			       "(%d)\n", (int)g.n, g.s, rc);
			if (++bad > 10)
				break;
		}
	}
	addr_x400_free(&x);
	printf("x400 quick: 60000 values, %u valid, %u of them taken by the "
	       "quick check\n", valid, quick);
	assert_int_equal(bad, 0);
	assert_true(valid > 5000 && quick > valid / 4);
}

/*
 * addr__imcea_smtp_quick may only accept what addr_mailbox_parse
 * (ADDR_P_ADDR_SPEC, ADDR_F_UTF8) rates better than ERROR with a domain
 * name.
 */
static void test_smtp_quick(void **state)
{
	static const char alphabet[] = "abcXYZ019!#$%&'*+-/=?^_`{|}~..@@\" (),:;<>[]\\";
	struct addr_mailbox_result r;
	struct gen g;
	unsigned i, k, n, quick = 0, valid = 0;
	size_t at;
	int q, ok, bad = 0;

	(void)state;
	rng_state = UINT64_C(0x5347f0e1d2c3b4a5);
	addr_mailbox_result_init(&r);
	for (i = 0; i < 60000; i++) {
		g.n = 0;
		for (k = 0, n = 1 + rn(30); k < n; k++) {
			if (rn(40) == 0)
				put_cp(&g, 0xE9);
			else if (rn(3) == 0)
				putch(&g, alphabet[rn(sizeof(alphabet) - 1)]);
			else
				putch(&g, "abcdefgh"[rn(8)]);
		}
		if (rn(2)) {
			putch(&g, '@');
			for (k = 0, n = 1 + rn(12); k < n; k++)
				putch(&g, "abc.-_9#"[rn(rn(4) ? 3 : 8)]);
		}
		for (at = g.n; at > 0 && g.s[at - 1] != '@'; at--)
			;
		at = at ? at - 1 : g.n;
		q = addr__imcea_smtp_quick(g.s, g.n, at);
		ok = addr_mailbox_parse(&r, g.s, g.n, ADDR_P_ADDR_SPEC,
					ADDR_F_UTF8, NULL) == 0 &&
		     r.addr[0].domain_kind == ADDR_DK_NAME;
		quick += q == 1;
		valid += ok;
		if (q == 1 && !ok) {
			printf("smtp quick accepts \"%.*s\", the parser does not\n",
			       (int)g.n, g.s);
			if (++bad > 10)
				break;
		}
	}
	addr_mailbox_result_free(&r);
	printf("smtp quick: 60000 values, %u valid, %u of them taken by the "
	       "quick check\n", valid, quick);
	assert_int_equal(bad, 0);
	assert_true(valid > 3000 && quick > valid / 4);
}

/* ----------------------------------------------- allocation failures */

static long n_allocs, fail_at, live;
static int injected;

static void *t_malloc(size_t n)
{
	void *p;

	if (++n_allocs == fail_at) {
		injected = 1;
		return NULL;
	}
	p = malloc(n);
	live += p != NULL;
	return p;
}

static void *t_realloc(void *p, size_t n)
{
	void *q;

	if (++n_allocs == fail_at) {
		injected = 1;
		return NULL;
	}
	q = realloc(p, n);
	live += q != NULL && p == NULL;
	return q;
}

static void t_free(void *p)
{
	live -= p != NULL;
	free(p);
}

/*
 * Fail every allocation of an encode and a decode in turn, over inputs
 * that reach the SMTP and X.400 checks: each failed run returns
 * ADDR_ENOMEM with an empty buffer and leaks nothing.
 */
static void test_alloc_failures(void **state)
{
	static const char *const proxies[] = {
		"SMTP:john.doe@fabrikam.com",
		"X400:C=US;A= ;P=Contoso;O=Exchange;S=Doe;G=John;",
		"EX:/o=Org/cn=\xe6\x97\xa5\xe6\x9c\xac",
	};
	struct addr_buf out, enc;
	size_t i;
	long n;
	int rc;

	(void)state;
	addr_set_alloc_funcs(t_malloc, t_realloc, t_free);
	for (i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
		addr_buf_init(&enc);
		fail_at = 0;
		assert_int_equal(addr_imcea_encode_proxy(&enc, proxies[i],
				 strlen(proxies[i]), "c.com", 5, 0, NULL), 0);
		for (n = 1;; n++) {
			addr_buf_init(&out);
			n_allocs = 0;
			fail_at = n;
			injected = 0;
			live = 0;
			rc = addr_imcea_encode_proxy(&out, proxies[i],
						     strlen(proxies[i]),
						     "c.com", 5, 0, NULL);
			if (injected) {
				assert_int_equal(rc, ADDR_ENOMEM);
				assert_int_equal(out.size, 0);
			} else {
				assert_int_equal(rc, 0);
			}
			addr_buf_free(&out);
			assert_int_equal(live, 0);
			if (!injected)
				break;
		}
		for (n = 1;; n++) {
			addr_buf_init(&out);
			n_allocs = 0;
			fail_at = n;
			injected = 0;
			live = 0;
			rc = addr_imcea_decode(&out, enc.ptr, enc.size, NULL, 0,
					       0, NULL);
			if (injected) {
				assert_int_equal(rc, ADDR_ENOMEM);
				assert_int_equal(out.size, 0);
			} else {
				assert_int_equal(rc, 1);
			}
			addr_buf_free(&out);
			assert_int_equal(live, 0);
			if (!injected)
				break;
		}
		fail_at = 0;
		addr_buf_free(&enc);
	}
	addr_set_alloc_funcs(NULL, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_vectors),
		cmocka_unit_test(test_encode_lengths),
		cmocka_unit_test(test_encode_split),
		cmocka_unit_test(test_decode_vectors),
		cmocka_unit_test(test_property_roundtrip),
		cmocka_unit_test(test_property_decode_first),
		cmocka_unit_test(test_x400_quick),
		cmocka_unit_test(test_smtp_quick),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
