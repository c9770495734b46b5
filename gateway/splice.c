/*
 * splice.c - change a few ranges of a message, located by GMime
 *
 * SYNOPSIS
 *	gw_splice_gmime_init(), gw_splice_init(), gw_splice_free(),
 *	gw_splice_parse(), gw_splice_read(), gw_splice_fail(),
 *	gw_splice_push(), gw_splice_field_span(), gw_splice_set_field(),
 *	gw_splice_body_range(), gw_splice_header_end(), gw_splice_shape(),
 *	gw_splice_assemble(), gw_splice_reread()
 *
 * DESCRIPTION
 *	The MIME surgery of disclaimer.c and downgrade.c. GMime 3 parses
 *	the message from a memory stream; its parts keep their content as
 *	substreams of that stream and its header fields their offsets, raw
 *	names and raw values, so every field and body is located in the
 *	original octets. The result is the input with a few ranges
 *	replaced: every other octet is copied (why not GMime's writer:
 *	disclaimer.c says). The caller reads the result back with
 *	gw_splice_reread, which compares its MIME tree with the input's,
 *	before it trusts it.
 *
 * THREADS
 *	g_mime_init() is a plain counter, not safe to race:
 *	gw_splice_gmime_init runs it once per process under pthread_once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "splice.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void
gmime_start(void)
{
	g_mime_init();
}

void
gw_splice_gmime_init(void)
{
	pthread_once(&gmime_once, gmime_start);
}

void
gw_splice_init(struct gw_splice *sp, const char *msg, size_t len)
{
	memset(sp, 0, sizeof(*sp));
	sp->msg = msg;
	sp->len = len;
	sp->headers_end = -1;
	addr_buf_init(&sp->ed);
	addr_buf_init(&sp->pool);
	addr_buf_init(&sp->top);
}

void
gw_splice_free(struct gw_splice *sp)
{
	if (sp->message != NULL)
		g_object_unref(sp->message);
	sp->message = NULL;
	addr_buf_free(&sp->ed);
	addr_buf_free(&sp->pool);
	addr_buf_free(&sp->top);
}

int
gw_splice_parse(struct gw_splice *sp)
{
	if (sp->len > G_MAXUINT)
		return gw_splice_fail(sp, "message too large");
	sp->message = gw_splice_read(sp->msg, sp->len, &sp->src,
	    &sp->headers_end);
	return sp->message == NULL ? gw_splice_fail(sp, "cannot parse") : 0;
}

/* gw_splice_fail - an error: the reason, and -1 */
int
gw_splice_fail(struct gw_splice *sp, const char *why)
{
	if (sp->why == NULL)
		sp->why = why;
	sp->bad = 1;
	return -1;
}

/* gw_splice_push - record msg[start..end) := data[0..n); the edit, NULL when
 * out of memory */
struct gw_splice_edit *
gw_splice_push(struct gw_splice *sp, size_t start, size_t end, const char *data, size_t n)
{
	struct gw_splice_edit e;

	e.start = start;
	e.end = end;
	e.seq = sp->ed.size / sizeof(e) + 1;	/* 0: the top fields */
	e.off = sp->pool.size;
	e.n = n;
	e.line = 0;
	if (addr_buf_put(&sp->pool, data, n) != 0 ||
	    addr_buf_put(&sp->ed, (const char *)&e, sizeof(e)) != 0) {
		sp->oom = 1;
		return NULL;
	}
	return (struct gw_splice_edit *)(void *)(sp->ed.ptr + sp->ed.size - sizeof(e));
}

