/*
 * test_gwdisclaimer.c - disclaimers (gateway/disclaimer.c, spec-gateway.md
 * §12 and §16.8) over the sample messages in testdata/disclaimer/.
 *
 * Each row names a sample, the texts, the result and reason wanted, and
 * what the changed text parts must look like once GMime reads the
 * output back: content type, charset, transfer encoding, and where the
 * texts are in the decoded text. Every row also checks: an untouched
 * message is a byte-identical copy; a changed one has only CR LF line
 * ends, one marker, every other header field byte-identical, the input
 * from the row's tail on unchanged, and a second pass changes nothing.
 * Then: the marker's rules, errors, edge shapes of the top part and of
 * empty bodies, the charset edit of a raw Content-Type, the final
 * read-back check, every allocation failing in turn, and calls from
 * several threads at once (GMime's one-time initialisation among them:
 * that test runs first).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../gateway/splice.c"
#include "../gateway/disclaimer.c"
#include "chaos.h"

#define DIR	"testdata/disclaimer/"
#define HOST	"gw.example.com"
#define MARK	"X-Addrgw-Disclaimer: outbound; " HOST "\r\n"

#define PRE	"CONFIDENTIAL & <private>"
#define APP_L1	"Vertraulich: f\xc3\xbcr den Empf\xc3\xa4nger."	/* Latin-1 */
#define APP_RU	"\xd0\x9a\xd0\xbe\xd0\xbd\xd1\x84\xd0\xb8\xd0\xb4\xd0\xb5" \
		"\xd0\xbd\xd1\x86\xd0\xb8\xd0\xb0\xd0\xbb\xd1\x8c\xd0\xbd\xd0\xbe" \
		": for the addressee only."			/* Cyrillic */
#define PRE_HTML "CONFIDENTIAL &amp; &lt;private&gt;"
#define APP_L1_HTML "Vertraulich: f&#252;r den Empf&#228;nger."
#define APP_RU_HTML "&#1050;&#1086;&#1085;&#1092;&#1080;&#1076;&#1077;&#1085;" \
		"&#1094;&#1080;&#1072;&#1083;&#1100;&#1085;&#1086;: for the " \
		"addressee only."

/* what a changed text part must look like, found by its path: "" the
 * top part, "0.1" the second child of the first child of the top */
struct pwant {
	const char *path;
	const char *type;	/* "text/plain" */
	const char *charset;	/* charset parameter, NULL: none */
	const char *cte;	/* Content-Transfer-Encoding, NULL: none */
	const char *starts;	/* the decoded text (UTF-8) starts with */
	const char *ends;	/* ... ends with */
	const char *has;	/* ... contains */
};

struct row {
	const char *name;
	const char *file;	/* under testdata/disclaimer/ */
	const char *prepend, *append;
	int want;
	const char *why;	/* the reason for 0 */
	int top_mime;		/* the top part's MIME fields may change */
	const char *tail;	/* the input from here on stays (NULL: no check) */
	struct pwant parts[3];
};

