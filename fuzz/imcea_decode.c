/*
 * imcea_decode.c - fuzz target: IMCEA de-encapsulation and the round trip
 *
 * DESCRIPTION
 *	Input: one selector octet, then the text. Selector bits:
 *
 *	  0x01	ADDR_IMCEA_STRICT	0x08	encode mode: the text is
 *	  0x02	ADDR_IMCEA_X400_STRICT		"TYPE:value", encoded for
 *	  0x04	domain gate {contoso.com}	contoso.com, then decoded
 *		(decode mode)		0x10	ADDR_IMCEA_RFC5321 (encode)
 *						0xe0	unused
 *
 *	Decode mode (spec-imcea-proxy.md §1.6) checks, for every input:
 *	 - the result is 1, 0, ADDR_ESYNTAX or ADDR_ETOOLONG; out is empty
 *	   unless 1; an error offset lies inside the input;
 *	 - 0 without a gate only when the input does not start with
 *	   "IMCEA" (any case; upper case when strict);
 *	 - 1: "IMCEA" at the start, out no longer than the input, valid
 *	   UTF-8, a ":" after 1..9 type octets, the type ASCII without
 *	   lower-case letters or control characters, no control character
 *	   in the value, the gate domain when there is a gate;
 *	 - an X400 value parses with addr_x400_parse (Exchange form; strict
 *	   with 0x02), an SMTP value is "<>" or an addr-spec that
 *	   addr_mailbox_parse does not rate ERROR, with a domain name: the
 *	   decoder's quick checks never accept more than the parsers;
 *	 - strict decodes only what the default mode decodes the same way;
 *	 - a decoded value the encoder accepts encodes to an address that
 *	   decodes to the same "TYPE:value" (decode-encode-decode).
 *	Encode mode (§1.4): a successful encode is ASCII, starts with
 *	"IMCEA" TYPE "-", ends with "@contoso.com", and decodes in both
 *	modes, with and without the gate, to the upper-cased type and the
 *	value octet for octet. Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

static const char *const gate[] = { "contoso.com" };

/* starts_imcea - the first five octets spell IMCEA (any case unless exact) */
static int starts_imcea(const char *s, size_t n, int exact)
{
	size_t i;

	if (n <= 5)
		return 0;
	for (i = 0; i < 5; i++) {
		char c = s[i];

		if (!exact && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c != "IMCEA"[i])
			return 0;
	}
	return 1;
}

/* check_decoded - the shape of a successful decode of in[0..len) */
static void check_decoded(const struct addr_buf *out, const char *in,
			  size_t len, unsigned flags, int gated)
{
	const char *colon = memchr(out->ptr, ':', out->size);
	size_t i, t;

	FZ_CHECK(!out->oom && out->ptr[out->size] == '\0', "out NUL-terminated");
	FZ_CHECK(starts_imcea(in, len, flags & ADDR_IMCEA_STRICT),
	      "decoded input starts with IMCEA");
	FZ_CHECK(out->size <= len, "decoded no longer than the input");
	FZ_CHECK(addr_utf8_check(out->ptr, out->size) == out->size,
	      "decoded text is UTF-8");
	FZ_CHECK(colon != NULL, "decoded text has a ':'");
	t = (size_t)(colon - out->ptr);
	FZ_CHECK(t >= 1 && t <= 9, "type of 1..9 octets (R11)");
	for (i = 0; i < t; i++) {
		unsigned char c = (unsigned char)out->ptr[i];

		FZ_CHECK(c >= 0x20 && c < 0x7F && !(c >= 'a' && c <= 'z'),
		      "type printable ASCII, upper case");
	}
	FZ_CHECK(out->size > t + 1, "value not empty");
	for (i = t + 1; i < out->size; i++) {
		unsigned char c = (unsigned char)out->ptr[i];

		FZ_CHECK(c >= 0x20 && c != 0x7F, "no control character in value");
	}
	/* R12 with the full parsers, behind the decoder's quick checks */
	if (t == 4 && memcmp(out->ptr, "X400", 4) == 0) {
		struct addr_x400 x;

		addr_x400_init(&x);
		FZ_CHECK(addr_x400_parse(&x, out->ptr + 5, out->size - 5,
				      ADDR_X400_EXCHANGE,
				      (flags & ADDR_IMCEA_X400_STRICT) ?
				      ADDR_X400_STRICT : 0, NULL) > 0,
		      "a decoded X400 value parses (R12)");
		addr_x400_free(&x);
	}
	if (t == 4 && memcmp(out->ptr, "SMTP", 4) == 0 &&
	    !(out->size == 7 && memcmp(out->ptr + 5, "<>", 2) == 0)) {
		struct addr_mailbox_result r;

		addr_mailbox_result_init(&r);
		FZ_CHECK(addr_mailbox_parse(&r, out->ptr + 5, out->size - 5,
					 ADDR_P_ADDR_SPEC, ADDR_F_UTF8,
					 NULL) == 0 &&
		      r.addr[0].domain_kind == ADDR_DK_NAME,
		      "a decoded SMTP value is an addr-spec (R12)");
		addr_mailbox_result_free(&r);
	}
	if (gated) {
		const char *at = in + len;

		while (at > in && at[-1] != '@')
			at--;
		FZ_CHECK((size_t)(in + len - at) == strlen(gate[0]),
		      "gate: domain is the local one");
	}
}

