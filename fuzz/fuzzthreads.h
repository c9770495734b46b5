/*
 * fuzzthreads.h - a load or a change run with and without worker threads
 *
 * DESCRIPTION
 *	fz_same_threads runs one input twice, without workers and with one
 *	(addr_dir_set_threads), and requires the same result, the same
 *	report (every diagnostic, field by field, in order) and the same
 *	directory written as LDIF: dir_pipe.c promises that a run with
 *	workers reads exactly as one without. The input is either a
 *	directory file loaded into a new directory (go: a load function)
 *	or a change file applied to base (go: a change-run function); the
 *	change runs read their input through mem_rd in pieces of at most
 *	997 octets, so records cross reads.
 *
 *	Both runs also stream the directory as it grows
 *	(addr_dir_stream_begin: LDIF without workers, DSML with one): when
 *	addr_dir_stream_end says the stream held, its octets must be those
 *	of the writer on the result.
 */
#ifndef FUZZTHREADS_H
#define FUZZTHREADS_H

#include <string.h>
#include "addr.h"
#include "fuzz.h"

struct fz_memrd {
	const char *p;
	size_t left;
};

static long fz_mem_rd(void *ctx, char *buf, size_t cap)
{
	struct fz_memrd *m = ctx;
	size_t n = m->left < cap ? m->left : cap;

	if (n > 997)
		n = 997;	/* records across reads */
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

/* fz_go - load or apply text into d, diagnostics into rep; the
 * library call's result */
typedef int (*fz_go)(struct addr_dir *d, const char *text, size_t len,
		     struct addr_dir_report *rep);

struct fz_run {
	int rc;
	struct addr_dir_report rep;
	struct addr_buf out;
};

static int fz_stream_put(void *ctx, const char *buf, size_t len)
{
	addr_buf_put(ctx, buf, len);
	return 0;
}

/* fz_run - go on a new directory (base loaded into it first when not
 * NULL, and the change check run after) with threads workers */
static void fz_run(struct fz_run *r, fz_go go, const char *text, size_t len,
		   unsigned dflags, const char *base, unsigned threads)
{
	struct addr_dir *d;
	struct addr_buf st, w;
	int fmt = threads ? ADDR_DIR_STREAM_DSML : ADDR_DIR_STREAM_LDIF;
	int streaming, held;

	r->rc = ADDR_ENOMEM;
	addr_dir_report_init(&r->rep);
	addr_buf_init(&r->out);
	addr_buf_init(&st);
	addr_buf_init(&w);
	if (addr_dir_new(&d, dflags) < 0)
		return;
	if (base != NULL &&
	    addr_dir_load_ldif(d, base, strlen(base), NULL, 0, NULL) != 0) {
		addr_dir_free(d);
		return;
	}
	addr_dir_set_threads(d, threads);
	streaming = addr_dir_stream_begin(d, fmt, fz_stream_put, &st) == 0;
	r->rc = go(d, text, len, &r->rep);
	if (r->rc >= 0 && base != NULL)
		r->rc = addr_dir_apply_check(d, "d", "c", &r->rep);
	held = streaming ? addr_dir_stream_end(d) : 0;
	FZ_CHECK(held == 0 || held == 1, "stream: end");
	if (held == 1 && !st.oom &&
	    (fmt == ADDR_DIR_STREAM_DSML ? addr_dir_write_dsml(d, &w) :
	     addr_dir_write_ldif(d, &w)) == 0)
		FZ_CHECK(st.size == w.size &&
			 memcmp(st.ptr, w.ptr, w.size) == 0,
			 "stream: the writer's octets");
	if (r->rc >= 0)
		(void)addr_dir_write_ldif(d, &r->out);
	addr_buf_free(&st);
	addr_buf_free(&w);
	addr_dir_free(d);
}

static void fz_same_threads(fz_go go, const char *text, size_t len,
			    unsigned dflags, const char *base)
{
	struct fz_run a, b;
	size_t i;

	fz_run(&a, go, text, len, dflags, base, 0);
	fz_run(&b, go, text, len, dflags, base, 1);
	if (a.rc != ADDR_ENOMEM && b.rc != ADDR_ENOMEM &&
	    !a.rep.oom && !b.rep.oom) {
		FZ_CHECK(a.rc == b.rc && a.rep.n == b.rep.n &&
			 a.rep.nerrors == b.rep.nerrors, "threads: result");
		for (i = 0; i < a.rep.n; i++) {
			const struct addr_dir_diag *x = &a.rep.diag[i];
			const struct addr_dir_diag *y = &b.rep.diag[i];

			FZ_CHECK(x->line == y->line && x->column == y->column &&
				 x->severity == y->severity &&
				 strcmp(x->rule, y->rule) == 0 &&
				 strcmp(x->message, y->message) == 0,
				 "threads: same diagnostic");
		}
		FZ_CHECK(a.out.size == b.out.size &&
			 memcmp(a.out.ptr, b.out.ptr, a.out.size) == 0,
			 "threads: same directory");
	}
	addr_dir_report_free(&a.rep);
	addr_dir_report_free(&b.rep);
	addr_buf_free(&a.out);
	addr_buf_free(&b.out);
}

#endif
