/*
 * rfc2156_int.h - private interface between the MCGAM tables and the
 * RFC 2156 mappings
 *
 * rfc2156_table.c loads and searches the four tables; rfc2156.c maps
 * addresses with them. Nothing here is exported.
 */
#ifndef RFC2156_INT_H
#define RFC2156_INT_H

#include "x400_int.h"

/* The hierarchy of MCGAM keys, most significant first: C, ADMD, PRMD,
 * O, OU1..OU4 are model attributes 0..7. */
#define ADDR__NLEV 8

/* The four tables. */
enum { ADDR__T1 = 0, ADDR__T2, ADDR__G1, ADDR__G2, ADDR__NTAB };

/*
 * One table line. Strings are offsets into store, so that the store may
 * grow while the line is read. lev[0..nlev) is the O/R side, most
 * significant first; omitted levels ("$@") have omitted set.
 */
struct addr__lev {
	int omitted;
	size_t raw, rawlen;	/* value as written, unescaped */
	size_t norm, normlen;	/* §5.1 step 1 lookup form */
};

struct addr__entry {
	struct addr_buf store;
	struct addr__lev lev[ADDR__NLEV];
	int nlev;
	struct {
		size_t t, tn, v, vn;
	} dda[ADDR_X400_MAXDDA];	/* gate2 only, SEQUENCE order */
	int ndda;
	size_t dom, domlen;
};

struct addr_rfc2156_tables {
	struct addr__entry *e[ADDR__NTAB];
	size_t n[ADDR__NTAB], cap[ADDR__NTAB];
};

/* addr__rfc2156_norm - append the lookup form of v (trimmed, runs of
 * spaces collapsed; an ADMD that ends up empty is one space) */
int addr__rfc2156_norm(struct addr_buf *out, const char *v, size_t n,
		       int admd);
/*
 * addr__rfc2156_match_or - the longest entry of table tab (T1 or G1)
 * whose levels equal the first levels of norm[] (lookup forms, NULL for
 * an absent attribute); NULL if none.
 */
const struct addr__entry *addr__rfc2156_match_or(
	const struct addr_rfc2156_tables *t, int tab,
	const struct addr_buf norm[ADDR__NLEV], const int present[ADDR__NLEV]);
/*
 * addr__rfc2156_match_domain - the entry of table tab (T2 or G2) with
 * the longest domain that equals dom or is a label suffix of it; NULL if
 * none.
 */
const struct addr__entry *addr__rfc2156_match_domain(
	const struct addr_rfc2156_tables *t, int tab, const char *dom,
	size_t n);
/* addr__rfc2156_domain_label - 1 if s[0..n) is one domain-syntax label */
int addr__rfc2156_domain_label(const char *s, size_t n);

#endif
