/*
 * dir_pipe.c - records read, entries made ahead by worker threads
 *
 * EXPORTS
 *	addr__pipe_run()	a reader's records through a consumer, in
 *				order, with or without workers
 *	addr__piped_replay()	a worker's diagnostics into a sink
 *	addr__piped_load()	a content record's consumer
 *
 * Two thirds of a load's instructions go into making an entry from its
 * record and checking it against the model (addr__dir_entry_of,
 * addr__entry_prepare), which needs nothing of the directory. With
 * workers (addr_dir_set_threads), the reading thread only reads records
 * and copies them into batches; a worker makes and prepares the entries
 * of a batch; the reading thread then takes the batches back in the
 * order it gave them out and hands each record, with its entry, to the
 * consumer (a load's insert, a change's apply), which does what depends
 * on the directory record by record, in file order, exactly as without
 * workers. The diagnostics a worker finds are kept with their record
 * (struct addr__dcap) for the consumer to replay at that record's turn,
 * and the reader's own diagnostics are merged in the order it made
 * them, so reports, first errors and counts are the same as without
 * workers.
 *
 * When reading is the longer side (DSML: the reading thread is
 * libxml2's parse), the workers also consume: a worker takes its
 * batch's turn (batches are consumed in the order given out), hands
 * each record to the consumer with a sink that keeps the diagnostics,
 * and the reading thread only replays them in order. The reading
 * thread then touches nothing of the directory.
 *
 * Memory: at most 2 * workers + 14 batches of BATCH records are in
 * flight.
 */
#include <pthread.h>
#include <string.h>
#include "dir_int.h"

#define BATCH 256
#define PREFETCH 8		/* records ahead whose slots are fetched */
#define MAXW 8			/* workers */

enum { B_FREE, B_FILLING, B_QUEUED, B_DONE };

struct batch {
	int state;
	size_t n;		/* records */
	struct addr_ldif_record rec[BATCH];
	size_t mark[BATCH];	/* how many diagnostics the reader had
				 * made when it handed record i over */
	struct addr_ldif_item *items;	/* all records' items */
	size_t nitems, icap;
	char *bytes;		/* DNs, names and values */
	size_t used, bcap;
	/* made by the worker */
	struct addr_dir_entry *e[BATCH];
	int rc[BATCH];
	unsigned char made[BATCH];
	size_t nerr[BATCH];
	/* the DN key of each record made, found by the reading thread (it
	 * has the time: the workers' share is the larger) */
	uint32_t dnh[BATCH];
	signed char dnrc[BATCH];	/* 0, ADDR_ESYNTAX or ADDR_ENOMEM */
	/* and its addr__entry_plan, per item (parallel to items) */
	struct addr__fillsize sz[BATCH];
	unsigned char planned[BATCH];
	const char **pn;
	size_t pncap;
	size_t dfirst[BATCH + 1];	/* record i's diagnostics in cap */
	struct addr__dcap cap;
	/* consumed by the worker (wc): record i's consumer diagnostics
	 * in ccap from cfirst[i], its consumer's result in crc[i]; the
	 * first ncons records were consumed */
	int wc;
	size_t seq;		/* the order it was given out in */
	size_t ncons;
	int crc[BATCH];
	size_t cfirst[BATCH + 1];
	struct addr__dcap ccap;
	struct batch *next;	/* in the queue */
};

