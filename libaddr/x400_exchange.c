/*
 * x400_exchange.c - the Exchange "X400:" proxy form of an O/R address
 *
 * EXPORTS
 *	addr__x400_parse_exchange()	"c=US;a= ;p=X;" or "/c=US/a= /" -> model
 *	addr__x400_format_exchange()	model -> canonical "C=US;A= ;P=X;"
 *
 * spec-x400.md §3.1. The reader follows X400AddressParser: the delimiter
 * is "/" when the value starts with "/" (and is longer than one
 * character), else ";"; spaces and tabs are skipped before a key only;
 * "\" makes the next character literal and a doubled delimiter is one
 * literal delimiter. Bounds, repeated keys and the OU chain are the
 * model's rules (x400.c), applied by the caller. The writer emits the
 * canonical order Exchange stores, always ";"-delimited and terminated.
 */
#include <string.h>
#include "x400_int.h"

#define KEY_DDA (-2)

/* The canonical order of §3.1 (DDAs follow). */
static const int order[] = {
	ADDR_X400_C, ADDR_X400_A, ADDR_X400_P, ADDR_X400_O, ADDR_X400_S,
	ADDR_X400_G, ADDR_X400_I, ADDR_X400_Q, ADDR_X400_CN, ADDR_X400_OU1,
	ADDR_X400_OU2, ADDR_X400_OU3, ADDR_X400_OU4, ADDR_X400_X121,
	ADDR_X400_NID, ADDR_X400_TTY, ADDR_X400_TID,
};

/* lookup - ADDR_X400_* of an Exchange key, KEY_DDA, or -1 */
static int lookup(const char *k, size_t n)
{
	int i;

	if (addr__x400_ieq(k, n, "DDA"))
		return KEY_DDA;
	for (i = 0; i < ADDR_X400_NATTR; i++)
		if (addr__x400_ieq(k, n, addr_x400_attr_name(i)))
			return i;
	return -1;
}

/* addr__x400_parse_exchange - read components into st->x */
int addr__x400_parse_exchange(struct addr__x400_pstate *st, const char *in,
			      size_t len)
{
	struct addr_buf v;
	size_t i = 0, ks, ncomp = 0, eq;
	char delim = ';';
	int key, r = 0;

	if (len >= 2 && in[0] == '/') {
		delim = '/';
		i = 1;
	}
	addr_buf_init(&v);
	while (i < len) {
		while (i < len && (in[i] == ' ' || in[i] == '\t'))
			i++;
		if (i == len)
			break;
		ks = i;
		while (i < len && in[i] != '=' && in[i] != ':')
			i++;
		if (i == len) {
			r = addr__error_set(st->err, ADDR_ESYNTAX, st->base + ks,
					    "component without '='");
			goto out;
		}
		if ((key = lookup(in + ks, i - ks)) == -1) {
			r = addr__error_set(st->err, ADDR_ESYNTAX, st->base + ks,
					    i == ks ? "empty key" : "unknown key");
			goto out;
		}
		if ((key == KEY_DDA) != (in[i] == ':')) {
			r = addr__error_set(st->err, ADDR_ESYNTAX, st->base + i,
					    key == KEY_DDA ? "DDA needs ':'" :
					    "key needs '='");
			goto out;
		}
		i++;
		addr_buf_clear(&v);
		while (i < len) {
			char c = in[i];

			if (c == '\\') {
				/* a dangling final "\" is dropped */
				if (i + 1 < len)
					addr_buf_putc(&v, in[i + 1]);
				i += i + 1 < len ? 2 : 1;
				continue;
			}
			if (c == delim) {
				if (i + 1 < len && in[i + 1] == delim) {
					addr_buf_putc(&v, c);
					i += 2;
					continue;
				}
				i++;
				break;
			}
			addr_buf_putc(&v, c);
			i++;
		}
		if (v.oom) {
			r = addr__error_set(st->err, ADDR_ENOMEM, st->base + ks,
					    "out of memory");
			goto out;
		}
		if (key == KEY_DDA) {
			const char *e = memchr(v.ptr, '=', v.size);

			if (e == NULL) {
				r = addr__error_set(st->err, ADDR_ESYNTAX,
						    st->base + ks,
						    "DDA without '='");
				goto out;
			}
			eq = (size_t)(e - v.ptr);
			r = addr__x400_put_dda(st, v.ptr, eq, e + 1,
					       v.size - eq - 1, ks);
		} else {
			r = addr__x400_put(st, key, v.ptr, v.size, ks);
		}
		if (r < 0)
			goto out;
		ncomp++;
	}
	if (ncomp == 0)
		r = addr__error_set(st->err, ADDR_ESYNTAX, st->base,
				    "no component");
out:
	addr_buf_free(&v);
	return r;
}

/* put_escaped - a value with ";" and "\" prefixed by "\" */
static void put_escaped(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == ';' || s[i] == '\\')
			addr_buf_putc(out, '\\');
		addr_buf_putc(out, s[i]);
	}
}

/* addr__x400_format_exchange - the canonical stored form */
int addr__x400_format_exchange(struct addr_buf *out, const struct addr_x400 *x,
			       struct addr_error *err)
{
	size_t i;

	/* the reader splits a DDA at its first "=": a type holding one
	 * would come back different, so it is refused here */
	for (i = 0; i < x->ndda; i++)
		if (memchr(x->dda[i].type.ptr, '=', x->dda[i].type.len))
			return addr__error_set(err, ADDR_ESYNTAX, 0,
					       "DDA type with '=' cannot be"
					       " written in the Exchange form");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct addr_x400_value *v = &x->attr[order[i]];

		if (v->ptr == NULL)
			continue;
		addr_buf_puts(out, addr_x400_attr_name(order[i]));
		addr_buf_putc(out, '=');
		put_escaped(out, v->ptr, v->len);
		addr_buf_putc(out, ';');
	}
	for (i = 0; i < x->ndda; i++) {
		addr_buf_puts(out, "DDA:");
		put_escaped(out, x->dda[i].type.ptr, x->dda[i].type.len);
		addr_buf_putc(out, '=');
		put_escaped(out, x->dda[i].value.ptr, x->dda[i].value.len);
		addr_buf_putc(out, ';');
	}
	return 0;
}
