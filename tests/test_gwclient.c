/*
 * test_gwclient.c - the SMTP client side without sockets: the reply
 * parser (table), the client state machine (PIPELINING, refusals, the
 * 8BITMIME/SMTPUTF8/loop checks, malformed replies), MX answers and the
 * RFC 3464 report.
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
#include "../gateway/reply.c"
#include "../gateway/splice.c"
#include "../gateway/downgrade.c"
#include "../gateway/client.c"
#include "../gateway/dns.c"
#include "../gateway/bounce.c"

static void
test_reply_table(void **state)
{
	static const struct {
		const char *in;
		long want;		/* octets used, 0 more, -1 malformed */
		int code;
		unsigned ext;
	} rows[] = {
		{ "250 ok\r\n", 8, 250, 0 },
		{ "250\r\n", 5, 250, 0 },
		{ "250 ok\n", 7, 250, 0 },
		{ "250 ok\r\n221 bye\r\n", 8, 250, 0 },
		{ "250-gw\r\n250-PIPELINING\r\n250-SIZE 100\r\n250 8BITMIME\r\n",
		  52, 250, GW_EXT_PIPELINING | GW_EXT_SIZE | GW_EXT_8BITMIME },
		{ "250-gw\r\n250-smtputf8\r\n250 ENHANCEDSTATUSCODES\r\n", 47,
		  250, GW_EXT_SMTPUTF8 | GW_EXT_ENHANCED },
		{ "250-gw\r\n", 0, 0, 0 },
		{ "25", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "250-gw\r\n251 x\r\n", -1, 0, 0 },	/* code changes */
		{ "hello\r\n", -1, 0, 0 },
		{ "2x0 a\r\n", -1, 0, 0 },
		{ "150 a\r\n", -1, 0, 0 },
		{ "650 a\r\n", -1, 0, 0 },
		{ "260 a\r\n", -1, 0, 0 },
		{ "250x\r\n", -1, 0, 0 },
		{ "ab", -1, 0, 0 },
		{ "\r\n", -1, 0, 0 },
	};
	struct gw_reply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long got = gw_reply_parse(&r, rows[i].in, strlen(rows[i].in));
		if (got != rows[i].want || (got > 0 && (r.code != rows[i].code ||
		    r.ext != rows[i].ext)))
			fail_msg("row %zu %s: got %ld code %d ext %u, want %ld "
			    "code %d ext %u", i, rows[i].in, got, r.code, r.ext,
			    rows[i].want, rows[i].code, rows[i].ext);
	}
	/* SIZE value; NUL; line and line-count bounds */
	assert_true(gw_reply_parse(&r, "250-x\r\n250 SIZE 1000\r\n", 22) > 0);
	assert_int_equal(r.size, 1000);
	assert_int_equal(gw_reply_parse(&r, "250 a\0b\r\n", 9), -1);
	{
		char big[2000];
		memset(big, 'a', sizeof(big));
		memcpy(big, "250 ", 4);
		assert_int_equal(gw_reply_parse(&r, big, 511), 0);
		assert_int_equal(gw_reply_parse(&r, big, 512), -1);
		memcpy(big + 509, "\r\n", 2);	/* 511 octets: fine */
		assert_int_equal(gw_reply_parse(&r, big, 511), 511);
	}
	{
		struct addr_buf b;
		int k;
		addr_buf_init(&b);
		for (k = 0; k < 100; k++)
			addr_buf_puts(&b, "250-x\r\n");
		assert_int_equal(gw_reply_parse(&r, b.ptr, b.size), 0);
		addr_buf_puts(&b, "250 x\r\n");
		assert_int_equal(gw_reply_parse(&r, b.ptr, b.size), -1);
		addr_buf_free(&b);
	}
}

/* run - drive a client with the peer's replies; returns its output */
static void
run(struct gw_client *c, const char *const *replies, struct addr_buf *sent)
{
	size_t len;
	const char *o;

	addr_buf_init(sent);
	for (; *replies; replies++) {
		gw_client_feed(c, *replies, strlen(*replies));
		o = gw_client_output(c, &len);
		addr_buf_put(sent, o, len);
		gw_client_consume(c, len);
	}
}

static const char *const two[] = { "a@x.test", "b@x.test" };