/* roundtrip - encode "TYPE:value" for contoso.com, decode it back */
static void roundtrip(const char *in, size_t len, unsigned flags)
{
	struct addr_buf enc, dec, want;
	struct addr_error err;
	const char *colon = memchr(in, ':', len);
	size_t i, t;
	int rc, m;

	addr_buf_init(&enc);
	addr_buf_init(&dec);
	addr_buf_init(&want);
	rc = addr_imcea_encode_proxy(&enc, in, len, gate[0], strlen(gate[0]),
				     flags, &err);
	FZ_CHECK(rc == 0 || rc == ADDR_ESYNTAX || rc == ADDR_ETOOLONG,
	      "encode result 0, ESYNTAX or ETOOLONG");
	if (rc < 0) {
		FZ_CHECK(enc.size == 0, "failed encode leaves out empty");
		goto done;
	}
	FZ_CHECK(colon != NULL, "encoded input has a ':'");
	t = (size_t)(colon - in);
	for (i = 0; i < enc.size; i++)
		FZ_CHECK((unsigned char)enc.ptr[i] > 0x20 &&
		      (unsigned char)enc.ptr[i] < 0x7F, "encoded is ASCII");
	FZ_CHECK(enc.size > 6 + t && memcmp(enc.ptr, "IMCEA", 5) == 0 &&
	      memcmp(enc.ptr + 5, in, t) == 0 && enc.ptr[5 + t] == '-',
	      "encoded starts with IMCEA TYPE -");
	FZ_CHECK(enc.size > strlen("@contoso.com") &&
	      strcmp(enc.ptr + enc.size - strlen("@contoso.com"),
		     "@contoso.com") == 0, "encoded ends with the domain");
	for (i = 0; i < t; i++) {
		char c = in[i];

		addr_buf_putc(&want, c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
	}
	addr_buf_put(&want, colon, len - t);
	FZ_CHECK(!want.oom, "memory");
	for (m = 0; m < 4; m++) {
		unsigned dflags = (flags & ADDR_IMCEA_X400_STRICT) |
				  ((m & 1) ? ADDR_IMCEA_STRICT : 0);

		rc = addr_imcea_decode(&dec, enc.ptr, enc.size,
				       (m & 2) ? gate : NULL, (m & 2) ? 1 : 0,
				       dflags, &err);
		FZ_CHECK(rc == 1, "every successful encode decodes (§1.4)");
		FZ_CHECK(dec.size == want.size &&
		      memcmp(dec.ptr, want.ptr, want.size) == 0,
		      "decode(encode(x)) == x (§1.4)");
	}
done:
	addr_buf_free(&enc);
	addr_buf_free(&dec);
	addr_buf_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_buf out, other, enc;
	struct addr_error err;
	const char *in;
	size_t len;
	unsigned sel, flags;
	int gated, rc, rc2;

	if (size < 1)
		return 0;
	sel = data[0];
	in = (const char *)data + 1;
	len = size - 1;
	flags = sel & (ADDR_IMCEA_STRICT | ADDR_IMCEA_X400_STRICT);
	if (sel & 0x08) {
		roundtrip(in, len, (sel & ADDR_IMCEA_X400_STRICT) |
			  ((sel & 0x10) ? ADDR_IMCEA_RFC5321 : 0));
		return 0;
	}
	gated = (sel & 0x04) != 0;

	addr_buf_init(&out);
	addr_buf_init(&other);
	addr_buf_init(&enc);
	memset(&err, 0, sizeof(err));
	rc = addr_imcea_decode(&out, in, len, gated ? gate : NULL, gated,
			       flags, &err);
	FZ_CHECK(rc == 1 || rc == 0 || rc == ADDR_ESYNTAX || rc == ADDR_ETOOLONG,
	      "decode result 1, 0, ESYNTAX or ETOOLONG");
	if (rc != 1)
		FZ_CHECK(out.size == 0 && out.ptr[0] == '\0', "out empty unless 1");
	if (rc < 0)
		FZ_CHECK(err.code == rc && err.offset <= len &&
		      memchr(err.message, '\0', sizeof(err.message)) != NULL,
		      "error details");
	if (rc == 0 && !gated)
		FZ_CHECK(!starts_imcea(in, len, flags & ADDR_IMCEA_STRICT) ||
		      addr_utf8_check(in, len) != len,
		      "not encapsulated only without the IMCEA prefix");
	if (rc == 1) {
		const char *colon;
		size_t t;

		check_decoded(&out, in, len, flags, gated);
		/* strict decodes a subset of what the default mode decodes */
		if (flags & ADDR_IMCEA_STRICT) {
			rc2 = addr_imcea_decode(&other, in, len,
						gated ? gate : NULL, gated,
						flags & ~ADDR_IMCEA_STRICT,
						NULL);
			FZ_CHECK(rc2 == 1 && other.size == out.size &&
			      memcmp(other.ptr, out.ptr, out.size) == 0,
			      "strict result equals the default result");
		}
		/* decode, encode, decode */
		colon = memchr(out.ptr, ':', out.size);
		t = (size_t)(colon - out.ptr);
		if (addr_imcea_encode(&enc, out.ptr, t, colon + 1,
				      out.size - t - 1, "contoso.com", 11,
				      flags & ADDR_IMCEA_X400_STRICT,
				      NULL) == 0) {
			rc2 = addr_imcea_decode(&other, enc.ptr, enc.size,
						NULL, 0, flags, NULL);
			FZ_CHECK(rc2 == 1 && other.size == out.size &&
			      memcmp(other.ptr, out.ptr, out.size) == 0,
			      "decode(encode(decode(x))) == decode(x)");
		}
	}
	addr_buf_free(&out);
	addr_buf_free(&other);
	addr_buf_free(&enc);
	return 0;
}
