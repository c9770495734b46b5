/*
 * test_x400_alloc.c - allocation-failure ("chaos") tests of the X.400 code
 *
 * A counting allocator installed with addr_set_alloc_funcs fails the Nth
 * allocation (malloc or realloc). Every operation below is run with
 * N = 1, 2, ... until a run completes without an injected failure: the
 * readers of the three forms, the writers, the MCGAM table loader, both
 * RFC 2156 mappings (Stage I and Stage II, Mapping A and B) and
 * ps-encoding. A run that met a failure must return ADDR_ENOMEM, leave
 * its result empty (or the buffer as it was), and once everything is
 * freed no allocation may be live; the complete run must give the same
 * result as a run with the C library's allocator.
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
#include "chaos.h"

static int chaos_on;		/* the counting allocator is installed */


#define W "O$Widget.PRMD$@.ADMD$BTT.C$TC#Widget.COM#\n" \
	"Widget.COM#O$Widget.PRMD$@.ADMD$BTT.C$TC#\n" \
	"tlec.nl#PRMD$tlec.ADMD$ade.C$nl#\n"

/* The operations: each writes its result as text into out (cleared). */
enum {
	OP_PARSE_EXC, OP_PARSE_1685, OP_PARSE_STDOR, OP_FORMAT, OP_LOAD,
	OP_TO822, OP_FROM822, OP_PS_ENC, OP_PS_DEC
};

static const struct op {
	const char *name;
	int op;
	const char *in;
} ops[] = {
	{ "parse exchange", OP_PARSE_EXC,
	  "c=US;a= ;p=Contoso;o=Exchange;ou1=a;ou2=b;s=Smith;g=John;i=J;q=3;"
	  "cn=John Smith;dda:RFC-822=x(a)y;dda:t=v;ou2=c;" },
	{ "parse rfc1685", OP_PARSE_1685,
	  "X.400: DDA:a;;b=c; G=john; S=smith; O=a bank ltd; P=abl; C=aq" },
	{ "parse stdor", OP_PARSE_STDOR,
	  "/DD.cap=20100/DD.ph1=Via Larga 11/PN=Marshall.M.T.Rose/T-TY=g3fax(5)/"
	  "OU=u/OU=spc ctr/PRMD=p/C=it/" },
	{ "format all forms", OP_FORMAT,
	  "C=US;A= ;P=Contoso;O=Exchange;OU1=a;S=Smith;G=John;DDA:RFC-822=x(a)y;" },
	{ "load tables", OP_LOAD, W },
	{ "to 822 mapping B", OP_TO822, "C=TC;A=BTT;O=Widget;OU1=Marketing;S=Rose;"
	  "G=Marshall;I=MT;" },
	{ "to 822 std-or", OP_TO822, "C=TC;A=BTT;O=Widget;OU1=a b;S=Rose;Q=5;" },
	{ "to 822 mapping A", OP_TO822, "C=gb;DDA:RFC-822=first(u)part;"
	  "DDA:RFC822C1=(a)example.org;" },
	{ "to 822 local domain", OP_TO822, "C=zz;A=ade;P=fhbo;O=tlec;S=plork;" },
	{ "from 822 stage I", OP_FROM822,
	  "\"/S=plork/GQ=jr/OU=u/OU=spc ctr/\"@owe.tlec.nl" },
	{ "from 822 encoded-pn", OP_FROM822, "Marshall.M.T.Rose@Widget.COM" },
	{ "from 822 stage II", OP_FROM822, "100%user@work.tlec.nl" },
	{ "from 822 local O/R", OP_FROM822,
	  "@relay.co.uk:a.very.long.local.part.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaa@host2" },
	{ "ps-encode", OP_PS_ENC, "100%name@address \"_!()\" and more text than"
	  " fits the first allocation of a buffer, repeated: 100%name@address" },
	{ "ps-decode", OP_PS_DEC, "100(p)name(a)address (q)(u)(b)(l)(r)(q) and"
	  " more text than fits the first allocation of a buffer (064)(126)" },
};

