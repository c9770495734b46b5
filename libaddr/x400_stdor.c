/*
 * x400_stdor.c - the RFC 2156 std-or form and encoded-pn
 *
 * EXPORTS
 *	addr__x400_parse_stdor()	"/S=x/PRMD=abc/C=gb/" -> model
 *	addr__x400_format_stdor()	model -> "/S=x/PRMD=abc/ADMD= /C=gb/"
 *	addr__x400_stdor_write()	some attributes of a model, std-or
 *	addr__x400_stdor_detect()	does a text use std-or-only keys?
 *	addr__x400_pn_parse()		"Marshall.M.T.Rose" -> G, I, S
 *	addr__x400_pn_format()		G, I, S -> encoded-pn, when allowed
 *
 * spec-x400.md §3.3 and §3.5. The std-or form is what an X.400 address
 * looks like inside an RFC 822 local part: "/"-delimited on output, "/"
 * or ";" on input, "$" quoting "/" and "=" (and any ps-char) inside
 * values, the most significant attribute on the right. Plain OU and DD
 * keys are therefore numbered from the right. Teletex values ("{165}",
 * "*") are outside the model and refused.
 */
#include <string.h>
#include "x400_int.h"

/* Simple keys (input alternatives included). */
static const struct key {
	const char *name;
	int attr;
} keys[] = {
	{ "C", ADDR_X400_C }, { "ADMD", ADDR_X400_A }, { "A", ADDR_X400_A },
	{ "PRMD", ADDR_X400_P }, { "P", ADDR_X400_P }, { "O", ADDR_X400_O },
	{ "OU1", ADDR_X400_OU1 }, { "OU2", ADDR_X400_OU2 },
	{ "OU3", ADDR_X400_OU3 }, { "OU4", ADDR_X400_OU4 },
	{ "S", ADDR_X400_S }, { "G", ADDR_X400_G }, { "I", ADDR_X400_I },
	{ "GQ", ADDR_X400_Q }, { "Q", ADDR_X400_Q }, { "CN", ADDR_X400_CN },
	{ "X121", ADDR_X400_X121 }, { "X.121", ADDR_X400_X121 },
	{ "UA-ID", ADDR_X400_NID }, { "N-ID", ADDR_X400_NID },
	{ "T-ID", ADDR_X400_TID }, { "T-TY", ADDR_X400_TTY },
};

/* Kinds of key beyond the simple ones. */
enum {
	K_UNKNOWN = -1, K_UNSUP = -2, K_OU = -3, K_PN = -4, K_DD = -5,
	K_DDN = -6
};

/* Output order of §3.3 after the DDAs, with the generated keys. */
static const struct key outkeys[] = {
	{ "G", ADDR_X400_G }, { "I", ADDR_X400_I }, { "S", ADDR_X400_S },
	{ "GQ", ADDR_X400_Q }, { "CN", ADDR_X400_CN },
	{ "T-TY", ADDR_X400_TTY }, { "T-ID", ADDR_X400_TID },
	{ "UA-ID", ADDR_X400_NID }, { "X121", ADDR_X400_X121 },
	{ "OU", ADDR_X400_OU4 }, { "OU", ADDR_X400_OU3 },
	{ "OU", ADDR_X400_OU2 }, { "OU", ADDR_X400_OU1 },
	{ "O", ADDR_X400_O }, { "PRMD", ADDR_X400_P },
	{ "ADMD", ADDR_X400_A }, { "C", ADDR_X400_C },
};

/* Terminal type numbers with an F.401 name, for labelled-integers. */
static const char *const ttynames[] = {
	"tlx", "ttx", "g3fax", "g4fax", "ia5", "vtx"
};

/* is_sep - an input separator */
static int is_sep(char c)
{
	return c == '/' || c == ';';
}

/*
 * unquote - append the std-printablestring s[0..n) without its "$"
 * quotes: std-char = ps-char except "/" and "="; std-pair = "$" ps-char.
 * Returns 0, ADDR_ENOTSUP (teletex) or ADDR_ESYNTAX; *bad is the offset
 * of the offending character.
 */
