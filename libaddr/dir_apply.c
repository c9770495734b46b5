/*
 * dir_apply.c - change records applied to a directory (spec-directory.md
 * §4, §6.3)
 *
 * EXPORTS
 *	addr_dir_apply()		one change record (LDIF or DSML)
 *	addr_dir_apply_check()		the invariants after a change file
 *	addr__dir_load_record()		one content record as a new entry
 *
 * An import is all or nothing, and it must find every problem of a
 * change file in one run. So records are applied one by one to an
 * in-memory copy without the uniqueness check (a primary moved by a
 * delete and an add, or two records swapping an address, would fail
 * half-way otherwise); a record that breaks a rule of its own is skipped
 * and reported; the uniqueness and reference invariants are checked once
 * on the final state, each clash charged to the record that touched the
 * entry last. Whether anything is written is the caller's decision.
 */
#include <stdio.h>
#include <ctype.h>
#include <string.h>
#include "dir_int.h"

/* ---------------------------------------------------------- helpers */

/* attr_name - a NUL-terminated copy of an attribute description */
static int attr_name(char *buf, size_t cap, struct addr_str n)
{
	if (n.len == 0 || n.len >= cap)
		return -1;
	memcpy(buf, n.ptr, n.len);
	buf[n.len] = '\0';
	return 0;
}

/* is_ref - is name a DN-valued reference attribute? */
static int is_ref(const char *name)
{
	size_t r;

	for (r = 0; addr__dir_ref_attrs[r] != NULL; r++)
		if (addr__str_ieq(name, strlen(name), addr__dir_ref_attrs[r]))
			return 1;
	return 0;
}

/*
 * value_key - the equality key of value v of attribute name (§2 "value
 * equality"): proxies by their comparison key, references by their DN
 * key, everything else ASCII case-insensitively (LDAP's caseIgnoreMatch
 * for the directory strings the model holds). 0 or ADDR_ENOMEM.
 */
static int value_key(struct addr_buf *out, const char *name, const char *v,
		     size_t n, unsigned dflags)
{
	size_t i;
	int rc;

	addr_buf_clear(out);
	if (addr__str_ieq(name, strlen(name), "proxyAddresses")) {
		struct addr_buf st;

		addr_buf_init(&st);
		rc = addr_proxy_parse(&st, v, n, (dflags & ADDR_DIR_X400_STRICT) ?
				      ADDR_PROXY_X400_STRICT : 0, NULL);
		if (rc >= 0)
			rc = addr__proxy_key(out, st.ptr, st.size, NULL);
		addr_buf_free(&st);
		if (rc == ADDR_ENOMEM)
			return rc;
		if (rc >= 0)
			return 0;
		addr_buf_clear(out);	/* unparsable: compare as text */
	} else if (is_ref(name)) {
		rc = addr__dn_key(out, v, n);
		if (rc == ADDR_ENOMEM)
			return rc;
		if (rc == 0)
			return 0;
		addr_buf_clear(out);
	}
	for (i = 0; i < n; i++) {
		char c = v[i];

		addr_buf_putc(out, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
	}
	return out->oom ? ADDR_ENOMEM : 0;
}

/* find_value - index of the value of a equal to v, or -1 (or -2 on
 * ENOMEM) */
static long find_value(const struct addr__dattr *a, const char *name,
		       const char *v, size_t n, unsigned dflags)
{
	struct addr_buf k, x;
	long found = -1;
	size_t i;

	if (a == NULL)
		return -1;
	addr_buf_init(&k);
	addr_buf_init(&x);
	if (value_key(&k, name, v, n, dflags) < 0)
		found = -2;
	for (i = 0; found == -1 && i < a->n; i++) {
		if (value_key(&x, name, addr__dv(&a->v[i]), a->v[i].len, dflags) < 0)
			found = -2;
		else if (x.size == k.size && memcmp(x.ptr, k.ptr, k.size) == 0)
			found = (long)i;
	}
	addr_buf_free(&k);
	addr_buf_free(&x);
	return found;
}

static void remove_value(struct addr_dir_entry *e, struct addr__dattr *a,
			 size_t j)
{
	addr__entry_drop_value(a, j);
	if (a->n == 0)
		addr__entry_remove_attr(e, (size_t)(a - e->a));
}

/* is_recipient - does the record's objectClass name a recipient kind? */
static int is_recipient(const struct addr_ldif_record *rec)
{
	size_t i;

	for (i = 0; i < rec->nitem; i++) {
		const struct addr_ldif_item *it = &rec->item[i];

		if (!addr__str_ieq(it->name.ptr, it->name.len, "objectClass"))
			continue;
		if (addr__str_ieq(it->value.ptr, it->value.len, "user") ||
		    addr__str_ieq(it->value.ptr, it->value.len, "contact") ||
		    addr__str_ieq(it->value.ptr, it->value.len, "group"))
			return 1;
	}
	return 0;
}

int addr__dir_entry_of(struct addr_dir_entry **out,
		       const struct addr_ldif_record *rec, struct addr__sink *s)
{
	return addr__dir_entry_of_planned(out, rec, s, NULL, NULL);
}

int addr__dir_entry_of_planned(struct addr_dir_entry **out,
			       const struct addr_ldif_record *rec,
			       struct addr__sink *s, const char *const *pn,
			       const struct addr__fillsize *sz)
{
	struct addr_dir_entry *e;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = addr_dir_entry_new(&e, rec->dn.ptr, rec->dn.len)) < 0) {
		if (rc == ADDR_ENOMEM)
			return rc;
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "dn.syntax",
				"empty DN");
		return 0;
	}
	e->line = ADDR__LINE(rec->line);
	for (i = 0; i < rec->nitem; i++) {
		size_t n = rec->item[i].name.len;

		if (n == 0 || n >= 256) {	/* attr_name's limits */
			s->line = rec->item[i].line;
			addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ETOOLONG,
					"ldif.syntax", "attribute name too long");
			addr_dir_entry_free(e);
			return 0;
		}
	}
	if ((pn != NULL ? addr__entry_fill_planned(e, rec, pn, sz) :
	     addr__entry_fill(e, rec)) < 0) {
		addr_dir_entry_free(e);
		return ADDR_ENOMEM;
	}
	*out = e;
	return 0;
}

