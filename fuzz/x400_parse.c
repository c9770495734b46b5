/*
 * x400_parse.c - fuzz target: X.400 O/R address forms and their round trips
 *
 * DESCRIPTION
 *	Input: one selector octet, then the text. Selector bits:
 *
 *	  0x03	input form: 0 auto, 1 Exchange, 2 RFC 1685, 3 std-or
 *	  0x04	ADDR_X400_STRICT
 *	  0xf8	unused
 *
 *	Parses the text (spec-x400.md §3) and checks:
 *	 - the result is the form parsed (the named one, or 1..3 for auto)
 *	   or one of ADDR_ESYNTAX, ADDR_ETOOLONG, ADDR_ENOTSUP; after an
 *	   error the model is empty and err->offset lies inside the input;
 *	 - a parsed model passes addr_x400_check in the same mode;
 *	 - strict parses only what lenient parses to the same model;
 *	 - for each of the three forms: format refuses only what §3 says
 *	   that form cannot hold (Exchange: a DDA type with "="), and what
 *	   it writes parses back, in that form, to the model after the
 *	   form's documented normalisations (RFC 1685: a blank ADMD next to
 *	   C or P; std-or: C without ADMD, the RFC-822 DDA type's case); the
 *	   text is a fixed point when nothing was normalised, and the
 *	   normalised model reads back unchanged;
 *	 - parse and format refuse form 4 with ADDR_EINVAL.
 *	Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

/* is_empty - no attribute, no DDA */
static int is_empty(const struct addr_x400 *x)
{
	int i;

	for (i = 0; i < ADDR_X400_NATTR; i++)
		if (x->attr[i].ptr != NULL)
			return 0;
	return x->ndda == 0;
}

/* ieq - ASCII case-insensitive equality with a C string */
static int ieq(const char *s, size_t n, const char *z)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char a = s[i], b = z[i];

		if (b == '\0')
			return 0;
		if (a >= 'a' && a <= 'z')
			a = (char)(a - 32);
		if (b >= 'a' && b <= 'z')
			b = (char)(b - 32);
		if (a != b)
			return 0;
	}
	return z[n] == '\0';
}

/* normalise - what reading form back makes of x */
static void normalise(struct addr_x400 *x, int form)
{
	const struct addr_x400_value *a = &x->attr[ADDR_X400_A];
	size_t i;

	if (form == ADDR_X400_RFC1685 &&
	    (x->attr[ADDR_X400_C].ptr || x->attr[ADDR_X400_P].ptr) &&
	    (a->ptr == NULL || a->len == 0))
		FZ_CHECK(addr_x400_set(x, ADDR_X400_A, " ", 1) == 0, "set");
	if (form == ADDR_X400_STDOR && x->attr[ADDR_X400_C].ptr &&
	    a->ptr == NULL)
		FZ_CHECK(addr_x400_set(x, ADDR_X400_A, " ", 1) == 0, "set");
	if (form == ADDR_X400_STDOR)
		for (i = 0; i < x->ndda; i++)
			if (ieq(x->dda[i].type.ptr, x->dda[i].type.len, "RFC-822"))
				memcpy(x->dda[i].type.ptr, "RFC-822", 7);
}

/* roundtrip - format x in form; what is written must read back */
static void roundtrip(const struct addr_x400 *x, int form)
{
	struct addr_x400 back, want;
	struct addr_buf out, again;
	struct addr_error err;
	size_t i;
	int r, eq = 0;

	addr_buf_init(&out);
	addr_buf_init(&again);
	addr_x400_init(&back);
	addr_x400_init(&want);
	r = addr_x400_format(&out, x, form, 0, &err);
	if (form == ADDR_X400_EXCHANGE && r < 0) {
		for (i = 0; i < x->ndda; i++)
			if (memchr(x->dda[i].type.ptr, '=', x->dda[i].type.len))
				eq = 1;
		FZ_CHECK(r == ADDR_ESYNTAX && eq, "Exchange format refuses only"
		      " a DDA type with '='");
	}
	if (r == 0) {
		r = addr_x400_parse(&back, out.ptr, out.size, form, 0, &err);
		FZ_CHECK(r == form, "formatted text parses in its form");
		FZ_CHECK(addr_x400_copy(&want, x) == 0, "copy");
		normalise(&want, form);
		FZ_CHECK(addr_x400_equal(&want, &back), "round trip gives the"
		      " model back");
		FZ_CHECK(addr_x400_format(&again, &back, form, 0, &err) == 0,
		      "the read-back model formats");
		/* a normalisation changes the text once, then never again */
		if (addr_x400_equal(x, &want))
			FZ_CHECK(again.size == out.size &&
			      memcmp(again.ptr, out.ptr, out.size) == 0,
			      "formatting is idempotent");
		addr_x400_free(&want);
		FZ_CHECK(addr_x400_parse(&want, again.ptr, again.size, form, 0,
				      &err) == form &&
		      addr_x400_equal(&want, &back), "normal form is stable");
	} else {
		FZ_CHECK(r == ADDR_ESYNTAX, "format fails only as not representable");
	}
	addr_buf_free(&out);
	addr_buf_free(&again);
	addr_x400_free(&back);
	addr_x400_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_x400 x, lenient;
	struct addr_error err;
	const char *in;
	unsigned flags;
	int form, r;

	if (size < 1)
		return 0;
	form = data[0] & 0x03;
	flags = (data[0] & 0x04) ? ADDR_X400_STRICT : 0;
	in = (const char *)data + 1;
	size--;
	addr_x400_init(&x);
	addr_x400_init(&lenient);
	memset(&err, 0, sizeof(err));
	r = addr_x400_parse(&x, in, size, form, flags, &err);
	if (r < 0) {
		FZ_CHECK(r == ADDR_ESYNTAX || r == ADDR_ETOOLONG ||
		      r == ADDR_ENOTSUP, "error code");
		FZ_CHECK(err.code == r, "error struct code");
		FZ_CHECK(err.offset <= size, "error offset inside the input");
		FZ_CHECK(is_empty(&x), "model empty after an error");
		return 0;
	}
	FZ_CHECK(form == 0 ? (r >= 1 && r <= 3) : r == form, "parsed form");
	FZ_CHECK(addr_x400_check(&x, flags, NULL) == 0, "parsed model checks");
	if (flags) {
		FZ_CHECK(addr_x400_parse(&lenient, in, size, r, 0, NULL) == r,
		      "strict implies lenient");
		FZ_CHECK(addr_x400_equal(&x, &lenient), "strict model is lenient"
		      " model");
	}
	roundtrip(&x, ADDR_X400_EXCHANGE);
	roundtrip(&x, ADDR_X400_RFC1685);
	roundtrip(&x, ADDR_X400_STDOR);
	{
		/* a form number that is none of the three */
		struct addr_buf b;

		addr_buf_init(&b);
		FZ_CHECK(addr_x400_parse(&lenient, in, size, 4, flags, NULL) ==
			 ADDR_EINVAL && addr_x400_format(&b, &x, 4, 0, NULL) ==
			 ADDR_EINVAL && b.size == 0, "an unknown form is EINVAL");
		addr_buf_free(&b);
	}
	addr_x400_free(&x);
	addr_x400_free(&lenient);
	return 0;
}
