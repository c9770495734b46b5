/*
 * queue.h - the durable queue (spec-gateway.md §8)
 *
 * SPOOL/queue/ID.msg holds the content (written once), SPOOL/queue/ID.env
 * the envelope with per-recipient state. Files are written in SPOOL/tmp/,
 * fsync'd, renamed into queue/ (content first, envelope last: the
 * envelope's rename is the commit) and the directory is fsync'd before
 * gw_queue_commit returns. Bad files go to SPOOL/quarantine/ at start-up.
 */
#ifndef GW_QUEUE_H
#define GW_QUEUE_H

#include <stdint.h>
#include <time.h>

#include "session.h"

enum gw_rstate { GW_R_PENDING = 0, GW_R_SENT, GW_R_FAILED };

struct gw_qrcpt {
	char *addr;		/* the address delivered to */
	char *orig;		/* as given in RCPT */
	int state;		/* GW_R_* */
	unsigned tries;
	time_t next;		/* next attempt; 0: now */
	char *last;		/* last error text, or NULL */
};

struct gw_qmsg {
	char id[GW_QID_SIZE];
	time_t ctime;		/* queue entry: lifetime counts from here */
	uint64_t size;		/* octets of the content file */
	char *sender;		/* "" for <> */
	char *client;
	char *helo;
	int body_8bit;
	int smtputf8;
	int held;
	struct gw_qrcpt *rcpt;
	size_t nrcpt;
	struct gw_qmsg *next;
};

struct gw_queue {
	char *spool;
	int qfd;		/* SPOOL/queue, for fsync */
	int tfd;		/* SPOOL/tmp */
	int xfd;		/* SPOOL/quarantine */
	struct gw_qmsg *head;	/* every message in the queue */
	size_t count;
	unsigned seq;
	int nosync;		/* tests only: never set in addrgw */
};

/*
 * gw_queue_open - create the spool directories when missing, empty tmp/
 * (nothing there was ever acknowledged), load every envelope and move
 * unreadable, truncated or unknown files to quarantine/ (logged). 0, or
 * -1 with a message in err (the queue cannot be used).
 */
int gw_queue_open(struct gw_queue *q, const char *spool, char *err,
		  size_t errsize);

/* gw_queue_close - release memory and descriptors (files stay) */
void gw_queue_close(struct gw_queue *q);

/*
 * gw_queue_commit - queue a message durably and add it to q->head.
 * Returns 0 with its id, or -1 (errno logged) with nothing left behind.
 */
int gw_queue_commit(struct gw_queue *q, const struct gw_message *m,
		    time_t now, char *id, size_t idsize);

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
