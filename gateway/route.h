/*
 * route.h - address spaces: which next hop an address takes
 *
 * IMC best-match semantics (spec-gateway.md §7.1). Pure; belongs in
 * libaddr's route.c per architecture.md once that module exists there.
 */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include "config.h"

/*
 * gw_route_find - the best route for "TYPE:address" among cfg's routes,
 * or NULL (MX delivery). type is e.g. "SMTP"; the pattern matches the
 * whole address, "*" any run, case-insensitive. Order: exact, then
 * wildcard with more literal characters, then type-only; cost breaks
 * ties; equal cost: the first listed (rotation comes with SMTP delivery).
 */
const struct gw_route *gw_route_find(const struct gw_config *cfg,
				     const char *type, const char *addr);

/* gw_glob_match - pattern with "*" against s, ASCII case-insensitive */
int gw_glob_match(const char *pattern, const char *s);

#endif /* GW_ROUTE_H */
