/*
 * bounce.c - delivery status notifications back into the queue
 *
 * SYNOPSIS
 *	gw_bounce_build(), gw_bounce()
 *
 * DESCRIPTION
 *	spec-gateway.md §10. A report is a new message from the null
 *	sender <> (RFC 5321 §4.5.5) with From: the postmaster, committed
 *	through gw_queue_commit (temp, fsync, rename, fsync dir), so it is
 *	as durable as any message; its envelope says "kind ndr", so the
 *	failure of a report is logged and never reported again.
 *
 *	The recipient's last error text is "DSN reply-or-reason"
 *	(schedule.c writes it); a reply that starts with an SMTP code
 *	becomes "Diagnostic-Code: smtp; ...", anything else
 *	"Diagnostic-Code: X-Addrgw; ...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "client.h"
#include "downgrade.h"
#include "log.h"

static void
rfcdate(char *buf, size_t size, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S %z", &tm);
}

/* addr_type - RFC 3464 rfc822, or RFC 6533 utf-8 for non-ASCII */
static const char *
addr_type(const char *a)
{
	return gw_content_8bit(a, strlen(a)) ? "utf-8" : "rfc822";
}

/* put_text - a single-line field value: control characters become ' ' */
static void
put_text(struct addr_buf *b, const char *s)
{
	for (; *s; s++)
		addr_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ?
		    ' ' : *s);
}

