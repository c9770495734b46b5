/*
 * envelope_path.c - fuzz target: RFC 5321 / 6531 envelope paths
 *
 * DESCRIPTION
 *	Input: one selector octet, then the path as a MAIL FROM or RCPT TO
 *	argument (spec-address.md §1.2). Selector bits:
 *
 *	  0x01	ADDR_F_LENIENT		0x08	normalize with ADDR_N_ULABEL
 *	  0x02	ADDR_F_UTF8		0x10	normalize with ADDR_N_7BIT and
 *	  0x04	ADDR_P_FORWARD_PATH		a display buffer
 *		(else REVERSE_PATH)	0x20	the SSE2-only scan (scan.c's
 *						path for processors without
 *						SSSE3) for this input
 *					0xc0	unused
 *
 *	Parses the rest, checks the invariants of fuzzcheck.h and those of
 *	envelope mode, normalizes the address and checks that the canonical
 *	form is stable:
 *	 - not ERROR: exactly one address; NULL only for "<>" as a reverse
 *	   path, POSTMASTER only for "<Postmaster>" as a forward path; no
 *	   CFWS-class or obsolete-syntax diagnosis (envelope mode has no
 *	   CFWS); no escalated diagnosis (§1.2) survives without ERR_ENVELOPE,
 *	   except a General-address-literal under ADDR_F_LENIENT;
 *	 - every escalated diagnosis is followed by ERR_ENVELOPE at its
 *	   offset;
 *	 - the canonical form (A-labels) re-parsed with ADDR_P_ADDR_SPEC,
 *	   lenient, same UTF-8 flag, is not ERROR, has none of the
 *	   diagnoses §5 rule 5 excludes, and normalizes to itself;
 *	 - smtputf8 as §2.1 defines it (fz_check_smtputf8);
 *	 - VALID: "<" canonical ">" re-parsed as a forward path (reverse
 *	   path for the null path) with the same flags is VALID and
 *	   normalizes to itself; with ADDR_F_UTF8 the U-label form re-parses
 *	   to the same A-label form;
 *	 - the SSE2-only classification of scan.c agrees with the detected
 *	   one on the path's first 63 octets (fz_check_scan);
 *	 - an unknown production is ADDR_EINVAL, and one failed allocation
 *	   (non-ASCII paths allocate) makes the parse ADDR_ENOMEM with an
 *	   empty result (fz_check_failures).
 *	Any violation aborts.
 */
#include "fuzzcheck.h"

/* escalated - the diagnoses §1.2 escalates to ERR_ENVELOPE */
static int escalated(int c)
{
	switch (c) {
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
	}
	return 0;
}

/* header_only - diagnoses that need CFWS, a display name or obsolete syntax */
static int header_only(int c)
{
	switch (c) {
	case ADDR_D_CFWS_COMMENT:
	case ADDR_D_CFWS_FWS:
	case ADDR_D_DEPREC_LOCALPART:
	case ADDR_D_DEPREC_FWS:
	case ADDR_D_DEPREC_QTEXT:
	case ADDR_D_DEPREC_QP:
	case ADDR_D_DEPREC_COMMENT:
	case ADDR_D_DEPREC_CTEXT:
	case ADDR_D_DEPREC_PHRASE:
	case ADDR_D_DEPREC_EMPTY_MEMBER:
	case ADDR_D_DEPREC_CFWS_NEAR_AT:
	case ADDR_D_RFC5322_DOMLIT_OBSDTEXT:
	case ADDR_D_ENCWORD_UNDECODABLE:
		return 1;
	}
	return 0;
}

