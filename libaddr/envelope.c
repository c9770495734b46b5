/*
 * envelope.c - RFC 5321 / 6531 paths: the arguments of MAIL and RCPT
 * (spec-address.md §1.2)
 *
 * EXPORTS (private, parse.h)
 *	addr__mb_route_add()
 *	addr__mb_env_dotatom()
 *	addr__mb_parse_envelope()
 */
#include <string.h>
#include "result.h"
#include "parse.h"

/* route_add - keep one source-route domain, copied into the arena, in
 * a list that grows by doubling (routes are rare and short) */
int addr__mb_route_add(struct parser *p, struct addr_str **v, size_t *n,
		     size_t *cap, size_t start, size_t len)
{
	char *val;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct addr_str *nv;
		if (ncap > ((size_t)-1) / sizeof(*nv))
			return -1;
		nv = addr__result_alloc(p->r, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = ncap;
	}
	val = addr__result_strdup(p->r, (const char *)p->s + start, len);
	if (val == NULL)
		return -1;
	(*v)[*n].ptr = val;
	(*v)[*n].len = len;
	(*n)++;
	return 0;
}

/* --------------------------------------------------------- envelope mode */

/* env_domain - Domain in an envelope path or route: dot-atom syntax;
 * stops at any octet that cannot continue it */
int addr__mb_env_dotatom(struct parser *p, size_t *last_dot, int allow_utf8)
{
	size_t start = p->i;
	int prev_dot = 1;
	int saved = p->utf8;

	p->utf8 = allow_utf8 && saved;
	while (!at_end(p)) {
		unsigned char c = p->s[p->i];
		if (c == '.') {
			if (prev_dot) {
				p->utf8 = saved;
				return addr__mb_emit(p, p->i == start ? ADDR_D_ERR_DOT_START
						: ADDR_D_ERR_CONSECUTIVEDOTS, p->i);
			}
			*last_dot = p->i;
			prev_dot = 1;
			p->i++;
		} else if (is_atom_start(p, c)) {
			if (addr__mb_atom(p, 0) < 0) {
				p->utf8 = saved;
				return -1;
			}
			prev_dot = 0;
		} else {
			break;
		}
	}
	p->utf8 = saved;
	if (p->i > start && prev_dot)
		return addr__mb_emit(p, ADDR_D_ERR_DOT_END, *last_dot);
	return 0;
}

static int env_qstring(struct parser *p)
{
	size_t open = p->i;

	p->i++;
	while (!at_end(p)) {
		unsigned char c = p->s[p->i];

		if (c == '"') {
			p->i++;
			return 0;
		}
		if (c == '\\') {
			if (p->i + 1 >= p->n)
				return addr__mb_emit(p, ADDR_D_ERR_BACKSLASHEND, p->i);
			c = p->s[p->i + 1];
			if (c < 32 || c > 126)
				return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_QPAIR, p->i + 1);
			p->i += 2;
		} else if (c == ' ' || addr__is(c, ADDR__C_QTEXT)) {
			p->i++;
		} else if (c >= 0x80 && p->utf8) {
			if (addr__mb_take_utf8(p, 1) < 0)
				return -1;
		} else {
			return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_QTEXT, p->i);
		}
	}
	return addr__mb_emit(p, ADDR_D_ERR_UNCLOSEDQUOTEDSTR, open);
}

static int ci_eq(const unsigned char *s, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c != (unsigned char)lit[i])
			return 0;
	}
	return 1;
}

