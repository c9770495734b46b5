/*
 * test_rewrite.c - the gateway's address rewriting (libaddr/rewrite.c,
 * spec-gateway.md §5, §6) on testdata/sample/directory.ldif
 *
 * RCPT verdicts for every address form of issue 7 (secondary addresses
 * and domains, IMCEAEX of a legacyExchangeDN and of an old X500 DN,
 * IMCEAX400 in another case and order, the refused IMCEA types and the
 * relay-bypass forms), expansion (each member once, the cycle, contacts,
 * a refusing nested group naming itself), outbound sender addresses and
 * header rewriting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"

static struct addr_dir *dir;
static const char *const gate[] = { "example.com", "example.org",
				     "corp.example.net", "gw.example.com" };

/* is_local - the relay notion: the gate's domains and their subdomains */
static int is_local(void *arg, const char *d, size_t n)
{
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(gate) / sizeof(gate[0]); i++) {
		size_t g = strlen(gate[i]);

		if (n == g && strncasecmp(d, gate[i], n) == 0)
			return 1;
		if (n > g && d[n - g - 1] == '.' &&
		    strncasecmp(d + n - g, gate[i], g) == 0)
			return 1;
	}
	return 0;
}

static struct addr_rw rw = { NULL, gate, 4, "gw.example.com", is_local, NULL };

static int setup(void **state)
{
	FILE *f = fopen("testdata/sample/directory.ldif", "rb");
	struct addr_buf in;
	char chunk[4096];
	size_t n;

	(void)state;
	if (f == NULL)
		return -1;
	addr_buf_init(&in);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		addr_buf_put(&in, chunk, n);
	fclose(f);
	if (addr_dir_new(&dir, 0) < 0 ||
	    addr_dir_load_ldif(dir, in.ptr, in.size, NULL, 0, NULL) != 0)
		return -1;
	addr_buf_free(&in);
	rw.dir = dir;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	addr_dir_free(dir);
	return 0;
}

static const struct addr_dir_entry *entry(const char *addr)
{
	const struct addr_dir_entry *e = NULL;

	assert_int_equal(addr_rw_sender(&rw, addr, strlen(addr), &e), 1);
	return e;
}

struct rrow {
	const char *rcpt;
	const char *sender;	/* NULL: external */
	int status;
	const char *dn_or_reply;	/* LOCAL: DN prefix; else reply prefix */
};

static const struct rrow rrows[] = {
	{ "John.Doe@example.com", NULL, ADDR_RW_LOCAL, "CN=John Doe," },
	{ "jdoe@example.org", NULL, ADDR_RW_LOCAL, "CN=John Doe," },
	{ "JDOE@EXAMPLE.ORG", NULL, ADDR_RW_LOCAL, "CN=John Doe," },
	{ "zoe.celik@corp.example.net", NULL, ADDR_RW_LOCAL, "CN=Zo" },
	/* IMCEAEX of the legacyExchangeDN, and of an old DN in an X500 proxy */
	{ "IMCEAEX-_O=Example_OU=HQ_CN=Recipients_CN=jdoe@example.com", NULL,
	  ADDR_RW_LOCAL, "CN=John Doe," },
	{ "IMCEAEX-_o=Example_ou=Boston_cn=Recipients_cn=jdoe@example.com",
	  NULL, ADDR_RW_LOCAL, "CN=John Doe," },
	{ "imceaex-_o=Example_ou=HQ_cn=Recipients_cn=jane+2Edoe@example.com",
	  NULL, ADDR_RW_LOCAL, "CN=Jane Doe," },
	/* IMCEAX400 with another case and attribute order */
	{ "IMCEAX400-g=John+3Bs=Doe+3Bi=Q+3Bo=HQ+3Bp=Example+3Ba=+20+3Bc=us+3B"
	  "@example.com", NULL, ADDR_RW_LOCAL, "CN=John Doe," },
	/* R15: encapsulated SMTP, X500 and INVALID are refused */
	{ "IMCEASMTP-x+40ext+2Etest@example.com", NULL, ADDR_RW_REFUSED,
	  "550 5.1.0 <IMCEASMTP-x+40ext+2Etest@example.com>" },
	{ "IMCEAX500-+2Fo+3DExample+2Fou+3DHQ+2Fcn+3DRecipients+2Fcn+3Djdoe"
	  "@example.com", NULL, ADDR_RW_REFUSED, "550 5.1.0 " },
	{ "IMCEAINVALID-x@example.com", NULL, ADDR_RW_REFUSED, "550 5.1.0 " },
	/* relay-bypass forms: unknown local parts, or a plain remote */
	{ "\"x@ext.test\"@example.com", NULL, ADDR_RW_UNKNOWN, "550 5.1.1 " },
	{ "x%ext.test@example.com", NULL, ADDR_RW_UNKNOWN, "550 5.1.1 " },
	{ "x@ext.test", NULL, ADDR_RW_REMOTE, NULL },
	/* an IMCEA address at a foreign domain is a plain remote address */
	{ "IMCEASMTP-x+40ext+2Etest@ext.test", NULL, ADDR_RW_REMOTE, NULL },
	{ "nobody@example.com", NULL, ADDR_RW_UNKNOWN,
	  "550 5.1.1 <nobody@example.com>: Recipient address rejected" },
	{ "IMCEAEX-_O=Example_OU=HQ_CN=Recipients_CN=nobody@example.com",
	  NULL, ADDR_RW_UNKNOWN, "550 5.1.1 " },
	/* Executives accepts Pat Parkes and members of Assistants only */
	{ "executives@example.com", NULL, ADDR_RW_RESTRICTED,
	  "550 5.7.1 <executives@example.com>: Sender not permitted" },
	{ "executives@example.com", "Jane.Doe@example.com", ADDR_RW_RESTRICTED,
	  "550 5.7.1 " },
	{ "executives@example.com", "patp@corp.example.net", ADDR_RW_LOCAL,
	  "CN=Executives," },
	/* unknown external senders reach unrestricted groups (Q140948) */
	{ "allstaff@example.com", NULL, ADDR_RW_LOCAL, "CN=All Staff," },
	{ "postmaster", NULL, ADDR_RW_LOCAL, NULL },
};

