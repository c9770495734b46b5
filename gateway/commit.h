/*
 * commit.h - queue writes on writer threads, completed on the event loop
 *
 * A durable commit waits for the disk (fsync) for milliseconds; done on
 * the event loop it stops every session for that long, and commits run
 * one after another. The writers let 20 sessions have 20 commits in
 * flight, and one directory fsync cover all of them (queue.c).
 */
#ifndef GW_COMMIT_H
#define GW_COMMIT_H

#include <event2/event.h>

#include "queue.h"

struct gw_committer;

/* done - called on the loop thread once gw_queue_write has run; the
 * callee calls gw_queue_finish and frees the batch */
typedef void (*gw_commit_done)(struct gw_qbatch *b, void *arg);

/*
 * gw_committer_new - nthreads writers for q, reporting on base. NULL
 * when threads or the wake-up pipe cannot be made (logged).
 */
struct gw_committer *gw_committer_new(struct event_base *base,
				      struct gw_queue *q, unsigned nthreads);

/* gw_committer_submit - write b on a writer thread, then call done(b,
 * arg) on the loop thread; 0, or -1 (nothing submitted) */
int gw_committer_submit(struct gw_committer *c, struct gw_qbatch *b,
			gw_commit_done done, void *arg);

/* gw_committer_free - finish the queued writes, report them, stop the
 * threads; NULL is a no-op */
void gw_committer_free(struct gw_committer *c);

#endif /* GW_COMMIT_H */
