/*
 * schedule.h - per-recipient delivery attempts, backoff and lifetime
 */
#ifndef GW_SCHEDULE_H
#define GW_SCHEDULE_H

#include <time.h>

#include "config.h"
#include "queue.h"

/*
 * gw_schedule_run - one pass over the queue at time now: every pending
 * recipient that is due is routed and delivered (drop: next hops) or
 * deferred with the configured backoff; recipients past the lifetime
 * fail; finished messages are removed. Returns the time of the next due
 * attempt, or 0 when nothing is pending.
 */
time_t gw_schedule_run(struct gw_queue *q, const struct gw_config *cfg,
		       time_t now);

/* gw_backoff - the delay before attempt tries+1 (tries >= 1) */
unsigned gw_backoff(const struct gw_config *cfg, unsigned tries);

#endif /* GW_SCHEDULE_H */
