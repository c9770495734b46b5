/*
 * normalize.c - the canonical form of a parsed mailbox (spec §5)
 *
 * EXPORTS
 *	addr_mailbox_normalize()	"local@domain" and the display phrase
 *	addr_mailbox_quote_local()	the minimally quoted local part
 *
 * Addresses travel unquoted inside the library; quoting happens here, at
 * the edge, with the minimum quoting RFC 5321 §4.1.2 asks for.
 */
#include <string.h>
#include "mailbox_int.h"


int addr_mailbox_quote_local(struct addr_buf *out, const char *s, size_t n)
{
	size_t i;

	if (addr__dotatom_text(s, n))
		return addr_buf_put(out, s, n);
	addr_buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* controls only come from obsolete input: obs-qp keeps them */
		if (c == '"' || c == '\\' || c < 0x20 || c == 0x7F)
			addr_buf_putc(out, '\\');
		addr_buf_putc(out, (char)c);
	}
	addr_buf_putc(out, '"');
	return out->oom ? ADDR_ENOMEM : 0;
}

static int has_nonascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* phrase - §5 rule 4 */
static int phrase(struct addr_buf *out, const char *d, size_t n, unsigned nflags)
{
	size_t i;
	int ctl = 0, nonascii = 0, plain = 1, prev_sp = 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];
		if ((c < 0x20 && c != '\t') || c == 0x7F)
			ctl = 1;
		if (c >= 0x80)
			nonascii = 1;
		if (c == ' ') {
			if (prev_sp)
				plain = 0;	/* leading or double SP */
			prev_sp = 1;
		} else {
			if (!addr__is(c, ADDR__C_ATEXT) && c < 0x80)
				plain = 0;
			if (c == '=' && i + 1 < n && d[i + 1] == '?')
				plain = 0;
			prev_sp = 0;
		}
	}
	if (n > 0 && prev_sp)
		plain = 0;		/* trailing SP */
	if (ctl || (nonascii && (nflags & ADDR_N_7BIT)))
		return addr__rfc2047_encode(out, d, n);
	if (plain)
		return addr_buf_put(out, d, n);
	addr_buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		if (d[i] == '"' || d[i] == '\\')
			addr_buf_putc(out, '\\');
		addr_buf_putc(out, d[i]);
	}
	addr_buf_putc(out, '"');
	return out->oom ? ADDR_ENOMEM : 0;
}

int addr_mailbox_normalize(struct addr_buf *addr_out, struct addr_buf *display_out,
			   const struct addr_mailbox *m, unsigned nflags)
{
	struct addr_buf tmp;
	int rc = 0;
	size_t i, mark;

	addr_buf_clear(addr_out);
	if (display_out != NULL)
		addr_buf_clear(display_out);
	if (m == NULL || m->kind == ADDR_K_GROUP)
		return ADDR_EINVAL;
	if (display_out != NULL && m->has_display_name && m->display_name.len > 0 &&
	    (rc = phrase(display_out, m->display_name.ptr, m->display_name.len,
			 nflags)) < 0)
		return rc;
	if (m->kind == ADDR_K_NULL)
		return 0;
	if (m->kind == ADDR_K_POSTMASTER)
		return addr_buf_put(addr_out, m->local_part.ptr, m->local_part.len);

	/* local part: NFC, then the minimum quoting */
	if (has_nonascii(m->local_part.ptr, m->local_part.len)) {
		addr_buf_init(&tmp);
		rc = addr__text_nfc(&tmp, m->local_part.ptr, m->local_part.len);
		if (rc == 0)
			rc = addr_mailbox_quote_local(addr_out, tmp.ptr, tmp.size);
		addr_buf_free(&tmp);
		if (rc < 0)
			return rc == ADDR_ENOMEM ? rc : ADDR_EINVAL;
	} else if ((rc = addr_mailbox_quote_local(addr_out, m->local_part.ptr,
						  m->local_part.len)) < 0) {
		return rc;
	}
	addr_buf_putc(addr_out, '@');

	/* domain */
	if (m->a_label.len > 0) {
		if ((nflags & ADDR_N_ULABEL) && m->u_label.len > 0)
			addr_buf_put(addr_out, m->u_label.ptr, m->u_label.len);
		else
			addr_buf_put(addr_out, m->a_label.ptr, m->a_label.len);
	} else if (m->domain_kind == ADDR_DK_NAME) {
		/* no usable IDNA form: the given form, NFC, unless NFC would
		 * turn it into something that no longer parses (U+037E GREEK
		 * QUESTION MARK is ";" after NFC) */
		mark = addr_out->size;
		rc = addr__text_nfc(addr_out, m->domain.ptr, m->domain.len);
		if (rc == ADDR_ENOMEM)
			return rc;
		for (i = mark; rc == 0 && i < addr_out->size; i++) {
			unsigned char c = (unsigned char)addr_out->ptr[i];
			if (c < 0x80 && c != '.' && !addr__is(c, ADDR__C_ATEXT))
				rc = ADDR_ESYNTAX;
		}
		if (rc < 0) {
			addr_buf_truncate(addr_out, mark);
			if ((rc = addr_buf_put(addr_out, m->domain.ptr, m->domain.len)) < 0)
				return rc;
		}
		for (i = mark; i < addr_out->size; i++)
			if (addr_out->ptr[i] >= 'A' && addr_out->ptr[i] <= 'Z')
				addr_out->ptr[i] = (char)(addr_out->ptr[i] + 32);
	} else {
		addr_buf_putc(addr_out, '[');
		addr_buf_put(addr_out, m->domain.ptr, m->domain.len);
		addr_buf_putc(addr_out, ']');
	}
	return addr_out->oom ? ADDR_ENOMEM : 0;
}
