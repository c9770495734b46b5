/*
 * rfc2156_table.c - MCGAM and gateway tables (RFC 2156 App. F syntax)
 *
 * EXPORTS
 *	addr_rfc2156_tables_new(), addr_rfc2156_tables_free()
 *	addr_rfc2156_tables_load()	add "dmn#domain#" / "domain#dmn#" lines
 *	addr_rfc2156_dns()		dmn-or-address -> RFC 2163 form
 *	addr__rfc2156_norm(), addr__rfc2156_match_or(),
 *	addr__rfc2156_match_domain(), addr__rfc2156_domain_label()
 *
 * spec-x400.md §4. A line maps one way: "$" in its first field makes it
 * X.400 -> 822 (table1, or gate1 for a gateway file), otherwise
 * 822 -> X.400 (table2, gate2). The O/R side is a dmn-or-address, most
 * significant part on the right, whose parts must climb C, ADMD, PRMD,
 * O, OU x4 from the right without a gap ("$@" marks an omitted level).
 * A load is all or nothing, so a bad file never leaves half its lines.
 */
#include <string.h>
#include "rfc2156_int.h"

#define MAXPART (ADDR__NLEV + ADDR_X400_MAXDDA)

/* One part of a dmn-or-address: "key$value", offsets into the text. */
struct dpart {
	size_t ks, kn;		/* key (a "~" DDA key includes the "~") */
	size_t vs, vn;		/* value as written, "\." escapes kept */
	int omitted;		/* value "@" */
};

/* addr_rfc2156_tables_new - empty tables */
int addr_rfc2156_tables_new(struct addr_rfc2156_tables **out)
{
	*out = addr__malloc(sizeof(**out));
	if (*out == NULL)
		return ADDR_ENOMEM;
	memset(*out, 0, sizeof(**out));
	return 0;
}

/* truncate_tab - free the entries of table tab from index n on */
static void truncate_tab(struct addr_rfc2156_tables *t, int tab, size_t n)
{
	while (t->n[tab] > n)
		addr_buf_free(&t->e[tab][--t->n[tab]].store);
}

/* addr_rfc2156_tables_free - everything; NULL is a no-op */
void addr_rfc2156_tables_free(struct addr_rfc2156_tables *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < ADDR__NTAB; i++) {
		truncate_tab(t, i, 0);
		addr__free(t->e[i]);
	}
	addr__free(t);
}

/* is_alnum - ASCII letter or digit */
static int is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

/* addr__rfc2156_domain_label - domain-syntax: alphanum [*alnumhyphen alnum] */
int addr__rfc2156_domain_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* domain_ok - labels of domain-syntax separated by single dots */
static int domain_ok(const char *s, size_t n)
{
	size_t i = 0, e;

	if (n == 0)
		return 0;
	while (i <= n) {
		for (e = i; e < n && s[e] != '.'; e++)
			;
		if (!addr__rfc2156_domain_label(s + i, e - i))
			return 0;
		i = e + 1;
	}
	return 1;
}

/* addr__rfc2156_norm - trim, collapse spaces; a blank ADMD is " " */
int addr__rfc2156_norm(struct addr_buf *out, const char *v, size_t n,
		       int admd)
{
	size_t i, start = out->size;
	int sp = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == ' ') {
			sp = out->size > start;
			continue;
		}
		if (sp)
			addr_buf_putc(out, ' ');
		sp = 0;
		addr_buf_putc(out, v[i]);
	}
	if (admd && out->size == start)
		addr_buf_putc(out, ' ');
	return out->oom ? ADDR_ENOMEM : 0;
}

/*
 * split_dmn - the parts of dmn-or-address s[0..n), left to right.
 * teletex: whether "{", "}" and "*" may occur (the RFC 2163 translation
 * takes them; the tables hold no teletex). 0 or ADDR_ESYNTAX / ENOTSUP
 * with err->offset relative to s.
 */
