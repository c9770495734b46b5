/*
 * io_csv_apply.c - a 5.5 CSV file applied to a directory
 * (spec-directory.md §4, §5.1-§5.8)
 *
 * EXPORTS
 *	addr_csv_apply()	a CSV change file, line by line
 *	addr_dir_load_csv()	a CSV directory file, checked as a whole
 *	addr__csv_keyset_*()	a set of keys (objects born in the file,
 *				legacyExchangeDNs it declares)
 *	addr__csv_field()	one field of the current line
 *
 * Every CSV import is a change: each data line creates, modifies or
 * deletes the object its Directory Name and container name. As in
 * dir_apply.c, a line works on a copy of its object that is checked
 * against the model rules of the object alone and swapped in without
 * the uniqueness check: two lines that swap an address would fail
 * half-way otherwise. addr_dir_apply_check, run on the final state,
 * then reports each clash at the line that made it (entry->changed,
 * entry->line). A line that breaks a rule leaves the directory as it
 * was and the next line is read: one run reports every problem.
 *
 * The merge rules of the columns live in io_csv_merge.c and
 * io_csv_proxy.c; this file reads the header, walks the lines and keeps
 * the bookkeeping of a run: which objects were born in this file (they
 * keep the attribute order of §6.5 whatever later lines add) and which
 * legacyExchangeDNs the file itself declares (restriction columns may
 * name an object of a later line).
 */
#include <stdio.h>
#include <string.h>
#include "io_csv_apply.h"

/* ------------------------------------------------------------ key sets */

/* keyset_key - a key is stored after its length (one allocation) */
static int keyset_key(const struct addr__hmap *m, const struct addr__href *r,
		      struct addr_buf *scratch, const char **key, size_t *klen)
{
	const struct addr__csv_keyset *ks = m->ctx;
	const char *p = ks->keys[r->ki];

	memcpy(klen, p, sizeof(*klen));
	*key = p + sizeof(*klen);
	return 0;
}

/* a slot of a key set holds the key's number + 1 */
static int keyset_holder(const struct addr__hmap *m, uint32_t id, uint32_t h,
			 size_t n, struct addr__href *r)
{
	const struct addr__csv_keyset *ks = m->ctx;

	(void)h;
	if (id == 0 || id > ks->n || n > 0)
		return 0;
	r->e = ks->vals[id - 1];
	r->ki = id - 1;
	return 1;
}

static uint32_t keyset_id(const struct addr__hmap *m,
			  const struct addr_dir_entry *e, size_t ki)
{
	(void)m;
	(void)e;
	return ki < UINT32_MAX ? (uint32_t)ki + 1 : 0;
}

void addr__csv_keyset_init(struct addr__csv_keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
	ks->m.key_of = keyset_key;
	ks->m.holder_of = keyset_holder;
	ks->m.id_of = keyset_id;
	ks->m.ctx = ks;
}

void addr__csv_keyset_free(struct addr__csv_keyset *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		addr__free(ks->keys[i]);
		if (ks->own)
			addr_dir_entry_free(ks->vals[i]);
	}
	addr__free(ks->keys);
	addr__free(ks->vals);
	addr__hmap_free(&ks->m);
	addr__csv_keyset_init(ks);
}

struct addr_dir_entry *addr__csv_keyset_get(const struct addr__csv_keyset *ks,
					    const char *key, size_t klen)
{
	/* a key set's keys are stored: no lookup needs memory */
	struct addr__hit it = ADDR__HIT_INIT;
	const struct addr__href *h = addr__hmap_next(&ks->m, key, klen, &it);

	return h ? h->e : NULL;
}

