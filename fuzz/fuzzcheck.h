/*
 * fuzzcheck.h - invariant checks shared by the address fuzz targets
 *
 * DESCRIPTION
 *	Included by fuzz/envelope_path.c and fuzz/header_addrlist.c only;
 *	everything is static inline so each target takes what it uses.
 *	A violated invariant aborts through FZ_CHECK (fuzz.h).
 *
 *	The invariants are those of spec-address.md §1.4, §4.1-§4.4 and §5
 *	that hold for every input; the targets add the ones of their mode.
 */
#ifndef FUZZCHECK_H
#define FUZZCHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"
#include "scan.h"
#include "chaos.h"

/* fz_sink - keeps the byte reads of fz_check_str from being optimised away */
static volatile unsigned fz_sink;

/* fz_check_str - a borrowed string: non-NULL, NUL at len, readable */
static inline void fz_check_str(const struct addr_str *s, const char *what)
{
	unsigned sum = 0;
	size_t i;

	FZ_CHECK(s->ptr != NULL, what);
	for (i = 0; i < s->len; i++)
		sum += (unsigned char)s->ptr[i];
	FZ_CHECK(s->ptr[s->len] == '\0', what);
	fz_sink += sum;
}

/* fz_check_buf - a struct addr_buf after a successful call */
static inline void fz_check_buf(const struct addr_buf *b, const char *what)
{
	struct addr_str s;

	FZ_CHECK(!b->oom, what);
	s.ptr = b->ptr;
	s.len = b->size;
	fz_check_str(&s, what);
}

static inline int fz_is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static inline int fz_buf_eq(const struct addr_buf *a, const struct addr_buf *b)
{
	return a->size == b->size && memcmp(a->ptr, b->ptr, a->size) == 0;
}

static inline int fz_known_category(int cat)
{
	return cat == ADDR_CAT_VALID || cat == ADDR_CAT_RFC5321 ||
	       cat == ADDR_CAT_CFWS || cat == ADDR_CAT_DEPRECATED ||
	       cat == ADDR_CAT_RFC5322 || cat == ADDR_CAT_ERROR;
}

/*
 * fz_check_diags - known codes, offsets within the input, sorted by
 * offset, then category, then value (§4.3). Returns the highest category
 * (VALID for none) and counts the ERROR-class diagnoses.
 */
static inline int fz_check_diags(const struct addr_diag *d, size_t n,
				 size_t len, size_t *nerror)
{
	int maxcat = ADDR_CAT_VALID;
	size_t i;

	*nerror = 0;
	FZ_CHECK(n == 0 || d != NULL, "diag array present");
	for (i = 0; i < n; i++) {
		int cat = addr_diag_category(d[i].code);

		FZ_CHECK(addr_diag_name(d[i].code) != NULL, "known diag code");
		FZ_CHECK(d[i].code != ADDR_D_VALID, "VALID is no diagnosis");
		FZ_CHECK(fz_known_category(cat), "known diag category");
		FZ_CHECK(d[i].offset <= len, "diag offset <= input length");
		if (cat > maxcat)
			maxcat = cat;
		if (cat == ADDR_CAT_ERROR)
			(*nerror)++;
		if (i > 0) {
			const struct addr_diag *p = &d[i - 1];
			int pcat = addr_diag_category(p->code);

			FZ_CHECK(p->offset <= d[i].offset, "diags sorted by offset");
			if (p->offset == d[i].offset) {
				FZ_CHECK(pcat <= cat, "diags sorted by category");
				if (pcat == cat)
					FZ_CHECK(p->code <= d[i].code,
						 "diags sorted by value");
			}
		}
	}
	return maxcat;
}

/* fz_primary - the primary diagnosis of §4.4, or NULL when there is none */
static inline const struct addr_diag *fz_primary(const struct addr_diag *d,
						 size_t n)
{
	const struct addr_diag *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		int cat = addr_diag_category(d[i].code);

		if (best == NULL) {
			best = &d[i];
			continue;
		}
		int bcat = addr_diag_category(best->code);
		if (cat > bcat || (cat == bcat && d[i].code > best->code) ||
		    (cat == bcat && d[i].code == best->code &&
		     d[i].offset < best->offset))
			best = &d[i];
	}
	return best;
}

