/*
 * client.c - the outbound SMTP session, without sockets
 *
 * SYNOPSIS
 *	gw_client_new(), gw_client_free(), gw_client_feed(),
 *	gw_client_output(), gw_client_consume(), gw_client_phase(),
 *	gw_client_fail(), gw_client_result(), gw_client_peer()
 *
 * DESCRIPTION
 *	spec-gateway.md §9. States, in order:
 *
 *	  GREETING -> EHLO (-> HELO when EHLO gets 5xx) -> checks -> MAIL
 *	  -> RCPT x n -> DATA -> DOT -> QUIT
 *
 *	With PIPELINING offered, MAIL, every RCPT and DATA go out in one
 *	write (RFC 2920) and the replies are matched in order; without it,
 *	one command per reply. The checks between EHLO and MAIL fail the
 *	whole transaction permanently: a next hop that greets with our own
 *	name (5.4.6, a loop, Q260247), 8-bit content to a peer without
 *	8BITMIME that cannot be converted to 7 bit (downgrade.c; 5.6.3,
 *	Q243894), a message that needs SMTPUTF8 to a peer without it (5.6.7,
 *	RFC 6531), a message over the peer's SIZE (5.3.4), a line over 1000
 *	octets (5.6.0, never sent, §9). SMTPUTF8 and BODY=8BITMIME are
 *	passed on only when the peer offers them.
 *
 *	Results are per recipient: a RCPT refusal is that recipient's; a
 *	MAIL refusal, a DATA refusal or the final reply apply to every
 *	recipient still open. 452 and 552 to RCPT count as temporary (RFC
 *	5321 §4.5.3.1.10). A malformed reply, an early close or a timeout
 *	fail every open recipient temporarily (gw_client_fail). If a peer
 *	answers 354 although no recipient was accepted (pipelining), the
 *	empty message is ended with "." so nothing is delivered.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "downgrade.h"

enum { S_GREETING, S_EHLO, S_HELO, S_MAIL, S_RCPT, S_DATA, S_DOT,
       S_DOTNONE, S_QUIT };

struct gw_client {
	const struct gw_client_job *job;
	struct gw_client_result *res;
	unsigned char *acc;	/* accepted at RCPT */
	size_t nacc;
	int state;
	int pipelining;
	int mail_failed;
	size_t ri;		/* the RCPT whose reply comes next */
	unsigned ext;
	uint64_t size;
	struct addr_buf out;
	size_t outoff;
	struct addr_buf in;
	char peer[128];
	const char *content;	/* what is sent: the job's, or conv */
	size_t len;
	struct addr_buf conv;	/* the 7-bit form (downgrade.c) */
};

static int
ascii(const char *s)
{
	return !gw_content_8bit(s, strlen(s));
}

/* header_len - octets of the header section (up to the empty line) */
static size_t
header_len(const char *p, size_t n)
{
	size_t i;

	if (n >= 2 && p[0] == '\r' && p[1] == '\n')
		return 0;
	for (i = 0; i + 3 < n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n')
			return i + 2;
	return n;
}

static int
long_line(const char *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++)
		if (p[i] == '\n') {
			if (i + 1 - start > 1000)
				return 1;
			start = i + 1;
		}
	return n - start > 998;
}

struct gw_client *
gw_client_new(const struct gw_client_job *job)
{
	struct gw_client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->job = job;
	c->res = calloc(job->nrcpt ? job->nrcpt : 1, sizeof(*c->res));
	c->acc = calloc(job->nrcpt ? job->nrcpt : 1, 1);
	if (c->res == NULL || c->acc == NULL) {
		gw_client_free(c);
		return NULL;
	}
	addr_buf_init(&c->out);
	addr_buf_init(&c->in);
	addr_buf_init(&c->conv);
	c->content = job->content;
	c->len = job->len;
	return c;
}

void
gw_client_free(struct gw_client *c)
{
	if (c == NULL)
		return;
	free(c->res);
	free(c->acc);
	addr_buf_free(&c->out);
	addr_buf_free(&c->in);
	addr_buf_free(&c->conv);
	free(c);
}