int
gw_bounce_build(struct addr_buf *b, const struct gw_config *cfg,
		const struct gw_qmsg *m, const size_t *idx, size_t n,
		int delayed, const char *content, size_t len, const char *to,
		time_t now)
{
	char date[64], arrival[64], bnd[96];
	size_t i, hl;

	rfcdate(date, sizeof(date), now);
	rfcdate(arrival, sizeof(arrival), m->ctime);
	snprintf(bnd, sizeof(bnd), "=_addrgw_%s_%lld", m->id, (long long)now);
	addr_buf_clear(b);
	addr_buf_puts(b, "From: Mail Delivery System <");
	addr_buf_puts(b, cfg->postmaster);
	addr_buf_puts(b, ">\r\nTo: <");
	addr_buf_puts(b, to);
	addr_buf_puts(b, ">\r\nSubject: ");
	addr_buf_puts(b, delayed ? "Delayed Mail (still being retried)" :
	    "Undelivered Mail Returned to Sender");
	addr_buf_puts(b, "\r\nDate: ");
	addr_buf_puts(b, date);
	addr_buf_puts(b, "\r\nMessage-ID: <");
	addr_buf_puts(b, m->id);
	addr_buf_puts(b, delayed ? ".delay." : ".ndr.");
	{
		char t[32];
		snprintf(t, sizeof(t), "%lld@", (long long)now);
		addr_buf_puts(b, t);
	}
	addr_buf_puts(b, cfg->hostname);
	addr_buf_puts(b, ">\r\nAuto-Submitted: auto-replied\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
	    "\tboundary=\"");
	addr_buf_puts(b, bnd);
	addr_buf_puts(b, "\"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n--");
	addr_buf_puts(b, bnd);
	addr_buf_puts(b, "\r\nContent-Description: Notification\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "This is the mail gateway at ");
	addr_buf_puts(b, cfg->hostname);
	addr_buf_puts(b, ".\r\n\r\n");
	addr_buf_puts(b, delayed ?
	    "Your message could not be delivered yet to the recipients\r\n"
	    "below. It is still in the queue and delivery will be retried;\r\n"
	    "you do not need to send it again.\r\n\r\n" :
	    "Your message could not be delivered to the recipients below.\r\n"
	    "It has been given up on; the reason is given for each.\r\n\r\n");
	for (i = 0; i < n; i++) {
		const struct gw_qrcpt *r = &m->rcpt[idx[i]];
		addr_buf_puts(b, "<");
		addr_buf_puts(b, r->addr);
		addr_buf_puts(b, ">: ");
		put_text(b, r->last ? r->last : "unknown error");
		addr_buf_puts(b, "\r\n");
	}
	addr_buf_puts(b, "\r\n--");
	addr_buf_puts(b, bnd);
	addr_buf_puts(b, "\r\nContent-Description: Delivery report\r\n"
	    "Content-Type: message/delivery-status\r\n\r\n"
	    "Reporting-MTA: dns; ");
	addr_buf_puts(b, cfg->hostname);
	addr_buf_puts(b, "\r\nX-Addrgw-Queue-ID: ");
	addr_buf_puts(b, m->id);
	addr_buf_puts(b, "\r\nArrival-Date: ");
	addr_buf_puts(b, arrival);
	addr_buf_puts(b, "\r\n");
	for (i = 0; i < n; i++) {
		const struct gw_qrcpt *r = &m->rcpt[idx[i]];
		const char *last = r->last ? r->last : "";
		size_t dl = strcspn(last, " ");
		const char *diag = last[dl] ? last + dl + 1 : "";
		int smtp = diag[0] >= '2' && diag[0] <= '5' &&
		    diag[1] >= '0' && diag[1] <= '9' &&
		    diag[2] >= '0' && diag[2] <= '9' &&
		    (diag[3] == ' ' || diag[3] == '\0');

		addr_buf_puts(b, "\r\nOriginal-Recipient: ");
		addr_buf_puts(b, addr_type(r->orig));
		addr_buf_puts(b, "; ");
		addr_buf_puts(b, r->orig);
		addr_buf_puts(b, "\r\nFinal-Recipient: ");
		addr_buf_puts(b, addr_type(r->addr));
		addr_buf_puts(b, "; ");
		addr_buf_puts(b, r->addr);
		addr_buf_puts(b, delayed ? "\r\nAction: delayed\r\nStatus: " :
		    "\r\nAction: failed\r\nStatus: ");
		if (dl > 0 && dl < 12 && last[0] >= '2' && last[0] <= '5')
			addr_buf_put(b, last, dl);
		else
			addr_buf_puts(b, delayed ? "4.0.0" : "5.0.0");
		if (diag[0]) {
			addr_buf_puts(b, smtp ? "\r\nDiagnostic-Code: smtp; " :
			    "\r\nDiagnostic-Code: X-Addrgw; ");
			put_text(b, diag);
		}
		addr_buf_puts(b, "\r\nLast-Attempt-Date: ");
		addr_buf_puts(b, date);
		addr_buf_puts(b, "\r\n");
	}
	addr_buf_puts(b, "\r\n--");
	addr_buf_puts(b, bnd);
	addr_buf_puts(b, "\r\nContent-Description: Undelivered Message Headers\r\n"
	    "Content-Type: text/rfc822-headers\r\n\r\n");
	/* the header section, up to (not including) the empty line */
	for (hl = 0; hl < len; hl++)
		if (content[hl] == '\n' && hl + 2 < len &&
		    content[hl + 1] == '\r' && content[hl + 2] == '\n')
			break;
	if (len >= 2 && content[0] == '\r' && content[1] == '\n')
		hl = 0;
	else if (hl < len)
		hl++;
	addr_buf_put(b, content, hl);
	if (hl > 0 && content[hl - 1] != '\n')
		addr_buf_puts(b, "\r\n");
	addr_buf_puts(b, "\r\n--");
	addr_buf_puts(b, bnd);
	addr_buf_puts(b, "--\r\n");
	return b->oom ? -1 : 0;
}

int
gw_bounce(struct gw_queue *q, const struct gw_config *cfg,
	  const struct gw_qmsg *m, const size_t *idx, size_t n, int delayed,
	  time_t now)
{
	struct addr_buf content, report;
	struct gw_rcpt to[2];
	struct gw_message nm;
	char id[GW_QID_SIZE];
	size_t nto = 0, i;
	int rc = -1;
	const char *what = delayed ? "delay notification" :
	    "non-delivery notification";

	if (n == 0)
		return 0;
	memset(to, 0, sizeof(to));	/* no fail, no entry, no forward */
	if (m->ndr) {
		for (i = 0; i < n; i++)
			log_info("%s: report undeliverable to <%s>, dropped "
			    "(never a report about a report)", m->id,
			    m->rcpt[idx[i]].addr);
		return 0;
	}
	if (m->sender[0] == '\0')
		log_info("%s: sender <>: no %s (never bounce a bounce)",
		    m->id, what);
	else if (cfg->ndr_suppress)
		log_info("%s: %s suppressed (ndr_policy = suppress)", m->id,
		    what);
	else {
		to[nto].addr = to[nto].orig = m->sender;
		nto++;
	}
	if (cfg->ndr_copy_postmaster && cfg->postmaster && !delayed) {
		to[nto].addr = to[nto].orig = cfg->postmaster;
		nto++;
	}
	if (nto == 0)
		return 0;
	addr_buf_init(&content);
	addr_buf_init(&report);
	if (gw_queue_content(q, m, &content) < 0) {
		log_warn("%s: cannot read the content for the %s", m->id, what);
		goto out;
	}
	if (gw_bounce_build(&report, cfg, m, idx, n, delayed, content.ptr,
	    content.size, to[0].addr, now) < 0) {
		log_warnx("%s: out of memory building the %s", m->id, what);
		goto out;
	}
	memset(&nm, 0, sizeof(nm));
	nm.sender = "";
	nm.rcpt = to;
	nm.nrcpt = nto;
	nm.data = report.ptr;
	nm.len = report.size;
	nm.body_8bit = gw_content_8bit(report.ptr, report.size);
	nm.smtputf8 = m->smtputf8;
	nm.helo = cfg->hostname;
	nm.client = "127.0.0.1";
	nm.ndr = 1;
	if (gw_queue_commit(q, &nm, now, id, sizeof(id)) < 0) {
		log_warnx("%s: cannot queue the %s", m->id, what);
		goto out;
	}
	log_info("%s: sender %s: %s", m->id, what, id);
	log_info("%s: from=<>, size=%zu, nrcpt=%zu (queue active)", id,
	    report.size, nto);
	rc = 0;
out:
	addr_buf_free(&content);
	addr_buf_free(&report);
	return rc;
}