int addr__dir_load_record(struct addr_dir *d, const struct addr_ldif_record *rec,
			  struct addr__sink *s)
{
	struct addr_dir_entry *e;
	int rc;

	s->line = rec->line;
	s->column = 0;
	if ((rc = addr__dir_entry_of(&e, rec, s)) < 0 || e == NULL)
		return rc;
	rc = addr__entry_prepare(e, d->flags, s);
	if (rc < 0) {
		addr_dir_entry_free(e);
		return rc;
	}
	return addr__dir_load_prepared(d, e, s);
}

int addr__dir_load_prepared(struct addr_dir *d, struct addr_dir_entry *e,
			    struct addr__sink *s)
{
	struct addr_dir_entry *o;
	int rc;

	o = addr__dir_find_dn_of(d, e, &rc);
	if (rc < 0) {
		addr_dir_entry_free(e);
		return rc;
	}
	if (o != NULL) {
		s->line = e->line;
		s->column = 0;
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ECONFLICT,
				"dn.duplicate", "%s (line %zu) and %s name the "
				"same object", o->dn, (size_t)o->line, e->dn);
		addr_dir_entry_free(e);
		return 0;
	}
	if (addr__dir_insert(d, e) < 0) {
		addr_dir_entry_free(e);
		return ADDR_ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------ records */

struct apply {
	struct addr_dir *d;
	const struct addr_ldif_record *rec;
	unsigned flags;
	struct addr__sink s;
};

/* refuse - one error charged to the record (at line, 0: the record's) */
#define refuse(ap, ln, code, rule, ...) do { \
	(ap)->s.line = (ln) ? (ln) : (ap)->rec->line; \
	addr__sink_diag(&(ap)->s, ADDR_SEV_ERROR, code, rule, __VA_ARGS__); \
} while (0)

/*
 * admit - the model rules of the changed copy nw of old (NULL for a new
 * entry): errors of its own, a kind change, the loss of its primary
 * SMTP address (R26). Returns the number of errors, or ADDR_ENOMEM.
 */
static int admit_old(struct apply *ap, struct addr_dir_entry *nw,
		     const struct addr_dir_entry *old, int rc, size_t before);

