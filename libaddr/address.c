/*
 * address.c - header mode, address level: display names, angle-addrs with
 * obs-routes, groups, lists and the productions that use them (spec-
 * address.md §1.3.3-1.3.5)
 *
 * EXPORTS (private, parse.h)
 *	addr__mb_init_mailbox()
 *	addr__mb_addr_spec_only()
 *	addr__mb_header()
 */
#include <string.h>
#include "result.h"
#include "parse.h"

/* --------------------------------------------- display names and groups */

/* spec_rest - p->i is at the "@" after a local part read with v: close
 * the local part, note its span in a, read the domain */
static int spec_rest(struct parser *p, struct views *v, struct aspec *a,
		     const struct actx *cx, int in_angle, size_t lt, int spacing)
{
	if (addr__mb_local_done(p, v, p->i, spacing) < 0)
		return -1;
	a->lp_start = v->lp_start;
	a->lp_end = v->lp_end;
	a->lp_simple = !v->seen_qs && !v->lp_complex;
	a->lp8 = p->saw8;
	p->i++;
	return addr__mb_domain(p, a, cx, in_angle, lt);
}

/* display_name - decode a valid phrase span into the mailbox (spec
 * §1.3.3): words joined by one SP where CFWS separated them, RFC 2047
 * words decoded with the flag, the result NFC */
static int display_name(struct parser *p, struct addr_mailbox *m,
			size_t start, size_t end)
{
	struct addr_buf *raw = &p->r->scratch_[0], *nfc = &p->r->scratch_[1];
	const unsigned char *s = p->s;
	size_t i = start, olen, ws;
	int sep = 0, sep_comment = 0, prev = 0, prev_enc = 0, rc;

	addr_buf_clear(raw);
	while (i < end) {
		unsigned char c = s[i];

		if (c == '(' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (c == '(') {
				i = addr__mb_skip_comment(s, i, end);
				sep_comment = 1;
			} else {
				i++;
			}
			sep = 1;
			continue;
		}
		if (c == '"') {
			if (prev && sep)
				addr_buf_putc(raw, ' ');
			if (addr_buf_grow(raw, raw->size + (end - i)) < 0)
				goto nomem;
			olen = raw->size;
			i = addr__mb_qs_value(s, i, end, raw->ptr, &olen);
			raw->size = olen;
			raw->ptr[olen] = '\0';
			prev = 1;
			prev_enc = 0;
		} else if (c == '.') {
			if (prev && sep)
				addr_buf_putc(raw, ' ');
			addr_buf_putc(raw, '.');
			i++;
			prev = 1;
			prev_enc = 0;
		} else {
			size_t before;
			ws = i;
			while (i < end && (addr__is(s[i], ADDR__C_ATEXT) || s[i] >= 0x80))
				i++;
			before = raw->size;
			if (prev && sep && !(prev_enc && !sep_comment &&
					     (p->flags & ADDR_F_DECODE_2047) &&
					     i - ws > 2 && s[ws] == '=' && s[ws + 1] == '?'))
				addr_buf_putc(raw, ' ');
			rc = 0;
			if ((p->flags & ADDR_F_DECODE_2047) && i - ws > 8 &&
			    s[ws] == '=' && s[ws + 1] == '?') {
				size_t mark = raw->size;
				rc = addr__rfc2047_decode(raw, (const char *)s + ws, i - ws);
				if (rc == ADDR_ENOMEM)
					goto nomem;
				if (rc == 1 && prev_enc && !sep_comment) {
					/* adjacent encoded-words: FWS dropped */
				}
				if (rc < 0) {
					addr_buf_truncate(raw, mark);
					if (addr__mb_emit(p, ADDR_D_ENCWORD_UNDECODABLE, ws) < 0)
						return -1;
				}
			}
			if (rc != 1)
				addr_buf_put(raw, (const char *)s + ws, i - ws);
			(void)before;
			prev = 1;
			prev_enc = (rc == 1);
		}
		sep = 0;
		sep_comment = 0;
	}
	if (raw->oom)
		goto nomem;
	m->has_display_name = 1;
	if (addr__mb_has_nonascii(raw->ptr, raw->size)) {
		addr_buf_clear(nfc);
		rc = addr__text_nfc(nfc, raw->ptr, raw->size);
		if (rc == ADDR_ENOMEM)
			goto nomem;
		if (rc == 0 && (nfc->size != raw->size ||
				memcmp(nfc->ptr, raw->ptr, raw->size))) {
			if (addr__mb_emit(p, ADDR_D_UTF8_NOT_NFC, start) < 0)
				return -1;
			raw = nfc;
		}
	}
	m->display_name.ptr = addr__result_strdup(p->r, raw->ptr, raw->size);
	if (m->display_name.ptr == NULL)
		goto nomem;
	m->display_name.len = raw->size;
	return 0;
nomem:
	p->nomem = p->stop = 1;
	return -1;
}

