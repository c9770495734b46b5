/*
 * x400_int.h - private declarations shared by the X.400 files
 *
 * x400.c holds the model and the rules every form shares (bounds,
 * repeated keys, the OU chain); x400_exchange.c, x400_rfc1685.c and
 * x400_stdor.c read and write one textual form each; rfc2156.c and
 * rfc2156_table.c use the std-or and encoded-pn helpers for the
 * mappings. Nothing here is exported.
 */
#ifndef X400_INT_H
#define X400_INT_H

#include <stdint.h>
#include "addr_int.h"

/*
 * Parse state shared by the three readers. seen has one bit per
 * ADDR_X400_* attribute already given once, for the repeated-key rule;
 * base is the offset of the form's text in the caller's input, so that
 * err->offset points into what the caller passed.
 */
struct addr__x400_pstate {
	struct addr_x400 *x;
	unsigned flags;
	uint32_t seen;
	size_t base;
	struct addr_error *err;
};

/* x400.c */
/* addr__x400_put - store one parsed attribute value: bounds, then the
 * repeated-key rule of the mode. off is relative to st->base. */
int addr__x400_put(struct addr__x400_pstate *st, int attr,
		   const char *v, size_t n, size_t off);
/* addr__x400_put_dda - append one parsed DDA (non-empty type, bounds) */
int addr__x400_put_dda(struct addr__x400_pstate *st, const char *type,
		       size_t tn, const char *v, size_t vn, size_t off);
/* addr__x400_finish - the OU chain rule of the mode, then the whole
 * check of addr_x400_check */
int addr__x400_finish(struct addr__x400_pstate *st);
/* addr__x400_ieq - ASCII case-insensitive equality of s[0..n) and z */
int addr__x400_ieq(const char *s, size_t n, const char *z);
/* addr__x400_ieqn - ASCII case-insensitive equality of a[0..n), b[0..n) */
int addr__x400_ieqn(const char *a, const char *b, size_t n);
/* addr__x400_is_ps - 1 if c is a PrintableString character */
int addr__x400_is_ps(unsigned char c);
/* addr__x400_ps_string - 1 if all of s[0..n) is PrintableString */
int addr__x400_ps_string(const char *s, size_t n);
/* addr__x400_tty_name - "3".."8" for an F.401 terminal type name
 * (any case), else NULL */
const char *addr__x400_tty_name(const char *s, size_t n);
/* addr__x400_nchars - characters of UTF-8 s[0..n) (continuation octets
 * do not count) */
size_t addr__x400_nchars(const char *s, size_t n);

/* x400_exchange.c, x400_rfc1685.c, x400_stdor.c: in[0..len) is the
 * form's text without any prefix */
int addr__x400_parse_exchange(struct addr__x400_pstate *st,
			      const char *in, size_t len);
int addr__x400_format_exchange(struct addr_buf *out, const struct addr_x400 *x,
			       struct addr_error *err);
int addr__x400_parse_rfc1685(struct addr__x400_pstate *st,
			     const char *in, size_t len);
int addr__x400_format_rfc1685(struct addr_buf *out, const struct addr_x400 *x,
			      struct addr_error *err);
int addr__x400_parse_stdor(struct addr__x400_pstate *st,
			   const char *in, size_t len);
int addr__x400_format_stdor(struct addr_buf *out, const struct addr_x400 *x,
			    struct addr_error *err);
/* addr__x400_stdor_detect - 1 if in[0..len) uses a key or quoting that
 * only the std-or form has (spec-x400.md §3, form selection) */
int addr__x400_stdor_detect(const char *in, size_t len);

/*
 * addr__x400_pn_parse - parse encoded-pn s[0..n) (spec-x400.md §3.5)
 * into the G, I and S of st (through addr__x400_put). 0, or ADDR_ESYNTAX
 * when s is not an encoded-pn, ADDR_ENOMEM.
 */
int addr__x400_pn_parse(struct addr__x400_pstate *st, const char *s,
			size_t n, size_t off);
/*
 * addr__x400_pn_format - append the encoded-pn of x when x holds only
 * S and optionally G and I and §3.5 allows it: 1 written, 0 not
 * applicable (nothing written), ADDR_ENOMEM. mask selects which
 * attributes of x count (bit per ADDR_X400_*); DDAs must be absent.
 */
int addr__x400_pn_format(struct addr_buf *out, const struct addr_x400 *x,
			 uint32_t mask);
/*
 * addr__x400_stdor_write - append the std-or form of the attributes of x
 * selected by mask (and the DDAs when dda is nonzero), in the order of
 * spec-x400.md §3.3. 0, ADDR_ESYNTAX (a value outside PrintableString),
 * ADDR_ENOMEM.
 */
int addr__x400_stdor_write(struct addr_buf *out, const struct addr_x400 *x,
			   uint32_t mask, int dda, struct addr_error *err);

#define ADDR__X400_ALL ((uint32_t)((1u << ADDR_X400_NATTR) - 1u))

#endif