static int admit(struct apply *ap, struct addr_dir_entry *nw,
		 const struct addr_dir_entry *old)
{
	size_t before = ap->s.nerrors;
	int rc;

	nw->line = ADDR__LINE(ap->rec->line);
	nw->changed = 1;
	rc = addr__entry_prepare(nw, ap->d->flags, &ap->s);
	if (rc < 0)
		return rc;
	return admit_old(ap, nw, old, rc, before);
}

/* admit_old - admit's checks after the model rules (rc: their errors) */
static int admit_old(struct apply *ap, struct addr_dir_entry *nw,
		     const struct addr_dir_entry *old, int rc, size_t before)
{
	if (rc == 0 && old != NULL && nw->kind != old->kind)
		refuse(ap, 0, ADDR_ESYNTAX, "model.kind-change",
		       "%s would change its kind", nw->dn);
	if (rc == 0 && old != NULL && addr_dir_entry_mail(old) != NULL &&
	    addr_dir_entry_mail(nw) == NULL)
		refuse(ap, 0, ADDR_ESYNTAX, "proxy.primary-removed",
		       "%s would lose its primary SMTP address %s and get no "
		       "other (R26)", nw->dn, addr_dir_entry_mail(old));
	return (int)(ap->s.nerrors - before);
}

/* do_add - an add or content record; x (nullable) what a worker of
 * dir_pipe.c made of it */
static int do_add(struct apply *ap, struct addr__piped *x)
{
	struct addr_dir_entry *e, *old;
	int rc;

	if ((ap->flags & ADDR_APPLY_SKIP_NONRECIPIENT) &&
	    !is_recipient(ap->rec)) {
		ap->s.line = ap->rec->line;
		addr__sink_diag(&ap->s, ADDR_SEV_WARNING, 0, "model.kind",
				"%.*s is not a recipient: skipped",
				(int)ap->rec->dn.len, ap->rec->dn.ptr);
		return 0;
	}
	/* the worker's entry has the DN key's hash: no key is made for
	 * a DN the directory does not have */
	if (x != NULL && x->made && x->e != NULL)
		old = addr__dir_find_dn_of(ap->d, x->e, &rc);
	else
		old = addr__dir_find_mut(ap->d, ap->rec->dn.ptr,
					 ap->rec->dn.len, &rc);
	if (rc < 0)
		return rc;
	if (old != NULL && !(ap->flags & ADDR_APPLY_REPLACE_EXISTING &&
			     ap->rec->change == ADDR_LDIF_ENTRY)) {
		refuse(ap, 0, ADDR_ECONFLICT, "change.exists",
		       "%s already exists (line %zu)", old->dn, (size_t)old->line);
		return 1;
	}
	if (x != NULL && x->made) {
		size_t before = ap->s.nerrors;

		addr__piped_replay(&ap->s, x);
		if (x->rc < 0)
			return x->rc;
		if ((e = x->e) == NULL)
			return 1;
		x->e = NULL;
		e->changed = 1;
		rc = admit_old(ap, e, NULL, (int)x->nerr, before);
	} else {
		if ((rc = addr__dir_entry_of(&e, ap->rec, &ap->s)) < 0)
			return rc;
		if (e == NULL)
			return 1;
		rc = admit(ap, e, NULL);
	}
	if (rc != 0) {
		addr_dir_entry_free(e);
		return rc;
	}
	if (old != NULL) {
		if (e->kind != old->kind) {
			refuse(ap, 0, ADDR_ESYNTAX, "model.kind-change",
			       "%s would change its kind", e->dn);
			addr_dir_entry_free(e);
			return 1;
		}
		rc = addr__dir_swap(ap->d, old, e);
	} else {
		rc = addr__dir_insert(ap->d, e);
	}
	if (rc < 0)
		addr_dir_entry_free(e);
	return rc;
}

/* existing - the object the record names: 1 found, 0 refused with
 * change.no-object, or ADDR_ENOMEM */
static int existing(struct apply *ap, struct addr_dir_entry **old)
{
	int rc;

	*old = addr__dir_find_mut(ap->d, ap->rec->dn.ptr, ap->rec->dn.len, &rc);
	if (rc < 0)
		return rc;
	if (*old == NULL) {
		refuse(ap, 0, ADDR_ESYNTAX, "change.no-object",
		       "%.*s: no such object", (int)ap->rec->dn.len,
		       ap->rec->dn.ptr);
		return 0;
	}
	return 1;
}

