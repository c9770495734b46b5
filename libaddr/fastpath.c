/*
 * fastpath.c - the shapes most mail carries, answered without the general
 * machinery and with the same result (tests/test_fastpath.c compares the
 * two)
 *
 * EXPORTS (private, parse.h)
 *	addr__mb_dotatom_end()
 *	addr__mb_fast()
 */
#include <string.h>
#include "domain.h"
#include "result.h"
#include "scan.h"
#include "parse.h"

/* ---------------------------------------------------------- fast path */

/* atext_run - end of the run of ASCII atext at s[i] (scan.c: sixteen
 * octets a step where the processor can) */
static size_t atext_run(const unsigned char *s, size_t i, size_t n)
{
	/* short runs first: most atoms are a few octets long */
	if (i + 16 > n || !addr__is(s[i], ADDR__C_ATEXT))
		goto tail;
	return addr__scan_atext_run(s, i, n);
tail:
	while (i + 4 <= n && (addr__cclass[s[i]] & addr__cclass[s[i + 1]] &
			      addr__cclass[s[i + 2]] & addr__cclass[s[i + 3]] &
			      ADDR__C_ATEXT))
		i += 4;
	while (i < n && addr__is(s[i], ADDR__C_ATEXT))
		i++;
	return i;
}

/* mask_run - end of the run of set bits from bit i (a run stops at n:
 * the masks have no bits there) */
static inline size_t mask_run(uint64_t mask, size_t i, size_t n)
{
	uint64_t rest = ~(mask >> i);
	size_t k = rest ? (size_t)__builtin_ctzll(rest) : 64 - i;

	return i + k < n ? i + k : n;
}

/* dotatom_end - end of the dot-atom-text at s[i], or (size_t)-1 */
size_t addr__mb_dotatom_end(const unsigned char *s, size_t i, size_t n)
{
	for (;;) {
		size_t a = i;
		i = atext_run(s, i, n);
		if (i == a)
			return (size_t)-1;	/* empty atom: let the parser say */
		if (i < n && s[i] == '.') {
			i++;
			continue;
		}
		return i;
	}
}

/* The forms fast_spec finds: the local part's value, the given and the
 * lowercased domain, each NUL-terminated in the result's arena. */
struct forms {
	char *local, *given, *lower;
	size_t llen;		/* the local part's value: no quotes, pairs resolved */
};

/*
 * An input of at most ADDR__SCAN_MAX octets is classified once (scan.c),
 * which also leaves two zero-padded copies of it: as given and with A-Z
 * lowercased. The first span that takes the fast path copies both, 64
 * octets each, into one arena piece; every string of the result is then
 * a NUL-terminated span of that piece (the NUL lands on the "@", ">",
 * closing quote or separator after the span, or on the padding), so no
 * string is copied octet-count by octet-count.
 */
struct whole {
	struct addr__masks m;
	unsigned char copy[64];
	char low[64];
	char *piece;		/* NULL until made */
};

/* whole_piece - the arena piece of w (given form, then lowercased) */
static char *whole_piece(struct parser *p, struct whole *w)
{
	if (w->piece == NULL && (w->piece = addr__result_alloc(p->r, 128)) != NULL) {
		memcpy(w->piece, w->copy, 64);
		memcpy(w->piece + 64, w->low, 64);
	}
	return w->piece;
}

/* whole_domain - the name s[ds..de) of a short input: its checks into
 * *pre, its given and lowercased forms spans of the piece (not yet
 * NUL-terminated). 1, or 0 when it needs the general path, or -1 on
 * ENOMEM. */
static int whole_domain(struct parser *p, struct whole *w, size_t ds,
			size_t de, struct addr__domain *pre, struct forms *f)
{
	const unsigned char *g = p->s + ds;
	char *b;

	if ((b = whole_piece(p, w)) == NULL)
		return -1;
	f->given = b + ds;
	f->lower = b + 64 + ds;
	if (addr__domain_masks(pre, g, de - ds, w->m.alnum >> ds, w->m.hyphen >> ds,
			       w->m.dot >> ds, f->lower))
		return 1;
	return addr__domain_ascii(pre, g, de - ds, f->given, f->lower, 1);
}