static int ieq(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return 0;
	for (i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return 1;
}

/* check_escalation - §1.2 on the diagnosis list of one result */
static void check_escalation(const struct addr_mailbox_result *r,
			     unsigned flags)
{
	size_t i, j;

	for (i = 0; i < r->ndiag; i++) {
		int c = r->diag[i].code;
		int found = 0;

		if (!escalated(c))
			continue;
		for (j = 0; j < r->ndiag; j++)
			if (r->diag[j].code == ADDR_D_ERR_ENVELOPE &&
			    r->diag[j].offset == r->diag[i].offset)
				found = 1;
		if (found)
			continue;
		/* Only a General-address-literal, only when lenient. */
		FZ_CHECK(c == ADDR_D_RFC5322_DOMAINLITERAL &&
			 (flags & ADDR_F_LENIENT) &&
			 r->category != ADDR_CAT_ERROR &&
			 r->addr[0].domain_kind == ADDR_DK_GENERAL,
			 "escalated diagnosis followed by ERR_ENVELOPE (§1.2)");
	}
}

/* reparse_spec - §5 rule 5 for the canonical form in canon */
static void reparse_spec(const struct addr_buf *canon, unsigned flags)
{
	struct addr_mailbox_result r;
	struct addr_error err;
	struct addr_buf again;
	int rc;

	addr_mailbox_result_init(&r);
	addr_buf_init(&again);
	rc = addr_mailbox_parse(&r, canon->ptr, canon->size, ADDR_P_ADDR_SPEC,
				ADDR_F_LENIENT | (flags & ADDR_F_UTF8), &err);
	fz_check_result(&r, rc, &err, canon->size);
	FZ_CHECK(rc == 0, "canonical form re-parses as addr-spec (§5 rule 5)");
	FZ_CHECK(r.naddr == 1, "addr-spec yields one address");
	fz_check_address(&r.addr[0], &r, 0, canon->size, flags);
	fz_no_unclean_diag(&r);
	rc = addr_mailbox_normalize(&again, NULL, &r.addr[0], 0);
	FZ_CHECK(rc == 0, "normalize of the re-parse succeeds");
	fz_check_buf(&again, "normalize output (2nd)");
	FZ_CHECK(fz_buf_eq(&again, canon),
		 "normalization is idempotent (§5 rule 5)");
	addr_buf_free(&again);
	addr_mailbox_result_free(&r);
}

/* reparse_path - VALID stays VALID with the same canonical form */
static void reparse_path(const struct addr_buf *text,
			 const struct addr_buf *want, int production,
			 unsigned flags, int kind)
{
	struct addr_mailbox_result r;
	struct addr_error err;
	struct addr_buf path, again;
	int rc;

	addr_mailbox_result_init(&r);
	addr_buf_init(&path);
	addr_buf_init(&again);
	if (addr_buf_putc(&path, '<') || addr_buf_put(&path, text->ptr, text->size) ||
	    addr_buf_putc(&path, '>'))
		abort();
	rc = addr_mailbox_parse(&r, path.ptr, path.size, production, flags, &err);
	fz_check_result(&r, rc, &err, path.size);
	FZ_CHECK(r.category == ADDR_CAT_VALID,
		 "canonical form of a VALID path is VALID");
	FZ_CHECK(r.naddr == 1 && r.addr[0].kind == kind,
		 "canonical form of a path keeps its kind");
	rc = addr_mailbox_normalize(&again, NULL, &r.addr[0], 0);
	FZ_CHECK(rc == 0, "normalize of the re-parsed path succeeds");
	FZ_CHECK(fz_buf_eq(&again, want),
		 "canonical form of a VALID path normalizes to itself");
	addr_buf_free(&again);
	addr_buf_free(&path);
	addr_mailbox_result_free(&r);
}

static int one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fz_check_scan((const char *)data + 1, size - 1);
	fz_check_failures((const char *)data + 1, size - 1,
			  (data[0] & 0x04) ? ADDR_P_FORWARD_PATH :
			  ADDR_P_REVERSE_PATH,
			  data[0] & (ADDR_F_LENIENT | ADDR_F_UTF8));
	if (data[0] & 0x20)
		addr__scan_set_ssse3(0);
	one(data, size);
	addr__scan_set_ssse3(-1);
	return 0;
}