static int unquote(struct addr_buf *out, const char *s, size_t n, size_t *bad)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		*bad = i;
		if (c == '$') {
			if (i + 1 == n ||
			    !addr__x400_is_ps((unsigned char)s[i + 1]))
				return ADDR_ESYNTAX;
			addr_buf_putc(out, s[++i]);
		} else if (c == '{' || c == '}' || c == '*') {
			return ADDR_ENOTSUP;
		} else if (addr__x400_is_ps(c) && c != '/' && c != '=') {
			addr_buf_putc(out, (char)c);
		} else {
			return ADDR_ESYNTAX;
		}
	}
	return 0;
}

/* classify - the kind of an unquoted key; *ddn is 1..4 for DDn.type,
 * *tstart where the DD type begins */
static int classify(const char *k, size_t n, int *ddn, size_t *tstart)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (addr__x400_ieq(k, n, keys[i].name))
			return keys[i].attr;
	if (addr__x400_ieq(k, n, "OU"))
		return K_OU;
	if (addr__x400_ieq(k, n, "PN"))
		return K_PN;
	if (addr__x400_ieq(k, n, "RFC-822")) {
		*tstart = 0;
		return K_DD;
	}
	if (n > 4 && addr__x400_ieq(k, 3, "DDA") &&
	    (k[3] == '.' || k[3] == ':')) {
		*tstart = 4;
		return K_DD;
	}
	if (n > 3 && addr__x400_ieq(k, 2, "DD") && (k[2] == '.' || k[2] == ':')) {
		*tstart = 3;
		return K_DD;
	}
	if (n > 4 && addr__x400_ieq(k, 2, "DD") && k[2] >= '1' &&
	    k[2] <= '4' && k[3] == '.') {
		*ddn = k[2] - '0';
		*tstart = 4;
		return K_DDN;
	}
	/* physical delivery, E.164 and PSAP keys are real but outside the
	 * model */
	if ((n > 3 && addr__x400_ieq(k, 3, "PD-")) ||
	    (n > 4 && addr__x400_ieq(k, 4, "NET-")) ||
	    addr__x400_ieq(k, n, "E.164") || addr__x400_ieq(k, n, "PSAP"))
		return K_UNSUP;
	return K_UNKNOWN;
}

/* tty_value - digits of a T-TY value: an F.401 name, digits, or a
 * labelled-integer "[key-string] ( numericstring )" */
static int tty_value(struct addr_buf *out, const char *v, size_t n)
{
	const char *name = addr__x400_tty_name(v, n);
	const char *lp;
	size_t i, p;

	if (name != NULL)
		return addr_buf_puts(out, name);
	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i == n)
		return addr_buf_put(out, v, n);
	if (n < 2 || v[n - 1] != ')' || (lp = memchr(v, '(', n)) == NULL)
		return ADDR_ESYNTAX;
	p = (size_t)(lp - v);
	for (i = 0; i < p; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-'))
			return ADDR_ESYNTAX;
	for (i = p + 1; i < n - 1; i++) {
		if (v[i] >= '0' && v[i] <= '9')
			addr_buf_putc(out, v[i]);
		else if (v[i] != ' ')
			return ADDR_ESYNTAX;
	}
	if (out->oom)
		return ADDR_ENOMEM;
	return out->size > 0 ? 0 : ADDR_ESYNTAX;
}

/* Values collected before they can be numbered from the right. */
struct pending {
	struct addr_buf ou[4];
	size_t nou;
	struct addr_buf ddt[4], ddv[4];
	int ddset[4];
	size_t ndd;
	size_t ddoff[4];
	int plain_ou, explicit_ou, plain_dd, explicit_dd;
};

/* pending_free - release the collected values */
static void pending_free(struct pending *p)
{
	int i;

	for (i = 0; i < 4; i++) {
		addr_buf_free(&p->ou[i]);
		addr_buf_free(&p->ddt[i]);
		addr_buf_free(&p->ddv[i]);
	}
}

/* take_dd - store one DDA, plain (slot -1: next from the left) or at
 * an explicit position */
