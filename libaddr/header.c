/*
 * header.c - header mode, word level: the two readings of the words before
 * "@", "<" or ":" (local part and display name), and the domain of an
 * addr-spec (spec-address.md §1.3, §1.4)
 *
 * EXPORTS (private, parse.h)
 *	addr__mb_views_init()
 *	addr__mb_resolve()
 *	addr__mb_vemit()
 *	addr__mb_lp_obs()
 *	addr__mb_words()
 *	addr__mb_local_done()
 *	addr__mb_domain()
 */
#include <string.h>
#include "domain.h"
#include "result.h"
#include "parse.h"

/* ----------------------------------------------------------- header mode */

/* views_init - field by field, for the reason of addr__mailbox_clear */
void addr__mb_views_init(struct views *v, int both, size_t mark)
{
	v->both = both;
	v->mark = mark;
	v->lp_failed = v->ph_failed = 0;
	v->elem_len = v->elem_count = 0;
	v->prior = v->prior_word = T_NONE;
	v->seen_qs = v->seen_lp = v->word_is_qs = v->lp_complex = 0;
	v->last_dot = v->lp_start = v->lp_end = v->qs_open = 0;
	v->has_run = 0;
	v->run.off = 0;
	v->run.comment = 0;
	v->bare_start = 0;
	v->nwords = v->seen_dot = 0;
	v->ph_start = v->ph_end = 0;
}

/* resolve - keep one reading's diagnoses and drop the other's */
void addr__mb_resolve(struct parser *p, struct views *v, int keep)
{
	size_t n, i, k;
	struct addr_diag *d = addr__result_diags(p->r, &n);

	for (i = k = v->mark; i < n; i++) {
		int tag = d[i].code & TAG_MASK;
		if (tag && tag != keep)
			continue;
		d[k] = d[i];
		d[k].code &= ~TAG_MASK;
		k++;
	}
	addr__result_set_ndiag(p->r, k);
	v->both = 0;
}

/* vemit - a diagnosis of one reading; -1 when that ends the parse */
int addr__mb_vemit(struct parser *p, struct views *v, int view, int code,
		 size_t off)
{
	int err = addr_diag_category(code) == ADDR_CAT_ERROR;

	if (!v->both) {
		if (view == TAG_PH)
			return 0;	/* only the local part matters */
		return addr__mb_emit(p, code, off);
	}
	/* a reading that has failed records nothing more: one error each */
	if ((view == TAG_LP && v->lp_failed) || (view == TAG_PH && v->ph_failed))
		return 0;
	if (addr__mb_emit(p, code | view, off) < 0)
		return -1;
	if (!err)
		return 0;
	if (view == TAG_LP)
		v->lp_failed = 1;
	else
		v->ph_failed = 1;
	/* with both readings failed the terminator still decides which
	 * error is reported, so lexing goes on */
	return 0;
}

/* lp_obs - obsolete syntax in the local-part reading */
int addr__mb_lp_obs(struct parser *p, struct views *v, int code, size_t off)
{
	if (addr__mb_vemit(p, v, TAG_LP, code, off) < 0)
		return -1;
	if (!p->lenient)
		return addr__mb_vemit(p, v, TAG_LP, ADDR_D_ERR_OBSOLETE, off);
	return 0;
}

/* lp_run - classify the pending CFWS run of the local part by what
 * follows it (rules R1-R3 of spec §1.3.2) */
static int lp_run(struct parser *p, struct views *v, int next, int spacing)
{
	struct run *r = &v->run;

	if (!v->has_run || v->lp_failed)
		return 0;
	v->has_run = 0;
	if ((next == T_DOT && (v->prior_word == T_ATOM || v->prior_word == T_QS)) ||
	    ((next == T_ATOM || next == T_QS) && v->prior_word == T_DOT))
		return addr__mb_lp_obs(p, v, r->comment ? ADDR_D_DEPREC_COMMENT
			      : ADDR_D_DEPREC_FWS, r->off);
	if (next == '@')
		return addr__mb_vemit(p, v, TAG_LP, ADDR_D_DEPREC_CFWS_NEAR_AT, r->off);
	if (v->prior_word == T_NONE && (next == T_ATOM || next == T_QS)) {
		if (spacing && !r->comment)
			return 0;	/* list spacing */
		return addr__mb_vemit(p, v, TAG_LP, r->comment ? ADDR_D_CFWS_COMMENT
			     : ADDR_D_CFWS_FWS, r->off);
	}
	return 0;
}

