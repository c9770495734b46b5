/*
 * io_csv_merge.c - how one CSV line changes one object
 * (spec-directory.md §5.3-§5.6, §5.8)
 *
 * EXPORTS
 *	addr__csv_merge()	every value column of the line into the
 *				object's copy (the proxy columns through
 *				io_csv_proxy.c)
 *	addr__csv_set_single(), addr__csv_member_edit()
 *	addr__csv_collect(), addr__csv_vals_*(), addr__csv_error(),
 *	addr__csv_colname(), addr__csv_value_drop()
 *				what the column rules share
 *
 * A blank field (empty or SPACEs, unquoted) keeps what the object has;
 * ~DEL removes; a single-valued column replaces. Multi-valued columns
 * add (Append, 5.5's default) or replace (Overwrite); ~DEL<value>
 * removes one value and may not be mixed with plain values. Members are
 * site-relative 5.5 paths; on a DL they are its members, on a mailbox or
 * remote row the DLs the object joins. Restrictions are absolute 5.5
 * DNs, found through legacyExchangeDN and X500 proxies, and filed by the
 * kind of the object they name (DLs in dLMemSubmitPerms and
 * dLMemRejectPerms, others in authOrig and unauthOrig).
 */
#include <stdio.h>
#include <string.h>
#include "io_csv_apply.h"

void addr__csv_vals_init(struct addr__csv_vals *vs)
{
	memset(vs, 0, sizeof(*vs));
	addr_buf_init(&vs->b);
}

void addr__csv_vals_free(struct addr__csv_vals *vs)
{
	addr_buf_free(&vs->b);
	addr__free(vs->v);
}

int addr__csv_vals_push(struct addr__csv_vals *vs, const char *s, size_t n,
			int del)
{
	void *p = addr__csv_grow(vs->v, &vs->cap, vs->n, sizeof(*vs->v));

	if (p == NULL)
		return ADDR_ENOMEM;
	vs->v = p;
	vs->v[vs->n].off = vs->b.size;
	vs->v[vs->n].len = n;
	vs->v[vs->n].del = del;
	vs->v[vs->n].group = 0;
	addr_buf_put(&vs->b, s, n);
	addr_buf_putc(&vs->b, '\0');
	vs->n++;
	vs->ndel += del != 0;
	return vs->b.oom ? ADDR_ENOMEM : 0;
}

const char *addr__csv_colname(const struct addr__csv_run *c, int i)
{
	return c->hnames.ptr + c->h[i].off;
}

void addr__csv_error(struct addr__csv_run *c, int code, const char *rule,
		     const char *fmt, ...)
{
	char msg[500];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->s.line = c->k.first;
	addr__sink_diag(&c->s, ADDR_SEV_ERROR, code, rule, "%s", msg);
}

/* unresolved - member.unresolved / restriction.unresolved: an error,
 * or in a lenient directory a warning (the value is then left out) */
static void unresolved(struct addr__csv_run *c, const char *rule,
		       const char *what, const char *v, const char *why)
{
	c->s.line = c->k.first;
	addr__sink_diag(&c->s, c->lenient ? ADDR_SEV_WARNING : ADDR_SEV_ERROR,
			ADDR_ESYNTAX, rule, "%s \"%s\" %s", what, v, why);
}

int addr__csv_collect(struct addr__csv_run *c, int col, int isnew,
		      struct addr__csv_vals *vs)
{
	struct addr__csv_val f;
	size_t i = 0, b, n;

