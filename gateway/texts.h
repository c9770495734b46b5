/*
 * texts.h - the disclaimer texts of [disclaimer] (texts.c)
 */
#ifndef GW_TEXTS_H
#define GW_TEXTS_H

#include "config.h"

#define GW_TEXT_MAX 65536	/* octets per disclaimer file */

/*
 * gw_texts_load - read the four [disclaimer] files named in cfg into
 * cfg->disclaimer_text (UTF-8, at most GW_TEXT_MAX octets each). Each
 * problem is one line "FILE: what" appended to errs; returns their
 * number. Called at start and at every reload, so an edited file is
 * picked up by SIGHUP.
 */
size_t gw_texts_load(struct gw_config *cfg, struct addr_buf *errs);

#endif /* GW_TEXTS_H */
