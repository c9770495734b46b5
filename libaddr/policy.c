/*
 * policy.c - address policies (spec-imcea-proxy.md §3, §4.2)
 *
 * EXPORTS
 *	addr_policy_new(), addr_policy_free()
 *	addr_policy_add_template()	parse an SMTP or NOTES template
 *	addr_policy_set()		transform, space, lower case, site
 *	addr_policy_expand()		one template for one recipient's data
 *	addr_policy_apply()		what a directory entry lacks, unique
 *	addr__policy_reset()		(internal) back to a new policy,
 *					keeping the transliterator
 *
 * SMTP templates follow §3.2: %r rules apply to the values of the
 * variables after them; each value is NFC, then rule characters are
 * replaced and the other runs transliterated (ICU, through text.c),
 * spaces removed or replaced, non-atext removed, and %N cuts the result.
 * Collisions append 2..99 to the local part (NOTES: before the last
 * "@"); every template is tried even when another fails.
 */
#include <stdio.h>
#include <string.h>
#include "dir_int.h"

#define DEFAULT_TRANSLIT "de-ASCII; Any-Latin; Latin-ASCII"
#define MAX_SUFFIX 99
#define MAX_TEMPLATES 64
#define MAX_TOKENS 256

struct tok {
	char kind;		/* 'l' literal, 'v' variable, 'r' rule */
	char c;			/* literal, or variable letter (lower) */
	char x, y;		/* rule */
	unsigned count;		/* variable: 0 = all */
};

struct tmpl {
	char *text;		/* as given (owned) */
	char prefix[10];	/* as given, or the default */
	int notes;
	int primary;		/* prefix exactly upper case */
	struct tok *tok;	/* SMTP */
	size_t ntok;
	char *domain;		/* SMTP, owned */
	char *body;		/* NOTES, owned */
};

struct addr_policy {
	struct tmpl t[MAX_TEMPLATES];
	size_t n;
	void *tr;		/* ICU transliterator */
	int custom_tr;		/* tr is not DEFAULT_TRANSLIT */
	char space;		/* 0 removes */
	int lowercase;
	struct addr_x400 site;
	int has_site;
	char *legbase;		/* owned */
};

static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