/*
 * comment_end - the end of the comment at s[i] ("("), when the general
 * parser finds nothing in it to diagnose: printable ASCII, nested
 * comments and quoted-pairs of printable ASCII (lex.c quoted_pair);
 * 0 for anything else or no end before n.
 */
static size_t comment_end(const unsigned char *s, size_t i, size_t n)
{
	int depth = 0;

	for (; i < n; i++) {
		unsigned char c = s[i];
		if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth == 0)
				return i + 1;
		} else if (c == '\\') {
			if (i + 1 >= n || s[i + 1] < 0x20 || s[i + 1] >= 0x7F)
				return 0;
			i++;
		} else if (c < 0x20 || c >= 0x7F) {
			return 0;
		}
	}
	return 0;
}

/*
 * comment_start - where the comment that ends at s[n - 1] (")") starts,
 * or (size_t)-1. Scanning backwards, a parenthesis is quoted when an odd
 * run of backslashes precedes it; the caller checks the span forwards
 * with comment_end.
 */
static size_t comment_start(const unsigned char *s, size_t n)
{
	size_t k = n - 1, b;
	int depth = 1;

	while (k > 0) {
		unsigned char c = s[--k];
		if (c != '(' && c != ')')
			continue;
		for (b = k; b > 0 && s[b - 1] == '\\'; b--)
			;
		if ((k - b) & 1)
			continue;
		if (c == ')')
			depth++;
		else if (--depth == 0)
			return k;
	}
	return (size_t)-1;
}

/*
 * fast_spec - s[a0..a1) as "dot-atom@dot-atom", ASCII: *at gets the
 * offset of "@", *f the local part, the given and the lowercased domain
 * (in the arena), and *pre the domain's checks. Returns 1, or 0 when the
 * span has another shape (nothing reported), or -1 on ENOMEM. Short
 * inputs (w not NULL) are answered from their class masks with bit
 * operations.
 */
static int fast_spec(struct parser *p, size_t a0, size_t a1, size_t *at,
		     struct addr__domain *pre, struct forms *f, int *qlocal,
		     struct whole *w)
{
	const unsigned char *s = p->s + a0;
	size_t len = a1 - a0, e, ll, dl;
	char *b;

