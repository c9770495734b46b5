/*
 * io_csv_dn.c - LDAP DNs and Exchange 5.5 paths (spec-directory.md §5.6,
 * §5.8)
 *
 * EXPORTS
 *	addr__csv_map_init(), _free()	the base DN and its key
 *	addr__csv_path_parse()		"Recipients/cn=Sub/cn=x" or
 *					"/o=ORG/ou=SITE/cn=Recipients/..."
 *	addr__csv_path_put()		the site-relative path of a container
 *	addr__csv_dn_build()		Directory Name + container -> DN
 *	addr__csv_dn_split()		DN -> Directory Name + container
 *	addr__csv_legdn_put()		the legacyExchangeDN §5.8 generates
 *
 * A 5.5 object is a Common-Name inside a container of the site; libaddr
 * stands the container for an LDAP DN (the option base) and each
 * subcontainer for one CN RDN under it, innermost first, as AD's
 * migration did. Only what maps both ways is accepted: a DN that is not
 * under base, or has an RDN other than one CN on the way, has no 5.5
 * name; a 5.5 path that does not start at the container has no DN.
 */
#include <string.h>
#include "io_csv_int.h"

void addr__csv_path_init(struct addr__csv_path *p)
{
	addr_buf_init(&p->names);
	p->n = 0;
}

void addr__csv_path_free(struct addr__csv_path *p)
{
	addr_buf_free(&p->names);
	p->n = 0;
}

/* path_clear - no subcontainer: the container itself */
static void path_clear(struct addr__csv_path *p)
{
	addr_buf_clear(&p->names);
	p->n = 0;
}

/* path_push - one more (inner) subcontainer name */
static void path_push(struct addr__csv_path *p, const char *s, size_t n)
{
	addr_buf_put(&p->names, s, n);
	addr_buf_putc(&p->names, '\0');
	p->n++;
}

/* path_name - name i (outermost first); *n its length */
static const char *path_name(const struct addr__csv_path *p, size_t i,
			     size_t *n)
{
	const char *s = p->names.ptr;

	while (i-- > 0)
		s += strlen(s) + 1;
	*n = strlen(s);
	return s;
}

/* rdn_end - the end of the RDN that starts at dn[i] (an unescaped "," or
 * ";", RFC 4514 and RFC 2253) */
static size_t rdn_end(const char *dn, size_t n, size_t i)
{
	for (; i < n; i++) {
		if (dn[i] == '\\' && i + 1 < n)
			i++;
		else if (dn[i] == ',' || dn[i] == ';')
			return i;
	}
	return n;
}

/* count_rdns - how many RDNs dn[0..n) has */
static size_t count_rdns(const char *dn, size_t n)
{
	size_t i = 0, k = 0;

	while (i <= n) {
		i = rdn_end(dn, n, i) + 1;
		k++;
	}
	return k;
}

/* container_ok - the container option is a name, then any number of
 * "/cn=Sub" (5.5's Container= option: "Recipients/cn=Sub") */
static int container_ok(const char *c)
{
	const char *sl = strchr(c, '/'), *next;

	if (c[0] == '\0' || sl == c)
		return 0;
	for (; sl != NULL; sl = next) {
		size_t l;

		next = strchr(sl + 1, '/');
		l = next ? (size_t)(next - sl - 1) : strlen(sl + 1);
		if (l <= 3 || !addr__str_ieq(sl + 1, 3, "cn="))
			return 0;
	}
	return 1;
}

int addr__csv_map_init(struct addr__csv_map *m,
		       const struct addr_csv_options *opt)
{
	int rc;

	m->opt = opt;
	m->nbase = 0;
	addr_buf_init(&m->basekey);
	if (opt->base == NULL || opt->container == NULL ||
	    !container_ok(opt->container))
		return ADDR_EINVAL;
	rc = addr__dn_key(&m->basekey, opt->base, strlen(opt->base));
	if (rc < 0)
		return rc == ADDR_ENOMEM ? rc : ADDR_EINVAL;
	m->nbase = count_rdns(opt->base, strlen(opt->base));
	return 0;
}

void addr__csv_map_free(struct addr__csv_map *m)
{
	addr_buf_free(&m->basekey);
}

/* comp - is component c[0..n) "key=value" with value equal to want
 * (ASCII case-insensitive)? want NULL: any non-empty value, put in *v */
