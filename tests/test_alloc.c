/*
 * test_alloc.c - allocation-failure ("chaos") tests of the address parser
 *
 * A counting allocator installed with addr_set_alloc_funcs fails the Nth
 * allocation (malloc or realloc). For header-mode inputs that need heap
 * memory (many addresses, long display names, groups, RFC 2047 words,
 * UTF-8, a quoted local part larger than the inline arena, more
 * diagnoses than fit inline) every allocation is failed in turn, N = 1,
 * 2, ... until a run completes without an injected failure. Each failed
 * run must return ADDR_ENOMEM with an empty result, addr_mailbox_result_free
 * must bring the live allocations back to zero, and the same struct must
 * then parse successfully. addr_mailbox_normalize gets the same
 * treatment. Finally: an envelope-mode parse of an ASCII address, and
 * normalization into pre-grown buffers, allocate nothing (spec-address.md
 * §1.1, addr.h).
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

/* ------------------------------------------------------------ inputs */

struct input {
	const char *name;
	int prod;
	unsigned flags;
	char *text;		/* built by make_inputs */
	size_t len;
};

#define HDR (ADDR_F_LENIENT | ADDR_F_UTF8 | ADDR_F_DECODE_2047)

static struct input inputs[] = {
	{ "40 addresses", ADDR_P_ADDRESS_LIST, HDR, NULL, 0 },
	{ "long display name", ADDR_P_MAILBOX, HDR, NULL, 0 },
	{ "groups with members", ADDR_P_ADDRESS_LIST, HDR, NULL, 0 },
	{ "RFC 2047 words", ADDR_P_ADDRESS_LIST, HDR, NULL, 0 },
	{ "UTF-8 and IDNA", ADDR_P_ADDRESS_LIST, HDR, NULL, 0 },
	{ "quoted local part > 2 KB", ADDR_P_ADDR_SPEC, ADDR_F_LENIENT, NULL, 0 },
	{ "long local part in a list", ADDR_P_ADDRESS_LIST, HDR, NULL, 0 },
	{ "24 diagnoses", ADDR_P_ADDRESS_LIST, HDR, NULL, 0 },
	{ "obsolete syntax", ADDR_P_ADDRESS_LIST, HDR, NULL, 0 },
	{ "mailbox list", ADDR_P_MAILBOX_LIST, HDR, NULL, 0 },
	/* fuzz finding (envelope_path): a failed allocation between the
	 * labels was forgotten when ICU took over the too long label */
	{ "IDNA label too long for Punycode after a 63-octet one",
	  ADDR_P_REVERSE_PATH, ADDR_F_LENIENT | ADDR_F_UTF8, NULL, 0 },
};

#define NINPUTS (sizeof(inputs) / sizeof(inputs[0]))

static void put(char **p, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	while (*len + n + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*p = realloc(*p, *cap);
		assert_non_null(*p);
	}
	memcpy(*p + *len, s, n + 1);
	*len += n;
}