/* mbvec - a growing array of mailboxes in the arena */
struct mbvec {
	struct addr_mailbox *v;
	size_t n, cap;
};

static struct addr_mailbox *mbvec_add(struct parser *p, struct mbvec *mv)
{
	if (mv->n == mv->cap) {
		size_t ncap = mv->cap ? mv->cap * 2 : 4;
		struct addr_mailbox *nv;
		if (ncap > ((size_t)-1) / sizeof(*nv))
			return NULL;
		nv = addr__result_alloc(p->r, ncap * sizeof(*nv));
		if (nv == NULL)
			return NULL;
		if (mv->n)
			memcpy(nv, mv->v, mv->n * sizeof(*nv));
		mv->v = nv;
		mv->cap = ncap;
	}
	addr__mailbox_clear(&mv->v[mv->n]);
	return &mv->v[mv->n++];
}

void addr__mb_init_mailbox(struct addr_mailbox *m)
{
	static const char empty[1];

	m->kind = ADDR_K_MAILBOX;
	m->display_name.ptr = empty;
	m->local_part.ptr = empty;
	m->domain.ptr = empty;
	m->a_label.ptr = empty;
	m->u_label.ptr = empty;
}

/* trim_span - the span of an address without surrounding FWS */
static void set_span(const struct parser *p, struct addr_mailbox *m,
		     size_t start, size_t end)
{
	while (start < end && (p->s[start] == ' ' || p->s[start] == '\t' ||
			       p->s[start] == '\r' || p->s[start] == '\n'))
		start++;
	while (end > start && (p->s[end - 1] == ' ' || p->s[end - 1] == '\t' ||
			       p->s[end - 1] == '\r' || p->s[end - 1] == '\n'))
		end--;
	m->span_offset = start;
	m->span_length = end - start;
}

/* after_close - after ">" or a group's ";": CFWS, then what the context
 * allows, else ERR_TRAILING */
static int after_close(struct parser *p, const struct actx *cx)
{
	struct run run;

	if (!at_end(p) && is_cfws_start(p->s[p->i]) && addr__mb_cfws(p, &run) < 0)
		return -1;
	if (at_end(p))
		return 0;
	if ((cx->list && p->s[p->i] == ',') || (cx->in_group && p->s[p->i] == ';'))
		return 0;
	return addr__mb_emit(p, ADDR_D_ERR_TRAILING, p->i);
}

/* route_complete - does an obs-route ("@a,@b:") start at i? A route
 * that never reaches its ":" is no route (spec §1.4 then reports the
 * empty local part), so look before reporting one. Comments and
 * quoted-strings are skipped as opaque; the real pass checks them. */