/* run - one operation; its result as text in out, or the error code */
static int run(const struct op *o, struct addr_buf *out)
{
	struct addr_rfc2156_tables *t = NULL;
	struct addr_x400 x, lo;
	size_t len = strlen(o->in);
	int r = 0, f;

	addr_x400_init(&x);
	addr_x400_init(&lo);
	addr_buf_clear(out);
	switch (o->op) {
	case OP_PARSE_EXC:
	case OP_PARSE_1685:
	case OP_PARSE_STDOR:
		r = addr_x400_parse(&x, o->in, len, o->op - OP_PARSE_EXC + 1, 0,
				    NULL);
		if (r < 0) {
			for (f = 0; f < ADDR_X400_NATTR; f++)
				assert_null(x.attr[f].ptr);
			assert_int_equal(x.ndda, 0);
		} else {
			r = addr_x400_format(out, &x, ADDR_X400_EXCHANGE, 0, NULL);
		}
		break;
	case OP_FORMAT:
		/* only the writers run under the counting allocator */
		addr_set_alloc_funcs(NULL, NULL, NULL);
		assert_true(addr_x400_parse(&x, o->in, len, ADDR_X400_EXCHANGE, 0,
					    NULL) > 0);
		if (chaos_on)
			addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
		for (f = 1; f <= 3 && r >= 0; f++) {
			r = addr_x400_format(out, &x, f, 0, NULL);
			if (r == 0 && addr_buf_putc(out, '|') < 0)
				r = ADDR_ENOMEM;
		}
		addr_set_alloc_funcs(NULL, NULL, NULL);
		addr_x400_free(&x);
		if (chaos_on)
			addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
		break;
	case OP_LOAD:
	case OP_TO822:
	case OP_FROM822:
		if ((r = addr_rfc2156_tables_new(&t)) < 0)
			break;
		if ((r = addr_rfc2156_tables_load(t, ADDR_RFC2156_MCGAM, W,
						  strlen(W), NULL)) < 0)
			break;
		if (o->op == OP_LOAD) {
			static const char g[] = "alter.net#PRMD$relay.ADMD$x.C$gb#\n";

			r = addr_rfc2156_tables_load(t, ADDR_RFC2156_GATEWAY, g,
						     sizeof(g) - 1, NULL);
			if (r >= 0)
				r = addr_buf_puts(out, "loaded");
			break;
		}
		if (o->op == OP_TO822) {
			if ((r = addr_x400_parse(&x, o->in, len, ADDR_X400_EXCHANGE,
						 0, NULL)) < 0)
				break;
			r = addr_rfc2156_to_822(out, &x, t, "gw.example", 0, NULL);
			if (r < 0)
				assert_int_equal(out->size, 0);
			break;
		}
		if ((r = addr_x400_parse(&lo, "C=US;A= ;P=Local;", 17,
					 ADDR_X400_EXCHANGE, 0, NULL)) < 0)
			break;
		r = addr_rfc2156_from_822(&x, o->in, len, t, &lo, 0, NULL);
		if (r >= 0)
			r = addr_x400_format(out, &x, ADDR_X400_EXCHANGE, 0, NULL);
		break;
	case OP_PS_ENC:
		r = addr_ps_encode(out, o->in, len, NULL);
		break;
	default:
		r = addr_ps_decode(out, o->in, len, 0, NULL);
		break;
	}
	addr_rfc2156_tables_free(t);
	addr_x400_free(&x);
	addr_x400_free(&lo);
	return r;
}

static void test_chaos(void **state)
{
	struct addr_buf want, got;
	size_t i;
	long n;
	int r, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		addr_buf_init(&want);
		assert_true(run(&ops[i], &want) >= 0);
		for (n = 1;; n++) {
			addr_buf_init(&got);
			chaos_live = 0;
			chaos_reset(n);
			addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
			chaos_on = 1;
			r = run(&ops[i], &got);
			addr_buf_free(&got);
			addr_set_alloc_funcs(NULL, NULL, NULL);
			chaos_on = 0;
			if (chaos_live != 0) {
				printf("%s: failure %ld: %ld allocations live\n",
				       ops[i].name, n, chaos_live);
				bad++;
			}
			if (!chaos_injected)
				break;
			if (r != ADDR_ENOMEM) {
				printf("%s: failure %ld: got %d, want ADDR_ENOMEM\n",
				       ops[i].name, n, r);
				bad++;
			}
		}
		/* and the complete run under the counting allocator agrees */
		addr_buf_init(&got);
		chaos_reset(0);
		addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
		chaos_on = 1;
		run(&ops[i], &got);
		if (strcmp(got.ptr, want.ptr) != 0) {
			printf("%s: got \"%s\", want \"%s\"\n", ops[i].name, got.ptr,
			       want.ptr);
			bad++;
		}
		addr_buf_free(&got);
		addr_set_alloc_funcs(NULL, NULL, NULL);
		chaos_on = 0;
		printf("%s: %ld allocations failed in turn\n", ops[i].name, n - 1);
		addr_buf_free(&want);
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chaos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
