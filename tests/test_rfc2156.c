/*
 * test_rfc2156.c - MCGAM tables, the RFC 2156 mappings, RFC 2163 names
 *
 * Rows are the vectors of spec-x400.md §9.2..§9.6 that involve a mapping
 * or a table (numbers in the names) and the rules of §4 and §5 they do
 * not cover; failures print got/want. The property test maps seeded
 * random addresses under a Widget-style MCGAM pair to RFC 822 and back
 * and expects the same address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "chaos.h"

/* The tables of spec-x400.md §8 and those named in the vectors. */
#define W1 "O$Widget.PRMD$@.ADMD$BTT.C$TC#Widget.COM#\n"
#define W2 "Widget.COM#O$Widget.PRMD$@.ADMD$BTT.C$TC#\n"
#define N1 "PRMD$tlec.ADMD$ade.C$nl#tlec.nl#\n"
#define N2 "tlec.nl#PRMD$tlec.ADMD$ade.C$nl#\n"
#define K1 "PRMD$UK\\.AC.ADMD$GOLD 400.C$GB#AC.UK#\n"
#define M31 "ADMD$Master400.C$it#Master400.it#\n"
#define M33 "ADMD$PtPostel.C$it#ptpostel.it#\n"
#define G45 "alter.net#PRMD$relay.ADMD$BTglobal.C$gb#\n"
#define T53 "Widget.PTT.XY#O$Widget Corporation.PRMD$Griddle MHS.ADMD$PTT.C$XY#\n"
#define T53R "O$Widget Corporation.PRMD$Griddle MHS.ADMD$PTT.C$XY#Widget.PTT.XY#\n"
#define T55 "GMD.DE#O$@.PRMD$GMD.ADMD$DBP.C$DE#\n"

#define ALG ADDR_RFC2156_ALGORITHMIC
#define RET ADDR_RFC2156_RETURN_ADDRESS

struct row {
	const char *name;
	const char *mcgam;	/* MCGAM lines, or NULL */
	const char *gate;	/* gateway lines, or NULL */
	const char *local;	/* local domain (to 822) / O/R (from 822) */
	unsigned flags;
	int form;		/* X.400 input form (to 822) */
	const char *in;
	const char *want;	/* or "error" */
};

