/*
 * journal.c - journal reports (spec-gateway.md §11)
 *
 * SYNOPSIS
 *	gw_journal_report()
 *
 * DESCRIPTION
 *	A journal report is a new message to the journal address: who sent
 *	the message and who received it after expansion (Bcc recipients
 *	exist only in the envelope, so the envelope is the record), plus
 *	the message as it arrived, before any disclaimer. Nothing is added
 *	to the message the recipients get. Pure: the caller queues it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "journal.h"

/* message_id - the Message-ID field body of data's header, or "" */
static void
message_id(const char *data, size_t len, const char **v, size_t *vl)
{
	size_t pos = 0;

	*v = "";
	*vl = 0;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) + 1 : len;

		if (end - pos <= 2)
			return;		/* the end of the header */
		if (end - pos > 11 && strncasecmp(data + pos, "Message-ID:",
		    11) == 0) {
			size_t b = pos + 11, e = end;

			while (b < e && (data[b] == ' ' || data[b] == '\t'))
				b++;
			while (e > b && (data[e - 1] == '\r' ||
			    data[e - 1] == '\n' || data[e - 1] == ' '))
				e--;
			*v = data + b;
			*vl = e - b;
			return;
		}
		pos = end;
	}
}

/* put_line - a value for the text part: control characters dropped */
static void
put_line(struct addr_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			addr_buf_putc(b, s[i]);
}

int
gw_journal_report(struct addr_buf *out, const struct gw_config *cfg,
		  const struct gw_message *m,
		  const struct gw_journal_rcpt *r, size_t n,
		  const char *direction, const char *to, time_t now)
{
	char date[64], bnd[96], mid[160];
	const char *id;
	size_t idl, i;
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	snprintf(bnd, sizeof(bnd), "=_addrgw_journal_%lld_%zu", (long long)now,
	    m->len);
	snprintf(mid, sizeof(mid), "<journal.%lld.%zu@%s>", (long long)now,
	    m->len, cfg->hostname);
	message_id(m->data, m->len, &id, &idl);
	addr_buf_clear(out);
	addr_buf_puts(out, "From: Journal <");
	addr_buf_puts(out, cfg->journal_ndr_to ? cfg->journal_ndr_to :
	    cfg->postmaster);
	addr_buf_puts(out, ">\r\nTo: <");
	addr_buf_puts(out, to);
	addr_buf_puts(out, ">\r\nSubject: Journal report (");
	addr_buf_puts(out, direction);
	addr_buf_puts(out, ")\r\nDate: ");
	addr_buf_puts(out, date);
	addr_buf_puts(out, "\r\nMessage-ID: ");
	addr_buf_puts(out, mid);
	addr_buf_puts(out, "\r\nAuto-Submitted: auto-generated\r\n"
	    "X-Addrgw-Journal: ");
	addr_buf_puts(out, direction);
	addr_buf_puts(out, "; ");
	addr_buf_puts(out, cfg->hostname);
	addr_buf_puts(out, "\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"");
	addr_buf_puts(out, bnd);
	addr_buf_puts(out, "\"\r\n\r\n--");
	addr_buf_puts(out, bnd);
	addr_buf_puts(out, "\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "\r\nSender: <");
	put_line(out, m->sender, strlen(m->sender));
	addr_buf_puts(out, ">\r\nMessage-ID: ");
	put_line(out, id, idl);
	addr_buf_puts(out, "\r\nDirection: ");
	addr_buf_puts(out, direction);
	addr_buf_puts(out, "\r\n");
	for (i = 0; i < n; i++) {
		addr_buf_puts(out, "Recipient: <");
		put_line(out, r[i].addr, strlen(r[i].addr));
		addr_buf_puts(out, r[i].outbound ? ">, outbound\r\n" :
		    ">, inbound\r\n");
	}
	addr_buf_puts(out, "\r\n--");
	addr_buf_puts(out, bnd);
	addr_buf_puts(out, "\r\nContent-Type: message/rfc822\r\n\r\n");
	addr_buf_put(out, m->data, m->len);
	if (m->len < 2 || m->data[m->len - 1] != '\n')
		addr_buf_puts(out, "\r\n");
	addr_buf_puts(out, "--");
	addr_buf_puts(out, bnd);
	addr_buf_puts(out, "--\r\n");
	return out->oom ? -1 : 0;
}