	if (col < 0)
		return 0;
	addr__csv_field(c, col, &f);
	if (addr__csv_blank(f.p, f.n, f.quoted))
		return 0;
	if (addr__csv_is_del(f.p, f.n)) {
		if (isnew) {
			addr__csv_error(c, ADDR_ESYNTAX, "csv.del.new-object", "~DEL in "
			      "%s on an object the line creates (5.5 event "
			      "241)", addr__csv_colname(c, col));
			return 0;
		}
		vs->clear = 1;
		return 1;
	}
	while (addr__csv_mv_next(f.p, f.n, &i, &b, &n)) {
		int del = n >= 6 && addr__str_ieq(f.p + b, 5, "~DEL<") &&
			  f.p[b + n - 1] == '>';

		addr_buf_clear(&c->w);
		if (addr__csv_unescape(&c->w, f.p + b + (del ? 5 : 0),
				       n - (del ? 6 : 0)) < 0)
			return ADDR_ENOMEM;
		if (c->w.size > 0 &&
		    addr__csv_vals_push(vs, c->w.ptr, c->w.size, del) < 0)
			return ADDR_ENOMEM;
	}
	if (vs->ndel > 0 && vs->ndel < vs->n) {
		addr__csv_error(c, ADDR_ESYNTAX, "csv.del.mixed", "~DEL<value> mixed with "
		      "other values in %s (5.5 event 268)", addr__csv_colname(c, col));
		return 0;
	}
	if (vs->ndel > 0 && isnew) {
		addr__csv_error(c, ADDR_ESYNTAX, "csv.del.new-object", "~DEL<value> in %s "
		      "on an object the line creates (5.5 event 241)",
		      addr__csv_colname(c, col));
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------- values */

/* attr_remove - drop attribute name when present */
static void attr_remove(struct addr_dir_entry *e, const char *name)
{
	struct addr__dattr *a = addr__entry_attr(e, name);

	if (a != NULL)
		addr__entry_remove_attr(e, (size_t)(a - e->a));
}

void addr__csv_value_drop(struct addr_dir_entry *e, struct addr__dattr *a,
			  size_t j)
{
	addr__entry_drop_value(a, j);
	if (a->n == 0)
		addr__entry_remove_attr(e, (size_t)(a - e->a));
}

int addr__csv_set_single(struct addr_dir_entry *e, const char *attr,
			 const char *v, size_t n)
{
	struct addr__dattr *a = addr__entry_attr(e, attr);

	if (a != NULL)	/* keep the attribute's place; the values stay in
			 * the block */
		a->n = 0;
	return addr_dir_entry_add_value(e, attr, v, n);
}

/* single - a single-valued column (§5.5): blank keeps, ~DEL removes,
 * anything else replaces */
static int single(struct addr__csv_run *c, struct addr_dir_entry *nw,
		  const char *attr, int col, int isnew, int required)
{
	struct addr__csv_val f;

	addr__csv_field(c, col, &f);
	if (addr__csv_blank(f.p, f.n, f.quoted))
		return 0;
	if (addr__csv_is_del(f.p, f.n)) {
		if (isnew)
			addr__csv_error(c, ADDR_ESYNTAX, "csv.del.new-object", "~DEL in %s "
			      "on an object the line creates (5.5 event 241)",
			      addr__csv_colname(c, col));
		else if (required)
			addr__csv_error(c, ADDR_ESYNTAX, "csv.del.required", "%s is "
			      "required and cannot be deleted (5.5 event 266)",
			      addr__csv_colname(c, col));
		else
			attr_remove(nw, attr);
		return 0;
	}
	addr_buf_clear(&c->w);
	if (addr__csv_unescape(&c->w, f.p, f.n) < 0)
		return ADDR_ENOMEM;
	return addr__csv_set_single(nw, attr, c->w.ptr, c->w.size);
}

/* hide - Hide from AB: 1 hides, 0 shows (§5.3) */
static int hide(struct addr__csv_run *c, struct addr_dir_entry *nw, int col,
		int isnew)
{
	static const char attr[] = "msExchHideFromAddressLists";
	struct addr__csv_val f;
	size_t b = 0, e;

	addr__csv_field(c, col, &f);
	if (addr__csv_blank(f.p, f.n, f.quoted) || addr__csv_is_del(f.p, f.n))
		return single(c, nw, attr, col, isnew, 0);
	addr_buf_clear(&c->w);
	if (addr__csv_unescape(&c->w, f.p, f.n) < 0)
		return ADDR_ENOMEM;
	for (e = c->w.size; b < e && c->w.ptr[b] == ' '; b++)
		;
	while (e > b && c->w.ptr[e - 1] == ' ')
		e--;
	if (addr__str_ieq(c->w.ptr + b, e - b, "1") ||
	    addr__str_ieq(c->w.ptr + b, e - b, "TRUE"))
		return addr__csv_set_single(nw, attr, "TRUE", 4);
	if (addr__str_ieq(c->w.ptr + b, e - b, "0") ||
	    addr__str_ieq(c->w.ptr + b, e - b, "FALSE"))
		return addr__csv_set_single(nw, attr, "FALSE", 5);
	addr__csv_error(c, ADDR_ESYNTAX, "csv.value", "%s \"%s\" is neither 1 (hide) nor "
	      "0 (show)", addr__csv_colname(c, col), c->w.ptr);
	return 0;
}

/* value_key - what equal values share: the RFC 4514 key of a DN (dn
 * set, when it parses), else the value ASCII-folded behind a \1 */
static int value_key(struct addr_buf *k, const char *v, size_t n, int dn)
{
	size_t i;
	int rc;

	addr_buf_clear(k);
	if (dn && (rc = addr__dn_key(k, v, n)) != ADDR_ESYNTAX)
		return rc;
	addr_buf_putc(k, '\1');
	for (i = 0; i < n; i++)
		addr_buf_putc(k, v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) :
			      v[i]);
	return k->oom ? ADDR_ENOMEM : 0;
}

/* find - index of the value of attr equal to v (value_key), -1, or -2
 * for ENOMEM */
static long find(const struct addr_dir_entry *e, const char *attr,
		 const char *v, size_t n, int dn)
{
	const struct addr__dattr *a = addr__entry_attr(e, attr);
	struct addr_buf k, x;
	long at = -1;
	size_t i;

	if (a == NULL)
		return -1;
	addr_buf_init(&k);
	addr_buf_init(&x);
	if (value_key(&k, v, n, dn) < 0)
		at = -2;
	for (i = 0; at == -1 && i < a->n; i++)
		if (value_key(&x, addr__dv(&a->v[i]), a->v[i].len, dn) < 0)
			at = -2;
		else if (x.size == k.size && memcmp(x.ptr, k.ptr, k.size) == 0)
			at = (long)i;
	addr_buf_free(&k);
	addr_buf_free(&x);
	return at;
}

/* drop_value - remove the value of attr equal to v; 0 or ENOMEM */
static int drop_value(struct addr_dir_entry *e, const char *attr,
		      const char *v, size_t n, int dn)
{
	long at = find(e, attr, v, n, dn);

	if (at == -2)
		return ADDR_ENOMEM;
	if (at >= 0)
		addr__csv_value_drop(e, addr__entry_attr(e, attr), (size_t)at);
	return 0;
}

/* add_value - append v to attr unless an equal value is there */
static int add_value(struct addr_dir_entry *e, const char *attr,
		     const char *v, size_t n, int dn)
{
	long at = find(e, attr, v, n, dn);

	if (at == -2)
		return ADDR_ENOMEM;
	return at >= 0 ? 0 : addr_dir_entry_add_value(e, attr, v, n);
}

/*
 * edit_set - the generic MV merge of vs into attr (§5.5): a clear, or
 * an Overwrite with values, empties it; ~DEL<v> removes; plain values
 * are added unless present. A DL of thousands of members is one line:
 * the values present are hashed once, not compared pairwise.
 */
static int edit_set(struct addr__csv_run *c, struct addr_dir_entry *nw,
		    const char *attr, const struct addr__csv_vals *vs, int dn)
{
	struct addr__csv_keyset have;
	const struct addr__dattr *a;
	struct addr_buf k;
	size_t i;
	int rc = 0;

	if (vs->clear || (c->opt->overwrite && vs->n > vs->ndel))
		attr_remove(nw, attr);
	if (vs->ndel > 0) {	/* never mixed with plain values */
		for (i = 0; i < vs->n && rc == 0; i++)
			rc = drop_value(nw, attr, ADDR__CSV_VAL(vs, i), vs->v[i].len, dn);
		return rc;
	}
	addr__csv_keyset_init(&have);
	addr_buf_init(&k);
	a = addr__entry_attr(nw, attr);
	for (i = 0; a != NULL && i < a->n && rc == 0; i++)
		if ((rc = value_key(&k, addr__dv(&a->v[i]), a->v[i].len, dn)) == 0 &&
		    !addr__csv_keyset_get(&have, k.ptr, k.size))
			rc = addr__csv_keyset_add(&have, k.ptr, k.size, nw);
	for (i = 0; i < vs->n && rc == 0; i++) {
		if ((rc = value_key(&k, ADDR__CSV_VAL(vs, i), vs->v[i].len, dn)) < 0 ||
		    addr__csv_keyset_get(&have, k.ptr, k.size))
			continue;
		if ((rc = addr_dir_entry_add_value(nw, attr, ADDR__CSV_VAL(vs, i),
						   vs->v[i].len)) == 0)
			rc = addr__csv_keyset_add(&have, k.ptr, k.size, nw);
	}
	addr_buf_free(&k);
	addr__csv_keyset_free(&have);
	return rc;
}

int addr__csv_member_edit(struct addr_dir_entry *e, const char *dn, size_t n,
			  int add)
{
	return (add ? add_value : drop_value)(e, "member", dn, n, 1);
}

/* ------------------------------------------------------------ members */

/* member_dn - the DN of a member path into c->v; 1, 0 (reported), ENOMEM */
static int member_dn(struct addr__csv_run *c, const char *p, size_t n,
		     struct addr__csv_path *path, struct addr_buf *leaf)
{
	int rc = addr__csv_path_parse(&c->map, p, n, path, leaf);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		unresolved(c, "member.unresolved", "Members path", p,
			   "does not name an object in the recipients "
			   "container (e.g. Recipients/cn=Sub/cn=name)");
		return 0;
	}
	return addr__csv_dn_build(&c->map, &c->v, leaf->ptr, leaf->size,
				  path) < 0 ? ADDR_ENOMEM : 1;
}

