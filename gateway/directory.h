/*
 * directory.h - the recipient directory in the gateway (directory.c)
 */
#ifndef GW_DIRECTORY_H
#define GW_DIRECTORY_H

#include "config.h"

/*
 * gw_directory_load - load cfg's [directory] file into cfg->dir and the
 * [restrictions] lists into cfg->connector. Each problem is one line
 * "FILE[:LINE]: what" appended to errs; returns their number (0: the
 * directory is in cfg, or there is no [directory] section).
 */
size_t gw_directory_load(struct gw_config *cfg, struct addr_buf *errs);

#endif /* GW_DIRECTORY_H */