static int do_delete(struct apply *ap)
{
	struct addr_dir_entry *old;
	int rc;

	if ((rc = existing(ap, &old)) <= 0)
		return rc < 0 ? rc : 1;
	addr__dir_remove(ap->d, old);
	return 0;
}

/* mod_spec - apply the mod-spec starting at item i to nw; returns the
 * index after it, or a negative ADDR_E*; errors go to ap */
static long mod_spec(struct apply *ap, struct addr_dir_entry *nw, size_t i)
{
	const struct addr_ldif_item *h = &ap->rec->item[i];
	char name[256];
	struct addr__dattr *a;
	size_t j, nv;
	long at;

	for (j = i + 1; j < ap->rec->nitem &&
	     ap->rec->item[j].kind == ADDR_LDIF_VALUE; j++)
		;
	nv = j - i - 1;
	/* the mod-spec's attribute is its item's name (the LDIF reader
	 * also leaves it in the value) */
	if (attr_name(name, sizeof(name), h->name.len ? h->name : h->value) < 0) {
		refuse(ap, h->line, ADDR_ETOOLONG, "ldif.syntax",
		       "attribute name too long");
		return (long)j;
	}
	a = addr__entry_attr(nw, name);
	if (h->kind == ADDR_LDIF_MOD_REPLACE && a != NULL)
		addr__entry_remove_attr(nw, (size_t)(a - nw->a));
	if (h->kind == ADDR_LDIF_MOD_DELETE && nv == 0) {
		if (a == NULL)
			refuse(ap, h->line, ADDR_ESYNTAX, "change.no-value",
			       "%s has no attribute %s to delete", nw->dn,
			       name);
		else
			addr__entry_remove_attr(nw, (size_t)(a - nw->a));
		return (long)j;
	}
	for (i++; i < j; i++) {
		const struct addr_ldif_item *v = &ap->rec->item[i];

		a = addr__entry_attr(nw, name);
		at = find_value(a, name, v->value.ptr, v->value.len,
				ap->d->flags);
		if (at == -2)
			return ADDR_ENOMEM;
		if (h->kind == ADDR_LDIF_MOD_DELETE) {
			if (at < 0)
				refuse(ap, v->line, ADDR_ESYNTAX,
				       "change.no-value", "%s has no %s value "
				       "\"%.*s\"", nw->dn, name,
				       (int)v->value.len, v->value.ptr);
			else
				remove_value(nw, a, (size_t)at);
			continue;
		}
		if (at >= 0) {
			refuse(ap, v->line, ADDR_ECONFLICT, "change.value-exists",
			       "%s already has the %s value \"%.*s\"", nw->dn,
			       name, (int)v->value.len, v->value.ptr);
			continue;
		}
		if (addr_dir_entry_add_value(nw, name, v->value.ptr,
					     v->value.len) < 0)
			return ADDR_ENOMEM;
	}
	return (long)j;
}

static int do_modify(struct apply *ap)
{
	struct addr_dir_entry *old, *nw;
	size_t before = ap->s.nerrors, i;
	int rc;

	if ((rc = existing(ap, &old)) <= 0)
		return rc < 0 ? rc : 1;
	if (addr_dir_entry_copy(&nw, old) < 0)
		return ADDR_ENOMEM;
	for (i = 0; i < ap->rec->nitem;) {
		long next;

		if (ap->rec->item[i].kind == ADDR_LDIF_VALUE ||
		    ap->rec->item[i].kind == ADDR_LDIF_CONTROL) {
			i++;
			continue;
		}
		if ((next = mod_spec(ap, nw, i)) < 0) {
			addr_dir_entry_free(nw);
			return (int)next;
		}
		i = (size_t)next;
	}
	if (ap->s.nerrors == before && (rc = admit(ap, nw, old)) < 0) {
		addr_dir_entry_free(nw);
		return rc;
	}
	if (ap->s.nerrors != before) {
		addr_dir_entry_free(nw);
		return (int)(ap->s.nerrors - before);
	}
	if ((rc = addr__dir_swap(ap->d, old, nw)) < 0)
		addr_dir_entry_free(nw);
	return rc;
}

/* rdn_end - length of the first RDN of dn[0..n) (up to an unescaped
 * ","), RFC 4514 */
