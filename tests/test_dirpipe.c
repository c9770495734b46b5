/*
 * test_dirpipe.c - a load with worker threads is a load without them
 *
 * addr_dir_set_threads hands the making and checking of entries to
 * worker threads (dir_pipe.c) and replays their diagnostics in record
 * order. The directory written back, the report (every diagnostic,
 * field by field, in order) and the return value must be those of the
 * same load without workers, over inputs that mix every kind of
 * diagnostic across many batches: reader syntax errors between records,
 * model errors, duplicate DNs and proxies, a change record in a content
 * file, and the whole-directory check at the end. The same holds for a
 * change file applied with addr_dir_apply_ldif_read, whose adds the
 * workers make ahead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dir_int.h"	/* addr__pipe_ahead */
#include "memio.h"

/* the ways of sharing the work between the reading thread and the
 * workers (dir_pipe.c): who finds the DN keys and plans the fills
 * (addr__pipe_ahead: auto, the workers, the reading thread) and who
 * consumes the records (addr__pipe_wconsume: auto, the reading thread,
 * the workers) */
static const int modes[][2] = {
	{ -1, -1 }, { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 },
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

static void set_mode(size_t m)
{
	addr__pipe_ahead = m < NMODES ? modes[m][0] : -1;
	addr__pipe_wconsume = m < NMODES ? modes[m][1] : -1;
}

/* gen - n records; every k-th is broken in one of several ways */
static void gen(struct addr_buf *b, size_t n, int change_record)
{
	size_t i;
	char line[512];

	addr_buf_puts(b, "version: 1\n");
	for (i = 0; i < n; i++) {
		int bad = i % 37 == 5 ? (int)(i / 37) % 6 + 1 : 0;

		snprintf(line, sizeof(line),
			 "\ndn: CN=User %zu,OU=Staff,DC=example,DC=com\n"
			 "objectClass: top\nobjectClass: user\n"
			 "cn: User %zu\nmailNickname: u%zu\n",
			 bad == 1 ? i - 1 : i, i, i);
		addr_buf_puts(b, line);
		switch (bad) {
		case 2:	/* a reader error inside the record */
			addr_buf_puts(b, "bad attr!: x\n");
			break;
		case 3:	/* a model error: two primaries */
			addr_buf_puts(b, "proxyAddresses: SMTP:a@example.com\n"
					 "proxyAddresses: SMTP:b@example.com\n");
			continue;
		case 4:	/* a duplicate proxy (the check finds it) */
			addr_buf_puts(b, "proxyAddresses: SMTP:u1@example.com\n");
			continue;
		case 5:	/* an invalid proxy */
			addr_buf_puts(b, "proxyAddresses: SMTP:not an address\n");
			continue;
		case 6:	/* a member that names nothing */
			addr_buf_puts(b, "member: CN=Nobody,DC=example,DC=com\n");
			break;
		}
		snprintf(line, sizeof(line),
			 "proxyAddresses: SMTP:u%zu@example.com\n", i);
		addr_buf_puts(b, line);
		/* the DNs the reading thread checks ahead (dir_pipe.c's
		 * precheck): clean ones, a forbidden character, non-ASCII */
		if (i % 43 == 9)	/* "cn=René": base64 in LDIF */
			addr_buf_puts(b, "legacyExchangeDN:: L289RXhhbXBsZS9vdT1TaXRlL2NuPVJlY2lwaWVudHMvY249UmVuw6k=\n");
		else {
			snprintf(line, sizeof(line),
				 "legacyExchangeDN: /o=Example/ou=Site/"
				 "cn=Recipients/cn=u%zu%s\n", i,
				 i % 41 == 7 ? "#bad" : "");
			addr_buf_puts(b, line);
		}
		snprintf(line, sizeof(line),
			 "proxyAddresses: X500:/o=Old/cn=%s%zu\n",
			 i % 47 == 11 ? "x;y" : "old", i);
		addr_buf_puts(b, line);
		if (change_record && i == n / 2)
			addr_buf_puts(b, "\ndn: CN=X,DC=example,DC=com\n"
					 "changetype: delete\n");
	}
}

struct run {
	int rc;
	struct addr_dir_report rep;
	struct addr_buf out;
	size_t count;
};

static void load(struct run *r, const struct addr_buf *in, unsigned threads,
		 unsigned dflags)
{
	struct addr_dir *d;

	addr_dir_report_init(&r->rep);
	addr_buf_init(&r->out);
	assert_int_equal(addr_dir_new(&d, dflags), 0);
	assert_int_equal(addr_dir_set_threads(d, threads), 0);
	r->rc = addr_dir_load_ldif(d, in->ptr, in->size, "in.ldif", 0,
				   &r->rep);
	r->count = addr_dir_count(d);
	assert_true(addr_dir_write_ldif(d, &r->out) >= 0);
	addr_dir_free(d);
}

static void same(const struct run *a, const struct run *b)
{
	size_t i;

	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->rep.n, b->rep.n);
	assert_int_equal(a->rep.nerrors, b->rep.nerrors);
	assert_int_equal(a->rep.nwarnings, b->rep.nwarnings);
	for (i = 0; i < a->rep.n; i++) {
		const struct addr_dir_diag *x = &a->rep.diag[i], *y = &b->rep.diag[i];

		assert_string_equal(x->file ? x->file : "", y->file ? y->file : "");
		assert_int_equal(x->line, y->line);
		assert_int_equal(x->column, y->column);
		assert_int_equal(x->severity, y->severity);
		assert_string_equal(x->rule, y->rule);
		assert_string_equal(x->message, y->message);
	}
	assert_int_equal(a->out.size, b->out.size);
	assert_memory_equal(a->out.ptr, b->out.ptr, a->out.size);
}

