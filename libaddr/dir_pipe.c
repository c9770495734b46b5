/*
 * dir_pipe.c - a directory load with entries made ahead by worker threads
 *
 * EXPORTS
 *	addr__pipe_new(), addr__pipe_push(), addr__pipe_finish()
 *
 * Two thirds of a load's instructions go into making an entry from its
 * record and checking it against the model (addr__dir_entry_of,
 * addr__entry_prepare), which needs nothing of the directory. With
 * workers, the loading thread only reads records and copies them into
 * batches; a worker makes and prepares the entries of a batch; the
 * loading thread then takes the batches back in the order it gave them
 * out and does what does depend on the directory (the DN check, the
 * insert) record by record, in file order, exactly as a load without
 * workers does. The diagnostics a worker finds are kept with their
 * record (struct addr__dcap) and replayed into the caller's sink at that
 * record's turn, so reports, first errors and counts are the same as
 * without workers.
 *
 * Memory: at most NBATCH batches of BATCH records are in flight.
 */
#include <pthread.h>
#include <string.h>
#include "dir_int.h"

#define BATCH 256
#define MAXW 8			/* workers */

enum { B_FREE, B_FILLING, B_QUEUED, B_DONE };

struct batch {
	int state;
	size_t n;		/* records */
	struct addr_ldif_record rec[BATCH];
	size_t last[BATCH];	/* record i's last line */
	struct addr_ldif_item *items;	/* all records' items */
	size_t nitems, icap;
	char *bytes;		/* DNs, names and values */
	size_t used, bcap;
	/* made by the worker */
	struct addr_dir_entry *e[BATCH];
	int rc[BATCH];
	size_t dfirst[BATCH + 1];	/* record i's diagnostics in cap */
	struct addr__dcap cap;
	struct batch *next;	/* in the queue */
};

struct addr__pipe {
	struct addr_dir *d;
	const char *file;	/* the caller's sink's, for diagnostics */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct batch *qhead, *qtail;	/* queued, not yet taken */
	int stop;
	size_t nw;
	pthread_t w[MAXW];
	void (*before)(void *ctx, size_t line);	/* nullable */
	void *before_ctx;
	size_t nb;		/* batches in the ring */
	struct batch *b;
	size_t head;		/* oldest batch not given back */
	size_t fill;		/* the batch being filled */
	size_t out;		/* batches given out, not yet back */
	int err;		/* ADDR_ENOMEM seen: push and finish fail */
};

/* --------------------------------------------------------- worker side */

/* work - make and prepare the entries of b */
static void work(struct addr__pipe *p, struct batch *b)
{
	struct addr__sink s;
	size_t i;

	addr__sink_init(&s, NULL, NULL, p->file);
	s.cap = &b->cap;
	for (i = 0; i < b->n; i++) {
		struct addr_dir_entry *e = NULL;
		int rc;

		b->dfirst[i] = b->cap.n;
		s.line = b->rec[i].line;
		s.column = 0;
		rc = addr__dir_entry_of(&e, &b->rec[i], &s);
		if (rc == 0 && e != NULL) {
			rc = addr__entry_prepare(e, p->d->flags, &s);
			if (rc > 0)
				rc = 0;
		}
		if (rc == 0 && s.fatal)
			rc = ADDR_ENOMEM;
		if (rc < 0) {
			addr_dir_entry_free(e);
			e = NULL;
		}
		b->e[i] = e;
		b->rc[i] = rc;
	}
	b->dfirst[b->n] = b->cap.n;
}

