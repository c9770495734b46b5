/*
 * smtp_session.c - fuzz target: the SMTP server session state machine
 *
 * DESCRIPTION
 *	Input: one selector octet, then the octets a client sends. The
 *	session (gateway/session.c) is fed them without sockets, in
 *	pieces whose sizes the selector chooses, with the default
 *	configuration of the gateway plus a local domain and relaying for
 *	loopback; selector bit 0x40 adds a small recipient directory
 *	(groups with a cycle and a restriction, a contact, IMCEA forms), so
 *	the RCPT verdicts and the end-of-DATA pipeline of rewrite.c and
 *	pipeline.c run too, with journaling on.
 *
 *	Selector bit 0x80 takes a second configuration: bare newlines
 *	normalized, a hop limit of 3, 512-octet command lines, 1024-octet
 *	messages, a timeout at the end of the input. Without 0x40 the
 *	client is outside relay_from (IPv6). With 0x40 it has the
 *	directory, header rewriting, inbound (CN=A's own journal address)
 *	and outbound journaling, inbound disclaimer texts (through a stub
 *	of gw_disclaimer_apply, which needs GMime: the mime_disclaimer
 *	target has that), a connector restricted to CN=A and an expansion
 *	limit of 2 recipients; and the session runs twice, the second
 *	time with one allocation failing (number 1 + length % allocations
 *	of the first run, counting the gateway's C library allocations and
 *	libaddr's, fuzz/chaos.h). Log and transcript callbacks are set; a
 *	commit for a sender starting "fail@" fails.
 *
 *	Checks: the session never crashes, leaks or reads
 *	outside its input; every reply line it writes starts with three
 *	digits and ends in CR LF; a committed message has a sender and at
 *	least one recipient, and its content ends in CR LF. Any violation
 *	aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
#include "chaos.h"

/*
 * The gateway files allocate with the C library: while a session runs,
 * these count those allocations together with libaddr's (chaos.h), so
 * that one of them can be failed. Every system header the gateway files
 * include is included above, before the macros.
 */
static void *gw_malloc(size_t n)
{
	return fz_chaos_fail() ? NULL : malloc(n);
}

static void *gw_calloc(size_t n, size_t k)
{
	return fz_chaos_fail() ? NULL : calloc(n, k);
}

static void *gw_realloc(void *p, size_t n)
{
	return fz_chaos_fail() ? NULL : realloc(p, n);
}

static char *gw_strdup(const char *z)
{
	return fz_chaos_fail() ? NULL : strdup(z);
}

static char *gw_strndup(const char *z, size_t n)
{
	return fz_chaos_fail() ? NULL : strndup(z, n);
}

#define malloc(n) gw_malloc(n)
#define calloc(n, k) gw_calloc(n, k)
#define realloc(p, n) gw_realloc(p, n)
#define strdup(z) gw_strdup(z)
#define strndup(z, n) gw_strndup(z, n)
#include "../gateway/config.c"
#include "../gateway/session.c"
#include "../gateway/pipeline.c"
#include "../gateway/journal.c"
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef strndup
#include "fuzz.h"

/* the directory of selector bit 0x40 */
static const char dir_ldif[] =
	"version: 1\n"
	"dn: CN=A,DC=x\nobjectClass: user\n"
	"proxyAddresses: SMTP:a@example.com\nproxyAddresses: smtp:aa@example.com\n"
	"legacyExchangeDN: /o=O/ou=S/cn=Recipients/cn=a\n"
	"journal: j@ext.test\n\n"
	"dn: CN=B,DC=x\nobjectClass: user\n"
	"proxyAddresses: X400:C=US;A= ;P=P;O=O;S=B;\n\n"
	"dn: CN=C,DC=x\nobjectClass: contact\n"
	"targetAddress: SMTP:c@ext.test\nproxyAddresses: SMTP:c@example.com\n\n"
	"dn: CN=G,DC=x\nobjectClass: group\nproxyAddresses: SMTP:g@example.com\n"
	"member: CN=A,DC=x\nmember: CN=H,DC=x\nmember: CN=C,DC=x\n\n"
	"dn: CN=H,DC=x\nobjectClass: group\nproxyAddresses: SMTP:h@example.com\n"
	"member: CN=G,DC=x\nmember: CN=B,DC=x\nauthOrig: CN=A,DC=x\n";

static const char conf[] =
	"[server]\nlisten = 127.0.0.1:2525\nhostname = gw.example.com\n"
	"max_message_size = 4096\nmax_recipients = 100\n"
	"[routing]\nlocal_domains = example.com, #exact.example.org\n"
	"relay_from = 127.0.0.0/8\n"
	"[delivery]\npostmaster = postmaster@example.com\n";

static const char conf2[] =
	"[server]\nlisten = 127.0.0.1:2525\nhostname = gw.example.com\n"
	"max_message_size = 1024\nmax_recipients = 100\nmax_command_line = 512\n"
	"bare_newline = normalize\nhop_limit = 3\n"
	"[routing]\nlocal_domains = example.com, #exact.example.org\n"
	"relay_from = 127.0.0.0/8\n"
	"[delivery]\npostmaster = postmaster@example.com\n"
	"[journal]\ninbound = j@ext.test\noutbound = jo@ext.test\n"
	"ndr_to = jn@ext.test\nrecipient_attribute = journal\n";

/* disclaimer - a stand-in for gw_disclaimer_apply: appends the texts
 * after the message, or (every third length) leaves it alone */
static int disclaimer(struct addr_buf *out, const char *msg, size_t len,
		      const char *prepend, const char *append,
		      const char *direction, const char *instance,
		      const char **why)
{
	(void)direction;
	(void)instance;
	*why = NULL;
	if (len % 3 == 0)
		return 0;
	addr_buf_clear(out);
	addr_buf_put(out, msg, len);
	if (prepend)
		addr_buf_puts(out, prepend);
	if (append)
		addr_buf_puts(out, append);
	return 1;
}

