/*
 * disclaimer.c - add the disclaimer texts to a message
 *
 * SYNOPSIS
 *	gw_disclaimer_apply()
 *
 * DESCRIPTION
 *	spec-gateway.md §12 (Q262097). GMime 3 parses the message from a
 *	memory stream; its parts keep their content as substreams of that
 *	stream and its header fields their offsets, raw names and raw
 *	values, so every field and body is located in the original octets.
 *	The result is the input with a few ranges replaced (a "splice"):
 *	the bodies of the changed text parts, their Content-Type (charset
 *	changed) and Content-Transfer-Encoding fields (encoding changed),
 *	and the new fields at the end of the top header section (the
 *	marker, and MIME-Version/Content-Type/Content-Transfer-Encoding
 *	when a message without MIME headers needs them). Every other octet
 *	is copied. Last, GMime reads the result back: it must have the
 *	input's MIME tree (types, nesting) and the marker, else the input
 *	is returned (GMime reads some malformed header sections and
 *	boundary lines differently once octets move).
 *
 *	Why not g_mime_object_write_to_stream: GMime 3.2.13's writer
 *	writes LF line ends unless told CR LF; with CR LF it gives an
 *	untouched single-part message back octet for octet, but adds an
 *	empty line after the closing boundary of a nested multipart; once
 *	a part's text is set (g_mime_text_part_set_text) it picks charset
 *	(UTF-8 even where the old one would do) and transfer encoding
 *	itself and writes Content-Type anew, unfolded, parameters
 *	reordered; and it adds Content-Type without MIME-Version to a
 *	message that had no MIME header. The splice changes only what it
 *	must (the tests check the header fields octet for octet).
 *
 *	Which parts (the "main" text): the top part; in multipart/
 *	alternative every alternative; in any other multipart (mixed,
 *	related, report, unknown) the first part, recursively. Of those,
 *	the text/plain and text/html leaves that are not attachments
 *	(Content-Disposition: attachment, or a file name) get the text;
 *	a message/rfc822 is never entered. multipart/signed, multipart/
 *	encrypted, application/(x-)pkcs7-mime, application/pgp-encrypted
 *	met on that walk, or a chosen text/plain part holding an inline
 *	PGP block, leave the whole message untouched.
 *
 *	Text parts: the transfer encoding is decoded and re-applied
 *	(base64 stays base64, quoted-printable stays quoted-printable;
 *	7bit becomes quoted-printable when the text brings 8-bit octets or
 *	a line over 998 octets, 8bit the same for the line length). Plain
 *	text is inserted in the part's charset when it can carry it (iconv),
 *	else the body is converted to UTF-8 and the charset parameter set
 *	to utf-8. HTML gets the text HTML-escaped with every non-ASCII
 *	character as a numeric character reference, so its charset never
 *	needs to change (and a <meta charset> keeps agreeing). A charset
 *	that is not a superset of ASCII (UTF-16, UTF-32, UTF-7, ...) is
 *	always converted to UTF-8. A body whose charset iconv does not
 *	know takes ASCII text as is; a body that cannot be converted
 *	when it must be is left alone. Should the new octets of a body
 *	start a line with one of the message's boundaries (a text with
 *	such a line), the part is written in base64 instead.
 *
 * THREADS
 *	g_mime_init() is a plain counter, not safe to race: the first call
 *	here runs it once per process under pthread_once. Other code of
 *	the same program that uses GMime must not run g_mime_init() at the
 *	same time (before the threads start is safe; GMime counts the
 *	calls). g_mime_init() also seeds rand() with the time. After that
 *	each call has its own parser and objects, and GMime's iconv cache
 *	takes a lock. A program must not call g_mime_shutdown() while
 *	calls may run.
 *
 * DIAGNOSTICS
 *	1 changed; 0 untouched, with a reason; -1 on error, with a reason.
 *	Either way out is complete: the new message, or a copy of the
 *	input. GLib aborts when its own allocations fail; ours report -1.
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "disclaimer.h"
#include "splice.h"

#define MAX_DEPTH	GW_MIME_MAX_DEPTH
#define MAX_LINE	998	/* RFC 5322 §2.1.1, without CR LF */

static const char PGP_SIGNED[] = "-----BEGIN PGP SIGNED MESSAGE-----";
static const char PGP_MESSAGE[] = "-----BEGIN PGP MESSAGE-----";

enum { SIG_NONE = 0, SIG_SIGNED, SIG_ENCRYPTED };

struct job {
	struct gw_splice s;	/* the input and the edits */
	const char *dir, *inst;
	struct addr_buf pre, app;	/* normalised texts, '\n' lines */
	int ascii;		/* both texts are ASCII */
	GPtrArray *targets;	/* GMimeObject *, borrowed */
	GPtrArray *bounds;	/* const char *, borrowed */
	int sig;		/* SIG_*: found on the walk */
	size_t top_bs;		/* where the top part's body starts */
	int top_leaf;		/* the top part is a changed leaf */
	int changed;
};