/* v_word - an atom or the opening DQUOTE of a quoted-string */
static int v_word(struct parser *p, struct views *v, int type, size_t off,
		  int spacing)
{
	/* display-name view: any word is fine */
	if (!v->ph_failed) {
		if (v->nwords++ == 0)
			v->ph_start = off;
	}
	if (v->lp_failed)
		return 0;
	if (v->elem_len > 0) {
		int code;
		if (type == T_QS)
			code = ADDR_D_ERR_EXPECTING_ATEXT;
		else if (v->prior == T_QS)
			code = ADDR_D_ERR_ATEXT_AFTER_QS;
		else
			code = ADDR_D_ERR_ATEXT_AFTER_CFWS;
		v->has_run = 0;		/* a run followed by an error: none */
		return addr__mb_vemit(p, v, TAG_LP, code, off);
	}
	if (v->prior == T_CFWS && v->prior_word != T_NONE)
		v->lp_complex = 1;
	if (lp_run(p, v, type, spacing) < 0)
		return -1;
	if (v->prior_word == T_NONE)
		v->lp_start = off;
	if (type == T_QS && v->elem_count > 0 && !v->seen_lp) {
		v->seen_lp = 1;
		if (addr__mb_lp_obs(p, v, ADDR_D_DEPREC_LOCALPART, v->last_dot) < 0)
			return -1;
	}
	v->elem_len = 1;
	v->word_is_qs = (type == T_QS);
	v->prior = v->prior_word = type;
	return 0;
}

/* v_word_end - the end of a word (after its last octet) */
static int v_word_end(struct parser *p, struct views *v, int type)
{
	if (!v->ph_failed)
		v->ph_end = p->i;
	if (v->lp_failed)
		return 0;
	v->lp_end = p->i;
	if (type == T_QS && !v->seen_qs) {
		v->seen_qs = 1;
		return addr__mb_vemit(p, v, TAG_LP, ADDR_D_RFC5321_QUOTEDSTRING, v->qs_open);
	}
	return 0;
}

static int v_dot(struct parser *p, struct views *v, size_t off, int spacing)
{
	if (!v->ph_failed) {
		if (v->nwords == 0) {
			if (addr__mb_vemit(p, v, TAG_PH, ADDR_D_ERR_EXPECTING_ATEXT, off) < 0)
				return -1;
		} else {
			if (!v->seen_dot) {
				v->seen_dot = 1;
				if (addr__mb_vemit(p, v, TAG_PH, ADDR_D_DEPREC_PHRASE, off) < 0)
					return -1;
				if (!p->lenient &&
				    addr__mb_vemit(p, v, TAG_PH, ADDR_D_ERR_OBSOLETE, off) < 0)
					return -1;
			}
			v->ph_end = off + 1;
		}
	}
	if (v->lp_failed)
		return 0;
	if (v->elem_len == 0) {
		v->has_run = 0;
		return addr__mb_vemit(p, v, TAG_LP, v->elem_count == 0
			     ? ADDR_D_ERR_DOT_START : ADDR_D_ERR_CONSECUTIVEDOTS, off);
	}
	if (v->prior == T_CFWS)
		v->lp_complex = 1;
	if (lp_run(p, v, T_DOT, spacing) < 0)
		return -1;
	if (v->word_is_qs && !v->seen_lp) {
		v->seen_lp = 1;
		if (addr__mb_lp_obs(p, v, ADDR_D_DEPREC_LOCALPART, off) < 0)
			return -1;
	}
	v->elem_len = 0;
	v->elem_count++;
	v->last_dot = off;
	v->word_is_qs = 0;
	v->prior = v->prior_word = T_DOT;
	v->lp_end = off + 1;
	return 0;
}

/* v_other - an octet that continues neither reading */
static int v_other(struct parser *p, struct views *v, size_t off)
{
	v->has_run = 0;
	if (v->both) {
		/* neither reading goes on: the octet itself is the error,
		 * whatever either reading had found before it (spec §1.4) */
		addr__mb_resolve(p, v, 0);
	}
	return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, off);
}

/*
 * words - read the words before a terminator. Returns the terminator
 * octet ('@', '<', ':', ',', ';', '>') or 0 at the end of input, or -1.
 * terms: the terminators this context knows besides "@".
 */
int addr__mb_words(struct parser *p, struct views *v, const char *terms,
		 int spacing)
{
	for (;;) {
		unsigned char c;
		size_t off;

		if (at_end(p))
			return 0;
		c = p->s[p->i];
		off = p->i;
		if (is_cfws_start(c)) {
			if (addr__mb_cfws(p, &v->run) < 0)
				return -1;
			if (!v->lp_failed) {
				v->has_run = 1;
				v->prior = T_CFWS;
			}
		} else if (c == '"') {
			v->qs_open = off;
			if (v_word(p, v, T_QS, off, spacing) < 0)
				return -1;
			if (addr__mb_qstring(p, !v->lp_failed, v->both ? TAG_LP : 0) < 0)
				return -1;
			if (v_word_end(p, v, T_QS) < 0)
				return -1;
		} else if (c == '.') {
			if (v_dot(p, v, off, spacing) < 0)
				return -1;
			p->i++;
		} else if (is_atom_start(p, c)) {
			if (v_word(p, v, T_ATOM, off, spacing) < 0)
				return -1;
			if (addr__mb_atom(p, 1) < 0)
				return -1;
			if (v_word_end(p, v, T_ATOM) < 0)
				return -1;
		} else if (c == '@' || (c != 0 && strchr(terms, c) != NULL)) {
			return c;
		} else {
			return v_other(p, v, off) < 0 ? -1 : -1;
		}
	}
}

