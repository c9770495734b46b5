/*
 * test_gwsession.c - the SMTP session state machine, driven by byte
 * streams without sockets: commands, limits, relay control, end-of-data
 * smuggling, dot-unstuffing, the tarpit and pipelining rules.
 *
 * Each row is a configuration addition, a client address and a list of
 * chunks fed in turn (a client waits for replies between chunks); the
 * want is the sequence of final reply codes, e.g. "220 250 250 354 250".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/*
 * The gateway code gets a realloc that always moves the block and
 * leaves the old one filled with 0xA5 (freed later): a pointer kept into
 * an array that grew reads garbage at once, as it may with the C
 * library's realloc whenever the block cannot grow in place. Every
 * system header the gateway files include comes before the macro.
 */
#define GRAVE 1024
static void *grave[GRAVE];
static size_t ngrave;

static void *
moving_realloc(void *p, size_t n)
{
	void *q = malloc(n ? n : 1);
	size_t old;

	if (q == NULL || p == NULL)
		return q;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	memset(p, 0xA5, old);
	if (ngrave == GRAVE)
		free(grave[ngrave-- % GRAVE]);
	grave[ngrave++] = p;
	return q;
}

static void
bury(void)
{
	while (ngrave > 0)
		free(grave[--ngrave]);
}

#define realloc(p, n) moving_realloc(p, n)
#include "../gateway/config.c"
#include "../gateway/session.c"
#include "../gateway/pipeline.c"
#include "../gateway/journal.c"
#undef realloc

#define MAXCHUNK 8

struct sink {
	int ncommit;
	int fail;
	int pending;		/* answer GW_COMMIT_PENDING */
	struct addr_buf data;
	char sender[256];
	char rcpt[1024];
};

static int
commit(void *arg, const struct gw_message *mv, size_t nv, char *id,
       size_t idsize)
{
	struct sink *k = arg;
	const struct gw_message *m = &mv[0];
	size_t i;

	if (k->fail)
		return -1;
	assert_int_equal(nv, 1);	/* no directory: one variant */
	k->ncommit++;
	addr_buf_clear(&k->data);
	/* skip our Received: header (3 lines) so rows can compare content */
	{
		const char *p = m->data;
		int n = 0;
		while (n < 3 && (p = strstr(p, "\r\n")) != NULL) {
			p += 2;
			n++;
		}
		addr_buf_put(&k->data, p, m->len - (size_t)(p - m->data));
	}
	snprintf(k->sender, sizeof(k->sender), "%s", m->sender);
	k->rcpt[0] = '\0';
	for (i = 0; i < m->nrcpt; i++) {
		size_t used = strlen(k->rcpt);
		if (used + strlen(m->rcpt[i].addr) + 2 > sizeof(k->rcpt))
			break;
		strcat(k->rcpt, m->rcpt[i].addr);
		strcat(k->rcpt, " ");
	}
	snprintf(id, idsize, "TESTID%d", k->ncommit);
	return k->pending ? GW_COMMIT_PENDING : 0;
}

struct row {
	const char *name;
	const char *conf;		/* added to the base configuration */
	const char *client;		/* IPv4 or IPv6 text */
	const char *chunks[MAXCHUNK];
	const char *want;		/* final reply codes */
	const char *want_data;		/* content after our Received:, or NULL */
	int want_closing;
};

#define HELLO "EHLO c.test\r\n"
#define ENV "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@example.com>\r\nDATA\r\n"
#define OK5 "220 250 250 250 354"