/*
 * fz_check_result - what every parse result satisfies (§1.1, §1.4, §4.1,
 * §4.4). rc is the return value of addr_mailbox_parse, len the length
 * of the parsed input.
 */
static inline void fz_check_result(const struct addr_mailbox_result *r, int rc,
				   const struct addr_error *err, size_t len)
{
	size_t nerror;
	int maxcat;
	const struct addr_diag *p;

	FZ_CHECK(rc == 0 || rc == ADDR_ESYNTAX, "parse returns 0 or ESYNTAX");
	FZ_CHECK(fz_known_category(r->category), "known result category");
	maxcat = fz_check_diags(r->diag, r->ndiag, len, &nerror);
	FZ_CHECK(r->category == maxcat, "category = highest diag category");
	FZ_CHECK(nerror <= 1, "at most one ERROR diagnosis");
	FZ_CHECK((rc == ADDR_ESYNTAX) == (r->category == ADDR_CAT_ERROR),
		 "ESYNTAX iff category ERROR");
	p = fz_primary(r->diag, r->ndiag);
	if (p == NULL)
		FZ_CHECK(r->primary == ADDR_D_VALID, "primary VALID without diags");
	else
		FZ_CHECK(r->primary == p->code, "primary per §4.4");
	if (r->category == ADDR_CAT_ERROR) {
		FZ_CHECK(r->naddr == 0, "no addresses when ERROR");
		FZ_CHECK(err->code == ADDR_ESYNTAX, "err->code is ESYNTAX");
		FZ_CHECK(err->diag == r->primary, "err->diag is the primary");
		FZ_CHECK(err->offset == p->offset, "err->offset is the primary's");
		FZ_CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL,
			 "err->message NUL-terminated");
	} else {
		FZ_CHECK(r->naddr >= 1, "an address when not ERROR");
		FZ_CHECK(r->addr != NULL, "address array present");
	}
}

/*
 * fz_check_address - one address of a non-ERROR result: span inside the
 * input (and inside [lo, hi] for group members), its diagnoses lie in
 * its span and set its category, its strings are well-formed.
 */
static inline void fz_check_address(const struct addr_mailbox *m,
				    const struct addr_mailbox_result *r,
				    size_t lo, size_t hi, unsigned flags)
{
	size_t nerror, i;
	int maxcat;

	FZ_CHECK(m->kind >= ADDR_K_MAILBOX && m->kind <= ADDR_K_POSTMASTER,
		 "known address kind");
	FZ_CHECK(m->span_offset >= lo && m->span_length <= hi - lo &&
		 m->span_offset - lo <= hi - lo - m->span_length,
		 "span inside the input / the group");
	maxcat = fz_check_diags(m->diag, m->ndiag, hi, &nerror);
	FZ_CHECK(nerror == 0, "no ERROR diag in an address");
	FZ_CHECK(m->category == maxcat, "address category = its diags'");
	FZ_CHECK(m->category <= r->category, "address category <= result's");
	FZ_CHECK(m->ndiag <= r->ndiag, "address diags <= result diags");
	for (i = 0; i < m->ndiag; i++)
		FZ_CHECK(m->diag[i].offset >= m->span_offset &&
			 m->diag[i].offset - m->span_offset <= m->span_length,
			 "address diag inside its span");
	FZ_CHECK(m->has_display_name == 0 || m->has_display_name == 1,
		 "has_display_name is 0 or 1");
	if (!m->has_display_name)
		FZ_CHECK(m->display_name.len == 0, "no display name, empty");
	fz_check_str(&m->display_name, "display_name");
	fz_check_str(&m->local_part, "local_part");
	fz_check_str(&m->domain, "domain");
	fz_check_str(&m->a_label, "a_label");
	fz_check_str(&m->u_label, "u_label");
	FZ_CHECK(m->nroute == 0 || m->route != NULL, "route array present");
	for (i = 0; i < m->nroute; i++)
		fz_check_str(&m->route[i], "route[i]");
	FZ_CHECK(m->domain_kind >= ADDR_DK_NONE &&
		 m->domain_kind <= ADDR_DK_OTHER_LITERAL, "known domain kind");
	if (m->kind == ADDR_K_MAILBOX) {
		FZ_CHECK(m->domain_kind != ADDR_DK_NONE, "a mailbox has a domain");
		FZ_CHECK(m->nmembers == 0, "a mailbox has no members");
	} else {
		FZ_CHECK(m->domain_kind == ADDR_DK_NONE, "no domain but in a mailbox");
		FZ_CHECK(m->nroute == 0, "no route but in a mailbox");
	}
	if (!(flags & ADDR_F_UTF8)) {
		FZ_CHECK(fz_is_ascii(m->local_part.ptr, m->local_part.len),
			 "ASCII local part without ADDR_F_UTF8");
		FZ_CHECK(fz_is_ascii(m->domain.ptr, m->domain.len),
			 "ASCII domain without ADDR_F_UTF8");
		FZ_CHECK(!m->smtputf8, "smtputf8 only with ADDR_F_UTF8");
	}
	FZ_CHECK(m->smtputf8 == 0 || m->smtputf8 == 1, "smtputf8 is 0 or 1");
	if (m->domain_kind == ADDR_DK_NAME && m->a_label.len > 0)
		FZ_CHECK(fz_is_ascii(m->a_label.ptr, m->a_label.len),
			 "a_label is ASCII");
}