static void make_inputs(void)
{
	char tmp[256];
	size_t i, k, cap;
	char **t;
	size_t *len;

	for (i = 0; i < NINPUTS; i++) {
		free(inputs[i].text);
		inputs[i].text = NULL;
		inputs[i].len = 0;
	}
#define START(i) (t = &inputs[i].text, len = &inputs[i].len, cap = 0)
	START(0);
	for (k = 0; k < 40; k++) {
		snprintf(tmp, sizeof(tmp), "%sUser Number %zu <user.%zu@host-%zu.example.org>",
			 k ? ", " : "", k, k, k);
		put(t, len, &cap, tmp);
	}
	START(1);
	put(t, len, &cap, "\"");
	for (k = 0; k < 300; k++)
		put(t, len, &cap, "Display \\\"name\\\" ");
	put(t, len, &cap, "\" <someone@example.com>");
	START(2);
	put(t, len, &cap, "Team A: a1@x.example, Bob <b1@x.example>, c1@x.example;, "
	    "Team B: d@y.example, \"E. Person\" <e@y.example>;, Empty:;, "
	    "Solo <s@z.example>, Team C: (none) f@w.example (x);");
	START(3);
	put(t, len, &cap, "=?utf-8?q?J=C3=B6rg?= =?iso-8859-1?q?_M=FCller?= <j@example.com>, "
	    "=?UTF-8?B?SsO2cmcgRG9l?= <k@example.com>, "
	    "=?iso-8859-2?Q?Bogl=E1rka_Tak=E1cs?= <b@example.com>, "
	    "=?utf-8?q?=ED=A0=80?= <bad@example.net>, "
	    "=?x-unknown?q?abc?= plain <u@example.net>");
	START(4);
	put(t, len, &cap, "J\xC3\xB6rg M\xC3\xBCller <\xE4\xBC\x8A\xE6\x98\xAD\xE5\x82\x91@"
	    "\xE9\x83\xB5\xE4\xBB\xB6.\xE5\x95\x86\xE5\x8B\x99>, "
	    "\"s\xCC\xA3\xCC\x87\" <s\xCC\xA3\xCC\x87@B\xC3\x9C" "CHER.DE>, "
	    "Micro <micro@\xC2\xB5.example.com>, user@fa\xC3\x9F.de, "
	    "jeff@\xE8\x87\xBA\xE7\xB6\xB2\xE4\xB8\xAD\xE5\xBF\x83.tw");
	START(5);
	put(t, len, &cap, "\"");
	for (k = 0; k < 260; k++)
		put(t, len, &cap, "quoted \\\" ");
	put(t, len, &cap, "\"@example.com");
	START(6);
	put(t, len, &cap, "first@example.com, Long <");
	for (k = 0; k < 120; k++)
		put(t, len, &cap, "abcdefghij.klmnopqrst.");
	put(t, len, &cap, "end@example.com>, last@example.com");
	START(7);
	for (k = 0; k < 24; k++) {
		snprintf(tmp, sizeof(tmp), "%su%zu(c)@h%zu.example", k ? ", " : "",
			 k, k);
		put(t, len, &cap, tmp);
	}
	START(8);
	put(t, len, &cap, "Mary Smith <@node.test,@other.test:mary@example.net>, , "
	    "jdoe@test  . example, Joe Q. Public <john.q.public@example.com>, "
	    "\"test\".\"test\"@iana.org, (\x07)x@[IPv6:1::2], "
	    "y@[RFC-5322-\\]-domain-literal],");
	START(9);
	put(t, len, &cap, "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>, "
	    "Mary Smith\r\n  \r\n <mary@example.net>, john@example.com (John Doe)");
	START(10);
	put(t, len, &cap, "<a@");
	for (k = 0; k < 63; k++)
		put(t, len, &cap, "d");
	put(t, len, &cap, ".");
	for (k = 0; k < 65; k++)
		put(t, len, &cap, "\xE8\x87\xBA");
	put(t, len, &cap, ">");
#undef START
}

/* ---------------------------------------------------------- the tests */

struct baseline {
	int rc;
	size_t naddr, ndiag;
	int category;
	long allocs;
};

static void baseline_of(const struct input *in, struct baseline *b)
{
	struct addr_mailbox_result res;

	addr_mailbox_result_init(&res);
	chaos_reset(0);
	b->rc = addr_mailbox_parse(&res, in->text, in->len, in->prod,
				   in->flags, NULL);
	b->allocs = chaos_allocs;
	b->naddr = res.naddr;
	b->ndiag = res.ndiag;
	b->category = res.category;
	addr_mailbox_result_free(&res);
}

static int setup(void **state)
{
	(void)state;
	make_inputs();
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NINPUTS; i++) {
		free(inputs[i].text);
		inputs[i].text = NULL;
	}
	return 0;
}

#define MAX_RUNS 200000L

/*
 * chaos_parse - fail allocation N = 1, 2, ... of one parse. reuse: the
 * result struct holds a successful parse of the same input when the
 * failing parse starts.
 */