	*qlocal = 0;
	if (len >= 4 && s[0] == '"') {
		/* a quoted local part of printable ASCII and SP, and
		 * quoted-pairs of them (no diagnosis: lex.c quoted_pair);
		 * no HT, no folding, no other pairs (each has a diagnosis) */
		size_t q, pairs = 0;
		int ok = 0;

		for (q = 1; q < len && s[q] != '"'; q++) {
			if (s[q] == '\\') {
				if (q + 1 >= len || s[q + 1] < 0x20 || s[q + 1] >= 0x7F)
					return 0;
				q++;
				pairs++;
			} else if (s[q] < 0x20 || s[q] >= 0x7F) {
				return 0;
			}
		}
		if (q + 2 >= len || s[q + 1] != '@')
			return 0;
		e = q + 1;
		ll = q - 1;
		dl = len - e - 1;
		if (w != NULL) {
			if ((ok = whole_domain(p, w, a0 + e + 1, a1, pre, f)) <= 0)
				return ok;
			f->local = w->piece + a0 + 1;
		} else {
			if ((b = addr__result_alloc(p->r, ll + 1 + 2 * (dl + 1))) == NULL)
				return -1;
			f->local = b;
			f->given = b + ll + 1;
			f->lower = f->given + dl + 1;
			memcpy(b, s + 1, ll);
			if (!addr__domain_ascii(pre, s + e + 1, dl, f->given,
						f->lower, 0))
				return 0;
		}
		if (pairs) {
			/* the value: each pair resolved, in place */
			size_t i, j;
			for (i = j = 0; i < ll; i++, j++) {
				if (f->local[i] == '\\')
					i++;
				f->local[j] = f->local[i];
			}
		}
		f->llen = ll - pairs;
		f->local[f->llen] = f->given[dl] = f->lower[dl] = '\0';
		*at = a0 + e;
		*qlocal = 1;
		return 1;
	}
	if (w != NULL) {
		/* the input's masks, seen from a0 */
		struct addr__masks m;
		uint64_t all = ((uint64_t)1 << len) - 1, dots;
		int ok;

		if (len < 3)
			return 0;
		m.at = (w->m.at >> a0) & all;
		m.atext = w->m.atext >> a0;
		m.dot = (w->m.dot >> a0) & all;
		if (m.at == 0 || (m.at & (m.at - 1)) ||
		    ((m.atext | m.dot | m.at) & all) != all)
			return 0;
		e = (size_t)__builtin_ctzll(m.at);
		dots = m.dot;
		if (e == 0 || e + 1 >= len || (dots & 1) || ((dots >> (e - 1)) & 1) ||
		    ((dots >> (e + 1)) & 1) || (dots >> (len - 1)) ||
		    (dots & (dots >> 1)))
			return 0;
		ll = e;
		dl = len - e - 1;
		if ((ok = whole_domain(p, w, a0 + e + 1, a1, pre, f)) <= 0)
			return ok;
		f->local = w->piece + a0;
	} else {
		e = addr__mb_dotatom_end(s, 0, len);
		if (e == (size_t)-1 || e >= len || s[e] != '@')
			return 0;
		ll = e;
		dl = len - e - 1;
		if ((b = addr__result_alloc(p->r, ll + 1 + 2 * (dl + 1))) == NULL)
			return -1;
		f->local = b;
		f->given = b + ll + 1;
		f->lower = f->given + dl + 1;
		/* the domain scan checks its syntax too */
		if (!addr__domain_ascii(pre, s + e + 1, dl, f->given, f->lower, 0))
			return 0;
		memcpy(b, s, ll);
	}
	f->llen = ll;
	f->local[ll] = f->given[dl] = f->lower[dl] = '\0';
	*at = a0 + e;
	return 1;
}

/*
 * fast - the shapes most mail carries, in one pass and with the same
 * result the general parser gives: an ASCII dot-atom (or plain quoted)
 * addr-spec alone, or an ASCII phrase of atoms and plain quoted-strings
 * separated by single spaces before "<dot-atom@dot-atom>"; with a
 * comment before or after the whole, between the phrase and the "<", or
 * (short inputs) on either side of the "@" of a bare addr-spec. Anything
 * else (folding, literals, UTF-8, encoded-words, other obsolete syntax,
 * errors) returns 0 with nothing done, and the general parser runs.
 * tests/test_fastpath.c checks that both paths agree on every corpus
 * input.
 */