int addr_policy_new(struct addr_policy **out)
{
	struct addr_policy *p = addr__malloc(sizeof(*p));
	int rc;

	*out = NULL;
	if (p == NULL)
		return ADDR_ENOMEM;
	memset(p, 0, sizeof(*p));
	addr_x400_init(&p->site);
	if ((rc = addr__translit_open(&p->tr, DEFAULT_TRANSLIT)) < 0) {
		addr__free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* clear - free the templates and the site options of p */
static void clear(struct addr_policy *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		addr__free(p->t[i].text);
		addr__free(p->t[i].tok);
		addr__free(p->t[i].domain);
		addr__free(p->t[i].body);
	}
	addr_x400_free(&p->site);
	addr__free(p->legbase);
}

void addr_policy_free(struct addr_policy *p)
{
	if (p == NULL)
		return;
	clear(p);
	addr__translit_close(p->tr);
	addr__free(p);
}

/*
 * addr__policy_reset - make p what addr_policy_new makes, without
 * building the default transliterator again when p still has it
 * (building it costs milliseconds: the fuzz target reuses one policy).
 * 0, or the error of opening the default transliterator again after
 * ADDR_POLICY_TRANSLIT changed it (p can then only be freed).
 */
int addr__policy_reset(struct addr_policy *p)
{
	void *tr = p->tr;
	int custom = p->custom_tr, rc = 0;

	clear(p);
	if (custom) {
		addr__translit_close(tr);
		tr = NULL;
		custom = 0;
		rc = addr__translit_open(&tr, DEFAULT_TRANSLIT);
	}
	memset(p, 0, sizeof(*p));
	addr_x400_init(&p->site);
	p->tr = tr;
	p->custom_tr = custom;
	return rc;
}

static char *dup0(const char *s, size_t n)
{
	char *c;

	if (n == (size_t)-1 || (c = addr__malloc(n + 1)) == NULL)
		return NULL;
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* domain_ok - R28/R7: labels of letters, digits, "-", 1..63; <= 255 */
static int domain_ok(const char *d, size_t n)
{
	size_t i, lab = 0;

	if (n == 0 || n > 255 || d[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (lab == 0 || d[i - 1] == '-')
				return 0;
			lab = 0;
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? 1 :
			   (c >= '0' && c <= '9') || (c == '-' && lab > 0)) {
			if (++lab > 63)
				return 0;
		} else
			return 0;
	}
	return d[n - 1] != '-';
}

/* parse_local - the local part of an SMTP template into tokens */
static int parse_local(struct tmpl *t, const char *s, size_t n,
		       struct addr_error *err)
{
	size_t i = 0;

	t->tok = addr__malloc((n ? n : 1) * sizeof(*t->tok));
	if (t->tok == NULL)
		return ADDR_ENOMEM;
	if (n == 0) {		/* "@domain" means %m */
		memset(&t->tok[0], 0, sizeof(t->tok[0]));
		t->tok[0].kind = 'v';
		t->tok[0].c = 'm';
		t->ntok = 1;
		return 0;
	}
	while (i < n) {
		struct tok *k = &t->tok[t->ntok];
		unsigned char c = (unsigned char)s[i];

		memset(k, 0, sizeof(*k));
		if (t->ntok == MAX_TOKENS)
			return addr__error_set(err, ADDR_ETOOLONG, i,
					       "template \"%s\" is too long",
					       t->text);
		if (c != '%') {
			if (c != '.' && !is_atext(c))
				return addr__error_set(err, ADDR_ESYNTAX, i,
						       "template \"%s\": '%c' is "
						       "not allowed in the local "
						       "part", t->text, c);
			k->kind = 'l';
			k->c = (char)c;
			i++;
			t->ntok++;
			continue;
		}
		if (++i >= n)
			return addr__error_set(err, ADDR_ESYNTAX, i - 1,
					       "template \"%s\": dangling %%",
					       t->text);
		c = (unsigned char)s[i];
		if (c == '%') {
			k->kind = 'l';
			k->c = '%';
			i++;
		} else if (c == 'r' || c == 'R') {
			if (i + 2 >= n ||
			    (unsigned char)s[i + 1] >= 0x80 ||
			    (unsigned char)s[i + 2] >= 0x80 ||
			    s[i + 1] == 0 || s[i + 2] == 0)
				return addr__error_set(err, ADDR_ESYNTAX, i,
						       "template \"%s\": "
						       "incomplete %%r", t->text);
			k->kind = 'r';
			k->x = s[i + 1];
			k->y = s[i + 2];
			i += 3;
		} else {
			unsigned count = 0;
			size_t d0 = i;

			while (i < n && s[i] >= '0' && s[i] <= '9') {
				if (count > 100000)
					return addr__error_set(err,
						ADDR_ESYNTAX, i,
						"template \"%s\": count too "
						"large", t->text);
				count = count * 10 + (unsigned)(s[i] - '0');
				i++;
			}
			if (i >= n || (i > d0 && count == 0) ||
			    !strchr("gsidm", s[i] | 0x20))
				return addr__error_set(err, ADDR_ESYNTAX, d0,
						       "template \"%s\": unknown "
						       "variable at %%%.*s",
						       t->text,
						       (int)(i < n ? i - d0 + 1 :
							     i - d0), s + d0);
			k->kind = 'v';
			k->c = (char)(s[i] | 0x20);
			k->count = count;
			i++;
		}
		t->ntok++;
	}
	return 0;
}

int addr_policy_add_template(struct addr_policy *p, const char *s, size_t len,
			     int secondary, struct addr_error *err)
{
	struct tmpl *t;
	const char *colon = memchr(s, ':', len), *body = s, *at = NULL;
	size_t plen = 0, blen = len, i;
	int rc;

	if (p->n == MAX_TEMPLATES)
		return addr__error_set(err, ADDR_ETOOLONG, 0,
				       "more than %d templates", MAX_TEMPLATES);
	if (colon != NULL && colon - s <= 9 && colon > s) {
		plen = (size_t)(colon - s);
		for (i = 0; i < plen; i++)
			if (!(((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
			      (s[i] >= '0' && s[i] <= '9')))
				plen = 0;
	}
	t = &p->t[p->n];
	memset(t, 0, sizeof(*t));
	if ((t->text = dup0(s, len)) == NULL)
		return ADDR_ENOMEM;
	if (plen > 0) {
		memcpy(t->prefix, s, plen);
		body = colon + 1;
		blen = len - plen - 1;
	} else
		memcpy(t->prefix, secondary ? "smtp" : "SMTP", 4);
	t->primary = 1;
	for (i = 0; t->prefix[i]; i++)
		if (t->prefix[i] >= 'a' && t->prefix[i] <= 'z')
			t->primary = 0;
	/* R20: primary iff the prefix is exactly upper case; what the
	 * template makes is in stored form, so a secondary's prefix is
	 * written in lower case ("Smtp:" makes "smtp:") */
	for (i = 0; !t->primary && t->prefix[i]; i++)
		if (t->prefix[i] >= 'A' && t->prefix[i] <= 'Z')
			t->prefix[i] = (char)(t->prefix[i] + 32);
	rc = 0;
	if (addr__str_ieq(t->prefix, strlen(t->prefix), "notes")) {
		t->notes = 1;
		if ((t->body = dup0(body, blen)) == NULL)
			rc = ADDR_ENOMEM;
	} else if (!addr__str_ieq(t->prefix, strlen(t->prefix), "smtp")) {
		rc = addr__error_set(err, ADDR_ENOTSUP, 0, "template \"%s\": "
				     "unsupported template type", t->text);
	} else {
		for (i = 0; i < blen; i++)
			if (body[i] == '@')
				at = body + i;
		if (at == NULL ||
		    !domain_ok(at + 1, blen - (size_t)(at + 1 - body)))
			rc = addr__error_set(err, ADDR_ESYNTAX, 0,
					     "template \"%s\" needs \"@\" and a "
					     "valid domain", t->text);
		else if ((t->domain = dup0(at + 1, blen - (size_t)(at + 1 -
								   body))) == NULL)
			rc = ADDR_ENOMEM;
		else
			rc = parse_local(t, body, (size_t)(at - body), err);
		for (i = 0; rc == 0 && t->primary && i < p->n; i++)
			if (!p->t[i].notes && p->t[i].primary)
				rc = addr__error_set(err, ADDR_EINVAL, 0,
						     "template \"%s\": a policy "
						     "has one primary SMTP "
						     "template (R27)", t->text);
	}
	if (rc < 0) {
		addr__free(t->text);
		addr__free(t->tok);
		addr__free(t->domain);
		addr__free(t->body);
		if (rc == ADDR_ENOMEM)
			addr__error_set(err, rc, 0, "out of memory");
		return rc;
	}
	return (int)p->n++;
}

int addr_policy_set(struct addr_policy *p, int option, const char *v,
		    size_t len, struct addr_error *err)
{
	char *z;
	void *tr;
	int rc;
	size_t i;

	switch (option) {
	case ADDR_POLICY_TRANSLIT:
		if ((z = dup0(v, len)) == NULL)
			return ADDR_ENOMEM;
		rc = addr__translit_open(&tr, z);
		addr__free(z);
		if (rc < 0)
			return addr__error_set(err, rc, 0, "unknown ICU "
					       "transform \"%.*s\"",
					       (int)(len > 100 ? 100 : len), v);
		addr__translit_close(p->tr);
		p->tr = tr;
		p->custom_tr = 1;
		return 0;
	case ADDR_POLICY_SPACE:
		if (len > 1 || (len == 1 && v[0] != '.' &&
				!is_atext((unsigned char)v[0])))
			return addr__error_set(err, ADDR_ESYNTAX, 0, "a space "
					       "becomes one atext character "
					       "or \".\"");
		p->space = len ? v[0] : 0;
		return 0;
	case ADDR_POLICY_LOWERCASE:
		p->lowercase = len > 0 && v[0] != '0';
		return 0;
	case ADDR_POLICY_X400_SITE: {
		struct addr_x400 x;
		struct addr_error e;
		static const int allowed[] = { ADDR_X400_C, ADDR_X400_A,
			ADDR_X400_P, ADDR_X400_O, ADDR_X400_OU1, ADDR_X400_OU2,
			ADDR_X400_OU3, ADDR_X400_OU4 };

		/* the X400 proxies it makes are values of a list of lines
		 * (apply's added) and of LDIF: no control character */
		for (i = 0; i < len; i++)
			if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
				return addr__error_set(err, ADDR_ESYNTAX, i,
						       "--x400-site: control "
						       "character");
		addr_x400_init(&x);
		rc = addr_x400_parse(&x, v, len, ADDR_X400_EXCHANGE, 0, &e);
		if (rc == ADDR_ENOMEM)
			return rc;
		if (rc < 0) {
			addr_x400_free(&x);
			return addr__error_set(err, ADDR_ESYNTAX, e.offset,
					       "--x400-site: %s", e.message);
		}
		for (i = 0; i < ADDR_X400_NATTR; i++) {
			size_t j;
			int ok = 0;

			for (j = 0; j < sizeof(allowed) / sizeof(allowed[0]); j++)
				ok |= allowed[j] == (int)i;
			if (x.attr[i].ptr != NULL && !ok)
				rc = ADDR_ESYNTAX;
		}
		if (x.ndda > 0 || x.attr[ADDR_X400_C].ptr == NULL ||
		    x.attr[ADDR_X400_A].ptr == NULL)
			rc = ADDR_ESYNTAX;
		if (rc < 0) {
			addr_x400_free(&x);
			return addr__error_set(err, rc, 0, "--x400-site takes "
					       "C, A, P, O and OU1..OU4 only, "
					       "with C and A");
		}
		addr_x400_free(&p->site);
		p->site = x;
		p->has_site = 1;
		return 0;
	}
	case ADDR_POLICY_LEGACY_DN_BASE: {
		struct addr_error e;

		if (addr_exdn_check(v, len, NULL, &e) < 0)
			return addr__error_set(err, ADDR_ESYNTAX, e.offset,
					       "--legacy-dn-base: %s", e.message);
		if ((z = dup0(v, len)) == NULL)
			return ADDR_ENOMEM;
		addr__free(p->legbase);
		p->legbase = z;
		return 0;
	}
	default:
		return addr__error_set(err, ADDR_EINVAL, 0, "unknown option");
	}
}

/* value - one variable occurrence through the §3.2 pipeline into out */
static int value(struct addr_buf *out, const struct addr_policy *p,
		 const char *v, const int *map, unsigned count)
{
	struct addr_buf nfc, run, tr;
	size_t i = 0, start = out->size;
	int rc = 0;

	if (v == NULL)
		return 0;
	addr_buf_init(&nfc);
	addr_buf_init(&run);
	addr_buf_init(&tr);
	if ((rc = addr__text_nfc(&nfc, v, strlen(v))) < 0)
		goto out;
	for (i = 0; i <= nfc.size; i++) {
		unsigned char c = i < nfc.size ? (unsigned char)nfc.ptr[i] : 0;
		size_t j;

		if (i < nfc.size && (c >= 0x80 || map[c] == -1)) {
			addr_buf_putc(&run, (char)c);
			continue;
		}
		/* flush the run: transliterate, spaces, atext only (the
		 * clears reset oom: a run cut short is checked first) */
		addr_buf_clear(&tr);
		if (run.oom) {
			rc = ADDR_ENOMEM;
			goto out;
		}
		if (run.size > 0 &&
		    (rc = addr__translit_run(p->tr, &tr, run.ptr, run.size)) < 0)
			goto out;
		if (tr.oom) {
			rc = ADDR_ENOMEM;
			goto out;
		}
		for (j = 0; j < tr.size; j++) {
			unsigned char d = (unsigned char)tr.ptr[j];

			if (d == ' ') {
				if (p->space)
					addr_buf_putc(out, p->space);
			} else if (d < 0x80 && is_atext(d))
				addr_buf_putc(out, (char)d);
		}
		addr_buf_clear(&run);
		if (i < nfc.size && map[c] >= 0)
			addr_buf_putc(out, (char)map[c]);	/* kept as is */
	}
	if (count > 0 && out->size - start > count)
		addr_buf_truncate(out, start + count);
	rc = out->oom || run.oom || tr.oom ? ADDR_ENOMEM : 0;
out:
	addr_buf_free(&nfc);
	addr_buf_free(&run);
	addr_buf_free(&tr);
	return rc;
}

static const char *field(const struct addr_policy_data *d, char c)
{
	switch (c) {
	case 'g': return d->given;
	case 's': return d->surname;
	case 'i': return d->initials;
	case 'd': return d->display;
	default: return d->alias;
	}
}

/* expand_notes - the NOTES dialect: raw values, suffix before last @ */
static int expand_notes(struct addr_buf *out, const struct tmpl *t,
			const struct addr_policy_data *d, unsigned k,
			struct addr_error *err)
{
	const char *b = t->body;
	size_t n = strlen(b), i = 0, last_at = (size_t)-1, start, base;
	struct addr_buf chk;
	int rc;

	base = out->size;
	addr_buf_puts(out, t->prefix);
	addr_buf_putc(out, ':');
	start = out->size;
	while (i < n) {
		if (b[i] != '&') {
			addr_buf_putc(out, b[i++]);
			continue;
		}
		if (i + 1 < n && b[i + 1] == '&') {
			addr_buf_putc(out, '&');
			i += 2;
			continue;
		}
		if (i + 1 >= n || !strchr("gsidm", b[i + 1] | 0x20))
			return addr__error_set(err, ADDR_ESYNTAX, i, "template "
					       "\"%s\": unknown variable",
					       t->text);
		{
			const char *v = field(d, (char)(b[i + 1] | 0x20));
			size_t count = 0, vl, j = 0, chars = 0;

			i += 2;
			while (i < n && b[i] >= '0' && b[i] <= '9' && count < 100000)
				count = count * 10 + (size_t)(b[i++] - '0');
			vl = v ? strlen(v) : 0;
			while (j < vl && (count == 0 || chars < count)) {
				size_t s = addr__utf8_seqlen((const unsigned char *)v + j,
							     vl - j);
				if (s == 0)
					s = 1;
				j += s;
				chars++;
			}
			addr_buf_put(out, v ? v : "", j);
		}
	}
	for (i = start; i < out->size; i++)
		if (out->ptr[i] == '@')
			last_at = i;
	if (k > 1) {
		char suf[12];
		size_t sl = (size_t)snprintf(suf, sizeof(suf), "%u", k);

		if (last_at == (size_t)-1)
			addr_buf_put(out, suf, sl);
		else {
			if (addr_buf_grow(out, out->size + sl) < 0)
				return ADDR_ENOMEM;
			memmove(out->ptr + last_at + sl, out->ptr + last_at,
				out->size - last_at + 1);
			memcpy(out->ptr + last_at, suf, sl);
			out->size += sl;
		}
	}
	if (out->oom)
		return ADDR_ENOMEM;
	if (out->size == start) {
		addr_buf_truncate(out, base);
		return addr__error_set(err, ADDR_ESYNTAX, 0, "template \"%s\" "
				       "gives an empty address", t->text);
	}
	/* the values are raw: what they make must still be a proxy (not
	 * UTF-8: the proxy parser says so), and hold no control character,
	 * which the parser allows in custom types (R21) but which no IMCEA
	 * form decodes and which would split addr_policy_apply's list */
	for (i = start; i < out->size; i++)
		if ((unsigned char)out->ptr[i] < 0x20 || out->ptr[i] == 0x7f) {
			addr_buf_truncate(out, base);
			return addr__error_set(err, ADDR_ESYNTAX, 0, "template "
					       "\"%s\" gives a control "
					       "character", t->text);
		}
	addr_buf_init(&chk);
	rc = addr_proxy_parse(&chk, out->ptr + base, out->size - base, 0,
			      NULL);
	addr_buf_free(&chk);
	if (rc == ADDR_ENOMEM)
		return rc;
	if (rc < 0) {
		addr_buf_truncate(out, base);
		return addr__error_set(err, ADDR_ESYNTAX, 0, "template \"%s\" "
				       "gives an invalid address", t->text);
	}
	return 0;
}

int addr_policy_expand(struct addr_buf *out, const struct addr_policy *p,
		       size_t ti, const struct addr_policy_data *d, unsigned k,
		       struct addr_error *err)
{
	const struct tmpl *t;
	struct addr_buf loc, st;
	int map[128];
	size_t i, j;
	int rc = 0;

	if (ti >= p->n || k > MAX_SUFFIX)
		return addr__error_set(err, ADDR_EINVAL, 0, "no such template");
	t = &p->t[ti];
	if (t->notes)
		return expand_notes(out, t, d, k, err);
	for (i = 0; i < 128; i++)
		map[i] = -1;
	addr_buf_init(&loc);
	addr_buf_init(&st);
	for (i = 0; i < t->ntok && rc == 0; i++) {
		const struct tok *o = &t->tok[i];

		if (o->kind == 'l')
			addr_buf_putc(&loc, o->c);
		else if (o->kind == 'r') {
			unsigned char y = (unsigned char)o->y;

			/* a replacement that is not atext or "." is ignored */
			if (y == '.' || is_atext(y))
				map[(unsigned char)o->x] = o->x == o->y ? -2 : y;
		} else
			rc = value(&loc, p, field(d, o->c), map, o->count);
	}
	if (rc == 0 && loc.oom)		/* a literal that was not kept */
		rc = ADDR_ENOMEM;
	if (rc < 0)
		goto out;
	/* no "." leading, trailing or after another "." */
	for (i = j = 0; i < loc.size; i++) {
		if (loc.ptr[i] == '.' && (j == 0 || loc.ptr[j - 1] == '.'))
			continue;
		loc.ptr[j++] = loc.ptr[i];
	}
	while (j > 0 && loc.ptr[j - 1] == '.')
		j--;
	addr_buf_truncate(&loc, j);
	if (loc.size == 0) {
		rc = addr__error_set(err, ADDR_ESYNTAX, 0, "template \"%s\" "
				     "gives an empty local part", t->text);
		goto out;
	}
	if (p->lowercase)
		for (i = 0; i < loc.size; i++)
			if (loc.ptr[i] >= 'A' && loc.ptr[i] <= 'Z')
				loc.ptr[i] = (char)(loc.ptr[i] + 32);
	if (k > 1) {
		char suf[12];

		snprintf(suf, sizeof(suf), "%u", k);
		addr_buf_puts(&loc, suf);
	}
	if (loc.oom) {
		rc = ADDR_ENOMEM;
		goto out;
	}
	addr_buf_puts(&st, t->prefix);
	addr_buf_putc(&st, ':');
	addr_buf_put(&st, loc.ptr, loc.size);
	addr_buf_putc(&st, '@');
	addr_buf_puts(&st, t->domain);
	if (st.oom) {
		rc = ADDR_ENOMEM;
		goto out;
	}
	rc = addr_proxy_parse(out, st.ptr, st.size, 0, NULL);
	if (rc == ADDR_ENOMEM)
		goto out;
	if (rc < 0)
		rc = addr__error_set(err, ADDR_ESYNTAX, 0, "template \"%s\" "
				     "gives \"%s\", not a valid SMTP address",
				     t->text, st.ptr + strlen(t->prefix) + 1);
	else
		rc = 0;
out:
	addr_buf_free(&loc);
	addr_buf_free(&st);
	return rc;
}

/* --------------------------------------------------- applying policies */

/* taken - is proxy (stored form) held by another object, or already in
 * res (a list of "\n"-terminated values)? 1 other object, 2 earlier
 * result, 3 own proxy, 0 free */
static int taken(const struct addr_dir *d, const struct addr_dir_entry *self,
		 const char *proxy, size_t n, const struct addr_buf *res)
{
	struct addr_buf k, k2;
	size_t i, s = 0;
	int dnspace = 0, r = 0;

	addr_buf_init(&k);
	addr_buf_init(&k2);
	if (addr__proxy_key(&k, proxy, n, &dnspace) < 0) {
		r = -1;
		goto out;
	}
	if (addr__dir_held(d, k.ptr, k.size, self, &r) != NULL) {
		r = 1;
		goto out;
	}
	if (r < 0)
		goto out;
	for (i = 0; i < res->size; i++)
		if (res->ptr[i] == '\n') {
			addr_buf_clear(&k2);
			if (addr__proxy_key(&k2, res->ptr + s, i - s, NULL) == 0 &&
			    k2.size == k.size && memcmp(k2.ptr, k.ptr, k.size) == 0) {
				r = 2;
				goto out;
			}
			s = i + 1;
		}
	{
		const struct addr__dattr *a = addr__entry_attr(self,
							       "proxyAddresses");

		for (i = 0; a != NULL && i < a->n; i++) {
			addr_buf_clear(&k2);
			if (addr__proxy_key(&k2, addr__dv(&a->v[i]), a->v[i].len,
					    NULL) == 0 &&
			    k2.size == k.size &&
			    memcmp(k2.ptr, k.ptr, k.size) == 0) {
				r = 3;
				goto out;
			}
		}
	}
out:
	addr_buf_free(&k);
	addr_buf_free(&k2);
	return r;
}

/* has_prefix - does e hold a proxy whose prefix text is exactly pfx? */
static int has_prefix(const struct addr_dir_entry *e, const char *pfx,
		      int any_case)
{
	const struct addr__dattr *a = addr__entry_attr(e, "proxyAddresses");
	size_t i, n = strlen(pfx);

	for (i = 0; a != NULL && i < a->n; i++)
		if (a->v[i].len > n && addr__dv(&a->v[i])[n] == ':' &&
		    (any_case ? addr__str_ieq(addr__dv(&a->v[i]), n, pfx) :
		     memcmp(addr__dv(&a->v[i]), pfx, n) == 0))
			return 1;
	return 0;
}

/* reduce - §3.4: transliterate, keep PrintableString, cut to max */
static int reduce(struct addr_buf *out, const struct addr_policy *p,
		  const char *v, size_t max)
{
	struct addr_buf tr;
	size_t i;
	int rc = 0;

	addr_buf_clear(out);
	if (v == NULL)
		return 0;
	addr_buf_init(&tr);
	rc = addr__translit_run(p->tr, &tr, v, strlen(v));
	for (i = 0; rc == 0 && i < tr.size && out->size < max; i++) {
		unsigned char c = (unsigned char)tr.ptr[i];

		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? 1 :
		    (c >= '0' && c <= '9') || (c && strchr(" '()+,-./:=?", c)))
			addr_buf_putc(out, (char)c);
	}
	addr_buf_free(&tr);
	return rc < 0 ? rc : (out->oom ? ADDR_ENOMEM : 0);
}

/* gen_x400 - the site X400 proxy of §3.4 into res */
static int gen_x400(const struct addr_dir *d, const struct addr_policy *p,
		    const struct addr_dir_entry *e,
		    const struct addr_policy_data *dt, struct addr_buf *res,
		    struct addr__sink *s)
{
	struct addr_buf sn, g, in, val;
	struct addr_x400 x;
	unsigned k;
	int rc;

	addr_buf_init(&sn);
	addr_buf_init(&g);
	addr_buf_init(&in);
	addr_buf_init(&val);
	addr_x400_init(&x);
	rc = reduce(&sn, p, dt->surname, 40);
	if (rc == 0 && sn.size == 0)
		rc = reduce(&sn, p, dt->alias, 40);
	if (rc == 0)
		rc = reduce(&g, p, dt->given, 16);
	if (rc == 0)
		rc = reduce(&in, p, dt->initials, 5);
	if (rc < 0) {
		/* a name that is not UTF-8 or that ICU cannot transform */
		if (rc != ADDR_ENOMEM)
			addr__sink_diag(s, ADDR_SEV_ERROR, rc, "policy.x400",
					"%s: cannot transliterate the names "
					"for the X400 address", e->dn);
		goto out;
	}
	if (sn.size == 0) {
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "policy.x400",
				"%s: no surname or alias for the X400 address",
				e->dn);
		rc = ADDR_ESYNTAX;
		goto out;
	}
	for (k = 1; k <= MAX_SUFFIX; k++) {
		char suf[12] = "";
		size_t sl = k > 1 ? (size_t)snprintf(suf, sizeof(suf), "%u", k) : 0;
		size_t keep = sn.size + sl > 40 ? 40 - sl : sn.size;
		struct addr_buf s2;

		addr_buf_init(&s2);
		addr_buf_put(&s2, sn.ptr, keep);
		addr_buf_puts(&s2, suf);
		rc = s2.oom ? ADDR_ENOMEM : addr_x400_copy(&x, &p->site);
		if (rc == 0)
			rc = addr_x400_set(&x, ADDR_X400_S, s2.ptr, s2.size);
		addr_buf_free(&s2);
		if (rc == 0 && g.size)
			rc = addr_x400_set(&x, ADDR_X400_G, g.ptr, g.size);
		if (rc == 0 && in.size)
			rc = addr_x400_set(&x, ADDR_X400_I, in.ptr, in.size);
		addr_buf_clear(&val);
		addr_buf_puts(&val, "X400:");
		if (rc == 0)
			rc = addr_x400_format(&val, &x, ADDR_X400_EXCHANGE, 0,
					      NULL);
		if (rc == 0 && val.oom)
			rc = ADDR_ENOMEM;
		if (rc < 0) {
			if (rc != ADDR_ENOMEM) {
				addr__sink_diag(s, ADDR_SEV_ERROR, rc,
						"policy.x400", "%s: cannot make "
						"an X400 address", e->dn);
			}
			goto out;
		}
		rc = taken(d, e, val.ptr, val.size, res);
		if (rc < 0) {
			rc = ADDR_ENOMEM;	/* as for the templates */
			goto out;
		}
		if (rc == 0) {
			addr_buf_put(res, val.ptr, val.size);
			addr_buf_putc(res, '\n');
			goto out;
		}
	}
	addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ECONFLICT, "policy.conflict",
			"%s: no free X400 address after %d suffixes", e->dn,
			MAX_SUFFIX);
	rc = ADDR_ECONFLICT;
out:
	addr_buf_free(&sn);
	addr_buf_free(&g);
	addr_buf_free(&in);
	addr_buf_free(&val);
	addr_x400_free(&x);
	return rc < 0 ? rc : (res->oom ? ADDR_ENOMEM : 0);
}

/* gen_legdn - base + "/cn=" + filtered alias, unique in the DN space */
static int gen_legdn(const struct addr_dir *d, const struct addr_policy *p,
		     const struct addr_dir_entry *e, const char *alias,
		     struct addr_buf *dn, struct addr__sink *s)
{
	struct addr_buf cn, k;
	size_t i, n = alias ? strlen(alias) : 0;
	unsigned j;
	int rc = 0;

	addr_buf_init(&cn);
	addr_buf_init(&k);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)alias[i];

		if (c < 0x20 || c >= 0x7f || strchr("#$/;=\\^~`", c))
			continue;
		addr_buf_putc(&cn, (char)c);
	}
	if (cn.oom) {
		rc = ADDR_ENOMEM;
		goto out;
	}
	if (cn.size == 0) {
		addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ESYNTAX, "policy.legdn",
				"%s: no alias usable for a legacyExchangeDN",
				e->dn);
		rc = ADDR_ESYNTAX;
		goto out;
	}
	for (j = 1; j <= MAX_SUFFIX; j++) {
		addr_buf_clear(dn);
		addr_buf_puts(dn, p->legbase);
		addr_buf_puts(dn, "/cn=");
		addr_buf_put(dn, cn.ptr, cn.size);
		if (j > 1) {
			char suf[12];

			snprintf(suf, sizeof(suf), "%u", j);
			addr_buf_puts(dn, suf);
		}
		/* a value cut short by a failed allocation is no answer */
		if (dn->oom) {
			rc = ADDR_ENOMEM;
			goto out;
		}
		addr_buf_clear(&k);
		addr_buf_putc(&k, '\1');
		if ((rc = addr__dir_fold(&k, dn->ptr, dn->size)) < 0)
			goto out;
		if (addr__dir_held(d, k.ptr, k.size, e, &rc) == NULL)
			goto out;	/* free, or rc ADDR_ENOMEM */
	}
	addr__sink_diag(s, ADDR_SEV_ERROR, ADDR_ECONFLICT, "policy.conflict",
			"%s: no free legacyExchangeDN after %d suffixes", e->dn,
			MAX_SUFFIX);
	rc = ADDR_ECONFLICT;