int addr__csv_keyset_add(struct addr__csv_keyset *ks, const char *key,
			 size_t klen, struct addr_dir_entry *e)
{
	char *k;

	if (ks->n == ks->cap) {	/* two arrays, one capacity */
		size_t c1 = ks->cap, c2 = ks->cap;
		char **kp = addr__csv_grow(ks->keys, &c1, ks->n, sizeof(*kp));
		struct addr_dir_entry **vp;

		if (kp == NULL)
			return ADDR_ENOMEM;
		ks->keys = kp;
		if ((vp = addr__csv_grow(ks->vals, &c2, ks->n, sizeof(*vp))) == NULL)
			return ADDR_ENOMEM;
		ks->vals = vp;
		ks->cap = c1;
	}
	if (klen > ((size_t)-1) - sizeof(klen) - 1 ||
	    (k = addr__malloc(sizeof(klen) + klen + 1)) == NULL)
		return ADDR_ENOMEM;
	memcpy(k, &klen, sizeof(klen));
	memcpy(k + sizeof(klen), key, klen);
	k[sizeof(klen) + klen] = '\0';
	/* stored first: the put may compare it with a holder of its hash */
	ks->keys[ks->n] = k;
	if (addr__hmap_put(&ks->m, e, ks->n, addr__key_hash(key, klen)) < 0) {
		addr__free(k);
		return ADDR_ENOMEM;
	}
	ks->vals[ks->n++] = e;
	return 0;
}

/* ------------------------------------------------------------- header */

/* tok_problem - report what the tokeniser found wrong with the current
 * record, the header or a data line: a quote (5.5 events 227, 220) or a
 * value over the limit. 1 when there was something. */
static int tok_problem(struct addr__csv_run *c, int head)
{
	const struct addr__csv_tok *k = &c->k;

	if (k->err) {
		c->s.line = k->errline;
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "csv.quote",
				"%s quote%s (5.5 event %d)",
				k->err == ADDR__CSV_TOK_OPEN ? "unterminated" :
				"misplaced", head ? " in the header" : "",
				head ? 227 : 220);
		return 1;
	}
	if (k->toolong) {
		c->s.line = k->first;
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ETOOLONG,
				"limit.value", "a %s is longer than %zu octets",
				head ? "column name" : "field",
				ADDR__CSV_VALUE_MAX);
		return 1;
	}
	return 0;
}

/* header - read and check the header line (§5.1); the number of
 * file-level errors, or ADDR_ENOMEM */
