/*
 * proxy_parse.c - fuzz target: proxy addresses "TYPE:value"
 *
 * DESCRIPTION
 *	Input: one selector octet, then the proxy text (spec-imcea-proxy.md
 *	§2, R18-R24). Selector bit 0x01: ADDR_PROXY_X400_STRICT.
 *
 *	Checks, for every input:
 *	 - addr_proxy_parse returns 1 (primary), 0 (secondary) or an error,
 *	   and an error leaves nothing in the output;
 *	 - the stored form has a ":" after a 1..9 character prefix whose
 *	   case is the primary flag (upper: primary, lower: secondary);
 *	 - the stored form is a fixed point: parsing it again gives the same
 *	   octets and the same flag;
 *	 - the comparison key of the stored form is the key of its
 *	   re-parse, and it starts with the upper-cased prefix and ":".
 *	Any violation aborts.
 */
#include <stdint.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_buf st, again, k1, k2;
	unsigned flags;
	const char *in, *colon;
	size_t len, i, plen;
	int rc, rc2;

	if (size < 1)
		return 0;
	flags = (data[0] & 0x01) ? ADDR_PROXY_X400_STRICT : 0;
	in = (const char *)data + 1;
	len = size - 1;
	addr_buf_init(&st);
	addr_buf_init(&again);
	addr_buf_init(&k1);
	addr_buf_init(&k2);
	rc = addr_proxy_parse(&st, in, len, flags, NULL);
	FZ_CHECK(rc == 0 || rc == 1 || rc == ADDR_ESYNTAX ||
		 rc == ADDR_ETOOLONG, "result code");
	if (rc < 0) {
		FZ_CHECK(st.size == 0, "error leaves no output");
		goto out;
	}
	colon = memchr(st.ptr, ':', st.size);
	FZ_CHECK(colon != NULL, "stored form has a prefix");
	plen = (size_t)(colon - st.ptr);
	FZ_CHECK(plen >= 1 && plen <= 9, "prefix of 1..9 characters");
	for (i = 0; i < plen; i++) {
		char c = st.ptr[i];

		if (c >= 'a' && c <= 'z')
			FZ_CHECK(rc == 0, "lower-case prefix is secondary");
		if (c >= 'A' && c <= 'Z')
			FZ_CHECK(rc == 1, "upper-case prefix is primary");
	}
	rc2 = addr_proxy_parse(&again, st.ptr, st.size, flags, NULL);
	FZ_CHECK(rc2 == rc, "stored form keeps its flag");
	FZ_CHECK(again.size == st.size &&
		 memcmp(again.ptr, st.ptr, st.size) == 0,
		 "stored form is a fixed point");
	if (addr_proxy_key(&k1, st.ptr, st.size) == 0) {
		FZ_CHECK(addr_proxy_key(&k2, again.ptr, again.size) == 0,
			 "key of the re-parse");
		FZ_CHECK(k1.size == k2.size &&
			 memcmp(k1.ptr, k2.ptr, k1.size) == 0, "same key");
		FZ_CHECK(k1.size > plen && k1.ptr[plen] == ':', "key prefix");
		for (i = 0; i < plen; i++)
			FZ_CHECK(!(k1.ptr[i] >= 'a' && k1.ptr[i] <= 'z'),
				 "key prefix upper-cased");
	}
out:
	addr_buf_free(&st);
	addr_buf_free(&again);
	addr_buf_free(&k1);
	addr_buf_free(&k2);
	return 0;
}
