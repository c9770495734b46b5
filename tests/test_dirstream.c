/*
 * test_dirstream.c - a directory written while it grows is the
 * directory written afterwards
 *
 * addr_dir_stream_begin writes a directory and then, as loads and change
 * runs append to it, their entries (dir_stream.c). When the run only
 * appended, the octets handed out must be exactly those of
 * addr_dir_write_ldif / addr_dir_write_dsml of the result, with 0 to 3
 * worker threads, whichever thread consumes the records, for LDIF and
 * DSML change files, from an empty or a loaded directory. When the run
 * changed, replaced or removed an entry, or appended one the format
 * cannot carry, addr_dir_stream_end must say the stream stopped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dir_int.h"	/* addr__pipe_wconsume */
#include "memio.h"

/* entries [from, from + n) of a clean directory, in LDIF; as add
 * records with adds (a change file cannot mix them with content) */
static void gen_as(struct addr_buf *b, size_t from, size_t n, int adds)
{
	size_t i;
	char rec[600];

	if (b->size == 0)
		addr_buf_puts(b, "version: 1\n");
	for (i = from; i < from + n; i++) {
		snprintf(rec, sizeof(rec),
			 "\ndn: CN=User %zu,OU=Staff,DC=example,DC=com\n%s"
			 "objectClass: top\nobjectClass: user\ncn: User %zu\n"
			 "description: line one\n  and more\n"
			 "description:%s\n"
			 "proxyAddresses: SMTP:u%zu@example.com\n"
			 "proxyAddresses: X500:/o=Old/cn=u%zu\n",
			 i, adds ? "changetype: add\n" : "", i,
			 i % 7 == 3 ? ": Y2Fmw6kgPCY+" /* "café <&>" */ :
			 " plain", i, i);
		addr_buf_puts(b, rec);
		if (i % 50 == 49) {	/* a group of the last few */
			snprintf(rec, sizeof(rec),
				 "\ndn: CN=Group %zu,OU=Staff,DC=example,DC=com\n"
				 "%sobjectClass: group\n"
				 "member: CN=User %zu,OU=Staff,DC=example,DC=com\n"
				 "member: CN=User %zu,OU=Staff,DC=example,DC=com\n"
				 "proxyAddresses: SMTP:g%zu@example.com\n",
				 i, adds ? "changetype: add\n" : "", i, i - 1,
				 i);
			addr_buf_puts(b, rec);
		}
	}
}

static void gen(struct addr_buf *b, size_t from, size_t n)
{
	gen_as(b, from, n, 0);
}

/* the directory file's text (LDIF) as DSML */
static void as_dsml(struct addr_buf *xml, const struct addr_buf *ldif)
{
	struct addr_dir *d;

	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, ldif->ptr, ldif->size, NULL, 0,
					    NULL), 0);
	assert_int_equal(addr_dir_write_dsml(d, xml), 0);
	addr_dir_free(d);
}

/* run - load base (may be empty), stream it as fmt, apply ch (LDIF or
 * DSML), end the stream; its result, and the streamed octets against
 * the writer's when it says 1 */
static int run(const struct addr_buf *base, const struct addr_buf *ch,
	       int chdsml, int fmt, unsigned threads, struct addr_dir **out)
{
	struct addr_dir *d;
	struct addr_dir_report rep;
	struct memrd c;
	struct memwr s;
	struct addr_buf w;
	int rc, end;

	memset(&s, 0, sizeof(s));
	addr_buf_init(&s.b);
	addr_buf_init(&w);
	addr_dir_report_init(&rep);
	memrd_init(&c, ch->ptr, ch->size, 0);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	if (base->size > 0)
		assert_int_equal(addr_dir_load_ldif(d, base->ptr, base->size,
						    NULL, 0, NULL), 0);
	assert_int_equal(addr_dir_set_threads(d, threads), 0);
	assert_int_equal(addr_dir_stream_begin(d, fmt, memwr_write, &s), 0);
	rc = chdsml ? addr_dir_apply_dsml_read(d, memrd_read, &c, "ch.xml", 0,
					       0, NULL, NULL, &rep) :
		      addr_dir_apply_ldif_read(d, memrd_read, &c, "ch.ldif", 0,
					       0, NULL, NULL, &rep);
	assert_true(rc >= 0);
	end = addr_dir_stream_end(d);
	assert_true(end == 0 || end == 1);
	if (end == 1) {
		assert_int_equal(fmt == ADDR_DIR_STREAM_DSML ?
				 addr_dir_write_dsml(d, &w) :
				 addr_dir_write_ldif(d, &w), 0);
		assert_int_equal(s.b.size, w.size);
		assert_memory_equal(s.b.ptr, w.ptr, w.size);
	}
	addr_buf_free(&s.b);
	addr_buf_free(&w);
	addr_dir_report_free(&rep);
	if (out != NULL)
		*out = d;
	else
		addr_dir_free(d);
	return end;
}