static int header(struct addr__csv_run *c)
{
	struct addr__csv_tok *k = &c->k;
	size_t i, j, before = c->s.nerrors;
	int rc = addr__csv_tok_next(k);

	c->s.column = 0;
	c->s.line = k->first ? k->first : 1;
	if (rc < 0)
		return rc;
	if (rc == 0) {
		c->s.line = 1;
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.header.objclass-first", "no header line "
				"(5.5 event 226)");
		return 1;
	}
	if (tok_problem(c, 1))
		return 1;
	c->nh = k->nkept;
	if ((c->h = addr__malloc(c->nh * sizeof(*c->h))) == NULL)
		return ADDR_ENOMEM;
	for (i = 0; i < ADDR__CSV_NCOLS; i++)
		c->ci[i] = -1;
	for (i = 0; i < c->nh; i++) {
		struct addr__csv_field *f = &k->f[i];

		c->h[i].off = c->hnames.size;
		if (addr__csv_unescape(&c->hnames, k->text.ptr + f->off,
				       f->len) < 0)
			return ADDR_ENOMEM;
		/* a default 5.5 column whose friendly name no LDAP attribute
		 * description can carry is kept under its schema name, so
		 * the object can also be written as LDIF or DSML */
		if (addr__str_ieq(c->hnames.ptr + c->h[i].off,
				  c->hnames.size - c->h[i].off,
				  ADDR__CSV_NT_ACCOUNT)) {
			addr_buf_truncate(&c->hnames, c->h[i].off);
			addr_buf_puts(&c->hnames, ADDR__CSV_NT_ACCOUNT_ATTR);
		}
		c->h[i].len = c->hnames.size - c->h[i].off;
		addr_buf_putc(&c->hnames, '\0');
	}
	if (c->hnames.oom)
		return ADDR_ENOMEM;
	for (i = 0; i < c->nh; i++) {
		const char *name = c->hnames.ptr + c->h[i].off;
		int col = addr__csv_column(name, c->h[i].len), dup = 0;

		for (j = 0; j < i && !dup; j++)
			dup = col == ADDR__CSV_OPAQUE ?
			      c->h[j].col == ADDR__CSV_OPAQUE &&
			      addr__str_ieq(name, c->h[i].len,
					    c->hnames.ptr + c->h[j].off) :
			      col != ADDR__CSV_IGNORED &&
			      col != ADDR__CSV_READONLY && c->h[j].col == col;
		c->h[i].col = col;
		c->h[i].mv = col == ADDR__CSV_OPAQUE &&
			     addr__csv_mv_opaque(name, c->h[i].len, c->opt);
		/* a column kept as an attribute names it: the directory
		 * holds names of up to 255 octets, as LDIF does */
		if (col == ADDR__CSV_OPAQUE && c->h[i].len > ADDR__ATTR_NAME) {
			c->s.column = i + 1;
			addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ETOOLONG,
					"csv.header.name-too-long", "column "
					"name of %zu octets (at most %u)",
					c->h[i].len, ADDR__ATTR_NAME);
			c->h[i].col = ADDR__CSV_IGNORED;
			continue;
		}
		if (dup) {
			int strict = col == ADDR__CSV_OBJCLASS || !c->lenient;

			c->s.column = i + 1;
			addr__sink_diag(&c->s, strict ? ADDR_SEV_ERROR :
					ADDR_SEV_WARNING, ADDR_ESYNTAX,
					"csv.header.duplicate", "column \"%s\" "
					"is named twice; the first is used "
					"(5.5 event 152)", name);
			c->h[i].col = ADDR__CSV_IGNORED;
			continue;
		}
		if (col == ADDR__CSV_READONLY) {
			c->s.column = i + 1;
			addr__sink_diag(&c->s, ADDR_SEV_WARNING, 0,
					"csv.header.read-only", "column \"%s\" "
					"cannot be imported and is ignored (5.5 "
					"events 153, 154)%s", name,
					addr__str_ieq(name, c->h[i].len,
						      "Member of") ?
					": import Members on the DL instead" :
					"");
		}
		if (col != ADDR__CSV_OPAQUE && col != ADDR__CSV_IGNORED &&
		    col != ADDR__CSV_READONLY)
			c->ci[col] = (int)i;
	}
	c->s.column = 0;
	if (c->nh == 0 || c->h[0].col != ADDR__CSV_OBJCLASS)
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.header.objclass-first", "the first column "
				"is not Obj-Class (5.5 event 226)");
	if (c->ci[ADDR__CSV_MODE] > 1)
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.header.mode-position", "Mode is column %d, "
				"not 2 (5.5 event 222)", c->ci[ADDR__CSV_MODE] + 1);
	if (c->ci[ADDR__CSV_DIRNAME] < 0)
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.header.no-dirname", "no Directory Name "
				"(Common-Name) column (5.5 event 225)");
	return c->s.fatal ? ADDR_ENOMEM : (int)(c->s.nerrors - before);
}

/* ------------------------------------------------------------- fields */

void addr__csv_field(const struct addr__csv_run *c, int col,
		     struct addr__csv_val *v)
{
	const struct addr__csv_field *f;

	v->p = "";
	v->n = 0;
	v->quoted = 0;
	v->present = col >= 0;
	if (col < 0)
		return;
	f = &c->k.f[col];
	v->p = c->k.text.ptr + f->off;
	v->n = f->len;
	v->quoted = f->quoted;
}

/* keyword - field col unescaped and without surrounding SPACEs in buf:
 * its length (0 when blank), or ADDR_ENOMEM */
static long keyword(struct addr__csv_run *c, int col, struct addr_buf *buf)
{
	struct addr__csv_val v;
	size_t b = 0, e;

	addr_buf_clear(buf);
	addr__csv_field(c, col, &v);
	if (addr__csv_unescape(buf, v.p, v.n) < 0)
		return ADDR_ENOMEM;
	e = buf->size;
	while (b < e && buf->ptr[b] == ' ')
		b++;
	while (e > b && buf->ptr[e - 1] == ' ')
		e--;
	memmove(buf->ptr, buf->ptr + b, e - b);
	addr_buf_truncate(buf, e - b);
	return (long)buf->size;
}

/* object_class - the kind of Obj-Class (§5.2), 0 after reporting, or
 * ADDR_ENOMEM */
