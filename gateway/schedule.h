/*
 * schedule.h - per-recipient delivery attempts, backoff and lifetime
 */
#ifndef GW_SCHEDULE_H
#define GW_SCHEDULE_H

#include <time.h>

#include "client.h"
#include "config.h"
#include "queue.h"

/*
 * The SMTP side, supplied by the host (mta.c in addrgw; a test double in
 * the unit tests). smtp() takes the delivery of msg's recipients
 * idx[0..n) to route rt (NULL: MX delivery to domain): 0 when it took
 * them (they are in flight until gw_schedule_result), -1 when it cannot
 * (they are deferred with why).
 */
struct gw_sched_hooks {
	void *arg;
	int (*smtp)(void *arg, struct gw_qmsg *msg, const struct gw_route *rt,
		    const char *domain, const size_t *idx, size_t n);
};

/* gw_schedule_hooks - set the SMTP side (NULL: SMTP routes defer) */
void gw_schedule_hooks(const struct gw_sched_hooks *h);

/*
 * gw_schedule_run - one pass over the queue at time now: every pending
 * recipient that is due is routed and delivered (drop: at once, smtp:
 * handed to the hooks), deferred with the configured backoff, or failed
 * past the lifetime; failures are reported (bounce.c); finished
 * messages are removed. Returns the time of the next due attempt, or 0
 * when nothing is pending.
 */
time_t gw_schedule_run(struct gw_queue *q, const struct gw_config *cfg,
		       time_t now);

/*
 * gw_schedule_result - the outcome of an SMTP delivery started through
 * the hooks: res[i] is for recipient idx[i]; 2 sent, 4 deferred with
 * backoff, 5 failed and reported. relay names the next hop for logs.
 * The envelope is updated durably; msg may be removed (do not use it
 * after this call).
 */
void gw_schedule_result(struct gw_queue *q, const struct gw_config *cfg,
			struct gw_qmsg *msg, const size_t *idx, size_t n,
			const struct gw_client_result *res, const char *relay,
			time_t now);

/* gw_schedule_resync - look at every message in the next pass (after
 * the queue tool changed something) */
void gw_schedule_resync(void);

/* gw_backoff - the delay before attempt tries+1 (tries >= 1) */
unsigned gw_backoff(const struct gw_config *cfg, unsigned tries);

#endif /* GW_SCHEDULE_H */
