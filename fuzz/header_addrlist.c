/*
 * header_addrlist.c - fuzz target: RFC 5322 / 6532 header addresses
 *
 * DESCRIPTION
 *	Input: one selector octet, then a field body (spec-address.md §1.3).
 *	Selector bits:
 *
 *	  0x01	ADDR_F_LENIENT		0x38	production: ADDR_P_ADDR_SPEC +
 *	  0x02	ADDR_F_UTF8			(bits 3-5) mod 5, i.e. ADDR_SPEC,
 *	  0x04	ADDR_F_DECODE_2047		MAILBOX, ADDRESS, MAILBOX_LIST,
 *	  0x40	normalize: ADDR_N_ULABEL	ADDRESS_LIST
 *	  0x80	normalize: ADDR_N_7BIT
 *
 *	Parses the rest, checks the invariants of fuzzcheck.h and those of
 *	header mode, then normalizes every mailbox and group member:
 *	 - the number and kinds of addresses fit the production; addresses
 *	   and group members are in input order inside their spans;
 *	 - without ADDR_F_LENIENT no obsolete-syntax diagnosis survives
 *	   without ERR_OBSOLETE at its offset (§1.3.5); without
 *	   ADDR_F_DECODE_2047 no ENCWORD_UNDECODABLE;
 *	 - a group normalizes to ADDR_EINVAL; a mailbox to 0, with an empty
 *	   display output iff its display name is empty, 7-bit with
 *	   ADDR_N_7BIT; smtputf8 as §2.1 defines it (fz_check_smtputf8);
 *	 - §5 rule 5: the canonical form (A-labels) re-parsed with
 *	   ADDR_P_ADDR_SPEC, lenient, same UTF-8 flag, is not ERROR, has the
 *	   same A-label form, none of the excluded diagnoses, and normalizes
 *	   to itself;
 *	 - the display output and the canonical form, re-parsed as
 *	   'display <canonical>' (ADDR_P_MAILBOX, lenient, UTF-8, RFC 2047
 *	   decoding), give back the same decoded display name, unless it
 *	   holds a C0 control or DEL (§5 rule 4 encodes those, and §1.3.6
 *	   refuses to decode them);
 *	 - addr_mailbox_quote_local of the local part, re-parsed as
 *	   'quoted@example.com', gives back the same local part;
 *	 - the SSE2-only classification of scan.c agrees with the detected
 *	   one on the input's first 63 octets (fz_check_scan);
 *	 - an unknown production is ADDR_EINVAL, and one failed allocation
 *	   makes the parse ADDR_ENOMEM with an empty result
 *	   (fz_check_failures).
 *	Any violation aborts. A violation on a valid input is a parser bug:
 *	fix the parser, do not weaken the check.
 */
#include "fuzzcheck.h"

/* obsolete - the diagnoses that need ADDR_F_LENIENT in header mode */
static int obsolete(int c)
{
	switch (c) {
	case ADDR_D_DEPREC_LOCALPART:
	case ADDR_D_DEPREC_FWS:
	case ADDR_D_DEPREC_QTEXT:
	case ADDR_D_DEPREC_QP:
	case ADDR_D_DEPREC_COMMENT:
	case ADDR_D_DEPREC_CTEXT:
	case ADDR_D_DEPREC_PHRASE:
	case ADDR_D_DEPREC_ROUTE:
	case ADDR_D_DEPREC_EMPTY_MEMBER:
	case ADDR_D_RFC5322_DOMLIT_OBSDTEXT:
		return 1;
	}
	return 0;
}

static void check_diag_flags(const struct addr_mailbox_result *r, unsigned flags)
{
	size_t i, j;

	for (i = 0; i < r->ndiag; i++) {
		int c = r->diag[i].code, found = 0;

		if (!(flags & ADDR_F_DECODE_2047))
			FZ_CHECK(c != ADDR_D_ENCWORD_UNDECODABLE,
				 "ENCWORD_UNDECODABLE only with DECODE_2047");
		if ((flags & ADDR_F_LENIENT) || !obsolete(c))
			continue;
		for (j = 0; j < r->ndiag; j++)
			if (r->diag[j].code == ADDR_D_ERR_OBSOLETE &&
			    r->diag[j].offset == r->diag[i].offset)
				found = 1;
		FZ_CHECK(found, "strict: obsolete syntax followed by "
			 "ERR_OBSOLETE (§1.3.5)");
	}
}

static int has_c0_or_del(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 1;
	}
	return 0;
}

static int str_eq(const struct addr_str *a, const char *p, size_t n)
{
	return a->len == n && memcmp(a->ptr, p, n) == 0;
}