static const struct row rows[] = {
	{ "plain us-ascii, ASCII texts", "plain-usascii.eml", PRE, "Sent via gw.",
	  1, NULL, 0, NULL, {
	  { "", "text/plain", "us-ascii", "7bit", PRE "\r\n\r\nHello Bob,",
	    "-- \r\nAnna\r\n\r\nSent via gw.\r\n", NULL } } },
	{ "plain us-ascii 7bit, Cyrillic text: UTF-8 and QP", "plain-usascii.eml",
	  NULL, APP_RU, 1, NULL, 1, NULL, {
	  { "", "text/plain", "utf-8", "quoted-printable", "Hello Bob,",
	    "Anna\r\n\r\n" APP_RU "\r\n", NULL } } },
	{ "plain iso-8859-1, Latin-1 text: charset kept", "plain-latin1.eml",
	  NULL, APP_L1, 1, NULL, 0, NULL, {
	  { "", "text/plain", "iso-8859-1", "8bit", "Gr\xc3\xbc\xc3\x9f" "e aus",
	    "Anna\r\n\r\n" APP_L1 "\r\n", NULL } } },
	{ "plain iso-8859-1, Cyrillic text: UTF-8", "plain-latin1.eml",
	  PRE, APP_RU, 1, NULL, 1, NULL, {
	  { "", "text/plain", "utf-8", "8bit",
	    PRE "\r\n\r\nGr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln,",
	    "Anna\r\n\r\n" APP_RU "\r\n", NULL } } },
	{ "html with <body>", "html-body.eml", PRE, APP_RU, 1, NULL, 0, NULL, {
	  { "", "text/html", "utf-8", "7bit", "<!DOCTYPE html>",
	    APP_RU_HTML "</p>\r\n</Body>\r\n</html>\r\n",
	    "<BODY bgcolor=\"#ffffff\" data-x=\"a>b\">\r\n<p>" PRE_HTML
	    "</p>\r\n<p>Hello Bob,</p>" } } },
	{ "html without <body>", "html-nobody.eml", PRE, APP_L1, 1, NULL, 0, NULL, {
	  { "", "text/html", "us-ascii", NULL, "<p>" PRE_HTML "</p>\r\n<p>Hello",
	    "attached</b>.</p>\r\n<p>" APP_L1_HTML "</p>\r\n", NULL } } },
	{ "multipart/alternative: both", "alternative.eml", PRE, APP_RU, 1, NULL, 0,
	  "--=_alt_1--", {
	  { "0", "text/plain", "utf-8", "quoted-printable", PRE "\r\n\r\nHello",
	    "attached.\r\n\r\n" APP_RU, NULL },
	  { "1", "text/html", "utf-8", "7bit", "<html><body>\r\n<p>" PRE_HTML,
	    APP_RU_HTML "</p>\r\n</body></html>", NULL } } },
	{ "multipart/mixed: body only, attachments untouched",
	  "mixed-attachment.eml", PRE, APP_L1, 1, NULL, 0,
	  "--inner--\r\n--outer\r\nContent-Type: application/pdf", {
	  { "0.0", "text/plain", "utf-8", "quoted-printable", PRE "\r\n\r\n",
	    "page 3.\r\n\r\n" APP_L1, NULL },
	  { "0.1.0", "text/html", "utf-8", "quoted-printable",
	    "<html><body>\r\n<p>" PRE_HTML "</p>\r\n<p>Hello",
	    "<p>" APP_L1_HTML "</p>\r\n</body></html>", NULL },
	  { "2", "text/plain", "us-ascii", NULL, "These notes are an attachment",
	    "stay as they are.", NULL } } },
	{ "base64 stays base64", "base64.eml", PRE, APP_RU, 1, NULL, 0, NULL, {
	  { "", "text/plain", "utf-8", "base64", PRE "\r\n\r\nHello Bob,",
	    "Anna\r\n\r\n" APP_RU "\r\n", NULL } } },
	{ "quoted-printable stays QP, charset kept", "quoted-printable.eml", PRE,
	  APP_L1, 1, NULL, 0, NULL, {
	  { "", "text/plain", "iso-8859-1", "quoted-printable", PRE "\r\n\r\n",
	    "Anna\r\n\r\n" APP_L1 "\r\n",
	    "quoted-printable, and 1 + 1 = 2.\r\nGr\xc3\xbc\xc3\x9f" "e" } } },
	{ "no MIME headers: us-ascii text/plain", "no-mime.eml", PRE,
	  "Sent via gw.", 1, NULL, 0, NULL, {
	  { "", "text/plain", NULL, NULL, PRE "\r\n\r\nHello Bob,",
	    "here.\r\n\r\nSent via gw.\r\n", NULL } } },
	{ "no MIME headers, Cyrillic text: MIME added", "no-mime.eml", NULL,
	  APP_RU, 1, NULL, 1, NULL, {
	  { "", "text/plain", "utf-8", "quoted-printable", "Hello Bob,",
	    "here.\r\n\r\n" APP_RU "\r\n", NULL } } },
	{ "boundary in the text: base64", "alternative.eml", NULL,
	  "--=_alt_1\n--=_alt_1--", 1, NULL, 0, "--=_alt_1--", {
	  { "0", "text/plain", "utf-8", "base64", "Hello Bob,",
	    "attached.\r\n\r\n--=_alt_1\r\n--=_alt_1--", NULL },
	  { "1", "text/html", "utf-8", "base64", "<html><body>",
	    "--=_alt_1<br>\r\n--=_alt_1--</p>\r\n</body></html>", NULL } } },
	{ "multipart/signed", "multipart-signed.eml", PRE, APP_RU, 0, "signed", 0,
	  NULL, { { NULL } } },
	{ "S/MIME enveloped", "smime-encrypted.eml", PRE, APP_RU, 0, "encrypted", 0,
	  NULL, { { NULL } } },
	{ "S/MIME signed-data", "smime-signed.eml", PRE, APP_RU, 0, "signed", 0,
	  NULL, { { NULL } } },
	{ "PGP/MIME encrypted", "pgp-encrypted.eml", PRE, APP_RU, 0, "encrypted", 0,
	  NULL, { { NULL } } },
	{ "inline PGP signed", "pgp-inline-signed.eml", PRE, APP_RU, 0, "signed", 0,
	  NULL, { { NULL } } },
	{ "inline PGP encrypted", "pgp-inline-encrypted.eml", PRE, APP_RU, 0,
	  "encrypted", 0, NULL, { { NULL } } },
	{ "message/rfc822 only", "rfc822-only.eml", PRE, APP_RU, 0, "no text part",
	  0, NULL, { { NULL } } },
	{ "no texts", "plain-usascii.eml", NULL, "\n\n", 0, "no disclaimer", 0,
	  NULL, { { NULL } } },
};

