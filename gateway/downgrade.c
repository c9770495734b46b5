/*
 * downgrade.c - 8-bit content made 7-bit for a next hop without 8BITMIME
 *
 * SYNOPSIS
 *	gw_downgrade(), gw_content_8bit()
 *
 * DESCRIPTION
 *	spec-gateway.md §9: a message with 8-bit octets for a next hop that
 *	does not offer 8BITMIME is converted to 7 bit, the way Postfix does
 *	by default (disable_mime_output_conversion = no), or returned with
 *	5.6.3 when it cannot be. The MIME tree is read by GMime and the
 *	changed ranges spliced into the original octets (splice.c): the
 *	8-bit bodies, their Content-Transfer-Encoding fields, and the
 *	fields a message without MIME needs. Bodies keep their line
 *	structure: quoted-printable encodes a CR LF line as a line, so the
 *	text decodes to the same octets.
 *
 *	Cannot be done: 8-bit octets in any header field (RFC 2047 could
 *	encode some, but not addresses, and a gateway should not guess);
 *	8-bit content inside multipart/signed or multipart/encrypted (a
 *	new encoding breaks the signature); a message GMime reads
 *	differently once spliced. The result is checked: GMime reads it
 *	with the same tree, and no octet of it is 8-bit.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "downgrade.h"
#include "splice.h"

#define QP_LINE 76		/* RFC 2045 §6.7 rule 5 */

struct dg {
	struct gw_splice s;
	int changed;
	int refused;		/* a reason to return 0 */
};

int
gw_content_8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* qp - quoted-printable of d[0..n), CR LF lines kept as lines */
static void
qp(struct addr_buf *b, const char *d, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	while (i < n) {
		size_t e = i, col = 0;
		int crlf;

		while (e < n && !(d[e] == '\r' && e + 1 < n && d[e + 1] == '\n'))
			e++;
		crlf = e < n;
		for (; i < e; i++) {
			unsigned char c = (unsigned char)d[i];
			char tok[3];
			size_t tl = 1;

			tok[0] = (char)c;
			/* a blank at the end of a line would be lost */
			if ((c < 33 || c > 126 || c == '=') &&
			    !((c == ' ' || c == '\t') && i + 1 < e)) {
				tok[0] = '=';
				tok[1] = hex[c >> 4];
				tok[2] = hex[c & 15];
				tl = 3;
			}
			if (col + tl > QP_LINE - 1) {
				addr_buf_puts(b, "=\r\n");	/* soft break */
				col = 0;
			}
			addr_buf_put(b, tok, tl);
			col += tl;
		}
		if (crlf) {
			addr_buf_puts(b, "\r\n");
			i = e + 2;
		}
	}
}

/* b64 - base64 of d[0..n) in lines of 76, each ending CR LF but the
 * last, which ends so only when nl */
static void
b64(struct addr_buf *b, const char *d, size_t n, int nl)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)d[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned char)d[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)d[i + 2];
		q[0] = al[v >> 18 & 63];
		q[1] = al[v >> 12 & 63];
		q[2] = i + 1 < n ? al[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? al[v & 63] : '=';
		if (col == QP_LINE) {
			addr_buf_puts(b, "\r\n");
			col = 0;
		}
		addr_buf_put(b, q, 4);
		col += 4;
	}
	if (nl)
		addr_buf_puts(b, "\r\n");
}