const char *
gw_client_output(const struct gw_client *c, size_t *len)
{
	*len = c->out.size - c->outoff;
	return c->out.ptr ? c->out.ptr + c->outoff : "";
}

void
gw_client_consume(struct gw_client *c, size_t n)
{
	if (n > c->out.size - c->outoff)
		n = c->out.size - c->outoff;
	c->outoff += n;
	if (c->outoff == c->out.size) {
		addr_buf_clear(&c->out);
		c->outoff = 0;
	}
}

int
gw_client_phase(const struct gw_client *c)
{
	switch (c->state) {
	case S_DATA:
		return GW_CP_DATA;
	case S_DOT:
	case S_DOTNONE:
		return c->out.size > c->outoff ? GW_CP_BLOCK : GW_CP_DOT;
	case S_QUIT:
		return GW_CP_DONE;
	default:
		return GW_CP_GREETING;
	}
}

const struct gw_client_result *
gw_client_result(const struct gw_client *c, size_t i)
{
	return &c->res[i];
}

const char *
gw_client_peer(const struct gw_client *c)
{
	return c->peer;
}

/* cmd - one command line: pre, arg, post, CR LF */
static void
cmd(struct gw_client *c, const char *pre, const char *arg, const char *post)
{
	addr_buf_puts(&c->out, pre);
	addr_buf_puts(&c->out, arg);
	addr_buf_puts(&c->out, post);
	addr_buf_puts(&c->out, "\r\n");
}

/* set - give recipient i an outcome (the first one sticks) */
static void
set(struct gw_client *c, size_t i, int status, const char *dsn,
    const char *text)
{
	struct gw_client_result *r = &c->res[i];

	if (r->status != 0)
		return;
	r->status = status;
	snprintf(r->dsn, sizeof(r->dsn), "%s", dsn);
	snprintf(r->text, sizeof(r->text), "%s", text);
}

/* set_all - every open recipient (accepted ones only when acc_only) */
static void
set_all(struct gw_client *c, int acc_only, int status, const char *dsn,
	const char *text)
{
	size_t i;

	for (i = 0; i < c->job->nrcpt; i++)
		if (!acc_only || c->acc[i])
			set(c, i, status, dsn, text);
}

static void
quit(struct gw_client *c)
{
	addr_buf_puts(&c->out, "QUIT\r\n");
	c->state = S_QUIT;
}

/* outcome - status class and enhanced code of a reply */
static int
outcome(const struct gw_reply *r, char *dsn, size_t dsnsize, int temp_552)
{
	int st = r->code / 100;
	const char *t = r->first;
	size_t n = 0;

	if (st == 3 || st < 2 || st > 5)
		st = 4;			/* unexpected here */
	if (temp_552 && (r->code == 452 || r->code == 552))
		st = 4;
	/* "X.Y.Z " at the start of the text, class matching the code */
	if (t[0] == '0' + r->code / 100 && t[1] == '.') {
		n = 2;
		while (n < 6 && isdigit((unsigned char)t[n]))
			n++;
		if (t[n] == '.' && n > 2) {
			size_t m = n + 1;
			while (m < n + 4 && isdigit((unsigned char)t[m]))
				m++;
			n = m > n + 1 && (t[m] == ' ' || t[m] == '\0') ? m : 0;
		} else
			n = 0;
	}
	if (n > 0 && st == r->code / 100)
		snprintf(dsn, dsnsize, "%.*s", (int)n, t);
	else
		snprintf(dsn, dsnsize, "%d.0.0", st);
	return st;
}