static char *
slurp(const char *file, size_t *len)
{
	char path[256];
	gchar *buf = NULL;
	gsize n = 0;

	snprintf(path, sizeof(path), DIR "%s", file);
	if (!g_file_get_contents(path, &buf, &n, NULL))
		fail_msg("cannot read %s", path);
	*len = n;
	return buf;
}

/* header_section - the length of msg's header section, without the
 * empty line */
static size_t
header_section(const char *msg, size_t len)
{
	size_t i;

	if (len >= 2 && memcmp(msg, "\r\n", 2) == 0)
		return 0;
	for (i = 0; i + 4 <= len; i++)
		if (memcmp(msg + i, "\r\n\r\n", 4) == 0)
			return i + 2;
	return len;
}

/*
 * fields - the header fields of msg (each with its CR LF and folded
 * lines), those named in drop left out, joined into one string
 */
static GString *
fields(const char *msg, size_t len, const char *const *drop)
{
	size_t end = header_section(msg, len), i = 0, j, k;
	GString *s = g_string_new(NULL);

	while (i < end) {
		for (j = i; j < end; j++)
			if (msg[j] == '\n' && (j + 1 >= end ||
			    (msg[j + 1] != ' ' && msg[j + 1] != '\t')))
				break;
		j = j < end ? j + 1 : end;
		for (k = 0; drop[k] != NULL; k++) {
			size_t dl = strlen(drop[k]);
			if (j - i > dl && g_ascii_strncasecmp(msg + i, drop[k], dl) == 0 &&
			    msg[i + dl] == ':')
				break;
		}
		if (drop[k] == NULL)
			g_string_append_len(s, msg + i, (gssize)(j - i));
		i = j;
	}
	return s;
}

/* find_part - the part at path ("" the top part, "0.1" ...) */
static GMimeObject *
find_part(GMimeMessage *m, const char *path)
{
	GMimeObject *o = g_mime_message_get_mime_part(m);

	while (o != NULL && *path != '\0') {
		char *end;
		long i = strtol(path, &end, 10);

		if (!GMIME_IS_MULTIPART(o) || i < 0 ||
		    i >= g_mime_multipart_get_count(GMIME_MULTIPART(o)))
			return NULL;
		o = g_mime_multipart_get_part(GMIME_MULTIPART(o), (int)i);
		path = *end == '.' ? end + 1 : end;
	}
	return o;
}

static int
ends_with(const char *s, const char *w)
{
	size_t sl = strlen(s), wl = strlen(w);

	return sl >= wl && memcmp(s + sl - wl, w, wl) == 0;
}

static void
check_part(const struct row *r, GMimeMessage *m, const struct pwant *p)
{
	GMimeObject *o = find_part(m, p->path);
	const char *cs, *cte;
	char *type, *text, *t;

	if (o == NULL || !GMIME_IS_TEXT_PART(o))
		fail_msg("%s: part \"%s\": no text part there", r->name, p->path);
	type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(o));
	if (g_ascii_strcasecmp(type, p->type) != 0)
		fail_msg("%s: part \"%s\": got type %s, want %s", r->name, p->path,
		    type, p->type);
	g_free(type);
	cs = g_mime_object_get_content_type_parameter(o, "charset");
	if ((cs == NULL) != (p->charset == NULL) ||
	    (cs != NULL && g_ascii_strcasecmp(cs, p->charset) != 0))
		fail_msg("%s: part \"%s\": got charset %s, want %s", r->name,
		    p->path, cs ? cs : "(none)", p->charset ? p->charset : "(none)");
	cte = g_mime_object_get_header(o, "Content-Transfer-Encoding");
	t = cte != NULL ? g_strstrip(g_strdup(cte)) : NULL;
	if ((t == NULL) != (p->cte == NULL) ||
	    (t != NULL && g_ascii_strcasecmp(t, p->cte) != 0))
		fail_msg("%s: part \"%s\": got encoding %s, want %s", r->name,
		    p->path, t ? t : "(none)", p->cte ? p->cte : "(none)");
	g_free(t);
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(o));
	if (text == NULL)
		fail_msg("%s: part \"%s\": no text", r->name, p->path);
	if (p->starts && strncmp(text, p->starts, strlen(p->starts)) != 0)
		fail_msg("%s: part \"%s\": got text\n%s\nwant it to start with\n%s",
		    r->name, p->path, text, p->starts);
	if (p->ends && !ends_with(text, p->ends))
		fail_msg("%s: part \"%s\": got text\n%s\nwant it to end with\n%s",
		    r->name, p->path, text, p->ends);
	if (p->has && strstr(text, p->has) == NULL)
		fail_msg("%s: part \"%s\": got text\n%s\nwant it to contain\n%s",
		    r->name, p->path, text, p->has);
	g_free(text);
}