static int
edit_cmp(const void *a, const void *b)
{
	const struct gw_splice_edit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* gw_splice_field_span - where header h lies in msg: raw name, ':', raw value */
int
gw_splice_field_span(struct gw_splice *sp, GMimeHeader *h, size_t *start, size_t *end)
{
	const char *name = g_mime_header_get_raw_name(h);
	const char *value = g_mime_header_get_raw_value(h);
	gint64 off = g_mime_header_get_offset(h);
	size_t nl, vl, o;

	if (name == NULL || value == NULL || off < 0 ||
	    (guint64)off > (guint64)sp->len)
		return gw_splice_fail(sp, "header field not located");
	o = (size_t)off;
	nl = strlen(name);
	vl = strlen(value);
	if (sp->len - o < nl + 1 + vl || memcmp(sp->msg + o, name, nl) != 0 ||
	    sp->msg[o + nl] != ':' || memcmp(sp->msg + o + nl + 1, value, vl) != 0)
		return gw_splice_fail(sp, "header field not located");
	*start = o;
	*end = o + nl + 1 + vl;
	return 0;
}

/*
 * set_field - the part's fields called name become the one field
 * "name:value" (value with its leading blank; its line end is the
 * field's own, CR LF for a new field): the first is
 * replaced, the others removed; without one, the field is added at the
 * end of the part's header section (at), or to the top section.
 */
int
gw_splice_set_field(struct gw_splice *sp, GMimeObject *o, int top, size_t at,
	  const char *name, const char *value)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(o);
	int i, n = g_mime_header_list_get_count(hl), done = 0;
	size_t vl = strlen(value);
	struct addr_buf f;

	while (vl > 0 && (value[vl - 1] == '\r' || value[vl - 1] == '\n'))
		vl--;
	addr_buf_init(&f);
	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		size_t s, e;

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) != 0)
			continue;
		if (gw_splice_field_span(sp, h, &s, &e) != 0)
			break;
		if (!done) {
			/* the field keeps its line end, or its lack of one
			 * at the very end of the input: the fields added
			 * after it start a line anyway (see assemble) */
			addr_buf_puts(&f, g_mime_header_get_raw_name(h));
			addr_buf_putc(&f, ':');
			addr_buf_put(&f, value, vl);
			if (sp->msg[e - 1] == '\n')
				addr_buf_puts(&f, "\r\n");
			gw_splice_push(sp, s, e, f.ptr, f.size);
			done = 1;
		} else {
			gw_splice_push(sp, s, e, "", 0);
		}
	}
	if (!sp->bad && !done) {
		addr_buf_puts(&f, name);
		addr_buf_putc(&f, ':');
		addr_buf_put(&f, value, vl);
		addr_buf_puts(&f, "\r\n");
		if (top) {
			addr_buf_put(&sp->top, f.ptr, f.size);
		} else {
			struct gw_splice_edit *ed = gw_splice_push(sp, at, at, f.ptr, f.size);

			if (ed != NULL)
				ed->line = 1;
		}
	}
	if (f.oom)
		sp->oom = 1;
	addr_buf_free(&f);
	if (top)
		sp->top_mime = 1;
	return sp->bad ? -1 : 0;
}

/* gw_splice_body_range - the part's body in msg[*bs..*be); 1, 0 without a body */
int
gw_splice_body_range(struct gw_splice *sp, GMimePart *p, size_t *bs, size_t *be)
{
	GMimeDataWrapper *w = g_mime_part_get_content(p);
	GMimeStream *s;

	if (w == NULL)
		return 0;
	s = g_mime_data_wrapper_get_stream(w);
	if (s == NULL || !GMIME_IS_STREAM_MEM(s) ||
	    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s)) != sp->src)
		return gw_splice_fail(sp, "part not located");
	if (s->bound_start < 0 || (guint64)s->bound_start > (guint64)sp->len ||
	    (s->bound_end >= 0 && (s->bound_end < s->bound_start ||
	    (guint64)s->bound_end > (guint64)sp->len)))
		return gw_splice_fail(sp, "part not located");
	*bs = (size_t)s->bound_start;
	*be = s->bound_end < 0 ? sp->len : (size_t)s->bound_end;
	/* GMime 3.2.13 takes the line end before a boundary line for CR LF
	 * when the boundary line ends in CR LF: before a bare LF it cuts
	 * the body's last octet off. Put it back. */
	if (sp->len - *be >= 2 && sp->msg[*be] != '\r' && sp->msg[*be] != '\n' &&
	    sp->msg[*be + 1] == '\n')
		(*be)++;
	/* the body ends at the end, at a line end, or (empty) right at
	 * the next boundary line */
	if (*be < sp->len && sp->msg[*be] != '\r' && sp->msg[*be] != '\n' &&
	    !(*be == *bs && sp->msg[*be] == '-'))
		return gw_splice_fail(sp, "part not located");
	return 1;
}