static const struct row rows[] = {
	{ "basic", "", "192.0.2.1",
	  { HELLO, ENV, "Subject: x\r\n\r\nbody\r\n.\r\n", "QUIT\r\n" },
	  OK5 " 250 221", "Subject: x\r\n\r\nbody\r\n", 1 },
	{ "dot-unstuffing", "", "192.0.2.1",
	  { HELLO, ENV, "\r\n..leading\r\n...\r\n.x\r\n.\r\n" },
	  OK5 " 250", "\r\n.leading\r\n..\r\nx\r\n", 0 },
	{ "empty-message", "", "192.0.2.1", { HELLO, ENV, ".\r\n" },
	  OK5 " 250", "", 0 },
	/* smtpsmug's endings: none of them ends the data; the real end
	 * does, and the bare newline makes the message fail */
	{ "smug-lflf", "", "192.0.2.1",
	  { HELLO, ENV, "a\r\n\n.\nMAIL FROM:<evil@x.test>\r\n\r\n.\r\n" },
	  OK5 " 554", NULL, 0 },
	{ "smug-crcr", "", "192.0.2.1",
	  { HELLO, ENV, "a\r\n\r.\rMAIL FROM:<evil@x.test>\r\n.\r\n" },
	  OK5 " 554", NULL, 0 },
	{ "smug-lfcrlf", "", "192.0.2.1",
	  { HELLO, ENV, "a\n.\r\nMAIL FROM:<evil@x.test>\r\n.\r\n" },
	  OK5 " 554", NULL, 0 },
	{ "smug-crlflf", "", "192.0.2.1",
	  { HELLO, ENV, "a\r\n.\n\r\n.\r\n" }, OK5 " 554", NULL, 0 },
	{ "smug-crlfcr", "", "192.0.2.1",
	  { HELLO, ENV, "a\r\n.\r\r\n.\r\n" }, OK5 " 554", NULL, 0 },
	{ "smug-lfcr", "", "192.0.2.1",
	  { HELLO, ENV, "a\n.\r\r\n.\r\n" }, OK5 " 554", NULL, 0 },
	{ "smug-nul", "", "192.0.2.1",
	  { HELLO, ENV, "a\r\n\0.\r\n.\r\n" }, OK5 " 554", NULL, 0 },
	/* normalize: a bare LF becomes CR LF but still never ends data */
	{ "normalize-lfcrlf", "[server]\nbare_newline = normalize\n",
	  "192.0.2.1", { HELLO, ENV, "a\n.\r\nb\n.\n\r\n.\r\n" },
	  OK5 " 250", "a\r\n.\r\nb\r\n.\r\n\r\n", 0 },
	{ "normalize-cr-still-refused", "[server]\nbare_newline = normalize\n",
	  "192.0.2.1", { HELLO, ENV, "a\rb\r\n.\r\n" }, OK5 " 554", NULL, 0 },
	/* after the end, the next command waits for the reply */
	{ "pipelined-after-end", "", "192.0.2.1",
	  { HELLO, ENV, "x\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n" },
	  OK5 " 250 250 250 221", "x\r\n", 1 },
	{ "content-before-354", "", "192.0.2.1",
	  { HELLO, ENV "x\r\n.\r\n" }, "220 250 250 250 554", NULL, 1 },
	/* EHLO ends a group too (RFC 2920 §3.1) */
	{ "pipelined-after-ehlo", "", "192.0.2.1", { HELLO ENV },
	  "220 554", NULL, 1 },
	{ "pipelining-without-ehlo", "", "192.0.2.1",
	  { "HELO c.test\r\nMAIL FROM:<s@ext.test>\r\n" }, "220 554",
	  NULL, 1 },
	{ "relay-refused", "[routing]\nlocal_domains = example.com\n"
	  "relay_from = 127.0.0.0/8\n", "192.0.2.1",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@other.test>\r\n"
	    "RCPT TO:<u@sub.example.com>\r\n" }, "220 250 250 550 250", NULL, 0 },
	{ "relay-allowed", "[routing]\nlocal_domains = example.com\n"
	  "relay_from = 127.0.0.0/8\n", "127.0.0.1",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@other.test>\r\n" },
	  "220 250 250 250", NULL, 0 },
	{ "relay-v6", "[routing]\nrelay_from = ::1\n", "::1",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@other.test>\r\n" },
	  "220 250 250 250", NULL, 0 },
	{ "relay-deny-first", "[routing]\nrelay_from = 127.0.0.0/8\n"
	  "relay_deny = 127.0.0.2\n", "127.0.0.2",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@other.test>\r\n" },
	  "220 250 250 550", NULL, 0 },
	{ "empty-policy-relays-for-nobody", "", "127.0.0.1",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@other.test>\r\n"
	    "RCPT TO:<Postmaster>\r\n" }, "220 250 250 550 250", NULL, 0 },
	{ "exact-domain", "[routing]\nlocal_domains = #exact.example.org\n",
	  "192.0.2.1",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@exact.example.org>\r\n"
	    "RCPT TO:<u@sub.exact.example.org>\r\n" }, "220 250 250 250 550",
	  NULL, 0 },
	{ "malformed-paths", "", "192.0.2.1",
	  { HELLO, "MAIL FROM:<first last@x>\r\nMAIL FROM:<s@ext.test>\r\n"
	    "RCPT TO:<first last@x>\r\nRCPT TO:u@example.com\r\n" },
	  "220 250 553 250 553 501", NULL, 0 },
	{ "utf8-needs-smtputf8", "", "192.0.2.1",
	  { HELLO, "MAIL FROM:<j\xc3\xb6rg@ext.test>\r\n"
	    "MAIL FROM:<j\xc3\xb6rg@ext.test> SMTPUTF8\r\n"
	    "RCPT TO:<\xc3\xbc@example.com>\r\n" },
	  "220 250 553 250 250", NULL, 0 },
	{ "mail-params", "", "192.0.2.1",
	  { HELLO, "MAIL FROM:<s@ext.test> BODY=9BIT\r\n"
	    "MAIL FROM:<s@ext.test> FOO=1\r\n"
	    "MAIL FROM:<s@ext.test> SIZE=x\r\n"
	    "MAIL FROM:<s@ext.test> SIZE=10240001\r\n"
	    "MAIL FROM:<s@ext.test> BODY=8BITMIME SIZE=10240000\r\n"
	    "RCPT TO:<u@example.com> NOTIFY=NEVER\r\n" },
	  "220 250 501 555 501 552 250 555", NULL, 0 },
	{ "params-need-ehlo", "", "192.0.2.1",
	  { "HELO c.test\r\n", "MAIL FROM:<s@ext.test> BODY=8BITMIME\r\n" },
	  "220 250 555", NULL, 0 },
	{ "null-sender", "", "192.0.2.1",
	  { HELLO, "MAIL FROM:<>\r\nRCPT TO:<>\r\nRCPT TO:<u@example.com>\r\n"
	    "DATA\r\n", "x\r\n.\r\n" }, "220 250 250 553 250 354 250", "x\r\n",
	  0 },
	{ "sequence", "", "192.0.2.1",
	  { "MAIL FROM:<s@ext.test>\r\n", HELLO,
	    "RCPT TO:<u@example.com>\r\nDATA\r\n", "MAIL FROM:<s@ext.test>\r\n"
	    "MAIL FROM:<s@ext.test>\r\nDATA\r\n" },
	  "220 503 250 503 503 250 503 554", NULL, 0 },
	{ "misc-commands", "", "192.0.2.1",
	  { HELLO, "HELP\r\nVRFY u@example.com\r\nVRFY\r\nNOOP\r\nRSET\r\n"
	    "FOO\r\n\r\nEHLO\r\n" },
	  "220 250 214 252 501 250 250 500 500 501", NULL, 0 },
	{ "lf-only-commands", "", "192.0.2.1", { "NOOP\n", "QUIT\n" },
	  "220 250 221", NULL, 1 },
	{ "data-with-argument", "", "192.0.2.1",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\nRCPT TO:<u@example.com>\r\n"
	    "DATA x\r\n" }, "220 250 250 250 501", NULL, 0 },
	{ "hop-limit", "[server]\nhop_limit = 2\n", "192.0.2.1",
	  { HELLO, ENV, "Received: a\r\nreceived: b\r\nRECEIVED: c\r\n\r\n"
	    "Received: in body\r\n.\r\n" }, OK5 " 554", NULL, 0 },
	{ "hop-limit-ok", "[server]\nhop_limit = 2\n", "192.0.2.1",
	  { HELLO, ENV, "Received: a\r\nReceived: b\r\n\r\nReceived: c\r\n"
	    "Received: d\r\n.\r\n" }, OK5 " 250", NULL, 0 },
	{ "accept-off", "[server]\naccept = no\n", "192.0.2.1",
	  { HELLO, "MAIL FROM:<s@ext.test>\r\n" }, "220 250 450", NULL, 0 },
};

