/*
 * qtool.h - addrgw's queue and reload commands
 */
#ifndef GW_QTOOL_H
#define GW_QTOOL_H

#include "config.h"

/* gw_qtool - "queue ARGS..." against cfg's spool; the exit status */
int gw_qtool(const struct gw_config *cfg, int argc, char **argv);

/* gw_reload - signal the running daemon (SIGHUP); the exit status */
int gw_reload(const struct gw_config *cfg);

#endif /* GW_QTOOL_H */