static void *worker(void *arg)
{
	struct addr__pipe *p = arg;
	struct batch *b;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->qhead == NULL && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->qhead == NULL)
			break;
		b = p->qhead;
		p->qhead = b->next;
		if (p->qhead == NULL)
			p->qtail = NULL;
		pthread_mutex_unlock(&p->mu);
		work(p, b);
		pthread_mutex_lock(&p->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* -------------------------------------------------------- loading side */

static void batch_reset(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		addr_dir_entry_free(b->e[i]);
	addr__dcap_free(&b->cap);
	memset(b->e, 0, sizeof(b->e));
	b->n = 0;
	b->nitems = 0;
	b->used = 0;
	b->state = B_FREE;
}

/* room - grow an array of elem-sized slots to hold need; 0 or ENOMEM */
static int room(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t nc = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (nc < need) {
		if (nc > ((size_t)-1) / 2 / elem)
			return ADDR_ENOMEM;
		nc *= 2;
	}
	if ((q = addr__realloc(*p, nc * elem)) == NULL)
		return ADDR_ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

/* put - a copy of s[0..n) in b->bytes; its offset in *off */
static void put(struct batch *b, const char *s, size_t n, size_t *off)
{
	*off = b->used;
	if (n > 0)
		memcpy(b->bytes + b->used, s, n);
	b->bytes[b->used + n] = '\0';
	b->used += n + 1;
}

/* copy - rec into b; strings as offsets until seal */
static int copy(struct batch *b, const struct addr_ldif_record *rec)
{
	struct addr_ldif_record *r = &b->rec[b->n];
	size_t need = rec->dn.len + 1, i, off;

	for (i = 0; i < rec->nitem; i++) {
		size_t a = rec->item[i].name.len + rec->item[i].value.len + 2;

		if (need > ((size_t)-1) / 2 - a)
			return ADDR_ENOMEM;
		need += a;
	}
	if (need > ((size_t)-1) / 2 - b->used ||
	    rec->nitem > ((size_t)-1) / 2 - b->nitems ||
	    room(&b->bytes, &b->bcap, b->used + need, 1) < 0 ||
	    room(&b->items, &b->icap, b->nitems + rec->nitem,
		 sizeof(*b->items)) < 0)
		return ADDR_ENOMEM;
	*r = *rec;
	b->last[b->n] = rec->line;
	put(b, rec->dn.ptr, rec->dn.len, &off);
	r->dn.ptr = (const char *)(uintptr_t)off;
	r->item = (const struct addr_ldif_item *)(uintptr_t)b->nitems;
	for (i = 0; i < rec->nitem; i++) {
		struct addr_ldif_item *it = &b->items[b->nitems++];

		*it = rec->item[i];
		if (it->line > b->last[b->n])
			b->last[b->n] = it->line;
		put(b, it->name.ptr, it->name.len, &off);
		it->name.ptr = (const char *)(uintptr_t)off;
		put(b, it->value.ptr, it->value.len, &off);
		it->value.ptr = (const char *)(uintptr_t)off;
	}
	b->n++;
	return 0;
}

/* seal - the offsets of b's records as pointers (the arrays no longer
 * move) */
static void seal(struct batch *b)
{
	size_t i, j;

	for (i = 0; i < b->nitems; i++) {
		b->items[i].name.ptr = b->bytes + (uintptr_t)b->items[i].name.ptr;
		b->items[i].value.ptr = b->bytes +
					(uintptr_t)b->items[i].value.ptr;
	}
	for (i = 0; i < b->n; i++) {
		struct addr_ldif_record *r = &b->rec[i];

		r->dn.ptr = b->bytes + (uintptr_t)r->dn.ptr;
		j = (uintptr_t)r->item;
		r->item = b->items + j;
	}
}

static void submit(struct addr__pipe *p, struct batch *b)
{
	seal(b);
	pthread_mutex_lock(&p->mu);
	b->state = B_QUEUED;
	b->next = NULL;
	if (p->qtail != NULL)
		p->qtail->next = b;
	else
		p->qhead = b;
	p->qtail = b;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* take_back - wait for batch b, then replay and insert its records in
 * order; 0 or ADDR_ENOMEM */
static int take_back(struct addr__pipe *p, struct batch *b,
		     struct addr__sink *s)
{
	size_t i, k;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < b->n && rc == 0; i++) {
		if (p->before != NULL)
			p->before(p->before_ctx, b->last[i]);
		for (k = b->dfirst[i]; k < b->dfirst[i + 1]; k++)
			addr__sink_replay(s, &b->cap.d[k]);
		if (b->rc[i] < 0)
			rc = b->rc[i];
		else if (b->e[i] != NULL) {
			struct addr_dir_entry *e = b->e[i];

			b->e[i] = NULL;	/* the directory's, or freed */
			rc = addr__dir_load_prepared(p->d, e, s);
		}
	}
	batch_reset(b);
	return rc;
}

int addr__pipe_new(struct addr__pipe **out, struct addr_dir *d,
		   const char *file, size_t nworkers,
		   void (*before)(void *ctx, size_t line), void *before_ctx)
{
	struct addr__pipe *p;
	size_t i;

	*out = NULL;
	if (nworkers == 0 || nworkers > MAXW)
		return ADDR_EINVAL;
	if ((p = addr__malloc(sizeof(*p))) == NULL)
		return ADDR_ENOMEM;
	memset(p, 0, sizeof(*p));
	p->d = d;
	p->file = file;
	p->before = before;
	p->before_ctx = before_ctx;
	/* one batch per worker at work, one waiting for each, one being
	 * filled */
	p->nb = 2 * nworkers + 1;
	if ((p->b = addr__malloc(p->nb * sizeof(*p->b))) == NULL) {
		addr__free(p);
		return ADDR_ENOMEM;
	}
	memset(p->b, 0, p->nb * sizeof(*p->b));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < nworkers; i++) {
		if (pthread_create(&p->w[i], NULL, worker, p) != 0)
			break;
		p->nw++;
	}
	if (p->nw == 0) {
		addr__pipe_finish(p, NULL);
		return ADDR_ENOMEM;
	}
	p->b[0].state = B_FILLING;
	*out = p;
	return 0;
}

int addr__pipe_push(struct addr__pipe *p, const struct addr_ldif_record *rec,
		    struct addr__sink *s)
{
	struct batch *b = &p->b[p->fill];

	if (p->err < 0)
		return p->err;
	if (copy(b, rec) < 0)
		return p->err = ADDR_ENOMEM;
	if (b->n < BATCH)
		return 0;
	submit(p, b);
	p->out++;
	p->fill = (p->fill + 1) % p->nb;
	/* the ring is full: the oldest batch comes back first */
	if (p->out == p->nb) {
		int rc = take_back(p, &p->b[p->head], s);

		p->head = (p->head + 1) % p->nb;
		p->out--;
		if (rc < 0)
			return p->err = rc;
	}
	p->b[p->fill].state = B_FILLING;
	return 0;
}

int addr__pipe_finish(struct addr__pipe *p, struct addr__sink *s)
{
	size_t i;
	int rc;

	if (p == NULL)
		return 0;
	rc = p->err;
	/* the last, partial batch, then every batch in order */
	if (s != NULL && rc == 0 && p->b[p->fill].state == B_FILLING &&
	    p->b[p->fill].n > 0) {
		submit(p, &p->b[p->fill]);
		p->out++;
		p->fill = (p->fill + 1) % p->nb;
	}
	for (; s != NULL && p->out > 0; p->out--) {
		int r = rc == 0 ? take_back(p, &p->b[p->head], s) : 0;

		if (rc != 0) {	/* failed: wait for it, drop it */
			pthread_mutex_lock(&p->mu);
			while (p->b[p->head].state == B_QUEUED)
				pthread_cond_wait(&p->done, &p->mu);
			pthread_mutex_unlock(&p->mu);
			batch_reset(&p->b[p->head]);
		}
		if (r < 0)
			rc = r;
		p->head = (p->head + 1) % p->nb;
	}
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nw; i++)
		pthread_join(p->w[i], NULL);
	for (i = 0; i < p->nb; i++) {
		batch_reset(&p->b[i]);
		addr__free(p->b[i].items);
		addr__free(p->b[i].bytes);
	}
	addr__free(p->b);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	addr__free(p);
	return rc;
}
