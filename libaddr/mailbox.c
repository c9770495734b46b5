/*
 * mailbox.c - the RFC 5321 / 5322 / 6531 / 6532 address parser
 *
 * EXPORTS
 *	addr_mailbox_parse()	parse one path (envelope mode) or one field
 *				body (header mode) into a result
 *
 * DESCRIPTION
 *	One left-to-right pass (spec-address.md §1.4): the first ERROR-class
 *	diagnosis ends it. Component checks (lengths, domains, literals) run
 *	when their component ends, and only if no error came before.
 *
 *	In header mode the words before an "@", "<" or ":" are either a local
 *	part or a display name, and which one is known only at that
 *	terminator. Both readings are followed at once: each "view" records
 *	its diagnoses provisionally (tagged) and, once the terminator decides,
 *	the losing view's diagnoses are dropped. Lexical diagnoses (obsolete
 *	text, CR/LF rules, UTF-8) belong to both and are recorded untagged.
 *	Where only one reading is possible (the addr-spec production, inside
 *	angle brackets, the envelope) the local-part view runs alone and its
 *	first error ends the parse at once, as in is_email.
 *
 *	Values (local part, domain, display name) are not built while
 *	lexing: once a component is known to be valid its raw span is
 *	scanned again, which is simpler than carrying values through the
 *	provisional views. Strings go into the result's arena; an ASCII
 *	envelope path fits the inline part and allocates nothing.
 *
 * DIAGNOSTICS
 *	0 when the category is not ERROR, ADDR_ESYNTAX when it is,
 *	ADDR_ENOMEM when an allocation failed (the result is then empty).
 */
#include <string.h>
#include "mailbox_int.h"
#include "domain.h"
#include "result.h"
#include "scan.h"

/* ---------------------------------------------------- character classes */

#define A ADDR__C_ATEXT
#define W ADDR__C_WSP
#define Q ADDR__C_QTEXT
#define C ADDR__C_CTEXT
#define D ADDR__C_DTEXT
#define O ADDR__C_OBSCTL
#define V ADDR__C_VCHAR
#define L ADDR__C_LDH

const unsigned char addr__cclass[256] = {
	/* NUL, 1-8 obs-NO-WS-CTL, HT, LF, 11-12 obs, CR, 14-31 obs */
	0, O, O, O, O, O, O, O, O, W, 0, O, O, 0, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	/* SP ! " # $ % & ' ( ) * + , - . / */
	W, A|Q|C|D|V, C|D|V, A|Q|C|D|V, A|Q|C|D|V, A|Q|C|D|V, A|Q|C|D|V,
	A|Q|C|D|V, Q|D|V, Q|D|V, A|Q|C|D|V, A|Q|C|D|V, Q|C|D|V,
	A|Q|C|D|V|L, Q|C|D|V, A|Q|C|D|V,
	/* 0-9 */
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	/* : ; < = > ? @ */
	Q|C|D|V, Q|C|D|V, Q|C|D|V, A|Q|C|D|V, Q|C|D|V, A|Q|C|D|V, Q|C|D|V,
	/* A-Z */
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L,
	/* [ \ ] ^ _ ` */
	Q|C|V, V, Q|C|V, A|Q|C|D|V, A|Q|C|D|V, A|Q|C|D|V,
	/* a-z */
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L, A|Q|C|D|V|L,
	A|Q|C|D|V|L,
	/* { | } ~ DEL */
	A|Q|C|D|V, A|Q|C|D|V, A|Q|C|D|V, A|Q|C|D|V, O,
	/* 128-255: only UTF8-non-ascii, handled separately */
};

#undef A
#undef W
#undef Q
#undef C
#undef D
#undef O
#undef V
#undef L

/* ------------------------------------------------------------ the parser */

#define TAG_LP 0x10000	/* provisional: local-part reading */
#define TAG_PH 0x20000	/* provisional: display-name reading */
#define TAG_MASK 0x30000

struct parser {
	const unsigned char *s;
	size_t n, i;
	unsigned flags;
	int prod;
	int lenient, utf8;
	struct addr_mailbox_result *r;
	int stop;		/* an error or ENOMEM ended the parse */
	int nomem;
	int ctl_seen;		/* UTF8_CONTROL reported in this component */
	int saw8;		/* a non-ASCII octet since the last reset */
};

struct run {			/* one maximal run of FWS and comments */
	size_t off;
	int comment;
};

/* emit - record a diagnosis; -1 if it ends the parse */
static int emit(struct parser *p, int code, size_t off)
{
	if (p->stop)
		return -1;
	if (addr__result_diag(p->r, code, off) < 0) {
		p->nomem = 1;
		p->stop = 1;
		return -1;
	}
	if (addr_diag_category(code & ~TAG_MASK) == ADDR_CAT_ERROR &&
	    !(code & TAG_MASK)) {
		p->stop = 1;
		return -1;
	}
	return 0;
}

/* obs - obsolete syntax: a DEPRECATED diagnosis, and without the lenient
 * flag ERR_OBSOLETE at the same offset (spec §1.3.5) */
static int obs(struct parser *p, int code, size_t off)
{
	if (emit(p, code, off) < 0)
		return -1;
	if (!p->lenient)
		return emit(p, ADDR_D_ERR_OBSOLETE, off);
	return 0;
}

static int at_end(const struct parser *p)
{
	return p->i >= p->n;
}

/* utf8_char - validate the UTF-8 sequence at p->i; its length or 0 after
 * reporting ERR_UTF8_MALFORMED. Reports UTF8_CONTROL once per component
 * when report_ctl is set. */
static size_t utf8_char(struct parser *p, int report_ctl)
{
	size_t k = addr__utf8_seqlen(p->s + p->i, p->n - p->i);
	uint32_t cp;

	p->saw8 = 1;
	if (k == 0) {
		emit(p, ADDR_D_ERR_UTF8_MALFORMED, p->i);
		return 0;
	}
	if (report_ctl && !p->ctl_seen) {
		cp = addr__utf8_decode(p->s + p->i, k);
		if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
			p->ctl_seen = 1;
			if (emit(p, ADDR_D_UTF8_CONTROL, p->i) < 0)
				return 0;
		}
	}
	return k;
}

/* ------------------------------------------------------------- lexers */

/*
 * fws - consume WSP and CRLF-WSP from p->i (RFC 5322 §3.2.2 with erratum
 * 1908). The CRLF rules of spec §1.3.1 apply. *crlfs counts the CRLFs of
 * this FWS; a second one is obs-FWS.
 */
