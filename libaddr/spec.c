/*
 * spec.c - the checks and strings of a syntactically valid addr-spec:
 * local part (unquoted, NFC check, canonical length), domain (names
 * through domain.c, literals), lengths, envelope escalation
 *
 * EXPORTS (private, parse.h)
 *	addr__mb_literal_content()
 *	addr__mb_has_nonascii()
 *	addr__mb_quoted_len()
 *	addr__mb_finish_spec()
 */
#include <string.h>
#include "domain.h"
#include "result.h"
#include "parse.h"

/* --------------------------------------------------------- addr-specs */

/* literal_content - the text of a valid domain literal's inside: folding
 * CRLFs go, a quoted-pair stays whole (an escaped CR is content) */
size_t addr__mb_literal_content(const struct parser *p, size_t cs, size_t ce,
			      char *out)
{
	size_t i = cs, n = 0;

	while (i < ce) {
		if (p->s[i] == '\\' && i + 1 < ce) {
			out[n++] = (char)p->s[i++];
			out[n++] = (char)p->s[i++];
		} else if (p->s[i] == '\r' && i + 1 < ce && p->s[i + 1] == '\n') {
			i += 2;
		} else {
			out[n++] = (char)p->s[i++];
		}
	}
	out[n] = '\0';
	return n;
}

/* map_domain_off - input offset of given-form offset g in a domain span */
static size_t map_domain_off(const struct parser *p, const struct aspec *a,
			     size_t g)
{
	size_t i = a->dom_start, k = 0;

	if (a->dom_simple)
		return a->dom_start + g;
	while (i < a->dom_end) {
		unsigned char c = p->s[i];
		if (c == '(') {
			i = addr__mb_skip_comment(p->s, i, a->dom_end);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
			continue;
		}
		if (k == g)
			return i;
		k++;
		i++;
	}
	return a->dom_start;
}

static int escalated(int code)
{
	switch (code) {
	case ADDR_D_RFC5322_DOMAIN:
	case ADDR_D_RFC5322_HYPHENSTART:
	case ADDR_D_RFC5322_HYPHENEND:
	case ADDR_D_IDNA_MAPPED:
	case ADDR_D_IDNA_DISALLOWED:
	case ADDR_D_IDNA_ALABEL:
	case ADDR_D_IDNA_BIDI:
	case ADDR_D_IDNA_CONTEXT:
	case ADDR_D_IDNA_FORM:
	case ADDR_D_RFC5322_DOMAINLITERAL:
	case ADDR_D_RFC5322_IPV6_GRPCOUNT:
	case ADDR_D_RFC5322_IPV6_2X2XCOLON:
	case ADDR_D_RFC5322_IPV6_BADCHAR:
	case ADDR_D_RFC5322_IPV6_MAXGRPS:
	case ADDR_D_RFC5322_IPV6_COLONSTRT:
	case ADDR_D_RFC5322_IPV6_COLONEND:
		return 1;
	default:
		return 0;
	}
}


/* quoted_len - length of the §5 rule 2 form of a local part */
size_t addr__mb_quoted_len(const char *s, size_t n)
{
	size_t i, q = 2;

	if (addr__dotatom_text(s, n))
		return n;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		q += (c == '"' || c == '\\' || c < 0x20 || c == 0x7F) ? 2 : 1;
	}
	return q;
}

int addr__mb_has_nonascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * finish_spec - a syntactically valid addr-spec: build its strings, run
 * the domain, NFC and length checks (spec §2, §3), fill the mailbox.
 * env_path_len: for envelope mode the path length incl. route and
 * brackets, else 0.
 */
int addr__mb_finish_spec(struct parser *p, const struct aspec *a,
		       struct addr_mailbox *m, int envelope, size_t env_path_len)
{
	struct addr_mailbox_result *r = p->r;
	struct addr__domain dom, *dp = &dom;
	struct addr_buf *nfc = &r->scratch_[3];
	char *local, *given, *lower = NULL;
	size_t llen, lgiven, glen, canon, i, cap, dcap;
	int rc, not_nfc = 0, canon_bound = 0;
	unsigned lflags;