static int chaos_parse(const struct input *in, int reuse, long *nruns)
{
	struct addr_mailbox_result res;
	struct baseline b;
	long n;
	int rc, bad = 0;

	baseline_of(in, &b);
	if (b.rc != 0 || b.naddr == 0 || b.category == ADDR_CAT_ERROR) {
		printf("%s: baseline parse: got rc %d, naddr %zu, category %d; "
		       "want rc 0, naddr > 0\n", in->name, b.rc, b.naddr,
		       b.category);
		return 1;
	}
	if (chaos_live != 0) {
		printf("%s: baseline: got %ld live blocks after free, want 0\n",
		       in->name, chaos_live);
		return 1;
	}
	for (n = 1; n < MAX_RUNS; n++) {
		addr_mailbox_result_init(&res);
		if (reuse) {
			chaos_reset(0);
			rc = addr_mailbox_parse(&res, in->text, in->len,
						in->prod, in->flags, NULL);
			if (rc != 0) {
				printf("%s: reuse: first parse: got %d, want 0\n",
				       in->name, rc);
				bad = 1;
			}
		}
		chaos_reset(n);
		rc = addr_mailbox_parse(&res, in->text, in->len, in->prod,
					in->flags, NULL);
		if (!chaos_injected) {
			/* every allocation has been failed once */
			if (rc != 0 || res.naddr != b.naddr) {
				printf("%s: run %ld without failure: got rc %d "
				       "naddr %zu, want 0 and %zu\n", in->name,
				       n, rc, res.naddr, b.naddr);
				bad = 1;
			}
			addr_mailbox_result_free(&res);
			if (chaos_live != 0) {
				printf("%s: run %ld: got %ld live blocks, want 0\n",
				       in->name, n, chaos_live);
				bad = 1;
			}
			break;
		}
		if (rc != ADDR_ENOMEM) {
			printf("%s%s: allocation %ld failed: got return %d, "
			       "want %d (ADDR_ENOMEM)\n", in->name,
			       reuse ? " (reused result)" : "", n, rc,
			       ADDR_ENOMEM);
			bad = 1;
		}
		if (res.naddr != 0) {
			printf("%s%s: allocation %ld failed: got naddr %zu, want 0\n",
			       in->name, reuse ? " (reused result)" : "", n,
			       res.naddr);
			bad = 1;
		}
		addr_mailbox_result_free(&res);
		if (chaos_live != 0) {
			printf("%s%s: allocation %ld failed: got %ld live blocks "
			       "after addr_mailbox_result_free, want 0\n",
			       in->name, reuse ? " (reused result)" : "", n, chaos_live);
			bad = 1;
			chaos_live = 0;	/* report each leak once */
		}
		/* the struct is usable again */
		chaos_reset(0);
		rc = addr_mailbox_parse(&res, in->text, in->len, in->prod,
					in->flags, NULL);
		if (rc != 0 || res.naddr != b.naddr || res.ndiag != b.ndiag ||
		    res.category != b.category) {
			printf("%s: parse after failure %ld: got rc %d naddr %zu "
			       "ndiag %zu category %d, want 0 %zu %zu %d\n",
			       in->name, n, rc, res.naddr, res.ndiag,
			       res.category, b.naddr, b.ndiag, b.category);
			bad = 1;
		}
		addr_mailbox_result_free(&res);
		if (chaos_live != 0) {
			printf("%s: parse after failure %ld: got %ld live blocks, "
			       "want 0\n", in->name, n, chaos_live);
			bad = 1;
			chaos_live = 0;
		}
		if (bad)
			break;	/* one report per input is enough */
	}
	if (n == MAX_RUNS) {
		printf("%s: still failing allocations after %ld runs\n",
		       in->name, n);
		bad = 1;
	}
	*nruns = n;
	return bad;
}

static void run_chaos(int reuse)
{
	size_t i;
	long nruns;
	int bad = 0;

	for (i = 0; i < NINPUTS; i++) {
		struct baseline b;

		baseline_of(&inputs[i], &b);
		bad += chaos_parse(&inputs[i], reuse, &nruns);
		printf("%-28s %ld allocations, %ld runs\n", inputs[i].name,
		       b.allocs, nruns);
	}
	chaos_reset(0);
	if (bad)
		fail_msg("%d of %zu inputs failed", bad, NINPUTS);
}

static void test_chaos_parse(void **state)
{
	(void)state;
	run_chaos(0);
}

