/*
 * test_gwdowngrade.c - 8-bit messages made 7-bit for a next hop without
 * 8BITMIME (gateway/downgrade.c): what is re-encoded, what is copied,
 * what cannot be done, and that the text decodes to the same octets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../gateway/splice.c"
#include "../gateway/downgrade.c"

/* seven - no octet over 0x7f and no line over 76 + CR LF in bodies */
static void
assert_seven(const struct addr_buf *b)
{
	size_t i;

	for (i = 0; i < b->size; i++)
		if ((unsigned char)b->ptr[i] >= 0x80)
			fail_msg("8-bit octet at %zu:\n%s", i, b->ptr);
}

/* decoded - GMime's decoding of the first leaf whose type is type/sub */
static void
decoded(const struct addr_buf *msg, const char *type, const char *sub,
	GByteArray **out)
{
	GMimeMessage *m = gw_splice_read(msg->ptr, msg->size, NULL, NULL);
	GMimePartIter *it;
	GMimeObject *o = NULL;

	assert_non_null(m);
	it = g_mime_part_iter_new(GMIME_OBJECT(m));
	do {
		GMimeObject *c = g_mime_part_iter_get_current(it);
		GMimeContentType *ct = c ? g_mime_object_get_content_type(c)
		    : NULL;

		if (c && GMIME_IS_PART(c) && ct &&
		    g_mime_content_type_is_type(ct, type, sub)) {
			o = c;
			break;
		}
	} while (g_mime_part_iter_next(it));
	if (o == NULL && GMIME_IS_PART(g_mime_message_get_mime_part(m)))
		o = g_mime_message_get_mime_part(m);
	assert_non_null(o);
	{
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
		GMimeStream *s = g_mime_stream_mem_new();

		g_mime_data_wrapper_write_to_stream(w, s);
		*out = g_byte_array_new();
		g_byte_array_append(*out,
		    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s))->data,
		    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s))->len);
		g_object_unref(s);
	}
	g_mime_part_iter_free(it);
	g_object_unref(m);
}

static void
assert_decodes(const struct addr_buf *msg, const char *type, const char *sub,
	       const char *want)
{
	GByteArray *got;

	decoded(msg, type, sub, &got);
	if (got->len != strlen(want) || memcmp(got->data, want, got->len))
		fail_msg("decoded %.*s, want %s", (int)got->len, got->data,
		    want);
	g_byte_array_free(got, TRUE);
}

/* a message without MIME fields: it gets them, and a QP body */
static void
test_plain(void **state)
{
	static const char in[] =
	    "From: a@example.com\r\nSubject: x\r\n\r\n"
	    "caf\xc3\xa9 = ok \r\n"
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "456789012345678\xc3\xa9\r\n"
	    ".dot\r\n";
	struct addr_buf out;
	const char *why;

	(void)state;
	addr_buf_init(&out);
	assert_int_equal(gw_downgrade(&out, in, sizeof(in) - 1, &why), 1);
	assert_seven(&out);
	assert_non_null(strstr(out.ptr, "Subject: x\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=unknown-8bit\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "caf=C3=A9 =3D ok=20\r\n"));
	/* lines of at most 76 octets: a soft break */
	assert_non_null(strstr(out.ptr, "=\r\n"));
	{
		const char *p = out.ptr;
		while (*p) {
			const char *nl = strstr(p, "\r\n");
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			assert_true(n <= 76);
			p += n + (nl ? 2 : 0);
		}
	}
	assert_decodes(&out, "text", "plain", "caf\xc3\xa9 = ok \r\n"
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "456789012345678\xc3\xa9\r\n.dot\r\n");
	addr_buf_free(&out);
}

/* a multipart: the 8-bit text part to QP, the binary one to base64, the
 * base64 one untouched, the container declared 7bit */
static void
test_multipart(void **state)
{
	static const char in[] =
	    "From: a@example.com\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "preamble\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "gr\xc3\xbc\xc3\x9f\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: binary\r\n\r\n"
	    "\x01\xff\xfe bin\r\n"
	    "--b\r\nContent-Type: image/png\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "iVBORw0KGgo=\r\n"
	    "--b--\r\n";
	struct addr_buf out;
	const char *why;

	(void)state;
	addr_buf_init(&out);
	assert_int_equal(gw_downgrade(&out, in, sizeof(in) - 1, &why), 1);
	assert_seven(&out);
	assert_non_null(strstr(out.ptr, "boundary=\"b\"\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\npreamble\r\n"));
	assert_non_null(strstr(out.ptr, "charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "gr=C3=BC=C3=9F\r\n--b\r\n"));
	assert_non_null(strstr(out.ptr, "application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"));
	assert_non_null(strstr(out.ptr, "Content-Transfer-Encoding: base64"
	    "\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"));
	assert_decodes(&out, "text", "plain", "gr\xc3\xbc\xc3\x9f");
	assert_decodes(&out, "application", "octet-stream",
	    "\x01\xff\xfe bin");
	addr_buf_free(&out);
}

/* a part without a Content-Transfer-Encoding field gets one; a message
 * attached as message/rfc822 is converted inside */
static void
test_nested(void **state)
{
	static const char in[] =
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
	    "--o\r\nContent-Type: text/plain\r\n\r\nn\xc3\xa4\r\n"
	    "--o\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Subject: inner\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
	    "d\xe9j\xe0\r\n"
	    "--o--\r\n";
	struct addr_buf out;
	const char *why;

	(void)state;
	addr_buf_init(&out);
	assert_int_equal(gw_downgrade(&out, in, sizeof(in) - 1, &why), 1);
	assert_seven(&out);
	assert_non_null(strstr(out.ptr, "--o\r\nContent-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\nn=C3=A4\r\n"));
	assert_non_null(strstr(out.ptr, "charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\nd=E9j=E0\r\n"));
	addr_buf_free(&out);
}

/* what cannot be done: 0, a reason, out empty */
static void
test_refused(void **state)
{
	static const struct {
		const char *in, *why;
	} rows[] = {
		{ "Subject: d\xc3\xa9j\xc3\xa0\r\n\r\nbody\xc3\xa9\r\n",
		  "8-bit octets in a header field" },
		{ "MIME-Version: 1.0\r\nContent-Type: multipart/signed; "
		  "boundary=\"s\"; protocol=\"application/pgp-signature\"\r\n\r\n"
		  "--s\r\nContent-Type: text/plain\r\n"
		  "Content-Transfer-Encoding: 8bit\r\n\r\nsign\xc3\xa9\r\n"
		  "--s\r\nContent-Type: application/pgp-signature\r\n\r\nsig\r\n"
		  "--s--\r\n",
		  "8-bit content in a signed or encrypted part" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct addr_buf out;
		const char *why = NULL;

		addr_buf_init(&out);
		addr_buf_puts(&out, "junk");
		assert_int_equal(gw_downgrade(&out, rows[i].in,
		    strlen(rows[i].in), &why), 0);
		assert_non_null(why);
		assert_string_equal(why, rows[i].why);
		assert_int_equal(out.size, 0);
		addr_buf_free(&out);
	}
}

/* 7-bit content comes back octet for octet */
static void
test_seven_unchanged(void **state)
{
	static const char in[] = "Subject: s\r\n\r\nplain = text \r\n";
	struct addr_buf out;
	const char *why;

	(void)state;
	addr_buf_init(&out);
	assert_int_equal(gw_downgrade(&out, in, sizeof(in) - 1, &why), 1);
	assert_int_equal(out.size, sizeof(in) - 1);
	assert_memory_equal(out.ptr, in, out.size);
	addr_buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_seven_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