static int route_complete(const struct parser *p, size_t i)
{
	int seen_at = 0, in_domain = 0;

	while (i < p->n) {
		unsigned char c = p->s[i];
		if (c == ':')
			return seen_at;
		if (c == '@') {
			if (in_domain)
				return 0;	/* "@a@b": not an obs-domain-list */
			seen_at = in_domain = 1;
		} else if (c == ',') {
			in_domain = 0;
		}
		else if (c == '(')
			i = addr__mb_skip_comment(p->s, i, p->n) - 1;
		else if (!(c == ',' || c == '.' || c == ' ' || c == '\t' ||
			   c == '\r' || c == '\n' || addr__is(c, ADDR__C_ATEXT) ||
			   (c >= 0x80 && p->utf8)))
			return 0;
		i++;
	}
	return 0;
}

/* angle_addr - p->i is at "<" */
static int angle_addr(struct parser *p, struct addr_mailbox *m,
		      const struct actx *cx)
{
	struct views v;
	struct aspec a;
	struct actx inner = *cx;
	size_t lt = p->i, last_dot = 0;
	struct run run;
	size_t route_first = 0, nroute = 0, rcap = 0, ds;
	struct addr_str *route = NULL;
	int t, after_domain = 0;

	memset(&a, 0, sizeof(a));
	addr__mb_views_init(&v, 0, 0);
	inner.spacing = 0;
	p->i++;
	/* obs-route: "<@a,@b:" (RFC 5322 §4.4) */
	{
		size_t save = p->i;
		if (!at_end(p) && is_cfws_start(p->s[p->i]) && addr__mb_cfws(p, &run) < 0)
			return -1;
		if (!at_end(p) && (p->s[p->i] == '@' || p->s[p->i] == ',') &&
		    route_complete(p, p->i)) {
			route_first = p->i;
			while (p->i < p->n && p->s[p->i] != '@')
				p->i++;
			if (addr__mb_emit(p, ADDR_D_DEPREC_ROUTE, at_end(p) ? route_first : p->i) < 0 ||
			    (!p->lenient && addr__mb_emit(p, ADDR_D_ERR_OBSOLETE, p->i) < 0))
				return -1;
			p->i = route_first;
			for (;;) {
				if (!at_end(p) && is_cfws_start(p->s[p->i]) &&
				    addr__mb_cfws(p, &run) < 0)
					return -1;
				if (at_end(p))
					return addr__mb_emit(p, ADDR_D_ERR_ANGLE, lt);
				if (p->s[p->i] == ',') {
					p->i++;
					after_domain = 0;
					continue;
				}
				if (p->s[p->i] == ':') {
					p->i++;
					break;
				}
				if (p->s[p->i] != '@' || after_domain)
					return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
				p->i++;
				if (!at_end(p) && is_cfws_start(p->s[p->i]) &&
				    addr__mb_cfws(p, &run) < 0)
					return -1;
				ds = p->i;
				if (addr__mb_env_dotatom(p, &last_dot, 1) < 0)
					return -1;
				if (p->i == ds)
					return addr__mb_emit(p, at_end(p) ? ADDR_D_ERR_ANGLE
						    : ADDR_D_ERR_EXPECTING_ATEXT,
						    at_end(p) ? lt : p->i);
				if (addr__mb_route_add(p, &route, &nroute, &rcap, ds, p->i - ds) < 0)
					goto nomem;
				/* obs-domain-list: "," before the next "@" */
				after_domain = 1;
			}
		} else {
			p->i = save;
		}
	}
	v.mark = p->r->ndiag;
	v.prior_word = v.prior = T_NONE;
	p->ctl_seen = 0;
	p->saw8 = 0;
	t = addr__mb_words(p, &v, ">", 0);
	if (t < 0)
		return -1;
	if (t == 0)
		return addr__mb_emit(p, ADDR_D_ERR_ANGLE, lt);
	if (t == '>') {
		v.has_run = 0;
		return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, p->i);
	}
	if (spec_rest(p, &v, &a, &inner, 1, lt, 0) < 0)
		return -1;
	p->i++;		/* ">" */
	if (addr__mb_finish_spec(p, &a, m, 0, 0) < 0)
		return -1;
	m->route = route;
	m->nroute = nroute;
	return after_close(p, cx);