static const char *base =
    "[server]\nhostname = gw.test\n[delivery]\npostmaster = pm@example.com\n";

/* codes - the final reply codes of an output, space-separated */
static void
codes(const char *out, size_t len, char *dst, size_t dsize)
{
	const char *p = out, *end = out + len;

	dst[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		if (nl - p >= 4 && p[3] == ' ') {
			if (dst[0])
				strncat(dst, " ", dsize - strlen(dst) - 1);
			strncat(dst, p, dsize - strlen(dst) - 1 < 3 ?
			    dsize - strlen(dst) - 1 : 3);
		}
		p = nl + 1;
	}
}

/* merge - parse base then extra; later sections append keys */
static void
load(struct gw_config *cfg, const char *extra)
{
	char text[4096];
	struct addr_buf e;

	/* the extra text goes first so that its keys are not repeats */
	snprintf(text, sizeof(text), "%s%s%s", extra, base,
	    strstr(extra, "local_domains") ? "" :
	    "[routing]\nlocal_domains = example.com\n");
	addr_buf_init(&e);
	if (gw_config_parse(cfg, "t.conf", text, strlen(text), &e) != 0)
		fail_msg("configuration: %s", e.ptr);
	addr_buf_free(&e);
}

static void
client_addr(struct sockaddr_storage *ss, const char *ip)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)ss)->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, ip,
		    &((struct sockaddr_in6 *)ss)->sin6_addr), 1);
		ss->ss_family = AF_INET6;
	}
}