/* transaction - after the greeting and EHLO/HELO: check, then send */
static void
transaction(struct gw_client *c)
{
	const struct gw_client_job *j = c->job;
	size_t i, hl = header_len(j->content, j->len);
	int has8 = gw_content_8bit(j->content, j->len);
	int need_utf8 = 0;
	char param[128] = "";

	if (j->smtputf8) {
		need_utf8 = !ascii(j->sender) ||
		    gw_content_8bit(j->content, hl);
		for (i = 0; i < j->nrcpt; i++)
			if (!ascii(j->rcpt[i]))
				need_utf8 = 1;
	}
	if (need_utf8 && !(c->ext & GW_EXT_SMTPUTF8)) {
		set_all(c, 0, 5, "5.6.7", "next hop does not support "
		    "SMTPUTF8, which this message needs");
		quit(c);
		return;
	}
	if (has8 && !(c->ext & GW_EXT_8BITMIME) &&
	    !(need_utf8 && (c->ext & GW_EXT_SMTPUTF8))) {
		/* RFC 6152 §3: convert, or return the message */
		const char *why;
		char text[256];

		if (gw_downgrade(&c->conv, j->content, j->len, &why) != 1) {
			snprintf(text, sizeof(text), "next hop does not "
			    "support 8BITMIME, and the message cannot be "
			    "converted to 7 bit: %s", why);
			set_all(c, 0, 5, "5.6.3", text);
			quit(c);
			return;
		}
		c->content = c->conv.ptr;
		c->len = c->conv.size;
		has8 = 0;
	}
	if ((c->ext & GW_EXT_SIZE) && c->size > 0 && c->len > c->size) {
		set_all(c, 0, 5, "5.3.4", "message exceeds the next hop's "
		    "size limit");
		quit(c);
		return;
	}
	if (long_line(c->content, c->len)) {
		set_all(c, 0, 5, "5.6.0", "message has a line over 1000 "
		    "octets");
		quit(c);
		return;
	}
	if (c->ext & GW_EXT_SIZE)
		snprintf(param, sizeof(param), " SIZE=%zu", c->len);
	if ((c->ext & GW_EXT_8BITMIME) && (has8 || j->body_8bit))
		strcat(param, " BODY=8BITMIME");
	if (j->smtputf8 && (c->ext & GW_EXT_SMTPUTF8))
		strcat(param, " SMTPUTF8");
	addr_buf_puts(&c->out, "MAIL FROM:<");
	cmd(c, j->sender, ">", param);
	c->state = S_MAIL;
	c->pipelining = (c->ext & GW_EXT_PIPELINING) != 0;
	if (c->pipelining) {
		for (i = 0; i < j->nrcpt; i++)
			cmd(c, "RCPT TO:<", j->rcpt[i], ">");
		addr_buf_puts(&c->out, "DATA\r\n");
	}
}

/* content - dot-stuffed message and the end of data */
static void
content(struct gw_client *c)
{
	const char *p = c->content, *e = p + c->len;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(e - p);
		if (*p == '.')
			addr_buf_putc(&c->out, '.');
		addr_buf_put(&c->out, p, n);
		p += n;
	}
	if (c->len > 0 && (c->len < 2 ||
	    memcmp(e - 2, "\r\n", 2) != 0))
		addr_buf_puts(&c->out, "\r\n");
	addr_buf_puts(&c->out, ".\r\n");
}

/* after_rcpts - every RCPT answered */
static void
after_rcpts(struct gw_client *c)
{
	c->state = S_DATA;
	if (!c->pipelining) {
		if (c->nacc == 0 || c->mail_failed) {
			quit(c);
			return;
		}
		addr_buf_puts(&c->out, "DATA\r\n");
	}
}