static void test_recipients(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rrows) / sizeof(rrows[0]); i++) {
		const struct rrow *w = &rrows[i];
		const struct addr_dir_entry *s = NULL;
		struct addr_rw_rcpt r;

		if (w->sender)
			s = entry(w->sender);
		assert_int_equal(addr_rw_recipient(&r, &rw, w->rcpt,
						   strlen(w->rcpt), s), 0);
		if (r.status != w->status)
			fail_msg("%s: status %d, want %d (%s)", w->rcpt,
				 r.status, w->status, r.reply);
		if (w->dn_or_reply == NULL)
			continue;
		if (r.status == ADDR_RW_LOCAL) {
			const char *dn = addr_dir_entry_dn(r.entry);

			if (strncmp(dn, w->dn_or_reply,
				    strlen(w->dn_or_reply)) != 0)
				fail_msg("%s: %s", w->rcpt, dn);
		} else if (strncmp(r.reply, w->dn_or_reply,
				   strlen(w->dn_or_reply)) != 0) {
			fail_msg("%s: reply \"%s\"", w->rcpt, r.reply);
		}
	}
}

/* count - how often addr is among the final addresses */
static size_t count(const struct addr_rw_targets *t, const char *addr)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i].fail == NULL && strcasecmp(t->v[i].addr, addr) == 0)
			n++;
	return n;
}

static void test_expand(void **state)
{
	struct addr_rw_targets t;
	size_t i;

	(void)state;
	addr_rw_targets_init(&t);
	/* All Staff: nested Engineering <-> QA cycle, Sales with a contact */
	assert_int_equal(addr_rw_expand(&t, &rw, entry("allstaff@example.com"),
					0, NULL, 0), 0);
	assert_int_equal(count(&t, "John.Doe@example.com"), 1);
	assert_int_equal(count(&t, "Ian.OConnell@example.com"), 1);
	assert_int_equal(count(&t, "pat@partner.example.net"), 1);
	assert_int_equal(count(&t, "orders@supplier.example"), 1);
	assert_int_equal(count(&t, "allstaff@example.com"), 0);
	for (i = 0; i < t.n; i++)
		assert_null(t.v[i].fail);
	/* a second RCPT of the same message adds nothing twice */
	assert_int_equal(addr_rw_expand(&t, &rw, entry("qa@example.com"), 1,
					NULL, 0), 0);
	assert_int_equal(count(&t, "Ian.OConnell@example.com"), 1);
	/* the limit */
	addr_rw_targets_free(&t);
	assert_int_equal(addr_rw_expand(&t, &rw, entry("allstaff@example.com"),
					0, NULL, 3), ADDR_ETOOLONG);
	addr_rw_targets_free(&t);
	/* a contact with an X.400 target travels as IMCEAX400 */
	assert_int_equal(addr_rw_expand(&t, &rw,
					entry("jo.smith.partner@example.com"),
					0, NULL, 0), 0);
	assert_int_equal(t.n, 1);
	assert_true(strncmp(t.v[0].addr, "IMCEAX400-", 10) == 0);
	assert_non_null(strstr(t.v[0].addr, "@gw.example.com"));
	addr_rw_targets_free(&t);
}

/* a nested group that refuses the sender fails its branch only, and the
 * failure names that group */
