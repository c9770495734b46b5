/*
 * io_csv_write.c - a directory as an Exchange 5.5 CSV file
 * (spec-directory.md §5.7, §5.9)
 *
 * EXPORTS
 *	addr_dir_write_csv()	header of friendly names, one CR LF line
 *				per object, in the file's encoding
 *
 * The header is fixed (the 13 default export columns, then Initials,
 * Secondary-Proxy-Addresses, Obj-Dist-Name and the four restriction
 * columns), followed by one column per other attribute in order of
 * first appearance, so that writing what the reader read gives the same
 * octets. What CSV cannot say is refused, never dropped: an object
 * whose DN has no Directory Name and container under base, a member
 * without a 5.5 path, a restriction without a 5.5 DN, a proxy type over
 * 8 characters. Each is reported naming the object, and the object's
 * line is left out; the caller writes nothing when errors were found.
 */
#include <stdio.h>
#include <string.h>
#include "io_csv_int.h"

/* the fixed columns; opaque: the attribute a default column holds */
static const struct {
	const char *name;
	int col;
} fixed[] = {
	{ "Obj-Class", ADDR__CSV_OBJCLASS },
	{ "First Name", ADDR__CSV_GIVEN },
	{ "Last name", ADDR__CSV_SN },
	{ "Display Name", ADDR__CSV_DISPLAY },
	{ "Alias Name", ADDR__CSV_ALIAS },
	{ "Directory Name", ADDR__CSV_DIRNAME },
	{ "Primary Windows NT Account", ADDR__CSV_OPAQUE },
	{ "Home-Server", ADDR__CSV_OPAQUE },
	{ "E-mail address", ADDR__CSV_TARGET },
	{ "E-mail Addresses", ADDR__CSV_PRIMARY },
	{ "Members", ADDR__CSV_MEMBERS },
	{ "Obj-Container", ADDR__CSV_CONTAINER },
	{ "Hide from AB", ADDR__CSV_HIDE },
	{ "Initials", ADDR__CSV_INITIALS },
	{ "Secondary-Proxy-Addresses", ADDR__CSV_SECONDARY },
	{ "Obj-Dist-Name", ADDR__CSV_DISTNAME },
	{ "Accept messages from", ADDR__CSV_ACCEPT },
	{ "Accept messages from DL", ADDR__CSV_ACCEPT_DL },
	{ "Reject messages from", ADDR__CSV_REJECT },
	{ "Reject messages from DL", ADDR__CSV_REJECT_DL },
};
#define NFIXED (sizeof(fixed) / sizeof(fixed[0]))

/* attributes the fixed columns (or nothing: derived) stand for */
static const char *const mapped[] = {
	"objectClass", "mail", "mailNickname", "displayName", "givenName",
	"sn", "initials", "legacyExchangeDN", "proxyAddresses",
	"targetAddress", "member", "authOrig", "unauthOrig",
	"dLMemSubmitPerms", "dLMemRejectPerms", "msExchHideFromAddressLists",
	NULL
};

/* One opaque column. */
struct ocol {
	const char *name;	/* borrowed from the entry that has it first */
	size_t nlen;
	int mv;			/* written multi-valued */
	int taken;		/* the name is a CSV column: cannot be written */
};

struct writer {
	const struct addr_dir *d;
	const struct addr_csv_options *opt;
	struct addr__csv_map map;
	struct addr__sink s;
	struct ocol *oc;
	size_t noc, occap;
	struct addr_buf text;	/* the file in UTF-8 */
	size_t *lines;		/* start of each line in text; entry index */
	size_t *owner;		/* (size_t)-1 for the header */
	size_t nlines, linecap;
	struct addr_buf f, v;	/* one field, one value */
	struct addr_buf name;	/* the entry's Directory Name */
	struct addr__csv_path path;	/* and container */
	struct addr_buf leaf;	/* a referenced object's name */
	struct addr__csv_path vpath;	/* and container */
	size_t bad;		/* errors of the current entry */
	int oom;		/* a scratch buffer ran out of memory (they
				 * are cleared between uses, which would
				 * forget it) */
};

/* field - put the field text in w->f as the next field of the line */
static void field(struct writer *w, int quote_empty)
{
	w->oom |= w->f.oom;
	addr__csv_put_field(&w->text, w->f.ptr, w->f.size, quote_empty);
}