/* --- text helpers -------------------------------------------------------- */

/* next_line - where the line after the one at offset i starts, or n */
static size_t
next_line(const char *d, size_t n, size_t i)
{
	const char *p = memchr(d + i, '\n', n - i);

	return p != NULL ? (size_t)(p - d) + 1 : n;
}

/* line_starts - some line of d[0..n) starts with w[0..wl) */
static int
line_starts(const char *d, size_t n, const char *w, size_t wl)
{
	size_t i;

	for (i = 0; i < n; i = next_line(d, n, i))
		if (n - i >= wl && memcmp(d + i, w, wl) == 0)
			return 1;
	return 0;
}

/* newline - the body's line end: that of its first line, else CR LF */
static const char *
newline(const char *d, size_t n)
{
	const char *p = memchr(d, '\n', n);

	return p != NULL && (p == d || p[-1] != '\r') ? "\n" : "\r\n";
}

static int
ends_nl(const char *d, size_t n)
{
	return n > 0 && d[n - 1] == '\n';
}

/* is_ascii - no octet over 0x7f */
static int
is_ascii(const char *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)d[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * needs_encoding - d cannot travel as 7bit (eight = 0) or 8bit
 * (eight = 1): an octet over 0x7f (7bit only), a NUL, a line over
 * MAX_LINE octets
 */
static int
needs_encoding(const char *d, size_t n, int eight)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '\n') {
			col = 0;
			continue;
		}
		if (c == 0 || (c >= 0x80 && !eight))
			return 1;
		if (c != '\r' && ++col > MAX_LINE)
			return 1;
	}
	return 0;
}

/*
 * normalise - the text t as UTF-8 lines joined by '\n', trailing empty
 * and blank lines dropped. -1 when t is not UTF-8.
 */
static int
normalise(struct addr_buf *b, const char *t)
{
	size_t i, n, keep = 0;

	if (t == NULL)
		return 0;
	n = strlen(t);
	if (!g_utf8_validate(t, (gssize)n, NULL))
		return -1;
	for (i = 0; i < n; i++) {
		if (t[i] == '\r') {
			if (i + 1 < n && t[i + 1] == '\n')
				i++;
			addr_buf_putc(b, '\n');
			continue;
		}
		addr_buf_putc(b, t[i]);
		if (t[i] != '\n' && t[i] != ' ' && t[i] != '\t')
			keep = b->size;
	}
	addr_buf_truncate(b, keep);
	return 0;
}

/* put_lines - the '\n' lines of t written with the line end nl */
static void
put_lines(struct addr_buf *b, const struct addr_buf *t, const char *nl)
{
	size_t i;

	for (i = 0; i < t->size; i++) {
		if (t->ptr[i] == '\n')
			addr_buf_puts(b, nl);
		else
			addr_buf_putc(b, t->ptr[i]);
	}
}

/* put_html - t HTML-escaped, ASCII only, lines joined by <br> */
static void
put_html(struct addr_buf *b, const struct addr_buf *t, const char *nl)
{
	const char *p = t->ptr, *end = t->ptr + t->size;
	char ref[16];

	addr_buf_puts(b, "<p>");
	while (p < end) {
		gunichar c = g_utf8_get_char(p);

		p = g_utf8_next_char(p);
		switch (c) {
		case '&': addr_buf_puts(b, "&amp;"); break;
		case '<': addr_buf_puts(b, "&lt;"); break;
		case '>': addr_buf_puts(b, "&gt;"); break;
		case '"': addr_buf_puts(b, "&quot;"); break;
		case '\n':
			addr_buf_puts(b, "<br>");
			addr_buf_puts(b, nl);
			break;
		default:
			if (c < 0x80) {
				addr_buf_putc(b, (char)c);
			} else {
				snprintf(ref, sizeof(ref), "&#%u;", (unsigned)c);
				addr_buf_puts(b, ref);
			}
		}
	}
	addr_buf_puts(b, "</p>");
}

/* --- charsets ------------------------------------------------------------ */

static int
is_utf8(const char *cs)
{
	return g_ascii_strcasecmp(g_mime_charset_canon_name(cs), "utf-8") == 0;
}

static int
is_usascii(const char *cs)
{
	const char *c = g_mime_charset_canon_name(cs);

	return g_ascii_strcasecmp(c, "us-ascii") == 0 ||
	    g_ascii_strcasecmp(c, "ascii") == 0;
}

/* convert - in[0..n) from charset from to charset to, appended to out;
 * -1 when a character has no equivalent or the input is invalid, -2
 * when iconv knows no such conversion */