static const struct row to822[] = {
	{ "17", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;S=Rose;G=Marshall;", "Marshall.Rose@Widget.COM" },
	{ "19", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;S=Rose;G=Marshall;I=MT;",
	  "Marshall.M.T.Rose@Widget.COM" },
	{ "21", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;S=Linnimouth;I=J;Q=5;",
	  "/I=J/S=Linnimouth/GQ=5/@Widget.COM" },
	{ "23", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;G=a=b;S=x;", "/G=a$=b/S=x/@Widget.COM" },
	{ "29", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;OU1=Marketing;S=Linnimouth;I=J;Q=5;",
	  "/I=J/S=Linnimouth/GQ=5/@Marketing.Widget.COM" },
	{ "31", M31, NULL, NULL, 0, ADDR_X400_STDOR,
	  "S=Support; O=sales;  A=Master400; C=it;",
	  "/S=Support/O=sales/@Master400.it" },
	{ "33", M33, NULL, NULL, 0, ADDR_X400_STDOR,
	  "S=Rossi; DD.cap=20100; DD.ph1=Via Larga 11; DDA.city=Milano;"
	  " A=PtPostel; C=it;",
	  "\"/DD.cap=20100/DD.ph1=Via Larga 11/DD.city=Milano/S=Rossi/\""
	  "@ptpostel.it" },
	{ "35", NULL, NULL, "gw.switch.ch", 0, ADDR_X400_STDOR,
	  "C=zz; ADMD=ade; PRMD=fhbo; O=tlec; S=plork;",
	  "/S=plork/O=tlec/PRMD=fhbo/ADMD=ade/C=zz/@gw.switch.ch" },
	{ "37", NULL, NULL, NULL, 0, ADDR_X400_STDOR,
	  "DD.RFC-822=bush(a)dole.us; C=nl; ADMD=tlec; PRMD=GW", "bush@dole.us" },
	{ "39", K1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=GB;A=GOLD 400;P=UK.AC;O=Salford;OU1=R-D;S=Jones;",
	  "Jones@R-D.Salford.AC.UK" },
	{ "41", NULL, NULL, NULL, ALG, ADDR_X400_EXCHANGE,
	  "c=de;a=admd;p=microsoft;o=pss;s=alias;", "alias@pss.microsoft.admd.de" },
	{ "53", T53R, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=XY;A=PTT;P=Griddle MHS;O=Widget Corporation;S=Soap;G=Joe;",
	  "Joe.Soap@Widget.PTT.XY" },
	{ "65", NULL, NULL, NULL, 0, ADDR_X400_RFC1685,
	  "DDA:RFC-822=fred(a)widget.co.uk; O=gateway; P=abc; C=gb",
	  "fred@widget.co.uk" },
	{ "69", NULL, NULL, NULL, 0, ADDR_X400_RFC1685,
	  "DDA:RFC-822=we(a)sell.it; P=internet; A= ; C=xx;", "we@sell.it" },
	{ "no-table-no-domain", NULL, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=zz;A=x;S=y;", "error" },
	{ "gate1-fallback", NULL, "PRMD$x.ADMD$y.C$zz#gw.example#\n", NULL, 0,
	  ADDR_X400_EXCHANGE, "C=zz;A=y;P=x;O=o;S=s;", "/S=s/O=o/@gw.example" },
	{ "mcgam-beats-gate1", "ADMD$y.C$zz#y.zz#\n",
	  "PRMD$x.ADMD$y.C$zz#gw.example#\n", NULL, 0, ADDR_X400_EXCHANGE,
	  "C=zz;A=y;P=x;S=s;", "s@x.y.zz" },
	{ "algorithmic-one-label", NULL, NULL, "gw.example", ALG,
	  ADDR_X400_EXCHANGE, "C=de;A= ;S=x;",
	  "\"/S=x/ADMD= /C=de/\"@gw.example" },
	{ "mcgam-one-label", "C$de#de#\n", NULL, "gw.example", 0,
	  ADDR_X400_EXCHANGE, "C=de;A=x;S=y;", "y@x.de" },
	{ "mcgam-one-label-fallback", "C$de#de#\n", NULL, "gw.example", 0,
	  ADDR_X400_EXCHANGE, "C=de;S=y;", "/S=y/C=de/@gw.example" },
	{ "non-mnemonic-all-lhs", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;OU1=Marketing;X.121=123;S=x;",
	  "/S=x/X121=123/OU=Marketing/O=Widget/ADMD=BTT/C=TC/@Widget.COM" },
	{ "two-rfc822-ddas", NULL, NULL, "gw.example", 0, ADDR_X400_EXCHANGE,
	  "C=gb;A= ;DDA:RFC-822=a(a)b;DDA:rfc-822=c(a)d;",
	  "\"/RFC-822=c(a)d/RFC-822=a(a)b/ADMD= /C=gb/\"@gw.example" },
	{ "rfc822-continuation", NULL, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=gb;DDA:RFC-822=first(u)part;DDA:RFC822C1=(a)example.org;",
	  "first_part@example.org" },
	{ "rfc822-bad-encoding", NULL, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=gb;DDA:RFC-822=a@b;", "error" },
	{ "rfc822-control", NULL, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=gb;DDA:RFC-822=a(010)b(a)c;", "error" },
	{ "not-printable-lhs", NULL, NULL, "gw.example", 0, ADDR_X400_EXCHANGE,
	  "C=gb;S=a@b;", "error" },
	{ "subdomain-stops-at-absent", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;OU1=a;OU2=b c;OU3=d;S=x;",
	  "\"/S=x/OU=d/OU=b c/\"@a.Widget.COM" },
	{ "subdomain-leaves-lhs", W1, NULL, NULL, 0, ADDR_X400_EXCHANGE,
	  "C=TC;A=BTT;O=Widget;OU1=a;OU2=b;", "/OU=b/@a.Widget.COM" },
	{ "lookup-normalised", "ADMD$ .C$US#us.example#\n", NULL, NULL, 0,
	  ADDR_X400_EXCHANGE, "C=us;A=;P=Org;S=x;", "x@Org.us.example" },
};

static const struct row from822[] = {
	{ "17", W2, NULL, NULL, 0, 0, "Marshall.Rose@Widget.COM",
	  "C=TC;A=BTT;O=Widget;S=Rose;G=Marshall;" },
	{ "19", W2, NULL, NULL, 0, 0, "Marshall.M.T.Rose@Widget.COM",
	  "C=TC;A=BTT;O=Widget;S=Rose;G=Marshall;I=MT;" },
	{ "21", W2, NULL, NULL, 0, 0, "/I=J/S=Linnimouth/GQ=5/@Widget.COM",
	  "C=TC;A=BTT;O=Widget;S=Linnimouth;I=J;Q=5;" },
	{ "23", W2, NULL, NULL, 0, 0, "/G=a$=b/S=x/@Widget.COM",
	  "C=TC;A=BTT;O=Widget;S=x;G=a=b;" },
	{ "25", NULL, NULL, NULL, 0, 0, "/S=x/PRMD=abc/C=gb/@gw.example",
	  "C=gb;A= ;P=abc;S=x;" },
	{ "27", NULL, NULL, "C=gb;A= ;P=gw;", 0, 0, "\"/S=a$@b/\"@x.org",
	  "C=gb;A= ;P=gw;DDA:RFC-822=(q)/S=a(036)(a)b/(q)(a)x.org;" },
	{ "43", NULL, NULL, "c=gb;a= ;p=uk.ac;o=mr;", 0, 0,
	  "@relay.co.uk:userb@host2",
	  "C=gb;A= ;P=uk.ac;O=mr;DDA:RFC-822=(a)relay.co.uk:userb(a)host2;" },
	{ "45", NULL, G45, NULL, 0, 0, "postmaster@UK.alter.net",
	  "C=gb;A=BTglobal;P=relay;DDA:RFC-822=postmaster(a)UK.alter.net;" },
	{ "47", N2, NULL, NULL, 0, 0, "100%user@work.tlec.nl",
	  "C=nl;A=ade;P=tlec;O=work;DDA:RFC-822=100(p)user(a)work.tlec.nl;" },
	{ "49", N2, NULL, NULL, 0, 0,
	  "\"/S=plork/GQ=jr/OU=u/OU=spc ctr/\"@owe.tlec.nl",
	  "C=nl;A=ade;P=tlec;O=owe;S=plork;Q=jr;OU1=spc ctr;OU2=u;" },
	{ "51", NULL, NULL, "C=US;A= ;P=Contoso;O=GW;", ALG, 0, "x@microsoft.com",
	  "C=US;A= ;P=Contoso;O=GW;DDA:RFC-822=x(a)microsoft.com;" },
	{ "53", T53, NULL, NULL, 0, 0, "Joe.Soap@Widget.PTT.XY",
	  "C=XY;A=PTT;P=Griddle MHS;O=Widget Corporation;S=Soap;G=Joe;" },
	{ "55", T55, NULL, NULL, 0, 0, "x@ZI.GMD.DE",
	  "C=DE;A=DBP;P=GMD;S=x;OU1=ZI;" },
	{ "recursion-4.4.1", NULL, NULL, NULL, ALG, 0, "Smith@ZZ.YY.XX",
	  "C=XX;A=YY;P=ZZ;S=Smith;" },
	{ "algorithmic-x400-domain", NULL, NULL, NULL, ALG, 0,
	  "john.smith@sales.acme.attmail.us",
	  "C=us;A=attmail;P=acme;O=sales;S=smith;G=john;" },
	{ "return-address-stage1", W2, NULL, "C=US;A= ;P=Local;", RET, 0,
	  "Marshall.Rose@Widget.COM", "C=TC;A=BTT;O=Widget;S=Rose;G=Marshall;" },
	{ "return-address", W2, NULL, "C=US;A= ;P=Local;", RET, 0,
	  "a%b@Widget.COM", "C=US;A= ;P=Local;DDA:RFC-822=a(p)b(a)Widget.COM;" },
	{ "return-address-needs-or", W2, NULL, NULL, RET, 0, "a%b@Widget.COM",
	  "error" },
	{ "no-or-for-stage2", NULL, NULL, NULL, 0, 0, "a%b@c.example", "error" },
	{ "stage2-on-mcgam-levels", W2, NULL, NULL, 0, 0, "a%b@Widget.COM",
	  "C=TC;A=BTT;O=Widget;DDA:RFC-822=a(p)b(a)Widget.COM;" },
	{ "leading-space", W2, NULL, "C=US;A= ;P=L;", 0, 0, "\" x\"@Widget.COM",
	  "C=TC;A=BTT;O=Widget;DDA:RFC-822=(q) x(q)(a)Widget.COM;" },
	{ "gate2-ddas-first", NULL,
	  "gw.example#~MSXENCAP$SMTP.PRMD$p.ADMD$a.C$us#\n", NULL, 0, 0,
	  "a%b@gw.example",
	  "C=us;A=a;P=p;DDA:MSXENCAP=SMTP;DDA:RFC-822=a(p)b(a)gw.example;" },
	{ "long-dda-split", NULL, NULL, "C=US;A= ;", 0, 0,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaa%b@example.org",
	  "C=US;A= ;DDA:RFC-822=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaa;DDA:RFC822C1=aaaaaaaaaaaa(p)b(a)example.org;" },
	{ "fifth-ou-stops", "a.b#ADMD$x.C$us#\n", NULL, "C=US;A= ;", 0, 0,
	  "s@o0.o1.o2.o3.o4.o.p.a.b",
	  "C=us;A=x;P=p;O=o;OU1=o4;OU2=o3;OU3=o2;OU4=o1;"
	  "DDA:RFC-822=s(a)o0.o1.o2.o3.o4.o.p.a.b;" },
	{ "ou-merge", W2, NULL, NULL, 0, 0, "\"/S=x/OU=l2/OU=l1/\"@r.Widget.COM",
	  "C=TC;A=BTT;O=Widget;S=x;OU1=r;OU2=l1;OU3=l2;" },
	{ "lhs-prmd-keeps-own", W2, NULL, NULL, 0, 0, "/S=x/PRMD=p/@o.Widget.COM",
	  "C=TC;A=BTT;P=p;S=x;" },
	{ "not-an-address", NULL, NULL, "C=US;A= ;", 0, 0, "no at sign", "error" },
	{ "not-ascii", NULL, NULL, "C=US;A= ;", 0, 0, "j\xc3\xb6@x.org", "error" },
};

/* load - tables from the row's lines (NULL when the row has none) */
static struct addr_rfc2156_tables *load(const struct row *w)
{
	struct addr_rfc2156_tables *t;
	struct addr_error err;

	assert_int_equal(addr_rfc2156_tables_new(&t), 0);
	if (w->mcgam && addr_rfc2156_tables_load(t, ADDR_RFC2156_MCGAM, w->mcgam,
						 strlen(w->mcgam), &err) < 0)
		printf("%s: mcgam: %s (line %zu)\n", w->name, err.message,
		       err.line);
	if (w->gate && addr_rfc2156_tables_load(t, ADDR_RFC2156_GATEWAY, w->gate,
						strlen(w->gate), &err) < 0)
		printf("%s: gateway: %s (line %zu)\n", w->name, err.message,
		       err.line);
	return t;
}

static void test_to822(void **state)
{
	struct addr_buf b;
	struct addr_x400 x;
	struct addr_error err;
	size_t i;
	int bad = 0, r;

	(void)state;
	addr_buf_init(&b);
	addr_x400_init(&x);
	for (i = 0; i < sizeof(to822) / sizeof(to822[0]); i++) {
		const struct row *w = &to822[i];
		struct addr_rfc2156_tables *t = load(w);

		addr_buf_clear(&b);
		r = addr_x400_parse(&x, w->in, strlen(w->in), w->form, 0, &err);
		if (r >= 0)
			r = addr_rfc2156_to_822(&b, &x, t, w->local, w->flags,
						&err);
		if (r < 0) {
			addr_buf_clear(&b);
			addr_buf_puts(&b, "error");
		}
		if (strcmp(b.ptr, w->want) != 0) {
			printf("to822 %s: got \"%s\", want \"%s\" (%s)\n", w->name,
			       b.ptr, w->want, r < 0 ? err.message : "");
			bad++;
		}
		addr_rfc2156_tables_free(t);
	}
	addr_x400_free(&x);
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

static void test_from822(void **state)
{
	struct addr_buf b;
	struct addr_x400 x, lo;
	struct addr_error err;
	size_t i;
	int bad = 0, r;

	(void)state;
	addr_buf_init(&b);
	addr_x400_init(&x);
	addr_x400_init(&lo);
	for (i = 0; i < sizeof(from822) / sizeof(from822[0]); i++) {
		const struct row *w = &from822[i];
		struct addr_rfc2156_tables *t = load(w);

		addr_buf_clear(&b);
		addr_x400_free(&lo);
		if (w->local)
			assert_true(addr_x400_parse(&lo, w->local, strlen(w->local),
						    ADDR_X400_EXCHANGE, 0,
						    NULL) > 0);
		r = addr_rfc2156_from_822(&x, w->in, strlen(w->in), t,
					  w->local ? &lo : NULL, w->flags, &err);
		if (r >= 0)
			r = addr_x400_format(&b, &x, ADDR_X400_EXCHANGE, 0, &err);
		if (r < 0) {
			addr_buf_clear(&b);
			addr_buf_puts(&b, "error");
		}
		if (strcmp(b.ptr, w->want) != 0) {
			printf("from822 %s: got \"%s\", want \"%s\" (%s)\n",
			       w->name, b.ptr, w->want, r < 0 ? err.message : "");
			bad++;
		}
		addr_rfc2156_tables_free(t);
	}
	addr_x400_free(&x);
	addr_x400_free(&lo);
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

/* Stage numbers: 1 for Stage I, 2 for Stage II; Mapping A 1, B 2 */
static void test_stage_numbers(void **state)
{
	struct addr_rfc2156_tables *t;
	struct addr_x400 x, lo;
	struct addr_buf b;

	(void)state;
	addr_x400_init(&x);
	addr_x400_init(&lo);
	addr_buf_init(&b);
	assert_int_equal(addr_rfc2156_tables_new(&t), 0);
	assert_int_equal(addr_rfc2156_tables_load(t, ADDR_RFC2156_MCGAM, W2 W1,
						  strlen(W2 W1), NULL), 2);
	assert_int_equal(addr_rfc2156_from_822(&x, "a.b@Widget.COM", 14, t, NULL,
					       0, NULL), 1);
	assert_int_equal(addr_rfc2156_to_822(&b, &x, t, NULL, 0, NULL), 2);
	assert_string_equal(b.ptr, "a.b@Widget.COM");
	assert_int_equal(addr_rfc2156_from_822(&x, "a%b@Widget.COM", 14, t, NULL,
					       0, NULL), 2);
	addr_buf_clear(&b);
	assert_int_equal(addr_rfc2156_to_822(&b, &x, t, NULL, 0, NULL), 1);
	assert_string_equal(b.ptr, "a%b@Widget.COM");
	/* a failed Mapping A left its partial decoding in the buffer
	 * (fuzz/regressions/rfc2156_map/mapping-a-error-left-output) */
	addr_buf_clear(&b);
	addr_buf_puts(&b, "kept");
	assert_int_equal(addr_x400_parse(&x, "C=xx;DDA:RFC-822=we(elal)s.it;", 30,
					 ADDR_X400_EXCHANGE, 0, NULL), 1);
	assert_int_equal(addr_rfc2156_to_822(&b, &x, t, "gw.example", 0, NULL),
			 ADDR_ESYNTAX);
	assert_string_equal(b.ptr, "kept");
	addr_rfc2156_tables_free(t);
	addr_rfc2156_tables_free(NULL);
	addr_x400_free(&x);
	addr_x400_free(&lo);
	addr_buf_free(&b);
}

/* ---------------------------------------------------------- table loads */

struct lrow {
	const char *name;
	int kind;
	const char *pre;	/* loaded first as MCGAM (or NULL) */
	const char *text;
	int want;		/* lines added, or ADDR_E* */
	size_t line;		/* line of the error */
};

static const struct lrow lrows[] = {
	{ "w1-w2", ADDR_RFC2156_MCGAM, NULL, W1 W2, 2, 0 },
	{ "comments-and-blank", ADDR_RFC2156_MCGAM, NULL,
	  "# MCGAM\r\n\r\n" N1 N2 K1, 3, 0 },
	/* the §4 example "XEROX.COM#O$Xerox.ADMD$ATT.C$US#" skips PRMD
	 * without "$@", which the load-time hierarchy check refuses */
	{ "examples-4", ADDR_RFC2156_MCGAM, NULL,
	  "AC.UK#PRMD$UK\\.AC.ADMD$GOLD 400.C$GB#\nXEROX.COM#O$Xerox.ADMD$ATT.C$US#\n"
	  "GMD.DE#O$@.PRMD$GMD.ADMD$DBP.C$DE#\n", ADDR_ESYNTAX, 2 },
	{ "examples-4-with-omitted-prmd", ADDR_RFC2156_MCGAM, NULL,
	  "AC.UK#PRMD$UK\\.AC.ADMD$GOLD 400.C$GB#\n"
	  "XEROX.COM#O$Xerox.PRMD$@.ADMD$ATT.C$US#\n"
	  "GMD.DE#O$@.PRMD$GMD.ADMD$DBP.C$DE#\n", 3, 0 },
	{ "lower-case-keywords", ADDR_RFC2156_MCGAM, NULL,
	  "x.uk#o$x.prmd$@.admd$y.c$uk#\n", 1, 0 },
	{ "53-prmd-21", ADDR_RFC2156_MCGAM, NULL,
	  "Widget.PTT.XY#O$Widget Corporation.PRMD$Griddle MHS Providers."
	  "ADMD$PTT.C$XY#\n", ADDR_ETOOLONG, 1 },
	{ "duplicate", ADDR_RFC2156_MCGAM, NULL, N1 "PRMD$TLEC.ADMD$ade.C$NL#x.nl#\n",
	  ADDR_ECONFLICT, 2 },
	{ "duplicate-domain", ADDR_RFC2156_MCGAM, NULL,
	  N2 "TLEC.NL#ADMD$x.C$nl#\n", ADDR_ECONFLICT, 2 },
	{ "mcgam-and-gateway", ADDR_RFC2156_GATEWAY, N2,
	  "tlec.nl#ADMD$x.C$nl#\n", ADDR_ECONFLICT, 1 },
	{ "gap", ADDR_RFC2156_MCGAM, NULL, "a.b#O$x.C$US#\n", ADDR_ESYNTAX, 1 },
	{ "order", ADDR_RFC2156_MCGAM, NULL, "a.b#C$US.ADMD$x#\n", ADDR_ESYNTAX, 1 },
	{ "not-hierarchy", ADDR_RFC2156_MCGAM, NULL, "a.b#S$x.ADMD$x.C$US#\n",
	  ADDR_ESYNTAX, 1 },
	{ "dda-in-mcgam", ADDR_RFC2156_MCGAM, NULL, "a.b#~T$x.ADMD$x.C$US#\n",
	  ADDR_ESYNTAX, 1 },
	{ "dda-in-gate2", ADDR_RFC2156_GATEWAY, NULL, "a.b#~T$x.ADMD$x.C$US#\n",
	  1, 0 },
	{ "dda-in-gate1", ADDR_RFC2156_GATEWAY, NULL, "~T$x.ADMD$x.C$US#a.b#\n",
	  ADDR_ESYNTAX, 1 },
	{ "bad-domain", ADDR_RFC2156_MCGAM, NULL, "a_b#C$US#\n", ADDR_ESYNTAX, 1 },
	{ "bad-domain-hyphen", ADDR_RFC2156_MCGAM, NULL, "a-.b#C$US#\n",
	  ADDR_ESYNTAX, 1 },
	{ "no-final-hash", ADDR_RFC2156_MCGAM, NULL, N1 "a.b#C$US\n",
	  ADDR_ESYNTAX, 2 },
	{ "bad-country", ADDR_RFC2156_MCGAM, NULL, "a.b#C$USA#\n", ADDR_ESYNTAX, 1 },
	{ "teletex", ADDR_RFC2156_MCGAM, NULL, "a.b#O${165}.ADMD$x.C$US#\n",
	  ADDR_ENOTSUP, 1 },
	{ "bad-escape", ADDR_RFC2156_MCGAM, NULL, "a.b#O$x\\y.ADMD$x.C$US#\n",
	  ADDR_ESYNTAX, 1 },
	{ "bad-kind", 7, NULL, N1, ADDR_EINVAL, 0 },
};

static void test_load(void **state)
{
	struct addr_rfc2156_tables *t;
	struct addr_error err;
	size_t i;
	int bad = 0, r;

	(void)state;
	for (i = 0; i < sizeof(lrows) / sizeof(lrows[0]); i++) {
		const struct lrow *w = &lrows[i];

		assert_int_equal(addr_rfc2156_tables_new(&t), 0);
		if (w->pre)
			assert_int_equal(addr_rfc2156_tables_load(
				t, ADDR_RFC2156_MCGAM, w->pre, strlen(w->pre),
				NULL), 1);
		memset(&err, 0, sizeof(err));
		r = addr_rfc2156_tables_load(t, w->kind, w->text, strlen(w->text),
					     &err);
		if (r != w->want || (r < 0 && err.line != w->line)) {
			printf("load %s: got %d (line %zu: %s), want %d (line %zu)\n",
			       w->name, r, err.line, err.message, w->want,
			       w->line);
			bad++;
		}
		addr_rfc2156_tables_free(t);
	}
	assert_int_equal(bad, 0);
}

/* a failed load keeps none of its lines */
static void test_load_all_or_nothing(void **state)
{
	struct addr_rfc2156_tables *t;
	struct addr_x400 x;

	(void)state;
	addr_x400_init(&x);
	assert_int_equal(addr_rfc2156_tables_new(&t), 0);
	assert_true(addr_rfc2156_tables_load(t, ADDR_RFC2156_MCGAM,
					     W2 "bad line\n", strlen(W2) + 9,
					     NULL) < 0);
	/* W2 was not kept: Stage I has no levels, Stage II no O/R */
	assert_int_equal(addr_rfc2156_from_822(&x, "a.b@Widget.COM", 14, t, NULL,
					       0, NULL), ADDR_EINVAL);
	assert_int_equal(addr_rfc2156_tables_load(t, ADDR_RFC2156_MCGAM, W2,
						  strlen(W2), NULL), 1);
	assert_int_equal(addr_rfc2156_from_822(&x, "a.b@Widget.COM", 14, t, NULL,
					       0, NULL), 1);
	addr_rfc2156_tables_free(t);
	addr_x400_free(&x);
}

/* ------------------------------------------------------------ RFC 2163 */

static const struct {
	const char *name, *in;
	unsigned flags;
	const char *want;
} dnsrows[] = {
	{ "57", "PRMD$Adis+co", 0, "PRMD-Adis-043-co" },
	{ "59", "OU$sales dept\\..O$@.PRMD$ACME.ADMD$ .C$GB", 0,
	  "OU-sales-b-dept-d.O.PRMD-ACME.ADMDb.C-GB" },
	{ "61-plain", "PRMD$net2.ADMD$p400.C$it", 0, "PRMD-net2.ADMD-p400.C-it" },
	{ "61-owner", "PRMD$net2.ADMD$p400.C$it", ADDR_RFC2156_OWNER,
	  "PRMD-net2.ADMD-p400.X42D.it." },
	{ "owner-country-only", "C$gb", ADDR_RFC2156_OWNER, "X42D.gb." },
	{ "owner-needs-c", "PRMD$x.ADMD$y", ADDR_RFC2156_OWNER, "error" },
	{ "hyphen", "O$a-b", 0, "O-a-h-b" },
	{ "dda-part", "~T$x.C$gb", 0, "error" },
	{ "no-dollar", "PRMD", 0, "error" },
	{ "empty", "", 0, "error" },
};

static void test_dns(void **state)
{
	struct addr_buf b;
	size_t i;
	int bad = 0;

	(void)state;
	addr_buf_init(&b);
	for (i = 0; i < sizeof(dnsrows) / sizeof(dnsrows[0]); i++) {
		addr_buf_clear(&b);
		if (addr_rfc2156_dns(&b, dnsrows[i].in, strlen(dnsrows[i].in),
				     dnsrows[i].flags, NULL) < 0) {
			addr_buf_clear(&b);
			addr_buf_puts(&b, "error");
		}
		if (strcmp(b.ptr, dnsrows[i].want) != 0) {
			printf("dns %s: got \"%s\", want \"%s\"\n", dnsrows[i].name,
			       b.ptr, dnsrows[i].want);
			bad++;
		}
	}
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

/* ------------------------------------------------------------ property */

static uint64_t rng_state;

/* rnd - xorshift64* */
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % n;
}

/* word - a PrintableString value without leading, trailing or double
 * spaces (Stage I sends those to Stage II on purpose) */
static void word(struct addr_buf *b, size_t max, int label)
{
	static const char ps[] = "abcXYZ019-'+,.:?=/() ";
	size_t n = 1 + rnd((uint32_t)max), i;
	char c, prev = ' ';

	addr_buf_clear(b);
	for (i = 0; i < n; i++) {
		do
			c = label ? "abcXYZ019"[rnd(9)] : ps[rnd(sizeof(ps) - 1)];
		while (c == ' ' && (prev == ' ' || i + 1 == n));
		addr_buf_putc(b, c);
		prev = c;
	}
}

#define NMAP 20000

/* X.400 -> 822 -> X.400 under W1/W2 gives back the address */
static void test_prop_mapping(void **state)
{
	struct addr_rfc2156_tables *t;
	struct addr_x400 x, back;
	struct addr_buf v, b;
	struct addr_error err;
	int i, k, nou, bad = 0, r;

	(void)state;
	rng_state = 0x6a09e667f3bcc909ULL;
	assert_int_equal(addr_rfc2156_tables_new(&t), 0);
	assert_int_equal(addr_rfc2156_tables_load(t, ADDR_RFC2156_MCGAM, W1 W2,
						  strlen(W1 W2), NULL), 2);
	addr_x400_init(&x);
	addr_x400_init(&back);
	addr_buf_init(&v);
	addr_buf_init(&b);
	for (i = 0; i < NMAP; i++) {
		addr_x400_free(&x);
		addr_x400_set(&x, ADDR_X400_C, "TC", 2);
		addr_x400_set(&x, ADDR_X400_A, "BTT", 3);
		addr_x400_set(&x, ADDR_X400_O, "Widget", 6);
		nou = (int)rnd(5);
		for (k = 0; k < nou; k++) {
			word(&v, 12, rnd(2));
			addr_x400_set(&x, ADDR_X400_OU1 + k, v.ptr, v.size);
		}
		word(&v, 20, rnd(3) == 0);
		addr_x400_set(&x, ADDR_X400_S, v.ptr, v.size);
		if (rnd(2)) {
			word(&v, 16, rnd(2));
			addr_x400_set(&x, ADDR_X400_G, v.ptr, v.size);
		}
		if (rnd(3) == 0) {
			word(&v, 5, 1);
			addr_x400_set(&x, ADDR_X400_I, v.ptr, v.size);
		}
		if (rnd(5) == 0) {
			word(&v, 3, 1);
			addr_x400_set(&x, ADDR_X400_Q, v.ptr, v.size);
		}
		if (rnd(5) == 0) {
			word(&v, 30, 0);
			addr_x400_set(&x, ADDR_X400_CN, v.ptr, v.size);
		}
		addr_buf_clear(&b);
		r = addr_rfc2156_to_822(&b, &x, t, NULL, 0, &err);
		if (r == 2)
			r = addr_rfc2156_from_822(&back, b.ptr, b.size, t, NULL, 0,
						  &err);
		if (r != 1 || !addr_x400_equal(&x, &back)) {
			if (bad < 5) {
				struct addr_buf g, h;

				addr_buf_init(&g);
				addr_buf_init(&h);
				addr_x400_format(&g, &x, ADDR_X400_EXCHANGE, 0, NULL);
				addr_x400_format(&h, &back, ADDR_X400_EXCHANGE, 0,
						 NULL);
				printf("mapping: %s -> %s -> %s (%d %s)\n", g.ptr,
				       b.ptr, h.ptr, r, r < 0 ? err.message : "");
				addr_buf_free(&g);
				addr_buf_free(&h);
			}
			bad++;
		}
	}
	printf("property: %d addresses mapped both ways, %d failures\n", NMAP,
	       bad);
	addr_rfc2156_tables_free(t);
	addr_x400_free(&x);
	addr_x400_free(&back);
	addr_buf_free(&v);
	addr_buf_free(&b);
	assert_int_equal(bad, 0);
}

/* fuzz finding (rfc2156_map, allocation failures): an allocation that
 * failed while the algorithmic domain was copied was forgotten when the
 * next step cleared the buffer, and the local domain came out instead of
 * ADDR_ENOMEM. Every allocation fails in turn: ENOMEM, nothing written,
 * or exactly the result without failures. */
static void test_alloc_failure_algorithmic(void **state)
{
	static const char in[] = "G=john;S=smith;O=a bank ltd;P=abl;"
				 "A=snomail;C=aq;";
	static const char want[] = "\"/G=john/S=smith/O=a bank ltd/\""
				   "@abl.snomail.aq";
	struct addr_x400 x;
	struct addr_buf out;
	long k;
	int bad = 0;

	(void)state;
	addr_x400_init(&x);
	assert_int_equal(addr_x400_parse(&x, in, sizeof(in) - 1,
					 ADDR_X400_EXCHANGE, 0, NULL),
			 ADDR_X400_EXCHANGE);
	for (k = 1; k < 200; k++) {
		int r;

		addr_buf_init(&out);
		addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
		chaos_reset(k);
		r = addr_rfc2156_to_822(&out, &x, NULL, "gw.example",
					ADDR_RFC2156_ALGORITHMIC, NULL);
		addr_set_alloc_funcs(NULL, NULL, NULL);
		if (chaos_injected &&
		    (r == ADDR_ENOMEM ? out.size != 0 :
		     r != 2 || strcmp(out.ptr, want) != 0)) {
			printf("allocation %ld failed: got %d \"%s\", want "
			       "ADDR_ENOMEM and nothing, or \"%s\"\n", k, r,
			       out.ptr ? out.ptr : "", want);
			bad++;
		}
		addr_buf_free(&out);
		if (!chaos_injected) {
			assert_int_equal(r, 2);
			break;
		}
	}
	addr_x400_free(&x);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to822),
		cmocka_unit_test(test_from822),
		cmocka_unit_test(test_stage_numbers),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_all_or_nothing),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_prop_mapping),
		cmocka_unit_test(test_alloc_failure_algorithmic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
