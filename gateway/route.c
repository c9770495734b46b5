/*
 * route.c - choose the route of an address (IMC address spaces)
 *
 * SYNOPSIS
 *	gw_route_find(), gw_glob_match()
 *
 * DESCRIPTION
 *	spec-gateway.md §7.1: a route "TYPE:pattern = next-hop cost"
 *	matches the whole address (SMTP:example.com does not match
 *	user@example.com). Classes, best first: exact string, wildcard
 *	(more literal characters first), type-only (empty pattern). Cost
 *	breaks ties inside a class and literal count only, so SMTP:* beats
 *	SMTP: even at a higher cost.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "route.h"

/* gw_glob_match - iterative "*" matching with one backtrack point,
 * linear in practice and never recursive on hostile patterns */
int
gw_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *ss = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			ss = s;
		} else if (*p && tolower((unsigned char)*p) ==
		    tolower((unsigned char)*s)) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++ss;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* rank - class and literal count of a matching route; higher is better */
static long
rank(const struct gw_route *r)
{
	size_t lit = 0;
	const char *p;

	if (r->pattern[0] == '\0')
		return 0;			/* type-only */
	if (strchr(r->pattern, '*') == NULL)
		return 1L << 30;		/* exact */
	for (p = r->pattern; *p; p++)
		if (*p != '*')
			lit++;
	return 1 + (long)(lit < (1u << 29) ? lit : (1u << 29) - 1);
}

const struct gw_route *
gw_route_find(const struct gw_config *cfg, const char *type, const char *addr)
{
	const struct gw_route *best = NULL;
	long best_rank = -1;
	size_t i;

	for (i = 0; i < cfg->nroutes; i++) {
		const struct gw_route *r = &cfg->routes[i];
		long rk;

		if (strcasecmp(r->type, type) != 0)
			continue;
		if (r->pattern[0] != '\0' && !gw_glob_match(r->pattern, addr))
			continue;
		rk = rank(r);
		if (rk > best_rank || (rk == best_rank && r->cost < best->cost)) {
			best = r;
			best_rank = rk;
		}
	}
	return best;
}