static void test_chaos_parse_reused_result(void **state)
{
	(void)state;
	run_chaos(1);
}

/* the inputs need the heap: otherwise the chaos test proves nothing */
static void test_inputs_allocate(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < NINPUTS; i++) {
		struct baseline b;

		baseline_of(&inputs[i], &b);
		if (b.rc == 0 && b.allocs == 0) {
			printf("%s: got 0 allocations, want > 0\n",
			       inputs[i].name);
			bad++;
		}
		if (b.rc != 0) {
			printf("%s: got return %d, want 0\n", inputs[i].name,
			       b.rc);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d inputs failed", bad);
}

/* chaos_normalize - fail each allocation of addr_mailbox_normalize */
static int chaos_normalize(const struct input *in,
			   const struct addr_mailbox *m, unsigned nflags)
{
	struct addr_buf a, d;
	long n, base = chaos_live;
	int rc, hit, bad = 0;

	for (n = 1; n < MAX_RUNS; n++) {
		addr_buf_init(&a);
		addr_buf_init(&d);
		chaos_reset(n);
		rc = addr_mailbox_normalize(&a, &d, m, nflags);
		hit = chaos_injected;
		chaos_reset(0);
		if (!hit) {
			if (rc != 0) {
				printf("%s: normalize without failure: got %d, "
				       "want 0\n", in->name, rc);
				bad = 1;
			}
			addr_buf_free(&a);
			addr_buf_free(&d);
			break;
		}
		if (rc != ADDR_ENOMEM) {
			printf("%s: normalize(0x%x), allocation %ld failed: "
			       "got %d, want %d (ADDR_ENOMEM)\n", in->name,
			       nflags, n, rc, ADDR_ENOMEM);
			bad = 1;
		}
		addr_buf_free(&a);
		addr_buf_free(&d);
		if (chaos_live != base) {
			printf("%s: normalize(0x%x), allocation %ld failed: "
			       "got %ld leaked blocks, want 0\n", in->name,
			       nflags, n, chaos_live - base);
			bad = 1;
			chaos_live = base;
		}
		if (bad)
			break;
	}
	return bad;
}

static void test_chaos_normalize(void **state)
{
	size_t i, j, k;
	int bad = 0;

	(void)state;
	for (i = 0; i < NINPUTS; i++) {
		struct addr_mailbox_result res;
		const struct input *in = &inputs[i];
		int rc;

		addr_mailbox_result_init(&res);
		chaos_reset(0);
		rc = addr_mailbox_parse(&res, in->text, in->len, in->prod,
					in->flags, NULL);
		if (rc != 0) {
			printf("%s: parse: got %d, want 0\n", in->name, rc);
			bad++;
		}
		for (j = 0; j < res.naddr; j++) {
			const struct addr_mailbox *a = &res.addr[j];
			size_t nm = a->kind == ADDR_K_GROUP ? a->nmembers : 1;

			for (k = 0; k < nm; k++) {
				const struct addr_mailbox *m =
					a->kind == ADDR_K_GROUP ? &a->members[k] : a;

				bad += chaos_normalize(in, m, 0);
				bad += chaos_normalize(in, m,
						       ADDR_N_ULABEL | ADDR_N_7BIT);
			}
		}
		addr_mailbox_result_free(&res);
		if (chaos_live != 0) {
			printf("%s: got %ld live blocks, want 0\n", in->name,
			       chaos_live);
			bad++;
			chaos_live = 0;
		}
	}
	if (bad)
		fail_msg("%d normalization checks failed", bad);
}

/* envelope mode, ASCII: the inline storage suffices (§1.1) */
static void test_envelope_no_alloc(void **state)
{
	static const struct {
		int prod;
		const char *in;
	} rows[] = {
		{ ADDR_P_REVERSE_PATH, "<user.name+tag@sub.example.com>" },
		{ ADDR_P_FORWARD_PATH, "<user.name+tag@sub.example.com>" },
		{ ADDR_P_REVERSE_PATH, "<>" },
		{ ADDR_P_FORWARD_PATH, "<Postmaster>" },
		{ ADDR_P_FORWARD_PATH, "<@hosta.int,@jkl.org:userc@d.bar.org>" },
		{ ADDR_P_REVERSE_PATH, "<\"quoted local\"@[192.0.2.1]>" },
	};
	struct addr_mailbox_result res;
	struct addr_error err;
	size_t i;
	int rc, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		addr_mailbox_result_init(&res);
		chaos_reset(0);
		rc = addr_mailbox_parse(&res, rows[i].in, strlen(rows[i].in),
					rows[i].prod, 0, &err);
		if (rc != 0 || res.naddr != 1) {
			printf("row %zu (%s): got rc %d naddr %zu, want 0 and 1\n",
			       i + 1, rows[i].in, rc, res.naddr);
			bad++;
		}
		/* a second parse into the same struct */
		rc = addr_mailbox_parse(&res, rows[i].in, strlen(rows[i].in),
					rows[i].prod, 0, &err);
		addr_mailbox_result_free(&res);
		if (chaos_allocs != 0) {
			printf("row %zu (%s): got %ld allocations, want 0\n",
			       i + 1, rows[i].in, chaos_allocs);
			bad++;
		}
		if (chaos_live != 0) {
			printf("row %zu (%s): got %ld live blocks, want 0\n",
			       i + 1, rows[i].in, chaos_live);
			bad++;
			chaos_live = 0;
		}
	}
	if (bad)
		fail_msg("%d envelope checks failed", bad);
}