/* check_changed - the invariants of a changed message */
static void
check_changed(const struct row *r, const char *in, size_t len,
	      const struct addr_buf *out)
{
	static const char *const mime[] = { "Content-Type",
	    "Content-Transfer-Encoding", "MIME-Version", GW_DISCLAIMER_MARKER,
	    NULL };
	static const char *const marker[] = { GW_DISCLAIMER_MARKER, NULL };
	const char *const *drop = r->top_mime ? mime : marker;
	GString *a = fields(in, len, drop), *b = fields(out->ptr, out->size, drop);
	size_t i, hs = header_section(out->ptr, out->size);
	const char *mk;
	GMimeMessage *m;

	for (i = 0; i < out->size; i++)
		if (out->ptr[i] == '\n' && (i == 0 || out->ptr[i - 1] != '\r'))
			fail_msg("%s: bare LF at octet %zu", r->name, i);
	mk = g_strstr_len(out->ptr, (gssize)hs, MARK);
	if (mk == NULL || g_strstr_len(mk + 1, (gssize)(hs - (size_t)(mk + 1 - out->ptr)),
	    "X-Addrgw-Disclaimer") != NULL)
		fail_msg("%s: want one marker \"%s\" in the header section",
		    r->name, MARK);
	if (strcmp(a->str, b->str) != 0)
		fail_msg("%s: header fields changed: got\n%s\nwant\n%s", r->name,
		    b->str, a->str);
	if (!r->top_mime) {
		/* the header section is the same octets, then the marker */
		size_t ihs = header_section(in, len);

		if (hs != ihs + strlen(MARK) || memcmp(out->ptr, in, ihs) != 0 ||
		    memcmp(out->ptr + ihs, MARK, strlen(MARK)) != 0)
			fail_msg("%s: header section not kept octet for octet",
			    r->name);
	}
	if (r->tail != NULL) {
		const char *t = g_strstr_len(in, (gssize)len, r->tail);
		size_t tl;

		assert_non_null(t);
		tl = len - (size_t)(t - in);
		if (out->size < tl || memcmp(out->ptr + out->size - tl, t, tl) != 0)
			fail_msg("%s: the input from \"%s\" on was changed", r->name,
			    r->tail);
	}
	m = gw_splice_read(out->ptr, out->size, NULL, NULL);
	if (m == NULL)
		fail_msg("%s: GMime cannot parse the output", r->name);
	for (i = 0; i < 3 && r->parts[i].path != NULL; i++)
		check_part(r, m, &r->parts[i]);
	g_object_unref(m);
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
}

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct addr_buf out, again;
		const char *why = "unset";
		size_t len;
		char *in = slurp(r->file, &len);
		int rc;

		addr_buf_init(&out);
		addr_buf_init(&again);
		rc = gw_disclaimer_apply(&out, in, len, r->prepend, r->append,
		    "outbound", HOST, &why);
		if (rc != r->want)
			fail_msg("%s: got %d (%s), want %d", r->name, rc,
			    why ? why : "no reason", r->want);
		if (rc != 1) {
			if (why == NULL || strcmp(why, r->why) != 0)
				fail_msg("%s: got reason \"%s\", want \"%s\"", r->name,
				    why ? why : "(null)", r->why);
			if (out.size != len || memcmp(out.ptr, in, len) != 0)
				fail_msg("%s: untouched, yet not a byte-identical copy",
				    r->name);
		} else {
			assert_null(why);
			check_changed(r, in, len, &out);
			/* second pass: the marker stops it, octet for octet */
			rc = gw_disclaimer_apply(&again, out.ptr, out.size,
			    r->prepend, r->append, "outbound", HOST, &why);
			if (rc != 0 || why == NULL || strcmp(why, "marker present") != 0)
				fail_msg("%s: second pass: got %d (%s), want 0 (marker "
				    "present)", r->name, rc, why ? why : "no reason");
			if (again.size != out.size ||
			    memcmp(again.ptr, out.ptr, out.size) != 0)
				fail_msg("%s: second pass changed the message", r->name);
		}
		addr_buf_free(&out);
		addr_buf_free(&again);
		g_free(in);
	}
}

