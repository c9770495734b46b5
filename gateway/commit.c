/*
 * commit.c - writer threads for the queue
 *
 * SYNOPSIS
 *	gw_committer_new(), gw_committer_submit(), gw_committer_free()
 *
 * DESCRIPTION
 *	The event loop prepares a batch (gw_queue_prepare), a writer thread
 *	runs gw_queue_write (files, fsyncs, renames: the only blocking part)
 *	and puts the batch on the done list, and a byte on a pipe wakes the
 *	loop, which calls each batch's done callback (gw_queue_finish and
 *	the client's 250 or 451). The threads touch nothing but the batch
 *	and the queue's descriptors; lists are under one mutex.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "commit.h"
#include "log.h"

/* a writer's stack: it calls nothing deep */
#define STACK_SIZE (256u << 10)

struct job {
	struct gw_qbatch *b;
	gw_commit_done done;
	void *arg;
	struct job *next;
};

struct gw_committer {
	struct gw_queue *q;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, **todo_tail;
	struct job *done, **done_tail;
	int stop;
	pthread_t *th;
	unsigned nth;
	int pfd[2];		/* writers -> loop wake-up */
	struct event *ev;
};

static void *
writer(void *arg)
{
	struct gw_committer *c = arg;
	struct job *j;
	char one = 1;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (c->todo == NULL && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->todo == NULL)
			break;
		j = c->todo;
		if ((c->todo = j->next) == NULL)
			c->todo_tail = &c->todo;
		pthread_mutex_unlock(&c->mu);

		gw_queue_write(c->q, j->b);

		pthread_mutex_lock(&c->mu);
		j->next = NULL;
		*c->done_tail = j;
		c->done_tail = &j->next;
		/* the pipe is non-blocking: a full pipe already wakes the
		 * loop, which then takes every finished job */
		(void)!write(c->pfd[1], &one, 1);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* reap - on the loop thread: report every finished job */
static void
reap(struct gw_committer *c)
{
	struct job *list, *j;

	pthread_mutex_lock(&c->mu);
	list = c->done;
	c->done = NULL;
	c->done_tail = &c->done;
	pthread_mutex_unlock(&c->mu);
	while ((j = list) != NULL) {
		list = j->next;
		j->done(j->b, j->arg);
		free(j);
	}
}

static void
wake_cb(evutil_socket_t fd, short ev, void *arg)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	reap(arg);
}

struct gw_committer *
gw_committer_new(struct event_base *base, struct gw_queue *q,
		 unsigned nthreads)
{
	struct gw_committer *c = calloc(1, sizeof(*c));
	pthread_attr_t attr;
	unsigned i;

	if (c == NULL)
		return NULL;
	c->q = q;
	c->pfd[0] = c->pfd[1] = -1;
	c->todo_tail = &c->todo;
	c->done_tail = &c->done;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pipe(c->pfd) < 0 ||
	    fcntl(c->pfd[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(c->pfd[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(c->pfd[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(c->pfd[1], F_SETFD, FD_CLOEXEC) < 0) {
		log_warn("queue writers: pipe");
		goto fail;
	}
	if ((c->ev = event_new(base, c->pfd[0], EV_READ | EV_PERSIST,
	    wake_cb, c)) == NULL || event_add(c->ev, NULL) < 0 ||
	    (c->th = calloc(nthreads, sizeof(*c->th))) == NULL) {
		log_warnx("queue writers: out of memory");
		goto fail;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (i = 0; i < nthreads; i++) {
		int e = pthread_create(&c->th[i], &attr, writer, c);
		if (e != 0) {
			errno = e;
			log_warn("queue writers: thread");
			break;
		}
		c->nth++;
	}
	pthread_attr_destroy(&attr);
	if (c->nth == 0)
		goto fail;
	return c;
fail:
	gw_committer_free(c);
	return NULL;
}

int
gw_committer_submit(struct gw_committer *c, struct gw_qbatch *b,
		    gw_commit_done done, void *arg)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return -1;
	j->b = b;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&c->mu);
	if (c->stop) {		/* shutting down: nothing new */
		pthread_mutex_unlock(&c->mu);
		free(j);
		return -1;
	}
	*c->todo_tail = j;
	c->todo_tail = &j->next;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

void
gw_committer_free(struct gw_committer *c)
{
	unsigned i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	/* the writers finish what was queued before they stop */
	for (i = 0; i < c->nth; i++)
		pthread_join(c->th[i], NULL);
	reap(c);
	if (c->ev)
		event_free(c->ev);
	if (c->pfd[0] >= 0)
		close(c->pfd[0]);
	if (c->pfd[1] >= 0)
		close(c->pfd[1]);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c->th);
	free(c);
}