/* local_done - the "@" of a local part: final local-part checks */
int addr__mb_local_done(struct parser *p, struct views *v, size_t at, int spacing)
{
	if (v->both) {
		if (v->lp_failed) {
			addr__mb_resolve(p, v, TAG_LP);
			p->stop = 1;
			return -1;
		}
		addr__mb_resolve(p, v, TAG_LP);
	}
	if (v->elem_len == 0) {
		v->has_run = 0;
		return addr__mb_emit(p, v->elem_count == 0 ? ADDR_D_ERR_NOLOCALPART
			    : ADDR_D_ERR_DOT_END, v->elem_count == 0 ? at
			    : v->last_dot);
	}
	return lp_run(p, v, '@', spacing);
}

/* literal_diags - classify a complete domain literal that an error
 * follows (spec §1.4: component checks run when the component ends) */
static int literal_diags(struct parser *p, const struct aspec *a)
{
	struct addr__domain dom;
	size_t cs = a->dom_start + 1, ce = a->dom_end - 1, i, glen = 0;
	char *content = addr__result_alloc(p->r, ce - cs + 1);
	char *canon = addr__result_alloc(p->r, ce - cs + 80);

	if (content == NULL || canon == NULL) {
		p->nomem = p->stop = 1;
		return -1;
	}
	glen = addr__mb_literal_content(p, cs, ce, content);
	addr__domain_literal(&dom, content, glen, a->lit_fws,
			     p->lenient ? ADDR__LIT_LENIENT : 0, canon);
	for (i = 0; i < dom.ndiag; i++)
		if (addr__mb_emit(p, dom.diag[i].code, a->dom_start) < 0)
			return -1;
	return 0;
}

/*
 * domain - the domain of a header-mode addr-spec, from p->i (after "@").
 * Stops at a terminator of the context (not consumed). in_angle: ">"
 * ends it and end of input is ERR_ANGLE at lt.
 */