/* every sharing of the work between reading thread and workers */
static const int modes[][2] = { { -1, -1 }, { 0, 1 }, { 1, 0 } };

static void appends(size_t nbase, size_t nadd)
{
	struct addr_buf base, ch, chx;
	unsigned t;
	size_t m;
	int fmt;

	addr_buf_init(&base);
	addr_buf_init(&ch);
	addr_buf_init(&chx);
	if (nbase > 0)
		gen(&base, 0, nbase);
	gen(&ch, nbase, nadd);
	as_dsml(&chx, &ch);
	for (fmt = ADDR_DIR_STREAM_LDIF; fmt <= ADDR_DIR_STREAM_DSML; fmt++)
		for (t = 0; t <= 3; t++)
			for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
				addr__pipe_ahead = modes[m][0];
				addr__pipe_wconsume = modes[m][1];
				assert_int_equal(run(&base, &ch, 0, fmt, t,
						     NULL), 1);
				assert_int_equal(run(&base, &chx, 1, fmt, t,
						     NULL), 1);
			}
	addr__pipe_ahead = addr__pipe_wconsume = -1;
	addr_buf_free(&base);
	addr_buf_free(&ch);
	addr_buf_free(&chx);
}

static void test_appends_to_empty(void **state)
{
	(void)state;
	appends(0, 1300);
}

static void test_appends_to_loaded(void **state)
{
	(void)state;
	appends(700, 900);
}

static void test_nothing_appended(void **state)
{
	struct addr_buf base, ch;

	(void)state;
	addr_buf_init(&base);
	addr_buf_init(&ch);
	gen(&base, 0, 10);
	addr_buf_puts(&ch, "version: 1\n");
	assert_int_equal(run(&base, &ch, 0, ADDR_DIR_STREAM_LDIF, 0, NULL), 1);
	assert_int_equal(run(&base, &ch, 0, ADDR_DIR_STREAM_DSML, 1, NULL), 1);
	addr_buf_truncate(&base, 0);
	assert_int_equal(run(&base, &ch, 0, ADDR_DIR_STREAM_DSML, 0, NULL), 1);
	addr_buf_free(&base);
	addr_buf_free(&ch);
}

/* a run that edits what it holds stops the stream, wherever the edit
 * comes: each change after 600 adds */
static void test_edits_stop(void **state)
{
	static const char *const edits[] = {
		/* an entry of the base changed */
		"\ndn: CN=User 3,OU=Staff,DC=example,DC=com\n"
		"changetype: modify\nreplace: description\n"
		"description: new\n-\n",
		/* an appended entry changed, already written */
		"\ndn: CN=User 12,OU=Staff,DC=example,DC=com\n"
		"changetype: modify\nadd: proxyAddresses\n"
		"proxyAddresses: smtp:x@example.org\n-\n",
		/* one removed: the groups naming it are changed too */
		"\ndn: CN=User 48,OU=Staff,DC=example,DC=com\n"
		"changetype: delete\n",
		/* one renamed */
		"\ndn: CN=User 49,OU=Staff,DC=example,DC=com\n"
		"changetype: modrdn\nnewrdn: CN=Renamed\ndeleteoldrdn: 1\n",
	};
	struct addr_buf base, ch;
	size_t i;
	unsigned t;

	(void)state;
	addr_buf_init(&base);
	gen(&base, 0, 10);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
		for (t = 0; t <= 2; t++) {
			addr_buf_init(&ch);
			gen_as(&ch, 10, 600, 1);
			addr_buf_puts(&ch, edits[i]);
			gen_as(&ch, 2000, 20, 1);	/* and adds after it */
			if (run(&base, &ch, 0, t == 1 ? ADDR_DIR_STREAM_DSML :
				ADDR_DIR_STREAM_LDIF, t, NULL) != 0)
				fail_msg("edit %zu with %u workers: the stream "
					 "went on", i, t);
			addr_buf_free(&ch);
		}
	addr_buf_free(&base);
}

