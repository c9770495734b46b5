/*
 * queue.h - the durable queue (spec-gateway.md §8)
 *
 * SPOOL/queue/ID.msg holds the content (written once), SPOOL/queue/ID.env
 * the envelope with per-recipient state. Files are written in SPOOL/tmp/,
 * fsync'd, renamed into queue/ (content first, envelope last: the
 * envelope's rename is the commit) and the directory is fsync'd before
 * the 250. Bad files go to SPOOL/quarantine/ at start-up.
 */
#ifndef GW_QUEUE_H
#define GW_QUEUE_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "qpool.h"
#include "session.h"

enum gw_rstate { GW_R_PENDING = 0, GW_R_SENT, GW_R_FAILED };

struct gw_qrcpt {
	char *addr;		/* the address delivered to */
	char *orig;		/* as given in RCPT */
	int state;		/* GW_R_* */
	unsigned tries;
	time_t next;		/* next attempt; 0: now */
	char *last;		/* last error text, or NULL */
	/* in memory only */
	int inflight;		/* an SMTP delivery is under way */
	int ndr_due;		/* failed; the NDR is not written yet */
};

struct gw_qmsg {
	char id[GW_QID_SIZE];
	time_t ctime;		/* queue entry: lifetime counts from here */
	uint64_t size;		/* octets of content */
	char *sender;		/* "" for <> */
	char *client;
	char *helo;
	int body_8bit;
	int smtputf8;
	int held;
	int ndr;		/* a report this gateway generated */
	int warned;		/* the delay warning was sent */
	int forward;		/* unknown recipients: to [delivery]
				 * unknown_recipient's next hop */
	struct gw_qrcpt *rcpt;
	size_t nrcpt;
	struct gw_qmsg *next;
	/* in memory only */
	unsigned busy;		/* SMTP deliveries under way */
	int lockfd;		/* ID.msg, flock'd while we work on it */
	unsigned locks;
	unsigned long long env_ino, env_ctime;	/* the envelope we know */
	struct addr_buf cache;	/* the content while it is fresh: from
				 * the commit to the first envelope
				 * update or the removal */
};

struct gw_queue {
	char *spool;
	int qfd;		/* SPOOL/queue, for fsync */
	int tfd;		/* SPOOL/tmp */
	int xfd;		/* SPOOL/quarantine */
	struct gw_qmsg *head;	/* every message in the queue */
	size_t count;
	unsigned seq;
	size_t cached;		/* octets in the messages' caches */
	struct gw_qpool pool;	/* free/: files for reuse (daemon only) */
	int nosync;		/* tests only: never set in addrgw */
	int tool;		/* opened by the queue tool */
	/* group commit of queue/ between writer threads (queue.c) */
	pthread_mutex_t dmu;
	pthread_cond_t dcv;
	unsigned long long dgen, dsynced;
	int dbusy;
};

/*
 * A commit in three steps, so that the file work can run on a writer
 * thread (commit.c) while the event loop serves other clients:
 * gw_queue_prepare (loop thread: records, ids, envelope texts),
 * gw_queue_write (any thread: files, fsyncs; touches no list and no
 * counter of the queue) and gw_queue_finish (loop thread: the messages
 * join q->head, or the failure is logged).
 */
struct gw_qbatch {
	struct gw_qmsg **m;	/* the records, ids assigned */
	struct addr_buf *env;	/* their envelope texts */
	const char **data;	/* their content, borrowed until finish */
	size_t n;
	int rc;			/* gw_queue_write's result */
	int err;		/* its errno */
	char why[128];		/* what failed, for the log */
};

/*
 * gw_queue_open - create the spool directories when missing, empty tmp/
 * (nothing there was ever acknowledged), load every envelope and move
 * unreadable, truncated or unknown files to quarantine/ (logged). 0, or
 * -1 with a message in err (the queue cannot be used).
 */
int gw_queue_open(struct gw_queue *q, const char *spool, char *err,
		  size_t errsize);

/*
 * gw_queue_open_tool - the same for the queue tool, which may run beside
 * the daemon: tmp/ is left alone and bad files are skipped, not moved.
 */
int gw_queue_open_tool(struct gw_queue *q, const char *spool, char *err,
		       size_t errsize);

/*
 * The concurrency rule between the daemon and the queue tool: whoever
 * rewrites or removes the envelope of ID holds flock(LOCK_EX) on
 * queue/ID.msg (the content file, which is never replaced), and the
 * daemon holds it for the whole of a delivery. Before it works on a
 * message the daemon takes the lock and compares the envelope on disk
 * with the one it wrote last (inode, ctime): a changed envelope is read
 * again (the tool's hold, release, retry), a missing one means deleted.
 *
 * gw_queue_lock - take (or nest) the lock without blocking: 1 locked,
 * 0 someone else holds it, -1 the message is gone (deleted). On the
 * first lock the in-memory record is synchronised with the disk.
 */
int gw_queue_lock(struct gw_queue *q, struct gw_qmsg *msg);
/* gw_queue_unlock - undo one gw_queue_lock */
void gw_queue_unlock(struct gw_qmsg *msg);
/* gw_queue_lock_wait - the tool's lock: wait up to secs; 1, 0, -1 */
int gw_queue_lock_wait(struct gw_queue *q, struct gw_qmsg *msg,
		       unsigned secs);
/* gw_queue_forget - drop msg from memory only (its files are gone) */
void gw_queue_forget(struct gw_queue *q, struct gw_qmsg *msg);

/* gw_queue_close - release memory and descriptors (files stay) */
void gw_queue_close(struct gw_queue *q);

/*
 * gw_queue_commit - queue a message durably and add it to q->head.
 * Returns 0 with its id, or -1 (errno logged) with nothing left behind.
 */
int gw_queue_commit(struct gw_queue *q, const struct gw_message *m,
		    time_t now, char *id, size_t idsize);

/*
 * gw_queue_prepare - a batch for msg[0..n) (a client message's
 * variants: all or none are queued); NULL when out of memory. The
 * content stays the caller's and must outlive gw_queue_finish.
 */
struct gw_qbatch *gw_queue_prepare(struct gw_queue *q,
				   const struct gw_message *msg, size_t n,
				   time_t now);

/* gw_queue_write - write, fsync and rename both files of every message
 * of b, then fsync queue/ (shared with concurrent writers); 0, or -1
 * with nothing left behind. Safe on any thread. */
int gw_queue_write(struct gw_queue *q, struct gw_qbatch *b);

/* gw_queue_finish - after gw_queue_write: add the messages to q->head
 * in order (the last one first) and return how many, or log the
 * failure and return 0. The batch keeps nothing; free it. */
size_t gw_queue_finish(struct gw_queue *q, struct gw_qbatch *b);

/* gw_qbatch_free - release a batch (and records not handed over) */
void gw_qbatch_free(struct gw_qbatch *b);

/* gw_queue_update - rewrite the envelope of msg durably; 0 or -1 */
int gw_queue_update(struct gw_queue *q, struct gw_qmsg *msg);

/* gw_queue_remove - delete msg's files (envelope first) and free it */
int gw_queue_remove(struct gw_queue *q, struct gw_qmsg *msg);

/* gw_queue_content - read msg's content into out; 0 or -1 */
int gw_queue_content(struct gw_queue *q, const struct gw_qmsg *msg,
		     struct addr_buf *out);

/* gw_qmsg_free - free one message record (not its files) */
void gw_qmsg_free(struct gw_qmsg *msg);

#endif /* GW_QUEUE_H */
