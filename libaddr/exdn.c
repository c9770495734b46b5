/*
 * exdn.c - X.500 / legacyExchangeDN names "/o=.../ou=.../cn=..."
 *
 * NAME
 *	exdn - validate, parse, build, format and compare the DNs that
 *	legacyExchangeDN and the values of EX: and X500: proxies carry
 *	(spec-x400.md §6; spec-imcea-proxy.md §2.3, §4.2)
 *
 * EXPORTS
 *	addr_exdn_check()	validate without allocating
 *	addr_exdn_init(), addr_exdn_free()
 *	addr_exdn_parse()	validate and split into sections
 *	addr_exdn_append()	add a section to a DN being built
 *	addr_exdn_format()	write a DN, prefixes as given or re-cased
 *	addr_exdn_key()		the folded comparison key
 *	addr_exdn_equal()	case-insensitive equality
 *
 * DESCRIPTION
 *	A DN starts with "/" and is a sequence of "/"-separated sections
 *	prefix=value, prefix one of o, ou, cn, guid in any case, each
 *	section at least 3 characters with a non-empty value. A value may
 *	not hold control characters, DEL, or any of # $ / ; = \ ^ ~ and
 *	the backtick (Exchange's LegacyDN.cs). Every violation is the
 *	error "legdn.syntax"; a non-ASCII character is only the warning
 *	"dn.non-ascii" (ADDR_EXDN_W_NON_ASCII), because Exchange carries
 *	such DNs. Input must be well-formed UTF-8.
 *
 *	Comparison uses the uniqueness key of spec-imcea-proxy.md §4.2:
 *	ASCII A-Z folded to a-z, ICU full case folding when the text is
 *	not ASCII. It does not need a valid DN: stored values are
 *	compared whatever their syntax.
 *
 * DIAGNOSTICS
 *	ADDR_ESYNTAX (err says what and where), ADDR_ENOMEM, ADDR_EINVAL
 *	for an argument out of range.
 */
#include <string.h>
#include "addr_int.h"

/* The four prefixes, indexed by ADDR_EXDN_* - 1, as Exchange writes them. */
static const char *const prefix_names[] = { "o", "ou", "cn", "guid" };
#define NPREFIX (sizeof(prefix_names) / sizeof(prefix_names[0]))

/* value_class - what LegacyDN.cs makes of an octet in a value: 1 for
 * the forbidden ones (controls 0x00-0x1F, DEL, and # $ / ; = \ ^ ~ `),
 * 2 for non-ASCII (allowed, with a warning), 0 for the rest */
static const unsigned char value_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x00 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x10 */
	0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* 0x20 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0,	/* 0x30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,	/* 0x50 */
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1,	/* 0x70 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x80 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x90 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xA0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xB0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xC0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xD0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xE0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xF0 */
};

/* prefix_of - ADDR_EXDN_* for the prefix s[0..n) in any case, or 0 */
static int prefix_of(const char *s, size_t n)
{
	static const size_t plen[NPREFIX] = { 1, 2, 2, 4 };
	size_t k, i;

	for (k = 0; k < NPREFIX; k++) {
		const char *p = prefix_names[k];

		if (plen[k] != n)
			continue;
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			if (c != (unsigned char)p[i])
				break;
		}
		if (i == n)
			return (int)k + 1;
	}
	return 0;
}

/*
 * check_value - one value v[0..n) at input offset off: non-empty, no
 * forbidden octet; a non-ASCII octet sets ADDR_EXDN_W_NON_ASCII.
 */
static int check_value(const char *v, size_t n, size_t off,
		       unsigned *warnings, struct addr_error *err)
{
	size_t i;

	if (n == 0)
		return addr__error_set(err, ADDR_ESYNTAX, off,
				       "empty value in a DN section");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (value_class[c] == 0)
			continue;
		if (value_class[c] == 2) {
			*warnings |= ADDR_EXDN_W_NON_ASCII;
			continue;
		}
		return addr__error_set(err, ADDR_ESYNTAX, off + i,
				       c >= 0x20 && c < 0x7F ?
				       "character '%c' not allowed in a DN "
				       "value" : "character \\x%02X not allowed "
				       "in a DN value", c);
	}
	return 0;
}

/*
 * walk - validate in[0..len); for each section call add (when not
 * NULL) with its prefix, name and value. Returns 0 or a negative code.
 */