static size_t rdn_end(const char *dn, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (dn[i] == '\\' && i + 1 < n)
			i++;
		else if (dn[i] == ',')
			return i;
	}
	return n;
}

/* item_value - the value of the modrdn item named name, or NULL */
static const struct addr_ldif_item *item_named(const struct addr_ldif_record *rec,
					       const char *name)
{
	size_t i;

	for (i = 0; i < rec->nitem; i++)
		if (addr__str_ieq(rec->item[i].name.ptr, rec->item[i].name.len,
				  name))
			return &rec->item[i];
	return NULL;
}

/*
 * rdn_value - split a single-valued RDN "type=value" into its type and
 * its unescaped value (appended to val). 0, or -1 when the RDN is
 * multi-valued or has no "=" (then the attribute is not touched).
 */
static int rdn_value(const char *rdn, size_t n, char *type, size_t cap,
		     struct addr_buf *val)
{
	const char *eq = memchr(rdn, '=', n);
	size_t i, tl;

	if (eq == NULL)
		return -1;
	tl = (size_t)(eq - rdn);
	while (tl > 0 && rdn[tl - 1] == ' ')
		tl--;
	if (tl == 0 || tl >= cap)
		return -1;
	memcpy(type, rdn, tl);
	type[tl] = '\0';
	for (i = (size_t)(eq - rdn) + 1; i < n && rdn[i] == ' '; i++)
		;
	for (; i < n; i++) {
		if (rdn[i] == '+')
			return -1;
		if (rdn[i] == '\\' && i + 1 < n) {
			int hi = addr__hexval((unsigned char)rdn[i + 1]);
			int lo = i + 2 < n ? addr__hexval((unsigned char)rdn[i + 2]) : -1;

			if (hi >= 0 && lo >= 0) {
				addr_buf_putc(val, (char)(hi << 4 | lo));
				i += 2;
			} else {
				addr_buf_putc(val, rdn[++i]);
			}
			continue;
		}
		addr_buf_putc(val, rdn[i]);
	}
	while (val->size > 0 && val->ptr[val->size - 1] == ' ' &&
	       (val->size < 2 || val->ptr[val->size - 2] != '\\'))
		val->size--;
	return 0;
}

/* rdn_type_ok - does rdn[0..n) start with an RFC 4514 attributeType
 * (keystring, or a numericoid) and "="? */
static int rdn_type_ok(const char *rdn, size_t n)
{
	size_t i = 0;

	if (n > 0 && rdn[0] >= '0' && rdn[0] <= '9') {
		while (i < n && ((rdn[i] >= '0' && rdn[i] <= '9') ||
				 (rdn[i] == '.' && i > 0 && rdn[i - 1] != '.')))
			i++;
		if (i == 0 || rdn[i - 1] == '.')
			return 0;
	} else {
		while (i < n && (isalnum((unsigned char)rdn[i]) ||
				 (rdn[i] == '-' && i > 0)))
			i++;
		if (i == 0 || !isalpha((unsigned char)rdn[0]))
			return 0;
	}
	while (i < n && rdn[i] == ' ')
		i++;
	return i < n && rdn[i] == '=';
}