static int fws(struct parser *p, int *crlfs)
{
	while (!at_end(p)) {
		unsigned char c = p->s[p->i];

		if (c == ' ' || c == '\t') {
			p->i++;
			continue;
		}
		if (c != '\r')
			break;
		if (p->i + 1 >= p->n || p->s[p->i + 1] != '\n')
			return emit(p, ADDR_D_ERR_CR_NO_LF, p->i);
		if (p->i + 2 < p->n && p->s[p->i + 2] == '\r')
			return emit(p, ADDR_D_ERR_FWS_CRLF_X2, p->i + 2);
		if (p->i + 2 >= p->n ||
		    (p->s[p->i + 2] != ' ' && p->s[p->i + 2] != '\t'))
			return emit(p, ADDR_D_ERR_FWS_CRLF_END, p->i);
		if (++*crlfs == 2 && obs(p, ADDR_D_DEPREC_FWS, p->i) < 0)
			return -1;
		p->i += 2;
	}
	return 0;
}

/* quoted_pair - p->i is at a quoting "\" inside a quoted-string or
 * comment (header mode); consume the pair */
static int quoted_pair(struct parser *p)
{
	size_t bs = p->i;
	unsigned char c;

	if (bs + 1 >= p->n)
		return emit(p, ADDR_D_ERR_BACKSLASHEND, bs);
	c = p->s[bs + 1];
	if (addr__is(c, ADDR__C_VCHAR | ADDR__C_WSP)) {
		p->i += 2;
		return 0;
	}
	if (c == 0 || c == '\n' || c == '\r' || addr__is(c, ADDR__C_OBSCTL)) {
		p->i += 2;
		return obs(p, ADDR_D_DEPREC_QP, bs);
	}
	if (c >= 0x80 && p->utf8) {	/* RFC 6532 §3.2 extends VCHAR */
		size_t k;
		p->i = bs + 1;
		if ((k = utf8_char(p, 1)) == 0)
			return -1;
		p->i += k;
		return 0;
	}
	return emit(p, ADDR_D_ERR_EXPECTING_QPAIR, bs + 1);
}

/* comment - p->i is at "("; consume the (nested) comment */
static int comment(struct parser *p)
{
	size_t open = p->i;
	int depth = 0, crlfs;

	while (!at_end(p)) {
		unsigned char c = p->s[p->i];

		if (addr__is(c, ADDR__C_CTEXT) || c == ' ') {
			/* the bulk of a comment: one table test an octet */
			const unsigned char *s = p->s;
			size_t i = p->i + 1, n = p->n;
			while (i < n && (addr__is(s[i], ADDR__C_CTEXT) || s[i] == ' '))
				i++;
			p->i = i;
		} else if (c == '(') {
			depth++;
			p->i++;
		} else if (c == ')') {
			p->i++;
			if (--depth == 0)
				return 0;
		} else if (c == '\\') {
			if (quoted_pair(p) < 0)
				return -1;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			crlfs = 0;
			if (fws(p, &crlfs) < 0)
				return -1;
		} else if (addr__is(c, ADDR__C_CTEXT)) {
			p->i++;
		} else if (addr__is(c, ADDR__C_OBSCTL)) {
			if (obs(p, ADDR_D_DEPREC_CTEXT, p->i) < 0)
				return -1;
			p->i++;
		} else if (c >= 0x80 && p->utf8) {
			size_t k = utf8_char(p, 1);
			if (k == 0)
				return -1;
			p->i += k;
		} else {
			return emit(p, ADDR_D_ERR_EXPECTING_CTEXT, p->i);
		}
	}
	return emit(p, ADDR_D_ERR_UNCLOSEDCOMMENT, open);
}

/* cfws - consume a maximal run of FWS and comments; p->i is at WSP, CR
 * or "(" */
static int cfws(struct parser *p, struct run *run)
{
	int crlfs = 0;

	run->off = p->i;
	run->comment = 0;
	while (!at_end(p)) {
		unsigned char c = p->s[p->i];

		if (c == ' ' || c == '\t' || c == '\r') {
			if (fws(p, &crlfs) < 0)
				return -1;
		} else if (c == '(') {
			run->comment = 1;
			crlfs = 0;	/* a comment ends one FWS */
			if (comment(p) < 0)
				return -1;
		} else {
			break;
		}
	}
	return 0;
}

static int is_cfws_start(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '(';
}

/*
 * qstring - p->i is at DQUOTE; consume the quoted-string. fws_diag: emit
 * CFWS_FWS (with that tag) for HT and folding inside, as in a local part.
 */
static int qstring(struct parser *p, int fws_diag, int tag)
{
	size_t open = p->i;
	int crlfs;

	p->i++;
	while (!at_end(p)) {
		unsigned char c = p->s[p->i];

		if (c == '"') {
			p->i++;
			return 0;
		} else if (c == '\\') {
			if (quoted_pair(p) < 0)
				return -1;
		} else if (c == ' ') {
			p->i++;
		} else if (c == '\t' || c == '\r') {
			size_t at = p->i;
			crlfs = 0;
			if (fws(p, &crlfs) < 0)
				return -1;
			if (fws_diag && emit(p, ADDR_D_CFWS_FWS | tag, at) < 0)
				return -1;
		} else if (addr__is(c, ADDR__C_QTEXT)) {
			p->i++;
		} else if (addr__is(c, ADDR__C_OBSCTL)) {
			if (obs(p, ADDR_D_DEPREC_QTEXT, p->i) < 0)
				return -1;
			p->i++;
		} else if (c >= 0x80 && p->utf8) {
			size_t k = utf8_char(p, 1);
			if (k == 0)
				return -1;
			p->i += k;
		} else {
			return emit(p, ADDR_D_ERR_EXPECTING_QTEXT, p->i);
		}
	}
	return emit(p, ADDR_D_ERR_UNCLOSEDQUOTEDSTR, open);
}

/* atom - consume 1*atext (UTF8-non-ascii included with the flag) */
static int atom(struct parser *p, int report_ctl)
{
	const unsigned char *s = p->s;
	size_t i = p->i, n = p->n;

	while (i < n && addr__is(s[i], ADDR__C_ATEXT))
		i++;
	p->i = i;
	while (!at_end(p)) {
		unsigned char c = p->s[p->i];

		if (addr__is(c, ADDR__C_ATEXT)) {
			p->i++;
		} else if (c >= 0x80 && p->utf8) {
			size_t k = utf8_char(p, report_ctl);
			if (k == 0)
				return -1;
			p->i += k;
		} else {
			break;
		}
	}
	return 0;
}

static int is_atom_start(const struct parser *p, unsigned char c)
{
	return addr__is(c, ADDR__C_ATEXT) || (c >= 0x80 && p->utf8);
}

/* --------------------------------------------------- rescanning values */