/* reparse_spec - §5 rule 5 for the canonical form of m in canon */
static void reparse_spec(const struct addr_mailbox *m,
			 const struct addr_buf *canon, unsigned flags,
			 struct addr_mailbox_result *r)
{
	struct addr_error err;
	struct addr_buf again;
	const struct addr_mailbox *m2;
	int rc;

	addr_buf_init(&again);
	rc = addr_mailbox_parse(r, canon->ptr, canon->size, ADDR_P_ADDR_SPEC,
				ADDR_F_LENIENT | (flags & ADDR_F_UTF8), &err);
	fz_check_result(r, rc, &err, canon->size);
	FZ_CHECK(rc == 0, "canonical form re-parses as addr-spec (§5 rule 5)");
	FZ_CHECK(r->naddr == 1, "addr-spec yields one address");
	m2 = &r->addr[0];
	fz_check_address(m2, r, 0, canon->size, flags);
	fz_no_unclean_diag(r);
	if (m->domain_kind == ADDR_DK_NAME && m->a_label.len > 0)
		FZ_CHECK(str_eq(&m2->a_label, m->a_label.ptr, m->a_label.len),
			 "re-parse has the same A-label form (§5 rule 5)");
	rc = addr_mailbox_normalize(&again, NULL, m2, 0);
	FZ_CHECK(rc == 0, "normalize of the re-parse succeeds");
	fz_check_buf(&again, "normalize output (2nd)");
	FZ_CHECK(fz_buf_eq(&again, canon),
		 "normalization is idempotent (§5 rule 5)");
	addr_buf_free(&again);
}

/* reparse_display - 'display <canonical>' gives back the display name */
static void reparse_display(const struct addr_mailbox *m,
			    const struct addr_buf *display,
			    const struct addr_buf *canon, unsigned nflags,
			    struct addr_mailbox_result *r)
{
	struct addr_error err;
	struct addr_buf text, a2, d2;
	const struct addr_mailbox *m2;
	int rc;

	addr_buf_init(&text);
	addr_buf_init(&a2);
	addr_buf_init(&d2);
	if (addr_buf_put(&text, display->ptr, display->size) ||
	    addr_buf_puts(&text, " <") ||
	    addr_buf_put(&text, canon->ptr, canon->size) ||
	    addr_buf_putc(&text, '>'))
		abort();
	rc = addr_mailbox_parse(r, text.ptr, text.size, ADDR_P_MAILBOX,
				ADDR_F_LENIENT | ADDR_F_UTF8 |
				ADDR_F_DECODE_2047, &err);
	fz_check_result(r, rc, &err, text.size);
	FZ_CHECK(rc == 0, "'display <canonical>' parses as a mailbox");
	m2 = &r->addr[0];
	FZ_CHECK(m2->has_display_name, "display name survives a re-parse");
	FZ_CHECK(str_eq(&m2->display_name, m->display_name.ptr,
			m->display_name.len),
		 "display output decodes to the same display name");
	rc = addr_mailbox_normalize(&a2, &d2, m2, nflags);
	FZ_CHECK(rc == 0, "normalize of the re-parse succeeds");
	FZ_CHECK(fz_buf_eq(&d2, display), "display output is stable");
	FZ_CHECK(fz_buf_eq(&a2, canon) || (nflags & ADDR_N_ULABEL),
		 "address inside <> normalizes to itself");
	addr_buf_free(&d2);
	addr_buf_free(&a2);
	addr_buf_free(&text);
}

/* reparse_local - quote_local, then parse: the same local part */
static void reparse_local(const struct addr_mailbox *m, unsigned flags,
			  struct addr_mailbox_result *r)
{
	struct addr_error err;
	struct addr_buf text;
	int rc;

	addr_buf_init(&text);
	rc = addr_mailbox_quote_local(&text, m->local_part.ptr,
				      m->local_part.len);
	FZ_CHECK(rc == 0, "addr_mailbox_quote_local succeeds");
	fz_check_buf(&text, "quote_local output");
	if (addr_buf_puts(&text, "@example.com"))
		abort();
	rc = addr_mailbox_parse(r, text.ptr, text.size, ADDR_P_ADDR_SPEC,
				ADDR_F_LENIENT | (flags & ADDR_F_UTF8), &err);
	fz_check_result(r, rc, &err, text.size);
	FZ_CHECK(rc == 0, "quoted local part parses");
	FZ_CHECK(str_eq(&r->addr[0].local_part, m->local_part.ptr,
			m->local_part.len),
		 "quote_local round-trips the local part");
	addr_buf_free(&text);
}