/* group_op - record a DL membership change of a mailbox or remote row */
static int group_op(struct addr__csv_run *c, struct addr_dir_entry *g,
		    int add)
{
	void *p;
	size_t i;

	for (i = 0; i < c->ngroup; i++)
		if (c->group[i].e == g) {
			c->group[i].add = add;
			return 0;
		}
	if ((p = addr__csv_grow(c->group, &c->groupcap, c->ngroup,
				sizeof(*c->group))) == NULL)
		return ADDR_ENOMEM;
	c->group = p;
	c->group[c->ngroup].e = g;
	c->group[c->ngroup++].add = add;
	return 0;
}

/* joins - Members on a mailbox or remote row: the DLs it joins (or,
 * with ~DEL<path>, leaves; ~DEL leaves every DL), §5.6 */
static int joins(struct addr__csv_run *c, struct addr_dir_entry *nw,
		 const struct addr__csv_vals *vs)
{
	struct addr__csv_path path;
	struct addr_buf leaf;
	size_t i;
	int rc = 0;

	for (i = 0; vs->clear && i < c->d->n; i++) {
		long at;

		if (c->d->e[i]->kind != ADDR_DIR_GROUP)
			continue;
		if ((at = find(c->d->e[i], "member", nw->dn, nw->dnlen, 1)) == -2 ||
		    (at >= 0 && group_op(c, c->d->e[i], 0) < 0))
			return ADDR_ENOMEM;
	}
	addr__csv_path_init(&path);
	addr_buf_init(&leaf);
	for (i = 0, rc = 0; i < vs->n && rc >= 0; i++) {
		struct addr_dir_entry *g;

		if ((rc = member_dn(c, ADDR__CSV_VAL(vs, i), vs->v[i].len, &path,
				    &leaf)) <= 0)
			continue;
		g = addr__dir_find_mut(c->d, c->v.ptr, c->v.size, &rc);
		if (rc < 0)
			break;
		if (g == NULL || g->kind != ADDR_DIR_GROUP)
			unresolved(c, "member.unresolved", "Members path",
				   ADDR__CSV_VAL(vs, i), "names no distribution list to "
				   "join (a DL must exist before the line)");
		else
			rc = group_op(c, g, !vs->v[i].del);
	}
	addr__csv_path_free(&path);
	addr_buf_free(&leaf);
	return rc < 0 ? rc : 0;
}