/* skip_comment - skip a valid comment at s[i] (already checked) */
static size_t skip_comment(const unsigned char *s, size_t i, size_t end)
{
	int depth = 0;

	while (i < end) {
		if (s[i] == '\\')
			i += 2;
		else if (s[i] == '(')
			depth++, i++;
		else if (s[i] == ')') {
			i++;
			if (--depth == 0)
				break;
		} else
			i++;
	}
	return i;
}

/* qs_value - append the content of a valid quoted-string at s[i]:
 * quoted-pairs resolved, CRLFs removed; returns the index after it */
static size_t qs_value(const unsigned char *s, size_t i, size_t end, char *out,
		       size_t *olen)
{
	i++;
	while (i < end && s[i] != '"') {
		if (s[i] == '\\') {
			out[(*olen)++] = (char)s[i + 1];
			i += 2;
		} else if (s[i] == '\r') {
			i += 2;		/* CRLF of a fold */
		} else {
			out[(*olen)++] = (char)s[i++];
		}
	}
	return i + 1;
}

/* plain_value - the value of a valid dot-atom / obs-local-part span:
 * CFWS removed, quoted-strings unquoted. *given gets the length of the
 * given form (quotes and pairs kept, CFWS and folding removed). */
static size_t plain_value(const unsigned char *s, size_t i, size_t end,
			  char *out, size_t *given)
{
	size_t olen = 0, g = 0, j;

	while (i < end) {
		unsigned char c = s[i];

		if (c == '(') {
			i = skip_comment(s, i, end);
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
		} else if (c == '"') {
			j = i;
			i = qs_value(s, i, end, out, &olen);
			for (; j < i; j++)
				if (s[j] != '\r' && s[j] != '\n')
					g++;
		} else {
			out[olen++] = (char)c;
			g++;
			i++;
		}
	}
	out[olen] = '\0';
	if (given)
		*given = g;
	return olen;
}

/* --------------------------------------------------------- addr-specs */

/* literal_content - the text of a valid domain literal's inside: folding
 * CRLFs go, a quoted-pair stays whole (an escaped CR is content) */
static size_t literal_content(const struct parser *p, size_t cs, size_t ce,
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

struct aspec {
	size_t lp_start, lp_end;	/* first word .. end of last word */
	int lp_simple;			/* raw span is the value (atoms, dots) */
	int lp8;			/* the local part has a non-ASCII octet */
	size_t dom_start, dom_end;	/* first atom or "[" .. last octet */
	int dom_simple;			/* no CFWS inside */
	int literal, lit_fws;
};

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
			i = skip_comment(p->s, i, a->dom_end);
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

static int is_dotatom_text(const char *s, size_t n)
{
	size_t i;
	int prev_dot = 1;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (prev_dot)
				return 0;
			prev_dot = 1;
		} else if (addr__is(c, ADDR__C_ATEXT) || c >= 0x80) {
			prev_dot = 0;
		} else {
			return 0;
		}
	}
	return !prev_dot;
}

/* quoted_len - length of the §5 rule 2 form of a local part */
static size_t quoted_len(const char *s, size_t n)
{
	size_t i, q = 2;

	if (is_dotatom_text(s, n))
		return n;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		q += (c == '"' || c == '\\' || c < 0x20 || c == 0x7F) ? 2 : 1;
	}
	return q;
}

static int has_nonascii(const char *s, size_t n)
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
static int finish_spec(struct parser *p, const struct aspec *a,
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
		llen = plain_value(p->s, a->lp_start, a->lp_end, local, &lgiven);
	}
	m->local_part.ptr = local;
	m->local_part.len = llen;
	canon = llen;
	if (a->lp8 && has_nonascii(local, llen)) {
		addr_buf_clear(nfc);
		rc = addr__text_nfc(nfc, local, llen);
		if (rc == ADDR_ENOMEM)
			goto nomem;
		if (rc == 0 && (nfc->size != llen || memcmp(nfc->ptr, local, llen))) {
			not_nfc = 1;
			canon = quoted_len(nfc->ptr, nfc->size);
			m->smtputf8 = has_nonascii(nfc->ptr, nfc->size);
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
	if (not_nfc && emit(p, ADDR_D_UTF8_NOT_NFC, a->lp_start) < 0)
		return -1;

	/* domain */
	if (a->literal) {
		size_t cs = a->dom_start + 1, ce = a->dom_end - 1;
		char *content = addr__result_alloc(r, ce - cs + 1);
		char *canon_lit = addr__result_alloc(r, ce - cs + 80);

		if (content == NULL || canon_lit == NULL)
			goto nomem;
		glen = literal_content(p, cs, ce, content);
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
			glen = plain_value(p->s, a->dom_start, a->dom_end, given, NULL);
		}
		m->domain.ptr = given;
		m->domain.len = glen;
		rc = addr__domain_name(dp, given, glen, lower, &r->scratch_[1],
				       &r->scratch_[2], &r->scratch_[0]);
		if (rc < 0)
			goto nomem;
		if (!dp->forms_ok && has_nonascii(given, glen))
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
		if (emit(p, code, off) < 0)
			return -1;
		if (envelope && escalated(code) &&
		    !(code == ADDR_D_RFC5322_DOMAINLITERAL &&
		      dp->kind == ADDR_DK_GENERAL))
			return emit(p, ADDR_D_ERR_ENVELOPE, off);
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
		canon = quoted_len(local, llen);
	if (lgiven > 64 || canon > 64)
		if (emit(p, ADDR_D_RFC5322_LOCAL_TOOLONG, a->lp_start) < 0)
			return -1;
	if (lgiven + 1 + glen > 254 || canon + 1 + dp->alen > 254 ||
	    canon + 1 + dp->ulen > 254 || env_path_len > 256)
		if (emit(p, ADDR_D_RFC5322_TOOLONG, a->lp_start) < 0)
			return -1;
	return 0;
nomem:
	p->nomem = p->stop = 1;
	return -1;
}

/* route_add - keep one source-route domain, copied into the arena, in
 * a list that grows by doubling (routes are rare and short) */
static int route_add(struct parser *p, struct addr_str **v, size_t *n,
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
static int env_dotatom(struct parser *p, size_t *last_dot, int allow_utf8)
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
				return emit(p, p->i == start ? ADDR_D_ERR_DOT_START
						: ADDR_D_ERR_CONSECUTIVEDOTS, p->i);
			}
			*last_dot = p->i;
			prev_dot = 1;
			p->i++;
		} else if (is_atom_start(p, c)) {
			if (atom(p, 0) < 0) {
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
		return emit(p, ADDR_D_ERR_DOT_END, *last_dot);
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
				return emit(p, ADDR_D_ERR_BACKSLASHEND, p->i);
			c = p->s[p->i + 1];
			if (c < 32 || c > 126)
				return emit(p, ADDR_D_ERR_EXPECTING_QPAIR, p->i + 1);
			p->i += 2;
		} else if (c == ' ' || addr__is(c, ADDR__C_QTEXT)) {
			p->i++;
		} else if (c >= 0x80 && p->utf8) {
			size_t k = utf8_char(p, 1);
			if (k == 0)
				return -1;
			p->i += k;
		} else {
			return emit(p, ADDR_D_ERR_EXPECTING_QTEXT, p->i);
		}
	}
	return emit(p, ADDR_D_ERR_UNCLOSEDQUOTEDSTR, open);
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

