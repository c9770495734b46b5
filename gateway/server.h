/*
 * server.h - the event loop: listeners, sessions over sockets, scheduler
 */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include "config.h"

struct gw_server;

/* gw_server_listen - bind every listener of cfg (call as root if the
 * ports need it); NULL after logging why */
struct gw_server *gw_server_listen(struct gw_config *cfg);

/* gw_server_run - open the queue, start the scheduler and serve until
 * SIGTERM or SIGINT; returns the exit status */
int gw_server_run(struct gw_server *srv);

#endif /* GW_SERVER_H */