/* DSML cannot carry a DN with a control character: refused before a
 * byte is written when d holds one, the stream stopped when one is
 * appended */
static void test_dsml_unrepresentable(void **state)
{
	static const char bad[] = "\ndn:: Q049YQFiLERDPWV4YW1wbGUsREM9Y29t\n"
				  "objectClass: user\n";	/* CN=a\1b */
	struct addr_buf base, ch;
	struct addr_dir *d;
	struct memwr s;

	(void)state;
	memset(&s, 0, sizeof(s));
	addr_buf_init(&s.b);
	addr_buf_init(&base);
	addr_buf_init(&ch);
	gen(&base, 0, 5);
	addr_buf_puts(&base, bad);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, base.ptr, base.size, NULL, 0,
					    NULL), 0);
	assert_int_equal(addr_dir_stream_begin(d, ADDR_DIR_STREAM_DSML,
					       memwr_write, &s), ADDR_ESYNTAX);
	assert_int_equal(s.calls, 0);
	assert_int_equal(addr_dir_stream_end(d), ADDR_EINVAL);
	addr_dir_free(d);
	addr_buf_truncate(&base, 0);
	gen(&base, 0, 5);
	gen(&ch, 5, 300);
	addr_buf_puts(&ch, bad);
	assert_int_equal(run(&base, &ch, 0, ADDR_DIR_STREAM_DSML, 1, NULL), 0);
	/* LDIF carries it */
	assert_int_equal(run(&base, &ch, 0, ADDR_DIR_STREAM_LDIF, 1, NULL), 1);
	addr_buf_free(&s.b);
	addr_buf_free(&base);
	addr_buf_free(&ch);
}

/* a failing output: ADDR_EIO, at the start or at the end */
static void test_write_fails(void **state)
{
	struct addr_buf base, ch;
	struct addr_dir *d;
	struct memrd c;
	struct memwr s;
	size_t at;

	(void)state;
	addr_buf_init(&base);
	addr_buf_init(&ch);
	gen(&base, 0, 5);
	gen(&ch, 5, 700);
	/* calls: the head, the 5 entries held, two chunks of the run, the
	 * rest with the tail */
	for (at = 1; at <= 5; at++) {
		memset(&s, 0, sizeof(s));
		addr_buf_init(&s.b);
		s.fail_at = at;
		memrd_init(&c, ch.ptr, ch.size, 0);
		assert_int_equal(addr_dir_new(&d, 0), 0);
		assert_int_equal(addr_dir_load_ldif(d, base.ptr, base.size,
						    NULL, 0, NULL), 0);
		if (at <= 2) {
			assert_int_equal(addr_dir_stream_begin(d,
					 ADDR_DIR_STREAM_LDIF, memwr_write, &s),
					 ADDR_EIO);
		} else {
			assert_int_equal(addr_dir_stream_begin(d,
					 ADDR_DIR_STREAM_LDIF, memwr_write, &s), 0);
			assert_true(addr_dir_apply_ldif_read(d, memrd_read, &c,
					 NULL, 0, 0, NULL, NULL, NULL) >= 0);
			assert_int_equal(addr_dir_stream_end(d), ADDR_EIO);
		}
		addr_dir_free(d);
		addr_buf_free(&s.b);
	}
	addr_buf_free(&base);
	addr_buf_free(&ch);
}

/* a directory freed with its stream open leaks nothing */
static void test_free_open(void **state)
{
	struct addr_dir *d;
	struct memwr s;

	(void)state;
	memset(&s, 0, sizeof(s));
	addr_buf_init(&s.b);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_stream_begin(d, ADDR_DIR_STREAM_DSML,
					       memwr_write, &s), 0);
	assert_int_equal(addr_dir_stream_begin(d, 3, memwr_write, &s),
			 ADDR_EINVAL);
	addr_dir_free(d);
	addr_buf_free(&s.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends_to_empty),
		cmocka_unit_test(test_appends_to_loaded),
		cmocka_unit_test(test_nothing_appended),
		cmocka_unit_test(test_edits_stop),
		cmocka_unit_test(test_dsml_unrepresentable),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_free_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