static int parse_envelope(struct parser *p)
{
	struct addr_mailbox *m;
	struct aspec a;
	size_t last_dot = 0, nroute = 0, rcap = 0;
	struct addr_str *route = NULL;

	memset(&a, 0, sizeof(a));
	if (p->n == 0 || p->s[0] != '<')
		return emit(p, ADDR_D_ERR_ANGLE, 0);
	p->i = 1;
	if (p->n >= 2 && p->s[1] == '>') {
		if (p->prod == ADDR_P_FORWARD_PATH)
			return emit(p, ADDR_D_ERR_NULLPATH, 0);
		if (p->n > 2)
			return emit(p, ADDR_D_ERR_TRAILING, 2);
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
			return emit(p, ADDR_D_ERR_TRAILING, 12);
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
		if (emit(p, ADDR_D_DEPREC_ROUTE, 1) < 0)
			return -1;
		for (;;) {
			size_t ds;
			if (at_end(p) || p->s[p->i] != '@')
				return emit(p, at_end(p) ? ADDR_D_ERR_ANGLE
					    : ADDR_D_ERR_EXPECTING_ATEXT,
					    at_end(p) ? 0 : p->i);
			p->i++;
			ds = p->i;
			if (env_dotatom(p, &last_dot, 0) < 0)
				return -1;
			if (p->i == ds)
				return emit(p, ADDR_D_ERR_NODOMAIN, p->i);
			if (route_add(p, &route, &nroute, &rcap, ds, p->i - ds) < 0)
				goto nomem;
			if (at_end(p))
				return emit(p, ADDR_D_ERR_ANGLE, 0);
			if (p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->s[p->i] == ':') {
				p->i++;
				break;
			}
			return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
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
		if (emit(p, ADDR_D_RFC5321_QUOTEDSTRING, open) < 0)
			return -1;
		if (!at_end(p) && p->s[p->i] != '@' && p->s[p->i] != '>')
			return emit(p, is_atom_start(p, p->s[p->i])
				    ? ADDR_D_ERR_ATEXT_AFTER_QS
				    : ADDR_D_ERR_EXPECTING_ATEXT, p->i);
	} else {
		a.lp_simple = 1;
		if (!at_end(p) && p->s[p->i] == '@')
			return emit(p, ADDR_D_ERR_NOLOCALPART, p->i);
		if (env_dotatom(p, &last_dot, 1) < 0)
			return -1;
	}
	a.lp_end = p->i;
	a.lp8 = p->saw8;
	if (at_end(p))
		return emit(p, ADDR_D_ERR_ANGLE, 0);
	if (p->s[p->i] == '>')
		return emit(p, ADDR_D_ERR_NODOMAIN, p->i);
	if (p->s[p->i] != '@')
		return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
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
				return emit(p, ADDR_D_ERR_UNCLOSEDDOMLIT, open);
			c = p->s[p->i];
			if (c == ']')
				break;
			if (c < 33 || c > 126 || c == '[' || c == '\\')
				return emit(p, ADDR_D_ERR_EXPECTING_DTEXT, p->i);
			p->i++;
		}
		p->i++;
	} else {
		if (env_dotatom(p, &last_dot, 1) < 0)
			return -1;
	}
	a.dom_end = p->i;
	if (at_end(p))
		return emit(p, ADDR_D_ERR_ANGLE, 0);
	if (p->s[p->i] != '>') {
		if (a.literal && is_atom_start(p, p->s[p->i]))
			return emit(p, ADDR_D_ERR_ATEXT_AFTER_DOMLIT, p->i);
		return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
	}
	if (a.dom_start == a.dom_end)
		return emit(p, ADDR_D_ERR_NODOMAIN, p->i);
	if (p->i + 1 < p->n)
		return emit(p, ADDR_D_ERR_TRAILING, p->i + 1);

	m = addr__result_new_addr(p->r);
	if (m == NULL)
		goto nomem;
	m->kind = ADDR_K_MAILBOX;
	m->span_length = p->n;
	m->display_name.ptr = "";
	m->route = route;
	m->nroute = nroute;
	return finish_spec(p, &a, m, 1, p->n);
nomem:
	p->nomem = p->stop = 1;
	return -1;
}

/* ----------------------------------------------------------- header mode */

/* Contexts of one address in header mode. */
struct actx {
	int group_ok;		/* a group may stand here */
	int in_group;		/* ";" ends the address */
	int list;		/* "," ends the address */
	int spacing;		/* list-spacing exception (not addr-spec prod) */
};

/* The two readings of the words before "@", "<" or ":". */
struct views {
	int both;		/* both readings alive (else local part only) */
	size_t mark;		/* first diagnosis of this section */
	/* local-part view */
	int lp_failed;
	int elem_len, elem_count, prior, prior_word;
	int seen_qs, seen_lp, word_is_qs;
	int lp_complex;		/* CFWS inside the local part */
	size_t last_dot, lp_start, lp_end, qs_open;
	int has_run;
	struct run run;
	int bare_start;		/* no word yet: a leading run */
	/* display-name view */
	int ph_failed, nwords, seen_dot;
	size_t ph_start, ph_end;
};

enum { T_NONE, T_ATOM, T_QS, T_DOT, T_CFWS };