/* apply - one call with the usual arguments but direction and instance */
static int
apply(struct addr_buf *out, const char *msg, const char *dir,
      const char *inst, const char **why)
{
	return gw_disclaimer_apply(out, msg, strlen(msg), PRE, NULL, dir, inst,
	    why);
}

static void
test_marker(void **state)
{
	static const char base[] = "From: a@example.org\r\nSubject: x\r\n";
	static const struct {
		const char *field;	/* a marker in the input */
		int want;
	} mrows[] = {
		{ "X-Addrgw-Disclaimer: outbound; gw.example.com\r\n", 0 },
		{ "x-addrgw-disclaimer:Outbound ;  GW.Example.COM \r\n", 0 },
		{ "X-Addrgw-Disclaimer: outbound;\r\n gw.example.com\r\n", 0 },
		{ "X-Addrgw-Disclaimer: inbound; gw.example.com\r\n", 1 },
		{ "X-Addrgw-Disclaimer: outbound; other.example.com\r\n", 1 },
		{ "X-Addrgw-Disclaimer: outbound\r\n", 1 },
	};
	struct addr_buf out, again;
	const char *why;
	size_t i;

	(void)state;
	addr_buf_init(&out);
	addr_buf_init(&again);
	for (i = 0; i < sizeof(mrows) / sizeof(mrows[0]); i++) {
		char *msg = g_strconcat(base, mrows[i].field, "\r\nHello\r\n", NULL);
		int rc = apply(&out, msg, "outbound", HOST, &why);

		if (rc != mrows[i].want)
			fail_msg("marker %s: got %d (%s), want %d", mrows[i].field, rc,
			    why ? why : "-", mrows[i].want);
		g_free(msg);
	}
	/* each direction has its own marker: inbound after outbound adds
	 * the text again, and then both are there */
	assert_int_equal(apply(&out, "From: a@example.org\r\n\r\nHello\r\n",
	    "outbound", HOST, &why), 1);
	assert_int_equal(apply(&again, out.ptr, "inbound", HOST, &why), 1);
	assert_non_null(strstr(again.ptr, "X-Addrgw-Disclaimer: outbound; " HOST
	    "\r\nX-Addrgw-Disclaimer: inbound; " HOST "\r\n\r\n" PRE "\r\n\r\n" PRE
	    "\r\n\r\nHello\r\n"));
	addr_buf_free(&out);
	addr_buf_free(&again);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *name, *msg, *dir, *inst, *text;
		int want;
		const char *why;
	} erows[] = {
		{ "empty input", "", "outbound", HOST, PRE, -1, "cannot parse" },
		{ "no header", "Hello world\r\n", "outbound", HOST, PRE, -1,
		  "cannot parse" },
		{ "bad direction", "From: a\r\n\r\nx\r\n", "sideways", HOST, PRE,
		  -1, "bad direction or instance" },
		{ "instance with ;", "From: a\r\n\r\nx\r\n", "inbound", "a;b", PRE,
		  -1, "bad direction or instance" },
		{ "instance with CR LF", "From: a\r\n\r\nx\r\n", "inbound",
		  "a\r\nBcc: x", PRE, -1, "bad direction or instance" },
		{ "text not UTF-8", "From: a\r\n\r\nx\r\n", "inbound", HOST,
		  "caf\xe9", -1, "text not UTF-8" },
		{ "top part an attachment", "Content-Type: text/plain; name=a.txt"
		  "\r\n\r\nx\r\n", "inbound", HOST, PRE, 0, "no text part" },
		{ "unknown transfer encoding", "Content-Transfer-Encoding: x-zip"
		  "\r\n\r\nx\r\n", "inbound", HOST, PRE, 0, "no text part" },
		{ "application/pgp-encrypted", "Content-Type: application/"
		  "pgp-encrypted\r\n\r\nVersion: 1\r\n", "inbound", HOST, PRE, 0,
		  "encrypted" },
		/* fuzz finding: GMime made up a boundary, re-encoded the
		 * header and looped on the long 8-bit parameter name */
		{ "multipart without a boundary", "Content-Type: multipart/n; -"
		  "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		  "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		  "charset=i\xff\xff", "inbound", HOST, PRE, 0, "no text part" },
	};
	struct addr_buf out;
	size_t i;

	(void)state;
	addr_buf_init(&out);
	for (i = 0; i < sizeof(erows) / sizeof(erows[0]); i++) {
		const char *why = NULL;
		size_t len = strlen(erows[i].msg);
		int rc = gw_disclaimer_apply(&out, erows[i].msg, len, erows[i].text,
		    NULL, erows[i].dir, erows[i].inst, &why);

		if (rc != erows[i].want || why == NULL || strcmp(why, erows[i].why) != 0)
			fail_msg("%s: got %d (%s), want %d (%s)", erows[i].name, rc,
			    why ? why : "(null)", erows[i].want, erows[i].why);
		if (out.size != len || memcmp(out.ptr, erows[i].msg, len) != 0)
			fail_msg("%s: output is not a copy of the input", erows[i].name);
	}
	/* why is nullable */
	assert_int_equal(gw_disclaimer_apply(&out, "", 0, PRE, NULL, "inbound",
	    HOST, NULL), -1);
	addr_buf_free(&out);
}

