/*
 * qpool.h - queue files kept for reuse (SPOOL/free/)
 *
 * A removed queue file is renamed into SPOOL/free/ instead of being
 * unlinked, and the next message is written into it (truncated first)
 * instead of into a new file. The queue then allocates and frees no
 * inode per message: PostgreSQL recycles its WAL segments for the same
 * reason. On file systems without a journal (ext4 without one does not
 * reuse an inode freed within the last minute and walks every such
 * inode on each create) this is most of the queue's CPU at a thousand
 * messages per second; everywhere it saves the inode's allocation and
 * release. Files in free/ hold nothing anyone waits for: stale content
 * that the next reuse truncates.
 */
#ifndef GW_QPOOL_H
#define GW_QPOOL_H

#include <pthread.h>
#include <stddef.h>

#define GW_QPOOL_MAX 4096	/* files kept; more are unlinked */

struct gw_qpool {
	int dfd;			/* SPOOL/free, or -1: no pool */
	pthread_mutex_t mu;
	unsigned long long *name;	/* free file names (numbers) */
	size_t n;
	unsigned long long next;	/* the next name to give */
};

/*
 * gw_qpool_open - open (create) SPOOL/free and take every plain file
 * there with one link; anything else is removed. Without the pool
 * (dfd -1) everything still works, with new files. 0, or -1 with err.
 */
int gw_qpool_open(struct gw_qpool *p, const char *spool, char *err,
		  size_t errsize);

/*
 * gw_qpool_exclude - drop (unlink) every pooled file that is also linked
 * in the directory dfd (queue/): a crash can persist a rename's new
 * entry without the removal of the old one, and reusing such a file
 * would overwrite a queued message. Run at start-up, after the pool is
 * opened. 0, or -1 when dfd cannot be listed (the pool is then emptied).
 */
int gw_qpool_exclude(struct gw_qpool *p, int dfd);

/* gw_qpool_take - a free file's name into buf; 1, or 0 when none */
int gw_qpool_take(struct gw_qpool *p, char *buf, size_t size);

/*
 * gw_qpool_retire - remove dfd/name: into the pool when there is room,
 * else unlinked. 0, or -1 with errno as unlinkat's (ENOENT included).
 */
int gw_qpool_retire(struct gw_qpool *p, int dfd, const char *name);

/* gw_qpool_close - release memory and the descriptor (files stay) */
void gw_qpool_close(struct gw_qpool *p);

#endif /* GW_QPOOL_H */