	/* local part; for a name also room for its given and lowercased
	 * forms, in one piece of the arena */
	cap = a->lp_end - a->lp_start;
	dcap = a->literal ? 0 : a->dom_end - a->dom_start;
	local = addr__result_alloc(r, cap + 1 + (a->literal ? 0 : 2 * (dcap + 1)));
	if (local == NULL)
		goto nomem;
	if (a->lp_simple) {
		memcpy(local, p->s + a->lp_start, cap);
		local[cap] = '\0';
		llen = lgiven = cap;
	} else {
		llen = addr__mb_plain_value(p->s, a->lp_start, a->lp_end, local, &lgiven);
	}
	m->local_part.ptr = local;
	m->local_part.len = llen;
	canon = llen;
	if (a->lp8 && addr__mb_has_nonascii(local, llen)) {
		addr_buf_clear(nfc);
		rc = addr__text_nfc(nfc, local, llen);
		if (rc == ADDR_ENOMEM)
			goto nomem;
		if (rc == 0 && (nfc->size != llen || memcmp(nfc->ptr, local, llen))) {
			not_nfc = 1;
			canon = addr__mb_quoted_len(nfc->ptr, nfc->size);
			m->smtputf8 = addr__mb_has_nonascii(nfc->ptr, nfc->size);
		} else {
			canon = 2 + 2 * llen;	/* a bound, as below */
			canon_bound = 1;
			m->smtputf8 = 1;
		}
	} else if (!a->lp_simple) {
		/* the canonical form counts only for the length limits and is
		 * never longer than 2 + 2 * llen: start from that bound and
		 * count exactly only if the bound reaches a limit (below) */
		canon = 2 + 2 * llen;
		canon_bound = 1;
	}
	if (not_nfc && addr__mb_emit(p, ADDR_D_UTF8_NOT_NFC, a->lp_start) < 0)
		return -1;

	/* domain */
	if (a->literal) {
		size_t cs = a->dom_start + 1, ce = a->dom_end - 1;
		char *content = addr__result_alloc(r, ce - cs + 1);
		char *canon_lit = addr__result_alloc(r, ce - cs + 80);

		if (content == NULL || canon_lit == NULL)
			goto nomem;
		glen = addr__mb_literal_content(p, cs, ce, content);
		lflags = (envelope ? ADDR__LIT_ENVELOPE : 0) |
			 (p->lenient ? ADDR__LIT_LENIENT : 0);
		addr__domain_literal(dp, content, glen, a->lit_fws, lflags,
				     canon_lit);
		m->domain.ptr = content;
		m->domain.len = glen;
		glen += 2;	/* the brackets count in the given form */
	} else {
		given = local + cap + 1;
		lower = given + dcap + 1;
		if (a->dom_simple) {
			memcpy(given, p->s + a->dom_start, dcap);
			given[dcap] = '\0';
			glen = dcap;
		} else {
			glen = addr__mb_plain_value(p->s, a->dom_start, a->dom_end, given, NULL);
		}
		m->domain.ptr = given;
		m->domain.len = glen;
		rc = addr__domain_name(dp, given, glen, lower, &r->scratch_[1],
				       &r->scratch_[2], &r->scratch_[0]);
		if (rc < 0)
			goto nomem;
		if (!dp->forms_ok && addr__mb_has_nonascii(given, glen))
			m->smtputf8 = 1;
	}
	m->domain_kind = dp->kind;
	/* report the domain's diagnoses in order; in envelope mode the first
	 * one that is not RFC 5321 syntax is escalated (spec §1.2) */
	for (i = 0; i < dp->ndiag; i++) {
		size_t k, best = i;
		struct addr_diag t;
		for (k = i + 1; k < dp->ndiag; k++)
			if (dp->diag[k].offset < dp->diag[best].offset)
				best = k;
		t = dp->diag[i];
		dp->diag[i] = dp->diag[best];
		dp->diag[best] = t;
	}
	for (i = 0; i < dp->ndiag; i++) {
		int code = dp->diag[i].code;
		size_t off = a->literal ? a->dom_start
					: map_domain_off(p, a, dp->diag[i].offset);
		if (addr__mb_emit(p, code, off) < 0)
			return -1;
		if (envelope && escalated(code) &&
		    !(code == ADDR_D_RFC5322_DOMAINLITERAL &&
		      dp->kind == ADDR_DK_GENERAL))
			return addr__mb_emit(p, ADDR_D_ERR_ENVELOPE, off);
	}
	if (dp->forms_ok) {
		/* ASCII names and literals are already in the arena */
		m->a_label.ptr = (dp->a == lower || a->literal) ? dp->a
				 : addr__result_strdup(r, dp->a, dp->alen);
		m->u_label.ptr = (dp->u == dp->a) ? m->a_label.ptr
				 : addr__result_strdup(r, dp->u, dp->ulen);
		if (m->a_label.ptr == NULL || m->u_label.ptr == NULL)
			goto nomem;
		m->a_label.len = dp->alen;
		m->u_label.len = dp->ulen;
	} else {
		m->a_label.ptr = m->u_label.ptr = "";
	}

	/* lengths (spec §3) */
	if (canon_bound && (canon > 64 || canon + 1 + dp->alen > 254 ||
			    canon + 1 + dp->ulen > 254))
		canon = addr__mb_quoted_len(local, llen);
	if (lgiven > 64 || canon > 64)
		if (addr__mb_emit(p, ADDR_D_RFC5322_LOCAL_TOOLONG, a->lp_start) < 0)
			return -1;
	if (lgiven + 1 + glen > 254 || canon + 1 + dp->alen > 254 ||
	    canon + 1 + dp->ulen > 254 || env_path_len > 256)
		if (addr__mb_emit(p, ADDR_D_RFC5322_TOOLONG, a->lp_start) < 0)
			return -1;
	return 0;
nomem:
	p->nomem = p->stop = 1;
	return -1;
}