static void log_line(void *arg, const char *line)
{
	(void)arg;
	FZ_CHECK(line[0] != '\0', "a log line is not empty");
}

static void transcript(void *arg, char dir, const char *line, size_t len)
{
	(void)arg;
	(void)line;
	(void)len;
	FZ_CHECK(dir == '<' || dir == '>', "transcript direction");
}

static int commit(void *arg, const struct gw_message *mv, size_t nv, char *id,
		  size_t idsize)
{
	size_t i;

	(void)arg;
	if (nv > 0 && mv[0].sender != NULL &&
	    strncmp(mv[0].sender, "fail@", 5) == 0)
		return -1;	/* a queue write error */
	for (i = 0; i < nv; i++) {
		const struct gw_message *m = &mv[i];

		if (m->nrcpt == 0 || m->sender == NULL)
			abort();
		if (m->len < 2 || m->data[m->len - 2] != '\r' ||
		    m->data[m->len - 1] != '\n')
			abort();
	}
	snprintf(id, idsize, "FUZZ");
	return 0;
}

/* check_output - every line of the reply text is "DDD" then CR LF */
static void check_output(struct gw_session *s)
{
	size_t len, i, start = 0;
	const char *out = gw_session_output(s, &len);

	for (i = 0; i < len; i++) {
		if (out[i] != '\n')
			continue;
		if (i - start < 5 || out[i - 1] != '\r' ||
		    out[start] < '2' || out[start] > '5' ||
		    out[start + 1] < '0' || out[start + 1] > '9' ||
		    out[start + 2] < '0' || out[start + 2] > '9')
			abort();
		start = i + 1;
	}
	gw_session_consume(s, start);
}

/* session - one session fed data[1..size) step octets at a time */
static void session(const struct gw_config *use, const struct gw_session_cb *cb,
		    const struct sockaddr *client, const uint8_t *data,
		    size_t size, size_t step)
{
	struct gw_session *s;
	size_t off;

	s = gw_session_new(use, cb, client, 0);
	if (s == NULL)
		return;
	check_output(s);
	for (off = 1; off < size && !gw_session_closing(s); off += step) {
		size_t n = size - off < step ? size - off : step;
		gw_session_feed(s, (const char *)data + off, n);
		(void)gw_session_delay(s);
		check_output(s);
	}
	if (data[0] & 0x80) {
		gw_session_timeout(s);
		check_output(s);
	}
	gw_session_eof(s);
	check_output(s);
	gw_session_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_config cfg, dcfg, cfg2, dcfg2;
	static int ready;
	const struct gw_config *use;
	struct gw_session_cb cb;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *client = (const struct sockaddr *)&sin;
	size_t step;

	if (!ready) {
		struct addr_buf errs;
		addr_buf_init(&errs);
		if (gw_config_parse(&cfg, "fuzz", conf, sizeof(conf) - 1, &errs) != 0)
			abort();
		if (gw_config_parse(&dcfg, "fuzz", conf, sizeof(conf) - 1, &errs) != 0)
			abort();
		addr_buf_free(&errs);
		dcfg.journal_inbound = strdup("ji@ext.test");
		dcfg.journal_ndr_to = strdup("jn@ext.test");
		dcfg.journal_attribute = strdup("journal");
		dcfg.unknown_forward = strdup("smtp:[127.0.0.1]:2526");
		if (addr_dir_new(&dcfg.dir, 0) < 0 ||
		    addr_dir_load_ldif(dcfg.dir, dir_ldif, sizeof(dir_ldif) - 1,
				       NULL, 0, NULL) != 0)
			abort();
		dcfg.has_directory = 1;
		if (gw_config_parse(&cfg2, "fuzz", conf2, sizeof(conf2) - 1, &errs) != 0 ||
		    gw_config_parse(&dcfg2, "fuzz", conf2, sizeof(conf2) - 1, &errs) != 0)
			abort();
		dcfg2.dir = dcfg.dir;
		dcfg2.has_directory = 1;
		dcfg2.rewrite_headers = 1;
		dcfg2.max_expansion = 2;	/* g@example.com has 3 */
		dcfg2.unknown_forward = strdup("smtp:[127.0.0.1]:2526");
		dcfg2.connector = (struct addr_dir_entry *)
		    addr_dir_find(dcfg.dir, "CN=H,DC=x", 9);
		dcfg2.disclaimer_text[0] = strdup("[inbound prepend]\r\n");
		dcfg2.disclaimer_text[1] = strdup("[inbound append]\r\n");
		ready = 1;
	}
	if (size == 0)
		return 0;
	step = 1 + (data[0] & 0x3f);
	memset(&cb, 0, sizeof(cb));
	cb.commit = commit;
	cb.log = log_line;
	cb.transcript = transcript;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	switch (data[0] & 0xc0) {
	case 0x00: use = &cfg; break;
	case 0x40: use = &dcfg; break;
	case 0x80:
		use = &cfg2;
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
		client = (const struct sockaddr *)&sin6;
		break;
	default: use = &dcfg2; break;
	}
	/* the hook is process-wide: only this configuration has texts */
	gw_pipeline_disclaimers(use == &dcfg2 ? disclaimer : NULL);
	fz_chaos_on(0);		/* counts */
	session(use, &cb, client, data, size, step);
	fz_chaos_off();
	if (use == &dcfg2 && fz_chaos_calls > 0) {
		/* again, with one allocation failing */
		fz_chaos_on(1 + (long)(size % (size_t)fz_chaos_calls));
		session(use, &cb, client, data, size, step);
		fz_chaos_off();
	}
	return 0;
}