static int split_dmn(const char *s, size_t n, struct dpart *p, size_t *np,
		     int teletex, struct addr_error *err)
{
	size_t i = 0, k = 0;

	*np = 0;
	for (;;) {
		struct dpart *q = &p[k];

		if (k == MAXPART)
			return addr__error_set(err, ADDR_ETOOLONG, i,
					       "more than %d parts", MAXPART);
		q->ks = i;
		if (i < n && s[i] == '~')
			i++;
		while (i < n && s[i] != '$') {
			/* a "~" DDA type is a dmn-printablestring */
			if (s[i] == '\\' && i + 1 < n && s[i + 1] == '.' &&
			    s[q->ks] == '~') {
				i += 2;
				continue;
			}
			if (s[q->ks] == '~' ?
			    !(addr__x400_is_ps((unsigned char)s[i]) && s[i] != '.') :
			    !(is_alnum(s[i]) || s[i] == '-'))
				return addr__error_set(err, ADDR_ESYNTAX, i,
						       "bad character in a key");
			i++;
		}
		q->kn = i - q->ks;
		if (i == n || q->kn == 0 || (s[q->ks] == '~' && q->kn == 1))
			return addr__error_set(err, ADDR_ESYNTAX, q->ks,
					       "expected key$value");
		q->vs = ++i;
		while (i < n && s[i] != '.') {
			if (s[i] == '\\') {
				if (i + 1 == n || s[i + 1] != '.')
					return addr__error_set(err, ADDR_ESYNTAX,
							       i, "'\\' not"
							       " before '.'");
				i += 2;
				continue;
			}
			if (s[i] == '{' || s[i] == '}' || s[i] == '*') {
				if (!teletex)
					return addr__error_set(err, ADDR_ENOTSUP,
							       i, "teletex value"
							       " not supported");
			} else if (!addr__x400_is_ps((unsigned char)s[i]) &&
				   !(s[i] == '@' && i == q->vs &&
				     (i + 1 == n || s[i + 1] == '.'))) {
				return addr__error_set(err, ADDR_ESYNTAX, i,
						       "character not allowed"
						       " in a dmn value");
			}
			i++;
		}
		q->vn = i - q->vs;
		q->omitted = q->vn == 1 && s[q->vs] == '@';
		k++;
		if (i == n)
			break;
		i++;
	}
	*np = k;
	return 0;
}

/* unescape - append value s[0..n) with "\." read as "." */
static void unescape(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		addr_buf_putc(out, s[i]);
	}
}

/* level_of - hierarchy index of a key (C 0 .. OU4 7) for position pos,
 * or -1 */
static int level_of(const char *k, size_t n, int pos)
{
	static const char *const names[][2] = {
		{ "C", NULL }, { "ADMD", "A" }, { "PRMD", "P" }, { "O", NULL },
	};
	int i;

	for (i = 0; i < 4; i++)
		if (addr__x400_ieq(k, n, names[i][0]) ||
		    (names[i][1] && addr__x400_ieq(k, n, names[i][1])))
			return i == pos ? i : -1;
	if (pos >= 4 && pos < ADDR__NLEV &&
	    (addr__x400_ieq(k, n, "OU") ||
	     (n == 3 && addr__x400_ieq(k, 2, "OU") && k[2] == '0' + pos - 3)))
		return pos;
	return -1;
}

/* or_key_eq - two X.400 -> 822 keys are the same */
static int or_key_eq(const struct addr__entry *a, const struct addr__entry *b)
{
	int j;

	if (a->nlev != b->nlev)
		return 0;
	for (j = 0; j < a->nlev; j++) {
		const struct addr__lev *x = &a->lev[j], *y = &b->lev[j];

		if (x->omitted != y->omitted)
			return 0;
		if (!x->omitted &&
		    (x->normlen != y->normlen ||
		     !addr__x400_ieqn(a->store.ptr + x->norm,
				      b->store.ptr + y->norm, x->normlen)))
			return 0;
	}
	return 1;
}

/* dom_key_eq - two 822 -> X.400 keys are the same (any case) */
static int dom_key_eq(const struct addr__entry *a, const struct addr__entry *b)
{
	return a->domlen == b->domlen &&
	       addr__x400_ieqn(a->store.ptr + a->dom, b->store.ptr + b->dom,
			       a->domlen);
}

/* check_bounds - the §1.1 bounds of the O/R side, through the model */
static int check_bounds(const struct addr__entry *e, struct addr_error *err)
{
	struct addr_x400 x;
	int j, r = 0;

	addr_x400_init(&x);
	for (j = 0; j < e->nlev && r == 0; j++)
		if (!e->lev[j].omitted)
			r = addr_x400_set(&x, j, e->store.ptr + e->lev[j].raw,
					  e->lev[j].rawlen);
	for (j = 0; j < e->ndda && r == 0; j++)
		r = addr_x400_add_dda(&x, e->store.ptr + e->dda[j].t,
				      e->dda[j].tn, e->store.ptr + e->dda[j].v,
				      e->dda[j].vn);
	if (r < 0)
		r = addr__error_set(err, r, 0, "out of memory");
	else
		r = addr_x400_check(&x, ADDR_X400_STRICT, err);
	addr_x400_free(&x);
	return r;
}