/* edge shapes of the top part: no body, no empty line, empty body */
static void
test_shapes(void **state)
{
	static const struct {
		const char *in, *want;
		const char *pre, *app;
	} srows[] = {
		{ "From: a\r\n\r\n",
		  "From: a\r\n" MARK "\r\n" PRE "\r\n", PRE, NULL },
		{ "From: a\r\n",
		  "From: a\r\n" MARK "\r\n" PRE "\r\n", PRE, NULL },
		{ "From: a",
		  "From: a\r\n" MARK "\r\n" PRE "\r\n", PRE, NULL },
		{ "From: a\r\n\r\nno line end",
		  "From: a\r\n" MARK "\r\n" PRE "\r\n\r\nno line end", PRE, NULL },
		{ "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
		  "x\r\n--b--\r\n",
		  "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "\r\n" PRE "\r\n\r\nx\r\n--b--\r\n", PRE, NULL },
		{ "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
		  "--b--\r\n",
		  "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "\r\n" PRE "\r\n--b--\r\n", PRE, NULL },
		/* fuzz finding: an empty body right before the boundary got
		 * its new base64 (or HTML) text without a line end, and the
		 * boundary line was lost */
		{ "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
		  "Content-Transfer-Encoding: base64\r\n\r\n--b--\r\n",
		  "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "Content-Transfer-Encoding: base64\r\n\r\n"
		  "Q09ORklERU5USUFMICYgPHByaXZhdGU+DQo=\r\n--b--\r\n", PRE, NULL },
		{ "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
		  "Content-Type: text/html\r\n\r\n--b--\r\n",
		  "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "Content-Type: text/html\r\n\r\n<p>" PRE_HTML "</p>\r\n--b--\r\n", PRE, NULL },
		/* fuzz finding: a replaced field at the very end, without a
		 * line end, got one, and then the one before the new fields
		 * made an empty line: the marker landed in the body */
		{ "Content-Type:text/plain",
		  "Content-Type:text/plain; charset=utf-8\r\nMIME-Version: 1.0\r\n"
		  "Content-Transfer-Encoding: quoted-printable\r\n" MARK "\r\n"
		  "=C3=A9\r\n", "\xc3\xa9", NULL },
		/* a charset that is not a superset of ASCII: the body goes to
		 * UTF-8 even for an ASCII text */
		{ "Content-Type: text/plain; charset=utf-16\r\n"
		  "Content-Transfer-Encoding: base64\r\n\r\n//5oAGkA\r\n",
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Transfer-Encoding: base64\r\nMIME-Version: 1.0\r\n" MARK
		  "\r\nQ09ORklERU5USUFMICYgPHByaXZhdGU+DQoNCmhp\r\n", PRE, NULL },
		/* fuzz finding: GMime cuts the last octet off a body that a
		 * bare LF separates from its boundary line */
		{ "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
		  "endG\n--b--\r\n",
		  "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "\r\nendG\r\n\r\nSent.\n--b--\r\n", NULL, "Sent." },
	};
	struct addr_buf out;
	size_t i;

	(void)state;
	addr_buf_init(&out);
	for (i = 0; i < sizeof(srows) / sizeof(srows[0]); i++) {
		const char *why;
		int rc = gw_disclaimer_apply(&out, srows[i].in, strlen(srows[i].in),
		    srows[i].pre, srows[i].app, "outbound", HOST, &why);

		if (rc != 1 || strcmp(out.ptr, srows[i].want) != 0)
			fail_msg("%zu: got %d (%s)\n%s\nwant\n%s", i, rc, why ? why : "-",
			    out.ptr, srows[i].want);
	}
	addr_buf_free(&out);
}

/* test_content_type - the charset parameter set to utf-8 in a raw
 * Content-Type value, every other octet kept */
static void
test_content_type(void **state)
{
	static const struct {
		const char *raw, *want;	/* want NULL: -1, the part left alone */
	} crows[] = {
		{ NULL, " text/plain; charset=utf-8\r\n" },
		{ " text/plain\r\n", " text/plain; charset=utf-8\r\n" },
		{ "text/plain", "text/plain; charset=utf-8" },
		{ " text/plain; charset=iso-8859-1\r\n",
		  " text/plain; charset=utf-8\r\n" },
		{ " TEXT/Plain;\r\n\tcharset=\"iso-8859-1\"; format=flowed\r\n",
		  " TEXT/Plain;\r\n\tcharset=utf-8; format=flowed\r\n" },
		{ " text/plain; CHARSET = koi8-r\r\n",
		  " text/plain; CHARSET = utf-8\r\n" },
		{ " text/plain (x; charset=y); format=flowed\r\n",
		  " text/plain (x; charset=y); format=flowed; charset=utf-8\r\n" },
		{ " text/plain; name=\"a;charset=b\"; charset=us-ascii\r\n",
		  " text/plain; name=\"a;charset=b\"; charset=utf-8\r\n" },
		/* the long 8-bit name that makes GMime's encoder loop */
		{ " text/plain; -\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf"
		  "\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf"
		  "\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf"
		  "charset=iso-8859-1\r\n",
		  " text/plain; -\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf"
		  "\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf"
		  "\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf"
		  "charset=iso-8859-1; charset=utf-8\r\n" },
		{ " text/plain; charset=a; charset=b\r\n",
		  " text/plain; charset=utf-8; charset=utf-8\r\n" },
		/* an unclosed quote keeps the line end */
		{ " text/plain; charset=\"a\r\n", " text/plain; charset=utf-8\r\n" },
		/* GMime 3.2 reads the comment into the value, so the result
		 * does not read back as utf-8: the part is left alone */
		{ " text/plain; charset=koi8-r (Russian)\r\n", NULL },
	};
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(crows) / sizeof(crows[0]); i++) {
		struct addr_buf v;
		int rc;

		addr_buf_init(&v);
		rc = content_type_utf8(&v, GMIME_OBJECT(part), crows[i].raw);
		if (crows[i].want == NULL ? rc != -1 :
		    rc != 0 || strcmp(v.ptr, crows[i].want) != 0)
			fail_msg("%s: got %d [%s], want [%s]", crows[i].raw ?
			    crows[i].raw : "(none)", rc, v.ptr,
			    crows[i].want ? crows[i].want : "-1");
		addr_buf_free(&v);
	}
	g_object_unref(part);
}

/* test_verify - the last check: the result must read back with the
 * input's MIME tree and the marker, else -1 and a copy (GMime reads
 * some malformed header sections differently once octets move: the fuzz
 * reproducer junk-header-lines-read-differently) */
static void
test_verify(void **state)
{
	static const char in[] = "Content-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n";
	static const struct {
		const char *out;
		int want;
	} vrows[] = {
		{ "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n", 0 },
		/* a part lost */
		{ "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "\r\nx\r\n-- b\r\n\r\ny\r\n--b--\r\n", -1 },
		/* a type changed */
		{ "Content-Type: multipart/mixed; boundary=b\r\n" MARK "\r\n--b\r\n"
		  "Content-Type: text/html\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n",
		  -1 },
		/* no marker */
		{ "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
		  "\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vrows) / sizeof(vrows[0]); i++) {
		struct job j;
		struct addr_buf out;
		int rc;

		memset(&j, 0, sizeof(j));
		j.dir = "outbound";
		j.inst = HOST;
		j.s.message = gw_splice_read(in, sizeof(in) - 1, NULL, NULL);
		assert_non_null(j.s.message);
		addr_buf_init(&out);
		addr_buf_puts(&out, vrows[i].out);
		rc = verify(&j, &out);
		if (rc != vrows[i].want || (rc < 0 && (j.s.why == NULL ||
		    strcmp(j.s.why, "result not read back alike") != 0)))
			fail_msg("%zu: got %d (%s), want %d", i, rc,
			    j.s.why ? j.s.why : "-", vrows[i].want);
		g_object_unref(j.s.message);
		addr_buf_free(&out);
	}
}

/* test_alloc - every allocation through libaddr's allocator fails in
 * turn: -1 "out of memory" and a copy (or an out of memory output),
 * nothing leaks; GLib's own allocations abort instead and are not
 * counted */
static void
test_alloc(void **state)
{
	static const char *const files[] = { "mixed-attachment.eml",
	    "plain-latin1.eml", "no-mime.eml" };
	size_t f;

	(void)state;
	addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct addr_buf out, ref;
		size_t len;
		char *in = slurp(files[f], &len);
		long n, live = chaos_live;

		addr_buf_init(&ref);
		chaos_reset(0);
		assert_int_equal(gw_disclaimer_apply(&ref, in, len, PRE, APP_RU,
		    "outbound", HOST, NULL), 1);
		assert_true(chaos_allocs > 0);	/* the allocator is ours */
		for (n = 1; n < 100000; n++) {
			const char *why = NULL;
			int rc, injected;

			addr_buf_init(&out);
			chaos_reset(n);
			rc = gw_disclaimer_apply(&out, in, len, PRE, APP_RU, "outbound",
			    HOST, &why);
			injected = chaos_injected;
			chaos_reset(0);
			if (rc == 1 && (out.size != ref.size ||
			    memcmp(out.ptr, ref.ptr, ref.size) != 0))
				fail_msg("%s, allocation %ld failed: got another output",
				    files[f], n);
			if (rc != 1 && (rc != -1 || why == NULL ||
			    strcmp(why, "out of memory") != 0))
				fail_msg("%s, allocation %ld failed: got %d (%s), want -1 "
				    "(out of memory)", files[f], n, rc, why ? why : "-");
			if (rc == -1 && !out.oom && (out.size != len ||
			    memcmp(out.ptr, in, len) != 0))
				fail_msg("%s, allocation %ld failed: not a copy", files[f],
				    n);
			addr_buf_free(&out);
			if (chaos_live != live + (ref.asize ? 1 : 0))
				fail_msg("%s, allocation %ld failed: %ld blocks leaked",
				    files[f], n, chaos_live - live - 1);
			if (!injected)
				break;	/* every allocation has failed once */
		}
		addr_buf_free(&ref);
		g_free(in);
	}
	addr_set_alloc_funcs(NULL, NULL, NULL);
}

/* several threads at once, GMime not yet initialised (this test runs
 * first): each gets the same outputs, iconv conversions included */
#define NTHREADS 4

static const char *const tfiles[] = { "mixed-attachment.eml",
    "plain-latin1.eml" };
static pthread_barrier_t start;

struct tjob {
	struct addr_buf out[2];		/* the last output for each tfiles[] */
	int ok;
};

static void *
worker(void *arg)
{
	struct tjob *t = arg;
	char *in[2];
	size_t len[2];
	int i, f;

	for (f = 0; f < 2; f++)
		in[f] = slurp(tfiles[f], &len[f]);
	pthread_barrier_wait(&start);
	t->ok = 1;
	for (i = 0; i < 20 && t->ok; i++)
		for (f = 0; f < 2; f++)
			if (gw_disclaimer_apply(&t->out[f], in[f], len[f], PRE,
			    APP_RU, "outbound", HOST, NULL) != 1)
				t->ok = 0;
	for (f = 0; f < 2; f++)
		g_free(in[f]);
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t th[NTHREADS];
	struct tjob t[NTHREADS];
	int i, f;

	(void)state;
	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++) {
		addr_buf_init(&t[i].out[0]);
		addr_buf_init(&t[i].out[1]);
		assert_int_equal(pthread_create(&th[i], NULL, worker, &t[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (i = 0; i < NTHREADS; i++) {
		if (!t[i].ok)
			fail_msg("thread %d: got a message left unchanged", i);
		for (f = 0; f < 2; f++)
			if (t[i].out[f].size != t[0].out[f].size ||
			    memcmp(t[i].out[f].ptr, t[0].out[f].ptr,
			    t[0].out[f].size) != 0)
				fail_msg("thread %d, %s: got another output than "
				    "thread 0", i, tfiles[f]);
	}
	for (i = 0; i < NTHREADS; i++) {
		addr_buf_free(&t[i].out[0]);
		addr_buf_free(&t[i].out[1]);
	}
	pthread_barrier_destroy(&start);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_marker),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_alloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
