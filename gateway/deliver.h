/*
 * deliver.h - delivery to one next hop
 */
#ifndef GW_DELIVER_H
#define GW_DELIVER_H

#include <stddef.h>

#include "queue.h"

/*
 * gw_deliver_drop - write msg with its envelope for the recipients
 * idx[0..n) into dir (spec-gateway.md §7.2): a header block
 * (X-Addrgw-Queue-Id, X-Addrgw-Sender, one X-Addrgw-Recipient each), then
 * the content, in dir/.ID.N.tmp, fsync'd, renamed to dir/ID.N (N = the
 * first recipient's index, so a retry after a crash rewrites the same
 * file), dir fsync'd. 0 on success with the file name in done; -1 with
 * the reason in why.
 */
int gw_deliver_drop(const char *dir, const struct gw_qmsg *msg,
		    const size_t *idx, size_t n, const char *content,
		    size_t len, int nosync, char *done, size_t donesize,
		    char *why, size_t whysize);

#endif /* GW_DELIVER_H */