static int take_dd(struct addr__x400_pstate *st, struct pending *p, int slot,
		   const struct addr_buf *t, const struct addr_buf *v,
		   size_t off)
{
	if (slot < 0) {
		if (p->ndd == 4)
			return addr__error_set(st->err, ADDR_ETOOLONG,
					       st->base + off,
					       "more than %d DDAs",
					       ADDR_X400_MAXDDA);
		slot = (int)p->ndd++;
	} else if (p->ddset[slot] && (st->flags & ADDR_X400_STRICT)) {
		return addr__error_set(st->err, ADDR_ESYNTAX, st->base + off,
				       "DD%d given twice", slot + 1);
	}
	p->ddset[slot] = 1;
	p->ddoff[slot] = off;
	addr_buf_clear(&p->ddt[slot]);
	addr_buf_clear(&p->ddv[slot]);
	addr_buf_put(&p->ddt[slot], t->ptr, t->size);
	addr_buf_put(&p->ddv[slot], v->ptr, v->size);
	return 0;
}

/* settle - move the collected OUs and DDAs into the model */
static int settle(struct addr__x400_pstate *st, struct pending *p)
{
	size_t i;
	int r, slot;

	for (i = 0; i < p->nou; i++) {
		/* the rightmost plain OU is OU1 */
		const struct addr_buf *b = &p->ou[p->nou - 1 - i];

		if ((r = addr__x400_put(st, ADDR_X400_OU1 + (int)i, b->ptr,
					b->size, 0)) < 0)
			return r;
	}
	if (p->plain_dd) {
		for (i = p->ndd; i-- > 0;)
			if ((r = addr__x400_put_dda(st, p->ddt[i].ptr,
						    p->ddt[i].size, p->ddv[i].ptr,
						    p->ddv[i].size,
						    p->ddoff[i])) < 0)
				return r;
	} else {
		for (slot = 0; slot < 4; slot++)
			if (p->ddset[slot] &&
			    (r = addr__x400_put_dda(st, p->ddt[slot].ptr,
						    p->ddt[slot].size,
						    p->ddv[slot].ptr,
						    p->ddv[slot].size,
						    p->ddoff[slot])) < 0)
				return r;
	}
	/* §4.1.3: C without ADMD means the blank ADMD */
	if (st->x->attr[ADDR_X400_C].ptr && st->x->attr[ADDR_X400_A].ptr == NULL &&
	    addr_x400_set(st->x, ADDR_X400_A, " ", 1) < 0)
		return addr__error_set(st->err, ADDR_ENOMEM, st->base,
				       "out of memory");
	return 0;
}

/* quoted_error - the error of unquote() at input offset off */
static int quoted_error(struct addr__x400_pstate *st, int r, size_t off)
{
	if (r == ADDR_ENOTSUP)
		return addr__error_set(st->err, r, st->base + off,
				       "teletex value not supported");
	return addr__error_set(st->err, ADDR_ESYNTAX, st->base + off,
			       "character not allowed in a std-or value");
}

/* one_pair - handle one key=value pair whose raw parts are given */
static int one_pair(struct addr__x400_pstate *st, struct pending *p,
		    const char *in, size_t ks, size_t ke, size_t vs, size_t ve,
		    struct addr_buf *k, struct addr_buf *v)
{
	size_t bad = 0, tstart = 0;
	int kind, ddn = 0, r;
	struct addr_buf t;