int addr__mb_fast(struct parser *p)
{
	const unsigned char *s = p->s;
	size_t n = p->n, i = 0, e, d, lt = 0, full = p->n, note = 0, pe = 0;
	size_t dot = 0;		/* 1 + offset of the first obs-phrase dot */
	size_t i0 = 0;		/* after a leading comment and its SP */
	size_t ls, ll, ds, near[2] = { 0, 0 };	/* near: 1 + offset of a "(" by the "@" */
	struct addr_mailbox *m;
	struct addr__domain pre;
	struct whole wh, *whole = NULL;
	struct forms f;
	size_t k;
	int angle = 0, quoted = 0, qlocal = 0, rc;

	if (p->prod < ADDR_P_ADDR_SPEC || (p->flags & ADDR__F_NOFAST) || n == 0)
		return 0;
	/* a trailing " (comment)" of printable ASCII, nested or not: the
	 * address is what precedes it; after a bare addr-spec the comment is
	 * a CFWS_COMMENT (R3), after an angle-addr it is not diagnosed */
	if (s[n - 1] == ')') {
		k = comment_start(s, n);
		if (k == (size_t)-1 || k < 2 || s[k - 1] != ' ' ||
		    comment_end(s, k, n) != n)
			return 0;
		note = k - 1;		/* the SP that starts the CFWS run */
		n = note;
		if (s[n - 1] == ' ')
			return 0;
	}
	/* a leading "(comment) " likewise: before a bare addr-spec it is a
	 * CFWS_COMMENT at 0 (R3), before a display name it is not diagnosed
	 * (and not part of the name) */
	if (s[0] == '(') {
		i = comment_end(s, 0, n);
		if (i == 0 || i + 1 >= n || s[i] != ' ' || s[i + 1] == ' ')
			return 0;
		i0 = i + 1;
		i = i0;
	}
	/* short inputs: every octet classified once, up front (scan.c) */
	if (n <= ADDR__SCAN_MAX) {
		addr__scan_masks(s, n, &wh.m, wh.low, wh.copy);
		wh.piece = NULL;
		whole = &wh;
	}
	rc = fast_spec(p, i0, n, &e, &pre, &f, &qlocal, whole);
	if (rc < 0)
		goto nomem;
	if (rc == 1) {
		d = n;
		lt = i0;
	} else {
		if (p->prod == ADDR_P_ADDR_SPEC)
			return 0;
		/* phrase: atoms (with the dots of obs-phrase when lenient)
		 * and quoted-strings of printable ASCII, SP and quoted-pairs,
		 * separated by single SPs, then "<" after SP or directly */
		if (s[i0] != '<') {
			for (;;) {
				size_t w = i;
				if (s[i] == '"') {
					for (i++; i < n && s[i] != '"'; i++) {
						if (s[i] == '\\') {
							if (i + 1 >= n || s[i + 1] < 0x20 ||
							    s[i + 1] >= 0x7F)
								return 0;
							i++;
						} else if (s[i] < 0x20 || s[i] >= 0x7F) {
							return 0;
						}
					}
					if (i >= n)
						return 0;
					i++;
					quoted = 1;
				} else {
					for (;;) {
						/* each atom of the word may be an
						 * encoded-word: the general path */
						if ((p->flags & ADDR_F_DECODE_2047) &&
						    i + 1 < n && s[i] == '=' &&
						    s[i + 1] == '?')
							return 0;
						i = whole ? mask_run(whole->m.atext, i, n)
							  : atext_run(s, i, n);
						if (i >= n || s[i] != '.')
							break;
						/* obs-phrase: never its first octet */
						if (!p->lenient || i == i0)
							return 0;
						if (dot == 0)
							dot = i + 1;
						i++;
					}
					if (i == w)
						return 0;
				}
				pe = i;
				if (i < n && s[i] == '<')
					break;
				if (i < n && (s[i] == '(' || s[i] == '@') && w == i0 &&
				    !quoted && whole != NULL) {
					/* "local(comment)@domain" or
					 * "local@(comment)domain" */
					goto near_at;
				}
				if (i + 1 < n && s[i] == ' ' && s[i + 1] == '(') {
					/* "phrase (comment) <": the comment
					 * is no part of the name */
					i = comment_end(s, i + 1, n);
					if (i == 0 || i + 1 >= n)
						return 0;
					if (s[i] == ' ')
						i++;
					if (s[i] == '<')
						break;
					return 0;
				}
				if (i + 1 >= n || s[i] != ' ')
					return 0;
				i++;
				if (s[i] == '<')
					break;
			}
		}
		lt = i;
		angle = 1;
		if (s[n - 1] != '>')
			return 0;
		rc = fast_spec(p, lt + 1, n - 1, &e, &pre, &f, &qlocal, whole);
		if (rc < 0)
			goto nomem;
		if (rc == 0)
			return 0;
		d = n - 1;
	}
	ls = angle ? lt + 1 : lt;
	ll = e - ls;
	ds = e + 1;
	goto build;
near_at:
	/* the local part is the first word, a dot-atom; a comment may stand
	 * on either side of the "@" (obs-local-part, obs-domain: each a
	 * DEPREC_CFWS_NEAR_AT at its "("); no leading or trailing comment */
	if (!p->lenient || i0 != 0 || note != 0 ||
	    addr__mb_dotatom_end(s, 0, i) != i)
		return 0;
	ll = i;
	if (s[i] == '(') {
		near[0] = i + 1;
		if ((i = comment_end(s, i, n)) == 0)
			return 0;
	}
	if (i >= n || s[i] != '@')
		return 0;
	e = i++;
	if (i < n && s[i] == '(') {
		near[1] = i + 1;
		if ((i = comment_end(s, i, n)) == 0)
			return 0;
	}
	if (near[0] == 0 && near[1] == 0)
		return 0;
	/* the domain: a dot-atom to the end */
	if (i >= n || addr__mb_dotatom_end(s, i, n) != n)
		return 0;
	if ((rc = whole_domain(p, whole, i, n, &pre, &f)) <= 0) {
		if (rc < 0)
			goto nomem;
		return 0;
	}
	f.local = whole->piece;
	f.llen = ll;
	f.local[ll] = f.given[n - i] = f.lower[n - i] = '\0';
	ls = 0;
	ds = i;
	d = n;
	dot = 0;
build:
	m = addr__result_new_addr(p->r);
	if (m == NULL)
		goto nomem;
	addr__mb_init_mailbox(m);
	m->span_length = full;
	if (i0 && !angle && addr__mb_emit(p, ADDR_D_CFWS_COMMENT, 0) < 0)
		return 1;
	if (note && !angle && addr__mb_emit(p, ADDR_D_CFWS_COMMENT, note) < 0)
		return 1;
	if (dot && addr__mb_emit(p, ADDR_D_DEPREC_PHRASE, dot - 1) < 0)
		return 1;
	for (k = 0; k < 2; k++)
		if (near[k] && addr__mb_emit(p, ADDR_D_DEPREC_CFWS_NEAR_AT, near[k] - 1) < 0)
			return 1;
	if (lt > i0) {
		char *dn;
		size_t dl = pe - i0;

		if (whole != NULL) {
			/* before the "<": in the piece, ended on the SP or "<" */
			dn = whole->piece + i0;
			dn[dl] = '\0';
		} else if ((dn = addr__result_strdup(p->r, (const char *)s + i0,
						     dl)) == NULL) {
			p->nomem = p->stop = 1;
			return 1;
		}
		if (quoted) {
			/* the quoted-strings' content: quotes dropped, pairs
			 * resolved */
			int inq = 0;
			for (k = i0, dl = 0; k < pe; k++) {
				if (s[k] == '"') {
					inq = !inq;
					continue;
				}
				if (inq && s[k] == '\\')
					k++;
				dn[dl++] = (char)s[k];
			}
			dn[dl] = '\0';
		}
		m->has_display_name = 1;
		m->display_name.ptr = dn;
		m->display_name.len = dl;
	}
	/* what finish_spec does, for an ASCII dot-atom local part and an
	 * ASCII name: no NFC, no IDNA, the canonical and given forms equal
	 * (tests/test_fastpath.c compares the two paths) */
	{
		size_t dl = d - ds, canon = ll, vl = f.llen;

		m->local_part.ptr = f.local;
		m->local_part.len = vl;
		if (qlocal) {
			/* RFC 5321 §4.1.2: quoting is to be avoided */
			if (addr__mb_emit(p, ADDR_D_RFC5321_QUOTEDSTRING, ls) < 0)
				return 1;
			canon = addr__mb_quoted_len(f.local, vl);
		}
		m->domain.ptr = f.given;
		m->domain.len = dl;
		m->domain_kind = ADDR_DK_NAME;
		for (k = 0; k < pre.ndiag; k++)
			if (addr__mb_emit(p, pre.diag[k].code, ds + pre.diag[k].offset) < 0)
				return 1;
		if (pre.forms_ok) {
			m->a_label.ptr = m->u_label.ptr = f.lower;
			m->a_label.len = m->u_label.len = dl;
		}
		/* the given form counts the quotes, the canonical may not */
		if ((ll > 64 || canon > 64) &&
		    addr__mb_emit(p, ADDR_D_RFC5322_LOCAL_TOOLONG, ls) < 0)
			return 1;
		if ((ll + 1 + dl > 254 || canon + 1 + dl > 254) &&
		    addr__mb_emit(p, ADDR_D_RFC5322_TOOLONG, ls) < 0)
			return 1;
	}
	return 1;
nomem:
	p->nomem = p->stop = 1;
	return 1;
}
