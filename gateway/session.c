/*
 * session.c - the SMTP server session: commands, envelope, DATA
 *
 * SYNOPSIS
 *	gw_session_new(), gw_session_free(), gw_session_feed(),
 *	gw_session_output(), gw_session_consume(), gw_session_delay(),
 *	gw_session_closing(), gw_session_timeout(), gw_session_eof(),
 *	gw_session_committed(), gw_session_committing()
 *
 * DESCRIPTION
 *	A state machine fed with the client's octets; no sockets, so the
 *	same code runs under server.c, the unit tests and a fuzz target.
 *	Three states: command lines, message content after 354, and the
 *	wait for the queue's commit when the host writes it on another
 *	thread (nothing is read then; the reply comes with
 *	gw_session_committed).
 *
 *	Commands (spec-gateway.md §3): EHLO HELO MAIL RCPT DATA RSET NOOP
 *	QUIT VRFY HELP. Paths go to the address layer in envelope mode
 *	(ADDR_P_REVERSE_PATH / ADDR_P_FORWARD_PATH, ADDR_F_UTF8 with
 *	SMTPUTF8) after the ESMTP parameters are split off; a path the
 *	parser rates ERROR is refused, there is no lenient switch.
 *
 *	Content (§3.4) is scanned on raw octets. The end of data is only
 *	CR LF "." CR LF, where the first CR LF is a real one (or the start
 *	of the content): a bare LF or bare CR never starts or ends the dot
 *	line, so "\n.\n", "\r.\r" and "\n.\r\n" are content. With
 *	bare_newline = reject a bare CR, LF or NUL makes the message fail
 *	with 554 after its real end; with normalize a bare LF becomes CR LF
 *	(a bare CR or NUL is still refused). Size and line limits are
 *	judged after the end too, so the client is never left mid-message.
 *
 *	Relay control (§5): a recipient in local_domains is accepted; any
 *	other needs a client outside relay_deny and inside relay_from (or a
 *	relay listener). With nothing configured nobody may relay.
 *
 *	Tarpit: every 4xx/5xx reply counts as an error; above
 *	soft_error_limit each error reply asks the host for 1 s of delay,
 *	at hard_error_limit the session says 421 and closes. A message
 *	accepted for delivery resets the count, as in Postfix.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pipeline.h"
#include "session.h"
#include "version.h"

/* IMCEA limits of spec-imcea-proxy.md §1.3 */
#define MAX_LOCAL	315
#define MAX_LOCAL_X400	1604
#define MAX_DOMAIN	255

enum { ST_CMD, ST_DATA, ST_COMMIT };

struct gw_session {
	const struct gw_config *cfg;
	const struct gw_session_cb *cb;
	char client[INET6_ADDRSTRLEN];
	int relay_ok;			/* may relay (computed once) */
	int state;
	int closing;
	unsigned errors;
	unsigned delay;			/* ms, for the host */
	struct addr_buf out;

	char *in;			/* the current command line */
	size_t inlen;
	int skipping;			/* discarding an over-long line */

	char *helo;
	int esmtp;

	/* transaction */
	int has_mail;
	char *sender;
	const struct addr_dir_entry *sender_entry;	/* resolved (§6.3) */
	int body_8bit;
	int smtputf8;
	struct gw_rcpt *rcpt;
	size_t nrcpt;

	/* content */
	struct addr_buf data;
	size_t hdr_len;			/* our Received: header */
	unsigned long long size;	/* octets after unstuffing */
	int too_big, bare, long_line;
	int pend_cr;			/* last octet was a CR */
	int line_crlf;			/* line began after a real CR LF */
	int line_dot;			/* ... with a "." (removed) */
	int line_other;			/* ... and has more than that */
	size_t line_len;		/* raw octets of the line so far */

	/* ST_COMMIT: the host writes var on another thread; var's
	 * messages borrow data, rcpt and sender until it reports */
	struct gw_variants var;
};