static int object_class(struct addr__csv_run *c)
{
	static const struct {
		const char *name;
		int kind;
	} cls[] = {
		{ "Mailbox", ADDR_DIR_MAILBOX },
		{ "Remote", ADDR_DIR_CONTACT },
		{ "Remote-Address", ADDR_DIR_CONTACT },
		{ "DL", ADDR_DIR_GROUP },
		{ "Distribution-List", ADDR_DIR_GROUP },
	};
	long n = keyword(c, 0, &c->v);
	size_t i;

	if (n < 0)
		return (int)n;
	if (n == 0) {
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.objclass", "empty Obj-Class (5.5 event "
				"218)");
		return 0;
	}
	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		if (addr__str_ieq(c->v.ptr, (size_t)n, cls[i].name))
			return cls[i].kind;
	if (addr__csv_is_del(c->v.ptr, (size_t)n))
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.del.required", "Obj-Class cannot be "
				"deleted (5.5 event 266)");
	else
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.objclass", "unknown Obj-Class \"%s\" (not "
				"Mailbox, Remote or DL; 5.5 event 228)",
				c->v.ptr);
	return 0;
}

enum { M_UPDATE = 1, M_CREATE, M_MODIFY, M_DELETE };

/* mode - the Mode column (§5.2), 0 after reporting, or ADDR_ENOMEM */
static int mode(struct addr__csv_run *c)
{
	static const char *const modes[] = { "Update", "Create", "Modify",
					     "Delete" };
	size_t i;
	long n;

	if (c->ci[ADDR__CSV_MODE] < 0 ||
	    (n = keyword(c, c->ci[ADDR__CSV_MODE], &c->v)) == 0)
		return M_UPDATE;
	if (n < 0)
		return (int)n;
	for (i = 0; i < 4; i++)
		if (addr__str_ieq(c->v.ptr, (size_t)n, modes[i]))
			return (int)i + 1;
	addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "csv.mode",
			"illegal Mode \"%s\" (Update, Create, Modify or Delete; "
			"5.5 event 221)", c->v.ptr);
	return 0;
}

/* object_dn - the DN of the line's object into c->dn, its container path
 * into c->path and Directory Name into c->name; 0 after reporting */
static int object_dn(struct addr__csv_run *c)
{
	struct addr__csv_val v;
	int rc;

	addr__csv_field(c, c->ci[ADDR__CSV_DIRNAME], &v);
	addr_buf_clear(&c->name);
	if (addr__csv_is_del(v.p, v.n)) {
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.del.dirname", "~DEL in Directory Name (a "
				"5.5 bug created an object named \"?DEL\", "
				"KB176741)");
		return 0;
	}
	if (addr__csv_blank(v.p, v.n, v.quoted) || v.n == 0) {
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "dn.syntax",
				"empty Directory Name: the line names no "
				"object");
		return 0;
	}
	if (addr__csv_unescape(&c->name, v.p, v.n) < 0)
		return ADDR_ENOMEM;
	addr__csv_field(c, c->ci[ADDR__CSV_CONTAINER], &v);
	if (!v.present || addr__csv_blank(v.p, v.n, v.quoted)) {
		rc = addr__csv_path_parse(&c->map, c->opt->container,
					  strlen(c->opt->container), &c->path,
					  NULL);
	} else {
		addr_buf_clear(&c->v);
		if (addr__csv_unescape(&c->v, v.p, v.n) < 0)
			return ADDR_ENOMEM;
		rc = addr__csv_path_parse(&c->map, c->v.ptr, c->v.size,
					  &c->path, NULL);
		if (rc == 0) {
			addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
					"csv.container", "Obj-Container \"%s\" "
					"is not %s[/cn=...]%s", c->v.ptr,
					c->opt->container,
					c->opt->org && c->opt->site ?
					" or /o=ORG/ou=SITE/cn=..." : "");
			return 0;
		}
	}
	if (rc < 0)
		return rc;
	if (addr__csv_dn_build(&c->map, &c->dn, c->name.ptr, c->name.size,
			       &c->path) < 0)
		return ADDR_ENOMEM;
	return 1;
}

/* ---------------------------------------------------- legacy DN index */