static void done(struct run *r)
{
	addr_dir_report_free(&r->rep);
	addr_buf_free(&r->out);
}

static void check(size_t n, int change_record, unsigned dflags)
{
	struct addr_buf in;
	struct run a, b;
	unsigned t;

	addr_buf_init(&in);
	gen(&in, n, change_record);
	load(&a, &in, 0, dflags);
	assert_true(a.rep.nerrors > 0);	/* the input does break rules */
	for (t = 1; t <= 3 * NMODES; t++) {
		set_mode((t - 1) / 3);
		load(&b, &in, (t - 1) % 3 + 1, dflags);
		same(&a, &b);
		done(&b);
	}
	set_mode(NMODES);
	done(&a);
	addr_buf_free(&in);
}

static void test_many_batches(void **state)
{
	(void)state;
	check(3000, 0, 0);
}

static void test_lenient(void **state)
{
	(void)state;
	check(1200, 0, ADDR_DIR_LENIENT);
}

static void test_change_record_midway(void **state)
{
	(void)state;
	check(2000, 1, 0);
}

struct cursor {
	const struct addr_buf *b;
	size_t at;
};

static long from_buf(void *ctx, char *buf, size_t cap)
{
	struct cursor *c = ctx;
	size_t n = c->b->size - c->at;

	if (n > cap)
		n = cap;
	if (n > 7)
		n = 7 + (c->at % 5);	/* small, uneven pieces */
	if (n > c->b->size - c->at)
		n = c->b->size - c->at;
	memcpy(buf, c->b->ptr + c->at, n);
	c->at += n;
	return (long)n;
}

/* a DSML directory: the same pipeline behind addr_dir_load_dsml; with
 * threads 2, read in pieces by addr_dir_load_dsml_read */
static void load_dsml(struct run *r, const struct addr_buf *in,
		      unsigned threads)
{
	struct cursor c = { in, 0 };
	struct addr_dir *d;

	addr_dir_report_init(&r->rep);
	addr_buf_init(&r->out);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_set_threads(d, threads), 0);
	r->rc = threads == 2 ?
		addr_dir_load_dsml_read(d, from_buf, &c, "in.xml", 0,
					&r->rep) :
		addr_dir_load_dsml(d, in->ptr, in->size, "in.xml", 0,
				   &r->rep);
	r->count = addr_dir_count(d);
	assert_true(addr_dir_write_ldif(d, &r->out) >= 0);
	addr_dir_free(d);
}