int addr__mb_domain(struct parser *p, struct aspec *a, const struct actx *cx,
		  int in_angle, size_t lt)
{
	struct run run;
	int has_run = 0, atoms = 0, elem_len = 0, prior_word = T_NONE;
	size_t last_dot = 0, lit_open = 0;
	int lit_done = 0;

	a->dom_start = a->dom_end = p->i;
	a->dom_simple = 1;
	{
		/* most domains are one ASCII dot-atom: take it in one scan
		 * and leave the loop below what follows it */
		size_t e = addr__mb_dotatom_end(p->s, p->i, p->n);
		if (e != (size_t)-1 && (e == p->n || p->s[e] < 0x80)) {
			size_t k;
			for (k = e; k > p->i && p->s[k - 1] != '.'; k--)
				;
			last_dot = k > p->i ? k - 1 : 0;
			p->i = e;
			a->dom_end = e;
			atoms = 1;
			elem_len = 1;
			prior_word = T_ATOM;
		}
	}
	for (;;) {
		unsigned char c = at_end(p) ? 0 : p->s[p->i];
		size_t off = p->i;
		int term = at_end(p) || (in_angle && c == '>') ||
			   (!in_angle && ((cx->list && c == ',') ||
					  (cx->in_group && c == ';')));

		if (term) {
			if (in_angle && at_end(p))
				return addr__mb_emit(p, ADDR_D_ERR_ANGLE, lt);
			if (!atoms && !lit_done)
				return addr__mb_emit(p, ADDR_D_ERR_NODOMAIN, off);
			if (elem_len == 0 && !lit_done)
				return addr__mb_emit(p, ADDR_D_ERR_DOT_END, last_dot);
			if (has_run && !(run.comment == 0 && cx->spacing && !in_angle)) {
				if (addr__mb_emit(p, run.comment ? ADDR_D_CFWS_COMMENT
					 : ADDR_D_CFWS_FWS, run.off) < 0)
					return -1;
			}
			return 0;
		}
		if (is_cfws_start(c)) {
			if (addr__mb_cfws(p, &run) < 0)
				return -1;
			has_run = 1;
			if (atoms || lit_done)
				a->dom_simple = 0;
			continue;
		}
		if (lit_done) {
			/* the literal is complete: its checks come first */
			if (literal_diags(p, a) < 0)
				return -1;
			return addr__mb_emit(p, (is_atom_start(p, c) || c == '.')
				    ? ADDR_D_ERR_ATEXT_AFTER_DOMLIT
				    : ADDR_D_ERR_EXPECTING_ATEXT, off);
		}
		if (c == '[' && !atoms && prior_word == T_NONE) {
			int crlfs, obs_seen = 0;
			lit_open = off;
			if (has_run && addr__mb_emit(p, ADDR_D_DEPREC_CFWS_NEAR_AT, run.off) < 0)
				return -1;
			has_run = 0;
			a->dom_start = off;
			a->literal = 1;
			p->ctl_seen = 0;
			p->i++;
			for (;;) {
				if (at_end(p))
					return addr__mb_emit(p, ADDR_D_ERR_UNCLOSEDDOMLIT, lit_open);
				c = p->s[p->i];
				if (c == ']')
					break;
				if (c == '\\') {
					size_t bs = p->i;
					if (!obs_seen) {
						obs_seen = 1;
						if (addr__mb_obs(p, ADDR_D_RFC5322_DOMLIT_OBSDTEXT, bs) < 0)
							return -1;
					}
					if (bs + 1 >= p->n)
						return addr__mb_emit(p, ADDR_D_ERR_BACKSLASHEND, bs);
					c = p->s[bs + 1];
					if (c >= 0x80 && p->utf8) {
						/* RFC 6532 §3.2 extends VCHAR */
						size_t k;
						p->i = bs + 1;
						if ((k = addr__mb_utf8_char(p, 1)) == 0)
							return -1;
						p->i += k;
						continue;
					}
					if (!(addr__is(c, ADDR__C_VCHAR | ADDR__C_WSP | ADDR__C_OBSCTL) ||
					      c == 0 || c == '\r' || c == '\n'))
						return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_QPAIR, bs + 1);
					p->i += 2;
				} else if (c == ' ' || c == '\t' || c == '\r') {
					size_t at = p->i;
					crlfs = 0;
					if (addr__mb_fws(p, &crlfs) < 0)
						return -1;
					a->lit_fws = 1;
					if (addr__mb_emit(p, ADDR_D_CFWS_FWS, at) < 0)
						return -1;
				} else if (addr__is(c, ADDR__C_DTEXT)) {
					p->i++;
				} else if (addr__is(c, ADDR__C_OBSCTL)) {
					if (!obs_seen) {
						obs_seen = 1;
						if (addr__mb_obs(p, ADDR_D_RFC5322_DOMLIT_OBSDTEXT, p->i) < 0)
							return -1;
					}
					p->i++;
				} else if (c >= 0x80 && p->utf8) {
					if (addr__mb_take_utf8(p, 1) < 0)
						return -1;
				} else {
					return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_DTEXT, p->i);
				}
			}
			p->i++;
			a->dom_end = p->i;
			lit_done = 1;
			continue;
		}
		if (c == '.') {
			if (elem_len == 0) {
				return addr__mb_emit(p, atoms == 0 ? ADDR_D_ERR_DOT_START
					    : ADDR_D_ERR_CONSECUTIVEDOTS, off);
			}
			if (has_run && addr__mb_obs(p, run.comment ? ADDR_D_DEPREC_COMMENT
					   : ADDR_D_DEPREC_FWS, run.off) < 0)
				return -1;
			has_run = 0;
			elem_len = 0;
			last_dot = off;
			prior_word = T_DOT;
			p->i++;
			a->dom_end = p->i;
			continue;
		}
		if (is_atom_start(p, c)) {
			if (elem_len > 0)	/* atom, CFWS, atext */
				return addr__mb_emit(p, ADDR_D_ERR_ATEXT_AFTER_CFWS, off);
			if (has_run) {
				int code = prior_word == T_DOT
					   ? (run.comment ? ADDR_D_DEPREC_COMMENT
					      : ADDR_D_DEPREC_FWS)
					   : ADDR_D_DEPREC_CFWS_NEAR_AT;
				if (code == ADDR_D_DEPREC_CFWS_NEAR_AT) {
					if (addr__mb_emit(p, code, run.off) < 0)
						return -1;
				} else if (addr__mb_obs(p, code, run.off) < 0) {
					return -1;
				}
				has_run = 0;
			}
			if (!atoms)
				a->dom_start = off;
			if (addr__mb_atom(p, 0) < 0)
				return -1;
			atoms++;
			elem_len = 1;
			prior_word = T_ATOM;
			a->dom_end = p->i;
			continue;
		}
		/* "[" not at the start, DQUOTE, "\", controls, a second "@" */
		return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_ATEXT, off);
	}
}
