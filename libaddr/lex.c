/*
 * lex.c - octets and tokens of the address grammar: character classes,
 * FWS, comments, quoted-strings, atoms, and the rescans that build values
 * from valid spans
 *
 * EXPORTS (private, parse.h)
 *	addr__cclass[]
 *	addr__dotatom_text()
 *	addr__mb_utf8_char()
 *	addr__mb_take_utf8()
 *	addr__mb_fws()
 *	addr__mb_comment()
 *	addr__mb_cfws()
 *	addr__mb_qstring()
 *	addr__mb_atom()
 *	addr__mb_skip_comment()
 *	addr__mb_qs_value()
 *	addr__mb_plain_value()
 */
#include <stdint.h>
#include <string.h>
#include "parse.h"

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

/* utf8_char - validate the UTF-8 sequence at p->i; its length or 0 after
 * reporting ERR_UTF8_MALFORMED. Reports UTF8_CONTROL once per component
 * when report_ctl is set. */
size_t addr__mb_utf8_char(struct parser *p, int report_ctl)
{
	size_t k = addr__utf8_seqlen(p->s + p->i, p->n - p->i);
	uint32_t cp;

	p->saw8 = 1;
	if (k == 0) {
		addr__mb_emit(p, ADDR_D_ERR_UTF8_MALFORMED, p->i);
		return 0;
	}
	if (report_ctl && !p->ctl_seen) {
		cp = addr__utf8_decode(p->s + p->i, k);
		if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
			p->ctl_seen = 1;
			if (addr__mb_emit(p, ADDR_D_UTF8_CONTROL, p->i) < 0)
				return 0;
		}
	}
	return k;
}

/* addr__dotatom_text - s is dot-atom-text: 1*atext *("." 1*atext), with
 * UTF8-non-ascii counted as atext (RFC 6532 §3.2); decides between the
 * bare and the quoted form of a local part */
int addr__dotatom_text(const char *s, size_t n)
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

/* take_utf8 - consume the UTF-8 sequence at p->i (utf8_char's checks) */
int addr__mb_take_utf8(struct parser *p, int report_ctl)
{
	size_t k = addr__mb_utf8_char(p, report_ctl);

	if (k == 0)
		return -1;
	p->i += k;
	return 0;
}

/* ------------------------------------------------------------- lexers */

/*
 * fws - consume WSP and CRLF-WSP from p->i (RFC 5322 §3.2.2 with erratum
 * 1908). The CRLF rules of spec §1.3.1 apply. *crlfs counts the CRLFs of
 * this FWS; a second one is obs-FWS.
 */
int addr__mb_fws(struct parser *p, int *crlfs)
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
			return addr__mb_emit(p, ADDR_D_ERR_CR_NO_LF, p->i);
		if (p->i + 2 < p->n && p->s[p->i + 2] == '\r')
			return addr__mb_emit(p, ADDR_D_ERR_FWS_CRLF_X2, p->i + 2);
		if (p->i + 2 >= p->n ||
		    (p->s[p->i + 2] != ' ' && p->s[p->i + 2] != '\t'))
			return addr__mb_emit(p, ADDR_D_ERR_FWS_CRLF_END, p->i);
		if (++*crlfs == 2 && addr__mb_obs(p, ADDR_D_DEPREC_FWS, p->i) < 0)
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
		return addr__mb_emit(p, ADDR_D_ERR_BACKSLASHEND, bs);
	c = p->s[bs + 1];
	if (addr__is(c, ADDR__C_VCHAR | ADDR__C_WSP)) {
		p->i += 2;
		return 0;
	}
	if (c == 0 || c == '\n' || c == '\r' || addr__is(c, ADDR__C_OBSCTL)) {
		p->i += 2;
		return addr__mb_obs(p, ADDR_D_DEPREC_QP, bs);
	}
	if (c >= 0x80 && p->utf8) {	/* RFC 6532 §3.2 extends VCHAR */
		size_t k;
		p->i = bs + 1;
		if ((k = addr__mb_utf8_char(p, 1)) == 0)
			return -1;
		p->i += k;
		return 0;
	}
	return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_QPAIR, bs + 1);
}

/* comment - p->i is at "("; consume the (nested) comment */
int addr__mb_comment(struct parser *p)
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
			if (addr__mb_fws(p, &crlfs) < 0)
				return -1;
		} else if (addr__is(c, ADDR__C_CTEXT)) {
			p->i++;
		} else if (addr__is(c, ADDR__C_OBSCTL)) {
			if (addr__mb_obs(p, ADDR_D_DEPREC_CTEXT, p->i) < 0)
				return -1;
			p->i++;
		} else if (c >= 0x80 && p->utf8) {
			if (addr__mb_take_utf8(p, 1) < 0)
				return -1;
		} else {
			return addr__mb_emit(p, ADDR_D_ERR_EXPECTING_CTEXT, p->i);
		}
	}
	return addr__mb_emit(p, ADDR_D_ERR_UNCLOSEDCOMMENT, open);
}

/* cfws - consume a maximal run of FWS and comments; p->i is at WSP, CR
 * or "(" */
int addr__mb_cfws(struct parser *p, struct run *run)
{
	int crlfs = 0;

	run->off = p->i;
	run->comment = 0;
	while (!at_end(p)) {
		unsigned char c = p->s[p->i];

		if (c == ' ' || c == '\t' || c == '\r') {
			if (addr__mb_fws(p, &crlfs) < 0)
				return -1;
		} else if (c == '(') {
			run->comment = 1;
			crlfs = 0;	/* a comment ends one FWS */
			if (addr__mb_comment(p) < 0)
				return -1;
		} else {
			break;
		}
	}
	return 0;
}

/*
 * qstring - p->i is at DQUOTE; consume the quoted-string. fws_diag: emit
 * CFWS_FWS (with that tag) for HT and folding inside, as in a local part.
 */
int addr__mb_qstring(struct parser *p, int fws_diag, int tag)
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
			if (addr__mb_fws(p, &crlfs) < 0)
				return -1;
			if (fws_diag && addr__mb_emit(p, ADDR_D_CFWS_FWS | tag, at) < 0)
				return -1;
		} else if (addr__is(c, ADDR__C_QTEXT)) {
			p->i++;
		} else if (addr__is(c, ADDR__C_OBSCTL)) {
			if (addr__mb_obs(p, ADDR_D_DEPREC_QTEXT, p->i) < 0)
				return -1;
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

/* atom - consume 1*atext (UTF8-non-ascii included with the flag) */
int addr__mb_atom(struct parser *p, int report_ctl)
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
			if (addr__mb_take_utf8(p, report_ctl) < 0)
				return -1;
		} else {
			break;
		}
	}
	return 0;
}

/* --------------------------------------------------- rescanning values */

/* skip_comment - skip a valid comment at s[i] (already checked) */
size_t addr__mb_skip_comment(const unsigned char *s, size_t i, size_t end)
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
size_t addr__mb_qs_value(const unsigned char *s, size_t i, size_t end, char *out,
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
size_t addr__mb_plain_value(const unsigned char *s, size_t i, size_t end,
			  char *out, size_t *given)
{
	size_t olen = 0, g = 0, j;

	while (i < end) {
		unsigned char c = s[i];

		if (c == '(') {
			i = addr__mb_skip_comment(s, i, end);
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
		} else if (c == '"') {
			j = i;
			i = addr__mb_qs_value(s, i, end, out, &olen);
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