static int comp(const char *c, size_t n, const char *key, const char *want,
		const char **v, size_t *vn)
{
	size_t kl = strlen(key);

	if (n <= kl || !addr__str_ieq(c, kl, key))
		return 0;
	if (want != NULL)
		return addr__str_ieq(c + kl, n - kl, want);
	*v = c + kl;
	*vn = n - kl;
	return memchr(*v, '\0', *vn) == NULL;
}

/* at_container - the offset after the container at p[i..n) (ASCII
 * case-insensitive) and its "/", n + 1 when it ends p, or 0 when p does
 * not go on with the container */
static size_t at_container(const char *p, size_t n, size_t i, const char *c)
{
	size_t cl = strlen(c);

	if (i > n || n - i < cl || !addr__str_ieq(p + i, cl, c) ||
	    (i + cl < n && p[i + cl] != '/'))
		return 0;
	return i + cl + 1;
}

int addr__csv_path_parse(const struct addr__csv_map *m, const char *p,
			 size_t n, struct addr__csv_path *out,
			 struct addr_buf *leaf)
{
	const struct addr_csv_options *o = m->opt;
	size_t i = 0, k = 0, e;
	const char *v = NULL;
	size_t vn = 0;

	path_clear(out);
	if (leaf != NULL)
		addr_buf_clear(leaf);
	if (n > 0 && p[0] == '/') {	/* /o=ORG/ou=SITE/cn=Recipients */
		static const char *const key[] = { "o=", "ou=" };
		const char *want[2];

		if (o->org == NULL || o->site == NULL)
			return 0;
		want[0] = o->org;
		want[1] = o->site;
		for (i = 1; k < 2; k++, i = e + 1) {
			const char *sl = i < n ? memchr(p + i, '/', n - i) : NULL;

			e = sl ? (size_t)(sl - p) : n;
			if (i > n || !comp(p + i, e - i, key[k], want[k], NULL, NULL))
				return 0;
		}
		if (i + 3 > n || !addr__str_ieq(p + i, 3, "cn="))
			return 0;
		i += 3;
	}
	if ((i = at_container(p, n, i, o->container)) == 0)
		return 0;
	for (; i <= n; i = e + 1) {	/* /cn=Sub ... */
		const char *sl = memchr(p + i, '/', n - i);

		e = sl ? (size_t)(sl - p) : n;
		if (!comp(p + i, e - i, "cn=", NULL, &v, &vn))
			return 0;
		if (e == n && leaf != NULL)
			addr_buf_put(leaf, v, vn);
		else
			path_push(out, v, vn);
	}
	if (out->names.oom || (leaf != NULL && leaf->oom))
		return ADDR_ENOMEM;
	return leaf == NULL || leaf->size > 0;	/* a member path names
						 * an object */
}

/* put_rdn_value - RFC 4514 §2.4 escaping of an attribute value */
static void put_rdn_value(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\0') {
			addr_buf_puts(out, "\\00");
			continue;
		}
		if (c == '"' || c == '+' || c == ',' || c == ';' || c == '<' ||
		    c == '>' || c == '\\' || (i == 0 && (c == ' ' || c == '#')) ||
		    (i + 1 == n && c == ' '))
			addr_buf_putc(out, '\\');
		addr_buf_putc(out, c);
	}
}

int addr__csv_dn_build(const struct addr__csv_map *m, struct addr_buf *out,
		       const char *name, size_t n,
		       const struct addr__csv_path *path)
{
	size_t i, l;

	addr_buf_clear(out);
	addr_buf_puts(out, "CN=");
	put_rdn_value(out, name, n);
	for (i = path->n; i-- > 0;) {
		const char *s = path_name(path, i, &l);

		addr_buf_puts(out, ",CN=");
		put_rdn_value(out, s, l);
	}
	addr_buf_putc(out, ',');
	addr_buf_puts(out, m->opt->base);
	return out->oom ? ADDR_ENOMEM : 0;
}

/* cn_value - the unescaped value of RDN r[0..n) when it is one CN: 1;
 * 0 if it is not (another type, several pairs, a NUL, a bad escape);
 * ADDR_ENOMEM */