/* one - the checks above for one input */
static int one(const uint8_t *data, size_t size)
{
	struct addr_mailbox_result res;
	struct addr_error err;
	struct addr_buf canon, out, display;
	const struct addr_mailbox *m;
	const char *in;
	size_t len, i;
	unsigned sel, flags, nflags;
	int production, rc;

	if (size < 1)
		return 0;
	sel = data[0];
	in = (const char *)data + 1;
	len = size - 1;
	flags = sel & (ADDR_F_LENIENT | ADDR_F_UTF8);
	production = (sel & 0x04) ? ADDR_P_FORWARD_PATH : ADDR_P_REVERSE_PATH;
	nflags = ((sel & 0x08) ? ADDR_N_ULABEL : 0) |
		 ((sel & 0x10) ? ADDR_N_7BIT : 0);

	addr_mailbox_result_init(&res);
	memset(&err, 0, sizeof(err));
	rc = addr_mailbox_parse(&res, in, len, production, flags, &err);
	fz_check_result(&res, rc, &err, len);
	check_escalation(&res, flags);
	if (rc != 0) {
		addr_mailbox_result_free(&res);
		return 0;
	}

	FZ_CHECK(res.naddr == 1, "envelope: not ERROR implies naddr == 1");
	m = &res.addr[0];
	fz_check_address(m, &res, 0, len, flags);
	for (i = 0; i < res.ndiag; i++)
		FZ_CHECK(!header_only(res.diag[i].code),
			 "envelope: no CFWS or header-obsolete diagnosis");
	FZ_CHECK(m->has_display_name == 0, "envelope: no display name");
	switch (m->kind) {
	case ADDR_K_NULL:
		FZ_CHECK(production == ADDR_P_REVERSE_PATH && len == 2 &&
			 memcmp(in, "<>", 2) == 0,
			 "envelope: NULL only for <> as reverse path");
		break;
	case ADDR_K_POSTMASTER:
		FZ_CHECK(production == ADDR_P_FORWARD_PATH &&
			 ieq(m->local_part.ptr, m->local_part.len, "postmaster"),
			 "envelope: POSTMASTER only for <Postmaster> as forward");
		break;
	case ADDR_K_MAILBOX:
		break;
	default:
		FZ_CHECK(0, "envelope: kind MAILBOX, NULL or POSTMASTER");
	}

	/* Normalize with the selected flags, then in the canonical form. */
	addr_buf_init(&out);
	addr_buf_init(&display);
	addr_buf_init(&canon);
	rc = addr_mailbox_normalize(&out, (sel & 0x10) ? &display : NULL, m,
				    nflags);
	FZ_CHECK(rc == 0, "normalize succeeds on a non-ERROR mailbox");
	fz_check_buf(&out, "normalize output");
	fz_check_buf(&display, "normalize display");
	FZ_CHECK(display.size == 0, "envelope: empty display output");
	rc = addr_mailbox_normalize(&canon, NULL, m, 0);
	FZ_CHECK(rc == 0, "normalize succeeds on a non-ERROR mailbox");
	fz_check_buf(&canon, "normalize output");
	if (m->kind == ADDR_K_NULL)
		FZ_CHECK(canon.size == 0, "null path normalizes to empty");
	if (m->kind == ADDR_K_POSTMASTER)
		FZ_CHECK(canon.size == m->local_part.len &&
			 memcmp(canon.ptr, m->local_part.ptr, canon.size) == 0,
			 "postmaster normalizes to the local part as given");
	if (!(nflags & ADDR_N_ULABEL))
		FZ_CHECK(fz_buf_eq(&out, &canon),
			 "ADDR_N_7BIT does not change the address");

	if (m->kind == ADDR_K_MAILBOX)
		fz_check_smtputf8(m, &canon);
	else
		FZ_CHECK(!m->smtputf8, "no smtputf8 for the null path or postmaster");
	if (m->kind == ADDR_K_MAILBOX)
		reparse_spec(&canon, flags);
	if (res.category == ADDR_CAT_VALID) {
		int p = m->kind == ADDR_K_NULL ? ADDR_P_REVERSE_PATH :
						 ADDR_P_FORWARD_PATH;

		reparse_path(&canon, &canon, p, flags, m->kind);
		if (m->kind == ADDR_K_MAILBOX && (flags & ADDR_F_UTF8)) {
			/* The U-label form leads back to the same A-labels. */
			rc = addr_mailbox_normalize(&out, NULL, m, ADDR_N_ULABEL);
			FZ_CHECK(rc == 0, "normalize (U-label) succeeds");
			reparse_path(&out, &canon, p, flags, m->kind);
		}
	}

	addr_buf_free(&canon);
	addr_buf_free(&display);
	addr_buf_free(&out);
	addr_mailbox_result_free(&res);
	return 0;
}