static void
on_reply(struct gw_client *c, const struct gw_reply *r)
{
	char dsn[16];
	int st;

	switch (c->state) {
	case S_GREETING:
		snprintf(c->peer, sizeof(c->peer), "%.*s",
		    (int)strcspn(r->first, " "), r->first);
		if (r->code != 220) {
			st = outcome(r, dsn, sizeof(dsn), 0);
			/* a refusing greeting: try later (Postfix skips it) */
			set_all(c, 0, 4, st == 5 ? "4.3.2" : dsn, r->text);
			quit(c);
		} else if (!strcasecmp(c->peer, c->job->helo)) {
			set_all(c, 0, 5, "5.4.6", "Routing loop detected: "
			    "the next hop greets with our own name");
			quit(c);
		} else {
			cmd(c, "EHLO ", c->job->helo, "");
			c->state = S_EHLO;
		}
		break;
	case S_EHLO:
	case S_HELO:
		if (r->code / 100 == 2) {
			char name[128];
			snprintf(name, sizeof(name), "%.*s",
			    (int)strcspn(r->first, " "), r->first);
			if (!strcasecmp(name, c->job->helo)) {
				set_all(c, 0, 5, "5.4.6", "Routing loop "
				    "detected: the next hop is this gateway");
				quit(c);
				break;
			}
			if (c->state == S_EHLO) {
				c->ext = r->ext;
				c->size = r->size;
			}
			transaction(c);
		} else if (c->state == S_EHLO && r->code / 100 == 5) {
			cmd(c, "HELO ", c->job->helo, "");
			c->state = S_HELO;
		} else {
			st = outcome(r, dsn, sizeof(dsn), 0);
			set_all(c, 0, 4, st == 5 ? "4.3.2" : dsn, r->text);
			quit(c);
		}
		break;
	case S_MAIL:
		if (r->code / 100 != 2) {
			st = outcome(r, dsn, sizeof(dsn), 0);
			set_all(c, 0, st, dsn, r->text);
			c->mail_failed = 1;
			if (!c->pipelining) {
				quit(c);
				break;
			}
		}
		c->state = S_RCPT;
		c->ri = 0;
		if (c->job->nrcpt == 0)
			after_rcpts(c);
		else if (!c->pipelining)
			cmd(c, "RCPT TO:<", c->job->rcpt[0], ">");
		break;
	case S_RCPT:
		if (r->code / 100 == 2 && !c->mail_failed) {
			c->acc[c->ri] = 1;
			c->nacc++;
		} else if (r->code / 100 != 2) {
			st = outcome(r, dsn, sizeof(dsn), 1);
			set(c, c->ri, st, dsn, r->text);
		}
		c->ri++;
		if (c->ri >= c->job->nrcpt)
			after_rcpts(c);
		else if (!c->pipelining)
			cmd(c, "RCPT TO:<", c->job->rcpt[c->ri], ">");
		break;
	case S_DATA:
		if (r->code == 354 && (c->nacc == 0 || c->mail_failed)) {
			/* pipelined: nobody accepted, yet DATA went on */
			addr_buf_puts(&c->out, ".\r\n");
			c->state = S_DOTNONE;
		} else if (r->code == 354) {
			content(c);
			c->state = S_DOT;
		} else {
			st = outcome(r, dsn, sizeof(dsn), 0);
			set_all(c, 1, st, dsn, r->text);
			quit(c);
		}
		break;
	case S_DOT:
		st = outcome(r, dsn, sizeof(dsn), 0);
		set_all(c, 1, st, dsn, r->text);
		quit(c);
		break;
	case S_DOTNONE:
		quit(c);
		break;
	default:
		break;	/* after QUIT: the 221 or anything else */
	}
}

void
gw_client_feed(struct gw_client *c, const char *buf, size_t len)
{
	struct gw_reply r;
	size_t off = 0;
	long n;

	if (c->state == S_QUIT)
		return;
	if (addr_buf_put(&c->in, buf, len) < 0) {
		gw_client_fail(c, "4.3.0", "out of memory");
		return;
	}
	while (c->state != S_QUIT && off < c->in.size) {
		n = gw_reply_parse(&r, c->in.ptr + off, c->in.size - off);
		if (n == 0)
			break;
		if (n < 0) {
			gw_client_fail(c, "4.5.0", r.text);
			break;
		}
		off += (size_t)n;
		on_reply(c, &r);
		if (c->out.oom) {
			/* never send a truncated command or message */
			gw_client_fail(c, "4.3.0", "out of memory");
			break;
		}
	}
	if (c->state == S_QUIT)
		addr_buf_clear(&c->in);
	else if (off > 0) {
		memmove(c->in.ptr, c->in.ptr + off, c->in.size - off);
		c->in.size -= off;
		c->in.ptr[c->in.size] = '\0';
	}
}

void
gw_client_fail(struct gw_client *c, const char *dsn, const char *text)
{
	set_all(c, 0, 4, dsn, text);
	if (c->state != S_QUIT) {
		c->state = S_QUIT;
		addr_buf_clear(&c->out);	/* the connection is gone */
		c->outoff = 0;
	}
}
