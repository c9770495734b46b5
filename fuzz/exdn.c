/*
 * exdn.c - fuzz target: X.500 / legacyExchangeDN names
 *
 * DESCRIPTION
 *	Input: one selector octet, then the DN text (spec-x400.md §6).
 *	Selector bits:
 *
 *	  0x01	format with ADDR_EXDN_LOWER	0x02	format with
 *		(both bits: ADDR_EINVAL)		ADDR_EXDN_UPPER
 *	  0xfc	unused
 *
 *	Checks, for every input:
 *	 - addr_exdn_check and addr_exdn_parse agree (result, warnings);
 *	   an error leaves the DN empty and its offset inside the input;
 *	 - valid: at least one section, each with a known prefix and a
 *	   non-empty value free of the forbidden characters; the warning
 *	   is set iff the input has a non-ASCII octet; the plain format is
 *	   the input itself; the re-cased format parses to the same
 *	   sections and compares equal to the input; rebuilding the DN
 *	   with addr_exdn_append gives the same lower-case form;
 *	 - any UTF-8 input compares equal to its ASCII upper-casing
 *	   (full case folding is per code point), and the key of the
 *	   input is what addr_exdn_equal compares.
 *	Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

/* forbidden - an octet the DN syntax refuses in a value */
static int forbidden(unsigned char c)
{
	return c < 0x20 || c == 0x7F || (c != 0 && strchr("#$/;=\\^~`",
							    (char)c) != NULL);
}

/* same_sections - a and b have the same prefixes and values */
static int same_sections(const struct addr_exdn *a, const struct addr_exdn *b)
{
	size_t k;

	if (a->nrdn != b->nrdn)
		return 0;
	for (k = 0; k < a->nrdn; k++)
		if (a->rdn[k].prefix != b->rdn[k].prefix ||
		    a->rdn[k].value.len != b->rdn[k].value.len ||
		    memcmp(a->rdn[k].value.ptr, b->rdn[k].value.ptr,
			   a->rdn[k].value.len) != 0)
			return 0;
	return 1;
}

/* check_valid - the invariants of a DN that parsed */
static void check_valid(const struct addr_exdn *dn, const char *in,
			size_t len, unsigned sel)
{
	struct addr_exdn back, built;
	struct addr_buf f, g;
	unsigned flags = sel & (ADDR_EXDN_LOWER | ADDR_EXDN_UPPER);
	size_t i, k;
	int nonascii = 0, rc;

	for (i = 0; i < len; i++)
		nonascii |= (unsigned char)in[i] >= 0x80;
	FZ_CHECK(dn->warnings == (nonascii ? ADDR_EXDN_W_NON_ASCII : 0u),
	      "dn.non-ascii iff a non-ASCII octet");
	FZ_CHECK(dn->nrdn >= 1, "a valid DN has a section");
	for (k = 0; k < dn->nrdn; k++) {
		const struct addr_exdn_rdn *r = &dn->rdn[k];

		FZ_CHECK(r->prefix >= ADDR_EXDN_O && r->prefix <= ADDR_EXDN_GUID,
		      "known prefix");
		FZ_CHECK(r->value.len > 0 && r->value.ptr[r->value.len] == '\0',
		      "non-empty, NUL-terminated value");
		FZ_CHECK(r->name.len + 1 + r->value.len >= 3, "section >= 3");
		for (i = 0; i < r->value.len; i++)
			FZ_CHECK(!forbidden((unsigned char)r->value.ptr[i]),
			      "no forbidden character in a value");
	}

	addr_buf_init(&f);
	addr_buf_init(&g);
	addr_exdn_init(&back);
	addr_exdn_init(&built);
	FZ_CHECK(addr_exdn_format(&f, dn, 0) == 0 && f.size == len &&
	      memcmp(f.ptr, in, len) == 0, "plain format is the input");
	addr_buf_clear(&f);
	rc = addr_exdn_format(&f, dn, flags);
	if (flags == (ADDR_EXDN_LOWER | ADDR_EXDN_UPPER)) {
		FZ_CHECK(rc == ADDR_EINVAL, "both cases: EINVAL");
	} else {
		FZ_CHECK(rc == 0, "format succeeds");
		FZ_CHECK(addr_exdn_parse(&back, f.ptr, f.size, NULL) == 0 &&
		      same_sections(dn, &back) &&
		      back.warnings == dn->warnings,
		      "format parses back to the same sections");
		FZ_CHECK(addr_exdn_equal(in, len, f.ptr, f.size) == 1,
		      "re-cased DN compares equal");
	}
	/* rebuild with append: the same lower-case form */
	for (k = 0; k < dn->nrdn; k++)
		FZ_CHECK(addr_exdn_append(&built, dn->rdn[k].prefix,
				       dn->rdn[k].value.ptr,
				       dn->rdn[k].value.len, NULL) == 0,
		      "append accepts a parsed value");
	FZ_CHECK(same_sections(dn, &built) && built.warnings == dn->warnings,
	      "built DN has the parsed sections");
	addr_buf_clear(&f);
	FZ_CHECK(addr_exdn_format(&f, dn, ADDR_EXDN_LOWER) == 0 &&
	      addr_exdn_format(&g, &built, 0) == 0 && f.size == g.size &&
	      memcmp(f.ptr, g.ptr, f.size) == 0,
	      "built DN formats as the lower-case form");
	addr_exdn_free(&back);
	addr_exdn_free(&built);
	addr_buf_free(&f);
	addr_buf_free(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_exdn dn;
	struct addr_error err;
	struct addr_buf up, key;
	const char *in;
	size_t len, i;
	unsigned sel, warn = 99;
	int rc, rc2;

	if (size < 1)
		return 0;
	sel = data[0];
	in = (const char *)data + 1;
	len = size - 1;

	addr_exdn_init(&dn);
	memset(&err, 0, sizeof(err));
	rc = addr_exdn_check(in, len, &warn, &err);
	FZ_CHECK(rc == 0 || rc == ADDR_ESYNTAX, "check: 0 or ESYNTAX");
	rc2 = addr_exdn_parse(&dn, in, len, NULL);
	FZ_CHECK(rc2 == rc, "check and parse agree");
	if (rc < 0) {
		FZ_CHECK(dn.nrdn == 0 && warn == 0, "error: empty DN, no warning");
		FZ_CHECK(err.offset <= len && err.code == rc, "error offset");
	} else {
		FZ_CHECK(warn == dn.warnings, "check and parse warnings agree");
		check_valid(&dn, in, len, sel);
	}
	addr_exdn_free(&dn);

	/* comparison: any UTF-8 text, valid DN or not */
	addr_buf_init(&up);
	addr_buf_init(&key);
	for (i = 0; i < len; i++) {
		char c = in[i];

		addr_buf_putc(&up, c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
	}
	FZ_CHECK(!up.oom, "memory");
	rc = addr_exdn_equal(in, len, up.ptr, up.size);
	if (addr_utf8_check(in, len) == len) {
		FZ_CHECK(rc == 1, "text equals its ASCII upper-casing");
		FZ_CHECK(addr_exdn_key(&key, in, len) == 0, "key of UTF-8 text");
		FZ_CHECK(addr_exdn_equal(in, len, key.ptr, key.size) == 1,
		      "text equals its key");
	} else {
		FZ_CHECK(rc == ADDR_ESYNTAX, "comparison of non-UTF-8: ESYNTAX");
	}
	addr_buf_free(&up);
	addr_buf_free(&key);
	return 0;
}