static int
convert(struct addr_buf *out, const char *to, const char *from,
	const char *in, size_t n)
{
	iconv_t cd = g_mime_iconv_open(to, from);
	char tmp[1024], *ip = (char *)in, *op;
	size_t il = n, ol, r;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return -2;
	iconv(cd, NULL, NULL, NULL, NULL);
	while (il > 0) {
		op = tmp;
		ol = sizeof(tmp);
		r = iconv(cd, &ip, &il, &op, &ol);
		addr_buf_put(out, tmp, sizeof(tmp) - ol);
		if (r == (size_t)-1 && errno == E2BIG)
			continue;
		if (r != 0) {
			rc = -1;	/* EILSEQ, EINVAL, or irreversible */
			break;
		}
	}
	if (rc == 0) {
		/* back to the initial shift state (ISO-2022-JP, ...) */
		op = tmp;
		ol = sizeof(tmp);
		if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
			rc = -1;
		addr_buf_put(out, tmp, sizeof(tmp) - ol);
	}
	g_mime_iconv_close(cd);
	return rc;
}

/* ascii_superset - the charset writes ASCII as ASCII, an octet a
 * character (not UTF-16, UTF-7, EBCDIC, ...), by a probe through iconv;
 * one that iconv does not know is taken for one */
static int
ascii_superset(struct job *j, const char *cs)
{
	static const char probe[] = "Az09 +-=<>&;\"'\t\r\n";
	struct addr_buf b;
	int r, same;

	addr_buf_init(&b);
	r = convert(&b, cs, "UTF-8", probe, sizeof(probe) - 1);
	same = b.size == sizeof(probe) - 1 && memcmp(b.ptr, probe, b.size) == 0;
	if (b.oom)
		j->s.oom = 1;
	addr_buf_free(&b);
	return r == -2 || (r == 0 && same);
}

/* --- transfer encodings -------------------------------------------------- */

/*
 * transcode - d[0..n) with the transfer encoding enc (base64 or
 * quoted-printable; anything else is copied) removed (apply = 0) or
 * applied (apply = 1), appended to out. GMime's encoders end lines with
 * LF (the QP encoder reads CR LF in the input as a hard line break) and
 * leave no bare CR or LF otherwise, so every LF they write becomes CR LF.
 */
static void
transcode(struct addr_buf *out, GMimeContentEncoding enc, int apply,
	  const char *d, size_t n)
{
	GMimeEncoding e;
	struct addr_buf tmp, *dst = apply ? &tmp : out;
	size_t i;

	if (enc != GMIME_CONTENT_ENCODING_BASE64 &&
	    enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
		addr_buf_put(out, d, n);
		return;
	}
	if (apply)
		g_mime_encoding_init_encode(&e, enc);
	else
		g_mime_encoding_init_decode(&e, enc);
	addr_buf_init(&tmp);
	if (addr_buf_grow(dst, dst->size + g_mime_encoding_outlen(&e, n) + 16)
	    != 0) {
		out->oom = 1;
		return;
	}
	dst->size += g_mime_encoding_flush(&e, d, n, dst->ptr + dst->size);
	dst->ptr[dst->size] = '\0';
	if (!apply)
		return;
	for (i = 0; i < tmp.size; i++) {
		if (tmp.ptr[i] == '\n')
			addr_buf_putc(out, '\r');
		addr_buf_putc(out, tmp.ptr[i]);
	}
	addr_buf_free(&tmp);
}

/* collides - a line of d[0..n) starts with "--" and a boundary */
static int
collides(const struct job *j, const char *d, size_t n)
{
	size_t i, bl;
	guint k;

	for (i = 0; i < n; i = next_line(d, n, i)) {
		if (n - i < 2 || d[i] != '-' || d[i + 1] != '-')
			continue;
		for (k = 0; k < j->bounds->len; k++) {
			const char *bd = g_ptr_array_index(j->bounds, k);

			bl = strlen(bd);
			if (n - i - 2 >= bl && memcmp(d + i + 2, bd, bl) == 0)
				return 1;
		}
	}
	return 0;
}

/* --- header fields ------------------------------------------------------- */

/* last_value - the raw value of the part's last field called name (the
 * one GMime goes by), or NULL */
static const char *
last_value(GMimeObject *o, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(o);
	int i = g_mime_header_list_get_count(hl);

	while (i-- > 0) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0)
			return g_mime_header_get_raw_value(h);
	}
	return NULL;
}

/* skip_cfws - past blanks, line ends and (nested) comments */
static const char *
skip_cfws(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (depth > 0 && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (depth > 0 && *p == ')')
			depth--;
		else if (depth == 0 && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n')
			break;
	}
	return p;
}

/* skip_value - past a quoted string or a token */
static const char *
skip_value(const char *p)
{
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		return *p ? p + 1 : p;
	}
	while (*p && *p != ';' && *p != '(' && *p != ' ' && *p != '\t' &&
	    *p != '\r' && *p != '\n')
		p++;
	return p;
}

/*
 * content_type_utf8 - the raw Content-Type value rv (after the colon,
 * with its line end) with the charset parameters' values replaced by
 * utf-8, or "; charset=utf-8" added at its end; every other octet
 * stays. Without rv, " type/subtype; charset=utf-8" CR LF. -1 when the
 * result does not read back (through GMime) as the part's type with
 * charset utf-8: the part is then left alone.
 *
 * Not g_mime_content_type_encode: besides re-folding it loops without
 * end, allocating, on a long parameter name with 8-bit octets (GMime
 * 3.2.13, found by the fuzz target).
 */