/* normalization into buffers that already have room allocates nothing */
static void test_normalize_no_alloc(void **state)
{
	static const int prods[] = { ADDR_P_REVERSE_PATH, ADDR_P_FORWARD_PATH };
	static const unsigned nflags[] = { 0, ADDR_N_ULABEL };
	const char *in = "<user.name+tag@sub.example.com>";
	struct addr_mailbox_result res;
	struct addr_buf a, d;
	size_t i, j;
	int rc, bad = 0;

	(void)state;
	addr_buf_init(&a);
	addr_buf_init(&d);
	assert_int_equal(addr_buf_grow(&a, 512), 0);
	assert_int_equal(addr_buf_grow(&d, 512), 0);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			addr_mailbox_result_init(&res);
			rc = addr_mailbox_parse(&res, in, strlen(in), prods[i],
						0, NULL);
			if (rc != 0 || res.naddr != 1) {
				printf("parse %zu: got rc %d naddr %zu\n", i, rc,
				       res.naddr);
				bad++;
				addr_mailbox_result_free(&res);
				continue;
			}
			chaos_reset(0);
			rc = addr_mailbox_normalize(&a, &d, &res.addr[0],
						    nflags[j]);
			if (rc != 0 || strcmp(a.ptr, "user.name+tag@sub.example.com") ||
			    d.size != 0) {
				printf("normalize %zu/%u: got %d \"%s\" \"%s\"\n",
				       i, nflags[j], rc, a.ptr, d.ptr);
				bad++;
			}
			if (chaos_allocs != 0) {
				printf("normalize %zu/%u: got %ld allocations, "
				       "want 0\n", i, nflags[j], chaos_allocs);
				bad++;
			}
			/* display_out may be NULL */
			chaos_reset(0);
			rc = addr_mailbox_normalize(&a, NULL, &res.addr[0],
						    nflags[j]);
			if (rc != 0 || chaos_allocs != 0) {
				printf("normalize %zu/%u without display: got "
				       "%d, %ld allocations\n", i, nflags[j], rc,
				       chaos_allocs);
				bad++;
			}
			addr_mailbox_result_free(&res);
		}
	addr_buf_free(&a);
	addr_buf_free(&d);
	if (chaos_live != 0) {
		printf("got %ld live blocks, want 0\n", chaos_live);
		bad++;
		chaos_live = 0;
	}
	if (bad)
		fail_msg("%d checks failed", bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inputs_allocate),
		cmocka_unit_test(test_chaos_parse),
		cmocka_unit_test(test_chaos_parse_reused_result),
		cmocka_unit_test(test_chaos_normalize),
		cmocka_unit_test(test_envelope_no_alloc),
		cmocka_unit_test(test_normalize_no_alloc),
	};

	addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
	return cmocka_run_group_tests(tests, setup, teardown);
}