static void
test_client_pipelining(void **state)
{
	struct gw_client_job j = { "gw.test", "s@y.test", two, 2,
	    "Subject: x\r\n\r\n.dot\r\n", 20, 0, 0 };
	static const char *const rp[] = {
		"220 peer.test ESMTP\r\n",
		"250-peer.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
		"250 ok\r\n550 5.1.1 no such user\r\n250 ok\r\n354 go\r\n",
		"250 2.0.0 queued\r\n", NULL };
	struct gw_client *c = gw_client_new(&j);
	struct addr_buf out;

	(void)state;
	run(c, rp, &out);
	assert_string_equal(out.ptr, "EHLO gw.test\r\n"
	    "MAIL FROM:<s@y.test>\r\nRCPT TO:<a@x.test>\r\n"
	    "RCPT TO:<b@x.test>\r\nDATA\r\n"
	    "Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n");
	assert_int_equal(gw_client_phase(c), GW_CP_DONE);
	assert_int_equal(gw_client_result(c, 0)->status, 5);
	assert_string_equal(gw_client_result(c, 0)->dsn, "5.1.1");
	assert_int_equal(gw_client_result(c, 1)->status, 2);
	assert_string_equal(gw_client_result(c, 1)->dsn, "2.0.0");
	assert_string_equal(gw_client_peer(c), "peer.test");
	addr_buf_free(&out);
	gw_client_free(c);
}

static void
test_client_lockstep(void **state)
{
	/* no PIPELINING: one command per reply; 452 is temporary; EHLO
	 * refused: HELO; 8-bit content with 8BITMIME offered */
	struct gw_client_job j = { "gw.test", "", two, 2,
	    "\xc3\xa9\r\n", 4, 1, 0 };
	static const char *const rp[] = {
		"220 peer\r\n", "502 no\r\n", "250 peer\r\n", NULL };
	static const char *const rp2[] = {
		"220 peer\r\n", "250-peer\r\n250-8BITMIME\r\n250 SIZE 100\r\n",
		"250 ok\r\n", "452 4.5.3 too many\r\n", "250 ok\r\n",
		"354 go\r\n", "451 4.3.0 disk full\r\n", NULL };
	struct gw_client *c = gw_client_new(&j);
	struct addr_buf out;

	(void)state;
	run(c, rp, &out);
	/* HELO: no 8BITMIME; the 8-bit content cannot be made 7-bit (it
	 * has no header section, so its 8-bit line is one): 5.6.3 */
	assert_string_equal(out.ptr, "EHLO gw.test\r\nHELO gw.test\r\nQUIT\r\n");
	assert_int_equal(gw_client_result(c, 0)->status, 5);
	assert_string_equal(gw_client_result(c, 0)->dsn, "5.6.3");
	addr_buf_free(&out);
	gw_client_free(c);

	c = gw_client_new(&j);
	run(c, rp2, &out);
	assert_string_equal(out.ptr, "EHLO gw.test\r\n"
	    "MAIL FROM:<> SIZE=4 BODY=8BITMIME\r\nRCPT TO:<a@x.test>\r\n"
	    "RCPT TO:<b@x.test>\r\nDATA\r\n\xc3\xa9\r\n.\r\nQUIT\r\n");
	assert_int_equal(gw_client_result(c, 0)->status, 4);
	assert_string_equal(gw_client_result(c, 0)->dsn, "4.5.3");
	assert_int_equal(gw_client_result(c, 1)->status, 4);
	assert_string_equal(gw_client_result(c, 1)->dsn, "4.3.0");
	addr_buf_free(&out);
	gw_client_free(c);
}

static void
test_client_checks(void **state)
{
	static const char *const u[] = { "\xc3\xbc@x.test" };
	struct gw_client_job j = { "gw.test", "s@y.test", u, 1, "x\r\n", 3,
	    0, 1 };
	static const char *const rp[] = { "220 peer\r\n",
	    "250-peer\r\n250 8BITMIME\r\n", NULL };
	static const char *const loop[] = { "220 GW.test ESMTP\r\n", NULL };
	static const char *const big[] = { "220 peer\r\n",
	    "250-peer\r\n250 SIZE 2\r\n", NULL };
	static const char *const junk[] = { "220 peer\r\n",
	    "250-peer\r\n251 PIPELINING\r\n", NULL };
	struct gw_client *c;
	struct addr_buf out;

	(void)state;
	c = gw_client_new(&j);
	run(c, rp, &out);
	assert_string_equal(gw_client_result(c, 0)->dsn, "5.6.7");
	addr_buf_free(&out);
	gw_client_free(c);

	j.rcpt = two;
	j.nrcpt = 2;
	j.smtputf8 = 0;
	c = gw_client_new(&j);
	run(c, loop, &out);
	assert_string_equal(out.ptr, "QUIT\r\n");
	assert_string_equal(gw_client_result(c, 1)->dsn, "5.4.6");
	addr_buf_free(&out);
	gw_client_free(c);

	c = gw_client_new(&j);
	run(c, big, &out);
	assert_string_equal(gw_client_result(c, 0)->dsn, "5.3.4");
	addr_buf_free(&out);
	gw_client_free(c);

	c = gw_client_new(&j);
	run(c, junk, &out);
	assert_int_equal(gw_client_result(c, 0)->status, 4);
	assert_non_null(strstr(gw_client_result(c, 0)->text, "malformed"));
	assert_int_equal(gw_client_phase(c), GW_CP_DONE);
	addr_buf_free(&out);
	gw_client_free(c);

	/* a lost connection fails the open recipients temporarily */
	c = gw_client_new(&j);
	gw_client_fail(c, "4.4.2", "lost connection");
	assert_int_equal(gw_client_result(c, 0)->status, 4);
	assert_string_equal(gw_client_result(c, 1)->dsn, "4.4.2");
	gw_client_free(c);
}