struct addr__pipe {
	struct addr_dir *d;
	int adds;		/* change records: adds are made ahead too */
	addr__pipe_fn consume;
	void *cctx;
	const char *file;	/* the caller's sink's, for diagnostics */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct batch *qhead, *qtail;	/* queued, not yet taken */
	unsigned queued;	/* batches in that queue: changed under mu,
				 * read without it by pipe_push (atomic) */
	int ahead;		/* the batch being filled gets its DN keys
				 * and fill plans from the reading thread */
	int wconsume;		/* the workers consume (see the top) */
	size_t nsub;		/* batches given out (reading thread) */
	size_t ncons;		/* batches consumed by workers, under mu */
	int cerr;		/* a worker's consumer failed, under mu */
	pthread_cond_t turn;	/* ncons moved */
	int stop;
	size_t nw;
	pthread_t w[MAXW];
	void (*before)(void *ctx, size_t mark);	/* nullable */
	void *before_ctx;
	size_t nb;		/* batches in the ring */
	struct batch *b;
	size_t head;		/* oldest batch not given back */
	size_t fill;		/* the batch being filled */
	size_t out;		/* batches given out, not yet back */
	int err;		/* ADDR_ENOMEM seen: push and finish fail */
	struct addr_buf dnbuf;	/* the reading thread's DN keys */
};

int addr__pipe_ahead = -1;
int addr__pipe_wconsume = -1;

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
		size_t before = s.nerrors;
		int rc;

		b->dfirst[i] = b->cap.n;
		b->e[i] = NULL;
		b->rc[i] = 0;
		b->nerr[i] = 0;
		if (!b->made[i])
			continue;
		s.line = b->rec[i].line;
		s.column = 0;
		rc = addr__dir_entry_of_planned(&e, &b->rec[i], &s,
						b->planned[i] && b->pn != NULL ?
						b->pn + (b->rec[i].item -
							 b->items) : NULL,
						&b->sz[i]);
		if (rc == 0 && e != NULL && b->dnrc[i] != ADDR_ENOMEM) {
			e->dnpre = 1;
			e->hasdn = b->dnrc[i] == 0;
			e->dnh = b->dnh[i];
		}
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
		b->nerr[i] = s.nerrors - before;
	}
	b->dfirst[b->n] = b->cap.n;
}

/* piped_of - record i of b as its consumer takes it, the index slots
 * of the record PREFETCH ahead on their way into the cache meanwhile */
static void piped_of(const struct addr__pipe *p, const struct batch *b,
		     size_t i, struct addr__piped *x)
{
	if (i + PREFETCH < b->n && b->e[i + PREFETCH] != NULL)
		addr__dir_prefetch(p->d, b->e[i + PREFETCH]);
	x->rec = &b->rec[i];
	x->made = b->made[i];
	x->e = b->e[i];
	x->rc = b->rc[i];
	x->nerr = b->nerr[i];
	/* no diagnostic kept: no array (NULL + 0 is undefined) */
	x->ndiag = b->dfirst[i + 1] - b->dfirst[i];
	x->diag = x->ndiag > 0 ? b->cap.d + b->dfirst[i] : NULL;
}

/* work_consume - b's records to the consumer, in the worker, once every
 * batch given out before b is consumed; diagnostics into b->ccap */