static void
logf_(struct gw_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
logf_(struct gw_session *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (s->cb->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->cb->log(s->cb->arg, line);
}

/* reply - queue one reply line (text without CR LF); count errors */
static void
reply(struct gw_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
reply(struct gw_session *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (s->cb->transcript)
		s->cb->transcript(s->cb->arg, '>', line, (size_t)n);
	addr_buf_put(&s->out, line, (size_t)n);
	addr_buf_put(&s->out, "\r\n", 2);
	if ((line[0] == '4' || line[0] == '5') && line[3] != '-' &&
	    !s->closing) {
		s->errors++;
		if (s->errors > s->cfg->soft_error_limit)
			s->delay += 1000;
		if (s->errors >= s->cfg->hard_error_limit) {
			addr_buf_puts(&s->out, "421 4.7.0 ");
			addr_buf_puts(&s->out, s->cfg->hostname);
			addr_buf_puts(&s->out, " Error: too many errors\r\n");
			logf_(s, "too many errors after %u from [%s]",
			    s->errors, s->client);
			s->closing = 1;
		}
	}
}

static void
txn_reset(struct gw_session *s)
{
	size_t i;

	for (i = 0; i < s->nrcpt; i++) {
		free(s->rcpt[i].addr);
		free(s->rcpt[i].orig);
	}
	free(s->rcpt);
	s->rcpt = NULL;
	s->nrcpt = 0;
	free(s->sender);
	s->sender = NULL;
	s->has_mail = 0;
	s->sender_entry = NULL;
	s->body_8bit = 0;
	s->smtputf8 = 0;
	addr_buf_free(&s->data);
}

/* gw_session_new - a session with the banner in its output */
struct gw_session *
gw_session_new(const struct gw_config *cfg, const struct gw_session_cb *cb,
	       const struct sockaddr *client, int relay_listener)
{
	struct gw_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cfg = cfg;
	s->cb = cb;
	addr_buf_init(&s->out);
	addr_buf_init(&s->data);
	strcpy(s->client, "unknown");
	if (client && client->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)client)->sin_addr, s->client,
		    sizeof(s->client));
	else if (client && client->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)client)->sin6_addr, s->client,
		    sizeof(s->client));
	/* deny is checked first; an empty policy relays for nobody */
	s->relay_ok = !gw_netlist_match(&cfg->relay_deny, client) &&
	    (relay_listener || gw_netlist_match(&cfg->relay_from, client));
	reply(s, "220 %s ESMTP addrgw %s", cfg->hostname, ADDRGW_VERSION);
	if (s->out.oom) {
		gw_session_free(s);
		return NULL;
	}
	return s;
}

void
gw_session_free(struct gw_session *s)
{
	if (s == NULL)
		return;
	if (s->state == ST_COMMIT)
		gw_variants_free(&s->var);
	txn_reset(s);
	addr_buf_free(&s->out);
	free(s->in);
	free(s->helo);
	free(s);
}

const char *
gw_session_output(const struct gw_session *s, size_t *len)
{
	*len = s->out.size;
	return s->out.ptr;
}

void
gw_session_consume(struct gw_session *s, size_t n)
{
	if (n >= s->out.size) {
		addr_buf_clear(&s->out);
		return;
	}
	memmove(s->out.ptr, s->out.ptr + n, s->out.size - n);
	addr_buf_truncate(&s->out, s->out.size - n);
}

unsigned
gw_session_delay(struct gw_session *s)
{
	unsigned d = s->delay;

	s->delay = 0;
	return d;
}

int
gw_session_closing(const struct gw_session *s)
{
	return s->closing;
}

void
gw_session_timeout(struct gw_session *s)
{
	if (s->closing)
		return;
	s->closing = 1;
	reply(s, "421 4.4.2 %s Error: timeout exceeded", s->cfg->hostname);
	logf_(s, "timeout after %s from [%s]",
	    s->state == ST_DATA ? "DATA" : "command", s->client);
}

void
gw_session_eof(struct gw_session *s)
{
	if (s->has_mail && !s->closing)
		logf_(s, "lost connection after %s from [%s]",
		    s->state == ST_DATA ? "DATA" : "MAIL", s->client);
	s->closing = 1;
}

/* ------------------------------------------------------------- paths */