/* views_init - field by field, for the reason of addr__mailbox_clear */
static void views_init(struct views *v, int both, size_t mark)
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
static void resolve(struct parser *p, struct views *v, int keep)
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
static int vemit(struct parser *p, struct views *v, int view, int code,
		 size_t off)
{
	int err = addr_diag_category(code) == ADDR_CAT_ERROR;

	if (!v->both) {
		if (view == TAG_PH)
			return 0;	/* only the local part matters */
		return emit(p, code, off);
	}
	/* a reading that has failed records nothing more: one error each */
	if ((view == TAG_LP && v->lp_failed) || (view == TAG_PH && v->ph_failed))
		return 0;
	if (emit(p, code | view, off) < 0)
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
static int lp_obs(struct parser *p, struct views *v, int code, size_t off)
{
	if (vemit(p, v, TAG_LP, code, off) < 0)
		return -1;
	if (!p->lenient)
		return vemit(p, v, TAG_LP, ADDR_D_ERR_OBSOLETE, off);
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
		return lp_obs(p, v, r->comment ? ADDR_D_DEPREC_COMMENT
			      : ADDR_D_DEPREC_FWS, r->off);
	if (next == '@')
		return vemit(p, v, TAG_LP, ADDR_D_DEPREC_CFWS_NEAR_AT, r->off);
	if (v->prior_word == T_NONE && (next == T_ATOM || next == T_QS)) {
		if (spacing && !r->comment)
			return 0;	/* list spacing */
		return vemit(p, v, TAG_LP, r->comment ? ADDR_D_CFWS_COMMENT
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
		return vemit(p, v, TAG_LP, code, off);
	}
	if (v->prior == T_CFWS && v->prior_word != T_NONE)
		v->lp_complex = 1;
	if (lp_run(p, v, type, spacing) < 0)
		return -1;
	if (v->prior_word == T_NONE)
		v->lp_start = off;
	if (type == T_QS && v->elem_count > 0 && !v->seen_lp) {
		v->seen_lp = 1;
		if (lp_obs(p, v, ADDR_D_DEPREC_LOCALPART, v->last_dot) < 0)
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
		return vemit(p, v, TAG_LP, ADDR_D_RFC5321_QUOTEDSTRING, v->qs_open);
	}
	return 0;
}

static int v_dot(struct parser *p, struct views *v, size_t off, int spacing)
{
	if (!v->ph_failed) {
		if (v->nwords == 0) {
			if (vemit(p, v, TAG_PH, ADDR_D_ERR_EXPECTING_ATEXT, off) < 0)
				return -1;
		} else {
			if (!v->seen_dot) {
				v->seen_dot = 1;
				if (vemit(p, v, TAG_PH, ADDR_D_DEPREC_PHRASE, off) < 0)
					return -1;
				if (!p->lenient &&
				    vemit(p, v, TAG_PH, ADDR_D_ERR_OBSOLETE, off) < 0)
					return -1;
			}
			v->ph_end = off + 1;
		}
	}
	if (v->lp_failed)
		return 0;
	if (v->elem_len == 0) {
		v->has_run = 0;
		return vemit(p, v, TAG_LP, v->elem_count == 0
			     ? ADDR_D_ERR_DOT_START : ADDR_D_ERR_CONSECUTIVEDOTS, off);
	}
	if (v->prior == T_CFWS)
		v->lp_complex = 1;
	if (lp_run(p, v, T_DOT, spacing) < 0)
		return -1;
	if (v->word_is_qs && !v->seen_lp) {
		v->seen_lp = 1;
		if (lp_obs(p, v, ADDR_D_DEPREC_LOCALPART, off) < 0)
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
		resolve(p, v, 0);
	}
	return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, off);
}

/*
 * words - read the words before a terminator. Returns the terminator
 * octet ('@', '<', ':', ',', ';', '>') or 0 at the end of input, or -1.
 * terms: the terminators this context knows besides "@".
 */
static int words(struct parser *p, struct views *v, const char *terms,
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
			if (cfws(p, &v->run) < 0)
				return -1;
			if (!v->lp_failed) {
				v->has_run = 1;
				v->prior = T_CFWS;
			}
		} else if (c == '"') {
			v->qs_open = off;
			if (v_word(p, v, T_QS, off, spacing) < 0)
				return -1;
			if (qstring(p, !v->lp_failed, v->both ? TAG_LP : 0) < 0)
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
			if (atom(p, 1) < 0)
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
static int local_done(struct parser *p, struct views *v, size_t at, int spacing)
{
	if (v->both) {
		if (v->lp_failed) {
			resolve(p, v, TAG_LP);
			p->stop = 1;
			return -1;
		}
		resolve(p, v, TAG_LP);
	}
	if (v->elem_len == 0) {
		v->has_run = 0;
		return emit(p, v->elem_count == 0 ? ADDR_D_ERR_NOLOCALPART
			    : ADDR_D_ERR_DOT_END, v->elem_count == 0 ? at
			    : v->last_dot);
	}
	return lp_run(p, v, '@', spacing);
}

static size_t dotatom_end(const unsigned char *s, size_t i, size_t n);

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
	glen = literal_content(p, cs, ce, content);
	addr__domain_literal(&dom, content, glen, a->lit_fws,
			     p->lenient ? ADDR__LIT_LENIENT : 0, canon);
	for (i = 0; i < dom.ndiag; i++)
		if (emit(p, dom.diag[i].code, a->dom_start) < 0)
			return -1;
	return 0;
}

/*
 * domain - the domain of a header-mode addr-spec, from p->i (after "@").
 * Stops at a terminator of the context (not consumed). in_angle: ">"
 * ends it and end of input is ERR_ANGLE at lt.
 */
static int domain(struct parser *p, struct aspec *a, const struct actx *cx,
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
		size_t e = dotatom_end(p->s, p->i, p->n);
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
				return emit(p, ADDR_D_ERR_ANGLE, lt);
			if (!atoms && !lit_done)
				return emit(p, ADDR_D_ERR_NODOMAIN, off);
			if (elem_len == 0 && !lit_done)
				return emit(p, ADDR_D_ERR_DOT_END, last_dot);
			if (has_run && !(run.comment == 0 && cx->spacing && !in_angle)) {
				if (emit(p, run.comment ? ADDR_D_CFWS_COMMENT
					 : ADDR_D_CFWS_FWS, run.off) < 0)
					return -1;
			}
			return 0;
		}
		if (is_cfws_start(c)) {
			if (cfws(p, &run) < 0)
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
			return emit(p, (is_atom_start(p, c) || c == '.')
				    ? ADDR_D_ERR_ATEXT_AFTER_DOMLIT
				    : ADDR_D_ERR_EXPECTING_ATEXT, off);
		}
		if (c == '[' && !atoms && prior_word == T_NONE) {
			int crlfs, obs_seen = 0;
			lit_open = off;
			if (has_run && emit(p, ADDR_D_DEPREC_CFWS_NEAR_AT, run.off) < 0)
				return -1;
			has_run = 0;
			a->dom_start = off;
			a->literal = 1;
			p->ctl_seen = 0;
			p->i++;
			for (;;) {
				if (at_end(p))
					return emit(p, ADDR_D_ERR_UNCLOSEDDOMLIT, lit_open);
				c = p->s[p->i];
				if (c == ']')
					break;
				if (c == '\\') {
					size_t bs = p->i;
					if (!obs_seen) {
						obs_seen = 1;
						if (obs(p, ADDR_D_RFC5322_DOMLIT_OBSDTEXT, bs) < 0)
							return -1;
					}
					if (bs + 1 >= p->n)
						return emit(p, ADDR_D_ERR_BACKSLASHEND, bs);
					c = p->s[bs + 1];
					if (c >= 0x80 && p->utf8) {
						/* RFC 6532 §3.2 extends VCHAR */
						size_t k;
						p->i = bs + 1;
						if ((k = utf8_char(p, 1)) == 0)
							return -1;
						p->i += k;
						continue;
					}
					if (!(addr__is(c, ADDR__C_VCHAR | ADDR__C_WSP | ADDR__C_OBSCTL) ||
					      c == 0 || c == '\r' || c == '\n'))
						return emit(p, ADDR_D_ERR_EXPECTING_QPAIR, bs + 1);
					p->i += 2;
				} else if (c == ' ' || c == '\t' || c == '\r') {
					size_t at = p->i;
					crlfs = 0;
					if (fws(p, &crlfs) < 0)
						return -1;
					a->lit_fws = 1;
					if (emit(p, ADDR_D_CFWS_FWS, at) < 0)
						return -1;
				} else if (addr__is(c, ADDR__C_DTEXT)) {
					p->i++;
				} else if (addr__is(c, ADDR__C_OBSCTL)) {
					if (!obs_seen) {
						obs_seen = 1;
						if (obs(p, ADDR_D_RFC5322_DOMLIT_OBSDTEXT, p->i) < 0)
							return -1;
					}
					p->i++;
				} else if (c >= 0x80 && p->utf8) {
					size_t k = utf8_char(p, 1);
					if (k == 0)
						return -1;
					p->i += k;
				} else {
					return emit(p, ADDR_D_ERR_EXPECTING_DTEXT, p->i);
				}
			}
			p->i++;
			a->dom_end = p->i;
			lit_done = 1;
			continue;
		}
		if (c == '.') {
			if (elem_len == 0) {
				return emit(p, atoms == 0 ? ADDR_D_ERR_DOT_START
					    : ADDR_D_ERR_CONSECUTIVEDOTS, off);
			}
			if (has_run && obs(p, run.comment ? ADDR_D_DEPREC_COMMENT
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
				return emit(p, ADDR_D_ERR_ATEXT_AFTER_CFWS, off);
			if (has_run) {
				int code = prior_word == T_DOT
					   ? (run.comment ? ADDR_D_DEPREC_COMMENT
					      : ADDR_D_DEPREC_FWS)
					   : ADDR_D_DEPREC_CFWS_NEAR_AT;
				if (code == ADDR_D_DEPREC_CFWS_NEAR_AT) {
					if (emit(p, code, run.off) < 0)
						return -1;
				} else if (obs(p, code, run.off) < 0) {
					return -1;
				}
				has_run = 0;
			}
			if (!atoms)
				a->dom_start = off;
			if (atom(p, 0) < 0)
				return -1;
			atoms++;
			elem_len = 1;
			prior_word = T_ATOM;
			a->dom_end = p->i;
			continue;
		}
		/* "[" not at the start, DQUOTE, "\", controls, a second "@" */
		return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, off);
	}
}