/* legdn_key - the legacyExchangeDN key space (dir.c: "\1" + folded) */
static int legdn_key(struct addr_buf *k, const char *v, size_t n)
{
	addr_buf_clear(k);
	addr_buf_putc(k, '\1');
	return addr__dir_fold(k, v, n);
}

/* line_legdn - the legacyExchangeDN the current line gives its object
 * into c->v: Obj-Dist-Name, or generated (§5.8). 1, 0 none, ENOMEM. */
static int line_legdn(struct addr__csv_run *c)
{
	struct addr__csv_val v;

	addr_buf_clear(&c->v);
	if (c->ci[ADDR__CSV_DISTNAME] >= 0) {
		addr__csv_field(c, c->ci[ADDR__CSV_DISTNAME], &v);
		if (addr__csv_blank(v.p, v.n, v.quoted) ||
		    addr__csv_is_del(v.p, v.n))
			return 0;
		if (addr__csv_unescape(&c->v, v.p, v.n) < 0)
			return ADDR_ENOMEM;
		return 1;
	}
	if (c->opt->org == NULL || c->opt->site == NULL)
		return 0;
	switch (addr__csv_legdn_put(&c->map, &c->v, &c->path, c->name.ptr,
				    c->name.size)) {
	case 0:
		return 1;
	case -1:
		return 0;	/* a name with "/": no 5.5 DN can say it */
	default:
		return ADDR_ENOMEM;
	}
}

/* good_line - a record with the header's field count and no reading
 * problem (reported once, by apply_line) */
static int good_line(const struct addr__csv_run *c)
{
	return !c->k.err && !c->k.toolong && c->k.nfields == c->nh &&
	       !addr__csv_bad_span(&c->x, c->k.first, c->k.last);
}

/*
 * declare_legdns - the first pass when the file has restriction
 * columns: every legacyExchangeDN a line declares, with the DN and kind
 * of its object, so that a restriction may name an object a later line
 * creates (§3: references are checked on the final state).
 */
static int declare_legdns(struct addr__csv_run *c)
{
	struct addr__sink keep = c->s;
	struct addr_buf key;
	int rc = 0;

	addr__sink_init(&c->s, NULL, NULL, NULL);	/* the second pass
							 * reports */
	addr_buf_init(&key);
	while (rc >= 0 && (rc = addr__csv_tok_next(&c->k)) == 1) {
		struct addr_dir_entry *e;
		int kind, md;

		if (!good_line(c))
			continue;
		if ((kind = object_class(c)) < 0 || (md = mode(c)) < 0) {
			rc = ADDR_ENOMEM;
			break;
		}
		if (kind == 0 || md == M_DELETE || md == 0 ||
		    (rc = object_dn(c)) <= 0 || (rc = line_legdn(c)) <= 0) {
			rc = rc < 0 ? rc : 0;
			continue;
		}
		if (legdn_key(&key, c->v.ptr, c->v.size) < 0 ||
		    addr_dir_entry_new(&e, c->dn.ptr, c->dn.size) < 0) {
			rc = ADDR_ENOMEM;
			break;
		}
		e->kind = kind;
		if ((rc = addr__csv_keyset_add(&c->legdns, key.ptr, key.size,
					       e)) < 0)
			addr_dir_entry_free(e);
	}
	addr_buf_free(&key);
	c->s = keep;
	return rc < 0 ? rc : 0;
}

/* --------------------------------------------------------------- lines */

/* born_order - the rank of an attribute in the order §6.5 gives objects
 * born in CSV; opaque columns after all, in their header order */
static int born_rank(const char *name, size_t n)
{
	static const char *const order[] = {
		"objectClass", "cn", "givenName", "initials", "sn",
		"displayName", "mailNickname", "mail", "proxyAddresses",
		"targetAddress", "legacyExchangeDN", "member", "authOrig",
		"unauthOrig", "dLMemSubmitPerms", "dLMemRejectPerms",
		"msExchHideFromAddressLists"
	};
	int i;

	for (i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++)
		if (addr__str_ieq(name, n, order[i]))
			return i;
	return i;
}

