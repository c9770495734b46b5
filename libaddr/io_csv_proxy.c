/*
 * io_csv_proxy.c - the proxy columns of a 5.5 CSV line
 * (spec-directory.md §3 proxy syntax at import, §5.3, §5.5, §5.8)
 *
 * EXPORTS
 *	addr__csv_proxies()	E-mail Addresses and Secondary-Proxy-Addresses
 *				into the object's copy
 *
 * In CSV the column decides primacy, not the prefix case: every value of
 * E-mail Addresses is the primary of its type, every value of
 * Secondary-Proxy-Addresses a secondary. Append (5.5's default) adds: a
 * new primary demotes the former primary of its type, which stays as a
 * secondary; Overwrite replaces the column's set. ~DEL<TYPE:addr>
 * removes one value, ~DEL<TYPE:> every value of a type. The syntax is
 * the 5.5 importer's (events 230-232, 237), stricter than LDIF's: no
 * ":" is an error, not an SMTP address, and a type has at most 8
 * characters.
 */
#include <string.h>
#include "io_csv_apply.h"

/* ptype_eq - do two proxies have the same type (case-insensitive)? */
static int ptype_eq(const char *p, const char *q)
{
	size_t i;

	for (i = 0; p[i] != ':' && q[i] != ':'; i++)
		if (p[i] == '\0' || q[i] == '\0' || (p[i] | 0x20) != (q[i] | 0x20))
			return 0;
	return p[i] == ':' && q[i] == ':';
}

