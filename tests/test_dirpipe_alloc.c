/*
 * test_dirpipe_alloc.c - worker threads when memory runs out
 *
 * A load (LDIF, DSML), a change run streamed into an LDIF document
 * (addr_dir_stream_begin) and a parallel write, each with one worker
 * thread and with three, with every allocation failing in turn
 * (tests/chaos.c, whose counters are atomic: the N-th allocation fails
 * whichever thread makes it). Each attempt must end in ADDR_ENOMEM or in the result of a run
 * without failures (a failure may be absorbed: the list of reference
 * holders, for one, falls back to looking at every entry), never hang
 * or crash, and leave no block allocated once everything is freed.
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
#include "memio.h"

/* a clean directory of n entries: users in groups */
static void gen(struct addr_buf *b, size_t n)
{
	char rec[400];
	size_t i;

	addr_buf_puts(b, "version: 1\n");
	for (i = 0; i < n; i++) {
		snprintf(rec, sizeof(rec),
			 "\ndn: CN=u%zu,OU=Staff,DC=example,DC=com\n"
			 "objectClass: user\ncn: u%zu\n"
			 "proxyAddresses: SMTP:u%zu@example.com\n"
			 "proxyAddresses: X500:/o=Old/cn=u%zu\n"
			 "legacyExchangeDN: /o=Example/ou=Site/cn=Recipients/cn=u%zu\n",
			 i, i, i, i, i);
		addr_buf_puts(b, rec);
		if (i % 20 == 19) {
			snprintf(rec, sizeof(rec),
				 "\ndn: CN=g%zu,OU=Staff,DC=example,DC=com\n"
				 "objectClass: group\n"
				 "member: CN=u%zu,OU=Staff,DC=example,DC=com\n"
				 "member: CN=u%zu,OU=Staff,DC=example,DC=com\n",
				 i, i, i - 1);
			addr_buf_puts(b, rec);
		}
	}
}

/* to_buf - the output; out of memory is the buffer's (sticky), checked
 * after the run: a failing output would be ADDR_EIO, not the point */
static int to_buf(void *ctx, const char *buf, size_t len)
{
	(void)addr_buf_put(ctx, buf, len);
	return 0;
}

enum { LOAD_LDIF, LOAD_DSML, APPLY, APPLY_DSML };

/* run - one attempt of kind what on in (and ch); the directory written
 * as LDIF (through the parallel writer) into out; 0 or negative */
static int run(int what, const struct addr_buf *in, const struct addr_buf *ch,
	       struct addr_buf *out, unsigned threads)
{
	struct addr_dir *d;
	struct memrd m;
	struct addr_buf streamed;
	int rc, streaming = 0, held;

	addr_buf_init(&streamed);
	/* several reads, records across them */
	memrd_init(&m, in->ptr, in->size, 500);
	if (addr_dir_new(&d, 0) < 0)
		return ADDR_ENOMEM;
	if (addr_dir_set_threads(d, threads) < 0) {
		addr_dir_free(d);
		return ADDR_ENOMEM;
	}
	if (what == LOAD_DSML) {
		rc = addr_dir_load_dsml_read(d, memrd_read, &m, "d", 0, NULL);
	} else {
		rc = addr_dir_load_ldif_read(d, memrd_read, &m, "d", 0, NULL);
	}
	if (rc >= 0 && (what == APPLY || what == APPLY_DSML)) {
		struct memrd c;

		memrd_init(&c, ch->ptr, ch->size, 500);

		rc = addr_dir_stream_begin(d, ADDR_DIR_STREAM_LDIF, to_buf,
					   &streamed);
		streaming = rc == 0;
		/* DSML: the worker applies the records and streams */
		if (rc == 0)
			rc = what == APPLY ?
			     addr_dir_apply_ldif_read(d, memrd_read, &c, "c", 0, 0, NULL,
						      NULL, NULL) :
			     addr_dir_apply_dsml_read(d, memrd_read, &c, "c", 0, 0, NULL,
						      NULL, NULL);
		if (rc >= 0)
			rc = addr_dir_apply_check(d, "d", "c", NULL);
		held = streaming ? addr_dir_stream_end(d) : 0;
		if (rc >= 0 && (held < 0 || streamed.oom))
			rc = ADDR_ENOMEM;
		/* a stream that held is the document */
		if (rc >= 0 && held == 1) {
			addr_buf_put(out, streamed.ptr, streamed.size);
			rc = out->oom ? ADDR_ENOMEM : 0;
			addr_dir_free(d);
			addr_buf_free(&streamed);
			return rc;
		}
	}
	/* the parallel writers: a DSML directory written as DSML */
	if (rc >= 0 && (rc = what == LOAD_DSML ?
			addr_dir_write_dsml_to(d, to_buf, out) :
			addr_dir_write_ldif_to(d, to_buf, out)) == 0 &&
	    out->oom)
		rc = ADDR_ENOMEM;
	addr_dir_free(d);
	addr_buf_free(&streamed);
	return rc;
}