static void test_dsml_load(void **state)
{
	struct addr_buf in, xml;
	struct addr_dir *d;
	struct run a, b;
	unsigned t;

	(void)state;
	addr_buf_init(&in);
	addr_buf_init(&xml);
	gen(&in, 3000, 0);
	/* the records the lenient reader keeps, as DSML: their model and
	 * uniqueness errors come back on the strict load */
	assert_int_equal(addr_dir_new(&d, ADDR_DIR_LENIENT), 0);
	assert_true(addr_dir_load_ldif(d, in.ptr, in.size, "in.ldif", 0,
				       NULL) >= 0);
	assert_int_equal(addr_dir_write_dsml(d, &xml), 0);
	addr_dir_free(d);
	load_dsml(&a, &xml, 0);
	assert_true(a.rep.nerrors > 0);
	for (t = 1; t <= 3 * NMODES; t++) {
		set_mode((t - 1) / 3);
		load_dsml(&b, &xml, (t - 1) % 3 + 1);
		same(&a, &b);
		done(&b);
	}
	set_mode(NMODES);
	done(&a);
	addr_buf_free(&in);
	addr_buf_free(&xml);
}

/* the DSML reader reports a searchResponse without searchResultDone at
 * the element's first line, but only at its end, after the records
 * inside it: the merge goes by the order the reader made its
 * diagnostics, not by line (fuzzing found the report reordered) */
static void test_dsml_late_diagnostic(void **state)
{
	static const char doc[] =
		"<batchResponse xmlns=\"urn:oasis:names:tc:DSML:2:0:core\">\n"
		"<searchResponse>\n"
		"<searchResultEntry dn=\"cn=a\"/>\n"
		"</searchResponse>\n"
		"</batchResponse>\n";
	struct addr_buf in;
	struct run a, b;

	(void)state;
	addr_buf_init(&in);
	addr_buf_puts(&in, doc);
	load_dsml(&a, &in, 0);
	assert_int_equal(a.rep.n, 2);
	assert_string_equal(a.rep.diag[0].rule, "model.kind");
	assert_int_equal(a.rep.diag[0].line, 3);
	assert_string_equal(a.rep.diag[1].rule, "dsml.schema");
	assert_int_equal(a.rep.diag[1].line, 2);
	load_dsml(&b, &in, 1);
	same(&a, &b);
	done(&a);
	done(&b);
	addr_buf_free(&in);
}

static void test_small(void **state)
{
	(void)state;
	check(40, 0, 0);	/* fewer records than a batch */
}

/* gen_changes - adds (new, existing, broken), modifies, deletes, a
 * syntax error, against a directory of gen(base) */
static void gen_changes(struct addr_buf *b, size_t base, size_t n)
{
	size_t i;
	char line[600];

	addr_buf_puts(b, "version: 1\n");
	for (i = 0; i < n; i++) {
		size_t u = base + i;

		switch (i % 11) {
		case 3:	/* an add of a DN the directory has */
			u = i % base;
			break;
		case 5:	/* a modify */
			snprintf(line, sizeof(line),
				 "\ndn: CN=User %zu,OU=Staff,DC=example,DC=com\n"
				 "changetype: modify\nreplace: mailNickname\n"
				 "mailNickname: m%zu\n-\n", i % base, i);
			addr_buf_puts(b, line);
			continue;
		case 7:	/* a delete (some of them of objects not there) */
			snprintf(line, sizeof(line),
				 "\ndn: CN=User %zu,OU=Staff,DC=example,DC=com\n"
				 "changetype: delete\n", (i * 7) % (base + 50));
			addr_buf_puts(b, line);
			continue;
		case 9:	/* a reader error */
			addr_buf_puts(b, "\ndn: CN=Broken,DC=example,DC=com\n"
					 "changetype: add\nbad attr!: x\n");
			continue;
		}
		snprintf(line, sizeof(line),
			 "\ndn: CN=User %zu,OU=Staff,DC=example,DC=com\n"
			 "changetype: add\nobjectClass: top\nobjectClass: user\n"
			 "cn: User %zu\nmailNickname: u%zu\n"
			 "proxyAddresses: SMTP:u%zu@example.com\n%s",
			 u, u, u, i % 13 == 1 ? (size_t)1 : u,
			 i % 17 == 2 ? "proxyAddresses: SMTP:x@example.com\n"
				       "proxyAddresses: SMTP:y@example.com\n" :
				       "");
		addr_buf_puts(b, line);
	}
}