/* declared - the part's declared transfer encoding, lower case, or "" */
static const char *
declared(GMimeObject *o)
{
	const char *v = g_mime_object_get_header(o,
	    "Content-Transfer-Encoding");

	if (v == NULL)
		return "";
	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

static int
is(const char *v, const char *w)
{
	size_t n = strlen(w);

	return g_ascii_strncasecmp(v, w, n) == 0 &&
	    (v[n] == '\0' || v[n] == ' ' || v[n] == '\t' || v[n] == '\r' ||
	    v[n] == '\n' || v[n] == '(' || v[n] == ';');
}

/* where - the place for a new field of part o with body at bs */
static int
where(struct dg *d, int top, size_t bs, size_t *at)
{
	if (top) {
		*at = 0;	/* top fields go to sp.top */
		return 0;
	}
	return gw_splice_header_end(&d->s, bs, at);
}

/* leaf - a part with a body: re-encode it when it is 8-bit */
static int
leaf(struct dg *d, GMimePart *p, int top, int sealed)
{
	GMimeObject *o = GMIME_OBJECT(p);
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	const char *cte = declared(o);
	size_t bs, be, at;
	struct addr_buf enc;
	int text, r;

	/* encoded bodies are 7-bit by their encoding; a raw 8-bit octet in
	 * one is damage that a new encoding would not repair */
	if (is(cte, "quoted-printable") || is(cte, "base64") ||
	    is(cte, "x-uuencode") || is(cte, "uuencode"))
		return 0;
	if ((r = gw_splice_body_range(&d->s, p, &bs, &be)) <= 0)
		return r;
	if (!gw_content_8bit(d->s.msg + bs, be - bs))
		return 0;
	if (sealed) {
		d->refused = 1;
		d->s.why = "8-bit content in a signed or encrypted part";
		return 0;
	}
	if (where(d, top, bs, &at) < 0)
		return -1;
	text = ct == NULL || g_mime_content_type_is_type(ct, "text", "*");
	if (is(cte, "binary"))
		text = 0;	/* no line structure to keep */
	addr_buf_init(&enc);
	if (text)
		qp(&enc, d->s.msg + bs, be - bs);
	else
		b64(&enc, d->s.msg + bs, be - bs,
		    be > bs && d->s.msg[be - 1] == '\n');
	if (enc.oom)
		d->s.oom = 1;
	gw_splice_push(&d->s, bs, be, enc.ptr, enc.size);
	addr_buf_free(&enc);
	d->changed = 1;
	return gw_splice_set_field(&d->s, o, top, at,
	    "Content-Transfer-Encoding", text ? " quoted-printable" :
	    " base64");
}

/* container - a multipart or message/rfc822 declared 8bit or binary is
 * declared 7bit once what it holds is */
static int
container(struct dg *d, GMimeObject *o, int top)
{
	const char *cte = declared(o);

	if (!is(cte, "8bit") && !is(cte, "binary"))
		return 0;
	d->changed = 1;
	return gw_splice_set_field(&d->s, o, top, 0,
	    "Content-Transfer-Encoding", " 7bit");
}

static int
walk(struct dg *d, GMimeObject *o, int top, int sealed, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	if (depth > GW_MIME_MAX_DEPTH)
		return gw_splice_fail(&d->s, "nested too deep");
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int i, n = g_mime_multipart_get_count(mp);

		if (ct != NULL && (g_mime_content_type_is_type(ct, "multipart",
		    "signed") || g_mime_content_type_is_type(ct, "multipart",
		    "encrypted")))
			sealed = 1;
		for (i = 0; i < n; i++)
			if (walk(d, g_mime_multipart_get_part(mp, i), 0, sealed,
			    depth + 1) < 0)
				return -1;
		return container(d, o, top);
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(o));
		GMimeObject *mp = m ? g_mime_message_get_mime_part(m) : NULL;

		/* the inner top part's fields are inside our body */
		if (mp != NULL && walk(d, mp, 0, sealed, depth + 1) < 0)
			return -1;
		return container(d, o, top);
	}
	if (GMIME_IS_PART(o))
		return leaf(d, GMIME_PART(o), top, sealed);
	return 0;
}

/* top_fields - the new fields of the top header section, at its end */
static int
top_fields(struct dg *d)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(
	    GMIME_OBJECT(d->s.message));
	struct addr_buf f;
	struct gw_splice_edit *e;
	size_t at;

	if (d->s.top.size == 0)
		return 0;
	if (d->s.headers_end < 0 || (guint64)d->s.headers_end > d->s.len)
		return gw_splice_fail(&d->s, "header section not located");
	at = (size_t)d->s.headers_end;
	if (!(d->s.len - at >= 2 && d->s.msg[at] == '\r' &&
	    d->s.msg[at + 1] == '\n') || (at > 0 && d->s.msg[at - 1] != '\n'))
		return gw_splice_fail(&d->s, "header section not located");
	addr_buf_init(&f);
	if (!g_mime_header_list_contains(hl, "MIME-Version"))
		addr_buf_puts(&f, "MIME-Version: 1.0\r\n");
	if (!g_mime_header_list_contains(hl, "Content-Type"))
		addr_buf_puts(&f, "Content-Type: text/plain; "
		    "charset=unknown-8bit\r\n");
	addr_buf_put(&f, d->s.top.ptr, d->s.top.size);
	if (f.oom)
		d->s.oom = 1;
	e = gw_splice_push(&d->s, at, at, f.ptr, f.size);
	if (e != NULL) {
		e->seq = 0;	/* before a body edit at the same offset */
		e->line = 1;
	}
	addr_buf_free(&f);
	return 0;
}

/* same_tree - GMime reads out with the input's tree */
static int
same_tree(struct dg *d, const struct addr_buf *out)
{
	GMimeMessage *m = gw_splice_reread(&d->s, out);

	if (m == NULL)
		return 0;
	g_object_unref(m);
	return 1;
}

int
gw_downgrade(struct addr_buf *out, const char *msg, size_t len,
	     const char **why)
{
	struct dg d;
	GMimeObject *top;
	int rc = -1;

	gw_splice_gmime_init();
	memset(&d, 0, sizeof(d));
	gw_splice_init(&d.s, msg, len);
	addr_buf_clear(out);
	if (gw_splice_parse(&d.s) < 0)
		goto done;
	top = g_mime_message_get_mime_part(d.s.message);
	if (top != NULL && walk(&d, top, 1, 0, 0) < 0)
		goto done;
	if (d.refused) {
		rc = 0;
		goto done;
	}
	if (top_fields(&d) < 0 || gw_splice_assemble(&d.s, out) < 0)
		goto done;
	if (d.s.oom) {
		gw_splice_fail(&d.s, "out of memory");
		goto done;
	}
	if (gw_content_8bit(out->ptr, out->size)) {
		d.s.why = "8-bit octets in a header field";
		rc = 0;
	} else if (!same_tree(&d, out)) {
		d.s.why = "the converted message does not read back alike";
		rc = 0;
	} else
		rc = 1;
done:
	if (rc != 1)
		addr_buf_clear(out);
	if (why != NULL)
		*why = rc == 1 ? NULL : d.s.why ? d.s.why : "cannot convert";
	gw_splice_free(&d.s);
	return rc;
}
