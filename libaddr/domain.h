/*
 * domain.h - private interface of domain.c (domain names and literals)
 */
#ifndef ADDR_DOMAIN_H
#define ADDR_DOMAIN_H

#include "addr_int.h"

#define ADDR__DOM_MAXDIAG 24

/* One domain's check results. Offsets are into the given form for names
 * and always 0 (the "[") for literals. */
struct addr__domain {
	int kind;		/* ADDR_DK_* */
	int forms_ok;		/* a and u usable as a_label / u_label */
	int idna_error;		/* an IDNA_* error was reported */
	const char *a;		/* A-label form (ICU's output even on error) */
	size_t alen;
	const char *u;		/* U-label form */
	size_t ulen;
	int u_nonascii;		/* u holds a non-ASCII octet */
	struct addr_diag diag[ADDR__DOM_MAXDIAG];
	size_t ndiag;
};

/*
 * addr__domain_name - check a domain name (spec-address.md §2.3, §3).
 * given/len: the given form, atoms joined by "." (UTF-8 validated by the
 * caller). lower: caller storage of len+1 octets for the ASCII-lowercased
 * form. abuf, ubuf, tmp: scratch buffers for ICU output. d->a and d->u
 * point into lower, abuf or ubuf. Returns 0 or ADDR_ENOMEM.
 */
int addr__domain_name(struct addr__domain *d, const char *given, size_t len,
		      char *lower, struct addr_buf *abuf, struct addr_buf *ubuf,
		      struct addr_buf *tmp);

/*
 * addr__domain_ascii - the parser's fast path: check an ASCII dot-atom
 * name g[0..len) that has not been parsed yet, copying it to given (when
 * not NULL) and its lowercased form to lower (len + 1 octets each).
 * Returns 1 with d filled as addr__domain_name would, or 0 with nothing
 * reported when the name needs the general path (non-ASCII, A-labels,
 * bad syntax). masked: the caller has already tried addr__domain_masks
 * on this name (a short name is otherwise tried that way first).
 */
int addr__domain_ascii(struct addr__domain *d, const unsigned char *g,
		       size_t len, char *given, char *lower, int masked);

/*
 * addr__domain_masks - addr__domain_ascii for a name of at most 63
 * octets whose class masks scan.c computed (bit 0 = first octet), with
 * its lowercased form already at lowered (d->a and d->u point there;
 * the caller NUL-terminates it): the same checks and result, nothing
 * copied. Returns 1, or 0 with nothing reported.
 */
int addr__domain_masks(struct addr__domain *d, const unsigned char *g,
		       size_t len, uint64_t an, uint64_t hy, uint64_t dot,
		       const char *lowered);

/*
 * addr__domain_literal - classify the content of a domain literal
 * (spec-address.md §2.4). has_fws: FWS occurred inside the brackets.
 * canon: caller storage of at least len + 64 octets for the canonical
 * text with brackets; d->a and d->u point to it.
 */
#define ADDR__LIT_ENVELOPE 0x01u
#define ADDR__LIT_LENIENT 0x02u
void addr__domain_literal(struct addr__domain *d, const char *c, size_t len,
			  int has_fws, unsigned lflags, char *canon);

#endif