/* run - feed the chunks; the output of all of them in *out */
static struct gw_session *
run(const struct row *r, struct gw_config *cfg, struct sink *k,
    struct gw_session_cb *cb, struct addr_buf *out, int bytewise)
{
	struct sockaddr_storage ss;
	struct gw_session *s;
	size_t i, len;
	const char *o;

	load(cfg, r->conf);
	memset(k, 0, sizeof(*k));
	addr_buf_init(&k->data);
	memset(cb, 0, sizeof(*cb));
	cb->arg = k;
	cb->commit = commit;
	client_addr(&ss, r->client);
	s = gw_session_new(cfg, cb, (struct sockaddr *)&ss, 0);
	assert_non_null(s);
	addr_buf_init(out);
	for (i = 0; i < MAXCHUNK && r->chunks[i]; i++) {
		size_t n = strlen(r->chunks[i]);

		/* the one chunk with a NUL octet: "a\r\n\0.\r\n.\r\n" */
		if (!strcmp(r->name, "smug-nul") && i == 2)
			n = 10;
		if (bytewise) {
			size_t j;
			for (j = 0; j < n; j++)
				gw_session_feed(s, r->chunks[i] + j, 1);
		} else
			gw_session_feed(s, r->chunks[i], n);
		o = gw_session_output(s, &len);
		addr_buf_put(out, o, len);
		gw_session_consume(s, len);
	}
	return s;
}

static void
test_rows(void **state)
{
	size_t i;
	int bytewise;

	(void)state;
	for (bytewise = 0; bytewise < 2; bytewise++)
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct gw_config cfg;
		struct sink k;
		struct gw_session_cb cb;
		struct addr_buf out;
		struct gw_session *s;
		char got[256];

		/* fed octet by octet nothing is ever pipelined */
		if (bytewise && (!strcmp(r->name, "content-before-354") ||
		    !strcmp(r->name, "pipelining-without-ehlo") ||
		    !strcmp(r->name, "pipelined-after-ehlo")))
			continue;
		s = run(r, &cfg, &k, &cb, &out, bytewise);
		codes(out.ptr, out.size, got, sizeof(got));
		if (strcmp(got, r->want) != 0)
			fail_msg("%s%s: got \"%s\", want \"%s\"\noutput:\n%s",
			    r->name, bytewise ? " (bytewise)" : "", got,
			    r->want, out.ptr);
		if (r->want_data && strcmp(k.data.ptr, r->want_data) != 0)
			fail_msg("%s: content got \"%s\", want \"%s\"", r->name,
			    k.data.ptr, r->want_data);
		if (gw_session_closing(s) != r->want_closing)
			fail_msg("%s: closing got %d, want %d", r->name,
			    gw_session_closing(s), r->want_closing);
		gw_session_free(s);
		gw_config_free(&cfg);
		addr_buf_free(&k.data);
		addr_buf_free(&out);
	}
}

/* feed - feed text, return the output (caller frees) */
static void
feed(struct gw_session *s, struct addr_buf *out, const char *text, size_t n)
{
	size_t len;
	const char *o;

	gw_session_feed(s, text, n);
	o = gw_session_output(s, &len);
	addr_buf_clear(out);
	addr_buf_put(out, o, len);
	gw_session_consume(s, len);
}

