/*
 * test_gwqueue.c - the durable queue, quarantine at start-up, routes,
 * the drop next hop and the scheduler, in a temporary spool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../gateway/config.c"
#include "../gateway/log.c"
#include "../gateway/qpool.c"
#include "../gateway/queue.c"
#include "../gateway/route.c"
#include "../gateway/deliver.c"
#include "../gateway/reply.c"
#include "../gateway/splice.c"
#include "../gateway/downgrade.c"
#include "../gateway/client.c"
#include "../gateway/bounce.c"
#include "../gateway/schedule.c"
#include "../gateway/commit.c"

#include <pthread.h>

static char dir[256];

static int
setup(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_gwqueue.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/drop", dir);
	return mkdir(cmd, 0700);
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
spool_path(char *buf, size_t size, const char *sub)
{
	snprintf(buf, size, "%s/spool%s%s", dir, sub[0] ? "/" : "", sub);
}

static void
open_q(struct gw_queue *q)
{
	char spool[300], err[300];

	spool_path(spool, sizeof(spool), "");
	if (gw_queue_open(q, spool, err, sizeof(err)) < 0)
		fail_msg("open: %s", err);
}

static const struct gw_rcpt rcpts[] = {
	{ "\"a b\"@example.com", "\"a b\"@Example.COM", NULL, NULL, 0 },
	{ "c@other.test", "c@other.test", NULL, NULL, 0 },
};

static void
commit_one(struct gw_queue *q, const char *data, char *id)
{
	struct gw_message m;

	memset(&m, 0, sizeof(m));
	m.sender = "s@ext.test";
	m.rcpt = rcpts;
	m.nrcpt = 2;
	m.data = data;
	m.len = strlen(data);
	m.body_8bit = 1;
	m.helo = "client with space";
	m.client = "192.0.2.1";
	assert_int_equal(gw_queue_commit(q, &m, time(NULL), id, GW_QID_SIZE), 0);
}

static int
count_dir(const char *sub)
{
	char path[300];
	DIR *d;
	struct dirent *de;
	int n = 0;

	if (sub[0] == '/')
		snprintf(path, sizeof(path), "%s", sub);
	else
		spool_path(path, sizeof(path), sub);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
test_commit_and_restart(void **state)
{
	struct gw_queue q;
	char id[GW_QID_SIZE], id2[GW_QID_SIZE];
	struct addr_buf b;
	struct gw_qmsg *m;

	(void)state;
	open_q(&q);
	commit_one(&q, "Subject: 1\r\n\r\nbody\r\n", id);
	commit_one(&q, "Subject: 2\r\n\r\nbody\r\n", id2);
	assert_string_not_equal(id, id2);
	assert_int_equal(strlen(id), 16);
	assert_int_equal(count_dir("queue"), 4);
	/* fresh content is served from memory, and is the same */
	assert_int_equal(q.cached, 2 * strlen("Subject: 1\r\n\r\nbody\r\n"));
	addr_buf_init(&b);
	assert_int_equal(gw_queue_content(&q, q.head, &b), 0);
	assert_string_equal(b.ptr, "Subject: 2\r\n\r\nbody\r\n");
	addr_buf_free(&b);
	assert_int_equal(count_dir("tmp"), 0);
	gw_queue_close(&q);

	/* a restart finds both, with every field */
	open_q(&q);
	assert_int_equal(q.count, 2);
	for (m = q.head; m; m = m->next)
		if (!strcmp(m->id, id))
			break;
	assert_non_null(m);
	assert_string_equal(m->sender, "s@ext.test");
	assert_string_equal(m->helo, "client with space");
	assert_string_equal(m->client, "192.0.2.1");
	assert_int_equal(m->body_8bit, 1);
	assert_int_equal(m->nrcpt, 2);
	assert_string_equal(m->rcpt[0].addr, "\"a b\"@example.com");
	assert_string_equal(m->rcpt[0].orig, "\"a b\"@Example.COM");
	assert_int_equal(m->rcpt[0].state, GW_R_PENDING);
	addr_buf_init(&b);
	assert_int_equal(gw_queue_content(&q, m, &b), 0);
	assert_string_equal(b.ptr, "Subject: 1\r\n\r\nbody\r\n");
	addr_buf_free(&b);

	/* per-recipient state survives an update and a restart */
	m->rcpt[1].state = GW_R_SENT;
	m->rcpt[0].tries = 3;
	m->rcpt[0].next = 12345;
	m->rcpt[0].last = strdup("4.4.0 it failed\n100%");
	assert_int_equal(gw_queue_update(&q, m), 0);
	gw_queue_close(&q);
	open_q(&q);
	for (m = q.head; m; m = m->next)
		if (!strcmp(m->id, id))
			break;
	assert_non_null(m);
	assert_int_equal(m->rcpt[1].state, GW_R_SENT);
	assert_int_equal(m->rcpt[0].tries, 3);
	assert_int_equal(m->rcpt[0].next, 12345);
	assert_string_equal(m->rcpt[0].last, "4.4.0 it failed\n100%");
	/* the content read back from the disk after the restart */
	addr_buf_init(&b);
	assert_int_equal(q.cached, 0);
	assert_int_equal(gw_queue_content(&q, m, &b), 0);
	assert_string_equal(b.ptr, "Subject: 1\r\n\r\nbody\r\n");
	addr_buf_free(&b);
	assert_int_equal(gw_queue_remove(&q, m), 0);
	assert_int_equal(q.count, 1);
	assert_int_equal(count_dir("queue"), 2);
	gw_queue_close(&q);
}

