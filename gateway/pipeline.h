/*
 * pipeline.h - what one accepted message becomes (pipeline.c)
 */
#ifndef GW_PIPELINE_H
#define GW_PIPELINE_H

#include "config.h"
#include "session.h"

/* variant kinds, also their slots in struct gw_variants */
enum { GW_V_INBOUND = 0, GW_V_OUTBOUND, GW_V_FORWARD, GW_VARIANTS };

/* The messages one client message becomes; msg[0..n) go to commit.
 * Everything else is storage owned by the struct. */
struct gw_variants {
	struct gw_message msg[GW_VARIANTS];
	int kind[GW_VARIANTS];		/* GW_V_* of msg[i] */
	size_t n;
	struct gw_rcpt *rcpt[GW_VARIANTS];	/* by kind */
	struct addr_buf data[GW_VARIANTS];	/* rewritten content, by kind */
	char *sender[GW_VARIANTS];		/* rewritten sender, by kind */
	struct addr_rw_targets t, tf;		/* final addresses */
};

/* gw_rw_init - the rewriting view of cfg (borrowed: cfg must outlive it) */
void gw_rw_init(struct addr_rw *rw, const struct gw_config *cfg);

/*
 * gw_pipeline - the variants of message in (its rcpt[] with entry and
 * forward set by the session; everything borrowed) for the resolved
 * sender (nullable). 0 with v filled (free it with gw_variants_free,
 * also after an error), or -1 with the SMTP reply in reply.
 */
int gw_pipeline(struct gw_variants *v, const struct gw_config *cfg,
		const struct gw_message *in,
		const struct addr_dir_entry *sender, char *reply,
		size_t rsize);

void gw_variants_free(struct gw_variants *v);

#endif /* GW_PIPELINE_H */