static struct gw_session *
new_session(struct gw_config *cfg, const char *extra, struct sink *k,
	    struct gw_session_cb *cb, struct addr_buf *out)
{
	struct sockaddr_storage ss;
	struct gw_session *s;

	load(cfg, extra);
	memset(k, 0, sizeof(*k));
	addr_buf_init(&k->data);
	memset(cb, 0, sizeof(*cb));
	cb->arg = k;
	cb->commit = commit;
	client_addr(&ss, "192.0.2.1");
	s = gw_session_new(cfg, cb, (struct sockaddr *)&ss, 0);
	assert_non_null(s);
	addr_buf_init(out);
	feed(s, out, "", 0);
	return s;
}

static void
done(struct gw_session *s, struct gw_config *cfg, struct sink *k,
     struct addr_buf *out)
{
	gw_session_free(s);
	gw_config_free(cfg);
	addr_buf_free(&k->data);
	addr_buf_free(out);
}

static void
test_banner_and_ehlo(void **state)
{
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out;
	struct gw_session *s;
	struct sockaddr_storage ss;

	(void)state;
	load(&cfg, "");
	memset(&k, 0, sizeof(k));
	memset(&cb, 0, sizeof(cb));
	client_addr(&ss, "192.0.2.1");
	s = gw_session_new(&cfg, &cb, (struct sockaddr *)&ss, 0);
	addr_buf_init(&out);
	addr_buf_init(&k.data);
	feed(s, &out, "", 0);
	assert_string_equal(out.ptr, "220 gw.test ESMTP addrgw "
	    ADDRGW_VERSION "\r\n");
	feed(s, &out, "EHLO c.test\r\n", 13);
	assert_string_equal(out.ptr, "250-gw.test\r\n250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
	    "250 SMTPUTF8\r\n");
	feed(s, &out, "HELO c.test\r\n", 13);
	assert_string_equal(out.ptr, "250 gw.test\r\n");
	done(s, &cfg, &k, &out);
}

static void
test_envelope(void **state)
{
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out;
	struct gw_session *s;
	const char *t;

	(void)state;
	s = new_session(&cfg, "", &k, &cb, &out);
	feed(s, &out, HELLO, strlen(HELLO));
	t = "MAIL FROM:<S@Ext.TEST> SMTPUTF8 BODY=8BITMIME\r\n"
	    "RCPT TO:<\"a b\"@EXAMPLE.com>\r\nRCPT TO:<Postmaster>\r\n"
	    "RCPT TO:<j\xc3\xb6rg@b\xc3\xbc.example.com>\r\nDATA\r\n";
	feed(s, &out, t, strlen(t));
	feed(s, &out, "x\r\n.\r\n", 6);
	assert_string_equal(out.ptr, "250 2.0.0 Ok: queued as TESTID1\r\n");
	assert_string_equal(k.sender, "S@ext.test");
	assert_string_equal(k.rcpt, "\"a b\"@example.com pm@example.com "
	    "j\xc3\xb6rg@b\xc3\xbc.example.com ");
	done(s, &cfg, &k, &out);
}

static void
test_commit_failure(void **state)
{
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out;
	struct gw_session *s;

	(void)state;
	s = new_session(&cfg, "", &k, &cb, &out);
	k.fail = 1;
	feed(s, &out, HELLO, strlen(HELLO));
	feed(s, &out, ENV, strlen(ENV));
	feed(s, &out, "x\r\n.\r\n", 6);
	assert_string_equal(out.ptr, "451 4.3.0 Queue file write error\r\n");
	/* the transaction is gone: DATA needs a new MAIL */
	feed(s, &out, "DATA\r\n", 6);
	assert_string_equal(out.ptr, "503 5.5.1 Error: need MAIL command\r\n");
	done(s, &cfg, &k, &out);
}

/*
 * A commit the host finishes later (server.c's writer threads): the
 * session answers nothing and reads nothing past the end of data until
 * gw_session_committed, then takes the pipelined rest.
 */