nomem:
	p->nomem = p->stop = 1;
	return -1;
}

static int address(struct parser *p, const struct actx *cx, struct mbvec *out,
		   int *empty);

/* group - p->i is at the ":" after a group's display name */
static int group(struct parser *p, struct addr_mailbox *g, const struct actx *cx)
{
	struct actx inner;
	struct mbvec mv = { NULL, 0, 0 };
	size_t colon = p->i, last_comma = 0;
	int empty, empty_seen = 0, commas = 0;

	g->kind = ADDR_K_GROUP;
	inner.group_ok = 0;
	inner.in_group = 1;
	inner.list = 1;
	inner.spacing = 1;
	p->i++;
	for (;;) {
		size_t before = mv.n;
		if (address(p, &inner, &mv, &empty) < 0)
			return -1;
		(void)before;
		if (at_end(p))
			return addr__mb_emit(p, ADDR_D_ERR_UNCLOSEDGROUP, colon);
		if (p->s[p->i] == ',') {
			if (empty && !empty_seen) {
				empty_seen = 1;
				if (addr__mb_obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, p->i) < 0)
					return -1;
			}
			last_comma = p->i;
			commas++;
			p->i++;
			continue;
		}
		/* ";" */
		if (empty && commas && !empty_seen) {
			empty_seen = 1;
			if (addr__mb_obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, last_comma) < 0)
				return -1;
		}
		p->i++;
		break;
	}
	g->members = mv.v;
	g->nmembers = mv.n;
	return after_close(p, cx);
}

/*
 * address - one address (mailbox, or group where allowed) of a header
 * field. *empty is set when nothing but CFWS stood before the next
 * terminator (a null list member). Stops at the terminator.
 */
static int address(struct parser *p, const struct actx *cx, struct mbvec *out,
		   int *empty)
{
	struct views v;
	struct aspec a;
	struct addr_mailbox *m;
	char terms[8];
	size_t start = p->i, nt = 0;
	int t;

	*empty = 0;
	addr__mb_views_init(&v, 1, p->r->ndiag);
	memset(&a, 0, sizeof(a));
	terms[nt++] = '<';
	terms[nt++] = ':';
	terms[nt++] = '>';
	if (cx->list)
		terms[nt++] = ',';
	if (cx->in_group)
		terms[nt++] = ';';
	terms[nt] = '\0';
	p->ctl_seen = 0;
	p->saw8 = 0;
	t = addr__mb_words(p, &v, terms, cx->spacing);
	if (t < 0)
		return -1;
	if (t == '@') {
		if (spec_rest(p, &v, &a, cx, 0, 0, cx->spacing) < 0)
			return -1;
		m = mbvec_add(p, out);
		if (m == NULL)
			goto nomem;
		addr__mb_init_mailbox(m);
		if (addr__mb_finish_spec(p, &a, m, 0, 0) < 0)
			return -1;
		set_span(p, m, start, p->i);
		return 0;
	}
	if (t == '<') {
		if (v.ph_failed) {
			addr__mb_resolve(p, &v, TAG_PH);
			p->stop = 1;
			return -1;
		}
		addr__mb_resolve(p, &v, TAG_PH);
		m = mbvec_add(p, out);
		if (m == NULL)
			goto nomem;
		addr__mb_init_mailbox(m);
		if (v.nwords && display_name(p, m, v.ph_start, v.ph_end) < 0)
			return -1;
		if (angle_addr(p, m, cx) < 0)
			return -1;
		set_span(p, m, start, p->i);
		return 0;
	}
	if (t == ':') {
		if (!cx->group_ok) {
			/* the colon is the error, whatever either reading found */
			addr__mb_resolve(p, &v, 0);
			return addr__mb_emit(p, ADDR_D_ERR_GROUP_NOT_ALLOWED, p->i);
		}
		if (v.ph_failed) {
			addr__mb_resolve(p, &v, TAG_PH);
			p->stop = 1;
			return -1;
		}
		if (v.nwords == 0) {
			addr__mb_resolve(p, &v, 0);
			return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
		}
		addr__mb_resolve(p, &v, TAG_PH);
		m = mbvec_add(p, out);
		if (m == NULL)
			goto nomem;
		addr__mb_init_mailbox(m);
		if (display_name(p, m, v.ph_start, v.ph_end) < 0)
			return -1;
		/* group() fills members into the arena; the mailbox pointer
		 * may move when out grows, so fill a copy */
		{
			struct addr_mailbox g = *m;
			size_t idx = out->n - 1;
			if (group(p, &g, cx) < 0)
				return -1;
			set_span(p, &g, start, p->i);
			out->v[idx] = g;
		}
		return 0;
	}
	/* end, ",", ";" or ">" with no "@": neither reading's findings
	 * matter (spec §1.4: a phrase without "<", "@" or ":") */
	addr__mb_resolve(p, &v, 0);
	if (v.prior_word == T_NONE && t != '>') {
		*empty = 1;
		return 0;
	}
	return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, p->i);