static void work_consume(struct addr__pipe *p, struct batch *b)
{
	struct addr__sink s;
	size_t i;
	int skip;

	pthread_mutex_lock(&p->mu);
	while (p->ncons != b->seq)
		pthread_cond_wait(&p->turn, &p->mu);
	/* a failed consumer, or a run given up: nothing more goes in */
	skip = p->cerr || p->stop;
	pthread_mutex_unlock(&p->mu);
	b->ncons = 0;
	b->cfirst[0] = 0;
	for (i = 0; i < b->n && !skip; i++) {
		struct addr__piped x;
		int rc;

		addr__sink_init(&s, NULL, NULL, p->file);
		s.cap = &b->ccap;
		piped_of(p, b, i, &x);
		rc = p->consume(p->cctx, &x, &s);
		addr__stream_step(p->d);
		if (rc >= 0 && s.fatal)
			rc = ADDR_ENOMEM;	/* a diagnostic not kept */
		b->e[i] = x.e;
		b->crc[i] = rc;
		b->cfirst[++b->ncons] = b->ccap.n;
		if (rc < 0)
			skip = 1;
	}
	pthread_mutex_lock(&p->mu);
	if (skip)
		p->cerr = 1;
	p->ncons++;
	pthread_cond_broadcast(&p->turn);
	pthread_mutex_unlock(&p->mu);
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
		__atomic_sub_fetch(&p->queued, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&p->mu);
		work(p, b);
		if (b->wc)
			work_consume(p, b);
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
	addr__dcap_free(&b->ccap);
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
		 sizeof(*b->items)) < 0 ||
	    room(&b->pn, &b->pncap, b->nitems + rec->nitem,
		 sizeof(*b->pn)) < 0)
		return ADDR_ENOMEM;
	*r = *rec;
	put(b, rec->dn.ptr, rec->dn.len, &off);
	r->dn.ptr = (const char *)(uintptr_t)off;
	r->item = (const struct addr_ldif_item *)(uintptr_t)b->nitems;
	for (i = 0; i < rec->nitem; i++) {
		struct addr_ldif_item *it = &b->items[b->nitems++];

		*it = rec->item[i];
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
		/* a batch of records without items has no item array */
		r->item = b->items != NULL ? b->items + j : NULL;
	}
}