static void
test_commit_pending(void **state)
{
	static const char msg[] = "x\r\n.\r\nRSET\r\nQUIT\r\n";
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out;
	struct gw_session *s;
	size_t used, len;

	(void)state;
	s = new_session(&cfg, "", &k, &cb, &out);
	k.pending = 1;
	feed(s, &out, HELLO, strlen(HELLO));
	feed(s, &out, ENV, strlen(ENV));
	used = gw_session_feed(s, msg, sizeof(msg) - 1);
	assert_int_equal(used, 6);		/* up to the end of data */
	assert_true(gw_session_committing(s));
	gw_session_output(s, &len);
	assert_int_equal(len, 0);		/* no reply before the disk */
	assert_int_equal(gw_session_feed(s, msg + used, 6), 0);
	assert_string_equal(k.data.ptr, "x\r\n");
	gw_session_committed(s, 0, "LATER1");
	assert_false(gw_session_committing(s));
	feed(s, &out, msg + used, sizeof(msg) - 1 - used);
	assert_string_equal(out.ptr, "250 2.0.0 Ok: queued as LATER1\r\n"
	    "250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n");
	assert_true(gw_session_closing(s));

	/* a failed write: 451, the transaction gone */
	gw_session_free(s);
	s = gw_session_new(&cfg, &cb, (struct sockaddr *)&(struct
	    sockaddr_in){ .sin_family = AF_INET }, 0);
	feed(s, &out, HELLO, strlen(HELLO));
	feed(s, &out, ENV, strlen(ENV));
	assert_int_equal(gw_session_feed(s, msg, 6), 6);
	gw_session_committed(s, -1, NULL);
	feed(s, &out, "DATA\r\n", 6);
	assert_string_equal(out.ptr, "451 4.3.0 Queue file write error\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n");
	/* freed while a commit is pending: nothing leaks */
	feed(s, &out, ENV, strlen(ENV));
	assert_int_equal(gw_session_feed(s, msg, 6), 6);
	assert_true(gw_session_committing(s));
	done(s, &cfg, &k, &out);
}

/* exactly the limit is accepted, one more octet refused */
static void
test_limits(void **state)
{
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out, big;
	struct gw_session *s;
	size_t i;

	(void)state;
	s = new_session(&cfg, "[server]\nmax_message_size = 1000\n"
	    "max_recipients = 100\n", &k, &cb, &out);
	addr_buf_init(&big);

	/* command line: 2048 octets with CR LF accepted, 2049 refused */
	addr_buf_puts(&big, "NOOP ");
	while (big.size < 2046)
		addr_buf_putc(&big, 'x');
	addr_buf_puts(&big, "\r\n");
	feed(s, &out, big.ptr, big.size);
	assert_string_equal(out.ptr, "250 2.0.0 Ok\r\n");
	addr_buf_truncate(&big, 2046);
	addr_buf_puts(&big, "y\r\n");
	feed(s, &out, big.ptr, big.size);
	assert_string_equal(out.ptr, "500 5.5.2 Error: line too long\r\n");

	/* recipients: 100 accepted, the 101st 452 */
	feed(s, &out, HELLO, strlen(HELLO));
	feed(s, &out, "MAIL FROM:<s@ext.test>\r\n", 24);
	for (i = 0; i < 101; i++) {
		char rc[64];
		snprintf(rc, sizeof(rc), "RCPT TO:<u%zu@example.com>\r\n", i);
		feed(s, &out, rc, strlen(rc));
		assert_string_equal(out.ptr, i < 100 ? "250 2.1.5 Ok\r\n" :
		    "452 4.5.3 Too many recipients\r\n");
	}
	feed(s, &out, "DATA\r\n", 6);

	/* size: 1000 octets (unstuffed, CR LF) accepted; a stuffed dot
	 * counts once */
	addr_buf_clear(&big);
	for (i = 0; i < 498; i++)
		addr_buf_putc(&big, 'a');
	addr_buf_puts(&big, "\r\n..");
	for (i = 0; i < 497; i++)
		addr_buf_putc(&big, 'a');
	addr_buf_puts(&big, "\r\n.\r\n");
	feed(s, &out, big.ptr, big.size);
	assert_string_equal(out.ptr, "250 2.0.0 Ok: queued as TESTID1\r\n");

	/* 1001 refused */
	feed(s, &out, ENV, strlen(ENV));
	addr_buf_clear(&big);
	for (i = 0; i < 498; i++)
		addr_buf_putc(&big, 'a');
	addr_buf_puts(&big, "\r\n..");
	for (i = 0; i < 498; i++)
		addr_buf_putc(&big, 'a');
	addr_buf_puts(&big, "\r\n.\r\n");
	feed(s, &out, big.ptr, big.size);
	assert_string_equal(out.ptr, "552 5.3.4 Message too big\r\n");
	done(s, &cfg, &k, &out);
	addr_buf_free(&big);

	/* text line: 1000 octets with CR LF accepted, 1001 refused */
	s = new_session(&cfg, "", &k, &cb, &out);
	addr_buf_init(&big);
	feed(s, &out, HELLO, strlen(HELLO));
	feed(s, &out, ENV, strlen(ENV));
	while (big.size < 998)
		addr_buf_putc(&big, 'a');
	addr_buf_puts(&big, "\r\n.\r\n");
	feed(s, &out, big.ptr, big.size);
	assert_string_equal(out.ptr, "250 2.0.0 Ok: queued as TESTID1\r\n");
	feed(s, &out, ENV, strlen(ENV));
	addr_buf_clear(&big);
	while (big.size < 999)
		addr_buf_putc(&big, 'a');
	addr_buf_puts(&big, "\r\n.\r\n");
	feed(s, &out, big.ptr, big.size);
	assert_string_equal(out.ptr, "554 5.6.0 Line too long\r\n");
	done(s, &cfg, &k, &out);
	addr_buf_free(&big);
}

