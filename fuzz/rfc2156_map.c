/*
 * rfc2156_map.c - fuzz target: RFC 2156 mappings X.400 <-> RFC 822
 *
 * DESCRIPTION
 *	Input: one selector octet, then the text. Selector bits:
 *
 *	  0x01	direction: 0 X.400 -> 822, 1 822 -> X.400
 *	  0x02	ADDR_RFC2156_ALGORITHMIC
 *	  0x04	ADDR_RFC2156_RETURN_ADDRESS (822 -> X.400)
 *	  0x18	X.400 input form (X.400 -> 822): 0 auto, 1 Exchange,
 *		2 RFC 1685, 3 std-or
 *	  0x20	no local domain and no local O/R address (the tables
 *		alone; what needs them fails with ADDR_EINVAL)
 *	  0x40	allocation failures: the mapping again with libaddr's
 *		1st, 2nd, ... allocation failing (fuzz/chaos.h): each is
 *		ADDR_ENOMEM with nothing written, or the same result as
 *		without the failure (an input that fails anyway may say
 *		why before it notices the lost allocation; a lookup that
 *		cannot allocate may find nothing, which must then not
 *		change the mapping)
 *	  0x80	unused
 *
 *	Every input runs with the MCGAM pairs of spec-x400.md §8 (Widget,
 *	tlec, UK.AC both ways), a gate2 line for alter.net, the local domain gw.example and
 *	the local O/R address C=US;A= ;P=Local; (spec-x400.md §5). Checks:
 *	 - X.400 -> 822: the result is 1 (Mapping A), 2 (Mapping B) or an
 *	   error; Mapping A only for exactly one RFC-822 DDA; a result is
 *	   an addr-spec the address parser accepts (lenient); without
 *	   ALGORITHMIC (whose domains can collide with table domains) the
 *	   Mapping B result of a valid X.400 address maps back in Stage I
 *	   to the same address (ASCII case aside: lookups ignore it),
 *	   unless a value holds leading, trailing or double spaces (Stage I
 *	   sends those to Stage II on purpose);
 *	 - 822 -> X.400: the result is 1 (Stage I) or 2 (Stage II) or an
 *	   error; the address passes addr_x400_check; Stage I gives a valid
 *	   X.400 address; Stage II carries the input in its RFC-822 DDAs
 *	   (at most 512 characters), and mapping that back gives the input
 *	   octet for octet unless it holds a control character (Mapping A
 *	   undoes Stage II); with
 *	   RETURN_ADDRESS Stage II uses the local O/R address.
 *	Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"
#include "chaos.h"

static const char mcgam[] =
	"O$Widget.PRMD$@.ADMD$BTT.C$TC#Widget.COM#\n"
	"Widget.COM#O$Widget.PRMD$@.ADMD$BTT.C$TC#\n"
	"PRMD$tlec.ADMD$ade.C$nl#tlec.nl#\n"
	"tlec.nl#PRMD$tlec.ADMD$ade.C$nl#\n"
	"PRMD$UK\\.AC.ADMD$GOLD 400.C$GB#AC.UK#\n"
	"AC.UK#PRMD$UK\\.AC.ADMD$GOLD 400.C$GB#\n";
static const char gate[] = "alter.net#PRMD$relay.ADMD$BTglobal.C$gb#\n";
static const char local_or[] = "C=US;A= ;P=Local;";

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

/* n_rfc822 - how many DDAs have the type RFC-822 */
static int n_rfc822(const struct addr_x400 *x)
{
	size_t i;
	int n = 0;

	for (i = 0; i < x->ndda; i++)
		if (ieq(x->dda[i].type.ptr, x->dda[i].type.len, "RFC-822"))
			n++;
	return n;
}

/* spacey - some value has leading, trailing or double spaces */
static int spacey(const struct addr_x400 *x)
{
	const struct addr_x400_value *v[ADDR_X400_NATTR + 2 * ADDR_X400_MAXDDA];
	size_t i, k, n = 0;

	for (i = 0; i < ADDR_X400_NATTR; i++)
		v[n++] = &x->attr[i];
	for (i = 0; i < x->ndda; i++) {
		v[n++] = &x->dda[i].type;
		v[n++] = &x->dda[i].value;
	}
	for (k = 0; k < n; k++) {
		const char *s = v[k]->ptr;
		size_t len = v[k]->len;

		if (s == NULL || len == 0)
			continue;
		if (s[0] == ' ' || s[len - 1] == ' ')
			return 1;
		for (i = 1; i < len; i++)
			if (s[i] == ' ' && s[i - 1] == ' ')
				return 1;
	}
	return 0;
}