/* gw_splice_header_end - where a sub-part's header section ends: the start of
 * the empty line before its body at bs */
int
gw_splice_header_end(struct gw_splice *sp, size_t bs, size_t *at)
{
	const char *m = sp->msg;

	if (bs >= 2 && m[bs - 2] == '\r' && m[bs - 1] == '\n' &&
	    (bs == 2 || m[bs - 3] == '\n'))
		*at = bs - 2;
	else if (bs >= 1 && m[bs - 1] == '\n' && (bs == 1 || m[bs - 2] == '\n'))
		*at = bs - 1;
	else
		return gw_splice_fail(sp, "part not located");
	return 0;
}

/* gw_splice_read - GMime's reading of msg[0..len), NULL when it has none; *src
 * (nullable): the array of the stream the parts point into;
 * *headers_end (nullable): where the top header section ends, or -1 */
GMimeMessage *
gw_splice_read(const char *msg, size_t len, GByteArray **src, gint64 *headers_end)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *m;

	if (src != NULL)
		*src = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	g_object_unref(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	m = g_mime_parser_construct_message(parser, NULL);
	if (headers_end != NULL)
		*headers_end = g_mime_parser_get_headers_end(parser);
	g_object_unref(parser);
	return m;
}

/* gw_splice_shape - the MIME tree under o as text: "type/sub(child,...)" */
void
gw_splice_shape(GString *s, GMimeObject *o, int depth)
{
	GMimeContentType *ct = o ? g_mime_object_get_content_type(o) : NULL;
	char *t = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	int i, n;

	g_string_append(s, t ? t : "-");
	g_free(t);
	if (o == NULL || !GMIME_IS_MULTIPART(o) || depth > 2 * GW_MIME_MAX_DEPTH)
		return;
	n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
	g_string_append_c(s, '(');
	for (i = 0; i < n; i++) {
		if (i > 0)
			g_string_append_c(s, ',');
		gw_splice_shape(s, g_mime_multipart_get_part(GMIME_MULTIPART(o), i),
		    depth + 1);
	}
	g_string_append_c(s, ')');
}

/* gw_splice_assemble - the input with every edit applied, into out */
int
gw_splice_assemble(struct gw_splice *sp, struct addr_buf *out)
{
	size_t i, pos = 0;

	struct gw_splice_edit *ed = (struct gw_splice_edit *)(void *)sp->ed.ptr;
	size_t ned = sp->ed.size / sizeof(*ed);

	qsort(ed, ned, sizeof(*ed), edit_cmp);
	addr_buf_clear(out);
	for (i = 0; i < ned; i++) {
		const struct gw_splice_edit *e = &ed[i];

		if (e->start < pos || e->end < e->start || e->end > sp->len)
			return gw_splice_fail(sp, "overlapping changes");
		addr_buf_put(out, sp->msg + pos, e->start - pos);
		if (e->line && out->size > 0 && out->ptr[out->size - 1] != '\n')
			addr_buf_puts(out, "\r\n");
		addr_buf_put(out, sp->pool.ptr + e->off, e->n);
		pos = e->end;
	}
	addr_buf_put(out, sp->msg + pos, sp->len - pos);
	return out->oom ? gw_splice_fail(sp, "out of memory") : 0;
}

GMimeMessage *
gw_splice_reread(const struct gw_splice *sp, const struct addr_buf *out)
{
	GMimeMessage *m = gw_splice_read(out->ptr, out->size, NULL, NULL);
	GString *a, *b;
	int same;

	if (m == NULL)
		return NULL;
	a = g_string_new(NULL);
	b = g_string_new(NULL);
	gw_splice_shape(a, g_mime_message_get_mime_part(sp->message), 0);
	gw_splice_shape(b, g_mime_message_get_mime_part(m), 0);
	same = strcmp(a->str, b->str) == 0;
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
	if (!same) {
		g_object_unref(m);
		return NULL;
	}
	return m;
}