static int
content_type_utf8(struct addr_buf *v, GMimeObject *o, const char *rv)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o), *back;
	struct addr_buf val;
	const char *p, *cs, *nl;
	int found = 0, ok;
	char *t;

	if (rv == NULL) {
		addr_buf_putc(v, ' ');
		t = g_mime_content_type_get_mime_type(ct);
		addr_buf_puts(v, t);
		g_free(t);
		addr_buf_puts(v, "; charset=utf-8\r\n");
	} else {
		/* the value without the line end that ends it (which an
		 * unclosed quote must not swallow) */
		for (nl = rv + strlen(rv); nl > rv && (nl[-1] == '\r' ||
		    nl[-1] == '\n'); nl--)
			;
		addr_buf_init(&val);
		addr_buf_put(&val, rv, (size_t)(nl - rv));
		rv = val.ptr;
		/* type "/" subtype, then "; name=value" ... */
		for (p = rv; *p && *p != ';'; p = *p == '"' || *p == '(' ?
		    (*p == '"' ? skip_value(p) : skip_cfws(p)) : p + 1)
			;
		while (*p == ';') {
			const char *ns = skip_cfws(p + 1), *ne = ns, *vs;

			while (*ne && *ne != '=' && *ne != ';' && *ne != '(' &&
			    *ne != ' ' && *ne != '\t' && *ne != '\r' && *ne != '\n')
				ne++;
			p = skip_cfws(ne);
			if (*p != '=') {
				p = *p == ';' ? p : p + (*p != '\0');
				while (*p && *p != ';')
					p = *p == '"' ? skip_value(p) : p + 1;
				continue;
			}
			vs = skip_cfws(p + 1);
			p = skip_value(vs);
			if (ne - ns == 7 &&
			    g_ascii_strncasecmp(ns, "charset", 7) == 0) {
				addr_buf_put(v, rv, (size_t)(vs - rv));
				addr_buf_puts(v, "utf-8");
				rv = p;		/* the rest follows as it is */
				found = 1;
			}
			p = skip_cfws(p);
			while (*p && *p != ';')
				p = *p == '"' ? skip_value(p) : p + 1;
		}
		addr_buf_puts(v, rv);
		if (!found)
			addr_buf_puts(v, "; charset=utf-8");
		addr_buf_puts(v, nl);
		if (val.oom)
			v->oom = 1;
		addr_buf_free(&val);
	}
	if (v->oom)
		return -1;
	back = g_mime_content_type_parse(NULL, v->ptr);
	cs = back ? g_mime_content_type_get_parameter(back, "charset") : NULL;
	ok = cs != NULL && g_ascii_strcasecmp(cs, "utf-8") == 0 &&
	    g_ascii_strcasecmp(g_mime_content_type_get_media_type(back),
	    g_mime_content_type_get_media_type(ct)) == 0 &&
	    g_ascii_strcasecmp(g_mime_content_type_get_media_subtype(back),
	    g_mime_content_type_get_media_subtype(ct)) == 0;
	if (back != NULL)
		g_object_unref(back);
	return ok ? 0 : -1;
}

/* --- the structure ------------------------------------------------------- */

/* smime - application/pkcs7-mime: signed-data is signed, the rest is not
 * readable (enveloped, authEnveloped, compressed) */
static int
smime(GMimeObject *o)
{
	const char *t = g_mime_object_get_content_type_parameter(o, "smime-type");

	return t != NULL && g_ascii_strcasecmp(t, "signed-data") == 0 ?
	    SIG_SIGNED : SIG_ENCRYPTED;
}

static int
attachment(GMimeObject *o)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);

	if (d != NULL && g_mime_content_disposition_is_attachment(d))
		return 1;
	return g_mime_part_get_filename(GMIME_PART(o)) != NULL;
}