/*
 * fz_no_unclean_diag - §5 rule 5: the re-parse of a canonical address has
 * no CFWS_*, IDNA_MAPPED, UTF8_NOT_NFC or DEPREC_* diagnosis except
 * DEPREC_QP.
 *
 * Two exceptions the spec implies, where the canonical form is stable
 * but still diagnosed:
 *  - §5 rule 3 keeps an "other" domain literal as given, and §2.4 case 1
 *    gives the WSP inside one CFWS_FWS (header mode): "a@[ x ]";
 *  - a domain with no A-label form (an IDNA error, §2.3) is written as
 *    given (NFC, ASCII-lowercased), so a mapped separator stays and is
 *    IDNA_MAPPED again: "my@<U+FF0E>leadingfwdot.com" (§6 example 102).
 */
static inline void fz_no_unclean_diag(const struct addr_mailbox_result *r)
{
	const struct addr_mailbox *m = &r->addr[0];
	int wsp_literal = 0;
	size_t i;

	if (m->domain_kind == ADDR_DK_OTHER_LITERAL)
		for (i = 0; i < m->domain.len; i++)
			if (m->domain.ptr[i] == ' ' || m->domain.ptr[i] == '\t')
				wsp_literal = 1;
	for (i = 0; i < r->ndiag; i++) {
		int c = r->diag[i].code;
		const char *name = addr_diag_name(c);

		if (c == ADDR_D_DEPREC_QP)
			continue;
		if (c == ADDR_D_CFWS_FWS && wsp_literal)
			continue;
		if (c == ADDR_D_IDNA_MAPPED && m->domain_kind == ADDR_DK_NAME &&
		    m->a_label.len == 0)
			continue;
		FZ_CHECK(c != ADDR_D_CFWS_COMMENT && c != ADDR_D_CFWS_FWS &&
			 c != ADDR_D_IDNA_MAPPED && c != ADDR_D_UTF8_NOT_NFC &&
			 strncmp(name, "DEPREC_", 7) != 0,
			 "canonical form re-parses without CFWS/IDNA_MAPPED/"
			 "UTF8_NOT_NFC/DEPREC diagnoses (§5 rule 5)");
	}
}

/*
 * fz_check_smtputf8 - §2.1: smtputf8 is true iff the canonical local part,
 * or a domain that has no valid A-label form, contains a non-ASCII octet.
 * canon is the canonical "local@domain" (A-labels). The canonical local
 * part is measured, not local_part: NFC can make text ASCII (U+212A KELVIN
 * SIGN is K). For a domain literal the spec does not say whether it "has
 * a valid A-label form"; a literal with UTF-8 dtext (header mode) is
 * accepted either way.
 */