static void each_failure(int what, unsigned threads)
{
	struct addr_buf in, xml, ch, want, got;
	const struct addr_buf *src = &in;
	struct addr_dir *d;
	long n, k, base;
	int rc;

	addr_buf_init(&in);
	addr_buf_init(&xml);
	addr_buf_init(&ch);
	addr_buf_init(&want);
	gen(&in, 60);
	if (what == LOAD_DSML) {
		assert_int_equal(addr_dir_new(&d, 0), 0);
		assert_int_equal(addr_dir_load_ldif(d, in.ptr, in.size, NULL,
						    0, NULL), 0);
		assert_int_equal(addr_dir_write_dsml(d, &xml), 0);
		addr_dir_free(d);
		src = &xml;
	}
	if (what == APPLY_DSML) {
		size_t i;
		char rec[300];

		/* adds enough for the stream to write a chunk of its own */
		addr_buf_puts(&ch, "<batchRequest xmlns=\"urn:oasis:names:tc:"
			      "DSML:2:0:core\">\n");
		for (i = 0; i < 300; i++) {
			snprintf(rec, sizeof(rec), "<addRequest dn=\"CN=n%zu,"
				 "OU=Staff,DC=example,DC=com\"><attr name=\""
				 "objectClass\"><value>user</value></attr>"
				 "</addRequest>\n", i);
			addr_buf_puts(&ch, rec);
		}
		addr_buf_puts(&ch, "<delRequest dn=\"CN=u3,OU=Staff,DC=example,"
			      "DC=com\"/>\n</batchRequest>\n");
	} else {
		addr_buf_puts(&ch, "version: 1\n"
			      "\ndn: CN=new,OU=Staff,DC=example,DC=com\n"
			      "changetype: add\nobjectClass: user\n"
			      "proxyAddresses: SMTP:new@example.com\n"
			      "\ndn: CN=u3,OU=Staff,DC=example,DC=com\n"
			      "changetype: delete\n"
			      "\ndn: CN=u5,OU=Staff,DC=example,DC=com\n"
			      "changetype: modrdn\nnewrdn: CN=v5\n"
			      "deleteoldrdn: 1\n");
	}
	addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
	chaos_reset(0);
	assert_int_equal(run(what, src, &ch, &want, threads), 0);
	n = chaos_allocs;
	base = chaos_live;	/* want's block */
	/* the workers' share of the count varies a little from run to run:
	 * a margin past the end, where nothing fails */
	for (k = 1; k <= n + n / 10 + 10; k++) {
		addr_buf_init(&got);
		chaos_reset(k);
		rc = run(what, src, &ch, &got, threads);
		chaos_reset(0);
		if (rc == 0) {
			if (got.size != want.size ||
			    memcmp(got.ptr, want.ptr, want.size) != 0)
				fail_msg("kind %d, allocation %ld failed: "
					 "a different result", what, k);
		} else if (rc != ADDR_ENOMEM) {
			fail_msg("kind %d, allocation %ld failed: %d", what, k,
				 rc);
		}
		addr_buf_free(&got);
		if (chaos_live != base)
			fail_msg("kind %d, allocation %ld failed: %ld blocks "
				 "leaked", what, k, chaos_live - base);
	}
	addr_buf_free(&want);
	addr_set_alloc_funcs(NULL, NULL, NULL);
	addr_buf_free(&in);
	addr_buf_free(&xml);
	addr_buf_free(&ch);
}

static void test_load_ldif(void **state)
{
	(void)state;
	each_failure(LOAD_LDIF, 1);
	each_failure(LOAD_LDIF, 3);
}

static void test_load_dsml(void **state)
{
	(void)state;
	each_failure(LOAD_DSML, 1);
	each_failure(LOAD_DSML, 3);
}

static void test_apply_stream(void **state)
{
	(void)state;
	each_failure(APPLY, 1);
	each_failure(APPLY, 3);
}

static void test_apply_dsml_stream(void **state)
{
	(void)state;
	each_failure(APPLY_DSML, 1);
	each_failure(APPLY_DSML, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_ldif),
		cmocka_unit_test(test_load_dsml),
		cmocka_unit_test(test_apply_stream),
		cmocka_unit_test(test_apply_dsml_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