static void apply(struct run *r, const struct addr_buf *dir,
		  const struct addr_buf *ch, unsigned threads)
{
	struct addr_dir *d;
	struct cursor c = { ch, 0 };
	int rc;

	addr_dir_report_init(&r->rep);
	addr_buf_init(&r->out);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, dir->ptr, dir->size, "dir.ldif",
					    0, NULL), 0);
	assert_int_equal(addr_dir_set_threads(d, threads), 0);
	r->rc = addr_dir_apply_ldif_read(d, from_buf, &c, "ch.ldif", 0, 0,
					 NULL, NULL, &r->rep);
	assert_true(r->rc >= 0);
	rc = addr_dir_apply_check(d, "dir.ldif", "ch.ldif", &r->rep);
	assert_true(rc >= 0);
	r->count = addr_dir_count(d);
	assert_true(addr_dir_write_ldif(d, &r->out) >= 0);
	addr_dir_free(d);
}

static int has_rule(const struct addr_dir_report *rep, const char *rule)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->diag[i].rule, rule) == 0)
			return 1;
	return 0;
}

static void test_apply_changes(void **state)
{
	struct addr_buf dir, ch;
	struct run a, b;
	unsigned t;
	size_t i;

	(void)state;
	addr_buf_init(&dir);
	addr_buf_init(&ch);
	addr_buf_puts(&dir, "version: 1\n");
	for (i = 0; i < 600; i++) {
		char line[300];

		snprintf(line, sizeof(line),
			 "\ndn: CN=User %zu,OU=Staff,DC=example,DC=com\n"
			 "objectClass: top\nobjectClass: user\ncn: User %zu\n"
			 "mailNickname: u%zu\n"
			 "proxyAddresses: SMTP:u%zu@example.com\n", i, i, i, i);
		addr_buf_puts(&dir, line);
	}
	gen_changes(&ch, 600, 2500);
	apply(&a, &dir, &ch, 0);
	/* the change file does break every kind of rule */
	assert_true(has_rule(&a.rep, "change.exists"));
	assert_true(has_rule(&a.rep, "change.no-object"));
	assert_true(has_rule(&a.rep, "ldif.syntax"));
	assert_true(has_rule(&a.rep, "proxy.primary-twice"));
	assert_true(has_rule(&a.rep, "proxy.duplicate"));
	for (t = 0; t < 2 * NMODES; t++) {
		set_mode(t / 2);
		apply(&b, &dir, &ch, t % 2 ? 3 : 1);
		same(&a, &b);
		done(&b);
	}
	set_mode(NMODES);
	done(&a);
	addr_buf_free(&dir);
	addr_buf_free(&ch);
}

typedef int (*write_to_fn)(const struct addr_dir *, addr_write_fn, void *);

/* same_written - wr with 1 to 3 workers gives want; a failing output
 * (its call fail_at) stops it with ADDR_EIO */
static void same_written(struct addr_dir *d, write_to_fn wr,
			 const struct addr_buf *want, size_t fail_at)
{
	struct memwr got;
	unsigned t;

	for (t = 1; t <= 3; t++) {
		memset(&got, 0, sizeof(got));
		addr_buf_init(&got.b);
		assert_int_equal(addr_dir_set_threads(d, t), 0);
		assert_int_equal(wr(d, memwr_write, &got), 0);
		assert_int_equal(got.b.size, want->size);
		assert_memory_equal(got.b.ptr, want->ptr, want->size);
		addr_buf_free(&got.b);
	}
	memset(&got, 0, sizeof(got));
	addr_buf_init(&got.b);
	got.fail_at = fail_at;
	assert_int_equal(wr(d, memwr_write, &got), ADDR_EIO);
	addr_buf_free(&got.b);
	assert_int_equal(addr_dir_set_threads(d, 0), 0);
}