/* fill_entry - the O/R side of one line into e */
static int fill_entry(struct addr__entry *e, int tab, const char *dmn,
		      size_t n, size_t dmnoff, struct addr_error *err)
{
	struct dpart p[MAXPART];
	size_t np, k;
	int r, lev = 0;

	if ((r = split_dmn(dmn, n, p, &np, 0, err)) < 0) {
		if (err)
			err->offset += dmnoff;
		return r;
	}
	/* most significant on the right */
	for (k = np; k-- > 0;) {
		const struct dpart *q = &p[k];

		if (dmn[q->ks] == '~') {
			if (tab != ADDR__G2)
				return addr__error_set(err, ADDR_ESYNTAX,
						       dmnoff + q->ks, "a DDA"
						       " only in a gateway"
						       " 822->X.400 line");
			if (q->omitted || e->ndda == ADDR_X400_MAXDDA)
				return addr__error_set(err, ADDR_ESYNTAX,
						       dmnoff + q->ks,
						       q->omitted ?
						       "omitted DDA" :
						       "more than 4 DDAs");
			e->dda[e->ndda].t = e->store.size;
			unescape(&e->store, dmn + q->ks + 1, q->kn - 1);
			e->dda[e->ndda].tn = e->store.size - e->dda[e->ndda].t;
			e->dda[e->ndda].v = e->store.size;
			unescape(&e->store, dmn + q->vs, q->vn);
			e->dda[e->ndda].vn = e->store.size - e->dda[e->ndda].v;
			e->ndda++;
			continue;
		}
		if (lev == ADDR__NLEV || level_of(dmn + q->ks, q->kn, lev) < 0)
			return addr__error_set(err, ADDR_ESYNTAX, dmnoff + q->ks,
					       "expected %s here (C, ADMD,"
					       " PRMD, O, OU from the right)",
					       lev == ADDR__NLEV ? "nothing" :
					       lev >= 4 ? "OU" :
					       addr_x400_attr_name(lev));
		e->lev[lev].omitted = q->omitted;
		e->lev[lev].raw = e->store.size;
		if (!q->omitted)
			unescape(&e->store, dmn + q->vs, q->vn);
		e->lev[lev].rawlen = e->store.size - e->lev[lev].raw;
		e->lev[lev].norm = e->store.size;
		/* the source of the normalisation lives in the same store:
		 * make room first so that it does not move */
		if (!q->omitted &&
		    addr_buf_grow(&e->store, e->store.size +
				  e->lev[lev].rawlen + 1) == 0)
			addr__rfc2156_norm(&e->store, e->store.ptr +
					   e->lev[lev].raw, e->lev[lev].rawlen,
					   lev == ADDR_X400_A);
		e->lev[lev].normlen = e->store.size - e->lev[lev].norm;
		lev++;
	}
	e->nlev = lev;
	if (lev == 0)
		return addr__error_set(err, ADDR_ESYNTAX, dmnoff,
				       "no C in the O/R side");
	if (e->store.oom)
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	if ((r = check_bounds(e, err)) < 0) {
		if (err)
			err->offset = dmnoff;
		return r;
	}
	return 0;
}

/* grow_tab - room for one more entry in table tab */
static int grow_tab(struct addr_rfc2156_tables *t, int tab)
{
	struct addr__entry *ne;
	size_t cap;

	if (t->n[tab] < t->cap[tab])
		return 0;
	cap = t->cap[tab] ? t->cap[tab] * 2 : 16;
	if (cap < t->cap[tab] || cap > ((size_t)-1) / sizeof(*ne))
		return ADDR_ENOMEM;
	ne = addr__realloc(t->e[tab], cap * sizeof(*ne));
	if (ne == NULL)
		return ADDR_ENOMEM;
	t->e[tab] = ne;
	t->cap[tab] = cap;
	return 0;
}

