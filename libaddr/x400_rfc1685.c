/*
 * x400_rfc1685.c - the RFC 1685 / F.401 Annex F labelled form
 *
 * EXPORTS
 *	addr__x400_parse_rfc1685()	"X.400: G=john; S=smith; C=aq" -> model
 *	addr__x400_format_rfc1685()	model -> "G=john; S=smith; ...; C=aq"
 *
 * spec-x400.md §3.2. One delimiter kind per address ("/" when the text
 * starts with "/", else ";"), a doubled delimiter is a literal one, and
 * in a "DDA:" label "==" is a literal "=". There is no backslash escape.
 * An ADMD that is absent or empty next to a C or P reads as a single
 * space, which is why the writer spells a blank ADMD "A= " explicitly.
 */
#include <string.h>
#include "x400_int.h"

/* Labels of Tables F.1 and F.3, plus the RFC 2156 keywords lenient mode
 * also takes. */
static const struct label {
	const char *name;
	int attr;
	int lenient_only;
} labels[] = {
	{ "G", ADDR_X400_G, 0 }, { "I", ADDR_X400_I, 0 },
	{ "S", ADDR_X400_S, 0 }, { "Q", ADDR_X400_Q, 0 },
	{ "CN", ADDR_X400_CN, 0 }, { "O", ADDR_X400_O, 0 },
	{ "OU1", ADDR_X400_OU1, 0 }, { "OU2", ADDR_X400_OU2, 0 },
	{ "OU3", ADDR_X400_OU3, 0 }, { "OU4", ADDR_X400_OU4, 0 },
	{ "P", ADDR_X400_P, 0 }, { "A", ADDR_X400_A, 0 },
	{ "C", ADDR_X400_C, 0 }, { "X.121", ADDR_X400_X121, 0 },
	{ "N-ID", ADDR_X400_NID, 0 }, { "T-ID", ADDR_X400_TID, 0 },
	{ "T-TY", ADDR_X400_TTY, 0 },
	{ "ADMD", ADDR_X400_A, 1 }, { "PRMD", ADDR_X400_P, 1 },
	{ "GQ", ADDR_X400_Q, 1 }, { "X121", ADDR_X400_X121, 1 },
	{ "UA-ID", ADDR_X400_NID, 1 },
};

/* Output order of §3.2 after the DDAs. */
static const int order[] = {
	ADDR_X400_X121, ADDR_X400_NID, ADDR_X400_TID, ADDR_X400_TTY,
	ADDR_X400_G, ADDR_X400_I, ADDR_X400_S, ADDR_X400_Q, ADDR_X400_CN,
	ADDR_X400_O, ADDR_X400_OU1, ADDR_X400_OU2, ADDR_X400_OU3,
	ADDR_X400_OU4, ADDR_X400_P, ADDR_X400_A, ADDR_X400_C,
};

/* lookup - attribute of a label; -1 unknown, -2 outside the model */
static int lookup(const char *k, size_t n, unsigned flags)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (addr__x400_ieq(k, n, labels[i].name) &&
		    (!labels[i].lenient_only || !(flags & ADDR_X400_STRICT)))
			return labels[i].attr;
	/* Table F.2 (physical delivery), ISDN and PSAP are real labels
	 * the model cannot hold */
	if ((n > 3 && addr__x400_ieq(k, 3, "PD-")) ||
	    addr__x400_ieq(k, n, "ISDN") || addr__x400_ieq(k, n, "PSAP"))
		return -2;
	return -1;
}

/* is_sp - the spaces skipped after a delimiter */
static int is_sp(char c)
{
	return c == ' ' || c == '\t';
}

/* read_dda_type - "DDA:" type up to its first single "=" */
static int read_dda_type(struct addr__x400_pstate *st, const char *in,
			 size_t len, size_t *ip, char delim,
			 struct addr_buf *t)
{
	size_t i = *ip;

	while (i < len) {
		char c = in[i];

		if (c == '=' || c == delim) {
			if (i + 1 < len && in[i + 1] == c) {
				addr_buf_putc(t, c);
				i += 2;
				continue;
			}
			if (c == delim)
				break;
			*ip = i + 1;
			return 0;
		}
		addr_buf_putc(t, c);
		i++;
	}
	return addr__error_set(st->err, ADDR_ESYNTAX, st->base + i,
			       "DDA label without '='");
}