/* born_sort - stable insertion sort of e's attributes by born_rank */
static void born_sort(struct addr_dir_entry *e)
{
	size_t i, j;

	for (i = 1; i < e->na; i++) {
		struct addr__dattr t = e->a[i];
		int r = born_rank(addr__attr_name(&t), t.nlen);

		for (j = i; j > 0 && born_rank(addr__attr_name(&e->a[j - 1]),
					       e->a[j - 1].nlen) > r; j--)
			e->a[j] = e->a[j - 1];
		e->a[j] = t;
	}
}

/* new_object - a new entry for the line: objectClass of its kind and cn
 * (§6.5) */
static int new_object(struct addr__csv_run *c, int kind,
		      struct addr_dir_entry **out)
{
	static const char *const user[] = { "top", "person",
					    "organizationalPerson", "user", NULL };
	static const char *const contact[] = { "top", "person",
					       "organizationalPerson",
					       "contact", NULL };
	static const char *const group[] = { "top", "group", NULL };
	const char *const *oc = kind == ADDR_DIR_GROUP ? group :
				kind == ADDR_DIR_CONTACT ? contact : user;
	struct addr_dir_entry *e;
	size_t i;

	if (addr_dir_entry_new(&e, c->dn.ptr, c->dn.size) < 0)
		return ADDR_ENOMEM;
	for (i = 0; oc[i] != NULL; i++)
		if (addr_dir_entry_add_value(e, "objectClass", oc[i],
					     strlen(oc[i])) < 0)
			goto fail;
	if (addr_dir_entry_add_value(e, "cn", c->name.ptr, c->name.size) < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	addr_dir_entry_free(e);
	return ADDR_ENOMEM;
}

/* fix_mail - a read mail attribute follows the proxies (it is derived,
 * §2): the new primary SMTP address, or gone */
static int fix_mail(struct addr_dir_entry *e)
{
	struct addr__dattr *a = addr__entry_attr(e, "mail");
	const char *m = addr_dir_entry_mail(e);

	if (a == NULL)
		return 0;
	if (m == NULL) {
		addr__entry_remove_attr(e, (size_t)(a - e->a));
		return 0;
	}
	return addr__csv_set_single(e, "mail", m, strlen(m));
}

/*
 * admit - the model rules of nw, the copy of old (NULL: new): its own
 * errors, a kind change, the loss of its primary SMTP address (R26).
 * Returns the number of errors, or ADDR_ENOMEM.
 */
static int admit(struct addr__csv_run *c, struct addr_dir_entry *nw,
		 const struct addr_dir_entry *old)
{
	size_t before = c->s.nerrors;
	int rc;

	nw->line = ADDR__LINE(c->k.first);
	nw->changed = 1;
	rc = addr__entry_prepare(nw, c->d->flags, &c->s);
	c->s.line = c->k.first;
	if (rc < 0)
		return rc;
	if (rc == 0 && old != NULL && addr_dir_entry_mail(old) != NULL &&
	    addr_dir_entry_mail(nw) == NULL)
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"proxy.primary-removed", "%s would lose its "
				"primary SMTP address %s and get no other (R26)",
				nw->dn, addr_dir_entry_mail(old));
	return c->s.fatal ? ADDR_ENOMEM : (int)(c->s.nerrors - before);
}

/* commit_groups - the DL memberships a mailbox or remote line changes
 * (Members on a non-DL row, §5.6); only fails with ADDR_ENOMEM, when
 * nothing has been changed */
static int commit_groups(struct addr__csv_run *c, const char *dn, size_t n,
			 struct addr_dir_entry **copies)
{
	struct addr__sink quiet;
	size_t i;
	int rc = 0;

	addr__sink_init(&quiet, NULL, NULL, NULL);
	for (i = 0; i < c->ngroup && rc == 0; i++) {
		struct addr__csv_groupop *g = &c->group[i];

		if (addr_dir_entry_copy(&copies[i], g->e) < 0)
			rc = ADDR_ENOMEM;
		else
			rc = addr__csv_member_edit(copies[i], dn, n, g->add);
		if (rc == 0) {
			copies[i]->line = ADDR__LINE(c->k.first);
			copies[i]->changed = 1;
			rc = addr__entry_prepare(copies[i], c->d->flags, &quiet);
			rc = rc == ADDR_ENOMEM || quiet.fatal ? ADDR_ENOMEM : 0;
		}
	}
	return rc;
}

