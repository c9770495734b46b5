/*
 * mime_disclaimer.c - fuzz target: gw_disclaimer_apply (gateway/disclaimer.c)
 *
 * DESCRIPTION
 *	Input: one selector octet, then a message. The selector's bits:
 *	0x01 a prepend text, 0x02 an append text (neither: both), 0x04
 *	non-ASCII texts (Cyrillic, outside Latin-1), 0x08 texts with a line
 *	"--b" (a likely boundary), 0x10 direction inbound (else outbound).
 *	Checks: no crash, leak or read outside the input; the result is
 *	-1, 0 or 1; when 0 or -1 the output is the input octet for octet;
 *	when 1 GMime parses the output, its MIME tree has the same shape
 *	(the same content types, nested alike) as the input's, and a second
 *	application returns 0 ("marker present") and changes nothing. Any
 *	violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../gateway/splice.c"
#include "../gateway/disclaimer.c"
#include "fuzz.h"

/* fz_shape - the MIME tree as text: "type/sub(child,child)"; message/rfc822
 * parts are leaves */
static void
fz_shape(GString *s, GMimeObject *o, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	char *t = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("?");

	g_string_append(s, t);
	g_free(t);
	if (GMIME_IS_MULTIPART(o) && depth < 64) {
		int i, n = g_mime_multipart_get_count(GMIME_MULTIPART(o));

		g_string_append_c(s, '(');
		for (i = 0; i < n; i++) {
			if (i)
				g_string_append_c(s, ',');
			fz_shape(s, g_mime_multipart_get_part(GMIME_MULTIPART(o), i),
			    depth + 1);
		}
		g_string_append_c(s, ')');
	}
}

/* fz_tree - the shape of msg[0..len), NULL when GMime cannot parse it */
static GString *
fz_tree(const char *msg, size_t len)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GString *s = NULL;

	if (m != NULL) {
		GMimeObject *top = g_mime_message_get_mime_part(m);

		s = g_string_new(NULL);
		if (top != NULL)
			fz_shape(s, top, 0);
		g_object_unref(m);
	}
	g_object_unref(p);
	g_object_unref(st);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const texts[2][2] = {
		{ "CONFIDENTIAL & <private>", "Sent via the gateway.\n" },
		{ "\xd0\x9a\xd0\xbe\xd0\xbd\xd1\x84 <b>", "\xd0\x9a\xd0\xbe \xe2\x82\xac" },
	};
	const char *msg = (const char *)data + 1, *pre, *app, *why;
	char pbuf[64], abuf[64];
	struct addr_buf out, again;
	const char *dir;
	size_t len;
	int sel, rc;

	if (size == 0)
		return 0;
	sel = data[0];
	len = size - 1;
	pre = (sel & 0x01) || !(sel & 0x03) ? texts[(sel >> 2) & 1][0] : NULL;
	app = (sel & 0x02) || !(sel & 0x03) ? texts[(sel >> 2) & 1][1] : NULL;
	if (sel & 0x08) {
		if (pre != NULL) {
			snprintf(pbuf, sizeof(pbuf), "--b\n%s", pre);
			pre = pbuf;
		}
		if (app != NULL) {
			snprintf(abuf, sizeof(abuf), "%s\n--b--", app);
			app = abuf;
		}
	}
	dir = sel & 0x10 ? "inbound" : "outbound";

	addr_buf_init(&out);
	addr_buf_init(&again);
	rc = gw_disclaimer_apply(&out, msg, len, pre, app, dir, "gw.example.com",
	    &why);
	FZ_CHECK(rc >= -1 && rc <= 1, "result is -1, 0 or 1");
	FZ_CHECK(!out.oom, "no out of memory");
	if (rc != 1) {
		FZ_CHECK(why != NULL, "a reason when untouched");
		FZ_CHECK(out.size == len && memcmp(out.ptr, msg, len) == 0,
		    "untouched means a byte-identical copy");
	} else {
		GString *a = fz_tree(msg, len), *b = fz_tree(out.ptr, out.size);

		FZ_CHECK(why == NULL, "no reason when changed");
		FZ_CHECK(a != NULL && b != NULL, "the output parses");
		FZ_CHECK(strcmp(a->str, b->str) == 0, "the MIME tree keeps its shape");
		g_string_free(a, TRUE);
		g_string_free(b, TRUE);
		rc = gw_disclaimer_apply(&again, out.ptr, out.size, pre, app, dir,
		    "gw.example.com", &why);
		FZ_CHECK(rc == 0 && why != NULL && strcmp(why, "marker present") == 0,
		    "a second application returns 0 (marker present)");
		FZ_CHECK(again.size == out.size &&
		    memcmp(again.ptr, out.ptr, out.size) == 0,
		    "a second application changes nothing");
	}
	addr_buf_free(&out);
	addr_buf_free(&again);
	return 0;
}
