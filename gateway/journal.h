/*
 * journal.h - journal reports (spec-gateway.md §11; journal.c)
 */
#ifndef GW_JOURNAL_H
#define GW_JOURNAL_H

#include <time.h>

#include "config.h"
#include "session.h"

/* One envelope recipient after expansion, as the report lists it. */
struct gw_journal_rcpt {
	const char *addr;
	int outbound;		/* 0 inbound, 1 outbound */
};

/*
 * gw_journal_report - the journal report for message m (as received:
 * m->data is attached unmodified as message/rfc822) to journal address
 * to: a multipart/mixed message whose text/plain part lists the
 * envelope sender, every recipient r[0..n) with its direction, the
 * Message-ID and the report's direction ("inbound", "outbound" or
 * "recipient"). Replaces out; 0 or -1 (out of memory).
 */
int gw_journal_report(struct addr_buf *out, const struct gw_config *cfg,
		      const struct gw_message *m,
		      const struct gw_journal_rcpt *r, size_t n,
		      const char *direction, const char *to, time_t now);

#endif /* GW_JOURNAL_H */