	addr_buf_clear(k);
	addr_buf_clear(v);
	if ((r = unquote(k, in + ks, ke - ks, &bad)) < 0)
		return quoted_error(st, r, ks + bad);
	if ((r = unquote(v, in + vs, ve - vs, &bad)) < 0)
		return quoted_error(st, r, vs + bad);
	if (k->oom || v->oom)
		return addr__error_set(st->err, ADDR_ENOMEM, st->base + ks,
				       "out of memory");
	kind = classify(k->ptr, k->size, &ddn, &tstart);
	switch (kind) {
	case K_UNKNOWN:
		return addr__error_set(st->err, ADDR_ESYNTAX, st->base + ks,
				       "unknown key");
	case K_UNSUP:
		return addr__error_set(st->err, ADDR_ENOTSUP, st->base + ks,
				       "unsupported attribute");
	case K_OU:
		if (p->explicit_ou)
			goto mixed;
		if (p->nou == 4)
			return addr__error_set(st->err, ADDR_ETOOLONG,
					       st->base + ks, "more than 4 OUs");
		p->plain_ou = 1;
		addr_buf_put(&p->ou[p->nou++], v->ptr, v->size);
		return 0;
	case K_PN:
		return addr__x400_pn_parse(st, v->ptr, v->size, vs);
	case K_DD:
	case K_DDN:
		if ((kind == K_DD && p->explicit_dd) ||
		    (kind == K_DDN && p->plain_dd))
			goto mixed;
		*(kind == K_DD ? &p->plain_dd : &p->explicit_dd) = 1;
		addr_buf_init(&t);
		if (tstart == 0)
			addr_buf_puts(&t, "RFC-822");
		else
			addr_buf_put(&t, k->ptr + tstart, k->size - tstart);
		if (t.oom)
			r = addr__error_set(st->err, ADDR_ENOMEM, st->base + ks,
					    "out of memory");
		else
			r = take_dd(st, p, kind == K_DD ? -1 : ddn - 1, &t, v,
				    ks);
		addr_buf_free(&t);
		return r;
	default:
		break;
	}
	if (kind >= ADDR_X400_OU1 && kind <= ADDR_X400_OU4) {
		if (p->plain_ou)
			goto mixed;
		p->explicit_ou = 1;
	}
	if (kind == ADDR_X400_TTY) {
		addr_buf_init(&t);
		r = tty_value(&t, v->ptr, v->size);
		if (r == 0 && t.oom)
			r = ADDR_ENOMEM;
		if (r == 0)
			r = addr__x400_put(st, kind, t.ptr, t.size, vs);
		else
			r = addr__error_set(st->err, r, st->base + vs,
					    r == ADDR_ENOMEM ? "out of memory" :
					    "T-TY: not a terminal type");
		addr_buf_free(&t);
		return r;
	}
	return addr__x400_put(st, kind, v->ptr, v->size, vs);
mixed:
	return addr__error_set(st->err, ADDR_ESYNTAX, st->base + ks,
			       "numbered and plain keys mixed");
}

/* addr__x400_parse_stdor - read std-or-address-input into st->x */
int addr__x400_parse_stdor(struct addr__x400_pstate *st, const char *in,
			   size_t len)
{
	struct pending p;
	struct addr_buf k, v;
	size_t i = 0, ks, ke, vs, npair = 0;
	int r = 0;

	memset(&p, 0, sizeof(p));
	for (ks = 0; ks < 4; ks++) {
		addr_buf_init(&p.ou[ks]);
		addr_buf_init(&p.ddt[ks]);
		addr_buf_init(&p.ddv[ks]);
	}
	addr_buf_init(&k);
	addr_buf_init(&v);
	if (i < len && is_sep(in[i]))
		i++;
	while (i < len) {
		while (i < len && (in[i] == ' ' || in[i] == '\t'))
			i++;
		if (i == len)
			break;
		ks = i;
		while (i < len && in[i] != '=') {
			if (is_sep(in[i])) {
				r = addr__error_set(st->err, ADDR_ESYNTAX,
						    st->base + ks,
						    "key without '='");
				goto out;
			}
			i += in[i] == '$' && i + 1 < len ? 2 : 1;
		}
		if (i >= len) {
			r = addr__error_set(st->err, ADDR_ESYNTAX, st->base + ks,
					    "key without '='");
			goto out;
		}
		ke = i++;
		vs = i;
		while (i < len && !is_sep(in[i]))
			i += in[i] == '$' && i + 1 < len ? 2 : 1;
		if ((r = one_pair(st, &p, in, ks, ke, vs, i, &k, &v)) < 0)
			goto out;
		npair++;
		if (i < len)
			i++;
	}
	if (npair == 0) {
		r = addr__error_set(st->err, ADDR_ESYNTAX, st->base,
				    "no attribute");
		goto out;
	}
	for (ks = 0; ks < 4; ks++)
		if (p.ou[ks].oom || p.ddt[ks].oom || p.ddv[ks].oom) {
			r = addr__error_set(st->err, ADDR_ENOMEM, st->base,
					    "out of memory");
			goto out;
		}
	r = settle(st, &p);
out:
	pending_free(&p);
	addr_buf_free(&k);
	addr_buf_free(&v);
	return r;
}