/* addr__x400_parse_rfc1685 - read labelled pairs into st->x */
int addr__x400_parse_rfc1685(struct addr__x400_pstate *st, const char *in,
			     size_t len)
{
	struct addr_buf t, v;
	size_t i = 0, ks, npair = 0;
	char delim = ';';
	int attr = -1, r = 0, dda;

	if (len >= 6 && addr__x400_ieq(in, 6, "X.400:")) {
		i = 6;
		while (i < len && is_sp(in[i]))
			i++;
	}
	if (i < len && in[i] == '/') {
		delim = '/';
		i++;
	}
	addr_buf_init(&t);
	addr_buf_init(&v);
	while (i < len) {
		while (i < len && is_sp(in[i]))
			i++;
		if (i == len)
			break;
		ks = i;
		addr_buf_clear(&t);
		addr_buf_clear(&v);
		dda = len - i >= 4 && addr__x400_ieq(in + i, 4, "DDA:");
		if (dda) {
			i += 4;
			if ((r = read_dda_type(st, in, len, &i, delim, &t)) < 0)
				goto out;
		} else {
			while (i < len && in[i] != '=')
				i++;
			if (i == len) {
				r = addr__error_set(st->err, ADDR_ESYNTAX,
						    st->base + ks,
						    "label without '='");
				goto out;
			}
			attr = lookup(in + ks, i - ks, st->flags);
			if (attr == -2) {
				r = addr__error_set(st->err, ADDR_ENOTSUP,
						    st->base + ks,
						    "unsupported attribute");
				goto out;
			}
			if (attr < 0) {
				r = addr__error_set(st->err, ADDR_ESYNTAX,
						    st->base + ks,
						    "unknown label");
				goto out;
			}
			i++;
		}
		while (i < len) {
			if (in[i] == delim) {
				if (i + 1 < len && in[i + 1] == delim) {
					addr_buf_putc(&v, delim);
					i += 2;
					continue;
				}
				i++;
				break;
			}
			addr_buf_putc(&v, in[i]);
			i++;
		}
		if (t.oom || v.oom) {
			r = addr__error_set(st->err, ADDR_ENOMEM, st->base + ks,
					    "out of memory");
			goto out;
		}
		if (dda) {
			r = addr__x400_put_dda(st, t.ptr, t.size, v.ptr, v.size,
					       ks);
		} else if (attr == ADDR_X400_TTY &&
			   addr__x400_tty_name(v.ptr, v.size)) {
			const char *d = addr__x400_tty_name(v.ptr, v.size);

			r = addr__x400_put(st, attr, d, 1, ks);
		} else {
			r = addr__x400_put(st, attr, v.ptr, v.size, ks);
		}
		if (r < 0)
			goto out;
		npair++;
	}
	if (npair == 0) {
		r = addr__error_set(st->err, ADDR_ESYNTAX, st->base + i,
				    "no attribute");
		goto out;
	}
	/* F.4: a P or C without an ADMD, or with an empty one, means the
	 * blank ADMD */
	if ((st->x->attr[ADDR_X400_C].ptr || st->x->attr[ADDR_X400_P].ptr) &&
	    (st->x->attr[ADDR_X400_A].ptr == NULL ||
	     st->x->attr[ADDR_X400_A].len == 0)) {
		if (addr_x400_set(st->x, ADDR_X400_A, " ", 1) < 0)
			r = addr__error_set(st->err, ADDR_ENOMEM, st->base,
					    "out of memory");
	}
out:
	addr_buf_free(&t);
	addr_buf_free(&v);
	return r;
}

/* put_doubled - s with each character of dbl written twice */
static void put_doubled(struct addr_buf *out, const char *s, size_t n,
			const char *dbl)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '\0' && strchr(dbl, s[i]))
			addr_buf_putc(out, s[i]);
		addr_buf_putc(out, s[i]);
	}
}

/* addr__x400_format_rfc1685 - "; "-joined pairs in the §3.2 order */
int addr__x400_format_rfc1685(struct addr_buf *out, const struct addr_x400 *x,
			      struct addr_error *err)
{
	const struct addr_x400_value *tty = &x->attr[ADDR_X400_TTY];
	const char *sep = "";
	size_t i;

	for (i = 0; i < x->ndda; i++)
		if (x->dda[i].value.len > 0 && x->dda[i].value.ptr[0] == '=')
			return addr__error_set(err, ADDR_ESYNTAX, 0,
					       "DDA value starting with '='"
					       " cannot be written in the RFC"
					       " 1685 form");
	/* a name would come back as its number: refuse the silent change */
	if (tty->ptr && addr__x400_tty_name(tty->ptr, tty->len))
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "T-TY name cannot be written in the RFC"
				       " 1685 form");
	for (i = 0; i < x->ndda; i++) {
		addr_buf_puts(out, sep);
		addr_buf_puts(out, "DDA:");
		put_doubled(out, x->dda[i].type.ptr, x->dda[i].type.len, ";=");
		addr_buf_putc(out, '=');
		put_doubled(out, x->dda[i].value.ptr, x->dda[i].value.len, ";");
		sep = "; ";
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct addr_x400_value *v = &x->attr[order[i]];

		if (v->ptr == NULL)
			continue;
		addr_buf_puts(out, sep);
		addr_buf_puts(out, addr_x400_attr_name(order[i]));
		addr_buf_putc(out, '=');
		put_doubled(out, v->ptr, v->len, ";");
		sep = "; ";
	}
	return 0;
}