/* load_line - one non-comment line into its table */
static int load_line(struct addr_rfc2156_tables *t, int kind, const char *s,
		     size_t n, struct addr_error *err)
{
	const char *h1, *h2, *dmn, *dom;
	size_t i, dmnn, domn, dmnoff;
	struct addr__entry *e;
	int tab, pair, r;

	h1 = memchr(s, '#', n);
	h2 = h1 ? memchr(h1 + 1, '#', n - (size_t)(h1 - s) - 1) : NULL;
	if (h2 == NULL)
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "expected field#field#");
	for (i = (size_t)(h2 - s) + 1; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       "text after the final '#'");
	if (memchr(s, '$', (size_t)(h1 - s))) {
		tab = kind == ADDR_RFC2156_MCGAM ? ADDR__T1 : ADDR__G1;
		dmn = s;
		dmnn = (size_t)(h1 - s);
		dom = h1 + 1;
		domn = (size_t)(h2 - h1) - 1;
	} else {
		tab = kind == ADDR_RFC2156_MCGAM ? ADDR__T2 : ADDR__G2;
		dom = s;
		domn = (size_t)(h1 - s);
		dmn = h1 + 1;
		dmnn = (size_t)(h2 - h1) - 1;
	}
	dmnoff = (size_t)(dmn - s);
	if (!domain_ok(dom, domn))
		return addr__error_set(err, ADDR_ESYNTAX, (size_t)(dom - s),
				       "not a domain (domain-syntax labels)");
	if ((r = grow_tab(t, tab)) < 0)
		return addr__error_set(err, r, 0, "out of memory");
	e = &t->e[tab][t->n[tab]];
	memset(e, 0, sizeof(*e));
	addr_buf_init(&e->store);
	e->dom = 0;
	addr_buf_put(&e->store, dom, domn);
	e->domlen = domn;
	if ((r = fill_entry(e, tab, dmn, dmnn, dmnoff, err)) < 0) {
		addr_buf_free(&e->store);
		return r;
	}
	/* the key of an X.400 -> 822 line is its O/R side, of an
	 * 822 -> X.400 line its domain */
	pair = tab == ADDR__T1 ? ADDR__G1 : tab == ADDR__G1 ? ADDR__T1 :
	       tab == ADDR__T2 ? ADDR__G2 : ADDR__T2;
	for (i = 0; i < t->n[tab] + t->n[pair]; i++) {
		const struct addr__entry *o = i < t->n[tab] ? &t->e[tab][i] :
					      &t->e[pair][i - t->n[tab]];
		int same = (tab == ADDR__T1 || tab == ADDR__G1) ?
			   or_key_eq(e, o) : dom_key_eq(e, o);

		if (same) {
			addr_buf_free(&e->store);
			return addr__error_set(err, ADDR_ECONFLICT, 0,
					       i < t->n[tab] ? "duplicate key" :
					       "key in both an MCGAM and a"
					       " gateway table");
		}
	}
	t->n[tab]++;
	return 0;
}

/* addr_rfc2156_tables_load - all lines of a file, all or nothing */
int addr_rfc2156_tables_load(struct addr_rfc2156_tables *t, int kind,
			     const char *text, size_t len,
			     struct addr_error *err)
{
	size_t before[ADDR__NTAB], i = 0, e, n, line = 0;
	int added = 0, r, k;

	if (kind != ADDR_RFC2156_MCGAM && kind != ADDR_RFC2156_GATEWAY)
		return addr__error_set(err, ADDR_EINVAL, 0, "unknown kind");
	for (k = 0; k < ADDR__NTAB; k++)
		before[k] = t->n[k];
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);

		e = nl ? (size_t)(nl - text) : len;
		n = e - i;
		if (n > 0 && text[e - 1] == '\r')
			n--;
		line++;
		if (n > 0 && text[i] != '#') {
			if ((r = load_line(t, kind, text + i, n, err)) < 0) {
				if (err) {
					err->line = line;
					err->column = err->offset + 1;
					err->offset += i;
				}
				for (k = 0; k < ADDR__NTAB; k++)
					truncate_tab(t, k, before[k]);
				return r;
			}
			if (added < 0x7fffffff)
				added++;
		}
		i = e + 1;
	}
	return added;
}

