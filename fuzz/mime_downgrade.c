/*
 * mime_downgrade.c - fuzz target: gw_downgrade (gateway/downgrade.c)
 *
 * DESCRIPTION
 *	Input: a message (no selector octet). Checks: no crash, leak or
 *	read outside the input; the result is -1, 0 or 1; when 0 or -1 a
 *	reason and an empty output; when 1 no output octet is 8-bit, GMime
 *	reads the output with the input's MIME tree (splice.c's shape), and
 *	a second conversion returns 1 and changes nothing (nothing 8-bit is
 *	left to convert). Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../gateway/splice.c"
#include "../gateway/downgrade.c"
#include "fuzz.h"

/* tree - the shape of msg[0..len), NULL when GMime cannot parse it */
static GString *
tree(const char *msg, size_t len)
{
	GMimeMessage *m = gw_splice_read(msg, len, NULL, NULL);
	GString *s;

	if (m == NULL)
		return NULL;
	s = g_string_new(NULL);
	gw_splice_shape(s, g_mime_message_get_mime_part(m), 0);
	g_object_unref(m);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data, *why = NULL;
	struct addr_buf out, again;
	int rc;

	addr_buf_init(&out);
	addr_buf_init(&again);
	rc = gw_downgrade(&out, msg, size, &why);
	FZ_CHECK(rc >= -1 && rc <= 1, "result is -1, 0 or 1");
	if (rc != 1) {
		FZ_CHECK(why != NULL, "a reason when not converted");
		FZ_CHECK(out.size == 0, "no output when not converted");
	} else {
		GString *a = tree(msg, size), *b = tree(out.ptr, out.size);

		FZ_CHECK(why == NULL, "no reason when converted");
		FZ_CHECK(!gw_content_8bit(out.ptr, out.size), "no 8-bit octet left");
		FZ_CHECK(a != NULL && b != NULL, "the output parses");
		FZ_CHECK(strcmp(a->str, b->str) == 0,
		    "the MIME tree keeps its shape");
		g_string_free(a, TRUE);
		g_string_free(b, TRUE);
		rc = gw_downgrade(&again, out.ptr, out.size, &why);
		FZ_CHECK(rc == 1 && again.size == out.size &&
		    memcmp(again.ptr, out.ptr, out.size) == 0,
		    "a second conversion changes nothing");
	}
	addr_buf_free(&out);
	addr_buf_free(&again);
	return 0;
}