nomem:
	p->nomem = p->stop = 1;
	return -1;
}

/* addr_spec_only - the ADDR_P_ADDR_SPEC production */
int addr__mb_addr_spec_only(struct parser *p)
{
	struct views v;
	struct aspec a;
	struct actx cx = { 0, 0, 0, 0 };
	struct addr_mailbox *m;
	int t;

	addr__mb_views_init(&v, 0, p->r->ndiag);
	memset(&a, 0, sizeof(a));
	t = addr__mb_words(p, &v, "", 0);
	if (t < 0)
		return -1;
	if (t == 0) {
		v.has_run = 0;
		return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, p->n);
	}
	if (spec_rest(p, &v, &a, &cx, 0, 0, 0) < 0)
		return -1;
	m = addr__result_new_addr(p->r);
	if (m == NULL) {
		p->nomem = p->stop = 1;
		return -1;
	}
	addr__mb_init_mailbox(m);
	m->span_length = p->n;
	return addr__mb_finish_spec(p, &a, m, 0, 0);
}

/* header - the mailbox, address and list productions */
int addr__mb_header(struct parser *p)
{
	struct actx cx;
	struct mbvec mv = { NULL, 0, 0 };
	size_t last_comma = 0, i;
	int empty, empty_seen = 0, commas = 0;

	cx.group_ok = (p->prod == ADDR_P_ADDRESS || p->prod == ADDR_P_ADDRESS_LIST);
	cx.in_group = 0;
	cx.list = (p->prod == ADDR_P_MAILBOX_LIST || p->prod == ADDR_P_ADDRESS_LIST);
	cx.spacing = 1;
	for (;;) {
		if (address(p, &cx, &mv, &empty) < 0)
			return -1;
		if (!cx.list) {
			if (empty)
				return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, p->i);
			if (!at_end(p))
				return addr__mb_emit(p, ADDR_D_ERR_TRAILING, p->i);
			break;
		}
		if (at_end(p)) {
			if (empty && commas && !empty_seen) {
				empty_seen = 1;
				if (addr__mb_obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, last_comma) < 0)
					return -1;
			}
			break;
		}
		if (p->s[p->i] == ',') {
			if (empty && !empty_seen) {
				empty_seen = 1;
				if (addr__mb_obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, p->i) < 0)
					return -1;
			}
			last_comma = p->i;
			commas++;
			p->i++;
			continue;
		}
		/* ";" outside a group */
		return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
	}
	if (mv.n == 0)
		return addr__mb_emit(p, ADDR_D_ERR_EMPTY, p->n);
	for (i = 0; i < mv.n; i++) {
		struct addr_mailbox *m = addr__result_new_addr(p->r);
		if (m == NULL) {
			p->nomem = p->stop = 1;
			return -1;
		}
		*m = mv.v[i];
	}
	return 0;
}
