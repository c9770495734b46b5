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
#include "parse.h"
#include "result.h"

/* emit - record a diagnosis; -1 if it ends the parse */
int addr__mb_emit(struct parser *p, int code, size_t off)
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
int addr__mb_obs(struct parser *p, int code, size_t off)
{
	if (addr__mb_emit(p, code, off) < 0)
		return -1;
	if (!p->lenient)
		return addr__mb_emit(p, ADDR_D_ERR_OBSOLETE, off);
	return 0;
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
		addr__mb_parse_envelope(&p);
	else if (addr__mb_fast(&p))
		;
	else if (production == ADDR_P_ADDR_SPEC)
		addr__mb_addr_spec_only(&p);
	else
		addr__mb_header(&p);

	if (!p.nomem && out->ndiag > 0) {
		/* a lexical error can end the parse while both readings of a
		 * phrase are still open; their provisional findings go */
		struct views none;
		none.mark = 0;
		addr__mb_resolve(&p, &none, 0);
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