/* check_mailbox - normalization properties of one mailbox */
static void check_mailbox(const struct addr_mailbox *m, unsigned flags,
			  unsigned nflags, struct addr_mailbox_result *scratch)
{
	struct addr_buf out, display, canon;
	int rc;

	addr_buf_init(&out);
	addr_buf_init(&display);
	addr_buf_init(&canon);
	rc = addr_mailbox_normalize(&out, &display, m, nflags);
	FZ_CHECK(rc == 0, "normalize succeeds on a non-ERROR mailbox");
	fz_check_buf(&out, "normalize output");
	fz_check_buf(&display, "normalize display");
	FZ_CHECK((display.size == 0) == (m->display_name.len == 0),
		 "display output empty iff the display name is");
	if (nflags & ADDR_N_7BIT)
		FZ_CHECK(fz_is_ascii(display.ptr, display.size),
			 "ADDR_N_7BIT display output is 7-bit");
	rc = addr_mailbox_normalize(&canon, NULL, m, 0);
	FZ_CHECK(rc == 0, "normalize succeeds on a non-ERROR mailbox");
	fz_check_buf(&canon, "normalize output");
	if (!(nflags & ADDR_N_ULABEL))
		FZ_CHECK(fz_buf_eq(&out, &canon),
			 "ADDR_N_7BIT does not change the address");
	fz_check_smtputf8(m, &canon);

	reparse_spec(m, &canon, flags, scratch);
	if (m->display_name.len > 0 &&
	    !has_c0_or_del(m->display_name.ptr, m->display_name.len))
		reparse_display(m, &display, &canon, nflags, scratch);
	reparse_local(m, flags, scratch);

	addr_buf_free(&canon);
	addr_buf_free(&display);
	addr_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_mailbox_result res, scratch;
	struct addr_error err;
	struct addr_buf out;
	const char *in;
	size_t len, i, j, prev_end;
	unsigned sel, flags, nflags;
	int production, rc;

	if (size < 1)
		return 0;
	fz_check_scan((const char *)data + 1, size - 1);
	sel = data[0];
	in = (const char *)data + 1;
	len = size - 1;
	flags = sel & (ADDR_F_LENIENT | ADDR_F_UTF8 | ADDR_F_DECODE_2047);
	production = ADDR_P_ADDR_SPEC + (int)(((sel >> 3) & 7) % 5);
	nflags = ((sel & 0x40) ? ADDR_N_ULABEL : 0) |
		 ((sel & 0x80) ? ADDR_N_7BIT : 0);

	fz_check_failures(in, len, production, flags);
	addr_mailbox_result_init(&res);
	memset(&err, 0, sizeof(err));
	rc = addr_mailbox_parse(&res, in, len, production, flags, &err);
	fz_check_result(&res, rc, &err, len);
	check_diag_flags(&res, flags);
	if (rc != 0) {
		addr_mailbox_result_free(&res);
		return 0;
	}

	if (production <= ADDR_P_ADDRESS)
		FZ_CHECK(res.naddr == 1, "single-address production, one address");
	addr_mailbox_result_init(&scratch);
	addr_buf_init(&out);
	prev_end = 0;
	for (i = 0; i < res.naddr; i++) {
		const struct addr_mailbox *a = &res.addr[i];
		size_t mprev;

		fz_check_address(a, &res, 0, len, flags);
		FZ_CHECK(a->span_offset >= prev_end, "addresses in input order");
		prev_end = a->span_offset + a->span_length;
		if (a->kind == ADDR_K_MAILBOX) {
			if (production == ADDR_P_ADDR_SPEC)
				FZ_CHECK(!a->has_display_name,
					 "addr-spec has no display name");
			check_mailbox(a, flags, nflags, &scratch);
			continue;
		}
		FZ_CHECK(a->kind == ADDR_K_GROUP, "header: MAILBOX or GROUP");
		FZ_CHECK(production == ADDR_P_ADDRESS ||
			 production == ADDR_P_ADDRESS_LIST,
			 "group only where the production allows one");
		FZ_CHECK(a->has_display_name, "a group has a name");
		FZ_CHECK(a->nmembers == 0 || a->members != NULL,
			 "member array present");
		rc = addr_mailbox_normalize(&out, NULL, a, 0);
		FZ_CHECK(rc == ADDR_EINVAL, "normalize of a group is EINVAL");
		mprev = a->span_offset;
		for (j = 0; j < a->nmembers; j++) {
			const struct addr_mailbox *mm = &a->members[j];

			FZ_CHECK(mm->kind == ADDR_K_MAILBOX,
				 "group members are mailboxes");
			fz_check_address(mm, &res, a->span_offset,
					 a->span_offset + a->span_length, flags);
			FZ_CHECK(mm->span_offset >= mprev,
				 "members in input order");
			mprev = mm->span_offset + mm->span_length;
			check_mailbox(mm, flags, nflags, &scratch);
		}
	}
	addr_buf_free(&out);
	addr_mailbox_result_free(&scratch);
	addr_mailbox_result_free(&res);
	return 0;
}