/* same - equal Exchange forms, ASCII case aside: table lookups ignore
 * case, and the levels an MCGAM covers come back as the table has them */
static int same(const struct addr_x400 *a, const struct addr_x400 *b)
{
	struct addr_buf fa, fb;
	size_t i;
	int eq;

	addr_buf_init(&fa);
	addr_buf_init(&fb);
	addr_x400_format(&fa, a, ADDR_X400_EXCHANGE, 0, NULL);
	addr_x400_format(&fb, b, ADDR_X400_EXCHANGE, 0, NULL);
	eq = fa.size == fb.size;
	for (i = 0; eq && i < fa.size; i++) {
		char x = fa.ptr[i], y = fb.ptr[i];

		if (x >= 'a' && x <= 'z')
			x = (char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 32);
		eq = x == y;
	}
	addr_buf_free(&fa);
	addr_buf_free(&fb);
	return eq;
}

/* is_addr_spec - the address parser accepts s as an addr-spec */
static int is_addr_spec(const char *s, size_t n)
{
	struct addr_mailbox_result res;
	int r;

	addr_mailbox_result_init(&res);
	r = addr_mailbox_parse(&res, s, n, ADDR_P_ADDR_SPEC, ADDR_F_LENIENT,
			       NULL);
	addr_mailbox_result_free(&res);
	return r == 0;
}

/* to_822 - X.400 -> 822 and back */
static void to_822(struct addr_rfc2156_tables *t, const char *in, size_t n,
		   int form, unsigned flags, const char *dom)
{
	struct addr_x400 x, back;
	struct addr_buf out;
	int r;

	addr_x400_init(&x);
	addr_x400_init(&back);
	addr_buf_init(&out);
	if (addr_x400_parse(&x, in, n, form, 0, NULL) < 0)
		goto out;
	r = addr_rfc2156_to_822(&out, &x, t, dom, flags, NULL);
	if (r < 0) {
		FZ_CHECK(out.size == 0, "nothing written on error");
		FZ_CHECK(r != ADDR_EINVAL || dom == NULL,
			 "EINVAL only without a local domain");
		goto out;
	}
	FZ_CHECK(r == 1 || r == 2, "mapping number");
	FZ_CHECK((r == 1) == (n_rfc822(&x) == 1), "Mapping A iff one RFC-822 DDA");
	if (r == 1)
		goto out;	/* the DDA held any text; nothing to promise */
	FZ_CHECK(is_addr_spec(out.ptr, out.size), "Mapping B writes an addr-spec");
	if (!spacey(&x) && !flags && addr_x400_is_valid(&x)) {
		r = addr_rfc2156_from_822(&back, out.ptr, out.size, t, NULL, 0,
					  NULL);
		FZ_CHECK(r == 1, "Mapping B output maps back in Stage I");
		FZ_CHECK(same(&x, &back), "and to the same address");
	}
out:
	addr_x400_free(&x);
	addr_x400_free(&back);
	addr_buf_free(&out);
}