static void test_expand_refusing_nested(void **state)
{
	static const char ldif[] =
		"version: 1\n"
		"dn: CN=Top,DC=x\nobjectClass: group\n"
		"proxyAddresses: SMTP:top@example.com\n"
		"member: CN=Inner,DC=x\nmember: CN=A,DC=x\n\n"
		"dn: CN=Inner,DC=x\nobjectClass: group\n"
		"proxyAddresses: SMTP:inner@example.com\n"
		"member: CN=B,DC=x\nauthOrig: CN=A,DC=x\n\n"
		"dn: CN=A,DC=x\nobjectClass: user\n"
		"proxyAddresses: SMTP:a@example.com\n\n"
		"dn: CN=B,DC=x\nobjectClass: user\n"
		"proxyAddresses: SMTP:b@example.com\n";
	struct addr_rw r2 = rw;
	struct addr_dir *d;
	struct addr_rw_targets t;
	const struct addr_dir_entry *top = NULL;
	size_t i, nfail = 0;

	(void)state;
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, ldif, strlen(ldif), NULL, 0,
					    NULL), 0);
	r2.dir = d;
	assert_int_equal(addr_rw_sender(&r2, "top@example.com", 15, &top), 1);
	addr_rw_targets_init(&t);
	assert_int_equal(addr_rw_expand(&t, &r2, top, 0, NULL, 0), 0);
	assert_int_equal(count(&t, "a@example.com"), 1);
	assert_int_equal(count(&t, "b@example.com"), 0);
	for (i = 0; i < t.n; i++)
		if (t.v[i].fail != NULL) {
			nfail++;
			assert_string_equal(t.v[i].addr, "inner@example.com");
			assert_true(strncmp(t.v[i].fail, "5.7.1 ", 6) == 0);
			assert_non_null(strstr(t.v[i].fail, "CN=Top,DC=x"));
		}
	assert_int_equal(nfail, 1);
	addr_rw_targets_free(&t);
	addr_dir_free(d);
}

static void test_outbound(void **state)
{
	static const char msg[] =
		"Received: from x\r\n"
		"From: \"Doe, John\" <jdoe@example.org>\r\n"
		"Sender: jdoe@EXAMPLE.org (John)\r\n"
		"Reply-To: someone@ext.test,\r\n"
		" Jane <jane.doe@example.org>\r\n"
		"To: jdoe@example.org\r\n"
		"Subject: From: jdoe@example.org\r\n"
		"\r\n"
		"From: jdoe@example.org in the body\r\n";
	struct addr_buf out;

	(void)state;
	addr_buf_init(&out);
	assert_int_equal(addr_rw_outbound(&out, &rw, entry("jdoe@example.org")),
			 0);
	assert_string_equal(out.ptr, "John.Doe@example.com");
	addr_buf_clear(&out);
	assert_int_equal(addr_rw_headers(&out, msg, strlen(msg), &rw), 1);
	addr_buf_putc(&out, '\0');
	assert_string_equal(out.ptr,
		"Received: from x\r\n"
		"From: \"Doe, John\" <John.Doe@example.com>\r\n"
		"Sender: John.Doe@example.com (John)\r\n"
		"Reply-To: someone@ext.test,\r\n"
		" Jane <Jane.Doe@example.com>\r\n"
		"To: jdoe@example.org\r\n"
		"Subject: From: jdoe@example.org\r\n"
		"\r\n"
		"From: jdoe@example.org in the body\r\n");
	/* nothing to change: 0, bytes identical */
	addr_buf_clear(&out);
	assert_int_equal(addr_rw_headers(&out, "From: a@ext.test\r\n\r\nx",
					 22, &rw), 0);
	assert_int_equal(out.size, 22);
	addr_buf_free(&out);
}

/* a mailbox without SMTP proxy: IMCEAEX of its legacyExchangeDN, else
 * IMCEA of its primary proxy of another type (§6.7) */
static void test_outbound_imcea(void **state)
{
	static const char ldif[] =
		"version: 1\n"
		"dn: CN=Ex,DC=x\nobjectClass: user\n"
		"proxyAddresses: X400:C=US;A= ;P=Example;O=HQ;S=Ex;\n"
		"legacyExchangeDN: /o=Example/ou=HQ/cn=Recipients/cn=ex\n\n"
		"dn: CN=Xf,DC=x\nobjectClass: user\n"
		"proxyAddresses: X400:C=US;A= ;P=Example;O=HQ;S=Xf;\n";
	struct addr_dir *d;
	struct addr_buf out;

	(void)state;
	addr_buf_init(&out);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, ldif, strlen(ldif), NULL, 0,
					    NULL), 0);
	assert_int_equal(addr_rw_outbound(&out, &rw, addr_dir_at(d, 0)), 0);
	assert_string_equal(out.ptr, "IMCEAEX-_o=Example_ou=HQ_cn=Recipients_"
			    "cn=ex@gw.example.com");
	assert_int_equal(addr_rw_outbound(&out, &rw, addr_dir_at(d, 1)), 0);
	assert_true(strncmp(out.ptr, "IMCEAX400-", 10) == 0);
	addr_buf_free(&out);
	addr_dir_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recipients),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_refusing_nested),
		cmocka_unit_test(test_outbound),
		cmocka_unit_test(test_outbound_imcea),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
