/*
 * dir_write_par.c - a writer's entries formatted by worker threads
 *
 * EXPORTS
 *	addr__write_par()	the entries of a directory in chunks, each
 *				formatted by whichever thread is free, handed
 *				to the output in order
 *
 * The LDIF and DSML writers (io_ldif.c, io_dsml.c) use it when the
 * directory has worker threads (addr_dir_set_threads); their bytes are
 * the same either way.
 */
#include <pthread.h>
#include <string.h>
#include "dir_int.h"

#define MAXW 8			/* as addr_dir_set_threads allows */

enum { W_FREE, W_BUSY, W_DONE };

/*
 * addr__write_par - a writer's entries formatted by d's workers: the
 * entries in chunks of WCHUNK, each chunk into a buffer of its own by
 * whichever worker is free, the buffers handed to fn in entry order by
 * the calling thread. 2 * workers + 1 buffers are in use at a time, so
 * the memory stays a few MiB whatever d's size.
 */
#define WCHUNK 2048

struct wslot {
	struct addr_buf b;
	int state;		/* W_FREE, W_BUSY (being made), W_DONE */
	int rc;
};

struct wpar {
	const struct addr_dir *d;
	addr__entry_fmt one;
	void *octx;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t nchunks, take;	/* chunks; the next one to make */
	int stop;
	size_t ns;
	struct wslot s[2 * MAXW + 1];
};

static void *wworker(void *arg)
{
	struct wpar *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct wslot *sl;
		size_t k, end;
		int rc;

		while (!w->stop && w->take < w->nchunks &&
		       w->s[w->take % w->ns].state != W_FREE)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop || w->take >= w->nchunks)
			break;
		k = w->take++;
		sl = &w->s[k % w->ns];
		sl->state = W_BUSY;
		pthread_mutex_unlock(&w->mu);
		end = (k + 1) * WCHUNK < w->d->n ? (k + 1) * WCHUNK : w->d->n;
		rc = w->one(w->octx, &sl->b, w->d, k * WCHUNK, end);
		if (rc == 0 && sl->b.oom)
			rc = ADDR_ENOMEM;
		pthread_mutex_lock(&w->mu);
		sl->rc = rc;
		sl->state = W_DONE;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int addr__write_par(const struct addr_dir *d, addr__entry_fmt one, void *octx,
		    addr_write_fn fn, void *ctx)
{
	struct wpar w;
	pthread_t t[MAXW];
	size_t nt = 0, nw, c, i;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	w.d = d;
	w.one = one;
	w.octx = octx;
	w.nchunks = (d->n + WCHUNK - 1) / WCHUNK;
	/* one formatter more than d's workers: the calling thread only
	 * waits and writes, where a load keeps it reading */
	nw = d->nthreads + 1 < MAXW ? d->nthreads + 1 : MAXW;
	w.ns = 2 * nw + 1;
	for (i = 0; i < w.ns; i++)
		addr_buf_init(&w.s[i].b);
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	for (i = 0; i < nw; i++)
		if (pthread_create(&t[nt], NULL, wworker, &w) == 0)
			nt++;
	if (nt == 0)
		rc = ADDR_ENOMEM;
	for (c = 0; c < w.nchunks && rc == 0; c++) {
		struct wslot *sl = &w.s[c % w.ns];

		pthread_mutex_lock(&w.mu);
		while (sl->state != W_DONE)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		rc = sl->rc;
		if (rc == 0 && sl->b.size > 0 &&
		    fn(ctx, sl->b.ptr, sl->b.size) < 0)
			rc = ADDR_EIO;
		addr_buf_clear(&sl->b);
		pthread_mutex_lock(&w.mu);
		sl->state = W_FREE;
		pthread_cond_broadcast(&w.cv);
		pthread_mutex_unlock(&w.mu);
	}
	pthread_mutex_lock(&w.mu);
	w.stop = 1;
	pthread_cond_broadcast(&w.cv);
	pthread_mutex_unlock(&w.mu);
	for (i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < w.ns; i++)
		addr_buf_free(&w.s[i].b);
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	return rc;
}
