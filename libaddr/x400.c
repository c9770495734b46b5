/*
 * x400.c - the X.400 O/R address model and the rules all forms share
 *
 * EXPORTS
 *	addr_x400_init(), addr_x400_free()	empty / release a model
 *	addr_x400_set(), addr_x400_add_dda()	fill one attribute / a DDA
 *	addr_x400_copy(), addr_x400_equal()	deep copy / octet equality
 *	addr_x400_attr_name()			Exchange key of an attribute
 *	addr_x400_check()			bounds and character sets
 *	addr_x400_is_valid()			"valid X.400 address" (§1.1)
 *	addr_x400_parse()			any form -> model
 *	addr_x400_format()			model -> one form
 *	addr__x400_put(), addr__x400_put_dda(), addr__x400_finish()
 *						parse rules for the readers
 *	addr__x400_ieq(), addr__x400_ieqn(), addr__x400_is_ps(), ...
 *						character helpers of x400_int.h
 *
 * spec-x400.md §1.1 is the contract: one model for the Exchange, RFC 1685
 * and std-or forms; the same bounds in both modes; lenient mode keeps
 * Exchange's quirks (last repeated key wins, an OU gap drops the later
 * OUs, no character-set check) while strict mode refuses them. Lengths
 * count characters, not octets, as Exchange (which counts UTF-16 units)
 * does for the values it accepts; values must be well-formed UTF-8.
 */
#include <string.h>
#include "x400_int.h"

/* Character sets a strict value must keep to. */
enum { CS_PS, CS_NUM, CS_TTY };

static const struct attrinfo {
	const char *key;	/* Exchange / RFC 1685 key */
	size_t max;		/* characters */
	int cs;
} attrs[ADDR_X400_NATTR] = {
	[ADDR_X400_C] = { "C", 3, CS_PS },
	[ADDR_X400_A] = { "A", 16, CS_PS },
	[ADDR_X400_P] = { "P", 16, CS_PS },
	[ADDR_X400_O] = { "O", 64, CS_PS },
	[ADDR_X400_OU1] = { "OU1", 32, CS_PS },
	[ADDR_X400_OU2] = { "OU2", 32, CS_PS },
	[ADDR_X400_OU3] = { "OU3", 32, CS_PS },
	[ADDR_X400_OU4] = { "OU4", 32, CS_PS },
	[ADDR_X400_S] = { "S", 40, CS_PS },
	[ADDR_X400_G] = { "G", 16, CS_PS },
	[ADDR_X400_I] = { "I", 5, CS_PS },
	[ADDR_X400_Q] = { "Q", 3, CS_PS },
	[ADDR_X400_CN] = { "CN", 64, CS_PS },
	[ADDR_X400_X121] = { "X.121", 15, CS_NUM },
	[ADDR_X400_NID] = { "N-ID", 32, CS_NUM },
	[ADDR_X400_TID] = { "T-ID", 24, CS_PS },
	[ADDR_X400_TTY] = { "T-TY", 3, CS_TTY },
};

#define DDA_TYPE_MAX 8
#define DDA_VALUE_MAX 128

/* addr__x400_ieq - ASCII case-insensitive comparison with a C string */
int addr__x400_ieq(const char *s, size_t n, const char *z)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)z[i];

		if (b == '\0')
			return 0;
		if (a >= 'a' && a <= 'z')
			a = (unsigned char)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (unsigned char)(b - 'a' + 'A');
		if (a != b)
			return 0;
	}
	return z[n] == '\0';
}

/* addr__x400_ieqn - ASCII case-insensitive comparison of two spans */
int addr__x400_ieqn(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'a' && x <= 'z')
			x = (unsigned char)(x - 'a' + 'A');
		if (y >= 'a' && y <= 'z')
			y = (unsigned char)(y - 'a' + 'A');
		if (x != y)
			return 0;
	}
	return 1;
}

/* addr__x400_is_ps - the 74 characters of PrintableString (§2) */
int addr__x400_is_ps(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr(" '()+,-./:=?", c) != NULL;
}

/* addr__x400_ps_string - whole string in PrintableString */
int addr__x400_ps_string(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!addr__x400_is_ps((unsigned char)s[i]))
			return 0;
	return 1;
}