/* apply_line - the current record; problems go to c->s. 0, ENOMEM. */
static int apply_line(struct addr__csv_run *c)
{
	struct addr__csv_tok *k = &c->k;
	struct addr_dir_entry *old, *nw = NULL, **copies = NULL;
	size_t before = c->s.nerrors, i;
	int kind, md, rc, isnew;

	c->s.line = k->first;
	c->s.column = 0;
	c->ngroup = 0;
	if (k->err && tok_problem(c, 0))
		return 0;
	if (addr__csv_bad_span(&c->x, k->first, k->last))
		return 0;	/* csv.encoding, reported while decoding */
	if (k->nfields != c->nh) {
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.field-count", "%zu fields expected, %zu "
				"found (5.5 event 291)", c->nh, k->nfields);
		return 0;
	}
	if (tok_problem(c, 0))
		return 0;
	if ((kind = object_class(c)) < 0 || (md = mode(c)) < 0)
		return ADDR_ENOMEM;
	if ((rc = object_dn(c)) < 0)
		return rc;
	if (kind == 0 || md == 0 || rc == 0)
		return 0;
	if ((old = addr__dir_find_mut(c->d, c->dn.ptr, c->dn.size, &rc)) == NULL &&
	    rc < 0)
		return rc;
	if (old != NULL && old->kind != kind) {
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"model.kind-change", "%s is a %s, not a %s",
				old->dn, addr__csv_kind_name(old->kind),
				addr__csv_kind_name(kind));
		return 0;
	}
	if (md == M_DELETE) {
		if (old != NULL)
			addr__dir_remove(c->d, old);
		else
			addr__sink_diag(&c->s, ADDR_SEV_WARNING, 0,
					"csv.delete-missing", "%s: no such "
					"object to delete (5.5 event 138)",
					c->dn.ptr);
		return 0;
	}
	if (md == M_CREATE && old != NULL) {
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ECONFLICT,
				"csv.create-exists", "%s already exists (5.5 "
				"event 287)", old->dn);
		return 0;
	}
	if (md == M_MODIFY && old == NULL) {
		addr__sink_diag(&c->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
				"csv.modify-missing", "%s: no such object to "
				"modify (5.5 event 288)", c->dn.ptr);
		return 0;
	}
	isnew = old == NULL;
	rc = isnew ? new_object(c, kind, &nw) :
	     addr_dir_entry_copy(&nw, old) < 0 ? ADDR_ENOMEM : 0;
	if (rc < 0)
		return rc;
	if ((rc = addr__csv_merge(c, nw, kind, isnew)) < 0)
		goto out;
	if (c->s.nerrors == before && isnew &&
	    c->ci[ADDR__CSV_DISTNAME] < 0 && (rc = line_legdn(c)) > 0)
		rc = addr__csv_set_single(nw, "legacyExchangeDN", c->v.ptr,
					  c->v.size);
	if (rc < 0 || (rc = fix_mail(nw)) < 0)
		goto out;
	if (c->s.nerrors != before)
		goto out;
	if (!isnew && (rc = addr__entry_dnkey(old, &c->v)) == ADDR_ENOMEM)
		goto out;
	if (isnew || (rc == 0 && addr__csv_keyset_get(&c->born, c->v.ptr,
						      c->v.size)))
		born_sort(nw);
	if ((rc = admit(c, nw, old)) != 0)
		goto out;
	if (c->ngroup > 0) {
		if ((copies = addr__malloc(c->ngroup * sizeof(*copies))) == NULL) {
			rc = ADDR_ENOMEM;
			goto out;
		}
		memset(copies, 0, c->ngroup * sizeof(*copies));
		if ((rc = commit_groups(c, nw->dn, nw->dnlen, copies)) < 0)
			goto out;
	}
	if (isnew && (rc = addr__entry_dnkey(nw, &c->v)) == ADDR_ENOMEM)
		goto out;
	if (isnew && rc == 0 &&
	    (rc = addr__csv_keyset_add(&c->born, c->v.ptr, c->v.size,
					&c->born_mark)) < 0)
		goto out;
	rc = isnew ? addr__dir_insert(c->d, nw) : addr__dir_swap(c->d, old, nw);
	if (rc < 0)
		goto out;
	nw = NULL;
	for (i = 0; i < c->ngroup; i++) {
		/* a group swap fails only for want of memory, and then the
		 * whole run fails */
		if ((rc = addr__dir_swap(c->d, c->group[i].e, copies[i])) < 0)
			goto out;
		copies[i] = NULL;
	}
	rc = 0;