out:
	addr_buf_free(&cn);
	addr_buf_free(&k);
	return rc;
}

int addr_policy_apply(struct addr_dir *d, const struct addr_policy *p,
		      const char *dn, size_t len, struct addr_buf *added,
		      struct addr_dir_report *rep)
{
	struct addr_dir_entry *e, *nw = NULL;
	struct addr_policy_data dt;
	struct addr_buf res, cand, leg;
	struct addr__sink s;
	struct addr_error err;
	size_t i, count = 0;
	int pass, rc = 0, failed = 0, conflict = 0;

	/* a lookup that could not allocate is ADDR_ENOMEM, not "no entry" */
	if ((e = addr__dir_find_mut(d, dn, len, &rc)) == NULL)
		return rc;
	addr__sink_init(&s, rep, NULL, NULL);
	s.line = e->line;
	dt.given = addr_dir_entry_value(e, "givenName", 0, NULL);
	dt.surname = addr_dir_entry_value(e, "sn", 0, NULL);
	dt.initials = addr_dir_entry_value(e, "initials", 0, NULL);
	dt.display = addr_dir_entry_value(e, "displayName", 0, NULL);
	dt.alias = addr_dir_entry_value(e, "mailNickname", 0, NULL);
	addr_buf_init(&res);
	addr_buf_init(&cand);
	addr_buf_init(&leg);
	for (pass = 1; pass >= 0; pass--)
		for (i = 0; i < p->n; i++) {
			const struct tmpl *t = &p->t[i];
			unsigned k;

			if (t->primary != pass || has_prefix(e, t->prefix, 0))
				continue;
			for (k = 1; k <= MAX_SUFFIX; k++) {
				addr_buf_clear(&cand);
				rc = addr_policy_expand(&cand, p, i, &dt, k, &err);
				if (rc == ADDR_ENOMEM)
					goto out;
				if (rc < 0) {
					addr__sink_diag(&s, ADDR_SEV_ERROR, rc,
							"policy.template",
							"%s: %s", e->dn,
							err.message);
					failed = 1;
					break;
				}
				rc = taken(d, e, cand.ptr, cand.size, &res);
				if (rc < 0) {
					rc = ADDR_ENOMEM;
					goto out;
				}
				if (rc == 2 || rc == 3)
					break;	/* a duplicate: dropped */
				if (rc == 0) {
					addr_buf_put(&res, cand.ptr, cand.size);
					addr_buf_putc(&res, '\n');
					break;
				}
			}
			if (k > MAX_SUFFIX) {
				conflict = 1;
				addr__sink_diag(&s, ADDR_SEV_ERROR,
						ADDR_ECONFLICT, "policy.conflict",
						"%s: template \"%s\": no free "
						"address after %d suffixes",
						e->dn, t->text, MAX_SUFFIX);
				failed = 1;
			}
		}
	rc = 0;
	if (p->has_site && !has_prefix(e, "x400", 1)) {
		rc = gen_x400(d, p, e, &dt, &res, &s);
		if (rc == ADDR_ENOMEM)
			goto out;
		conflict |= rc == ADDR_ECONFLICT;
		failed |= rc < 0;
	}
	if (p->legbase != NULL &&
	    addr_dir_entry_value(e, "legacyExchangeDN", 0, NULL) == NULL) {
		rc = gen_legdn(d, p, e, dt.alias, &leg, &s);
		if (rc == ADDR_ENOMEM)
			goto out;
		conflict |= rc == ADDR_ECONFLICT;
		failed |= rc < 0;
	}
	if (res.oom || leg.oom) {	/* a result that was not kept */
		rc = ADDR_ENOMEM;
		goto out;
	}
	if (failed) {
		rc = conflict ? ADDR_ECONFLICT : ADDR_ESYNTAX;
		goto out;
	}
	if (res.size == 0 && leg.size == 0) {
		rc = 0;
		goto out;
	}
	if ((rc = addr_dir_entry_copy(&nw, e)) < 0)
		goto out;
	{
		size_t st = 0;

		for (i = 0; i < res.size; i++)
			if (res.ptr[i] == '\n') {
				if ((rc = addr_dir_entry_add_value(nw, "proxyAddresses",
							       res.ptr + st,
							       i - st)) < 0)
					goto out;
				count++;
				st = i + 1;
			}
	}
	if (leg.size > 0) {
		if ((rc = addr_dir_entry_add_value(nw, "legacyExchangeDN",
						   leg.ptr, leg.size)) < 0)
			goto out;
		count++;
	}
	rc = addr__dir_replace(d, e, nw, &err);
	if (rc < 0) {
		if (rc != ADDR_ENOMEM)
			addr__sink_diag(&s, ADDR_SEV_ERROR, rc, "policy.apply",
					"%s", err.message);
		goto out;
	}
	nw = NULL;
	if (added != NULL) {
		addr_buf_put(added, res.ptr, res.size);
		if (leg.size > 0) {
			addr_buf_puts(added, "legacyExchangeDN:");
			addr_buf_put(added, leg.ptr, leg.size);
			addr_buf_putc(added, '\n');
		}
	}
	rc = (int)count;
out:
	addr_dir_entry_free(nw);
	addr_buf_free(&res);
	addr_buf_free(&cand);
	addr_buf_free(&leg);
	return rc;
}