static inline void fz_check_smtputf8(const struct addr_mailbox *m,
				     const struct addr_buf *canon)
{
	size_t i = 0, lend;
	int want, dom8;

	if (canon->size > 0 && canon->ptr[0] == '"') {
		for (i = 1; i < canon->size && canon->ptr[i] != '"'; i++)
			if (canon->ptr[i] == '\\')
				i++;
		i++;
	}
	while (i < canon->size && canon->ptr[i] != '@')
		i++;
	FZ_CHECK(i < canon->size, "canonical form has an @");
	lend = i;
	dom8 = !fz_is_ascii(m->domain.ptr, m->domain.len);
	want = !fz_is_ascii(canon->ptr, lend) ||
	       (m->domain_kind == ADDR_DK_NAME && m->a_label.len == 0 && dom8);
	if (m->domain_kind != ADDR_DK_NAME && dom8 && !want)
		return;
	FZ_CHECK(m->smtputf8 == want,
		 "smtputf8 iff the canonical local part or a domain without "
		 "A-label form is not ASCII (§2.1)");
}

/*
 * fz_check_scan - every instruction set level of scan.c this processor
 * can run (SSE2 only, what a processor without SSSE3 gets; SSSE3; AVX2)
 * gives the same masks, copy and lower-cased octets as the detected one
 * for the first ADDR__SCAN_MAX octets of s
 */
static inline void fz_check_scan(const char *s, size_t n)
{
	struct addr__masks a, b;
	char la[64], lb[64];
	unsigned char ca[64], cb[64];
	int level, top;

	if (n > ADDR__SCAN_MAX)
		n = ADDR__SCAN_MAX;
	addr__scan_masks((const unsigned char *)s, n, &a, la, ca);
	top = addr__scan_level;
	for (level = ADDR__SCAN_SSE2; level < top; level++) {
		addr__scan_level = level;
		addr__scan_masks((const unsigned char *)s, n, &b, lb, cb);
		FZ_CHECK(a.atext == b.atext && a.alnum == b.alnum &&
			 a.hyphen == b.hyphen && a.dot == b.dot &&
			 a.at == b.at && memcmp(la, lb, n) == 0 &&
			 memcmp(ca, cb, 64) == 0,
			 "scan.c: every lower level's masks equal the "
			 "detected level's");
	}
	addr__scan_level = -1;
}

/*
 * fz_check_failures - an out-of-range production is ADDR_EINVAL, and a
 * parse of in[0..n) whose allocation number 1 + n % (its allocations)
 * fails (fuzz/chaos.h) is ADDR_ENOMEM with an empty ERROR result (addr.h;
 * tests/test_alloc.c fails every allocation of fixed inputs in turn)
 */
static inline void fz_check_failures(const char *in, size_t n,
				     int production, unsigned flags)
{
	struct addr_mailbox_result r;
	long calls;
	int rc;

	addr_mailbox_result_init(&r);
	rc = addr_mailbox_parse(&r, in, n, ADDR_P_ADDRESS_LIST + 1, flags, NULL);
	FZ_CHECK(rc == ADDR_EINVAL && r.category == ADDR_CAT_ERROR &&
		 r.naddr == 0, "an unknown production is EINVAL");
	addr_mailbox_result_free(&r);

	addr_mailbox_result_init(&r);
	fz_chaos_on(0);
	addr_mailbox_parse(&r, in, n, production, flags, NULL);
	fz_chaos_off();
	calls = fz_chaos_calls;
	addr_mailbox_result_free(&r);
	if (calls == 0)
		return;
	addr_mailbox_result_init(&r);
	fz_chaos_on(1 + (long)(n % (size_t)calls));
	rc = addr_mailbox_parse(&r, in, n, production, flags, NULL);
	fz_chaos_off();
	/* (a first parse may allocate once more: a cache made on first use) */
	FZ_CHECK(!fz_chaos_injected || (rc == ADDR_ENOMEM &&
		 r.category == ADDR_CAT_ERROR && r.naddr == 0),
		 "a failed allocation is ENOMEM with an empty result");
	addr_mailbox_result_free(&r);
}

#endif /* FUZZCHECK_H */
