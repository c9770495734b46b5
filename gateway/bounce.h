/*
 * bounce.h - non-delivery and delay reports (RFC 3464, RFC 6522)
 */
#ifndef GW_BOUNCE_H
#define GW_BOUNCE_H

#include <time.h>

#include "config.h"
#include "queue.h"

/*
 * gw_bounce_build - the report about msg's recipients idx[0..n) into
 * out: multipart/report with a text part, message/delivery-status (one
 * block per recipient, Action failed or delayed) and the original
 * header section as text/rfc822-headers. to is the report's To:.
 * Pure; 0, or -1 when out of memory.
 */
int gw_bounce_build(struct addr_buf *out, const struct gw_config *cfg,
		    const struct gw_qmsg *msg, const size_t *idx, size_t n,
		    int delayed, const char *content, size_t len,
		    const char *to, time_t now);

/*
 * gw_bounce - report on msg's recipients idx[0..n) as the policy says
 * (spec-gateway.md §10): to the sender from <>, never to <> and never
 * about a report of our own; a copy to the postmaster with
 * ndr_copy_postmaster; nothing but a log line with ndr_policy =
 * suppress (the postmaster copy still goes). The report is committed
 * to the queue like any message. 0 when done (or nothing was due), -1
 * when it could not be queued (the caller retries later).
 */
int gw_bounce(struct gw_queue *q, const struct gw_config *cfg,
	      const struct gw_qmsg *msg, const size_t *idx, size_t n,
	      int delayed, time_t now);

#endif /* GW_BOUNCE_H */