/* walk - collect the main text parts under o (see the head comment) */
static void
walk(struct job *j, GMimeObject *o, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	if (j->sig || ct == NULL || depth > MAX_DEPTH)
		return;
	if (g_mime_content_type_is_type(ct, "multipart", "signed")) {
		j->sig = SIG_SIGNED;
		return;
	}
	if (g_mime_content_type_is_type(ct, "multipart", "encrypted") ||
	    g_mime_content_type_is_type(ct, "application", "pgp-encrypted")) {
		j->sig = SIG_ENCRYPTED;
		return;
	}
	if (g_mime_content_type_is_type(ct, "application", "pkcs7-mime") ||
	    g_mime_content_type_is_type(ct, "application", "x-pkcs7-mime")) {
		j->sig = smime(o);
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int i, n = g_mime_multipart_get_count(mp);
		/* not g_mime_multipart_get_boundary: without one it makes
		 * one up and rewrites the Content-Type header (which can
		 * loop in GMime 3.2.13's parameter encoder, see
		 * content_type_utf8) */
		const char *b = g_mime_object_get_content_type_parameter(o,
		    "boundary");

		if (b != NULL)
			g_ptr_array_add(j->bounds, (gpointer)b);
		if (!g_mime_content_type_is_type(ct, "multipart", "alternative"))
			n = n > 0 ? 1 : 0;
		for (i = 0; i < n; i++)
			walk(j, g_mime_multipart_get_part(mp, i), depth + 1);
		return;
	}
	if (!GMIME_IS_PART(o))
		return;		/* message/rfc822, message/partial */
	if (!g_mime_content_type_is_type(ct, "text", "plain") &&
	    !g_mime_content_type_is_type(ct, "text", "html"))
		return;
	if (attachment(o))
		return;
	g_ptr_array_add(j->targets, o);
}

/* plain_body - the new text/plain body (decoded) into nb; sets *utf8
 * when the body had to move to UTF-8. 0, or -1 to leave the part. */
static int
plain_body(struct job *j, struct addr_buf *nb, const char *cs, int ascii,
	   const char *d, size_t n, int *utf8)
{
	struct addr_buf pre, app, conv;
	const char *body = d, *nl;
	size_t bn = n;
	int rc = -1;

	addr_buf_init(&pre);
	addr_buf_init(&app);
	addr_buf_init(&conv);
	*utf8 = 0;
	for (;;) {
		nl = newline(body, bn);
		addr_buf_clear(&pre);
		addr_buf_clear(&app);
		if (bn == 0) {
			/* an empty body: just the texts, one line end */
			put_lines(&pre, &j->pre, nl);
			if (j->pre.size && j->app.size) {
				addr_buf_puts(&pre, nl);
				addr_buf_puts(&pre, nl);
			}
			put_lines(&pre, &j->app, nl);
			addr_buf_puts(&pre, nl);
		} else {
			if (j->pre.size) {
				put_lines(&pre, &j->pre, nl);
				addr_buf_puts(&pre, nl);
				addr_buf_puts(&pre, nl);
			}
			if (j->app.size) {
				/* keep whether the body ends a line: in a
				 * multipart the last CR LF is the boundary's */
				addr_buf_puts(&app, nl);
				if (!ends_nl(body, bn))
					addr_buf_puts(&app, nl);
				put_lines(&app, &j->app, nl);
				if (ends_nl(body, bn))
					addr_buf_puts(&app, nl);
			}
		}
		if (pre.oom || app.oom)
			break;
		if (*utf8 || (ascii && (j->ascii || is_utf8(cs)))) {
			addr_buf_put(nb, pre.ptr, pre.size);
			addr_buf_put(nb, body, bn);
			addr_buf_put(nb, app.ptr, app.size);
			rc = 0;
			break;
		}
		if (ascii) {
			size_t mark = nb->size;

			if (convert(nb, cs, "UTF-8", pre.ptr, pre.size) == 0 &&
			    addr_buf_put(nb, body, bn) == 0 &&
			    convert(nb, cs, "UTF-8", app.ptr, app.size) == 0) {
				rc = 0;
				break;
			}
			addr_buf_truncate(nb, mark);
		}
		/* the charset cannot carry the text: the body to UTF-8 */
		if (convert(&conv, "UTF-8", cs, d, n) != 0) {
			addr_buf_clear(&conv);
			/* us-ascii with 8-bit octets: taken as the UTF-8
			 * it almost always is */
			if (!is_usascii(cs) || !g_utf8_validate(d, (gssize)n, NULL))
				break;
			addr_buf_put(&conv, d, n);
		}
		if (conv.oom)
			break;
		body = conv.ptr;
		bn = conv.size;
		*utf8 = 1;
	}
	if (pre.oom || app.oom || conv.oom)
		j->s.oom = 1;
	addr_buf_free(&pre);
	addr_buf_free(&app);
	addr_buf_free(&conv);
	return rc;
}

#define NONE ((size_t)-1)

/* find_tag - the offset of the first (last = 0) or last tag w ("<body",
 * "</body", any case, then '>', '/' or a blank) in d[0..n), or NONE */
static size_t
find_tag(const char *d, size_t n, const char *w, int last)
{
	size_t wl = strlen(w), i, hit = NONE;

	for (i = 0; i + wl <= n; i++) {
		if (g_ascii_strncasecmp(d + i, w, wl) != 0)
			continue;
		if (i + wl < n && d[i + wl] != '>' && d[i + wl] != '/' &&
		    !g_ascii_isspace(d[i + wl]))
			continue;	/* <bodyx>, </bodyx> */
		hit = i;
		if (!last)
			break;
	}
	return hit;
}