/* addr__x400_stdor_detect - std-or-only keys or "$" quoting present */
int addr__x400_stdor_detect(const char *in, size_t len)
{
	static const char *const only[] = {
		"ADMD", "PRMD", "GQ", "X121", "UA-ID", "OU", "PN", "RFC-822"
	};
	size_t i = 0, ks, j;

	if (memchr(in, '$', len) != NULL)
		return 1;
	while (i < len) {
		while (i < len && (in[i] == ' ' || in[i] == '\t'))
			i++;
		ks = i;
		while (i < len && in[i] != '=' && !is_sep(in[i]))
			i++;
		if (i < len && in[i] == '=') {
			for (j = 0; j < sizeof(only) / sizeof(only[0]); j++)
				if (addr__x400_ieq(in + ks, i - ks, only[j]))
					return 1;
			if ((i - ks > 3 && addr__x400_ieq(in + ks, 3, "DD.")) ||
			    (i - ks > 4 && addr__x400_ieq(in + ks, 4, "DDA.")) ||
			    (i - ks > 4 && addr__x400_ieq(in + ks, 2, "DD") &&
			     in[ks + 2] >= '1' && in[ks + 2] <= '4' &&
			     in[ks + 3] == '.'))
				return 1;
		}
		/* on to the next separator: the rest of this pair is value */
		while (i < len && !is_sep(in[i]))
			i++;
		if (i < len)
			i++;
	}
	return 0;
}

/* put_quoted - a value with "/" and "=" quoted by "$"; 0 or ESYNTAX for
 * a character outside PrintableString */
static int put_quoted(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!addr__x400_is_ps((unsigned char)s[i]))
			return ADDR_ESYNTAX;
		if (s[i] == '/' || s[i] == '=')
			addr_buf_putc(out, '$');
		addr_buf_putc(out, s[i]);
	}
	return 0;
}

/* put_tty - T-TY as a labelled-integer: "g3fax(5)" or "(n)" */
static int put_tty(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return ADDR_ESYNTAX;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return ADDR_ESYNTAX;
	if (n == 1 && s[0] >= '3' && s[0] <= '8')
		addr_buf_puts(out, ttynames[s[0] - '3']);
	addr_buf_putc(out, '(');
	addr_buf_put(out, s, n);
	addr_buf_putc(out, ')');
	return 0;
}

/* addr__x400_stdor_write - the selected attributes in §3.3 order */
int addr__x400_stdor_write(struct addr_buf *out, const struct addr_x400 *x,
			   uint32_t mask, int dda, struct addr_error *err)
{
	size_t i;

	addr_buf_putc(out, '/');
	for (i = dda ? x->ndda : 0; i-- > 0;) {
		const struct addr_x400_dda *d = &x->dda[i];

		if (addr__x400_ieq(d->type.ptr, d->type.len, "RFC-822")) {
			addr_buf_puts(out, "RFC-822");
		} else {
			addr_buf_puts(out, "DD.");
			if (put_quoted(out, d->type.ptr, d->type.len) < 0)
				return addr__error_set(err, ADDR_ESYNTAX, 0,
						       "DDA type not"
						       " PrintableString");
		}
		addr_buf_putc(out, '=');
		if (put_quoted(out, d->value.ptr, d->value.len) < 0)
			return addr__error_set(err, ADDR_ESYNTAX, 0,
					       "DDA value not PrintableString");
		addr_buf_putc(out, '/');
	}
	for (i = 0; i < sizeof(outkeys) / sizeof(outkeys[0]); i++) {
		const struct addr_x400_value *v = &x->attr[outkeys[i].attr];
		int r;

		if (v->ptr == NULL || !(mask & ((uint32_t)1 << outkeys[i].attr)))
			continue;
		addr_buf_puts(out, outkeys[i].name);
		addr_buf_putc(out, '=');
		if (outkeys[i].attr == ADDR_X400_TTY)
			r = put_tty(out, v->ptr, v->len);
		else
			r = put_quoted(out, v->ptr, v->len);
		if (r < 0)
			return addr__error_set(err, ADDR_ESYNTAX, 0,
					       "%s not representable in the"
					       " std-or form",
					       addr_x400_attr_name(outkeys[i].attr));
		addr_buf_putc(out, '/');
	}
	return 0;
}

/* addr__x400_format_stdor - the whole address */
int addr__x400_format_stdor(struct addr_buf *out, const struct addr_x400 *x,
			    struct addr_error *err)
{
	return addr__x400_stdor_write(out, x, ADDR__X400_ALL, 1, err);
}