static int cn_value(const char *r, size_t n, struct addr_buf *out)
{
	size_t i = 0, keep;

	addr_buf_clear(out);
	while (i < n && r[i] == ' ')
		i++;
	if (n - i < 3 || !addr__str_ieq(r + i, 2, "cn"))
		return 0;
	for (i += 2; i < n && r[i] == ' '; i++)
		;
	if (i >= n || r[i] != '=')
		return 0;
	for (i++; i < n && r[i] == ' '; i++)
		;
	for (keep = 0; i < n; i++) {
		char c = r[i];

		if (c == '+' || c == '\0')
			return 0;
		if (c == '\\') {
			int h1 = i + 1 < n ? addr__hexval((unsigned char)r[i + 1]) : -1;
			int h2 = i + 2 < n ? addr__hexval((unsigned char)r[i + 2]) : -1;

			if (i + 1 >= n)
				return 0;
			if (h1 >= 0 && h2 >= 0) {
				c = (char)(h1 << 4 | h2);
				i += 2;
			} else {
				c = r[++i];
			}
			if (c == '\0')
				return 0;
			addr_buf_putc(out, c);
			keep = out->size;
			continue;
		}
		addr_buf_putc(out, c);
		if (c != ' ')
			keep = out->size;
	}
	addr_buf_truncate(out, keep);
	if (out->oom)
		return ADDR_ENOMEM;
	return out->size > 0 ? 1 : 0;
}

int addr__csv_dn_split(const struct addr__csv_map *m, const char *dn,
		       size_t n, struct addr_buf *name,
		       struct addr__csv_path *path)
{
	size_t off[64], nr = 0, i = 0, r;
	struct addr_buf k, v;
	int rc = 1;

	path_clear(path);
	while (i <= n) {	/* the RDNs; more than 64 never map */
		if (nr == sizeof(off) / sizeof(off[0]))
			return 0;
		off[nr++] = i;
		i = rdn_end(dn, n, i) + 1;
	}
	if (nr <= m->nbase)
		return 0;
	addr_buf_init(&k);
	addr_buf_init(&v);
	r = nr - m->nbase;	/* RDNs before the base */
	if (addr__dn_key(&k, dn + off[r], n - off[r]) == ADDR_ENOMEM)
		rc = ADDR_ENOMEM;
	else if (k.size != m->basekey.size ||
		 memcmp(k.ptr, m->basekey.ptr, k.size) != 0)
		rc = 0;
	while (rc == 1 && r-- > 0) {	/* outermost first */
		size_t e = rdn_end(dn, n, off[r]);

		if ((rc = cn_value(dn + off[r], e - off[r], &v)) != 1)
			break;
		if (r > 0)
			path_push(path, v.ptr, v.size);
		else
			addr_buf_put(name, v.ptr, v.size);
	}
	if (rc == 1 && (v.oom || name->oom || path->names.oom))
		rc = ADDR_ENOMEM;
	addr_buf_free(&k);
	addr_buf_free(&v);
	return rc;
}

/* slashed - does a name of path, or name[0..n) (nullable), hold "/"?
 * A 5.5 path has no way to say it. */
static int slashed(const struct addr__csv_path *path, const char *name,
		   size_t n)
{
	size_t i, l;

	for (i = 0; i < path->n; i++) {
		const char *s = path_name(path, i, &l);

		if (memchr(s, '/', l) != NULL)
			return 1;
	}
	return name != NULL && memchr(name, '/', n) != NULL;
}

int addr__csv_path_put(const struct addr__csv_map *m, struct addr_buf *out,
		       const struct addr__csv_path *path, const char *leaf)
{
	size_t i, l;

	if (slashed(path, leaf, leaf ? strlen(leaf) : 0))
		return -1;
	addr_buf_puts(out, m->opt->container);
	for (i = 0; i < path->n; i++) {
		addr_buf_puts(out, "/cn=");
		addr_buf_puts(out, path_name(path, i, &l));
	}
	if (leaf != NULL) {
		addr_buf_puts(out, "/cn=");
		addr_buf_puts(out, leaf);
	}
	return out->oom ? ADDR_ENOMEM : 0;
}

int addr__csv_legdn_put(const struct addr__csv_map *m, struct addr_buf *out,
			const struct addr__csv_path *path, const char *name,
			size_t n)
{
	size_t i, l;

	if (slashed(path, name, n))
		return -1;
	addr_buf_puts(out, "/o=");
	addr_buf_puts(out, m->opt->org);
	addr_buf_puts(out, "/ou=");
	addr_buf_puts(out, m->opt->site);
	addr_buf_puts(out, "/cn=");
	addr_buf_puts(out, m->opt->container);
	for (i = 0; i < path->n; i++) {
		addr_buf_puts(out, "/cn=");
		addr_buf_puts(out, path_name(path, i, &l));
	}
	addr_buf_puts(out, "/cn=");
	addr_buf_put(out, name, n);
	return out->oom ? ADDR_ENOMEM : 0;
}
