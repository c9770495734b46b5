/*
 * parse.h - private interface between the address parser's files
 *
 * The parser is one left-to-right pass split by concern: lex.c (octets
 * and tokens), header.c (the two readings of a phrase, the domain),
 * address.c (mailboxes, groups, lists), envelope.c (SMTP paths), spec.c
 * (a finished addr-spec's checks and strings), fastpath.c (the common
 * shapes) and mailbox.c (the entry point). They share the parser state
 * below; every function is addr__mb_<verb>.
 */
#ifndef ADDR_PARSE_H
#define ADDR_PARSE_H

#include "mailbox_int.h"

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

struct aspec {
	size_t lp_start, lp_end;	/* first word .. end of last word */
	int lp_simple;			/* raw span is the value (atoms, dots) */
	int lp8;			/* the local part has a non-ASCII octet */
	size_t dom_start, dom_end;	/* first atom or "[" .. last octet */
	int dom_simple;			/* no CFWS inside */
	int literal, lit_fws;
};

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

static inline int at_end(const struct parser *p)
{
	return p->i >= p->n;
}

static inline int is_cfws_start(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '(';
}

static inline int is_atom_start(const struct parser *p, unsigned char c)
{
	return addr__is(c, ADDR__C_ATEXT) || (c >= 0x80 && p->utf8);
}

int addr__mb_emit(struct parser *p, int code, size_t off);
int addr__mb_obs(struct parser *p, int code, size_t off);
size_t addr__mb_utf8_char(struct parser *p, int report_ctl);
int addr__mb_take_utf8(struct parser *p, int report_ctl);
int addr__mb_fws(struct parser *p, int *crlfs);
int addr__mb_comment(struct parser *p);
int addr__mb_cfws(struct parser *p, struct run *run);
int addr__mb_qstring(struct parser *p, int fws_diag, int tag);
int addr__mb_atom(struct parser *p, int report_ctl);
size_t addr__mb_skip_comment(const unsigned char *s, size_t i, size_t end);
size_t addr__mb_qs_value(const unsigned char *s, size_t i, size_t end, char *out,
		       size_t *olen);
size_t addr__mb_plain_value(const unsigned char *s, size_t i, size_t end,
			  char *out, size_t *given);
size_t addr__mb_literal_content(const struct parser *p, size_t cs, size_t ce,
			      char *out);
int addr__mb_has_nonascii(const char *s, size_t n);
size_t addr__mb_quoted_len(const char *s, size_t n);
int addr__mb_finish_spec(struct parser *p, const struct aspec *a,
		       struct addr_mailbox *m, int envelope, size_t env_path_len);
int addr__mb_route_add(struct parser *p, struct addr_str **v, size_t *n,
		     size_t *cap, size_t start, size_t len);
int addr__mb_env_dotatom(struct parser *p, size_t *last_dot, int allow_utf8);
int addr__mb_parse_envelope(struct parser *p);
void addr__mb_views_init(struct views *v, int both, size_t mark);
void addr__mb_resolve(struct parser *p, struct views *v, int keep);
int addr__mb_vemit(struct parser *p, struct views *v, int view, int code,
		 size_t off);
int addr__mb_lp_obs(struct parser *p, struct views *v, int code, size_t off);
int addr__mb_words(struct parser *p, struct views *v, const char *terms,
		 int spacing);
int addr__mb_local_done(struct parser *p, struct views *v, size_t at, int spacing);
int addr__mb_domain(struct parser *p, struct aspec *a, const struct actx *cx,
		  int in_angle, size_t lt);
void addr__mb_init_mailbox(struct addr_mailbox *m);
int addr__mb_addr_spec_only(struct parser *p);
int addr__mb_header(struct parser *p);
size_t addr__mb_dotatom_end(const unsigned char *s, size_t i, size_t n);
int addr__mb_fast(struct parser *p);

#endif
