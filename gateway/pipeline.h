/*
 * pipeline.h - what one accepted message becomes (pipeline.c)
 */
#ifndef GW_PIPELINE_H
#define GW_PIPELINE_H

#include <time.h>

#include "config.h"
#include "session.h"

/* variant kinds */
enum { GW_V_INBOUND = 1, GW_V_OUTBOUND, GW_V_FORWARD, GW_V_JOURNAL };

/* One variant and the storage it owns. */
struct gw_variant {
	int kind;			/* GW_V_* */
	struct gw_rcpt *rcpt;		/* owned array (strings borrowed) */
	struct gw_rcpt one;		/* a journal report's recipient */
	struct addr_buf data;		/* rewritten or built content */
	char *sender;			/* rewritten sender, or NULL */
};

/* The messages one client message becomes; msg[0..n) go to commit, in
 * the order inbound, outbound, forward, journal reports. */
struct gw_variants {
	struct gw_message *msg;
	struct gw_variant *v;
	size_t n, cap;
	struct addr_rw_targets t, tf;	/* final addresses */
};

/* gw_rw_init - the rewriting view of cfg (borrowed: cfg must outlive it) */
void gw_rw_init(struct addr_rw *rw, const struct gw_config *cfg);

/*
 * gw_pipeline - the variants of message in (its rcpt[] with entry and
 * forward set by the session; everything borrowed) for the resolved
 * sender (nullable), at time now (journal report dates). 0 with v
 * filled (free it with gw_variants_free, also after an error), or -1
 * with the SMTP reply in reply.
 */
int gw_pipeline(struct gw_variants *v, const struct gw_config *cfg,
		const struct gw_message *in,
		const struct addr_dir_entry *sender, time_t now, char *reply,
		size_t rsize);

void gw_variants_free(struct gw_variants *v);

/*
 * The disclaimer code (disclaimer.c, GMime) as a hook, so that the
 * session and its tests and fuzz target need no MIME library: addrgw
 * sets it at start. The signature is gw_disclaimer_apply's.
 */
typedef int (*gw_disclaimer_fn)(struct addr_buf *out, const char *msg,
				size_t len, const char *prepend,
				const char *append, const char *direction,
				const char *instance, const char **why);
void gw_pipeline_disclaimers(gw_disclaimer_fn fn);

#endif /* GW_PIPELINE_H */