/* the LDIF and DSML writers with workers: chunks formatted in parallel,
 * the same bytes in the same order */
static void test_write_parallel(void **state)
{
	struct addr_buf in, want;
	struct addr_dir *d;

	(void)state;
	addr_buf_init(&in);
	addr_buf_init(&want);
	gen(&in, 7000, 0);
	assert_int_equal(addr_dir_new(&d, ADDR_DIR_LENIENT), 0);
	assert_true(addr_dir_load_ldif(d, in.ptr, in.size, "in.ldif", 0,
				       NULL) >= 0);
	assert_true(addr_dir_count(d) > 4096);	/* several chunks */
	assert_int_equal(addr_dir_write_ldif(d, &want), 0);
	same_written(d, addr_dir_write_ldif_to, &want, 2);
	/* the DSML writer: head, chunks by workers' text writers, tail */
	addr_buf_clear(&want);
	assert_int_equal(addr_dir_write_dsml(d, &want), 0);
	same_written(d, addr_dir_write_dsml_to, &want, 3);
	addr_dir_free(d);
	addr_buf_free(&in);
	addr_buf_free(&want);
}

/* a DN with a character to escape and one beyond ASCII: the text
 * writers of the workers' chunks wrote the latter as a character
 * reference (they have no document encoding), the single writer as it
 * is (found by fuzzing the stream of dir_stream.c, which writes such
 * chunks) */
static void test_write_dsml_dn_escape(void **state)
{
	static const char in[] = "version: 1\n\n"
		"dn:: Q049UmVuw6kgXD54LERDPWV4YW1wbGUsREM9Y29t\n"	/* CN=René \>x */
		"objectClass: user\ncn: x\n";
	struct addr_buf want;
	struct addr_dir *d;

	(void)state;
	addr_buf_init(&want);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, in, sizeof(in) - 1, NULL, 0,
					    NULL), 0);
	assert_int_equal(addr_dir_write_dsml(d, &want), 0);
	addr_buf_putc(&want, '\0');
	assert_non_null(strstr(want.ptr, "dn=\"CN=Ren\xc3\xa9 \\&gt;x,"));
	want.size--;
	same_written(d, addr_dir_write_dsml_to, &want, 2);
	addr_dir_free(d);
	addr_buf_free(&want);
}

/* a directory DSML cannot hold: nothing written, with or without
 * workers */
static void test_write_dsml_unrepresentable(void **state)
{
	static const char in[] = "version: 1\n\ndn: CN=a,DC=example,DC=com\n"
		"objectClass: user\ncn: a\n1: v\n";
	struct addr_dir *d;
	struct memwr got;
	unsigned t;

	(void)state;
	assert_int_equal(addr_dir_new(&d, ADDR_DIR_LENIENT), 0);
	assert_true(addr_dir_load_ldif(d, in, sizeof(in) - 1, "in.ldif", 0,
				       NULL) >= 0);
	for (t = 0; t <= 2; t += 2) {
		memset(&got, 0, sizeof(got));
		addr_buf_init(&got.b);
		assert_int_equal(addr_dir_set_threads(d, t), 0);
		assert_int_equal(addr_dir_write_dsml_to(d, memwr_write, &got),
				 ADDR_ESYNTAX);
		assert_int_equal(got.b.size, 0);
		addr_buf_free(&got.b);
	}
	addr_dir_free(d);
}

static void test_threads_limit(void **state)
{
	struct addr_dir *d;

	(void)state;
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_set_threads(d, 9), ADDR_EINVAL);
	assert_int_equal(addr_dir_set_threads(d, 8), 0);
	addr_dir_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_batches),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_change_record_midway),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_dsml_load),
		cmocka_unit_test(test_dsml_late_diagnostic),
		cmocka_unit_test(test_apply_changes),
		cmocka_unit_test(test_write_parallel),
		cmocka_unit_test(test_write_dsml_dn_escape),
		cmocka_unit_test(test_write_dsml_unrepresentable),
		cmocka_unit_test(test_threads_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