/* primary - is the stored proxy's prefix upper case (R20)? */
static int primary(const char *p)
{
	for (; *p != ':' && *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			return 0;
	return 1;
}

/* recase - upper (primary) or lower (secondary) prefix, in place */
static void recase(char *p, int upper)
{
	for (; *p != ':' && *p != '\0'; p++)
		if (upper && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
		else if (!upper && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
}

/*
 * csv_proxy - one proxy of a proxy column, by the 5.5 importer's rules
 * (events 230, 231, 232, 237), into out in stored form with the
 * primacy of its column. typeonly: "TYPE:" alone is allowed (~DEL).
 * 1 good, 0 reported, ADDR_ENOMEM.
 */
static int csv_proxy(struct addr__csv_run *c, struct addr_buf *out,
		     const char *v, size_t n, int upper, int typeonly)
{
	const char *colon = memchr(v, ':', n);
	struct addr_error pe;
	size_t tl, i;
	int rc;

	addr_buf_clear(out);
	if (colon == NULL) {
		addr__csv_error(c, ADDR_ESYNTAX, "proxy.no-colon", "proxy \"%s\" has no "
		      "\":\" between type and address (5.5 event 230)", v);
		return 0;
	}
	tl = (size_t)(colon - v);
	for (i = 0; i < tl && v[i] == ' '; i++)
		;
	if (i == tl) {
		addr__csv_error(c, ADDR_ESYNTAX, "proxy.empty-type", "proxy \"%s\" has an "
		      "empty type (5.5 event 231)", v);
		return 0;
	}
	if (tl > ADDR__CSV_TYPE_MAX) {
		addr__csv_error(c, ADDR_ETOOLONG, "proxy.type-too-long", "proxy type "
		      "\"%.*s\" is longer than %d characters (5.5 event 232)",
		      (int)tl, v, ADDR__CSV_TYPE_MAX);
		return 0;
	}
	if (typeonly && tl + 1 == n) {
		addr_buf_put(out, v, n);
		return out->oom ? ADDR_ENOMEM : 1;
	}
	rc = addr_proxy_parse(out, v, n, (c->d->flags & ADDR_DIR_X400_STRICT) ?
			      ADDR_PROXY_X400_STRICT : 0, &pe);
	if (rc == ADDR_ENOMEM)
		return rc;
	if (rc < 0) {
		addr__csv_error(c, ADDR_ESYNTAX, "proxy.invalid", "proxy \"%s\": %s (5.5 "
		      "event 237)", v, pe.message);
		return 0;
	}
	recase(out->ptr, upper);
	return 1;
}

/* proxy_at - index of the proxy of e equal to stored p (§4.2 key), -1,
 * or -2 for ENOMEM */
static long proxy_at(const struct addr_dir_entry *e, const char *p, size_t n)
{
	const struct addr__dattr *a = addr__entry_attr(e, "proxyAddresses");
	struct addr_buf k1, k2;
	long at = -1;
	size_t i;

	addr_buf_init(&k1);
	addr_buf_init(&k2);
	if (addr__proxy_key(&k1, p, n, NULL) == ADDR_ENOMEM)
		at = -2;
	for (i = 0; at == -1 && a != NULL && i < a->n; i++) {
		addr_buf_clear(&k2);
		if (addr__proxy_key(&k2, addr__dv(&a->v[i]), a->v[i].len, NULL) ==
		    ADDR_ENOMEM)
			at = -2;
		else if (k1.size == k2.size &&
			 memcmp(k1.ptr, k2.ptr, k1.size) == 0)
			at = (long)i;
	}
	if (k1.oom || k2.oom)
		at = -2;
	addr_buf_free(&k1);
	addr_buf_free(&k2);
	return at;
}

/* proxy_drop - remove the proxies of e that match: primaries (which 1)
 * or secondaries (which 0) or both (-1), of p's type when p is set */
static void proxy_drop(struct addr_dir_entry *e, int which, const char *p)
{
	struct addr__dattr *a = addr__entry_attr(e, "proxyAddresses");
	size_t i = 0;

	while (a != NULL && i < a->n) {
		const char *q = addr__dv(&a->v[i]);

		if ((which < 0 || primary(q) == which) &&
		    (p == NULL || ptype_eq(p, q))) {
			if (a->n == 1) {
				addr__csv_value_drop(e, a, i);
				return;
			}
			addr__csv_value_drop(e, a, i);
			continue;
		}
		i++;
	}
}

/* proxy_add - a primary (§5.8: the former primary of its type stays as
 * a secondary; an equal value is promoted and takes the line's
 * spelling) or a secondary (an equal value is kept as it is) */
static int proxy_add(struct addr_dir_entry *e, const char *p, size_t n,
		     int prim)
{
	struct addr__dattr *a;
	long at = proxy_at(e, p, n);
	size_t i;

	if (at == -2)
		return ADDR_ENOMEM;
	if (!prim)
		return at >= 0 ? 0 :
		       addr_dir_entry_add_value(e, "proxyAddresses", p, n);
	a = addr__entry_attr(e, "proxyAddresses");
	for (i = 0; a != NULL && i < a->n; i++)
		if ((long)i != at && ptype_eq(p, addr__dv(&a->v[i])))
			recase(addr__dv(&a->v[i]), 0);
	if (at < 0)
		return addr_dir_entry_add_value(e, "proxyAddresses", p, n);
	return addr__entry_set_value(e, (size_t)(a - e->a), (size_t)at, p, n);
}

/* proxy_column - validate one proxy column into st (stored forms) */
static int proxy_column(struct addr__csv_run *c, int col, int prim,
			int isnew, struct addr__csv_vals *vs, struct addr__csv_vals *st)
{
	struct addr_buf p;
	size_t i, j;
	int rc = addr__csv_collect(c, col, isnew, vs);

	if (rc <= 0)
		return rc;
	addr_buf_init(&p);
	st->clear = vs->clear;
	for (i = 0; i < vs->n && rc >= 0; i++) {
		rc = csv_proxy(c, &p, ADDR__CSV_VAL(vs, i), vs->v[i].len, prim,
			       vs->v[i].del);
		if (rc > 0)
			rc = addr__csv_vals_push(st, p.ptr, p.size, vs->v[i].del);
	}
	addr_buf_free(&p);
	for (i = 0; prim && rc >= 0 && i < st->n; i++)
		for (j = 0; !st->v[i].del && j < i; j++)
			if (ptype_eq(ADDR__CSV_VAL(st, i), ADDR__CSV_VAL(st, j))) {
				addr__csv_error(c, ADDR_ESYNTAX, "proxy.primary-twice",
				      "%s holds two primaries of one type: "
				      "\"%s\" and \"%s\" (5.5 event 233)",
				      addr__csv_colname(c, col), ADDR__CSV_VAL(st, j), ADDR__CSV_VAL(st, i));
				break;
			}
	return rc < 0 ? rc : 1;
}

/* proxy_apply - the validated values of one column into e */
static int proxy_apply(struct addr__csv_run *c, struct addr_dir_entry *e,
		       const struct addr__csv_vals *st, int prim)
{
	size_t i;
	long at;
	int rc;

	if (st->clear || (c->opt->overwrite && st->n > st->ndel))
		proxy_drop(e, prim, NULL);
	for (i = 0; i < st->n; i++) {
		const char *p = ADDR__CSV_VAL(st, i);
		size_t n = st->v[i].len;

		if (st->v[i].del && p[n - 1] == ':') {
			proxy_drop(e, prim ? -1 : 0, p);	/* ~DEL<TYPE:> */
		} else if (st->v[i].del) {
			if ((at = proxy_at(e, p, n)) == -2)
				return ADDR_ENOMEM;
			if (at >= 0)
				addr__csv_value_drop(e, addr__entry_attr(e,
					   "proxyAddresses"), (size_t)at);
		} else if ((rc = proxy_add(e, p, n, prim)) < 0) {
			return rc;
		}
	}
	return 0;
}

int addr__csv_proxies(struct addr__csv_run *c, struct addr_dir_entry *nw,
		      int isnew)
{
	struct addr__csv_vals vs[2], st[2];
	size_t before = c->s.nerrors;
	int rc = 0, k, col[2];

	col[0] = c->ci[ADDR__CSV_PRIMARY];
	col[1] = c->ci[ADDR__CSV_SECONDARY];
	for (k = 0; k < 2; k++) {
		addr__csv_vals_init(&vs[k]);
		addr__csv_vals_init(&st[k]);
	}
	for (k = 0; k < 2 && rc >= 0; k++)
		rc = proxy_column(c, col[k], k == 0, isnew, &vs[k], &st[k]);
	for (k = 0; k < 2 && rc >= 0 && c->s.nerrors == before; k++)
		rc = proxy_apply(c, nw, &st[k], k == 0);
	for (k = 0; k < 2; k++) {
		addr__csv_vals_free(&vs[k]);
		addr__csv_vals_free(&st[k]);
	}
	return rc < 0 ? rc : 0;
}