static void
write_file(const char *sub, const char *name, const char *text, size_t len)
{
	char path[400];
	FILE *fp;

	spool_path(path, sizeof(path), sub);
	strcat(path, "/");
	strcat(path, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fwrite(text, 1, len, fp);
	fclose(fp);
}

static void
test_quarantine(void **state)
{
	struct gw_queue q;
	char good[GW_QID_SIZE], trunc[GW_QID_SIZE], cut[GW_QID_SIZE];
	char name[64], path[400];
	struct addr_buf b;

	(void)state;
	open_q(&q);
	while (q.head)
		gw_queue_remove(&q, q.head);
	commit_one(&q, "good\r\n", good);
	commit_one(&q, "truncated content\r\n", trunc);
	commit_one(&q, "cut envelope\r\n", cut);
	gw_queue_close(&q);

	/* a truncated content file */
	snprintf(name, sizeof(name), "%s.msg", trunc);
	write_file("queue", name, "trunc", 5);
	/* an envelope cut before its end record */
	snprintf(name, sizeof(name), "%s.env", cut);
	spool_path(path, sizeof(path), "queue");
	strcat(path, "/");
	strcat(path, name);
	addr_buf_init(&b);
	{
		FILE *fp = fopen(path, "r");
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		write_file("queue", name, buf, n - 4);
	}
	/* garbage, and a stale temporary file */
	write_file("queue", "garbage", "junk", 4);
	write_file("queue", "ABCDEF.env", "addrgw-envelope 2\nend\n", 22);
	write_file("tmp", "0000.msg", "never acknowledged", 18);

	open_q(&q);
	assert_int_equal(q.count, 1);
	assert_string_equal(q.head->id, good);
	assert_int_equal(count_dir("tmp"), 0);
	/* trunc: 2 files, cut: 2 files, garbage, ABCDEF.env */
	assert_int_equal(count_dir("quarantine"), 6);
	assert_int_equal(count_dir("queue"), 2);
	gw_queue_close(&q);
	addr_buf_free(&b);
}

/* inode - the inode of spool/sub/name, 0 when missing */
static unsigned long long
inode(const char *sub, const char *name)
{
	char path[400];
	struct stat st;

	spool_path(path, sizeof(path), sub);
	strcat(path, "/");
	strcat(path, name);
	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/*
 * Removed queue files go to free/ and the next message is written into
 * them (qpool.c): same inodes, the old content truncated away. At
 * start-up a free file linked twice, or not a plain numbered file, is
 * removed, never reused.
 */
static void
test_pool(void **state)
{
	static const char big[] = "Subject: big\r\n\r\n"
	    "0123456789012345678901234567890123456789\r\n";
	struct gw_queue q;
	char id[GW_QID_SIZE], id2[GW_QID_SIZE], name[64], a[400], b2[400];
	unsigned long long ino_msg, ino_env;
	struct addr_buf b;
	struct stat st;

	(void)state;
	open_q(&q);
	while (q.head)
		gw_queue_remove(&q, q.head);
	gw_queue_close(&q);
	/* start from an empty pool */
	spool_path(a, sizeof(a), "free");
	{
		char cmd[500];
		snprintf(cmd, sizeof(cmd), "rm -f '%s'/*", a);
		assert_int_equal(system(cmd), 0);
	}
	open_q(&q);
	commit_one(&q, big, id);
	snprintf(name, sizeof(name), "%s.msg", id);
	ino_msg = inode("queue", name);
	snprintf(name, sizeof(name), "%s.env", id);
	ino_env = inode("queue", name);
	assert_int_equal(gw_queue_remove(&q, q.head), 0);
	assert_int_equal(count_dir("queue"), 0);
	assert_int_equal(count_dir("free"), 2);
	commit_one(&q, "small\r\n", id2);
	assert_int_equal(count_dir("free"), 0);
	assert_int_equal(count_dir("tmp"), 0);
	/* the two files came back, in some order, under the new names */
	snprintf(name, sizeof(name), "%s.msg", id2);
	assert_true(inode("queue", name) == ino_msg ||
	    inode("queue", name) == ino_env);
	spool_path(a, sizeof(a), "queue");
	strcat(a, "/");
	strcat(a, name);
	assert_int_equal(stat(a, &st), 0);
	assert_int_equal(st.st_size, 7);
	gw_queue_close(&q);
	/* a restart reads it back whole */
	open_q(&q);
	addr_buf_init(&b);
	assert_int_equal(gw_queue_content(&q, q.head, &b), 0);
	assert_string_equal(b.ptr, "small\r\n");
	addr_buf_free(&b);
	assert_int_equal(gw_queue_remove(&q, q.head), 0);
	assert_int_equal(count_dir("free"), 2);
	gw_queue_close(&q);

	/* start-up: a doubly linked free file and a stranger go */
	spool_path(a, sizeof(a), "free");
	strcat(a, "/");
	snprintf(b2, sizeof(b2), "%s", a);
	{
		DIR *d;
		struct dirent *de;
		char first[64] = "";

		spool_path(b2, sizeof(b2), "free");
		d = opendir(b2);
		assert_non_null(d);
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.') {
				snprintf(first, sizeof(first), "%.63s", de->d_name);
				break;
			}
		closedir(d);
		strcat(a, first);
		spool_path(b2, sizeof(b2), "");
		strcat(b2, "/elsewhere");
		assert_int_equal(link(a, b2), 0);
	}
	write_file("free", "stranger", "x", 1);
	open_q(&q);
	assert_int_equal(count_dir("free"), 1);
	assert_int_equal(q.pool.n, 1);
	unlink(b2);

	/* a pooled file that queue/ also links (what a crash between the
	 * two directory updates of a rename can leave) is given up */
	{
		char qp[400];

		snprintf(a, sizeof(a), "%s/spool/free/%llu", dir,
		    q.pool.name[0]);
		snprintf(qp, sizeof(qp), "%s/spool/queue/0000000000000001.msg",
		    dir);
		assert_int_equal(link(a, qp), 0);
		assert_int_equal(gw_qpool_exclude(&q.pool, q.qfd), 0);
		assert_int_equal(q.pool.n, 0);
		assert_int_equal(count_dir("free"), 0);
		assert_int_equal(stat(qp, &st), 0);	/* the queue's stays */
		unlink(qp);
	}
	gw_queue_close(&q);
}

/* the writer threads (commit.c): every batch written, every report on
 * the loop's thread, gw_committer_free finishing what was submitted */
struct reports {
	struct gw_queue *q;
	int n, bad;
	pthread_t loop;
};

static void
reported(struct gw_qbatch *b, void *arg)
{
	struct reports *r = arg;

	if (!pthread_equal(pthread_self(), r->loop) || b->rc != 0 ||
	    gw_queue_finish(r->q, b) != 1)
		r->bad++;
	gw_qbatch_free(b);
	r->n++;
}

static void
submit(struct gw_queue *q, struct gw_committer *c, struct reports *r, int n)
{
	static const struct gw_rcpt to[] = {
		{ "r@example.com", "r@example.com", NULL, NULL, 0 } };
	struct gw_message m;
	int i;

	memset(&m, 0, sizeof(m));
	m.sender = "s@ext.test";
	m.rcpt = to;
	m.nrcpt = 1;
	m.data = "Subject: w\r\n\r\nw\r\n";
	m.len = strlen(m.data);
	m.helo = "h";
	m.client = "192.0.2.1";
	for (i = 0; i < n; i++) {
		struct gw_qbatch *b = gw_queue_prepare(q, &m, 1, time(NULL));
		assert_non_null(b);
		assert_int_equal(gw_committer_submit(c, b, reported, r), 0);
	}
}

static void
test_writers(void **state)
{
	struct gw_queue q;
	struct event_base *base = event_base_new();
	struct gw_committer *c;
	struct reports r;
	int spins;

	(void)state;
	assert_non_null(base);
	open_q(&q);
	while (q.head)
		gw_queue_remove(&q, q.head);
	memset(&r, 0, sizeof(r));
	r.q = &q;
	r.loop = pthread_self();
	c = gw_committer_new(base, &q, 4);
	assert_non_null(c);
	submit(&q, c, &r, 20);
	for (spins = 0; r.n < 20 && spins < 1000; spins++)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(r.n, 20);
	assert_int_equal(r.bad, 0);
	assert_int_equal(q.count, 20);
	assert_int_equal(count_dir("queue"), 40);
	/* what is submitted before the end is written and reported */
	submit(&q, c, &r, 5);
	gw_committer_free(c);
	assert_int_equal(r.n, 25);
	assert_int_equal(r.bad, 0);
	assert_int_equal(q.count, 25);
	while (q.head)
		gw_queue_remove(&q, q.head);
	gw_queue_close(&q);
	event_base_free(base);
}

static void
test_unwritable_spool(void **state)
{
	struct gw_queue q;
	char err[300];

	(void)state;
	char path[400];

	/* a spool below a regular file fails, even for root */
	snprintf(path, sizeof(path), "%s/file", dir);
	fclose(fopen(path, "w"));
	strcat(path, "/spool");
	assert_int_equal(gw_queue_open(&q, path, err, sizeof(err)), -1);
	if (strstr(err, "/file/spool: cannot create: Not a directory") == NULL)
		fail_msg("got \"%s\"", err);
}

static void
test_routes(void **state)
{
	struct gw_config cfg;
	struct addr_buf e;
	const char *text =
	    "[routes]\n"
	    "SMTP: = drop:typeonly 1\n"
	    "SMTP:* = drop:star 5\n"
	    "SMTP:*@example.com = drop:dom 3\n"
	    "SMTP:*@EXAMPLE.com = drop:domcheap 1\n"
	    "SMTP:boss@example.com = drop:exact 9\n"
	    "SMTP:*@*.example.com = drop:sub 1\n"
	    "X400:* = drop:x400 1\n"
	    "[delivery]\npostmaster = p@example.com\n";
	static const struct { const char *addr; const char *want; } rows[] = {
		{ "boss@example.com", "exact" },
		{ "BOSS@EXAMPLE.COM", "exact" },
		{ "a@example.com", "domcheap" },
		{ "a@x.example.com", "sub" },
		{ "a@other.test", "star" },
		{ "example.com", "star" },
	};
	size_t i;

	(void)state;
	addr_buf_init(&e);
	assert_int_equal(gw_config_parse(&cfg, "t", text, strlen(text), &e), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct gw_route *r = gw_route_find(&cfg, "SMTP",
		    rows[i].addr);
		if (r == NULL || strcmp(r->hop, rows[i].want) != 0)
			fail_msg("%s: got %s, want %s", rows[i].addr,
			    r ? r->hop : "(none)", rows[i].want);
	}
	assert_null(gw_route_find(&cfg, "EX", "x"));
	gw_config_free(&cfg);
	addr_buf_free(&e);

	/* with only a type-only route, it matches; with none, MX (NULL) */
	assert_true(gw_glob_match("*a*b*", "xxaYYbzz"));
	assert_false(gw_glob_match("*a*b", "xxaYYbzz"));
	assert_true(gw_glob_match("**", ""));
}

static void
test_schedule_drop(void **state)
{
	struct gw_queue q;
	struct gw_config cfg;
	struct addr_buf e, b;
	char text[1024], id[GW_QID_SIZE], path[400];
	time_t now = time(NULL), wake;
	FILE *fp;
	char buf[4096];
	size_t n;

	(void)state;
	snprintf(text, sizeof(text), "[routes]\nSMTP:*@example.com = drop:%s/drop 1\n"
	    "SMTP:* = smtp:[127.0.0.1]:1 1\n"
	    "[delivery]\npostmaster = p@example.com\nretry = 1m 2m\n"
	    "lifetime = 1h\n", dir);
	addr_buf_init(&e);
	assert_int_equal(gw_config_parse(&cfg, "t", text, strlen(text), &e), 0);
	open_q(&q);
	while (q.head)
		gw_queue_remove(&q, q.head);
	commit_one(&q, "Subject: s\r\n\r\nhello\r\n", id);

	/* the local recipient is dropped, the other deferred 1m */
	wake = gw_schedule_run(&q, &cfg, now);
	assert_int_equal(wake, now + 60);
	assert_int_equal(count_dir(strcat(strcpy(path, dir), "/drop")), 1);
	snprintf(path, sizeof(path), "%s/drop/%s.0", dir, id);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	snprintf(text, sizeof(text), "X-Addrgw-Queue-Id: %s\r\n"
	    "X-Addrgw-Sender: <s@ext.test>\r\n"
	    "X-Addrgw-Recipient: <\"a b\"@example.com>\r\n"
	    "Subject: s\r\n\r\nhello\r\n", id);
	assert_string_equal(buf, text);
	assert_int_equal(q.head->rcpt[0].state, GW_R_SENT);
	assert_int_equal(q.head->rcpt[1].state, GW_R_PENDING);
	assert_int_equal(q.head->rcpt[1].tries, 1);

	/* a restart keeps that state: nothing is delivered twice */
	gw_queue_close(&q);
	open_q(&q);
	assert_int_equal(q.head->rcpt[0].state, GW_R_SENT);
	assert_string_equal(q.head->rcpt[1].last,
	    "4.3.0 no SMTP client available");
	/* not due yet: nothing happens */
	assert_int_equal(gw_schedule_run(&q, &cfg, now + 30), now + 60);
	assert_int_equal(q.head->rcpt[1].tries, 1);
	/* backoff: 1m, then 2m repeating */
	assert_int_equal(gw_schedule_run(&q, &cfg, now + 60), now + 180);
	assert_int_equal(gw_schedule_run(&q, &cfg, now + 180), now + 300);
	/* past the lifetime the recipient fails and the message goes; an
	 * NDR from <> (kind ndr) to the sender takes its place */
	gw_schedule_run(&q, &cfg, now + 3600);
	assert_non_null(q.head);
	assert_null(q.head->next);
	assert_int_equal(q.head->ndr, 1);
	assert_string_equal(q.head->sender, "");
	assert_string_equal(q.head->rcpt[0].addr, "s@ext.test");
	assert_int_equal(count_dir("queue"), 2);
	gw_queue_close(&q);
	gw_config_free(&cfg);
	addr_buf_free(&e);
	addr_buf_init(&b);
	addr_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_and_restart),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_writers),
		cmocka_unit_test(test_unwritable_spool),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_schedule_drop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