/* addr__x400_tty_name - F.401 terminal type names (§1.1) */
const char *addr__x400_tty_name(const char *s, size_t n)
{
	static const char *const names[][2] = {
		{ "tlx", "3" }, { "ttx", "4" }, { "g3fax", "5" },
		{ "g4fax", "6" }, { "ia5", "7" }, { "vtx", "8" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (addr__x400_ieq(s, n, names[i][0]))
			return names[i][1];
	return NULL;
}

/* addr__x400_nchars - characters, counting lead octets only */
size_t addr__x400_nchars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* all_in - every octet of s[0..n) is in set (a C string) */
static int all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return 1;
}

/* check_value - bounds of §1.1 and, when strict, the character set */
static int check_value(int attr, const char *v, size_t n, unsigned flags,
		       struct addr_error *err, size_t off)
{
	const struct attrinfo *ai = &attrs[attr];
	size_t nc;

	if (addr_utf8_check(v, n) != n)
		return addr__error_set(err, ADDR_ESYNTAX, off,
				       "%s: malformed UTF-8", ai->key);
	nc = addr__x400_nchars(v, n);
	if (nc > ai->max)
		return addr__error_set(err, ADDR_ETOOLONG, off,
				       "%s: %zu characters, at most %zu",
				       ai->key, nc, ai->max);
	/* Exchange takes any 1..3 characters; libaddr keeps to the
	 * ISO 3166 alpha-2 and X.121 DCC shapes in both modes */
	if (attr == ADDR_X400_C && n > 0 &&
	    !(n == 2 && all_in(v, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "abcdefghijklmnopqrstuvwxyz")) &&
	    !(n == 3 && all_in(v, n, "0123456789")))
		return addr__error_set(err, ADDR_ESYNTAX, off,
				       "C: not 2 letters or 3 digits");
	if (!(flags & ADDR_X400_STRICT))
		return 0;
	switch (ai->cs) {
	case CS_PS:
		if (!addr__x400_ps_string(v, n))
			return addr__error_set(err, ADDR_ESYNTAX, off,
					       "%s: not PrintableString", ai->key);
		break;
	case CS_NUM:
		if (!all_in(v, n, "0123456789 "))
			return addr__error_set(err, ADDR_ESYNTAX, off,
					       "%s: not NumericString", ai->key);
		break;
	default:
		if (n == 0 || !all_in(v, n, "0123456789"))
			return addr__error_set(err, ADDR_ESYNTAX, off,
					       "T-TY: not 1..3 digits");
		break;
	}
	return 0;
}

/* check_dda - DDA bounds: type 1..8, value <= 128, strict: PS */
static int check_dda(const char *t, size_t tn, const char *v, size_t vn,
		     unsigned flags, struct addr_error *err, size_t off)
{
	size_t nc;

	if (tn == 0)
		return addr__error_set(err, ADDR_ESYNTAX, off,
				       "DDA: empty type");
	if (addr_utf8_check(t, tn) != tn || addr_utf8_check(v, vn) != vn)
		return addr__error_set(err, ADDR_ESYNTAX, off,
				       "DDA: malformed UTF-8");
	if ((nc = addr__x400_nchars(t, tn)) > DDA_TYPE_MAX)
		return addr__error_set(err, ADDR_ETOOLONG, off,
				       "DDA type: %zu characters, at most %d",
				       nc, DDA_TYPE_MAX);
	if ((nc = addr__x400_nchars(v, vn)) > DDA_VALUE_MAX)
		return addr__error_set(err, ADDR_ETOOLONG, off,
				       "DDA value: %zu characters, at most %d",
				       nc, DDA_VALUE_MAX);
	if ((flags & ADDR_X400_STRICT) &&
	    (!addr__x400_ps_string(t, tn) || !addr__x400_ps_string(v, vn)))
		return addr__error_set(err, ADDR_ESYNTAX, off,
				       "DDA: not PrintableString");
	return 0;
}

/* dup - NUL-terminated copy of s[0..n); NULL on overflow or no memory */
static char *dup(const char *s, size_t n)
{
	size_t sz;
	char *p;

	if (addr__size_add(&sz, n, 1) < 0 || (p = addr__malloc(sz)) == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* setval - replace one value by a copy (v NULL: absent) */
static int setval(struct addr_x400_value *dst, const char *v, size_t n)
{
	char *p = NULL;

	if (v != NULL && (p = dup(v, n)) == NULL)
		return ADDR_ENOMEM;
	addr__free(dst->ptr);
	dst->ptr = p;
	dst->len = v != NULL ? n : 0;
	return 0;
}

/* addr_x400_init - the empty address */
void addr_x400_init(struct addr_x400 *x)
{
	memset(x, 0, sizeof(*x));
}

/* addr_x400_free - release every string; x is empty afterwards */
void addr_x400_free(struct addr_x400 *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < ADDR_X400_NATTR; i++)
		addr__free(x->attr[i].ptr);
	for (i = 0; i < ADDR_X400_MAXDDA; i++) {
		addr__free(x->dda[i].type.ptr);
		addr__free(x->dda[i].value.ptr);
	}
	addr_x400_init(x);
}

/* addr_x400_set - one attribute, copied */
int addr_x400_set(struct addr_x400 *x, int attr, const char *v, size_t len)
{
	if (attr < 0 || attr >= ADDR_X400_NATTR)
		return ADDR_EINVAL;
	return setval(&x->attr[attr], v, len);
}

/* addr_x400_add_dda - one more DDA at the end of the SEQUENCE */
int addr_x400_add_dda(struct addr_x400 *x, const char *type, size_t tlen,
		      const char *value, size_t vlen)
{
	struct addr_x400_dda *d;

	if (x->ndda >= ADDR_X400_MAXDDA)
		return ADDR_ETOOLONG;
	if (type == NULL || value == NULL)
		return ADDR_EINVAL;
	d = &x->dda[x->ndda];
	if (setval(&d->type, type, tlen) < 0)
		return ADDR_ENOMEM;
	if (setval(&d->value, value, vlen) < 0) {
		setval(&d->type, NULL, 0);
		return ADDR_ENOMEM;
	}
	x->ndda++;
	return 0;
}

/* addr_x400_copy - deep copy */
int addr_x400_copy(struct addr_x400 *dst, const struct addr_x400 *src)
{
	struct addr_x400 tmp;
	size_t i;

	addr_x400_init(&tmp);
	for (i = 0; i < ADDR_X400_NATTR; i++)
		if (setval(&tmp.attr[i], src->attr[i].ptr, src->attr[i].len) < 0)
			goto nomem;
	for (i = 0; i < src->ndda && i < ADDR_X400_MAXDDA; i++)
		if (addr_x400_add_dda(&tmp, src->dda[i].type.ptr,
				      src->dda[i].type.len, src->dda[i].value.ptr,
				      src->dda[i].value.len) < 0)
			goto nomem;
	addr_x400_free(dst);
	*dst = tmp;
	return 0;
nomem:
	addr_x400_free(&tmp);
	addr_x400_free(dst);
	return ADDR_ENOMEM;
}

/* veq - two values equal (absent only equals absent) */
static int veq(const struct addr_x400_value *a, const struct addr_x400_value *b)
{
	if ((a->ptr == NULL) != (b->ptr == NULL))
		return 0;
	return a->ptr == NULL ||
	       (a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0);
}

/* addr_x400_equal - octet equality of two models */
int addr_x400_equal(const struct addr_x400 *a, const struct addr_x400 *b)
{
	size_t i;

	if (a->ndda != b->ndda)
		return 0;
	for (i = 0; i < ADDR_X400_NATTR; i++)
		if (!veq(&a->attr[i], &b->attr[i]))
			return 0;
	for (i = 0; i < a->ndda && i < ADDR_X400_MAXDDA; i++)
		if (!veq(&a->dda[i].type, &b->dda[i].type) ||
		    !veq(&a->dda[i].value, &b->dda[i].value))
			return 0;
	return 1;
}

/* addr_x400_attr_name - the Exchange key of an attribute */
const char *addr_x400_attr_name(int attr)
{
	if (attr < 0 || attr >= ADDR_X400_NATTR)
		return NULL;
	return attrs[attr].key;
}

/* ou_gap - index of the first OU that follows an absent or empty OU,
 * or -1 (§1.1: OUn needs OU1..OUn-1 present and non-empty) */
static int ou_gap(const struct addr_x400 *x)
{
	int i;

	for (i = ADDR_X400_OU1 + 1; i <= ADDR_X400_OU4; i++) {
		const struct addr_x400_value *prev = &x->attr[i - 1];

		if ((prev->ptr == NULL || prev->len == 0) && x->attr[i].ptr)
			return i;
	}
	return -1;
}

/* addr_x400_check - bounds, OU chain and (strict) character sets */
int addr_x400_check(const struct addr_x400 *x, unsigned flags,
		    struct addr_error *err)
{
	size_t i;
	int r, gap;

	for (i = 0; i < ADDR_X400_NATTR; i++) {
		const struct addr_x400_value *v = &x->attr[i];

		if (v->ptr && (r = check_value((int)i, v->ptr, v->len, flags,
					       err, 0)) < 0)
			return r;
	}
	if (x->ndda > ADDR_X400_MAXDDA)
		return addr__error_set(err, ADDR_ETOOLONG, 0,
				       "more than %d DDAs", ADDR_X400_MAXDDA);
	for (i = 0; i < x->ndda; i++) {
		const struct addr_x400_dda *d = &x->dda[i];

		if (d->type.ptr == NULL || d->value.ptr == NULL)
			return addr__error_set(err, ADDR_EINVAL, 0,
					       "DDA %zu: absent type or value",
					       i + 1);
		if ((r = check_dda(d->type.ptr, d->type.len, d->value.ptr,
				   d->value.len, flags, err, 0)) < 0)
			return r;
	}
	if ((gap = ou_gap(x)) >= 0)
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "%s without all earlier OUs non-empty",
				       attrs[gap].key);
	return 0;
}

/* present - the attribute has a value (possibly empty) */
static int present(const struct addr_x400 *x, int attr)
{
	return x->attr[attr].ptr != NULL;
}

/* addr_x400_is_valid - the validity the mappings require (§1.1) */
int addr_x400_is_valid(const struct addr_x400 *x)
{
	if (addr_x400_check(x, 0, NULL) < 0)
		return 0;
	if (!present(x, ADDR_X400_C) || x->attr[ADDR_X400_C].len == 0 ||
	    !present(x, ADDR_X400_A))
		return 0;
	if ((present(x, ADDR_X400_G) || present(x, ADDR_X400_I) ||
	     present(x, ADDR_X400_Q)) && !present(x, ADDR_X400_S))
		return 0;
	return present(x, ADDR_X400_P) || present(x, ADDR_X400_O) ||
	       present(x, ADDR_X400_OU1) || present(x, ADDR_X400_S) ||
	       present(x, ADDR_X400_CN) || present(x, ADDR_X400_NID) ||
	       present(x, ADDR_X400_X121);
}

/* any_attr - some attribute is present */
static int any_attr(const struct addr_x400 *x)
{
	int i;

	for (i = 0; i < ADDR_X400_NATTR; i++)
		if (present(x, i))
			return 1;
	return 0;
}

/* addr__x400_put - one parsed value: bounds, then the repeat rule */
int addr__x400_put(struct addr__x400_pstate *st, int attr, const char *v,
		   size_t n, size_t off)
{
	uint32_t bit = (uint32_t)1 << attr;
	int r;

	/* bounds per occurrence, as Exchange checks each component
	 * before a later repetition replaces it */
	if ((r = check_value(attr, v, n, st->flags, st->err,
			     st->base + off)) < 0)
		return r;
	if ((st->seen & bit) && (st->flags & ADDR_X400_STRICT))
		return addr__error_set(st->err, ADDR_ESYNTAX, st->base + off,
				       "%s given twice", attrs[attr].key);
	st->seen |= bit;
	if (setval(&st->x->attr[attr], v, n) < 0)
		return addr__error_set(st->err, ADDR_ENOMEM, st->base + off,
				       "out of memory");
	return 0;
}

/* addr__x400_put_dda - one parsed DDA, appended */
int addr__x400_put_dda(struct addr__x400_pstate *st, const char *type,
		       size_t tn, const char *v, size_t vn, size_t off)
{
	int r;

	if ((r = check_dda(type, tn, v, vn, st->flags, st->err,
			   st->base + off)) < 0)
		return r;
	r = addr_x400_add_dda(st->x, type, tn, v, vn);
	if (r == ADDR_ETOOLONG)
		return addr__error_set(st->err, r, st->base + off,
				       "more than %d DDAs", ADDR_X400_MAXDDA);
	if (r < 0)
		return addr__error_set(st->err, r, st->base + off,
				       "out of memory");
	return 0;
}

/* addr__x400_finish - OU chain per mode, then the final check */
int addr__x400_finish(struct addr__x400_pstate *st)
{
	int gap = ou_gap(st->x);

	if (gap >= 0) {
		if (st->flags & ADDR_X400_STRICT)
			return addr__error_set(st->err, ADDR_ESYNTAX, st->base,
					       "%s without all earlier OUs"
					       " non-empty", attrs[gap].key);
		/* Exchange drops the first OU after a gap and all later */
		for (; gap <= ADDR_X400_OU4; gap++)
			setval(&st->x->attr[gap], NULL, 0);
		/* "ou2=x;" alone leaves nothing, which no form can write */
		if (st->x->ndda == 0 && !any_attr(st->x))
			return addr__error_set(st->err, ADDR_ESYNTAX, st->base,
					       "no component left after the"
					       " OU rule");
	}
	return addr_x400_check(st->x, st->flags, st->err);
}

/* prefix - in starts with z (any case) */
static int prefix(const char *in, size_t len, const char *z)
{
	size_t n = strlen(z);

	return len >= n && addr__x400_ieq(in, n, z);
}

/* addr_x400_parse - pick the form, run its reader, apply the rules */
int addr_x400_parse(struct addr_x400 *out, const char *in, size_t len,
		    int form, unsigned flags, struct addr_error *err)
{
	struct addr__x400_pstate st;
	int r;

	addr_x400_free(out);
	if (in == NULL)
		return addr__error_set(err, ADDR_EINVAL, 0, "no input");
	if (form == ADDR_X400_AUTO) {
		if (prefix(in, len, "X400:"))
			form = ADDR_X400_EXCHANGE;
		else if (prefix(in, len, "X.400:"))
			form = ADDR_X400_RFC1685;
		else if (addr__x400_stdor_detect(in, len))
			form = ADDR_X400_STDOR;
		else
			form = ADDR_X400_EXCHANGE;
	}
	st.x = out;
	st.flags = flags;
	st.seen = 0;
	st.base = 0;
	st.err = err;
	switch (form) {
	case ADDR_X400_EXCHANGE:
		/* the proxy prefix is optional here: "X400" is no key, so
		 * removing it cannot change a value that would parse */
		if (prefix(in, len, "X400:"))
			st.base = 5;
		r = addr__x400_parse_exchange(&st, in + st.base, len - st.base);
		break;
	case ADDR_X400_RFC1685:
		r = addr__x400_parse_rfc1685(&st, in, len);
		break;
	case ADDR_X400_STDOR:
		r = addr__x400_parse_stdor(&st, in, len);
		break;
	default:
		return addr__error_set(err, ADDR_EINVAL, 0, "unknown form %d",
				       form);
	}
	if (r == 0)
		r = addr__x400_finish(&st);
	if (r < 0) {
		addr_x400_free(out);
		return r;
	}
	return form;
}

/* addr_x400_format - check, then write one form */
int addr_x400_format(struct addr_buf *out, const struct addr_x400 *x,
		     int form, unsigned flags, struct addr_error *err)
{
	int r;

	if ((r = addr_x400_check(x, flags, err)) < 0)
		return r;
	/* no form reads back an address without any component */
	if (x->ndda == 0 && !any_attr(x))
		return addr__error_set(err, ADDR_ESYNTAX, 0, "empty address");
	switch (form) {
	case ADDR_X400_EXCHANGE:
		r = addr__x400_format_exchange(out, x, err);
		break;
	case ADDR_X400_RFC1685:
		r = addr__x400_format_rfc1685(out, x, err);
		break;
	case ADDR_X400_STDOR:
		r = addr__x400_format_stdor(out, x, err);
		break;
	default:
		return addr__error_set(err, ADDR_EINVAL, 0, "unknown form %d",
				       form);
	}
	if (r == 0 && out->oom)
		r = addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return r;
}