static int do_modrdn(struct apply *ap)
{
	const struct addr_ldif_item *nr = item_named(ap->rec, "newrdn");
	const struct addr_ldif_item *del = item_named(ap->rec, "deleteoldrdn");
	const struct addr_ldif_item *sup = item_named(ap->rec, "newsuperior");
	struct addr_dir_entry *old, *nw = NULL;
	struct addr_buf dn, v, oldkey;
	size_t orl, before = ap->s.nerrors;
	char type[256];
	int rc;

	if ((rc = existing(ap, &old)) <= 0)
		return rc < 0 ? rc : 1;
	if (nr == NULL || nr->value.len == 0) {
		refuse(ap, 0, ADDR_ESYNTAX, "ldif.syntax", "modrdn without newrdn");
		return 1;
	}
	/* the new RDN's type becomes an attribute of the entry: it must be
	 * one (RFC 4514 attributeType), or the directory written would not
	 * read back (found by fuzzing: "newrdn: C~=a2") */
	if (!rdn_type_ok(nr->value.ptr, nr->value.len)) {
		refuse(ap, nr->line, ADDR_ESYNTAX, "change.newrdn",
		       "newrdn \"%.*s\" is not TYPE=value with an attribute "
		       "type", (int)nr->value.len, nr->value.ptr);
		return 1;
	}
	addr_buf_init(&dn);
	addr_buf_init(&v);
	addr_buf_init(&oldkey);
	orl = rdn_end(old->dn, old->dnlen);
	addr_buf_put(&dn, nr->value.ptr, nr->value.len);
	if (sup != NULL && sup->value.len > 0) {
		addr_buf_putc(&dn, ',');
		addr_buf_put(&dn, sup->value.ptr, sup->value.len);
	} else if (orl < old->dnlen) {
		addr_buf_put(&dn, old->dn + orl, old->dnlen - orl);
	}
	rc = ADDR_ENOMEM;
	if (dn.oom || addr__entry_dnkey(old, &oldkey) == ADDR_ENOMEM)
		goto out;
	/* the new entry: a copy of the old one under the new DN */
	if (addr_dir_entry_copy(&nw, old) < 0)
		goto out;
	if (addr__entry_set_dn(nw, dn.ptr, dn.size) < 0)
		goto out;
	/* deleteoldrdn: 1 removes the old RDN value; the new one is added */
	if (del != NULL && del->value.len == 1 && del->value.ptr[0] == '1' &&
	    rdn_value(old->dn, orl, type, sizeof(type), &v) == 0) {
		struct addr__dattr *a = addr__entry_attr(nw, type);
		long at;

		/* a value cut short by a failed allocation would not be
		 * found, and the old RDN value silently kept (found by
		 * test_dirpipe_alloc) */
		if (v.oom)
			goto out;
		at = find_value(a, type, v.ptr, v.size, ap->d->flags);
		if (at == -2)
			goto out;
		if (at >= 0)
			remove_value(nw, a, (size_t)at);
	}
	addr_buf_clear(&v);
	if (rdn_value(nr->value.ptr, nr->value.len, type, sizeof(type),
		      &v) == 0) {
		struct addr__dattr *a = addr__entry_attr(nw, type);
		long at = find_value(a, type, v.ptr, v.size, ap->d->flags);

		if (at == -2 || v.oom)
			goto out;
		if (at < 0 && addr_dir_entry_add_value(nw, type, v.ptr,
						       v.size) < 0)
			goto out;
	}
	if ((rc = admit(ap, nw, old)) < 0)
		goto out;
	if (ap->s.nerrors == before) {
		struct addr_dir_entry *o = addr__dir_find_dn_of(ap->d, nw, &rc);

		if (rc < 0)
			goto out;
		if (o != NULL && o != old)
			refuse(ap, 0, ADDR_ECONFLICT, "change.exists",
			       "%s already exists (line %zu)", o->dn, (size_t)o->line);
	}
	if (ap->s.nerrors != before) {
		rc = (int)(ap->s.nerrors - before);
		goto out;
	}
	/* the DN index is keyed by DN: take the old entry out, put the
	 * renamed one in at the same place */
	if ((rc = addr__dir_swap(ap->d, old, nw)) < 0)
		goto out;
	rc = addr__dir_rename_refs(ap->d, oldkey.ptr, oldkey.size, nw->dn,
				   nw->dnlen);
	nw = NULL;
out:
	addr_dir_entry_free(nw);
	addr_buf_free(&dn);
	addr_buf_free(&v);
	addr_buf_free(&oldkey);
	return rc;
}

/* controls - libaddr implements no control: a critical one refuses the
 * record, another is ignored with a warning (spec-directory.md §6.2) */
static int controls(struct apply *ap)
{
	size_t i, bad = 0;

	for (i = 0; i < ap->rec->nitem; i++) {
		const struct addr_ldif_item *c = &ap->rec->item[i];

		if (c->kind != ADDR_LDIF_CONTROL)
			continue;
		ap->s.line = c->line;
		if (c->critical) {
			addr__sink_diag(&ap->s, ADDR_SEV_ERROR, ADDR_ENOTSUP,
					"ldif.control", "critical control %.*s "
					"is not implemented", (int)c->name.len,
					c->name.ptr);
			bad++;
		} else {
			addr__sink_diag(&ap->s, ADDR_SEV_WARNING, 0,
					"ldif.control", "control %.*s ignored",
					(int)c->name.len, c->name.ptr);
		}
	}
	return (int)bad;
}