int addr__mb_parse_envelope(struct parser *p)
{
	struct addr_mailbox *m;
	struct aspec a;
	size_t last_dot = 0, nroute = 0, rcap = 0;
	struct addr_str *route = NULL;

	memset(&a, 0, sizeof(a));
	if (p->n == 0 || p->s[0] != '<')
		return addr__mb_emit(p, ADDR_D_ERR_ANGLE, 0);
	p->i = 1;
	if (p->n >= 2 && p->s[1] == '>') {
		if (p->prod == ADDR_P_FORWARD_PATH)
			return addr__mb_emit(p, ADDR_D_ERR_NULLPATH, 0);
		if (p->n > 2)
			return addr__mb_emit(p, ADDR_D_ERR_TRAILING, 2);
		m = addr__result_new_addr(p->r);
		if (m == NULL)
			goto nomem;
		m->kind = ADDR_K_NULL;
		m->span_length = 2;
		m->local_part.ptr = m->domain.ptr = m->a_label.ptr =
			m->u_label.ptr = m->display_name.ptr = "";
		return 0;
	}
	if (p->prod == ADDR_P_FORWARD_PATH && p->n - 1 >= 11 &&
	    ci_eq(p->s + 1, "postmaster>", 11)) {
		if (p->n > 12)
			return addr__mb_emit(p, ADDR_D_ERR_TRAILING, 12);
		m = addr__result_new_addr(p->r);
		if (m == NULL)
			goto nomem;
		m->kind = ADDR_K_POSTMASTER;
		m->span_length = p->n;
		m->local_part.ptr = addr__result_strdup(p->r, (const char *)p->s + 1, 10);
		if (m->local_part.ptr == NULL)
			goto nomem;
		m->local_part.len = 10;
		m->domain.ptr = m->a_label.ptr = m->u_label.ptr =
			m->display_name.ptr = "";
		return 0;
	}
	/* A-d-l: accepted, reported, returned, ignored (RFC 5321 §4.1.2) */
	if (p->n > 1 && p->s[1] == '@') {
		if (addr__mb_emit(p, ADDR_D_DEPREC_ROUTE, 1) < 0)
			return -1;
		for (;;) {
			size_t ds;
			if (at_end(p) || p->s[p->i] != '@')
				return addr__mb_emit(p, at_end(p) ? ADDR_D_ERR_ANGLE
					    : ADDR_D_ERR_EXPECTING_ATEXT,
					    at_end(p) ? 0 : p->i);
			p->i++;
			ds = p->i;
			if (addr__mb_env_dotatom(p, &last_dot, 0) < 0)
				return -1;
			if (p->i == ds)
				return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, p->i);
			if (addr__mb_route_add(p, &route, &nroute, &rcap, ds, p->i - ds) < 0)
				goto nomem;
			if (at_end(p))
				return addr__mb_emit(p, ADDR_D_ERR_ANGLE, 0);
			if (p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->s[p->i] == ':') {
				p->i++;
				break;
			}
			return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
		}
	}

	/* Local-part = Dot-string / Quoted-string */
	p->ctl_seen = 0;
	p->saw8 = 0;
	a.lp_start = p->i;
	if (!at_end(p) && p->s[p->i] == '"') {
		size_t open = p->i;
		if (env_qstring(p) < 0)
			return -1;
		if (addr__mb_emit(p, ADDR_D_RFC5321_QUOTEDSTRING, open) < 0)
			return -1;
		if (!at_end(p) && p->s[p->i] != '@' && p->s[p->i] != '>')
			return addr__mb_emit(p, is_atom_start(p, p->s[p->i])
				    ? ADDR_D_ERR_ATEXT_AFTER_QS
				    : ADDR_D_ERR_EXPECTING_ATEXT, p->i);
	} else {
		a.lp_simple = 1;
		if (!at_end(p) && p->s[p->i] == '@')
			return addr__mb_emit(p, ADDR_D_ERR_NOLOCALPART, p->i);
		if (addr__mb_env_dotatom(p, &last_dot, 1) < 0)
			return -1;
	}
	a.lp_end = p->i;
	a.lp8 = p->saw8;
	if (at_end(p))
		return addr__mb_emit(p, ADDR_D_ERR_ANGLE, 0);
	if (p->s[p->i] == '>')
		return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, p->i);
	if (p->s[p->i] != '@')
		return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
	p->i++;

	/* Domain / address-literal */
	a.dom_start = p->i;
	a.dom_simple = 1;
	if (!at_end(p) && p->s[p->i] == '[') {
		size_t open = p->i;
		a.literal = 1;
		p->i++;
		for (;;) {
			unsigned char c;
			if (at_end(p))
				return addr__mb_emit(p, ADDR_D_ERR_UNCLOSEDDOMLIT, open);
			c = p->s[p->i];
			if (c == ']')
				break;
			if (c < 33 || c > 126 || c == '[' || c == '\\')
				return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_DTEXT, p->i);
			p->i++;
		}
		p->i++;
	} else {
		if (addr__mb_env_dotatom(p, &last_dot, 1) < 0)
			return -1;
	}
	a.dom_end = p->i;
	if (at_end(p))
		return addr__mb_emit(p, ADDR_D_ERR_ANGLE, 0);
	if (p->s[p->i] != '>') {
		if (a.literal && is_atom_start(p, p->s[p->i]))
			return addr__mb_emit(p, ADDR_D_ERR_ATEXT_AFTER_DOMLIT, p->i);
		return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
	}
	if (a.dom_start == a.dom_end)
		return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, p->i);
	if (p->i + 1 < p->n)
		return addr__mb_emit(p, ADDR_D_ERR_TRAILING, p->i + 1);

	m = addr__result_new_addr(p->r);
	if (m == NULL)
		goto nomem;
	m->kind = ADDR_K_MAILBOX;
	m->span_length = p->n;
	m->display_name.ptr = "";
	m->route = route;
	m->nroute = nroute;
	return addr__mb_finish_spec(p, &a, m, 1, p->n);
nomem:
	p->nomem = p->stop = 1;
	return -1;
}
