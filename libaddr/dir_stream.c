/*
 * dir_stream.c - a directory written while it grows
 *
 * EXPORTS
 *	addr_dir_stream_begin()	write d, and what is appended to it later
 *	addr_dir_stream_end()	finish that document, if it still is d
 *	addr__stream_step()	after each record a run consumes
 *	addr__stream_free()	from addr_dir_free
 *
 * An import into a new or growing directory file spends as long writing
 * the result as reading the change file, while the processors are not
 * both busy during the reading (a DSML change file: the reading thread
 * is libxml2's parse, the worker waits half the time). So the result is
 * written as it is made: the document's head and the entries d holds
 * when the stream begins, then, by the thread that consumes records
 * (dir_pipe.c), every chunk of entries the run appends, each formatted
 * exactly as the writer formats it; addr_dir_stream_end adds the rest
 * and the tail. The octets are the writer's only while d grows at its
 * end: an entry changed, replaced or removed (d->edits), or one the
 * format cannot carry, ends the stream (a "no" from addr_dir_stream_end,
 * never a wrong document), and the caller writes d again.
 */
#include <string.h>
#include "dir_int.h"

/* entries written at a time: a writer of their own each (DSML: an
 * xmlTextWriter), paid for once per chunk */
#define SCHUNK 256

struct addr__stream {
	int fmt;		/* ADDR_DIR_STREAM_* */
	addr_write_fn fn;
	void *ctx;
	size_t next;		/* entries [0, next) are written */
	uint64_t edits;		/* d->edits when they were */
	int state;		/* S_LIVE, S_DEAD (given up), S_FAIL (fn) */
	struct addr_buf buf;	/* a chunk's octets */
	struct addr_buf tail;	/* the document's last octets */
};

enum { S_LIVE, S_DEAD, S_FAIL };

/* put - entries [s->next, to) of d to fn; gives up on what the format
 * cannot carry (unless checked already) or memory it cannot have (the
 * caller's writer, run again, reports those) */
static void put(struct addr_dir *d, struct addr__stream *s, size_t to,
		int checked)
{
	int rc;

	if (s->state != S_LIVE || to <= s->next)
		return;
	if (s->fmt == ADDR_DIR_STREAM_DSML && !checked &&
	    !addr__dsml_entries_ok(d, s->next, to)) {
		s->state = S_DEAD;
		return;
	}
	addr_buf_clear(&s->buf);
	rc = s->fmt == ADDR_DIR_STREAM_DSML ?
	     addr__dsml_range(NULL, &s->buf, d, s->next, to) :
	     addr__ldif_entries(NULL, &s->buf, d, s->next, to);
	if (rc < 0 || s->buf.oom) {
		s->state = S_DEAD;
		return;
	}
	if (s->buf.size > 0 && s->fn(s->ctx, s->buf.ptr, s->buf.size) < 0) {
		s->state = S_FAIL;
		return;
	}
	s->next = to;
}

void addr__stream_step(struct addr_dir *d)
{
	struct addr__stream *s = d->stream;

	if (s == NULL || s->state != S_LIVE)
		return;
	if (d->edits != s->edits || d->n < s->next) {
		s->state = S_DEAD;
		return;
	}
	if (d->n - s->next >= SCHUNK)
		put(d, s, d->n, 0);
}

void addr__stream_free(struct addr_dir *d)
{
	if (d->stream == NULL)
		return;
	addr_buf_free(&d->stream->buf);
	addr_buf_free(&d->stream->tail);
	addr__free(d->stream);
	d->stream = NULL;
}

int addr_dir_stream_begin(struct addr_dir *d, int fmt, addr_write_fn fn,
			  void *ctx)
{
	struct addr__stream *s;
	struct addr_buf head;
	int rc = 0;

	if (fmt != ADDR_DIR_STREAM_LDIF && fmt != ADDR_DIR_STREAM_DSML)
		return ADDR_EINVAL;
	/* as the DSML writer: nothing written for what it cannot carry */
	if (fmt == ADDR_DIR_STREAM_DSML && !addr__dsml_entries_ok(d, 0, d->n))
		return ADDR_ESYNTAX;
	addr__stream_free(d);
	if ((s = addr__malloc(sizeof(*s))) == NULL)
		return ADDR_ENOMEM;
	memset(s, 0, sizeof(*s));
	s->fmt = fmt;
	s->fn = fn;
	s->ctx = ctx;
	s->edits = d->edits;
	addr_buf_init(&s->buf);
	addr_buf_init(&s->tail);
	addr_buf_init(&head);
	if (fmt == ADDR_DIR_STREAM_DSML)
		rc = addr__dsml_frame(&head, &s->tail);
	else if (addr_buf_puts(&head, "version: 1\n"), head.oom)
		rc = ADDR_ENOMEM;
	if (rc == 0 && fn(ctx, head.ptr, head.size) < 0)
		rc = ADDR_EIO;
	addr_buf_free(&head);
	/* what d holds now, as its writer writes it (in parallel with d's
	 * workers) */
	if (rc == 0 && d->n > 0 && d->nthreads > 0) {
		rc = addr__write_par(d, fmt == ADDR_DIR_STREAM_DSML ?
				     addr__dsml_range : addr__ldif_entries,
				     NULL, fn, ctx);
		s->next = d->n;
	} else if (rc == 0) {
		put(d, s, d->n, 1);	/* checked above */
		rc = s->state == S_FAIL ? ADDR_EIO :
		     s->state == S_DEAD ? ADDR_ENOMEM : 0;
	}
	if (rc < 0) {
		addr_buf_free(&s->buf);
		addr_buf_free(&s->tail);
		addr__free(s);
		return rc;
	}
	d->stream = s;
	return 0;
}

int addr_dir_stream_end(struct addr_dir *d)
{
	struct addr__stream *s = d->stream;
	int rc;

	if (s == NULL)
		return ADDR_EINVAL;
	if (s->state == S_LIVE && (d->edits != s->edits || d->n < s->next))
		s->state = S_DEAD;
	put(d, s, d->n, 0);
	if (s->state == S_LIVE && s->tail.size > 0 &&
	    s->fn(s->ctx, s->tail.ptr, s->tail.size) < 0)
		s->state = S_FAIL;
	rc = s->state == S_LIVE ? 1 : s->state == S_DEAD ? 0 : ADDR_EIO;
	addr__stream_free(d);
	return rc;
}