/* from_822 - 822 -> X.400, and Stage II back */
static void from_822(struct addr_rfc2156_tables *t, const struct addr_x400 *lo,
		     const char *in, size_t n, unsigned flags)
{
	struct addr_x400 x;
	struct addr_buf out;
	size_t i;
	int r;

	addr_x400_init(&x);
	addr_buf_init(&out);
	r = addr_rfc2156_from_822(&x, in, n, t, lo, flags, NULL);
	if (r < 0) {
		FZ_CHECK(x.ndda == 0, "nothing left on error");
		FZ_CHECK(r != ADDR_EINVAL || lo == NULL,
			 "EINVAL only without a local O/R address");
		goto out;
	}
	FZ_CHECK(r == 1 || r == 2, "stage number");
	FZ_CHECK(addr_x400_check(&x, 0, NULL) == 0, "result checks");
	if (r == 1) {
		FZ_CHECK(addr_x400_is_valid(&x), "Stage I gives a valid address");
		goto out;
	}
	FZ_CHECK(n_rfc822(&x) == 1, "Stage II has one RFC-822 DDA");
	if (flags & ADDR_RFC2156_RETURN_ADDRESS) {
		FZ_CHECK(x.attr[ADDR_X400_P].ptr != NULL &&
		      x.attr[ADDR_X400_P].len == 5 &&
		      memcmp(x.attr[ADDR_X400_P].ptr, "Local", 5) == 0,
		      "return address uses the local O/R address");
	}
	/* a control character (obsolete quoted text) decodes to an error */
	for (i = 0; i < n; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			goto out;
	r = addr_rfc2156_to_822(&out, &x, t, "gw.example", 0, NULL);
	FZ_CHECK(r == 1, "Stage II maps back with Mapping A");
	FZ_CHECK(out.size == n && memcmp(out.ptr, in, n) == 0,
	      "Mapping A undoes Stage II");
out:
	addr_x400_free(&x);
	addr_buf_free(&out);
}

/* chaos - the mapping with each allocation failing in turn */
static void chaos(struct addr_rfc2156_tables *t, const struct addr_x400 *lo,
		  const uint8_t *data, size_t size, unsigned flags)
{
	const char *in = (const char *)data + 1;
	long k;
	int r0 = 0;
	struct addr_buf out0;
	struct addr_x400 res0;

	addr_buf_init(&out0);
	addr_x400_init(&res0);

	for (k = 0; k < 1000; k++) {
		struct addr_x400 x, res;
		struct addr_buf out;
		int r = 0, parsed = 1;

		addr_x400_init(&x);
		addr_x400_init(&res);
		addr_buf_init(&out);
		if (!(data[0] & 0x01))	/* parsed without failures */
			parsed = addr_x400_parse(&x, in, size - 1,
						 (data[0] >> 3) & 0x03, 0,
						 NULL) >= 0;
		fz_chaos_on(k);
		if (data[0] & 0x01)
			r = addr_rfc2156_from_822(&res, in, size - 1, t, lo,
						  flags, NULL);
		else if (parsed)
			r = addr_rfc2156_to_822(&out, &x, t, lo ? "gw.example" :
						NULL, flags &
						ADDR_RFC2156_ALGORITHMIC, NULL);
		fz_chaos_off();
		if (k == 0) {
			r0 = r;
			addr_buf_put(&out0, out.ptr, out.size);
			if (r >= 0 && (data[0] & 0x01))
				FZ_CHECK(addr_x400_copy(&res0, &res) == 0, "copy");
		}
		if (fz_chaos_injected) {
			FZ_CHECK(r == ADDR_ENOMEM || r == r0,
				 "a failed allocation is ENOMEM or changes nothing");
			FZ_CHECK(r >= 0 || (out.size == 0 && res.ndda == 0),
				 "nothing written after an error");
			FZ_CHECK(r < 0 || (out.size == out0.size &&
				 memcmp(out.ptr, out0.ptr, out.size) == 0 &&
				 addr_x400_equal(&res, &res0)),
				 "a failed allocation changes nothing or fails");
		}
		addr_x400_free(&x);
		addr_x400_free(&res);
		addr_buf_free(&out);
		if (k > 0 && !fz_chaos_injected)
			break;
	}
	addr_buf_free(&out0);
	addr_x400_free(&res0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_rfc2156_tables *t;
	struct addr_x400 lo;
	const char *in;
	unsigned flags = 0;
	int r;

	if (size < 1)
		return 0;
	in = (const char *)data + 1;
	if (data[0] & 0x02)
		flags |= ADDR_RFC2156_ALGORITHMIC;
	if (data[0] & 0x04)
		flags |= ADDR_RFC2156_RETURN_ADDRESS;
	FZ_CHECK(addr_rfc2156_tables_new(&t) == 0, "tables");
	r = addr_rfc2156_tables_load(t, ADDR_RFC2156_MCGAM, mcgam,
				     sizeof(mcgam) - 1, NULL);
	FZ_CHECK(r == 6, "MCGAM lines load");
	r = addr_rfc2156_tables_load(t, ADDR_RFC2156_GATEWAY, gate,
				     sizeof(gate) - 1, NULL);
	FZ_CHECK(r == 1, "gateway line loads");
	addr_x400_init(&lo);
	FZ_CHECK(addr_x400_parse(&lo, local_or, sizeof(local_or) - 1,
			      ADDR_X400_EXCHANGE, 0, NULL) > 0, "local O/R");
	if (data[0] & 0x40)
		chaos(t, (data[0] & 0x20) ? NULL : &lo, data, size, flags);
	else if (data[0] & 0x01)
		from_822(t, (data[0] & 0x20) ? NULL : &lo, in, size - 1, flags);
	else
		to_822(t, in, size - 1, (data[0] >> 3) & 0x03,
		       flags & ADDR_RFC2156_ALGORITHMIC,
		       (data[0] & 0x20) ? NULL : "gw.example");
	addr_x400_free(&lo);
	addr_rfc2156_tables_free(t);
	return 0;
}