/* body_open - the offset just after the <body ...> tag, or NONE */
static size_t
body_open(const char *d, size_t n)
{
	size_t i = find_tag(d, n, "<body", 0);
	char q = 0;

	if (i == NONE)
		return NONE;
	for (i += 5; i < n; i++) {
		if (q) {
			if (d[i] == q)
				q = 0;
		} else if (d[i] == '"' || d[i] == '\'') {
			q = d[i];
		} else if (d[i] == '>') {
			return i + 1;
		}
	}
	return NONE;
}

/*
 * html_body - the new text/html body (decoded) into nb: the prepend
 * text right after <body ...> (else at the start), the append text
 * right before the last </body> (else at the end), each its own <p>
 * on its own lines
 */
static void
html_body(struct job *j, struct addr_buf *nb, const char *d, size_t n)
{
	const char *nl = newline(d, n);
	size_t open = body_open(d, n), close = find_tag(d, n, "</body", 1);
	size_t at_pre = open != NONE ? open : 0;
	size_t at_app = close != NONE && close >= at_pre ? close : n;

	addr_buf_put(nb, d, at_pre);
	if (j->pre.size) {
		if (at_pre > 0 && !ends_nl(d, at_pre))
			addr_buf_puts(nb, nl);
		put_html(nb, &j->pre, nl);
		if (at_pre == n || (d[at_pre] != '\r' && d[at_pre] != '\n'))
			addr_buf_puts(nb, nl);
	}
	addr_buf_put(nb, d + at_pre, at_app - at_pre);
	if (j->app.size) {
		if (at_app > 0 && !ends_nl(d, at_app))
			addr_buf_puts(nb, nl);
		put_html(nb, &j->app, nl);
		if (at_app < n || ends_nl(d, n))
			addr_buf_puts(nb, nl);
	}
	addr_buf_put(nb, d + at_app, n - at_app);
}

static const char *
encoding_name(GMimeContentEncoding enc)
{
	return enc == GMIME_CONTENT_ENCODING_BASE64 ? " base64\r\n" :
	    " quoted-printable\r\n";
}

/* change - the new body and fields of the text part o; 0 also when the
 * part is left alone, -1 on error */
static int
change(struct job *j, GMimeObject *o, int top)
{
	GMimePart *p = GMIME_PART(o);
	GMimeContentEncoding enc, nenc;
	struct addr_buf dec, nb, eb;
	const char *cs, *cte;
	size_t bs, be, at = 0;
	int html, ascii, utf8 = 0, next_nl, r;

	r = gw_splice_body_range(&j->s, p, &bs, &be);
	if (r <= 0)
		return r;
	if (!top && gw_splice_header_end(&j->s, bs, &at) != 0)
		return -1;
	enc = g_mime_part_get_content_encoding(p);
	cte = g_mime_object_get_header(o, "Content-Transfer-Encoding");
	switch (enc) {
	case GMIME_CONTENT_ENCODING_DEFAULT:
		if (cte != NULL)
			return 0;	/* an encoding GMime does not know */
		break;
	case GMIME_CONTENT_ENCODING_7BIT:
	case GMIME_CONTENT_ENCODING_8BIT:
	case GMIME_CONTENT_ENCODING_BINARY:
	case GMIME_CONTENT_ENCODING_BASE64:
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
		break;
	default:
		return 0;	/* uuencode: left alone */
	}
	html = g_mime_content_type_is_type(g_mime_object_get_content_type(o),
	    "text", "html");
	cs = g_mime_object_get_content_type_parameter(o, "charset");
	if (cs == NULL || *cs == '\0')
		cs = "us-ascii";

	addr_buf_init(&dec);
	addr_buf_init(&nb);
	addr_buf_init(&eb);
	transcode(&dec, enc, 0, j->s.msg + bs, be - bs);
	if (dec.oom)
		goto oom;
	if (!html && line_starts(dec.ptr, dec.size, PGP_SIGNED,
	    sizeof(PGP_SIGNED) - 1)) {
		j->sig = SIG_SIGNED;
		goto out;
	}
	if (!html && line_starts(dec.ptr, dec.size, PGP_MESSAGE,
	    sizeof(PGP_MESSAGE) - 1)) {
		j->sig = SIG_ENCRYPTED;
		goto out;
	}
	ascii = ascii_superset(j, cs);
	if (html && !ascii) {
		struct addr_buf conv;

		addr_buf_init(&conv);
		if (convert(&conv, "UTF-8", cs, dec.ptr, dec.size) != 0 ||
		    conv.oom) {
			if (conv.oom)
				j->s.oom = 1;
			addr_buf_free(&conv);
			goto out;	/* left alone, unless out of memory */
		}
		addr_buf_free(&dec);
		dec = conv;
		utf8 = 1;
	}
	if (html)
		html_body(j, &nb, dec.ptr, dec.size);
	else if (plain_body(j, &nb, cs, ascii, dec.ptr, dec.size, &utf8) != 0)
		goto out;	/* left alone */
	if (nb.oom)
		goto oom;

	next_nl = be == j->s.len || j->s.msg[be] == '\r' || j->s.msg[be] == '\n';
	nenc = enc;
	if ((enc == GMIME_CONTENT_ENCODING_DEFAULT ||
	    enc == GMIME_CONTENT_ENCODING_7BIT ||
	    enc == GMIME_CONTENT_ENCODING_8BIT) &&
	    needs_encoding(nb.ptr, nb.size, enc == GMIME_CONTENT_ENCODING_8BIT))
		nenc = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	for (;;) {
		addr_buf_clear(&eb);
		transcode(&eb, nenc, 1, nb.ptr, nb.size);
		if (eb.oom)
			goto oom;
		/* the body's last line end stays where it was: inside a
		 * multipart the CR LF before the boundary is not content,
		 * and GMime's encoders always end with a line end */
		if (!ends_nl(j->s.msg + bs, be - bs) && next_nl) {
			if (nenc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
			    eb.size >= 4 && memcmp(eb.ptr + eb.size - 3,
			    "=\r\n", 3) == 0 && eb.ptr[eb.size - 4] != ' ' &&
			    eb.ptr[eb.size - 4] != '\t')
				addr_buf_truncate(&eb, eb.size - 3);
			else if (nenc == GMIME_CONTENT_ENCODING_BASE64 &&
			    eb.size >= 2 && eb.ptr[eb.size - 1] == '\n')
				addr_buf_truncate(&eb, eb.size - 2);
		}
		/* an empty body right before a boundary line ("--b CR LF
		 * CR LF --b"): the boundary must still start a line */
		if (!next_nl && eb.size > 0 && !ends_nl(eb.ptr, eb.size))
			addr_buf_puts(&eb, "\r\n");
		if (nenc == GMIME_CONTENT_ENCODING_BASE64 ||
		    !collides(j, eb.ptr, eb.size))
			break;
		nenc = GMIME_CONTENT_ENCODING_BASE64;
	}

	if (utf8) {
		struct addr_buf v;

		addr_buf_init(&v);
		r = content_type_utf8(&v, o, last_value(o, "Content-Type"));
		if (r == 0)
			r = gw_splice_set_field(&j->s, o, top, at, "Content-Type", v.ptr);
		else if (v.oom)
			j->s.oom = 1;
		addr_buf_free(&v);
		if (r != 0)
			goto out;	/* left alone, or an error */
	}
	if (nenc != enc && gw_splice_set_field(&j->s, o, top, at,
	    "Content-Transfer-Encoding", encoding_name(nenc)) != 0)
		goto out;
	gw_splice_push(&j->s, bs, be, eb.ptr, eb.size);
	if (top) {
		j->top_leaf = 1;
		j->top_bs = bs;
	}
	j->changed++;
	goto out;
oom:
	j->s.oom = 1;
out:
	addr_buf_free(&dec);
	addr_buf_free(&nb);
	addr_buf_free(&eb);
	return j->s.bad || j->s.oom ? -1 : 0;
}

