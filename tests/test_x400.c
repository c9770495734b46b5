/*
 * test_x400.c - X.400 O/R addresses: the three textual forms, ps-encoding
 *
 * Table rows are the vectors of spec-x400.md §9 (numbers in the names),
 * plus the rules of §1.1 and §3 they do not cover; failures print
 * got/want. The property tests draw seeded random models and strings:
 * for every form, parse(format(x)) == x after the documented
 * normalisations; random text that parses formats back to text that
 * parses to the same model; ps-decode(ps-encode(x)) == x for ASCII x.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"

#define EXC ADDR_X400_EXCHANGE
#define R1685 ADDR_X400_RFC1685
#define STDOR ADDR_X400_STDOR
#define AUTO ADDR_X400_AUTO
#define STRICT ADDR_X400_STRICT

struct row {
	const char *name;
	const char *in;
	int from;
	unsigned flags;
	int to;
	const char *want;	/* output, or "error" */
};

static const struct row rows[] = {
	/* §9.6 labelled form */
	{ "63-1685-to-exchange",
	  "X.400: G=john; S=smith; O=a bank ltd; P=abl; A=snomail; C=aq",
	  R1685, 0, EXC, "C=aq;A=snomail;P=abl;O=a bank ltd;S=smith;G=john;" },
	{ "63-1685-to-1685",
	  "X.400: G=john; S=smith; O=a bank ltd; P=abl; A=snomail; C=aq",
	  R1685, 0, R1685, "G=john; S=smith; O=a bank ltd; P=abl; A=snomail; C=aq" },
	{ "63-slash-same-address",
	  "/G=john/S=smith/O=a bank ltd/P=abl/A=snomail/C=aq",
	  R1685, 0, EXC, "C=aq;A=snomail;P=abl;O=a bank ltd;S=smith;G=john;" },
	{ "63-auto", "X.400: G=john; S=smith; O=a bank ltd; P=abl; A=snomail; C=aq",
	  AUTO, 0, EXC, "C=aq;A=snomail;P=abl;O=a bank ltd;S=smith;G=john;" },
	{ "65-absent-admd",
	  "DDA:RFC-822=fred(a)widget.co.uk; O=gateway; P=abc; C=gb",
	  R1685, 0, EXC, "C=gb;A= ;P=abc;O=gateway;DDA:RFC-822=fred(a)widget.co.uk;" },
	{ "67-dda-type-with-eq-1685", "DDA:a==b=c", R1685, 0, R1685, "DDA:a==b=c" },
	{ "67-dda-type-with-eq-exchange", "DDA:a==b=c", R1685, 0, EXC, "error" },
	{ "69-rfc1465", "DDA:RFC-822=we(a)sell.it; P=internet; A= ; C=xx;",
	  R1685, 0, EXC, "C=xx;A= ;P=internet;DDA:RFC-822=we(a)sell.it;" },
	{ "1685-empty-admd-is-space", "C=gb; A=; S=x", R1685, 0, R1685,
	  "S=x; A= ; C=gb" },
	{ "1685-doubled-delimiter", "/O=P//Q/C=us/S=x", R1685, 0, R1685,
	  "S=x; O=P/Q; A= ; C=us" },
	{ "1685-mixed-delimiters", "/C=US/A=x/;S=y", R1685, 0, EXC, "error" },
	{ "1685-unsupported-pd", "PD-C=x; C=us", R1685, 0, EXC, "error" },
	{ "1685-tty-name", "T-TY=g3fax; CN=x", R1685, 0, EXC, "CN=x;T-TY=5;" },
	{ "1685-rfc2156-label-lenient", "ADMD=x; C=us; S=y", R1685, 0, EXC,
	  "C=us;A=x;S=y;" },
	{ "1685-rfc2156-label-strict", "ADMD=x; C=us; S=y", R1685, STRICT, EXC,
	  "error" },
	{ "1685-dda-value-starting-eq", "DDA:F==x", EXC, 0, R1685, "error" },
	{ "1685-order", "c=us;a=b;p=c;o=d;ou1=e;ou2=f;s=g;g=h;i=i;q=j;cn=k;"
	  "x.121=1;n-id=2;t-ty=3;t-id=4;dda:t=v;", EXC, 0, R1685,
	  "DDA:t=v; X.121=1; N-ID=2; T-ID=4; T-TY=3; G=h; I=i; S=g; Q=j; CN=k;"
	  " O=d; OU1=e; OU2=f; P=c; A=b; C=us" },

	/* §9.7 Exchange values */
	{ "71-reordered", "s=Smith;g=John;o=Exchange;p=Contoso;a= ;c=US;", EXC, 0,
	  EXC, "C=US;A= ;P=Contoso;O=Exchange;S=Smith;G=John;" },
	{ "71-with-prefix", "X400:s=Smith;g=John;o=Exchange;p=Contoso;a= ;c=US;",
	  EXC, 0, EXC, "C=US;A= ;P=Contoso;O=Exchange;S=Smith;G=John;" },
	{ "73-slash-form", "/c=US/a= /p=Contoso/o=P//Q/s=x/", EXC, 0, EXC,
	  "C=US;A= ;P=Contoso;O=P/Q;S=x;" },
	{ "75-backslash", "c=US;o=A\\;B;s=x;", EXC, 0, EXC, "C=US;O=A\\;B;S=x;" },
	{ "75-doubled", "c=US;o=A;;B;s=x;", EXC, 0, EXC, "C=US;O=A\\;B;S=x;" },
	{ "75-strict", "c=US;o=A;;B;s=x;", EXC, STRICT, EXC, "error" },
	{ "77-empty-admd-kept", "  c=US; a=; p=Contoso;", EXC, 0, EXC,
	  "C=US;A=;P=Contoso;" },
	{ "79-unterminated-dda", "c=us;a= ;p=ms;o=EX1; dda:ms=ms/po1/admin", EXC, 0,
	  EXC, "C=us;A= ;P=ms;O=EX1;DDA:ms=ms/po1/admin;" },
	{ "81-ou-gap", "c=US;ou2=Sales;", EXC, 0, EXC, "C=US;" },
	{ "81-ou-gap-strict", "c=US;ou2=Sales;", EXC, STRICT, EXC, "error" },
	{ "83-non-mnemonic", "cn=John Smith;x.121=12345;n-id=42;t-id=T1;t-ty=5;",
	  EXC, 0, EXC, "CN=John Smith;X.121=12345;N-ID=42;T-TY=5;T-ID=T1;" },
	{ "85-prmd-too-long", "c=US;a= ;p=First Organization;", EXC, 0, EXC,
	  "error" },
	{ "87-doubled-after-value", "c=US;;a= ;", EXC, 0, EXC, "error" },
	{ "89-unknown-key", "x=1;", EXC, 0, EXC, "error" },
	{ "89-empty-key", "=x;", EXC, 0, EXC, "error" },
	{ "89-key-with-space", "c =US;", EXC, 0, EXC, "error" },
	{ "91-dda-value-130",
	  "dda:RFC-822=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  EXC, 0, EXC, "error" },
	{ "91-dda-value-128",
	  "dda:RFC-822=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  EXC, 0, EXC, "DDA:RFC-822=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaa;" },
	{ "93-ou4-is-fine-in-the-model", "C=US;A= ;P=Org;O=Sales;OU1=a;OU2=b;OU3=c;"
	  "OU4=d", EXC, 0, EXC, "C=US;A= ;P=Org;O=Sales;OU1=a;OU2=b;OU3=c;OU4=d;" },
	{ "P7-p-with-semicolon", "X400:c=US;a= ;p=A;;B;o=X;", EXC, 0, EXC,
	  "C=US;A= ;P=A\\;B;O=X;" },
	{ "exchange-repeated-last-wins", "c=US;s=a;s=b;", EXC, 0, EXC, "C=US;S=b;" },
	{ "exchange-repeated-strict", "c=US;s=a;s=b;", EXC, STRICT, EXC, "error" },
	{ "exchange-printable-strict", "c=US;s=a@b;", EXC, STRICT, EXC, "error" },
	{ "exchange-at-lenient", "c=US;s=a@b;", EXC, 0, EXC, "C=US;S=a@b;" },
	{ "exchange-five-dda", "dda:a=1;dda:b=2;dda:c=3;dda:d=4;dda:e=5;", EXC, 0,
	  EXC, "error" },
	{ "exchange-dda-without-eq", "dda:ab;", EXC, 0, EXC, "error" },
	{ "exchange-dda-empty-type", "dda:=x;", EXC, 0, EXC, "error" },
	{ "exchange-dda-needs-colon", "dda=x;", EXC, 0, EXC, "error" },
	{ "exchange-no-component", "", EXC, 0, EXC, "error" },
	{ "exchange-bare-ou", "c=US;ou=Sales;", EXC, 0, EXC, "error" },
	{ "exchange-country-shape", "c=USA;", EXC, 0, EXC, "error" },
	{ "exchange-numeric-country", "c=310;", EXC, 0, EXC, "C=310;" },
	{ "exchange-dangling-backslash", "c=US;s=x\\", EXC, 0, EXC, "C=US;S=x;" },
	{ "exchange-x121-bound", "x.121=1234567890123456;", EXC, 0, EXC, "error" },
	{ "exchange-utf8-counts-characters",
	  "s=\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9;",
	  EXC, 0, EXC,
	  "S=\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9;" },
	{ "exchange-bad-utf8", "s=\xc3;", EXC, 0, EXC, "error" },
	{ "exchange-auto", "c=US;a= ;s=x;", AUTO, 0, EXC, "C=US;A= ;S=x;" },
	/* the OU rule left an empty model, which parsed but no form could
	 * write (fuzz/regressions/x400_parse/ou-gap-leaves-empty-model) */
	{ "exchange-ou-gap-leaves-nothing", "ou2=Sales;", EXC, 0, EXC, "error" },
	{ "stdor-ou-gap-leaves-nothing", ";ou3=Sales9;", STDOR, 0, EXC, "error" },

	/* §9.2 std-or */
	{ "21-stdor-out", "S=Linnimouth;I=J;Q=5;", EXC, 0, STDOR,
	  "/I=J/S=Linnimouth/GQ=5/" },
	{ "21-stdor-in", "/I=J/S=Linnimouth/GQ=5/", STDOR, 0, EXC,
	  "S=Linnimouth;I=J;Q=5;" },
	{ "23-stdor-out", "G=a=b;S=x;", EXC, 0, STDOR, "/G=a$=b/S=x/" },
	{ "23-stdor-in", "/G=a$=b/S=x/", STDOR, 0, EXC, "S=x;G=a=b;" },
	{ "25-admd-assumed", "/S=x/PRMD=abc/C=gb/", STDOR, 0, EXC,
	  "C=gb;A= ;P=abc;S=x;" },
	{ "25-auto", "/S=x/PRMD=abc/C=gb/", AUTO, 0, EXC, "C=gb;A= ;P=abc;S=x;" },
	{ "27-dollar-at", "/S=a$@b/", STDOR, 0, EXC, "error" },
	{ "31-semicolons", "S=Support; O=sales;  A=Master400; C=it;", STDOR, 0,
	  STDOR, "/S=Support/O=sales/ADMD=Master400/C=it/" },
	{ "33-dd-keys", "S=Rossi; DD.cap=20100; DD.ph1=Via Larga 11; DDA.city=Milano;"
	  " A=PtPostel; C=it;", STDOR, 0, STDOR,
	  "/DD.cap=20100/DD.ph1=Via Larga 11/DD.city=Milano/S=Rossi/ADMD=PtPostel/"
	  "C=it/" },
	{ "33-dd-sequence", "S=Rossi; DD.cap=20100; DD.ph1=Via Larga 11;"
	  " DDA.city=Milano; A=PtPostel; C=it;", STDOR, 0, EXC,
	  "C=it;A=PtPostel;S=Rossi;DDA:city=Milano;DDA:ph1=Via Larga 11;"
	  "DDA:cap=20100;" },
	{ "35-rfc1506", "C=zz; ADMD=ade; PRMD=fhbo; O=tlec; S=plork;", STDOR, 0,
	  STDOR, "/S=plork/O=tlec/PRMD=fhbo/ADMD=ade/C=zz/" },
	{ "37-dd-rfc822", "DD.RFC-822=bush(a)dole.us; C=nl; ADMD=tlec; PRMD=GW",
	  STDOR, 0, STDOR, "/RFC-822=bush(a)dole.us/PRMD=GW/ADMD=tlec/C=nl/" },
	{ "49-plain-ou", "/S=plork/GQ=jr/OU=u/OU=spc ctr/", STDOR, 0, EXC,
	  "S=plork;Q=jr;OU1=spc ctr;OU2=u;" },
	{ "stdor-pn", "/PN=Marshall.M.T.Rose/O=x/", STDOR, 0, EXC,
	  "O=x;S=Rose;G=Marshall;I=MT;" },
	{ "stdor-tty-labelled", "/T-TY=g3fax(5)/CN=x/", STDOR, 0, EXC,
	  "CN=x;T-TY=5;" },
	{ "stdor-tty-out", "CN=x;T-TY=9;", EXC, 0, STDOR, "/CN=x/T-TY=(9)/" },
	{ "stdor-teletex", "/CN=yen*{165}/", STDOR, 0, EXC, "error" },
	{ "stdor-numbered-and-plain", "/OU=a/OU1=b/", STDOR, 0, EXC, "error" },
	{ "stdor-dd-numbered", "/DD2.b=2/DD1.a=1/", STDOR, 0, EXC,
	  "DDA:a=1;DDA:b=2;" },
	{ "stdor-null-attribute", "/O=/C=gb/", STDOR, 0, STDOR, "/O=/ADMD= /C=gb/" },
	{ "stdor-not-printable", "C=US;S=a@b;", EXC, 0, STDOR, "error" },
	{ "stdor-pd-unsupported", "/PD-C=x/C=gb/", STDOR, 0, EXC, "error" },
	{ "stdor-unknown-key", "/XX=x/C=gb/", STDOR, 0, EXC, "error" },
	{ "stdor-five-ou", "/OU=a/OU=b/OU=c/OU=d/OU=e/", STDOR, 0, EXC, "error" },
};

/* run - parse in one form, write in another: the output or "error" */
static void run(const struct row *w, struct addr_buf *b)
{
	struct addr_x400 x;
	int r;

	addr_x400_init(&x);
	addr_buf_clear(b);
	r = addr_x400_parse(&x, w->in, strlen(w->in), w->from, w->flags, NULL);
	if (r >= 0)
		r = addr_x400_format(b, &x, w->to, 0, NULL);
	if (r < 0) {
		addr_buf_clear(b);
		addr_buf_puts(b, "error");
	}
	addr_x400_free(&x);
}

static void test_rows(void **state)
{
	struct addr_buf b;
	size_t i;
	int bad = 0;

	(void)state;
	addr_buf_init(&b);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run(&rows[i], &b);
		if (strcmp(b.ptr, rows[i].want) != 0) {
			printf("%s: got \"%s\", want \"%s\"\n", rows[i].name,
			       b.ptr, rows[i].want);
			bad++;
		}
	}
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

/* error codes and offsets of a few failures */
static void test_errors(void **state)
{
	static const struct {
		const char *in;
		int form, code;
		size_t off;
	} e[] = {
		{ "c=US;a= ;p=First Organization;", EXC, ADDR_ETOOLONG, 9 },
		{ "c=US;x=1;", EXC, ADDR_ESYNTAX, 5 },
		{ "X400:c=US;x=1;", EXC, ADDR_ESYNTAX, 10 },
		{ "PD-C=x", R1685, ADDR_ENOTSUP, 0 },
		{ "/CN=a*b/", STDOR, ADDR_ENOTSUP, 5 },
		{ "c=US;", 9, ADDR_EINVAL, 0 },
	};
	struct addr_error err;
	struct addr_x400 x;
	size_t i;
	int r, bad = 0;

	(void)state;
	addr_x400_init(&x);
	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		memset(&err, 0, sizeof(err));
		r = addr_x400_parse(&x, e[i].in, strlen(e[i].in), e[i].form, 0,
				    &err);
		if (r != e[i].code || err.code != e[i].code ||
		    err.offset != e[i].off) {
			printf("%s: got %d@%zu (%s), want %d@%zu\n", e[i].in, r,
			       err.offset, err.message, e[i].code, e[i].off);
			bad++;
		}
	}
	addr_x400_free(&x);
	assert_int_equal(bad, 0);
}

/* the model API: set, add_dda, copy, equal, check, is_valid */
static void test_model(void **state)
{
	struct addr_x400 a, b;
	struct addr_buf out;

	(void)state;
	addr_x400_init(&a);
	addr_x400_init(&b);
	addr_buf_init(&out);
	assert_int_equal(addr_x400_set(&a, ADDR_X400_C, "US", 2), 0);
	assert_int_equal(addr_x400_set(&a, ADDR_X400_A, " ", 1), 0);
	assert_int_equal(addr_x400_set(&a, ADDR_X400_S, "x", 1), 0);
	assert_int_equal(addr_x400_set(&a, 99, "x", 1), ADDR_EINVAL);
	assert_int_equal(addr_x400_is_valid(&a), 1);
	assert_int_equal(addr_x400_copy(&b, &a), 0);
	assert_int_equal(addr_x400_equal(&a, &b), 1);
	assert_int_equal(addr_x400_set(&b, ADDR_X400_A, "", 0), 0);
	assert_int_equal(addr_x400_equal(&a, &b), 0);	/* empty != space */
	assert_int_equal(addr_x400_set(&b, ADDR_X400_A, NULL, 0), 0);
	assert_int_equal(addr_x400_is_valid(&b), 0);	/* no ADMD */
	assert_int_equal(addr_x400_set(&a, ADDR_X400_G, "J", 1), 0);
	assert_int_equal(addr_x400_set(&a, ADDR_X400_S, NULL, 0), 0);
	assert_int_equal(addr_x400_is_valid(&a), 0);	/* G without S */
	assert_int_equal(addr_x400_add_dda(&b, "a", 1, "1", 1), 0);
	assert_int_equal(addr_x400_add_dda(&b, "b", 1, "2", 1), 0);
	assert_int_equal(addr_x400_add_dda(&b, "c", 1, "3", 1), 0);
	assert_int_equal(addr_x400_add_dda(&b, "d", 1, "4", 1), 0);
	assert_int_equal(addr_x400_add_dda(&b, "e", 1, "5", 1), ADDR_ETOOLONG);
	assert_int_equal(addr_x400_set(&b, ADDR_X400_OU2, "x", 1), 0);
	assert_int_equal(addr_x400_check(&b, 0, NULL), ADDR_ESYNTAX);
	assert_int_equal(addr_x400_format(&out, &b, EXC, 0, NULL), ADDR_ESYNTAX);
	addr_x400_free(&a);
	assert_int_equal(addr_x400_format(&out, &a, EXC, 0, NULL), ADDR_ESYNTAX);
	assert_string_equal(addr_x400_attr_name(ADDR_X400_X121), "X.121");
	assert_null(addr_x400_attr_name(ADDR_X400_NATTR));
	addr_x400_free(&a);
	addr_x400_free(&b);
	addr_x400_free(NULL);
	addr_buf_free(&out);
}

/* ------------------------------------------------------------ ps rows */

struct psrow {
	const char *name;
	const char *in;
	int encode;
	unsigned flags;
	const char *want;	/* or "error" */
};

static const struct psrow psrows[] = {
	{ "1-enc", "a demo.", 1, 0, "a demo." },
	{ "1-dec", "a demo.", 0, 0, "a demo." },
	{ "3-enc", "\"_%\"", 1, 0, "(q)(u)(p)(q)" },
	{ "3-dec", "(q)(u)(p)(q)", 0, 0, "\"_%\"" },
	{ "5-enc", "(a)", 1, 0, "(l)a(r)" },
	{ "5-dec", "(l)a(r)", 0, 0, "(a)" },
	{ "7-dec", "(", 0, 0, "error" },
	{ "7-dec-passthrough", "(", 0, ADDR_PS_PASSTHROUGH, "(" },
	{ "9-enc", "100%name@address", 1, 0, "100(p)name(a)address" },
	{ "11-enc", "UserA & UserB", 1, 0, "UserA (038) UserB" },
	{ "13-dec", "(064)", 0, 0, "@" },
	{ "13-reenc", "@", 1, 0, "(a)" },
	{ "15-dec", "first(040)u(041)last@domain.com", 0, 0, "error" },
	{ "15-dec-passthrough", "first(040)u(041)last@domain.com", 0,
	  ADDR_PS_PASSTHROUGH, "first(040)u(041)last@domain.com" },
	{ "dec-upper-special", "(A)(P)(B)(Q)(U)(L)(R)", 0, 0, "@%!\"_()" },
	{ "dec-128", "(128)", 0, 0, "error" },
	{ "dec-two-digits", "(12)", 0, 0, "error" },
	{ "dec-127", "(127)", 0, 0, "\x7f" },
	{ "enc-backslash-bang", "\\!", 1, 0, "(092)(b)" },
	{ "enc-not-ascii", "\xc3\xa9", 1, 0, "error" },
	{ "dec-not-ascii", "\xc3\xa9", 0, 0, "error" },
	{ "enc-empty", "", 1, 0, "" },
};

static void test_ps_rows(void **state)
{
	struct addr_buf b;
	size_t i;
	int bad = 0, r;

	(void)state;
	addr_buf_init(&b);
	for (i = 0; i < sizeof(psrows) / sizeof(psrows[0]); i++) {
		const struct psrow *w = &psrows[i];

		addr_buf_clear(&b);
		r = w->encode ? addr_ps_encode(&b, w->in, strlen(w->in), NULL) :
		    addr_ps_decode(&b, w->in, strlen(w->in), w->flags, NULL);
		if (r < 0) {
			addr_buf_clear(&b);
			addr_buf_puts(&b, "error");
		}
		if (strcmp(b.ptr, w->want) != 0) {
			printf("%s: got \"%s\", want \"%s\"\n", w->name, b.ptr,
			       w->want);
			bad++;
		}
	}
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

/* ----------------------------------------------------- property tests */

static uint64_t rng_state;

/* rnd - xorshift64*, seeded per test */
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % n;
}

/* Character pools per form (a pool entry is one character, possibly a
 * multi-octet UTF-8 sequence). */
static const char *const pool_any[] = {
	"a", "Z", "0", "9", " ", "\t", ";", "/", "=", ":", "\\", "$", "@", "&",
	"(", ")", "'", "+", ",", "-", ".", "?", "\"", "_", "%", "!", "#", "*",
	"{", "}", "\x01", "\xc3\xa9", "\xc3\xbf", "\xe2\x82\xac",
	"\xf0\x9f\x98\x80", "x", "y", "Q",
};
static const char *const pool_ps[] = {
	"a", "Z", "0", "9", " ", "'", "(", ")", "+", ",", "-", ".", "/", ":",
	"=", "?", "b", "Y", "5",
};

/* rand_value - up to max characters from a pool */
static void rand_value(struct addr_buf *b, size_t max, const char *const *pool,
		       size_t npool)
{
	size_t n = rnd((uint32_t)max + 1), i;

	addr_buf_clear(b);
	if (rnd(4) == 0)
		n = max;	/* often at the bound */
	for (i = 0; i < n; i++)
		addr_buf_puts(b, pool[rnd((uint32_t)npool)]);
}

static const size_t bound[ADDR_X400_NATTR] = {
	3, 16, 16, 64, 32, 32, 32, 32, 40, 16, 5, 3, 64, 15, 32, 24, 3
};

/*
 * rand_model - a random address the form can hold. ps: values only from
 * PrintableString (std-or); tty_digits: T-TY as digits (std-or); no
 * value may make a DDA value start with "=" (RFC 1685) or a DDA type
 * hold "=" (Exchange).
 */
static void rand_model(struct addr_x400 *x, int form)
{
	const char *const *pool = form == STDOR ? pool_ps : pool_any;
	size_t npool = form == STDOR ? sizeof(pool_ps) / sizeof(pool_ps[0]) :
		       sizeof(pool_any) / sizeof(pool_any[0]);
	struct addr_buf v, t;
	int i, nou, any = 0;
	size_t k, ndda;

	addr_buf_init(&v);
	addr_buf_init(&t);
	addr_x400_free(x);
	while (!any) {
		for (i = 0; i < ADDR_X400_NATTR; i++) {
			if (i >= ADDR_X400_OU1 && i <= ADDR_X400_OU4)
				continue;
			if (rnd(3) != 0)
				continue;
			if (i == ADDR_X400_C) {
				static const char *const cs[] = {
					"US", "gb", "310", "", "Xy", "001"
				};
				addr_buf_clear(&v);
				addr_buf_puts(&v, cs[rnd(6)]);
			} else if (i == ADDR_X400_TTY &&
				   (form == STDOR || rnd(2))) {
				addr_buf_clear(&v);
				k = 1 + rnd(3);
				while (k--)
					addr_buf_putc(&v, (char)('0' + rnd(10)));
			} else {
				/* the pools cannot spell an F.401 terminal
				 * type name, which RFC 1685 would convert */
				rand_value(&v, bound[i], pool, npool);
			}
			addr_x400_set(x, i, v.ptr, v.size);
			any = 1;
		}
		/* an OU chain without gaps: all but the last non-empty */
		nou = (int)rnd(5);
		for (i = 0; i < nou; i++) {
			do
				rand_value(&v, 32, pool, npool);
			while (v.size == 0 && i + 1 < nou);
			addr_x400_set(x, ADDR_X400_OU1 + i, v.ptr, v.size);
			any = 1;
		}
		ndda = rnd(6) == 0 ? rnd(5) : 0;
		for (k = 0; k < ndda; k++) {
			do {
				rand_value(&t, 8, pool, npool);
			} while (t.size == 0 || (form == EXC &&
						 memchr(t.ptr, '=', t.size)));
			do {
				rand_value(&v, 128, pool, npool);
			} while (form == R1685 && v.size && v.ptr[0] == '=');
			if (form == STDOR && rnd(4) == 0) {
				addr_buf_clear(&t);
				addr_buf_puts(&t, rnd(2) ? "RFC-822" : "rfc-822");
			}
			addr_x400_add_dda(x, t.ptr, t.size, v.ptr, v.size);
			any = 1;
		}
	}
	addr_buf_free(&v);
	addr_buf_free(&t);
}

/* normalise - what reading the form back makes of x (spec-x400.md §3) */
static void normalise(struct addr_x400 *x, int form)
{
	const struct addr_x400_value *a = &x->attr[ADDR_X400_A];
	size_t i;

	if (form == R1685 &&
	    (x->attr[ADDR_X400_C].ptr || x->attr[ADDR_X400_P].ptr) &&
	    (a->ptr == NULL || a->len == 0))
		addr_x400_set(x, ADDR_X400_A, " ", 1);
	if (form == STDOR && x->attr[ADDR_X400_C].ptr && a->ptr == NULL)
		addr_x400_set(x, ADDR_X400_A, " ", 1);
	if (form == STDOR)
		for (i = 0; i < x->ndda; i++)
			if (strcmp(x->dda[i].type.ptr, "rfc-822") == 0)
				memcpy(x->dda[i].type.ptr, "RFC-822", 7);
}

/* roundtrip - format x in form, parse it back, compare; 1 if good */
static int roundtrip(const struct addr_x400 *x, int form, struct addr_buf *b,
		     struct addr_x400 *back, int *printed)
{
	struct addr_x400 want;
	struct addr_error err;
	int r, ok;

	addr_buf_clear(b);
	memset(&err, 0, sizeof(err));
	if ((r = addr_x400_format(b, x, form, 0, &err)) < 0) {
		if (!*printed) {
			printf("form %d: format failed: %s\n", form, err.message);
			*printed = 1;
		}
		return 0;
	}
	r = addr_x400_parse(back, b->ptr, b->size, form, 0, &err);
	addr_x400_init(&want);
	addr_x400_copy(&want, x);
	normalise(&want, form);
	ok = r == form && addr_x400_equal(&want, back);
	if (!ok && !*printed) {
		struct addr_buf g;

		addr_buf_init(&g);
		addr_x400_format(&g, back, EXC, 0, NULL);
		printf("form %d: \"%s\" read back as \"%s\" (%d %s)\n", form,
		       b->ptr, g.ptr, r, r < 0 ? err.message : "");
		addr_buf_free(&g);
		*printed = 1;
	}
	addr_x400_free(&want);
	return ok;
}

#define NPROP 40000	/* per form: 3 x 40,000 models */

static void test_prop_forms(void **state)
{
	static const int forms[] = { EXC, R1685, STDOR };
	struct addr_x400 x, back;
	struct addr_buf b;
	size_t i, f;
	int bad = 0, printed = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	addr_x400_init(&x);
	addr_x400_init(&back);
	addr_buf_init(&b);
	for (f = 0; f < 3; f++)
		for (i = 0; i < NPROP; i++) {
			rand_model(&x, forms[f]);
			if (!roundtrip(&x, forms[f], &b, &back, &printed))
				bad++;
		}
	printf("property: %d models x 3 forms, %d failures\n", NPROP, bad);
	addr_x400_free(&x);
	addr_x400_free(&back);
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

/* random text: whatever parses must format to text that parses to the
 * same model (in the same form), and strict success implies lenient */
static void test_prop_text(void **state)
{
	static const char *const tok[] = {
		"C=", "A=", "P=", "O=", "OU1=", "OU2=", "OU=", "S=", "G=", "I=",
		"Q=", "CN=", "X.121=", "N-ID=", "T-ID=", "T-TY=", "DDA:", "DD.",
		"ADMD=", "PRMD=", "GQ=", "PN=", "RFC-822=", ";", "/", ";;", "//",
		"=", "$", "\\", " ", "us", "x", "ab", "1", "g3fax", "(5)", ".",
		"X400:", "X.400:", "a.b.c", "\xc3\xa9", "@", "==",
	};
	static const int forms[] = { AUTO, EXC, R1685, STDOR };
	struct addr_x400 x, back;
	struct addr_buf in, b;
	size_t i, n;
	int bad = 0, parsed = 0, r, form;
	unsigned flags;

	(void)state;
	rng_state = 0x2545f4914f6cdd1dULL;
	addr_x400_init(&x);
	addr_x400_init(&back);
	addr_buf_init(&in);
	addr_buf_init(&b);
	for (i = 0; i < 40000; i++) {
		addr_buf_clear(&in);
		n = 1 + rnd(12);
		while (n--)
			addr_buf_puts(&in, tok[rnd(sizeof(tok) / sizeof(tok[0]))]);
		form = forms[rnd(4)];
		flags = rnd(3) == 0 ? STRICT : 0;
		r = addr_x400_parse(&x, in.ptr, in.size, form, flags, NULL);
		if (r < 0)
			continue;
		parsed++;
		if ((flags & STRICT) &&
		    addr_x400_parse(&back, in.ptr, in.size, r, 0, NULL) != r) {
			printf("strict-only: \"%s\"\n", in.ptr);
			bad++;
		}
		addr_buf_clear(&b);
		if (addr_x400_format(&b, &x, r, 0, NULL) < 0)
			continue;	/* not representable in that form */
		if (addr_x400_parse(&back, b.ptr, b.size, r, 0, NULL) != r ||
		    !addr_x400_equal(&x, &back)) {
			if (bad < 5)
				printf("text: \"%s\" -> \"%s\" differs\n",
				       in.ptr, b.ptr);
			bad++;
		}
	}
	printf("property: 40000 random texts, %d parsed, %d failures\n",
	       parsed, bad);
	addr_x400_free(&x);
	addr_x400_free(&back);
	addr_buf_free(&in);
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

#define NPS 100000

static void test_prop_ps(void **state)
{
	struct addr_buf in, enc, dec;
	size_t i, n;
	int bad = 0;

	(void)state;
	rng_state = 0x853c49e6748fea9bULL;
	addr_buf_init(&in);
	addr_buf_init(&enc);
	addr_buf_init(&dec);
	for (i = 0; i < NPS; i++) {
		addr_buf_clear(&in);
		addr_buf_clear(&enc);
		addr_buf_clear(&dec);
		n = rnd(40);
		while (n--)
			addr_buf_putc(&in, (char)rnd(128));
		if (addr_ps_encode(&enc, in.ptr, in.size, NULL) != 0 ||
		    addr_ps_decode(&dec, enc.ptr, enc.size, 0, NULL) != 0 ||
		    dec.size != in.size || memcmp(dec.ptr, in.ptr, in.size) != 0) {
			bad++;
			continue;
		}
		/* the encoding is PrintableString only */
		for (n = 0; n < enc.size; n++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
				    "tuvwxyz0123456789 '()+,-./:=?", enc.ptr[n]) ||
			    enc.ptr[n] == '\0') {
				bad++;
				break;
			}
	}
	printf("property: %d ASCII strings, %d failures\n", NPS, bad);
	addr_buf_free(&in);
	addr_buf_free(&enc);
	addr_buf_free(&dec);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_ps_rows),
		cmocka_unit_test(test_prop_forms),
		cmocka_unit_test(test_prop_text),
		cmocka_unit_test(test_prop_ps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