static void
test_dns_mx(void **state)
{
	/* example.com MX: 20 b.mx.example.com, 10 a (compressed) */
	static const unsigned char msg[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0, 15, 0, 1,
		0xc0, 12, 0, 15, 0, 1, 0, 0, 1, 0, 0, 9,
		0, 20, 1, 'b', 2, 'm', 'x', 0xc0, 12,
		0xc0, 12, 0, 15, 0, 1, 0, 0, 1, 0, 0, 4,
		0, 10, 1, 'a', 0xc0, 12 - 0 + 0 };
	struct gw_mx mx[4];
	size_t n;
	int rcode;
	unsigned char loop[sizeof(msg)];

	(void)state;
	/* the last answer's rdata is 0,10,1,'a',0xc0,12: 6 octets */
	{
		unsigned char m2[sizeof(msg) + 2];
		memcpy(m2, msg, sizeof(msg));
		m2[sizeof(msg) - 7] = 6;	/* fix rdlength */
		m2[sizeof(msg)] = 0;
		assert_int_equal(gw_dns_mx_parse(m2, sizeof(msg), mx, 4, &n,
		    &rcode), 0);
	}
	assert_int_equal(n, 2);
	assert_int_equal(rcode, 0);
	assert_int_equal(mx[0].pref, 10);
	assert_string_equal(mx[0].host, "a.example.com");
	assert_string_equal(mx[1].host, "b.mx.example.com");
	/* truncated, and a pointer loop */
	assert_int_equal(gw_dns_mx_parse(msg, 20, mx, 4, &n, &rcode), -1);
	memcpy(loop, msg, sizeof(msg));
	loop[12] = 0xc0;
	loop[13] = 12;
	assert_int_equal(gw_dns_mx_parse(loop, sizeof(loop), mx, 4, &n,
	    &rcode), -1);
	assert_int_equal(gw_dns_mx_parse(msg, 5, mx, 4, &n, &rcode), -1);
}

static void
test_bounce_build(void **state)
{
	struct gw_config cfg;
	struct gw_qmsg m;
	struct gw_qrcpt r[2];
	struct addr_buf b;
	size_t idx[] = { 1 };
	const char *content = "Subject: hi\r\nFrom: s@y.test\r\n\r\nsecret body\r\n";

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.hostname = "gw.test";
	cfg.postmaster = "postmaster@gw.test";
	memset(&m, 0, sizeof(m));
	memset(r, 0, sizeof(r));
	strcpy(m.id, "ABC");
	m.ctime = 1700000000;
	m.sender = "s@y.test";
	r[1].addr = "bad@x.test";
	r[1].orig = "Bad@x.test";
	r[1].last = "5.1.1 550 5.1.1 no such user";
	m.rcpt = r;
	m.nrcpt = 2;
	addr_buf_init(&b);
	assert_int_equal(gw_bounce_build(&b, &cfg, &m, idx, 1, 0, content,
	    strlen(content), "s@y.test", 1700000100), 0);
	assert_non_null(strstr(b.ptr, "\r\nContent-Type: multipart/report; "
	    "report-type=delivery-status;\r\n"));
	assert_non_null(strstr(b.ptr, "\r\nOriginal-Recipient: rfc822; "
	    "Bad@x.test\r\nFinal-Recipient: rfc822; bad@x.test\r\n"
	    "Action: failed\r\nStatus: 5.1.1\r\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n"));
	assert_non_null(strstr(b.ptr, "Content-Type: text/rfc822-headers"
	    "\r\n\r\nSubject: hi\r\nFrom: s@y.test\r\n\r\n--"));
	assert_null(strstr(b.ptr, "secret body"));
	assert_non_null(strstr(b.ptr, "From: Mail Delivery System "
	    "<postmaster@gw.test>\r\nTo: <s@y.test>\r\n"));
	addr_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_table),
		cmocka_unit_test(test_client_pipelining),
		cmocka_unit_test(test_client_lockstep),
		cmocka_unit_test(test_client_checks),
		cmocka_unit_test(test_dns_mx),
		cmocka_unit_test(test_bounce_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