/* marked - m carries the marker for this direction and host */
static int
marked(GMimeMessage *m, const char *dir, const char *inst)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	int i, n = g_mime_header_list_get_count(hl);

	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *v = g_mime_header_get_value(h);
		const char *semi;
		char *d, *in;
		int same;

		if (v == NULL || g_ascii_strcasecmp(g_mime_header_get_name(h),
		    GW_DISCLAIMER_MARKER) != 0 || (semi = strchr(v, ';')) == NULL)
			continue;
		d = g_strstrip(g_strndup(v, (gsize)(semi - v)));
		in = g_strstrip(g_strdup(semi + 1));
		same = g_ascii_strcasecmp(d, dir) == 0 &&
		    g_ascii_strcasecmp(in, inst) == 0;
		g_free(d);
		g_free(in);
		if (same)
			return 1;
	}
	return 0;
}

/* verify - the result reads back with the input's tree and the marker */
static int
verify(struct job *j, const struct addr_buf *out)
{
	GMimeMessage *m = gw_splice_reread(&j->s, out);
	int same = m != NULL && marked(m, j->dir, j->inst);

	if (m != NULL)
		g_object_unref(m);
	return same ? 0 : gw_splice_fail(&j->s, "result not read back alike");
}

/* valid_name - printable ASCII, no blank, no ';' */
static int
valid_name(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 255)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || *s == ';')
			return 0;
	return 1;
}