/* --------------------------------------------- display names and groups */

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
				i = skip_comment(s, i, end);
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
			i = qs_value(s, i, end, raw->ptr, &olen);
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
					if (emit(p, ADDR_D_ENCWORD_UNDECODABLE, ws) < 0)
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
	if (has_nonascii(raw->ptr, raw->size)) {
		addr_buf_clear(nfc);
		rc = addr__text_nfc(nfc, raw->ptr, raw->size);
		if (rc == ADDR_ENOMEM)
			goto nomem;
		if (rc == 0 && (nfc->size != raw->size ||
				memcmp(nfc->ptr, raw->ptr, raw->size))) {
			if (emit(p, ADDR_D_UTF8_NOT_NFC, start) < 0)
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

static void init_mailbox(struct addr_mailbox *m)
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

	if (!at_end(p) && is_cfws_start(p->s[p->i]) && cfws(p, &run) < 0)
		return -1;
	if (at_end(p))
		return 0;
	if ((cx->list && p->s[p->i] == ',') || (cx->in_group && p->s[p->i] == ';'))
		return 0;
	return emit(p, ADDR_D_ERR_TRAILING, p->i);
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
			i = skip_comment(p->s, i, p->n) - 1;
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
	views_init(&v, 0, 0);
	inner.spacing = 0;
	p->i++;
	/* obs-route: "<@a,@b:" (RFC 5322 §4.4) */
	{
		size_t save = p->i;
		if (!at_end(p) && is_cfws_start(p->s[p->i]) && cfws(p, &run) < 0)
			return -1;
		if (!at_end(p) && (p->s[p->i] == '@' || p->s[p->i] == ',') &&
		    route_complete(p, p->i)) {
			route_first = p->i;
			while (p->i < p->n && p->s[p->i] != '@')
				p->i++;
			if (emit(p, ADDR_D_DEPREC_ROUTE, at_end(p) ? route_first : p->i) < 0 ||
			    (!p->lenient && emit(p, ADDR_D_ERR_OBSOLETE, p->i) < 0))
				return -1;
			p->i = route_first;
			for (;;) {
				if (!at_end(p) && is_cfws_start(p->s[p->i]) &&
				    cfws(p, &run) < 0)
					return -1;
				if (at_end(p))
					return emit(p, ADDR_D_ERR_ANGLE, lt);
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
					return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
				p->i++;
				if (!at_end(p) && is_cfws_start(p->s[p->i]) &&
				    cfws(p, &run) < 0)
					return -1;
				ds = p->i;
				if (env_dotatom(p, &last_dot, 1) < 0)
					return -1;
				if (p->i == ds)
					return emit(p, at_end(p) ? ADDR_D_ERR_ANGLE
						    : ADDR_D_ERR_EXPECTING_ATEXT,
						    at_end(p) ? lt : p->i);
				if (route_add(p, &route, &nroute, &rcap, ds, p->i - ds) < 0)
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
	t = words(p, &v, ">", 0);
	if (t < 0)
		return -1;
	if (t == 0)
		return emit(p, ADDR_D_ERR_ANGLE, lt);
	if (t == '>') {
		v.has_run = 0;
		return emit(p, ADDR_D_ERR_NODOMAIN, p->i);
	}
	if (local_done(p, &v, p->i, 0) < 0)
		return -1;
	a.lp_start = v.lp_start;
	a.lp_end = v.lp_end;
	a.lp_simple = !v.seen_qs && !v.lp_complex;
	a.lp8 = p->saw8;
	p->i++;
	if (domain(p, &a, &inner, 1, lt) < 0)
		return -1;
	p->i++;		/* ">" */
	if (finish_spec(p, &a, m, 0, 0) < 0)
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
			return emit(p, ADDR_D_ERR_UNCLOSEDGROUP, colon);
		if (p->s[p->i] == ',') {
			if (empty && !empty_seen) {
				empty_seen = 1;
				if (obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, p->i) < 0)
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
			if (obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, last_comma) < 0)
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
	views_init(&v, 1, p->r->ndiag);
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
	t = words(p, &v, terms, cx->spacing);
	if (t < 0)
		return -1;
	if (t == '@') {
		size_t at = p->i;
		if (local_done(p, &v, at, cx->spacing) < 0)
			return -1;
		a.lp_start = v.lp_start;
		a.lp_end = v.lp_end;
		a.lp_simple = !v.seen_qs && !v.lp_complex;
		a.lp8 = p->saw8;
		p->i++;
		if (domain(p, &a, cx, 0, 0) < 0)
			return -1;
		m = mbvec_add(p, out);
		if (m == NULL)
			goto nomem;
		init_mailbox(m);
		if (finish_spec(p, &a, m, 0, 0) < 0)
			return -1;
		set_span(p, m, start, p->i);
		return 0;
	}
	if (t == '<') {
		if (v.ph_failed) {
			resolve(p, &v, TAG_PH);
			p->stop = 1;
			return -1;
		}
		resolve(p, &v, TAG_PH);
		m = mbvec_add(p, out);
		if (m == NULL)
			goto nomem;
		init_mailbox(m);
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
			resolve(p, &v, 0);
			return emit(p, ADDR_D_ERR_GROUP_NOT_ALLOWED, p->i);
		}
		if (v.ph_failed) {
			resolve(p, &v, TAG_PH);
			p->stop = 1;
			return -1;
		}
		if (v.nwords == 0) {
			resolve(p, &v, 0);
			return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
		}
		resolve(p, &v, TAG_PH);
		m = mbvec_add(p, out);
		if (m == NULL)
			goto nomem;
		init_mailbox(m);
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
	resolve(p, &v, 0);
	if (v.prior_word == T_NONE && t != '>') {
		*empty = 1;
		return 0;
	}
	return emit(p, ADDR_D_ERR_NODOMAIN, p->i);
nomem:
	p->nomem = p->stop = 1;
	return -1;
}

/* addr_spec_only - the ADDR_P_ADDR_SPEC production */
static int addr_spec_only(struct parser *p)
{
	struct views v;
	struct aspec a;
	struct actx cx = { 0, 0, 0, 0 };
	struct addr_mailbox *m;
	int t;

	views_init(&v, 0, p->r->ndiag);
	memset(&a, 0, sizeof(a));
	t = words(p, &v, "", 0);
	if (t < 0)
		return -1;
	if (t == 0) {
		v.has_run = 0;
		return emit(p, ADDR_D_ERR_NODOMAIN, p->n);
	}
	if (local_done(p, &v, p->i, 0) < 0)
		return -1;
	a.lp_start = v.lp_start;
	a.lp_end = v.lp_end;
	a.lp_simple = !v.seen_qs && !v.lp_complex;
	a.lp8 = p->saw8;
	p->i++;
	if (domain(p, &a, &cx, 0, 0) < 0)
		return -1;
	m = addr__result_new_addr(p->r);
	if (m == NULL) {
		p->nomem = p->stop = 1;
		return -1;
	}
	init_mailbox(m);
	m->span_length = p->n;
	return finish_spec(p, &a, m, 0, 0);
}

/* header - the mailbox, address and list productions */
static int header(struct parser *p)
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
				return emit(p, ADDR_D_ERR_NODOMAIN, p->i);
			if (!at_end(p))
				return emit(p, ADDR_D_ERR_TRAILING, p->i);
			break;
		}
		if (at_end(p)) {
			if (empty && commas && !empty_seen) {
				empty_seen = 1;
				if (obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, last_comma) < 0)
					return -1;
			}
			break;
		}
		if (p->s[p->i] == ',') {
			if (empty && !empty_seen) {
				empty_seen = 1;
				if (obs(p, ADDR_D_DEPREC_EMPTY_MEMBER, p->i) < 0)
					return -1;
			}
			last_comma = p->i;
			commas++;
			p->i++;
			continue;
		}
		/* ";" outside a group */
		return emit(p, ADDR_D_ERR_EXPECTING_ATEXT, p->i);
	}
	if (mv.n == 0)
		return emit(p, ADDR_D_ERR_EMPTY, p->n);
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
static size_t dotatom_end(const unsigned char *s, size_t i, size_t n)
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

/*
 * fast_spec - s[a0..a1) as "dot-atom@dot-atom", ASCII: *at gets the
 * offset of "@", *buf an arena piece holding the local part, then the
 * given and the lowercased domain, and *pre the domain's checks.
 * Returns 1, or 0 when the span has another shape (nothing reported),
 * or -1 on ENOMEM. Short spans are classified sixteen octets at a time
 * (scan.c) and answered with bit operations.
 */
static int fast_spec(struct parser *p, size_t a0, size_t a1, size_t *at,
		     struct addr__domain *pre, char **buf,
		     const struct addr__masks *whole, const char *wlow)
{
	const unsigned char *s = p->s + a0;
	size_t len = a1 - a0, e, ll, dl;
	char *b;

	if (whole != NULL) {
		/* the input's masks, seen from a0 */
		struct addr__masks m;
		const char *low = wlow + a0;
		uint64_t all = ((uint64_t)1 << len) - 1, dots;

		if (len < 3)
			return 0;
		m.at = (whole->at >> a0) & all;
		m.atext = whole->atext >> a0;
		m.dot = (whole->dot >> a0) & all;
		m.alnum = whole->alnum >> a0;
		m.hyphen = whole->hyphen >> a0;
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
		b = addr__result_alloc(p->r, ll + 1 + 2 * (dl + 1));
		if (b == NULL)
			return -1;
		if (!addr__domain_masks(pre, s + e + 1, dl, m.alnum >> (e + 1),
					m.hyphen >> (e + 1), dots >> (e + 1),
					low + e + 1, b + ll + 1, b + ll + 1 + dl + 1) &&
		    !addr__domain_ascii(pre, s + e + 1, dl, b + ll + 1,
					b + ll + 1 + dl + 1))
			return 0;
	} else {
		e = dotatom_end(s, 0, len);
		if (e == (size_t)-1 || e >= len || s[e] != '@')
			return 0;
		ll = e;
		dl = len - e - 1;
		b = addr__result_alloc(p->r, ll + 1 + 2 * (dl + 1));
		if (b == NULL)
			return -1;
		/* the domain scan checks its syntax too */
		if (!addr__domain_ascii(pre, s + e + 1, dl, b + ll + 1,
					b + ll + 1 + dl + 1))
			return 0;
	}
	memcpy(b, s, ll);
	b[ll] = '\0';
	*at = a0 + e;
	*buf = b;
	return 1;
}

/*
 * fast - the two shapes most mail carries, in one pass and with the same
 * result the general parser gives: an ASCII dot-atom addr-spec alone, or
 * an ASCII phrase of atoms and plain quoted-strings separated by single
 * spaces before "<dot-atom@dot-atom>". Anything else (CFWS, quotes, literals, UTF-8,
 * encoded-words, obsolete syntax, errors) returns 0 with nothing done,
 * and the general parser runs. tests/test_fastpath.c checks that both
 * paths agree on every corpus input.
 */
static int fast(struct parser *p)
{
	const unsigned char *s = p->s;
	size_t n = p->n, i = 0, e, d, lt = 0, full = p->n, note = 0, pe = 0;
	size_t dot = 0;		/* 1 + offset of the first obs-phrase dot */
	struct addr_mailbox *m;
	struct addr__domain pre;
	struct addr__masks mk, *whole = NULL;
	char *buf = NULL, low[ADDR__SCAN_MAX + 1];
	int angle = 0, quoted = 0, rc;

	if (p->prod < ADDR_P_ADDR_SPEC || (p->flags & ADDR__F_NOFAST) || n == 0)
		return 0;
	/* a trailing " (comment)" of plain ASCII ctext: the address is what
	 * precedes it; after a bare addr-spec the comment is a CFWS_COMMENT
	 * (R3), after an angle-addr it is not diagnosed */
	if (s[n - 1] == ')') {
		size_t k = n - 1;
		while (k > 0 && s[k - 1] != '(' && s[k - 1] != ')' &&
		       s[k - 1] != '\\' && s[k - 1] >= 0x20 && s[k - 1] < 0x7F)
			k--;
		if (k < 3 || s[k - 1] != '(' || s[k - 2] != ' ')
			return 0;
		note = k - 2;		/* the SP that starts the CFWS run */
		n = note;
		if (s[n - 1] == ' ')
			return 0;
	}
	/* short inputs: every octet classified once, up front (scan.c) */
	if (n <= ADDR__SCAN_MAX) {
		addr__scan_masks(s, n, &mk, low);
		whole = &mk;
	}
	rc = fast_spec(p, 0, n, &e, &pre, &buf, whole, low);
	if (rc < 0)
		goto nomem;
	if (rc == 1) {
		d = n;
		lt = 0;
	} else {
		if (p->prod == ADDR_P_ADDR_SPEC)
			return 0;
		/* phrase: atoms (with the dots of obs-phrase when lenient)
		 * and quoted-strings of printable ASCII, SP and quoted-pairs,
		 * separated by single SPs, then "<" after SP or directly */
		if (s[0] != '<') {
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
						i = whole ? mask_run(whole->atext, i, n)
							  : atext_run(s, i, n);
						if (i >= n || s[i] != '.')
							break;
						/* obs-phrase: never its first octet */
						if (!p->lenient || i == 0)
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
		rc = fast_spec(p, lt + 1, n - 1, &e, &pre, &buf, whole, low);
		if (rc < 0)
			goto nomem;
		if (rc == 0)
			return 0;
		d = n - 1;
	}
	m = addr__result_new_addr(p->r);
	if (m == NULL)
		goto nomem;
	init_mailbox(m);
	m->span_length = full;
	if (note && !angle && emit(p, ADDR_D_CFWS_COMMENT, note) < 0)
		return 1;
	if (dot && emit(p, ADDR_D_DEPREC_PHRASE, dot - 1) < 0)
		return 1;
	if (lt > 0) {
		char *dn = addr__result_strdup(p->r, (const char *)s, pe);
		size_t k, dl = pe;

		if (dn == NULL) {
			p->nomem = p->stop = 1;
			return 1;
		}
		if (quoted) {
			/* the quoted-strings' content: quotes dropped, pairs
			 * resolved */
			int inq = 0;
			for (k = dl = 0; k < pe; k++) {
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
		size_t ls = angle ? lt + 1 : 0, ll = e - ls, dl = d - e - 1, k;
		char *given = buf + ll + 1, *lower = given + dl + 1;

		m->local_part.ptr = buf;
		m->local_part.len = ll;
		m->domain.ptr = given;
		m->domain.len = dl;
		m->domain_kind = ADDR_DK_NAME;
		for (k = 0; k < pre.ndiag; k++)
			if (emit(p, pre.diag[k].code, e + 1 + pre.diag[k].offset) < 0)
				return 1;
		if (pre.forms_ok) {
			m->a_label.ptr = m->u_label.ptr = lower;
			m->a_label.len = m->u_label.len = dl;
		}
		if (ll > 64 && emit(p, ADDR_D_RFC5322_LOCAL_TOOLONG, ls) < 0)
			return 1;
		if (ll + 1 + dl > 254 && emit(p, ADDR_D_RFC5322_TOOLONG, ls) < 0)
			return 1;
	}
	return 1;
nomem:
	p->nomem = p->stop = 1;
	return 1;
}

/* ------------------------------------------------------------- entry */

int addr_mailbox_parse(struct addr_mailbox_result *out, const char *in,
		       size_t len, int production, unsigned flags,
		       struct addr_error *err)
{
	struct parser p;

	addr__result_reset(out);
	if (production < ADDR_P_REVERSE_PATH || production > ADDR_P_ADDRESS_LIST ||
	    (in == NULL && len > 0)) {
		out->category = ADDR_CAT_ERROR;
		return addr__error_set(err, ADDR_EINVAL, 0, "invalid argument");
	}
	memset(&p, 0, sizeof(p));
	p.s = (const unsigned char *)(in ? in : "");
	p.n = len;
	p.flags = flags;
	p.prod = production;
	p.lenient = (flags & ADDR_F_LENIENT) != 0;
	p.utf8 = (flags & ADDR_F_UTF8) != 0;
	p.r = out;

	if (production == ADDR_P_REVERSE_PATH || production == ADDR_P_FORWARD_PATH)
		parse_envelope(&p);
	else if (fast(&p))
		;
	else if (production == ADDR_P_ADDR_SPEC)
		addr_spec_only(&p);
	else
		header(&p);

	if (!p.nomem && out->ndiag > 0) {
		/* a lexical error can end the parse while both readings of a
		 * phrase are still open; their provisional findings go */
		struct views none;
		none.mark = 0;
		resolve(&p, &none, 0);
	}
	if (p.nomem || addr__result_finish(out) < 0) {
		addr__result_reset(out);
		out->category = ADDR_CAT_ERROR;
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	}
	if (out->category == ADDR_CAT_ERROR) {
		size_t i;
		int code = out->primary;
		size_t off = 0;
		for (i = 0; i < out->ndiag; i++)
			if (out->diag[i].code == code)
				off = out->diag[i].offset;
		if (err != NULL) {
			addr__error_set(err, ADDR_ESYNTAX, off, "%s at offset %zu",
					addr_diag_name(code), off);
			err->diag = code;
		}
		return ADDR_ESYNTAX;
	}
	return 0;
}