/* apply_one - addr_dir_apply, with what a worker made of rec (x,
 * nullable); the diagnostics kept in cap instead when it is set (a
 * worker consuming, dir_pipe.c) */
static int apply_one(struct addr_dir *d, const struct addr_ldif_record *rec,
		     const char *file, unsigned flags,
		     struct addr_dir_report *rep, struct addr__piped *x,
		     struct addr__dcap *cap)
{
	struct apply ap;
	int rc;

	ap.d = d;
	ap.rec = rec;
	ap.flags = flags;
	addr__sink_init(&ap.s, cap != NULL ? NULL : rep, NULL, file);
	ap.s.cap = cap;
	/* a diagnostic with no line of its own is the record's (an empty
	 * DN was reported at line 0; found by fuzzing the worker threads,
	 * whose report had the line) */
	ap.s.line = rec->line;
	if ((rc = controls(&ap)) > 0)
		return rc;
	switch (rec->change) {
	case ADDR_LDIF_ENTRY:
	case ADDR_LDIF_ADD:
		rc = do_add(&ap, x);
		break;
	case ADDR_LDIF_DELETE:
		rc = do_delete(&ap);
		break;
	case ADDR_LDIF_MODIFY:
		rc = do_modify(&ap);
		break;
	case ADDR_LDIF_MODRDN:
		rc = do_modrdn(&ap);
		break;
	default:
		return ADDR_EINVAL;
	}
	if (rc == ADDR_ENOMEM || ap.s.fatal)
		return ADDR_ENOMEM;
	if (rc < 0)
		return rc;
	return (int)ap.s.nerrors;
}

int addr_dir_apply(struct addr_dir *d, const struct addr_ldif_record *rec,
		   const char *file, unsigned flags,
		   struct addr_dir_report *rep)
{
	return apply_one(d, rec, file, flags, rep, NULL, NULL);
}

/* ------------------------------------------------- change files whole */

struct applier {
	struct addr_dir *d;
	struct addr__src src;
	unsigned aflags;
	void (*after)(void *ctx);
	void *actx;
	struct addr_dir_report *rep;
};

static int applier_consume(void *ctx, struct addr__piped *x,
			   struct addr__sink *s)
{
	struct applier *a = ctx;
	int rc = apply_one(a->d, x->rec, a->src.file, a->aflags, a->rep, x,
			   s->cap);

	if (a->after != NULL)
		a->after(a->actx);
	return rc == ADDR_ENOMEM ? rc : 0;
}

/* apply_all - every record of src applied to d */
static int apply_all(struct addr_dir *d, const struct addr__src *src,
		     unsigned aflags, void (*after)(void *ctx), void *actx,
		     struct addr_dir_report *rep)
{
	struct applier a = { d, *src, aflags, after, actx, rep };
	struct addr__sink s;
	int rc;

	addr__sink_init(&s, rep, NULL, src->file);
	rc = addr__pipe_run(d, src->file, 1, addr__src_parse, &a.src,
			    applier_consume, &a, &s, rep);
	return rc >= 0 && s.fatal ? ADDR_ENOMEM : rc;
}

int addr_dir_apply_ldif_read(struct addr_dir *d, addr_read_fn rd, void *rctx,
			     const char *file, unsigned lflags,
			     unsigned aflags, void (*after)(void *ctx),
			     void *actx, struct addr_dir_report *rep)
{
	struct addr__src src = { NULL, 0, rd, rctx, file, lflags, 0 };

	return apply_all(d, &src, aflags, after, actx, rep);
}

int addr_dir_apply_dsml_read(struct addr_dir *d, addr_read_fn rd, void *rctx,
			     const char *file, unsigned dflags,
			     unsigned aflags, void (*after)(void *ctx),
			     void *actx, struct addr_dir_report *rep)
{
	struct addr__src src = { NULL, 0, rd, rctx, file, dflags, 1 };

	return apply_all(d, &src, aflags, after, actx, rep);
}

int addr_dir_apply_check(const struct addr_dir *d, const char *dirfile,
			 const char *chfile, struct addr_dir_report *rep)
{
	return addr__dir_check(d, rep, dirfile, chfile);
}
