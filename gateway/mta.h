/*
 * mta.h - outbound SMTP deliveries on the event loop
 */
#ifndef GW_MTA_H
#define GW_MTA_H

#include <event2/event.h>

#include "config.h"
#include "queue.h"
#include "schedule.h"

struct gw_mta;

/*
 * gw_mta_new - the SMTP side of the scheduler on base. *cfgp is read at
 * every use (reload swaps it); q is the daemon's queue; kick(arg) asks
 * the host to run the scheduler soon (after a result). NULL when out
 * of memory. The hooks to give gw_schedule_hooks are in *hooks.
 */
struct gw_mta *gw_mta_new(struct event_base *base, struct gw_config **cfgp,
			  struct gw_queue *q, void (*kick)(void *), void *arg,
			  struct gw_sched_hooks *hooks);

/* gw_mta_active - deliveries under way (for a clean shutdown) */
unsigned gw_mta_active(const struct gw_mta *mta);

#endif /* GW_MTA_H */