/* run - everything but the copy on failure; 1, 0 or -1 */
static int
run(struct job *j)
{
	GMimeObject *top;
	gint64 he;
	size_t at;
	guint i;
	int need_blank = 0;
	struct addr_buf f;
	struct gw_splice_edit *e;

	if (j->dir == NULL || (strcmp(j->dir, "inbound") != 0 &&
	    strcmp(j->dir, "outbound") != 0) || !valid_name(j->inst))
		return gw_splice_fail(&j->s, "bad direction or instance");
	if (j->s.len > G_MAXUINT)
		return gw_splice_fail(&j->s, "message too large");
	if (j->pre.size == 0 && j->app.size == 0) {
		j->s.why = "no disclaimer";
		return 0;
	}

	j->s.message = gw_splice_read(j->s.msg, j->s.len, &j->s.src, &he);
	if (j->s.message == NULL)
		return gw_splice_fail(&j->s, "cannot parse");
	if (marked(j->s.message, j->dir, j->inst)) {
		j->s.why = "marker present";
		return 0;
	}
	top = g_mime_message_get_mime_part(j->s.message);
	if (top != NULL)
		walk(j, top, 0);
	for (i = 0; !j->sig && i < j->targets->len; i++)
		if (change(j, g_ptr_array_index(j->targets, i),
		    g_ptr_array_index(j->targets, i) == top) < 0)
			return -1;
	if (j->sig) {
		j->s.why = j->sig == SIG_SIGNED ? "signed" : "encrypted";
		return 0;
	}
	if (j->changed == 0) {
		j->s.why = "no text part";
		return 0;
	}

	/* the top header section: its end, or none (no empty line) */
	if (he >= 0) {
		if ((guint64)he > (guint64)j->s.len)
			return gw_splice_fail(&j->s, "header section not located");
		at = (size_t)he;
		if (!((j->s.len - at >= 2 && j->s.msg[at] == '\r' &&
		    j->s.msg[at + 1] == '\n') ||
		    (j->s.len - at >= 1 && j->s.msg[at] == '\n')) ||
		    (at > 0 && j->s.msg[at - 1] != '\n'))
			return gw_splice_fail(&j->s, "header section not located");
		if (j->top_leaf && at > j->top_bs)
			return gw_splice_fail(&j->s, "header section not located");
	} else if (j->top_leaf && j->top_bs == j->s.len) {
		/* no empty line, so no body: fields, empty line and body go
		 * at the end (after a line end, see assemble) */
		at = j->s.len;
		need_blank = 1;
		if (at > 0 && j->s.msg[at - 1] == '\r')
			return gw_splice_fail(&j->s, "header section not located");
	} else {
		return gw_splice_fail(&j->s, "header section not located");
	}
	addr_buf_init(&f);
	if (j->s.top_mime && !g_mime_header_list_contains(
	    g_mime_object_get_header_list(GMIME_OBJECT(j->s.message)),
	    "MIME-Version"))
		addr_buf_puts(&f, "MIME-Version: 1.0\r\n");
	addr_buf_put(&f, j->s.top.ptr, j->s.top.size);
	if (j->s.top.oom)
		j->s.oom = 1;
	addr_buf_puts(&f, GW_DISCLAIMER_MARKER ": ");
	addr_buf_puts(&f, j->dir);
	addr_buf_puts(&f, "; ");
	addr_buf_puts(&f, j->inst);
	addr_buf_puts(&f, "\r\n");
	if (need_blank)
		addr_buf_puts(&f, "\r\n");
	if (f.oom)
		j->s.oom = 1;
	e = gw_splice_push(&j->s, at, at, f.ptr, f.size);
	if (e != NULL) {
		/* before the body when both start at the end of the input */
		e->seq = 0;
		e->line = 1;
	}
	addr_buf_free(&f);
	return j->s.oom ? gw_splice_fail(&j->s, "out of memory") : 1;
}

int
gw_disclaimer_apply(struct addr_buf *out, const char *msg, size_t len,
		    const char *prepend, const char *append,
		    const char *direction, const char *instance,
		    const char **why)
{
	struct job j;
	int rc;

	gw_splice_gmime_init();
	memset(&j, 0, sizeof(j));
	gw_splice_init(&j.s, msg, len);
	j.dir = direction;
	j.inst = instance;
	addr_buf_init(&j.pre);
	addr_buf_init(&j.app);
	j.targets = g_ptr_array_new();
	j.bounds = g_ptr_array_new();

	if (normalise(&j.pre, prepend) != 0 || normalise(&j.app, append) != 0)
		rc = gw_splice_fail(&j.s, "text not UTF-8");
	else if (j.pre.oom || j.app.oom)
		rc = gw_splice_fail(&j.s, "out of memory");
	else {
		j.ascii = is_ascii(j.pre.ptr, j.pre.size) &&
		    is_ascii(j.app.ptr, j.app.size);
		rc = run(&j);
		if (rc < 0 && j.s.oom)
			j.s.why = "out of memory";
	}
	if (rc == 1 && (gw_splice_assemble(&j.s, out) != 0 ||
	    verify(&j, out) != 0))
		rc = -1;
	if (rc != 1) {
		addr_buf_clear(out);
		addr_buf_put(out, msg, len);
	} else {
		j.s.why = NULL;
	}
	if (why != NULL)
		*why = j.s.why;

	g_ptr_array_free(j.targets, TRUE);
	g_ptr_array_free(j.bounds, TRUE);
	gw_splice_free(&j.s);
	addr_buf_free(&j.pre);
	addr_buf_free(&j.app);
	return rc;
}