static int walk(const char *in, size_t len, unsigned *warnings,
		struct addr_error *err,
		int (*add)(void *ctx, int prefix, size_t name, size_t nlen,
			   size_t value, size_t vlen),
		void *ctx)
{
	size_t bad, i = 1, end, eq;
	int prefix, rc;

	*warnings = 0;
	if (len == 0)
		return addr__error_set(err, ADDR_ESYNTAX, 0, "empty DN");
	if ((bad = addr_utf8_check(in, len)) != len)
		return addr__error_set(err, ADDR_ESYNTAX, bad,
				       "DN is not valid UTF-8");
	if (in[0] != '/')
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "DN does not start with \"/\"");
	for (;;) {
		const char *slash = memchr(in + i, '/', len - i);

		end = slash ? (size_t)(slash - in) : len;
		if (end - i < 3)
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       "DN section shorter than 3 "
					       "characters");
		for (eq = i; eq < end && in[eq] != '='; eq++)
			;
		if (eq == end)
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       "DN section without \"=\"");
		if ((prefix = prefix_of(in + i, eq - i)) == 0)
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       "unknown DN prefix (o, ou, cn "
					       "or guid expected)");
		rc = check_value(in + eq + 1, end - eq - 1, eq + 1, warnings,
				 err);
		if (rc < 0)
			return rc;
		if (add != NULL &&
		    (rc = add(ctx, prefix, i, eq - i, eq + 1, end - eq - 1)) < 0)
			return addr__error_set(err, rc, i, "%s",
					       addr_strerror(rc));
		if (end == len)
			return 0;
		i = end + 1;
	}
}

/* addr_exdn_check - validate without keeping anything */
int addr_exdn_check(const char *in, size_t len, unsigned *warnings,
		    struct addr_error *err)
{
	unsigned w;
	int rc = walk(in, len, &w, err, NULL, NULL);

	if (warnings != NULL)
		*warnings = rc == 0 ? w : 0;
	return rc;
}

/* addr_exdn_init - the empty DN */
void addr_exdn_init(struct addr_exdn *dn)
{
	memset(dn, 0, sizeof(*dn));
	addr_buf_init(&dn->text_);
}

/* addr_exdn_free - release the storage; the DN is empty again */
void addr_exdn_free(struct addr_exdn *dn)
{
	if (dn == NULL)
		return;
	addr_buf_free(&dn->text_);
	addr__free(dn->rdn_);
	addr_exdn_init(dn);
}

/*
 * relink - point every section's name and value into text_ again. The
 * storage is name NUL value NUL per section (struct addr_str promises a
 * NUL after each string), so the lengths alone give the positions and
 * nothing has to survive a reallocation of text_. The DN itself is
 * "/" name "=" value per section: the sections hold all of it.
 */
static void relink(struct addr_exdn *dn)
{
	size_t k, pos = 0;

	for (k = 0; k < dn->nrdn; k++) {
		struct addr_exdn_rdn *r = &dn->rdn_[k];

		r->name.ptr = dn->text_.ptr + pos;
		pos += r->name.len + 1;
		r->value.ptr = dn->text_.ptr + pos;
		pos += r->value.len + 1;
	}
	dn->rdn = dn->rdn_;
}

/* store - name NUL value NUL at the end of text_; 0 or ADDR_ENOMEM */
static int store(struct addr_exdn *dn, const char *name, size_t nlen,
		 const char *value, size_t vlen)
{
	addr_buf_put(&dn->text_, name, nlen);
	addr_buf_putc(&dn->text_, '\0');
	addr_buf_put(&dn->text_, value, vlen);
	addr_buf_putc(&dn->text_, '\0');
	return dn->text_.oom ? ADDR_ENOMEM : 0;
}

/* push - one more section slot; 0 or ADDR_ENOMEM */
static int push(struct addr_exdn *dn, int prefix, size_t nlen, size_t vlen)
{
	struct addr_exdn_rdn *r;

	if (dn->nrdn == dn->cap_) {
		size_t cap = dn->cap_ ? dn->cap_ : 8;

		if (dn->cap_ && cap > ((size_t)-1 / sizeof(*r)) / 2)
			return ADDR_ENOMEM;
		if (dn->cap_)
			cap *= 2;
		r = addr__realloc(dn->rdn_, cap * sizeof(*r));
		if (r == NULL)
			return ADDR_ENOMEM;
		dn->rdn_ = r;
		dn->cap_ = cap;
		dn->rdn = r;
	}
	r = &dn->rdn_[dn->nrdn++];
	r->prefix = prefix;
	r->name.len = nlen;
	r->value.len = vlen;
	return 0;
}

/* The input of the parse in progress, for parse_add. */
struct parse_ctx {
	struct addr_exdn *dn;
	const char *in;
};

/* parse_add - walk's callback for addr_exdn_parse: keep one section */
static int parse_add(void *ctx, int prefix, size_t name, size_t nlen,
		     size_t value, size_t vlen)
{
	struct parse_ctx *p = ctx;

	if (store(p->dn, p->in + name, nlen, p->in + value, vlen) < 0)
		return ADDR_ENOMEM;
	return push(p->dn, prefix, nlen, vlen);
}