out:
	for (i = 0; copies != NULL && i < c->ngroup; i++)
		addr_dir_entry_free(copies[i]);
	addr__free(copies);
	addr_dir_entry_free(nw);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- runs */

static void run_free(struct addr__csv_run *c)
{
	addr__csv_text_free(&c->x);
	addr__csv_tok_free(&c->k);
	addr__csv_map_free(&c->map);
	addr__csv_keyset_free(&c->born);
	c->legdns.own = 1;
	addr__csv_keyset_free(&c->legdns);
	addr__free(c->h);
	addr__free(c->group);
	addr_buf_free(&c->hnames);
	addr_buf_free(&c->v);
	addr_buf_free(&c->w);
	addr_buf_free(&c->dn);
	addr_buf_free(&c->name);
	addr__csv_path_free(&c->path);
}

int addr_csv_apply(struct addr_dir *d, const char *in, size_t len,
		   const char *file, const struct addr_csv_options *opt,
		   struct addr_dir_report *rep)
{
	struct addr__csv_run *c = addr__malloc(sizeof(*c));
	int rc;

	if (c == NULL)
		return ADDR_ENOMEM;
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->opt = opt;
	c->lenient = (d->flags & ADDR_DIR_LENIENT) != 0;
	addr__sink_init(&c->s, rep, NULL, file);
	addr__csv_keyset_init(&c->born);
	addr__csv_keyset_init(&c->legdns);
	addr_buf_init(&c->hnames);
	addr_buf_init(&c->v);
	addr_buf_init(&c->w);
	addr_buf_init(&c->dn);
	addr_buf_init(&c->name);
	addr__csv_path_init(&c->path);
	addr__csv_tok_init(&c->k, "", 0, 0);
	if ((rc = addr__csv_map_init(&c->map, opt)) < 0)
		goto out;
	if ((rc = addr__csv_decode(&c->x, in, len, opt, &c->s)) != 0)
		goto out;
	addr__csv_tok_free(&c->k);
	addr__csv_tok_init(&c->k, c->x.t.ptr, c->x.t.size, (size_t)-1);
	if ((rc = header(c)) != 0)
		goto out;
	c->k.maxf = c->nh;
	if (c->ci[ADDR__CSV_ACCEPT] >= 0 || c->ci[ADDR__CSV_ACCEPT_DL] >= 0 ||
	    c->ci[ADDR__CSV_REJECT] >= 0 || c->ci[ADDR__CSV_REJECT_DL] >= 0) {
		size_t pos = c->k.pos, line = c->k.line;

		if ((rc = declare_legdns(c)) < 0)
			goto out;
		c->k.pos = pos;
		c->k.line = line;
	}
	while ((rc = addr__csv_tok_next(&c->k)) == 1)
		if ((rc = apply_line(c)) < 0)
			break;
out:
	if (rc == 0 && c->s.fatal)
		rc = ADDR_ENOMEM;
	if (rc >= 0)
		rc = (int)c->s.nerrors;
	run_free(c);
	addr__free(c);
	return rc;
}

int addr_dir_load_csv(struct addr_dir *d, const char *in, size_t len,
		      const char *file, const struct addr_csv_options *opt,
		      struct addr_dir_report *rep)
{
	int rc = addr_csv_apply(d, in, len, file, opt, rep), c;
	size_t i;

	if (rc < 0)
		return rc;
	/* a directory file: every entry is the file's own, not a change */
	for (i = 0; i < d->n; i++)
		d->e[i]->changed = 0;
	c = addr__dir_check(d, rep, file, NULL);
	return c < 0 ? c : rc + c;
}