static void submit(struct addr__pipe *p, struct batch *b)
{
	seal(b);
	b->wc = p->wconsume;
	b->seq = p->nsub++;
	pthread_mutex_lock(&p->mu);
	b->state = B_QUEUED;
	b->next = NULL;
	if (p->qtail != NULL)
		p->qtail->next = b;
	else
		p->qhead = b;
	p->qtail = b;
	__atomic_add_fetch(&p->queued, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void addr__piped_replay(struct addr__sink *s, const struct addr__piped *x)
{
	size_t k;

	for (k = 0; k < x->ndiag; k++)
		addr__sink_replay(s, &x->diag[k]);
}

int addr__piped_load(struct addr_dir *d, struct addr__piped *x,
		     struct addr__sink *s)
{
	struct addr_dir_entry *e;

	if (!x->made)
		return addr__dir_load_record(d, x->rec, s);
	addr__piped_replay(s, x);
	if (x->rc < 0 || x->e == NULL)
		return x->rc;
	e = x->e;
	x->e = NULL;
	return addr__dir_load_prepared(d, e, s);
}

/* take_back - wait for batch b, then hand its records to the consumer
 * in order; 0 or negative (the consumer's, or ADDR_ENOMEM) */
static int take_back(struct addr__pipe *p, struct batch *b,
		     struct addr__sink *s)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	/* consumed by the worker: its diagnostics, at their turn */
	for (i = 0; b->wc && i < b->n && rc >= 0; i++) {
		size_t k;

		if (i == b->ncons) {	/* never consumed: a failure before */
			rc = ADDR_ENOMEM;
			break;
		}
		if (p->before != NULL)
			p->before(p->before_ctx, b->mark[i]);
		for (k = b->cfirst[i]; k < b->cfirst[i + 1]; k++)
			addr__sink_replay(s, &b->ccap.d[k]);
		rc = b->crc[i];
	}
	for (i = 0; !b->wc && i < b->n && rc >= 0; i++) {
		struct addr__piped x;

		if (p->before != NULL)
			p->before(p->before_ctx, b->mark[i]);
		piped_of(p, b, i, &x);
		rc = p->consume(p->cctx, &x, s);
		addr__stream_step(p->d);
		b->e[i] = x.e;	/* NULL when the consumer took it */
	}
	batch_reset(b);
	return rc;
}

static int pipe_finish(struct addr__pipe *p, struct addr__sink *s);

static int pipe_new(struct addr__pipe **out, struct addr_dir *d,
		    const char *file, size_t nworkers,
		    void (*before)(void *ctx, size_t mark), void *before_ctx)
{
	struct addr__pipe *p;
	size_t i;

	*out = NULL;
	if (nworkers == 0 || nworkers > MAXW)
		return ADDR_EINVAL;
	if ((p = addr__malloc(sizeof(*p))) == NULL)
		return ADDR_ENOMEM;
	memset(p, 0, sizeof(*p));
	addr_buf_init(&p->dnbuf);
	p->d = d;
	p->file = file;
	p->before = before;
	p->before_ctx = before_ctx;
	/* one batch per worker at work, one waiting for each, one being
	 * filled, and a dozen more: the two sides' time per batch varies
	 * (page faults, cache misses), and a queue that absorbs it kept
	 * both busy (1M load with one worker 1.60 -> 1.50 s; 3 batches
	 * in all before, 8 gave 1.54 s) at about 1.5 MiB a batch */
	p->nb = 2 * nworkers + 14;
	if ((p->b = addr__malloc(p->nb * sizeof(*p->b))) == NULL) {
		addr__free(p);
		return ADDR_ENOMEM;
	}
	memset(p->b, 0, p->nb * sizeof(*p->b));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	pthread_cond_init(&p->turn, NULL);
	for (i = 0; i < nworkers; i++) {
		if (pthread_create(&p->w[i], NULL, worker, p) != 0)
			break;
		p->nw++;
	}
	if (p->nw == 0) {
		pipe_finish(p, NULL);
		return ADDR_ENOMEM;
	}
	p->b[0].state = B_FILLING;
	*out = p;
	return 0;
}

static int pipe_push(struct addr__pipe *p, const struct addr_ldif_record *rec,
		     struct addr__sink *s, size_t mark)
{
	struct batch *b = &p->b[p->fill];
	size_t i = b->n;

	if (p->err < 0)
		return p->err;
	if (copy(b, rec) < 0)
		return p->err = ADDR_ENOMEM;
	/* who finds the DN keys and plans the fills of this batch: the
	 * reading thread while the workers are behind (a batch waits in
	 * their queue: LDIF, whose reading is cheap), else the workers
	 * (DSML, whose reading is libxml2's parse); the result is the
	 * same either way */
	if (i == 0)
		p->ahead = addr__pipe_ahead >= 0 ? addr__pipe_ahead :
			   __atomic_load_n(&p->queued, __ATOMIC_RELAXED) > 0;
	b->mark[i] = mark;
	/* its entry made ahead by a worker: content, or an add */
	b->made[i] = rec->change == ADDR_LDIF_ENTRY ||
		     (p->adds && rec->change == ADDR_LDIF_ADD);
	b->dnrc[i] = ADDR_ENOMEM;	/* "not found here" */
	b->planned[i] = 0;
	if (b->made[i] && p->ahead) {
		b->dnrc[i] = (signed char)addr__dn_key(&p->dnbuf, rec->dn.ptr,
						      rec->dn.len);
		b->planned[i] = b->pn != NULL &&
				addr__entry_plan(rec, b->pn + b->nitems -
						 rec->nitem, &b->sz[i]) == 0;
	}
	if (b->dnrc[i] == 0)
		b->dnh[i] = addr__key_hash(p->dnbuf.ptr, p->dnbuf.size);
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

/* pipe_finish - hand out what is pushed, then free p; 0 or negative.
 * s NULL: drop what is pushed. */
static int pipe_finish(struct addr__pipe *p, struct addr__sink *s)
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
	for (; s != NULL && rc == 0 && p->out > 0; p->out--) {
		int r = take_back(p, &p->b[p->head], s);

		if (r < 0)
			rc = r;
		p->head = (p->head + 1) % p->nb;
	}
	/* what is left (a failure, or s NULL) is dropped: the workers
	 * finish the queue before they stop, and every batch is reset */
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nw; i++)
		pthread_join(p->w[i], NULL);
	for (i = 0; i < p->nb; i++) {
		batch_reset(&p->b[i]);
		addr__free(p->b[i].items);
		addr__free(p->b[i].pn);
		addr__free(p->b[i].bytes);
	}
	addr__free(p->b);
	addr_buf_free(&p->dnbuf);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->turn);
	addr__free(p);
	return rc;
}