/*
 * split_path - p points after "FROM:"/"TO:". Finds "<...>" (a ">" inside
 * a quoted string or after a backslash does not end it) and returns its
 * length, with *rest at what follows; -1 when there is no path.
 */
static long
split_path(const char *p, const char **start, const char **rest)
{
	const char *q;
	int quoted = 0;

	while (*p == ' ')	/* "MAIL FROM: <x>" is common; tolerate it */
		p++;
	if (*p != '<')
		return -1;
	for (q = p + 1; *q; q++) {
		if (*q == '\\' && q[1] != '\0')
			q++;
		else if (*q == '"')
			quoted = !quoted;
		else if (*q == '>' && !quoted)
			break;
	}
	if (*q != '>')
		return -1;
	*start = p;
	*rest = q + 1;
	if (**rest != '\0' && **rest != ' ')
		return -1;
	return (long)(q + 1 - p);
}

static int
has_8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * parse_path - run the address layer on "<...>"; on success fill *norm
 * (strdup'd canonical form) and the domain facts; else reply. Returns 0
 * or -1 (a reply was sent). is_mail selects the reverse-path codes.
 */
static int
parse_path(struct gw_session *s, const char *path, size_t len, int is_mail,
	   char **norm, int *kind, int *local)
{
	struct addr_mailbox_result r;
	struct addr_buf b;
	const struct addr_mailbox *m;
	const char *x = is_mail ? "7" : "3";
	int rc, ret = -1;

	*local = 0;
	if (has_8bit(path, len) && !s->smtputf8) {
		reply(s, "553 5.6.7 %.*s: SMTPUTF8 is required for a non-ASCII "
		    "address", (int)len, path);
		return -1;
	}
	addr_mailbox_result_init(&r);
	addr_buf_init(&b);
	rc = addr_mailbox_parse(&r, path, len, is_mail ? ADDR_P_REVERSE_PATH :
	    ADDR_P_FORWARD_PATH, s->smtputf8 ? ADDR_F_UTF8 : 0, NULL);
	if (rc == ADDR_ENOMEM) {
		reply(s, "451 4.3.0 Error: out of memory");
		goto out;
	}
	if (rc != 0 || r.naddr != 1) {
		reply(s, "553 5.1.%s %.*s: malformed address", x, (int)len,
		    path);
		goto out;
	}
	m = &r.addr[0];
	*kind = m->kind;
	if (m->kind == ADDR_K_MAILBOX) {
		size_t maxl = MAX_LOCAL;
		if (m->local_part.len >= 10 &&
		    strncasecmp(m->local_part.ptr, "IMCEAX400-", 10) == 0)
			maxl = MAX_LOCAL_X400;
		if (m->local_part.len > maxl || m->domain.len > MAX_DOMAIN) {
			reply(s, "501 5.1.%s Error: address too long", x);
			goto out;
		}
		if (m->domain_kind == ADDR_DK_NAME)
			*local = gw_domain_is_local(s->cfg, m->domain.ptr,
			    m->domain.len) ||
			    (m->a_label.len && gw_domain_is_local(s->cfg,
			    m->a_label.ptr, m->a_label.len)) ||
			    (m->u_label.len && gw_domain_is_local(s->cfg,
			    m->u_label.ptr, m->u_label.len));
	}
	if (m->kind == ADDR_K_POSTMASTER) {
		/* RFC 5321 §4.5.1: <Postmaster> is always ours */
		*local = 1;
		*norm = strdup(s->cfg->postmaster ? s->cfg->postmaster :
		    "postmaster");
	} else {
		if (addr_mailbox_normalize(&b, NULL, m, m->smtputf8 ?
		    ADDR_N_ULABEL : 0) < 0) {
			reply(s, "451 4.3.0 Error: out of memory");
			goto out;
		}
		*norm = strdup(b.ptr);
	}
	if (*norm == NULL) {
		reply(s, "451 4.3.0 Error: out of memory");
		goto out;
	}
	ret = 0;
out:
	addr_mailbox_result_free(&r);
	addr_buf_free(&b);
	return ret;
}

/* --------------------------------------------------------- commands */

static void
cmd_helo(struct gw_session *s, const char *arg, int esmtp)
{
	const struct gw_config *c = s->cfg;
	char *h;

	if (*arg == '\0') {
		reply(s, "501 5.5.4 Syntax: %s hostname", esmtp ? "EHLO" :
		    "HELO");
		return;
	}
	if ((h = strdup(arg)) == NULL) {
		reply(s, "451 4.3.0 Error: out of memory");
		return;
	}
	free(s->helo);
	s->helo = h;
	s->esmtp = esmtp;
	txn_reset(s);
	if (!esmtp) {
		reply(s, "250 %s", c->hostname);
		return;
	}
	/* exactly the v1 keywords (§3.2): never advertise what is not here */
	reply(s, "250-%s", c->hostname);
	reply(s, "250-PIPELINING");
	reply(s, "250-SIZE %llu", (unsigned long long)c->max_message_size);
	reply(s, "250-8BITMIME");
	reply(s, "250-ENHANCEDSTATUSCODES");
	reply(s, "250 SMTPUTF8");
}

static void
cmd_mail(struct gw_session *s, const char *arg)
{
	const char *path, *rest;
	long plen;
	char *norm = NULL;
	int kind, local, body = 0, size_seen = 0;
	unsigned long long size = 0;

	if (s->helo == NULL) {
		reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->has_mail) {
		reply(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (strncasecmp(arg, "FROM:", 5) != 0 ||
	    (plen = split_path(arg + 5, &path, &rest)) < 0) {
		reply(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	if (!s->cfg->accept) {
		reply(s, "450 4.3.2 Not accepting mail now");
		return;
	}
	/* the ESMTP parameters first: SMTPUTF8 decides how to parse the path */
	s->smtputf8 = 0;
	while (*rest) {
		char kw[32];
		const char *val;
		size_t kl;

		while (*rest == ' ')
			rest++;
		if (*rest == '\0')
			break;
		kl = strcspn(rest, " =");
		if (!s->esmtp) {
			reply(s, "555 5.5.4 Error: parameters need EHLO");
			return;
		}
		if (kl >= sizeof(kw)) {
			reply(s, "555 5.5.4 Unsupported option");
			return;
		}
		memcpy(kw, rest, kl);
		kw[kl] = '\0';
		val = rest[kl] == '=' ? rest + kl + 1 : NULL;
		rest += kl;
		if (val)
			rest = val + strcspn(val, " ");
		if (!strcasecmp(kw, "SIZE") && val && !size_seen) {
			const char *q = val;
			size_seen = 1;
			if (!isdigit((unsigned char)*q)) {
				reply(s, "501 5.5.4 Bad SIZE parameter");
				return;
			}
			for (; q < rest; q++) {
				if (!isdigit((unsigned char)*q)) {
					reply(s, "501 5.5.4 Bad SIZE parameter");
					return;
				}
				if (size > (~0ULL - 9) / 10) {
					size = ~0ULL;
					continue;
				}
				size = size * 10 + (unsigned)(*q - '0');
			}
			if (size > s->cfg->max_message_size) {
				reply(s, "552 5.3.4 Message size exceeds fixed "
				    "limit");
				return;
			}
		} else if (!strcasecmp(kw, "BODY") && val && !body) {
			size_t vl = (size_t)(rest - val);
			if (vl == 4 && !strncasecmp(val, "7BIT", 4))
				body = 1;
			else if (vl == 8 && !strncasecmp(val, "8BITMIME", 8))
				body = 2;
			else {
				reply(s, "501 5.5.4 Bad BODY parameter");
				return;
			}
		} else if (!strcasecmp(kw, "SMTPUTF8") && !val && !s->smtputf8) {
			s->smtputf8 = 1;
		} else {
			reply(s, "555 5.5.4 Unsupported option: %s", kw);
			return;
		}
	}
	if (parse_path(s, path, (size_t)plen, 1, &norm, &kind, &local) < 0) {
		s->smtputf8 = 0;
		return;
	}
	s->sender = norm;
	s->has_mail = 1;
	s->body_8bit = body == 2;
	s->sender_entry = NULL;
	if (s->cfg->dir != NULL && *norm != '\0') {
		struct addr_rw rw;

		/* the object the restrictions judge, IMCEA decoded (§6.1) */
		gw_rw_init(&rw, s->cfg);
		if (addr_rw_sender(&rw, norm, strlen(norm),
		    &s->sender_entry) < 0)
			s->sender_entry = NULL;
	}
	reply(s, "250 2.1.0 Ok");
}

static void
cmd_rcpt(struct gw_session *s, const char *arg)
{
	const char *path, *rest;
	long plen;
	char *norm = NULL, *orig;
	struct gw_rcpt *nv;
	struct addr_rw_rcpt v;
	struct addr_rw rw;
	int kind, local, forward = 0;

	if (!s->has_mail) {
		reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (strncasecmp(arg, "TO:", 3) != 0 ||
	    (plen = split_path(arg + 3, &path, &rest)) < 0) {
		reply(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	while (*rest == ' ')
		rest++;
	if (*rest != '\0') {	/* DSN's NOTIFY/ORCPT come later */
		reply(s, "555 5.5.4 Unsupported option: %.*s",
		    (int)strcspn(rest, " ="), rest);
		return;
	}
	if (s->nrcpt >= s->cfg->max_recipients) {
		reply(s, "452 4.5.3 Too many recipients");
		return;
	}
	if (parse_path(s, path, (size_t)plen, 0, &norm, &kind, &local) < 0)
		return;
	memset(&v, 0, sizeof(v));
	gw_rw_init(&rw, s->cfg);
	if (addr_rw_recipient(&v, &rw, norm, strlen(norm), s->sender_entry) < 0) {
		free(norm);
		reply(s, "451 4.3.0 Error: out of memory");
		return;
	}
	if (v.status == ADDR_RW_UNKNOWN && s->cfg->unknown_forward) {
		forward = 1;	/* §6.6: accepted, sent on unchanged */
	} else if (v.status == ADDR_RW_UNKNOWN ||
	    v.status == ADDR_RW_REFUSED || v.status == ADDR_RW_RESTRICTED) {
		reply(s, "%s", v.reply);
		logf_(s, "NOQUEUE: reject: RCPT from [%s]: %s; from=<%s> "
		    "to=<%s> proto=%s helo=<%s>", s->client, v.reply,
		    s->sender, norm, s->esmtp ? "ESMTP" : "SMTP", s->helo);
		free(norm);
		return;
	}
	if (v.status == ADDR_RW_REMOTE && local) {
		/* parse_path also knows the IDNA forms of the domain */
		v.status = ADDR_RW_LOCAL;
	}
	if (v.status == ADDR_RW_REMOTE && !s->relay_ok) {
		reply(s, "550 5.7.1 <%s>: Relaying prohibited", norm);
		logf_(s, "NOQUEUE: reject: RCPT from [%s]: 550 5.7.1 <%s>: "
		    "Relaying prohibited; from=<%s> to=<%s> proto=%s helo=<%s>",
		    s->client, norm, s->sender, norm,
		    s->esmtp ? "ESMTP" : "SMTP", s->helo);
		free(norm);
		return;
	}
	if (v.status == ADDR_RW_REMOTE && s->cfg->connector != NULL &&
	    (s->sender_entry == NULL || !addr_dir_may_send(s->cfg->dir,
	    s->cfg->connector, s->sender_entry))) {
		/* §6.8: the connector's delivery restrictions, outbound */
		reply(s, "550 5.7.1 <%s>: Sender not permitted", norm);
		logf_(s, "NOQUEUE: reject: RCPT from [%s]: 550 5.7.1 <%s>: "
		    "Sender not permitted (connector restriction); from=<%s> "
		    "to=<%s>", s->client, norm, s->sender, norm);
		free(norm);
		return;
	}
	orig = strndup(path + 1, (size_t)plen - 2);
	nv = realloc(s->rcpt, (s->nrcpt + 1) * sizeof(*nv));
	if (orig == NULL || nv == NULL) {
		free(orig);
		free(norm);
		if (nv)
			s->rcpt = nv;
		reply(s, "451 4.3.0 Error: out of memory");
		return;
	}
	s->rcpt = nv;
	memset(&s->rcpt[s->nrcpt], 0, sizeof(s->rcpt[0]));
	s->rcpt[s->nrcpt].addr = norm;
	s->rcpt[s->nrcpt].orig = orig;
	s->rcpt[s->nrcpt].entry = v.status == ADDR_RW_LOCAL ? v.entry : NULL;
	s->rcpt[s->nrcpt].forward = forward;
	s->nrcpt++;
	reply(s, "250 2.1.5 Ok");
}

/* start_data - 354, and our Received: header first in the content */
static void
cmd_data(struct gw_session *s)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (!s->has_mail) {
		reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->nrcpt == 0) {
		reply(s, "554 5.5.1 Error: no valid recipients");
		return;
	}
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	addr_buf_clear(&s->data);
	addr_buf_puts(&s->data, "Received: from ");
	addr_buf_puts(&s->data, s->helo);
	addr_buf_puts(&s->data, " ([");
	addr_buf_puts(&s->data, s->client);
	addr_buf_puts(&s->data, "])\r\n\tby ");
	addr_buf_puts(&s->data, s->cfg->hostname);
	addr_buf_puts(&s->data, " (addrgw " ADDRGW_VERSION ") with ");
	addr_buf_puts(&s->data, s->smtputf8 ? "UTF8SMTP" :
	    s->esmtp ? "ESMTP" : "SMTP");
	addr_buf_puts(&s->data, ";\r\n\t");
	addr_buf_puts(&s->data, date);
	addr_buf_puts(&s->data, "\r\n");
	if (s->data.oom) {
		reply(s, "451 4.3.0 Error: out of memory");
		return;
	}
	s->hdr_len = s->data.size;
	s->size = 0;
	s->too_big = s->bare = s->long_line = 0;
	s->pend_cr = 0;
	s->line_crlf = 1;
	s->line_dot = s->line_other = 0;
	s->line_len = 0;
	s->state = ST_DATA;
	reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

static void
do_command(struct gw_session *s, char *line, size_t len)
{
	char *arg;
	size_t vl;

	if (s->cb->transcript)
		s->cb->transcript(s->cb->arg, '<', line, len);
	if (memchr(line, '\0', len) != NULL || len == 0) {
		reply(s, "500 5.5.2 Error: bad syntax");
		return;
	}
	vl = strcspn(line, " ");
	arg = line + vl;
	while (*arg == ' ')
		arg++;
#define IS(v) (vl == sizeof(v) - 1 && strncasecmp(line, v, vl) == 0)
	if (IS("EHLO"))
		cmd_helo(s, arg, 1);
	else if (IS("HELO"))
		cmd_helo(s, arg, 0);
	else if (IS("MAIL"))
		cmd_mail(s, arg);
	else if (IS("RCPT"))
		cmd_rcpt(s, arg);
	else if (IS("DATA")) {
		if (*arg)
			reply(s, "501 5.5.4 Syntax: DATA");
		else
			cmd_data(s);
	} else if (IS("RSET")) {
		if (*arg)
			reply(s, "501 5.5.4 Syntax: RSET");
		else {
			txn_reset(s);
			reply(s, "250 2.0.0 Ok");
		}
	} else if (IS("NOOP"))
		reply(s, "250 2.0.0 Ok");
	else if (IS("QUIT")) {
		reply(s, "221 2.0.0 Bye");
		s->closing = 1;
	} else if (IS("VRFY")) {
		if (*arg == '\0')
			reply(s, "501 5.5.4 Syntax: VRFY address");
		else	/* §3.1: no lookup, so no address harvesting */
			reply(s, "252 2.0.0 Send some mail, I'll try my best");
	} else if (IS("HELP"))
		reply(s, "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET "
		    "NOOP QUIT VRFY HELP");
	else
		reply(s, "500 5.5.1 Command not recognized");
#undef IS
}

/* ---------------------------------------------------------- content */

static void
emit(struct gw_session *s, const char *p, size_t n)
{
	s->size += n;
	if (s->too_big)
		return;
	if (s->size > s->cfg->max_message_size) {
		/* keep reading to the end, but stop holding the content */
		s->too_big = 1;
		addr_buf_free(&s->data);
		return;
	}
	addr_buf_put(&s->data, p, n);
}

static void
new_line(struct gw_session *s, int after_crlf)
{
	if (s->cfg->max_text_line && s->line_len > s->cfg->max_text_line)
		s->long_line = 1;
	s->line_crlf = after_crlf;
	s->line_dot = s->line_other = 0;
	s->line_len = 0;
}

/* hops - Received: headers in the client's header section */
static unsigned
hops(const struct gw_session *s)
{
	const char *p = s->data.ptr + s->hdr_len, *end = s->data.ptr +
	    s->data.size;
	unsigned n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (l <= 2 && (*p == '\r' || *p == '\n'))
			break;		/* the empty line ends the headers */
		if (l >= 9 && strncasecmp(p, "Received:", 9) == 0)
			n++;
		p += l;
	}
	return n;
}

static void
end_of_data(struct gw_session *s)
{
	struct gw_message m;
	struct gw_variants var;
	char id[GW_QID_SIZE], why_buf[256];
	const char *why = NULL;
	int rc;

	s->state = ST_CMD;
	if (s->too_big)
		why = "552 5.3.4 Message too big";
	else if (s->bare)
		why = "554 5.6.0 Message contains bare CR, LF or NUL";
	else if (s->long_line)
		why = "554 5.6.0 Line too long";
	else if (s->data.oom)
		why = "451 4.3.0 Error: out of memory";
	else if (hops(s) > s->cfg->hop_limit)
		why = "554 5.4.6 Too many hops";
	if (why) {
		reply(s, "%s", why);
		logf_(s, "NOQUEUE: reject: DATA from [%s]: %s; from=<%s> "
		    "size=%llu", s->client, why, s->sender, s->size);
		txn_reset(s);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.sender = s->sender;
	m.rcpt = s->rcpt;
	m.nrcpt = s->nrcpt;
	m.data = s->data.ptr;
	m.len = s->data.size;
	m.body_8bit = s->body_8bit;
	m.smtputf8 = s->smtputf8;
	m.helo = s->helo;
	m.client = s->client;
	id[0] = '\0';
	/* rewriting and expansion (§4), then the reply waits for the
	 * durable write of every variant (§8.1) */
	if (gw_pipeline(&var, s->cfg, &m, s->sender_entry, time(NULL),
	    why_buf, sizeof(why_buf)) < 0) {
		reply(s, "%s", why_buf);
		logf_(s, "NOQUEUE: reject: DATA from [%s]: %s; from=<%s>",
		    s->client, why_buf, s->sender);
		gw_variants_free(&var);
		txn_reset(s);
		return;
	}
	rc = s->cb->commit == NULL || var.n == 0 ? -1 :
	    s->cb->commit(s->cb->arg, var.msg, var.n, id, sizeof(id));
	/* pending: the reply waits for gw_session_committed, and nothing
	 * more is read until then */
	s->state = ST_COMMIT;
	s->var = var;
	if (rc != GW_COMMIT_PENDING)
		gw_session_committed(s, rc, id);
}

void
gw_session_committed(struct gw_session *s, int rc, const char *id)
{
	if (s->state != ST_COMMIT)
		return;
	s->state = ST_CMD;
	if (rc < 0)
		reply(s, "451 4.3.0 Queue file write error");
	else {
		s->errors = 0;
		reply(s, "250 2.0.0 Ok: queued as %s", id);
	}
	gw_variants_free(&s->var);
	txn_reset(s);
}

int
gw_session_committing(const struct gw_session *s)
{
	return s->state == ST_COMMIT;
}

/*
 * data_scan - consume content octets; returns how many were used (up to
 * and including the end-of-data LF when it was found).
 */
static size_t
data_scan(struct gw_session *s, const char *buf, size_t len)
{
	int normalize = s->cfg->bare_newline == GW_BARE_NORMALIZE;
	size_t i = 0;

	while (i < len) {
		char c = buf[i];

		if (s->pend_cr) {
			s->pend_cr = 0;
			s->line_len++;
			if (c == '\n') {
				s->line_len++;
				i++;
				if (s->line_crlf && s->line_dot &&
				    !s->line_other) {
					end_of_data(s);
					return i;
				}
				if (s->line_dot && !s->line_other && !s->line_crlf)
					emit(s, ".", 1);
				emit(s, "\r\n", 2);
				new_line(s, 1);
				continue;
			}
			/* a bare CR: never a line end, never part of one */
			s->bare = 1;
			s->line_other = 1;
			emit(s, "\r", 1);
		}
		if (c == '\r') {
			s->pend_cr = 1;
			i++;
			continue;
		}
		if (c == '\n') {
			/* a bare LF: content, and what follows is not a line
			 * that can end the data */
			s->line_len++;
			i++;
			if (normalize) {
				if (s->line_dot && !s->line_other && !s->line_crlf)
					emit(s, ".", 1);
				emit(s, "\r\n", 2);
				new_line(s, 0);
			} else {
				s->bare = 1;
				s->line_other = 1;
				emit(s, "\n", 1);
			}
			continue;
		}
		if (s->line_len == 0 && c == '.') {
			s->line_len++;
			i++;
			if (s->line_crlf)	/* dot-stuffing: remove it */
				s->line_dot = 1;
			else
				emit(s, ".", 1);
			continue;
		}
		{
			/* a run of ordinary octets up to the next CR or LF */
			size_t j = i;
			while (j < len && buf[j] != '\r' && buf[j] != '\n')
				j++;
			if (memchr(buf + i, '\0', j - i) != NULL)
				s->bare = 1;
			s->line_other = 1;
			s->line_len += j - i;
			emit(s, buf + i, j - i);
			i = j;
		}
	}
	return i;
}

/* gw_session_feed - process client octets */
size_t
gw_session_feed(struct gw_session *s, const char *buf, size_t len)
{
	size_t max = s->cfg->max_command_line, given = len;

	while (len > 0 && !s->closing && s->state != ST_COMMIT) {
		const char *nl;
		size_t l;

		if (s->state == ST_DATA) {
			size_t n = data_scan(s, buf, len);
			buf += n;
			len -= n;
			continue;
		}
		nl = memchr(buf, '\n', len);
		l = nl ? (size_t)(nl - buf) + 1 : len;
		if (s->skipping || s->inlen + l > max) {
			/* over-long: drop it, answer when its end arrives */
			s->skipping = 1;
			s->inlen = 0;
			buf += l;
			len -= l;
			if (nl) {
				s->skipping = 0;
				reply(s, "500 5.5.2 Error: line too long");
			}
			continue;
		}
		if (s->in == NULL && (s->in = malloc(max + 1)) == NULL) {
			reply(s, "421 4.3.0 Error: out of memory");
			s->closing = 1;
			return given;
		}
		memcpy(s->in + s->inlen, buf, l);
		s->inlen += l;
		buf += l;
		len -= l;
		if (nl == NULL)
			break;
		/* strip LF and the CR before it (a LF alone is tolerated in
		 * commands; only content needs the strict rule) */
		s->inlen--;
		if (s->inlen > 0 && s->in[s->inlen - 1] == '\r')
			s->inlen--;
		s->in[s->inlen] = '\0';
		l = s->inlen;
		s->inlen = 0;
		/*
		 * Content sent before the 354 (or any command before a
		 * reply, from a client that was not offered PIPELINING) is a
		 * protocol synchronization error (§3.1, smtpsmug's test).
		 */
		if (len > 0 && (!s->esmtp || (l >= 4 &&
		    strncasecmp(s->in, "DATA", 4) == 0 &&
		    (l == 4 || s->in[4] == ' ')))) {
			if (s->cb->transcript)
				s->cb->transcript(s->cb->arg, '<', s->in, l);
			txn_reset(s);
			reply(s, "554 5.5.0 Error: protocol synchronization "
			    "error");
			logf_(s, "improper command pipelining after %.4s from "
			    "[%s]", s->in, s->client);
			s->closing = 1;
			break;
		}
		do_command(s, s->in, l);
	}
	/* a long-idle session keeps no line buffer */
	if (s->inlen == 0 && s->state == ST_CMD) {
		free(s->in);
		s->in = NULL;
	}
	return s->closing ? given : given - len;
}