/* IMCEA bounds: 315 octets of local part, 1604 for IMCEAX400- */
static void
test_path_bounds(void **state)
{
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out, cmd;
	struct gw_session *s;
	static const struct { const char *prefix; size_t len; const char *want; }
	    prows[] = {
		{ "", 315, "250 2.1.5 Ok\r\n" },
		{ "", 316, "501 5.1.3 Error: address too long\r\n" },
		{ "IMCEAX400-", 1604, "250 2.1.5 Ok\r\n" },
		{ "imceax400-", 1605, "501 5.1.3 Error: address too long\r\n" },
	};
	size_t i;

	(void)state;
	s = new_session(&cfg, "", &k, &cb, &out);
	addr_buf_init(&cmd);
	feed(s, &out, HELLO, strlen(HELLO));
	feed(s, &out, "MAIL FROM:<s@ext.test>\r\n", 24);
	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		addr_buf_clear(&cmd);
		addr_buf_puts(&cmd, "RCPT TO:<");
		addr_buf_puts(&cmd, prows[i].prefix);
		while (cmd.size < 9 + prows[i].len)
			addr_buf_putc(&cmd, 'x');
		addr_buf_puts(&cmd, "@example.com>\r\n");
		feed(s, &out, cmd.ptr, cmd.size);
		if (strcmp(out.ptr, prows[i].want) != 0)
			fail_msg("%s%zu: got %s", prows[i].prefix, prows[i].len,
			    out.ptr);
	}
	addr_buf_free(&cmd);
	done(s, &cfg, &k, &out);
}

static void
test_tarpit(void **state)
{
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out;
	struct gw_session *s;
	int i;

	(void)state;
	s = new_session(&cfg, "", &k, &cb, &out);
	for (i = 1; i <= 20; i++) {
		feed(s, &out, "BOGUS\r\n", 7);
		if (i <= 10)
			assert_int_equal(gw_session_delay(s), 0);
		else
			assert_int_equal(gw_session_delay(s), 1000);
		assert_int_equal(gw_session_closing(s), i == 20);
	}
	assert_string_equal(out.ptr, "500 5.5.1 Command not recognized\r\n"
	    "421 4.7.0 gw.test Error: too many errors\r\n");
	/* nothing more is read */
	feed(s, &out, "NOOP\r\n", 6);
	assert_string_equal(out.ptr, "");
	done(s, &cfg, &k, &out);

	/* a delivered message resets the count */
	s = new_session(&cfg, "", &k, &cb, &out);
	for (i = 0; i < 15; i++)
		feed(s, &out, "BOGUS\r\n", 7);
	gw_session_delay(s);
	feed(s, &out, HELLO, strlen(HELLO));
	feed(s, &out, ENV, strlen(ENV));
	feed(s, &out, ".\r\n", 3);
	feed(s, &out, "BOGUS\r\n", 7);
	assert_int_equal(gw_session_delay(s), 0);
	done(s, &cfg, &k, &out);
}