/* bad - one reason the current entry cannot be written */
static void bad(struct writer *w, const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static void bad(struct writer *w, const char *rule, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->s.line = 0;
	addr__sink_diag(&w->s, ADDR_SEV_ERROR, ADDR_EINVAL, rule, "%s", msg);
	w->bad++;
}

/* cn_is_rdn - the cn attribute is just the RDN value (the reader makes
 * it from Directory Name, so it needs no column) */
static int cn_is_rdn(const struct addr_dir_entry *e, const struct addr_buf *name)
{
	const struct addr__dattr *a = addr__entry_attr(e, "cn");

	return a != NULL && a->n == 1 && a->v[0].len == name->size &&
	       memcmp(addr__dv(&a->v[0]), name->ptr, name->size) == 0;
}

/* opaque - is attribute a written in an opaque column of its own? */
static int opaque(const struct addr__dattr *a)
{
	size_t i;

	for (i = 0; mapped[i] != NULL; i++)
		if (addr__str_ieq(addr__attr_name(a), a->nlen, mapped[i]))
			return 0;
	return !addr__str_ieq(addr__attr_name(a), a->nlen, ADDR__CSV_NT_ACCOUNT_ATTR) &&
	       !addr__str_ieq(addr__attr_name(a), a->nlen, "Home-Server");
}

/* ocol_find - the opaque column of attribute name, or NULL */
static struct ocol *ocol_find(const struct writer *w, const char *name,
			      size_t n)
{
	size_t i;

	for (i = 0; i < w->noc; i++)
		if (w->oc[i].nlen == n && addr__str_ieq(name, n, w->oc[i].name))
			return &w->oc[i];
	return NULL;
}

/* columns - the opaque columns, in order of first appearance */
static int columns(struct writer *w)
{
	size_t i, j;
	int rc;

	for (i = 0; i < w->d->n; i++) {
		const struct addr_dir_entry *e = w->d->e[i];

		addr_buf_clear(&w->name);
		if ((rc = addr__csv_dn_split(&w->map, e->dn, e->dnlen, &w->name,
					     &w->path)) < 0)
			return rc;
		for (j = 0; j < e->na; j++) {
			const struct addr__dattr *a = &e->a[j];
			struct ocol *o;

			if (!opaque(a) || (addr__str_ieq(addr__attr_name(a), a->nlen, "cn") &&
					   (rc == 0 || cn_is_rdn(e, &w->name))))
				continue;
			if ((o = ocol_find(w, addr__attr_name(a), a->nlen)) == NULL) {
				if ((o = addr__csv_grow(w->oc, &w->occap, w->noc,
							sizeof(*w->oc))) == NULL)
					return ADDR_ENOMEM;
				w->oc = o;
				o = &w->oc[w->noc++];
				o->name = addr__attr_name(a);
				o->nlen = a->nlen;
				o->mv = addr__csv_mv_opaque(addr__attr_name(a), a->nlen,
							    w->opt);
				o->taken = addr__csv_column(addr__attr_name(a), a->nlen) !=
					   ADDR__CSV_OPAQUE &&
					   !addr__str_ieq(addr__attr_name(a), a->nlen, "cn");
			}
			if (a->n > 1 && !o->mv) {
				o->mv = 1;
				w->s.line = 0;
				addr__sink_diag(&w->s, ADDR_SEV_WARNING, 0,
						"csv.mv-column", "%s has %zu values "
						"of %s: the column is written "
						"multi-valued; read it back with "
						"mv-column %s", e->dn, (size_t)a->n,
						addr__attr_name(a), addr__attr_name(a));
			}
		}
	}
	return w->s.fatal ? ADDR_ENOMEM : 0;
}

/* put_values - one field of values v[0..n) (escaped, joined by "%") */
static void put_values(struct writer *w, const struct addr__dval *v,
		       size_t n)
{
	size_t i;

	addr_buf_clear(&w->f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			addr_buf_putc(&w->f, '%');
		addr__csv_put_value(&w->f, addr__dv(&v[i]), v[i].len);
	}
	field(w, n > 0);
}

/* put_str - one field of one value (NULL: empty) */
static void put_str(struct writer *w, const char *s, size_t n)
{
	addr_buf_clear(&w->f);
	if (s != NULL)
		addr__csv_put_value(&w->f, s, n);
	field(w, s != NULL);
}

/* put_attr - a single-valued attribute (or a multi-valued opaque one) */
static void put_attr(struct writer *w, const struct addr_dir_entry *e,
		     const char *name, int mv)
{
	const struct addr__dattr *a = addr__entry_attr(e, name);

	if (a != NULL && a->n > 1 && !mv)
		bad(w, "model.single-valued", "%s has %zu values of %s; the "
		    "CSV column holds one", e->dn, (size_t)a->n, name);
	put_values(w, a ? a->v : NULL, a ? a->n : 0);
}

/* put_proxies - the primaries (E-mail Addresses) or the secondaries */
static void put_proxies(struct writer *w, const struct addr_dir_entry *e,
			int prim)
{
	const struct addr__dattr *a = addr__entry_attr(e, "proxyAddresses");
	size_t i, k;

	addr_buf_clear(&w->f);
	for (i = k = 0; a != NULL && i < a->n; i++) {
		const char *p = addr__dv(&a->v[i]), *colon = memchr(p, ':', a->v[i].len);
		size_t j;
		int up = 1;

		for (j = 0; colon != NULL && p + j < colon; j++)
			up &= !(p[j] >= 'a' && p[j] <= 'z');
		if (up != prim)
			continue;
		if (colon != NULL && colon - p > ADDR__CSV_TYPE_MAX)
			bad(w, "proxy.type-too-long", "%s: proxy \"%s\" has a "
			    "type longer than %d characters, which 5.5 CSV "
			    "cannot hold (5.5 event 232)", e->dn, p,
			    ADDR__CSV_TYPE_MAX);
		if (k++ > 0)
			addr_buf_putc(&w->f, '%');
		addr__csv_put_value(&w->f, p, a->v[i].len);
	}
	field(w, k > 0);
}

/*
 * dn_55 - the 5.5 form of the DN v[0..n) of attribute attr of e into
 * w->v: for a member its site-relative path (§5.6), for a restriction an
 * absolute 5.5 DN: the object's legacyExchangeDN, or with org and site
 * the one §5.8 gives it. 1, 0 (there is none: reported), ADDR_ENOMEM.
 */
static int dn_55(struct writer *w, const struct addr_dir_entry *e,
		 const char *attr, const char *v, size_t n, int member)
{
	const struct addr_dir_entry *t;
	const char *l;
	size_t ln;
	int rc = 0;

	addr_buf_clear(&w->v);
	addr_buf_clear(&w->leaf);
	if (!member) {
		if ((t = addr__dir_find_mut(w->d, v, n, &rc)) == NULL && rc < 0)
			return rc;
		if (t != NULL && (l = addr_dir_entry_value(t, "legacyExchangeDN",
							   0, &ln)) != NULL)
			return addr_buf_put(&w->v, l, ln) < 0 ? ADDR_ENOMEM : 1;
	}
	if (member || (w->opt->org != NULL && w->opt->site != NULL))
		rc = addr__csv_dn_split(&w->map, v, n, &w->leaf, &w->vpath);
	if (rc > 0)	/* 0 written, -1 a name with "/" */
		rc = member ? addr__csv_path_put(&w->map, &w->v, &w->vpath,
						 w->leaf.ptr) :
		     addr__csv_legdn_put(&w->map, &w->v, &w->vpath,
					 w->leaf.ptr, w->leaf.size);
	else if (rc == 0)
		rc = -1;
	if (rc == ADDR_ENOMEM || rc == 0)
		return rc == 0 ? 1 : rc;
	if (member)
		bad(w, "csv.dn-unmappable", "%s: member %s has no 5.5 path "
		    "(not under %s with one CN per RDN, or a name holds \"/\")",
		    e->dn, v, w->opt->base);
	else
		bad(w, "csv.dn-unmappable", "%s: %s value %s has no 5.5 DN (no "
		    "legacyExchangeDN%s)", e->dn, attr, v,
		    w->opt->org && w->opt->site ? ", and no 5.5 path" :
		    "; org and site would generate one");
	return 0;
}

/* put_dns - a DN-valued attribute as one field of 5.5 names */
static int put_dns(struct writer *w, const struct addr_dir_entry *e,
		   const char *attr, int member)
{
	const struct addr__dattr *a = addr__entry_attr(e, attr);
	size_t i, k = 0;
	int rc = 0;

	addr_buf_clear(&w->f);
	for (i = 0; a != NULL && i < a->n; i++) {
		if ((rc = dn_55(w, e, attr, addr__dv(&a->v[i]), a->v[i].len,
				member)) < 0)
			return rc;
		if (rc == 0)
			continue;
		if (k++ > 0)
			addr_buf_putc(&w->f, '%');
		addr__csv_put_value(&w->f, w->v.ptr, w->v.size);
	}
	field(w, a != NULL);
	return 0;
}

/* push_line - a line starts here in w->text, for entry owner */
static int push_line(struct writer *w, size_t owner)
{
	size_t c1 = w->linecap, c2 = w->linecap, *p;

	if ((p = addr__csv_grow(w->lines, &c1, w->nlines, sizeof(*p))) == NULL)
		return ADDR_ENOMEM;
	w->lines = p;
	if ((p = addr__csv_grow(w->owner, &c2, w->nlines, sizeof(*p))) == NULL)
		return ADDR_ENOMEM;
	w->owner = p;
	w->linecap = c1;
	w->lines[w->nlines] = w->text.size;
	w->owner[w->nlines++] = owner;
	return 0;
}

/* header - the header line */
static int header(struct writer *w)
{
	size_t i;

	if (push_line(w, (size_t)-1) < 0)
		return ADDR_ENOMEM;
	for (i = 0; i < NFIXED + w->noc; i++) {
		const char *n = i < NFIXED ? fixed[i].name : w->oc[i - NFIXED].name;

		if (i > 0)
			addr_buf_putc(&w->text, ',');
		addr_buf_clear(&w->f);
		addr__csv_put_value(&w->f, n, i < NFIXED ? strlen(n) :
				    w->oc[i - NFIXED].nlen);
		field(w, 0);
	}
	addr_buf_puts(&w->text, "\r\n");
	return w->text.oom || w->oom ? ADDR_ENOMEM : 0;
}

/* entry - the line of entry i; left out when it cannot be written */
static int entry(struct writer *w, size_t idx)
{
	const struct addr_dir_entry *e = w->d->e[idx];
	size_t start = w->text.size, i;
	int rc, h;

	w->bad = 0;
	addr_buf_clear(&w->name);
	if ((rc = addr__csv_dn_split(&w->map, e->dn, e->dnlen, &w->name,
				     &w->path)) < 0)
		return rc;
	if (rc == 0) {
		bad(w, "csv.dn-unmappable", "%s is not under %s with one CN per "
		    "RDN: it has no Directory Name and container", e->dn,
		    w->opt->base);
		return 0;
	}
	if (push_line(w, idx) < 0)
		return ADDR_ENOMEM;
	for (i = 0; i < NFIXED + w->noc && rc >= 0; i++) {
		int col = i < NFIXED ? fixed[i].col : ADDR__CSV_OPAQUE;

		if (i > 0)
			addr_buf_putc(&w->text, ',');
		switch (col) {
		case ADDR__CSV_OBJCLASS:
			put_str(w, addr__csv_kind_name(e->kind),
				strlen(addr__csv_kind_name(e->kind)));
			break;
		case ADDR__CSV_DIRNAME:
			put_str(w, w->name.ptr, w->name.size);
			break;
		case ADDR__CSV_CONTAINER:
			addr_buf_clear(&w->v);
			if ((rc = addr__csv_path_put(&w->map, &w->v, &w->path,
						     NULL)) == -1)
				bad(w, "csv.dn-unmappable", "%s: a container "
				    "name holds \"/\", which a 5.5 path cannot "
				    "say", e->dn);
			put_str(w, w->v.ptr, w->v.size);
			rc = rc == ADDR_ENOMEM ? rc : 0;
			break;
		case ADDR__CSV_PRIMARY:
		case ADDR__CSV_SECONDARY:
			put_proxies(w, e, col == ADDR__CSV_PRIMARY);
			break;
		case ADDR__CSV_MEMBERS:
			rc = put_dns(w, e, "member", 1);
			break;
		case ADDR__CSV_HIDE:
			h = addr_dir_entry_hidden(e);
			put_str(w, h < 0 ? NULL : h ? "1" : "0", h < 0 ? 0 : 1);
			break;
		case ADDR__CSV_ACCEPT:
		case ADDR__CSV_ACCEPT_DL:
		case ADDR__CSV_REJECT:
		case ADDR__CSV_REJECT_DL:
			rc = put_dns(w, e, addr__csv_ref_attr(col), 0);
			break;
		case ADDR__CSV_OPAQUE:
			if (i < NFIXED) {
				put_attr(w, e, strcmp(fixed[i].name,
						      ADDR__CSV_NT_ACCOUNT) == 0 ?
					 ADDR__CSV_NT_ACCOUNT_ATTR :
					 fixed[i].name, 0);
				break;
			}
			if (w->oc[i - NFIXED].taken &&
			    addr__entry_attr(e, w->oc[i - NFIXED].name)) {
				bad(w, "csv.header.duplicate", "%s: attribute "
				    "%s cannot be written: a CSV column has "
				    "that name", e->dn, w->oc[i - NFIXED].name);
				break;
			}
			if (addr__str_ieq(w->oc[i - NFIXED].name,
					  w->oc[i - NFIXED].nlen, "cn") &&
			    cn_is_rdn(e, &w->name))
				break;	/* the reader makes it */
			put_attr(w, e, w->oc[i - NFIXED].name,
				 w->oc[i - NFIXED].mv);
			break;
		default:
			put_attr(w, e, addr__csv_attr(col), 0);
			break;
		}
	}
	addr_buf_puts(&w->text, "\r\n");
	if (rc < 0 || w->text.oom || w->oom)
		return ADDR_ENOMEM;
	if (w->bad > 0) {	/* refused: the line is left out */
		addr_buf_truncate(&w->text, start);
		w->nlines--;
	}
	return 0;
}

/* encode - the lines into out in charset cs; a line that cannot be
 * encoded is reported and left out (explicit encodings), or the whole
 * attempt fails with ADDR_ESYNTAX (try) */
static int encode(struct writer *w, struct addr_buf *out, const char *cs,
		  int bom, int try)
{
	size_t i, at;
	void *cv;
	int rc;

	if ((rc = addr__text_conv_open(&cv, cs)) < 0) {
		if (rc == ADDR_ENOTSUP) {
			w->s.line = 0;
			addr__sink_diag(&w->s, ADDR_SEV_ERROR, rc, "csv.encoding",
					"unknown charset \"%s\"", cs);
		}
		return rc;
	}
	if (bom) {
		size_t before = out->size;

		if (addr__text_conv_encode(cv, out, "\xEF\xBB\xBF", 3, &at) ==
		    ADDR_ESYNTAX)
			addr_buf_truncate(out, before);	/* none there */
	}
	for (i = 0; i < w->nlines && rc >= 0; i++) {
		size_t b = w->lines[i], e = i + 1 < w->nlines ? w->lines[i + 1] :
			   w->text.size, before = out->size;

		rc = addr__text_conv_encode(cv, out, w->text.ptr + b, e - b, &at);
		if (rc != ADDR_ESYNTAX || try)
			continue;
		addr_buf_truncate(out, before);
		w->s.line = 0;
		if (w->owner[i] == (size_t)-1)
			addr__sink_diag(&w->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
					"csv.encoding", "a column name has a "
					"character that %s cannot write", cs);
		else
			addr__sink_diag(&w->s, ADDR_SEV_ERROR, ADDR_ESYNTAX,
					"csv.encoding", "%s has a character "
					"that %s cannot write",
					w->d->e[w->owner[i]]->dn, cs);
		rc = 0;
	}
	addr__text_conv_close(cv);
	return out->oom ? ADDR_ENOMEM : rc;
}

int addr_dir_write_csv(const struct addr_dir *d,
		       const struct addr_csv_options *opt, struct addr_buf *out,
		       struct addr_dir_report *rep)
{
	struct writer w;
	size_t i, start = out->size;
	int rc;

	memset(&w, 0, sizeof(w));
	w.d = d;
	w.opt = opt;
	addr__sink_init(&w.s, rep, NULL, NULL);
	addr_buf_init(&w.text);
	addr_buf_init(&w.f);
	addr_buf_init(&w.v);
	addr_buf_init(&w.name);
	addr__csv_path_init(&w.path);
	addr_buf_init(&w.leaf);
	addr__csv_path_init(&w.vpath);
	if ((rc = addr__csv_map_init(&w.map, opt)) < 0)
		goto out;
	if ((rc = columns(&w)) < 0 || (rc = header(&w)) < 0)
		goto out;
	for (i = 0; i < d->n && rc >= 0; i++)
		rc = entry(&w, i);
	if (rc < 0)
		goto out;
	if (opt->encoding != NULL) {
		rc = encode(&w, out, opt->encoding,
			    (opt->flags & ADDR_CSV_BOM) != 0, 0);
	} else if ((rc = encode(&w, out, "windows-1252", 0, 1)) == ADDR_ESYNTAX) {
		/* a character windows-1252 lacks: the 5.5 "Unicode" export */
		addr_buf_truncate(out, start);
		rc = encode(&w, out, "UTF-16LE", 1, 0);
	}
	if (rc == ADDR_ENOTSUP)
		rc = 0;		/* reported */
out:
	if (rc >= 0 && w.s.fatal)
		rc = ADDR_ENOMEM;
	if (rc >= 0)
		rc = (int)w.s.nerrors;
	addr__csv_map_free(&w.map);
	addr_buf_free(&w.text);
	addr_buf_free(&w.f);
	addr_buf_free(&w.v);
	addr_buf_free(&w.name);
	addr__csv_path_free(&w.path);
	addr_buf_free(&w.leaf);
	addr__csv_path_free(&w.vpath);
	addr__free(w.oc);
	addr__free(w.lines);
	addr__free(w.owner);
	return rc;
}
