/*
 * archive.h - archive copies (spec-gateway.md §11.1; archive.c)
 */
#ifndef GW_ARCHIVE_H
#define GW_ARCHIVE_H

#include "config.h"
#include "queue.h"

/*
 * gw_archive - after m is queued: a copy of it (content data[0..len),
 * every recipient) in [archive] inbound_dir (direction 1) or
 * outbound_dir (2), in the drop: format, then the oldest files removed
 * while the directory is over max_size. Never fails the message: a
 * write error is logged and the message flows on.
 */
void gw_archive(const struct gw_config *cfg, const struct gw_qmsg *m,
		int direction, const char *data, size_t len);

#endif /* GW_ARCHIVE_H */