/* addr_exdn_parse - validate and keep the sections */
int addr_exdn_parse(struct addr_exdn *dn, const char *in, size_t len,
		    struct addr_error *err)
{
	struct parse_ctx ctx;
	unsigned w;
	int rc;

	addr_buf_clear(&dn->text_);
	dn->nrdn = 0;
	dn->warnings = 0;
	ctx.dn = dn;
	ctx.in = in;
	rc = walk(in, len, &w, err, parse_add, &ctx);
	if (rc < 0) {
		addr_buf_clear(&dn->text_);
		dn->nrdn = 0;
		return rc;
	}
	dn->warnings = w;
	relink(dn);
	return 0;
}

/* addr_exdn_append - one more section, checked like a parsed one */
int addr_exdn_append(struct addr_exdn *dn, int prefix, const char *value,
		     size_t vlen, struct addr_error *err)
{
	const char *name;
	size_t nlen, old = dn->text_.size;
	unsigned w = 0;
	int rc;

	if (prefix < ADDR_EXDN_O || prefix > ADDR_EXDN_GUID)
		return addr__error_set(err, ADDR_EINVAL, 0,
				       "unknown DN prefix %d", prefix);
	if (addr_utf8_check(value, vlen) != vlen)
		return addr__error_set(err, ADDR_ESYNTAX,
				       addr_utf8_check(value, vlen),
				       "DN value is not valid UTF-8");
	if ((rc = check_value(value, vlen, 0, &w, err)) < 0)
		return rc;
	name = prefix_names[prefix - 1];
	nlen = strlen(name);
	if (store(dn, name, nlen, value, vlen) < 0 ||
	    push(dn, prefix, nlen, vlen) < 0) {
		/* leave the DN as it was */
		dn->text_.oom = 0;
		addr_buf_truncate(&dn->text_, old);
		relink(dn);
		return addr__error_set(err, ADDR_ENOMEM, 0, "%s",
				       addr_strerror(ADDR_ENOMEM));
	}
	dn->warnings |= w;
	relink(dn);
	return 0;
}

/* addr_exdn_format - "/" name "=" value per section */
int addr_exdn_format(struct addr_buf *out, const struct addr_exdn *dn,
		     unsigned flags)
{
	size_t k, i;

	if (dn->nrdn == 0 ||
	    (flags & (ADDR_EXDN_LOWER | ADDR_EXDN_UPPER)) ==
	    (ADDR_EXDN_LOWER | ADDR_EXDN_UPPER))
		return ADDR_EINVAL;
	for (k = 0; k < dn->nrdn; k++) {
		const struct addr_exdn_rdn *r = &dn->rdn[k];
		const char *name = prefix_names[r->prefix - 1];

		addr_buf_putc(out, '/');
		if (!(flags & (ADDR_EXDN_LOWER | ADDR_EXDN_UPPER)))
			addr_buf_put(out, r->name.ptr, r->name.len);
		else
			for (i = 0; name[i] != '\0'; i++)
				addr_buf_putc(out, (flags & ADDR_EXDN_UPPER) ?
					      (char)(name[i] - 32) : name[i]);
		addr_buf_putc(out, '=');
		addr_buf_put(out, r->value.ptr, r->value.len);
	}
	return out->oom ? ADDR_ENOMEM : 0;
}

/* addr_exdn_key - the folded form of spec-imcea-proxy.md §4.2 */
int addr_exdn_key(struct addr_buf *out, const char *in, size_t len)
{
	int rc;

	if (addr_utf8_check(in, len) != len)
		return ADDR_ESYNTAX;
	rc = addr__text_casefold(out, in, len);
	return rc < 0 ? rc : 0;
}

/* ascii_ieq - a[0..n) and b[0..n) equal up to ASCII case */
static int ascii_ieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* is_ascii - no octet of s[0..n) is above 0x7F */
static int is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* addr_exdn_equal - same key */
int addr_exdn_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	struct addr_buf ka, kb;
	int rc;

	/* ASCII folds to ASCII of the same length: no ICU, no allocation */
	if (is_ascii(a, alen) && is_ascii(b, blen))
		return alen == blen && ascii_ieq(a, b, alen);
	addr_buf_init(&ka);
	addr_buf_init(&kb);
	rc = addr_exdn_key(&ka, a, alen);
	if (rc == 0)
		rc = addr_exdn_key(&kb, b, blen);
	if (rc == 0)
		rc = ka.size == kb.size && memcmp(ka.ptr, kb.ptr, ka.size) == 0;
	addr_buf_free(&ka);
	addr_buf_free(&kb);
	return rc;
}