/* ------------------------------------------------------------------ run */

int addr__src_parse(void *src, addr_ldif_record_fn fn, void *fctx,
		    struct addr_dir_report *rep)
{
	const struct addr__src *c = src;

	if (c->dsml && c->rd != NULL)
		return addr_dsml_parse_read(c->rd, c->rctx, c->file, c->flags,
					    fn, fctx, rep);
	if (c->dsml)
		return addr_dsml_parse(c->in, c->len, c->file, c->flags, fn,
				       fctx, rep);
	if (c->rd != NULL)
		return addr_ldif_parse_read(c->rd, c->rctx, c->file, c->flags,
					    fn, fctx, rep);
	return addr_ldif_parse(c->in, c->len, c->file, c->flags, fn, fctx,
			       rep);
}

struct run {
	struct addr_dir *d;
	struct addr__pipe *pipe;	/* NULL: no workers */
	addr__pipe_fn consume;
	void *cctx;
	struct addr__sink *s;
	struct addr_dir_report *rep, prep;	/* prep: the reader's own
						 * diagnostics, with workers */
	size_t moved;		/* of prep, already in rep */
};

/* reader_upto - the reader's first mark diagnostics into the report:
 * those it made before it handed over the record about to be
 * consumed, so that the report reads as without workers (by order of
 * making, not by line: a DSML element's problem found at its end names
 * its first line, after the records inside it) */
static void reader_upto(void *ctx, size_t mark)
{
	struct run *r = ctx;

	for (; r->moved < r->prep.n && r->moved < mark; r->moved++) {
		const struct addr_dir_diag *g = &r->prep.diag[r->moved];

		if (r->rep != NULL &&
		    addr_dir_report_add(r->rep, g->file, g->line, g->column,
					g->severity, g->rule, g->message) < 0)
			r->s->fatal = 1;
	}
}

static int run_record(void *ctx, const struct addr_ldif_record *rec)
{
	struct run *r = ctx;
	struct addr__piped x;
	int rc;

	if (r->pipe != NULL)
		return pipe_push(r->pipe, rec, r->s, r->prep.n);
	memset(&x, 0, sizeof(x));
	x.rec = rec;
	rc = r->consume(r->cctx, &x, r->s);
	addr__stream_step(r->d);
	return rc;
}

int addr__pipe_run(struct addr_dir *d, const char *file, int adds,
		   addr__parse_fn parse, void *pctx, addr__pipe_fn consume,
		   void *cctx, struct addr__sink *s,
		   struct addr_dir_report *rep)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.consume = consume;
	r.cctx = cctx;
	r.s = s;
	r.rep = rep;
	if (d->nthreads == 0)
		return parse(pctx, run_record, &r, rep);
	addr_dir_report_init(&r.prep);
	if ((rc = pipe_new(&r.pipe, d, file, d->nthreads, reader_upto,
			   &r)) < 0)
		return rc;
	r.pipe->adds = adds;
	/* reading DSML is libxml2's parse, the longer side: the workers
	 * consume too */
	r.pipe->wconsume = addr__pipe_wconsume >= 0 ? addr__pipe_wconsume :
			   parse == addr__src_parse &&
			   ((const struct addr__src *)pctx)->dsml;
	r.pipe->consume = consume;
	r.pipe->cctx = cctx;
	rc = parse(pctx, run_record, &r, &r.prep);
	{
		int f = pipe_finish(r.pipe, rc < 0 ? NULL : s);

		if (rc >= 0 && f < 0)
			rc = f;
	}
	reader_upto(&r, (size_t)-1);
	if (r.prep.oom)
		s->fatal = 1;
	addr_dir_report_free(&r.prep);
	return rc;
}