/* members - the Members column: a DL's member DNs, or the DLs a mailbox
 * or remote row joins */
static int members(struct addr__csv_run *c, struct addr_dir_entry *nw,
		   int kind, int isnew)
{
	struct addr__csv_path path;
	struct addr_buf leaf;
	struct addr__csv_vals vs, dns;
	size_t i, before = c->s.nerrors;
	int rc;

	addr__csv_vals_init(&vs);
	addr__csv_vals_init(&dns);
	rc = addr__csv_collect(c, c->ci[ADDR__CSV_MEMBERS], isnew, &vs);
	if (rc > 0 && kind != ADDR_DIR_GROUP) {
		rc = joins(c, nw, &vs);
		addr__csv_vals_free(&vs);
		return rc;
	}
	addr__csv_path_init(&path);
	addr_buf_init(&leaf);
	dns.clear = vs.clear;
	for (i = 0; rc > 0 && i < vs.n; i++) {
		int m = member_dn(c, ADDR__CSV_VAL(&vs, i), vs.v[i].len, &path, &leaf);

		if (m < 0)
			rc = m;
		else if (m > 0 && addr__csv_vals_push(&dns, c->v.ptr, c->v.size,
					    vs.v[i].del) < 0)
			rc = ADDR_ENOMEM;
	}
	if (rc > 0 && c->s.nerrors == before)
		rc = edit_set(c, nw, "member", &dns, 1);
	addr__csv_path_free(&path);
	addr_buf_free(&leaf);
	addr__csv_vals_free(&vs);
	addr__csv_vals_free(&dns);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------- restrictions */

/*
 * resolve - the object an absolute 5.5 DN names (§5.6): by
 * legacyExchangeDN or X500/EX proxy in the directory, by a
 * legacyExchangeDN a line of this file declares, or by the §5.8 mapping
 * when org and site are set. Its DN goes to c->v, *group says whether it
 * is a DL (the column's when unknown). 1, 0 not found, ENOMEM.
 */
static int resolve(struct addr__csv_run *c, const char *v, size_t n,
		   int *group)
{
	struct addr__csv_path path;
	const struct addr__href *h;
	struct addr_buf k, leaf;
	const struct addr_dir_entry *e = NULL;
	struct addr__hit it = ADDR__HIT_INIT;
	int rc = 0;

	addr_buf_clear(&c->v);
	if (n == 0 || v[0] != '/')
		return 0;
	addr_buf_init(&k);
	addr_buf_putc(&k, '\1');
	if (addr__dir_fold(&k, v, n) < 0) {
		addr_buf_free(&k);
		return ADDR_ENOMEM;
	}
	while ((h = addr__hmap_next(&c->d->keys, k.ptr, k.size, &it)) != NULL)
		if (h->e->keys[h->ki].tag != ADDR__K_TARGET) {
			e = h->e;
			break;
		}
	if (e == NULL && it.rc < 0) {
		addr_buf_free(&k);
		return it.rc;
	}
	if (e == NULL)
		e = addr__csv_keyset_get(&c->legdns, k.ptr, k.size);
	addr_buf_free(&k);
	if (e != NULL) {
		*group = e->kind == ADDR_DIR_GROUP;
		addr_buf_put(&c->v, e->dn, e->dnlen);
		return c->v.oom ? ADDR_ENOMEM : 1;
	}
	addr__csv_path_init(&path);
	addr_buf_init(&leaf);
	rc = addr__csv_path_parse(&c->map, v, n, &path, &leaf);
	if (rc > 0 && addr__csv_dn_build(&c->map, &c->v, leaf.ptr, leaf.size,
					 &path) < 0)
		rc = ADDR_ENOMEM;
	addr__csv_path_free(&path);
	addr_buf_free(&leaf);
	return rc;
}

/* restriction - one model field: the two columns of it (users and DLs)
 * into attributes user / dl of nw by the kind of the named object */
static int restriction(struct addr__csv_run *c, struct addr_dir_entry *nw,
		       int isnew, const int col[2], const char *user,
		       const char *dl)
{
	struct addr__csv_vals vs[2], dns[2];	/* [0]: user, [1]: dl */
	size_t i, before = c->s.nerrors;
	int rc = 0, k, g, any = 0;

	for (k = 0; k < 2; k++) {
		addr__csv_vals_init(&vs[k]);
		addr__csv_vals_init(&dns[k]);
	}
	for (k = 0; k < 2 && rc >= 0; k++) {
		if ((rc = addr__csv_collect(c, col[k], isnew, &vs[k])) <= 0)
			continue;
		any = 1;
		dns[0].clear |= vs[k].clear;
		for (i = 0; i < vs[k].n && rc >= 0; i++) {
			g = k;
			if ((rc = resolve(c, ADDR__CSV_VAL(&vs[k], i), vs[k].v[i].len,
					  &g)) == 0)
				unresolved(c, "restriction.unresolved",
					   addr__csv_colname(c, col[k]), ADDR__CSV_VAL(&vs[k], i),
					   "names no object (no legacyExchangeDN "
					   "or X500 proxy is equal to it)");
			else if (rc > 0)
				rc = addr__csv_vals_push(&dns[g], c->v.ptr, c->v.size,
					       vs[k].v[i].del);
		}
	}
	if (rc >= 0 && any && c->s.nerrors == before) {
		/* one list kept in two attributes: a clear or an overwrite
		 * empties both, a ~DEL<dn> looks in both */
		if (dns[0].clear || (c->opt->overwrite &&
				     dns[0].n + dns[1].n >
				     dns[0].ndel + dns[1].ndel)) {
			attr_remove(nw, user);
			attr_remove(nw, dl);
		}
		for (k = 0; k < 2; k++)
			for (i = 0; i < dns[k].n && rc >= 0; i++) {
				const char *v = ADDR__CSV_VAL(&dns[k], i);
				size_t n = dns[k].v[i].len;

				if (!dns[k].v[i].del)
					rc = add_value(nw, k ? dl : user, v, n, 1);
				else if ((rc = drop_value(nw, user, v, n, 1)) == 0)
					rc = drop_value(nw, dl, v, n, 1);
			}
	}
	for (k = 0; k < 2; k++) {
		addr__csv_vals_free(&vs[k]);
		addr__csv_vals_free(&dns[k]);
	}
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- all */

int addr__csv_merge(struct addr__csv_run *c, struct addr_dir_entry *nw,
		    int kind, int isnew)
{
	static const int acc[2] = { ADDR__CSV_ACCEPT, ADDR__CSV_ACCEPT_DL };
	static const int rej[2] = { ADDR__CSV_REJECT, ADDR__CSV_REJECT_DL };
	int col[2], rc = 0;
	size_t i;

	for (i = 0; i < c->nh && rc >= 0; i++) {
		const struct addr__csv_col *h = &c->h[i];
		const char *attr = addr__csv_attr(h->col);

		if (attr != NULL)
			rc = single(c, nw, attr, (int)i, isnew,
				    h->col == ADDR__CSV_TARGET &&
				    kind == ADDR_DIR_CONTACT);
		else if (h->col == ADDR__CSV_HIDE)
			rc = hide(c, nw, (int)i, isnew);
		else if (h->col == ADDR__CSV_OPAQUE && !h->mv)
			rc = single(c, nw, addr__csv_colname(c, (int)i), (int)i, isnew, 0);
		else if (h->col == ADDR__CSV_OPAQUE) {
			struct addr__csv_vals vs;

			addr__csv_vals_init(&vs);
			if ((rc = addr__csv_collect(c, (int)i, isnew, &vs)) > 0)
				rc = edit_set(c, nw, addr__csv_colname(c, (int)i), &vs, 0);
			addr__csv_vals_free(&vs);
		}
	}
	if (rc >= 0)
		rc = addr__csv_proxies(c, nw, isnew);
	if (rc >= 0)
		rc = members(c, nw, kind, isnew);
	for (i = 0; i < 2 && rc >= 0; i++) {
		const int *pair = i ? rej : acc;

		col[0] = c->ci[pair[0]];
		col[1] = c->ci[pair[1]];
		rc = restriction(c, nw, isnew, col, addr__csv_ref_attr(pair[0]),
				 addr__csv_ref_attr(pair[1]));
	}
	return rc < 0 ? rc : 0;
}