/* addr__rfc2156_match_or - longest X.400 -> 822 entry for a hierarchy */
const struct addr__entry *addr__rfc2156_match_or(
	const struct addr_rfc2156_tables *t, int tab,
	const struct addr_buf norm[ADDR__NLEV], const int present[ADDR__NLEV])
{
	const struct addr__entry *best = NULL;
	size_t i;
	int j;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->n[tab]; i++) {
		const struct addr__entry *e = &t->e[tab][i];

		for (j = 0; j < e->nlev; j++) {
			const struct addr__lev *l = &e->lev[j];

			if (l->omitted ? present[j] :
			    !present[j] || norm[j].size != l->normlen ||
			    !addr__x400_ieqn(norm[j].ptr,
					     e->store.ptr + l->norm, l->normlen))
				break;
		}
		if (j == e->nlev && (best == NULL || e->nlev > best->nlev))
			best = e;
	}
	return best;
}

/* addr__rfc2156_match_domain - longest 822 -> X.400 entry for a domain */
const struct addr__entry *addr__rfc2156_match_domain(
	const struct addr_rfc2156_tables *t, int tab, const char *dom,
	size_t n)
{
	const struct addr__entry *best = NULL;
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->n[tab]; i++) {
		const struct addr__entry *e = &t->e[tab][i];
		size_t dl = e->domlen;

		if (dl > n || (dl < n && dom[n - dl - 1] != '.') ||
		    !addr__x400_ieqn(dom + n - dl, e->store.ptr + e->dom, dl))
			continue;
		if (best == NULL || dl > best->domlen)
			best = e;
	}
	return best;
}

/* dns_part - one "key$value" part in RFC 2163 form */
static void dns_part(struct addr_buf *out, const char *s, const struct dpart *q)
{
	size_t i, start;

	addr_buf_put(out, s + q->ks, q->kn);
	if (q->omitted)
		return;
	if (q->vn == 1 && s[q->vs] == ' ') {
		addr_buf_putc(out, 'b');
		return;
	}
	start = out->size;
	addr_buf_putc(out, '-');
	for (i = q->vs; i < q->vs + q->vn; i++) {
		char c = s[i];

		if (is_alnum(c)) {
			addr_buf_putc(out, c);
		} else if (c == '-') {
			addr_buf_puts(out, "-h-");
		} else if (c == '\\') {
			addr_buf_puts(out, "-d-");
			i++;
		} else if (c == ' ') {
			addr_buf_puts(out, "-b-");
		} else {
			char num[5] = { '-', (char)('0' + (unsigned char)c / 100),
					(char)('0' + (unsigned char)c / 10 % 10),
					(char)('0' + (unsigned char)c % 10), '-' };

			addr_buf_put(out, num, sizeof(num));
		}
	}
	/* RFC 2163 §4.2.1: a final "-" is dropped */
	if (out->size > start && out->ptr[out->size - 1] == '-')
		addr_buf_truncate(out, out->size - 1);
}

/* addr_rfc2156_dns - the RFC 2163 translation of a dmn-or-address */
int addr_rfc2156_dns(struct addr_buf *out, const char *in, size_t len,
		     unsigned flags, struct addr_error *err)
{
	struct dpart p[MAXPART];
	size_t np, k, last;
	int r;

	if ((r = split_dmn(in, len, p, &np, 1, err)) < 0)
		return r;
	for (k = 0; k < np; k++)
		if (in[p[k].ks] == '~')
			return addr__error_set(err, ADDR_ESYNTAX, p[k].ks,
					       "a DDA part has no RFC 2163 form");
	last = np;
	if (flags & ADDR_RFC2156_OWNER) {
		const struct dpart *c = &p[np - 1];

		/* §4.2.3: owners live under X42D.<cc>, without "C-cc" */
		if (!addr__x400_ieq(in + c->ks, c->kn, "C") || c->omitted ||
		    c->vn == 0 || !domain_ok(in + c->vs, c->vn))
			return addr__error_set(err, ADDR_ESYNTAX, c->ks,
					       "the owner form needs a"
					       " country C$cc on the right");
		last = np - 1;
	}
	for (k = 0; k < last; k++) {
		if (k)
			addr_buf_putc(out, '.');
		dns_part(out, in, &p[k]);
	}
	if (flags & ADDR_RFC2156_OWNER) {
		if (last)
			addr_buf_putc(out, '.');
		addr_buf_puts(out, "X42D.");
		addr_buf_put(out, in + p[np - 1].vs, p[np - 1].vn);
		addr_buf_putc(out, '.');
	}
	if (out->oom)
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return 0;
}