static void
test_timeout(void **state)
{
	struct gw_config cfg;
	struct sink k;
	struct gw_session_cb cb;
	struct addr_buf out;
	struct gw_session *s;

	(void)state;
	s = new_session(&cfg, "", &k, &cb, &out);
	gw_session_timeout(s);
	feed(s, &out, "", 0);
	assert_string_equal(out.ptr, "421 4.4.2 gw.test Error: timeout "
	    "exceeded\r\n");
	assert_true(gw_session_closing(s));
	done(s, &cfg, &k, &out);
}

/* journal_commit - five variants; the journal reports go to their sinks */
static int
journal_commit(void *arg, const struct gw_message *mv, size_t nv, char *id,
	       size_t idsize)
{
	int *ok = arg;
	size_t i, journals = 0;

	for (i = 0; i < nv; i++)
		if (mv[i].sender != NULL && !strcmp(mv[i].sender, "jn@ext.test")) {
			assert_int_equal(mv[i].nrcpt, 1);
			assert_string_equal(mv[i].rcpt[0].addr, journals ?
			    "jo@ext.test" : "ji@ext.test");
			journals++;
		}
	*ok = nv == 5 && journals == 2;
	snprintf(id, idsize, "J");
	return 0;
}

/* fuzz finding (smtp_session): a journal report's message pointed at
 * the recipient inside its variant, in an array that a later variant
 * could move (realloc): the outbound journal check and the commit read
 * freed memory. Inbound, outbound, forward and both journal reports are
 * five variants, one more than the array first holds. */
static void
test_journals_after_realloc(void **state)
{
	static const char ldif[] = "version: 1\n"
	    "dn: CN=A,DC=x\nobjectClass: user\n"
	    "proxyAddresses: SMTP:a@example.com\n";
	static const char *const lines[] = { "EHLO c.test\r\n",
	    "MAIL FROM:<a@example.com>\r\n", "RCPT TO:<x@ext.test>\r\n",
	    "RCPT TO:<a@example.com>\r\n", "RCPT TO:<nobody@example.com>\r\n",
	    "DATA\r\n", "Subject: j\r\n\r\nbody\r\n.\r\n", NULL };
	struct gw_config cfg;
	struct gw_session_cb cb;
	struct sockaddr_storage ss;
	struct gw_session *s;
	struct addr_buf out;
	char got[128];
	const char *o;
	size_t i, len;
	int ok = 0;

	(void)state;
	load(&cfg, "[routing]\nlocal_domains = example.com\n"
	    "relay_from = 127.0.0.0/8\n[journal]\ninbound = ji@ext.test\n"
	    "outbound = jo@ext.test\nndr_to = jn@ext.test\n");
	cfg.unknown_forward = strdup("smtp:[127.0.0.1]:2526");
	assert_int_equal(addr_dir_new(&cfg.dir, 0), 0);
	assert_int_equal(addr_dir_load_ldif(cfg.dir, ldif, sizeof(ldif) - 1,
	    NULL, 0, NULL), 0);
	cfg.has_directory = 1;
	memset(&cb, 0, sizeof(cb));
	cb.arg = &ok;
	cb.commit = journal_commit;
	client_addr(&ss, "127.0.0.1");
	s = gw_session_new(&cfg, &cb, (struct sockaddr *)&ss, 0);
	assert_non_null(s);
	addr_buf_init(&out);
	for (i = 0; lines[i]; i++)
		gw_session_feed(s, lines[i], strlen(lines[i]));
	o = gw_session_output(s, &len);
	addr_buf_put(&out, o, len);
	codes(out.ptr, out.size, got, sizeof(got));
	assert_string_equal(got, "220 250 250 250 250 250 354 250");
	assert_true(ok);
	gw_session_free(s);
	addr_dir_free(cfg.dir);
	cfg.dir = NULL;
	free(cfg.unknown_forward);
	cfg.unknown_forward = NULL;
	gw_config_free(&cfg);
	addr_buf_free(&out);
	bury();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_banner_and_ehlo),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_commit_failure),
		cmocka_unit_test(test_commit_pending),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_path_bounds),
		cmocka_unit_test(test_tarpit),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_journals_after_realloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