/* is_alpha - ASCII letter */
static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* addr__x400_pn_parse - the §3.5 encoded-pn reading */
int addr__x400_pn_parse(struct addr__x400_pstate *st, const char *s,
			size_t n, size_t off)
{
	char ini[8];
	size_t ni = 0, i = 0, tok, e;
	const char *dot;
	int r;

	if (!addr__x400_ps_string(s, n) || n == 0)
		goto bad;
	if ((dot = memchr(s, '.', n)) == NULL)
		return addr__x400_put(st, ADDR_X400_S, s, n, off);
	tok = (size_t)(dot - s);
	if (tok >= 2) {
		if ((r = addr__x400_put(st, ADDR_X400_G, s, tok, off)) < 0)
			return r;
		i = tok + 1;
	} else if (tok == 0 || !is_alpha(s[0])) {
		goto bad;
	}
	/* single-letter tokens that are not the last are initials */
	while (i < n) {
		dot = memchr(s + i, '.', n - i);
		if (dot == NULL)
			break;
		e = (size_t)(dot - s);
		if (e - i != 1 || !is_alpha(s[i]))
			break;
		if (ni == sizeof(ini))
			return addr__error_set(st->err, ADDR_ETOOLONG,
					       st->base + off,
					       "I: too many initials");
		ini[ni++] = s[i];
		i = e + 1;
	}
	if (i >= n || s[i] == '.' || (n - i >= 2 && s[i + 1] == '.'))
		goto bad;
	if (ni && (r = addr__x400_put(st, ADDR_X400_I, ini, ni, off)) < 0)
		return r;
	return addr__x400_put(st, ADDR_X400_S, s + i, n - i, off + i);
bad:
	return addr__error_set(st->err, ADDR_ESYNTAX, st->base + off,
			       "not an encoded-pn");
}

/* addr__x400_pn_format - encoded-pn when §3.5 allows it */
int addr__x400_pn_format(struct addr_buf *out, const struct addr_x400 *x,
			 uint32_t mask)
{
	const uint32_t pn = (1u << ADDR_X400_S) | (1u << ADDR_X400_G) |
			    (1u << ADDR_X400_I);
	const struct addr_x400_value *g = &x->attr[ADDR_X400_G];
	const struct addr_x400_value *in = &x->attr[ADDR_X400_I];
	const struct addr_x400_value *s = &x->attr[ADDR_X400_S];
	size_t i;

	if (x->ndda)
		return 0;
	for (i = 0; i < ADDR_X400_NATTR; i++)
		if ((mask & (1u << i)) && x->attr[i].ptr && !(pn & (1u << i)))
			return 0;
	if (!(mask & (1u << ADDR_X400_S)) || s->ptr == NULL || s->len == 0 ||
	    !addr__x400_ps_string(s->ptr, s->len))
		return 0;
	if (!(mask & (1u << ADDR_X400_G)))
		g = NULL;
	if (!(mask & (1u << ADDR_X400_I)))
		in = NULL;
	if (g && g->ptr && (g->len < 2 || memchr(g->ptr, '.', g->len) ||
			    !addr__x400_ps_string(g->ptr, g->len)))
		return 0;
	if (in && in->ptr) {
		if (in->len == 0)
			return 0;
		for (i = 0; i < in->len; i++)
			if (!is_alpha(in->ptr[i]))
				return 0;
	}
	/* an "=" would make the local part read as std-or on the way back
	 * (spec-x400.md §5.2 step 4), so such names stay std-or
	 * (vector 23: G=a=b;S=x; <-> /G=a$=b/S=x/) */
	if (memchr(s->ptr, '=', s->len) ||
	    (g && g->ptr && memchr(g->ptr, '=', g->len)))
		return 0;
	/* the surname must not look like more initials on the way back */
	if ((s->len >= 1 && s->ptr[0] == '.') ||
	    (s->len >= 2 && s->ptr[1] == '.'))
		return 0;
	if ((g == NULL || g->ptr == NULL) && (in == NULL || in->ptr == NULL) &&
	    memchr(s->ptr, '.', s->len))
		return 0;
	if (g && g->ptr) {
		addr_buf_put(out, g->ptr, g->len);
		addr_buf_putc(out, '.');
	}
	for (i = 0; in && in->ptr && i < in->len; i++) {
		addr_buf_putc(out, in->ptr[i]);
		addr_buf_putc(out, '.');
	}
	addr_buf_put(out, s->ptr, s->len);
	return out->oom ? ADDR_ENOMEM : 1;
}
