/*
 * test_dir.c - the recipient directory: proxies, uniqueness, resolve
 *
 * Proxy vectors P1..P15 (spec-imcea-proxy.md §2.4), the collection rules
 * R24..R26, every uniqueness rule of §4.2 and spec-directory.md §3 (on
 * edits, which must leave the directory unchanged and name both holders,
 * and on a whole-directory check that reports every conflict), and every
 * resolve form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

struct prow {
	const char *in;
	int want_rc;		/* 1 primary, 0 secondary, or ADDR_E* */
	const char *want;	/* stored form */
};

static const struct prow prows[] = {
	{ "SMTP:John@Contoso.com", 1, "SMTP:John@Contoso.com" },	/* P1 */
	{ "Smtp:x@y.com", 0, "smtp:x@y.com" },				/* P3 */
	{ "smtp:x@y.com", 0, "smtp:x@y.com" },
	{ "X400:c=US;a= ;p=Microsoft;s=Parkes;g=Pat", 1,		/* P5 */
	  "X400:C=US;A= ;P=Microsoft;S=Parkes;G=Pat;" },
	{ "X400:c=US;a= ;p=A;;B;o=X;", 1, "X400:C=US;A= ;P=A\\;B;O=X;" },	/* P7 */
	{ "X400:c=US;a= ;p=Contoso;DDA:RFC-822=jdoe(a)contoso.com;", 1,	/* P9 */
	  "X400:C=US;A= ;P=Contoso;DDA:RFC-822=jdoe(a)contoso.com;" },
	{ "FAX:   ", ADDR_ESYNTAX, NULL },					/* P11 */
	{ "EUM:1234;phone-context=dp.contoso.com", 1,			/* P13 */
	  "EUM:1234;phone-context=dp.contoso.com" },
	{ "EUM:1234", ADDR_ESYNTAX, NULL },
	{ "jdoe@example.com", 0, "smtp:jdoe@example.com" },		/* R18 */
	{ "not an address", ADDR_ESYNTAX, NULL },
	{ ":x@y.com", ADDR_ESYNTAX, NULL },
	{ "LONGTYPE10:x", ADDR_ETOOLONG, NULL },
	{ "LONGTYPE9:x", 1, "LONGTYPE9:x" },
	{ "123:abc", 1, "123:abc" },
	{ "x500:/o=Ex/ou=S/cn=R/cn=a", 0, "x500:/o=Ex/ou=S/cn=R/cn=a" },
	{ "SMTP:a@[1.2.3.4]", ADDR_ESYNTAX, NULL },
	{ "SMTP:<>", 1, "SMTP:<>" },
	{ "sip:a@b:5060", 0, "sip:a@b:5060" },
	{ "X400:c=US;a= ;p=Microsoft;zz=Parkes;", ADDR_ESYNTAX, NULL },
};

static void test_proxy_parse(void **state)
{
	size_t i;
	struct addr_buf out;
	int fails = 0;

	(void)state;
	addr_buf_init(&out);
	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		int rc = addr_proxy_parse(&out, prows[i].in, strlen(prows[i].in),
					  0, NULL);

		if (rc != prows[i].want_rc ||
		    (prows[i].want && strcmp(out.ptr, prows[i].want) != 0)) {
			printf("%s: got %d \"%s\", want %d \"%s\"\n", prows[i].in,
			       rc, out.ptr, prows[i].want_rc,
			       prows[i].want ? prows[i].want : "");
			fails++;
		}
	}
	/* P7 strict X.400: ";" is not PrintableString */
	assert_true(addr_proxy_parse(&out, "X400:c=US;a= ;p=A;;B;o=X;", 25,
				     ADDR_PROXY_X400_STRICT, NULL) < 0);
	addr_buf_free(&out);
	assert_int_equal(fails, 0);
}

static void test_proxy_key(void **state)
{
	struct addr_buf a, b;

	(void)state;
	addr_buf_init(&a);
	addr_buf_init(&b);
	/* R24: SMTP:A@x.com equals smtp:a@X.com */
	assert_int_equal(addr_proxy_key(&a, "SMTP:A@x.com", 12), 0);
	assert_int_equal(addr_proxy_key(&b, "smtp:a@X.com", 12), 0);
	assert_string_equal(a.ptr, b.ptr);
	/* non-ASCII: full case folding (ß -> ss, Σ -> σ) */
	addr_buf_clear(&a);
	addr_buf_clear(&b);
	assert_int_equal(addr_proxy_key(&a, "FAX:STRASSE \xce\xa3", 15), 0);
	assert_int_equal(addr_proxy_key(&b, "fax:stra\xc3\x9f" "e \xcf\x83", 15), 0);
	assert_string_equal(a.ptr, b.ptr);
	addr_buf_free(&a);
	addr_buf_free(&b);
}

/* mk - an entry from "attr=value|attr=value" */
static struct addr_dir_entry *mk(const char *dn, const char *spec)
{
	struct addr_dir_entry *e;
	char buf[2048], *s, *save = NULL;

	assert_int_equal(addr_dir_entry_new(&e, dn, strlen(dn)), 0);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (s = strtok_r(buf, "|", &save); s; s = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(s, '=');

		assert_non_null(eq);
		*eq = '\0';
		assert_int_equal(addr_dir_entry_add_value(e, s, eq + 1,
							  strlen(eq + 1)), 0);
	}
	return e;
}

static void add_ok(struct addr_dir *d, const char *dn, const char *spec)
{
	struct addr_dir_entry *e = mk(dn, spec);
	struct addr_error err;

	if (addr_dir_add(d, e, &err) != 0) {
		printf("add %s: %s\n", dn, err.message);
		addr_dir_entry_free(e);
		fail();
	}
}

#define JDOE "CN=jdoe,OU=Recipients,DC=example,DC=com"
#define JANE "CN=Jane Doe,OU=Staff,DC=example,DC=com"

static struct addr_dir *base_dir(void)
{
	struct addr_dir *d;

	assert_int_equal(addr_dir_new(&d, 0), 0);
	add_ok(d, JDOE, "objectClass=user|mailNickname=jdoe|"
	       "proxyAddresses=SMTP:jdoe@example.com|"
	       "proxyAddresses=smtp:john.doe@example.org|"
	       "proxyAddresses=X400:c=US;a= ;p=Example;o=HQ;s=Doe;g=John|"
	       "proxyAddresses=X500:/o=Example/ou=Old/cn=Recipients/cn=jdoe|"
	       "proxyAddresses=FAX:+1 555 0100|"
	       "legacyExchangeDN=/o=Example/ou=HQ/cn=Recipients/cn=jdoe");
	return d;
}

struct urow {
	const char *name;
	const char *spec;	/* the new entry */
	const char *rule;	/* expected rule in the message, or NULL: ok */
};

static const struct urow urows[] = {
	/* the import of spec-directory T09/T37 */
	{ "smtp-secondary-case", "objectClass=user|proxyAddresses=SMTP:jane@example.com|"
	  "proxyAddresses=smtp:JDOE@example.com", "proxy.duplicate" },
	{ "smtp-primary-same", "objectClass=user|proxyAddresses=SMTP:jdoe@example.com",
	  "proxy.duplicate" },
	{ "smtp-vs-secondary", "objectClass=user|proxyAddresses=SMTP:John.Doe@EXAMPLE.org",
	  "proxy.duplicate" },
	{ "x400-canonical", "objectClass=user|proxyAddresses="
	  "X400:C=us;A= ;P=example;O=hq;S=doe;G=john;", "proxy.duplicate" },
	{ "custom-type", "objectClass=user|proxyAddresses=fax:+1 555 0100",
	  "proxy.duplicate" },
	{ "x500-vs-legdn", "objectClass=user|proxyAddresses="
	  "X500:/O=Example/OU=HQ/cn=Recipients/cn=JDOE", "legdn.duplicate" },
	{ "x500-vs-x500", "objectClass=user|proxyAddresses="
	  "x500:/o=Example/ou=Old/cn=Recipients/cn=jdoe", "legdn.duplicate" },
	{ "legdn-vs-x500", "objectClass=user|legacyExchangeDN="
	  "/o=Example/ou=Old/cn=Recipients/cn=jdoe", "legdn.duplicate" },
	{ "ex-vs-legdn", "objectClass=user|proxyAddresses="
	  "EX:/o=Example/ou=HQ/cn=Recipients/cn=jdoe", "legdn.duplicate" },
	{ "target-vs-proxy", "objectClass=contact|targetAddress=SMTP:jdoe@example.com",
	  "target.duplicate" },
	{ "dn-duplicate", NULL, "dn.duplicate" },
	{ "unrelated-ok", "objectClass=user|proxyAddresses=SMTP:jane@example.com|"
	  "legacyExchangeDN=/o=Example/ou=HQ/cn=Recipients/cn=jane|"
	  "proxyAddresses=X500:/o=Example/ou=HQ/cn=Recipients/cn=jane", NULL },
	{ "target-own-proxy-ok", "objectClass=contact|targetAddress=SMTP:pat@partner.example.net|"
	  "proxyAddresses=SMTP:pat@partner.example.net", NULL },
	/* model rules */
	{ "primary-twice", "objectClass=user|proxyAddresses=SMTP:a@example.com|"
	  "proxyAddresses=SMTP:b@example.com", "proxy.primary-twice" },
	{ "same-object-duplicate", "objectClass=user|proxyAddresses=SMTP:a@example.com|"
	  "proxyAddresses=smtp:A@example.com", "proxy.duplicate" },
	{ "invalid-proxy", "objectClass=user|proxyAddresses=FAX:  ", "proxy.invalid" },
	{ "no-kind", "objectClass=person", "model.kind" },
	{ "single-valued", "objectClass=user|sn=a|sn=b", "model.single-valued" },
	{ "target-missing", "objectClass=contact", "target.missing" },
	{ "target-invalid", "objectClass=contact|targetAddress=SMTP:not valid", "target.invalid" },
	{ "mail-mismatch", "objectClass=user|mail=x@example.com|"
	  "proxyAddresses=SMTP:y@example.com", "model.mail-mismatch" },
	{ "legdn-syntax", "objectClass=user|legacyExchangeDN=o=Example", "legdn.syntax" },
};

static void test_uniqueness_on_add(void **state)
{
	size_t i;
	int fails = 0;

	(void)state;
	for (i = 0; i < sizeof(urows) / sizeof(urows[0]); i++) {
		const struct urow *r = &urows[i];
		struct addr_dir *d = base_dir();
		const char *dn = r->spec ? JANE : "cn=JDOE, ou=recipients,dc=EXAMPLE,dc=com";
		struct addr_dir_entry *e = mk(dn, r->spec ? r->spec : "objectClass=user");
		struct addr_error err;
		int rc;

		memset(&err, 0, sizeof(err));
		rc = addr_dir_add(d, e, &err);
		if (r->rule == NULL ? rc != 0 :
		    (rc >= 0 || strstr(err.message, r->rule) == NULL)) {
			printf("%s: got %d \"%s\", want %s\n", r->name, rc,
			       err.message, r->rule ? r->rule : "ok");
			fails++;
		}
		if (rc < 0) {
			addr_dir_entry_free(e);
			/* unchanged: one entry, still resolvable */
			assert_int_equal(addr_dir_count(d), 1);
			if (r->rule && strstr(r->rule, "duplicate") &&
			    strcmp(r->name, "same-object-duplicate") != 0)
				assert_non_null(strstr(err.message, JDOE));
		}
		addr_dir_free(d);
	}
	assert_int_equal(fails, 0);
}

static void test_conflict_message(void **state)
{
	struct addr_dir *d = base_dir();
	struct addr_dir_entry *e = mk(JANE, "objectClass=user|"
				      "proxyAddresses=smtp:JDOE@example.com");
	struct addr_error err;

	(void)state;
	assert_int_equal(addr_dir_add(d, e, &err), ADDR_ECONFLICT);
	assert_string_equal(err.message,
			    "proxy.duplicate: duplicate proxy \"smtp:JDOE@example.com\": "
			    "held by " JDOE " (\"SMTP:jdoe@example.com\") and " JANE);
	addr_dir_entry_free(e);
	addr_dir_free(d);
}

static void test_edits(void **state)
{
	struct addr_dir *d = base_dir();
	struct addr_error err;
	const struct addr_dir_entry *e;
	const char *v;

	(void)state;
	add_ok(d, JANE, "objectClass=user|proxyAddresses=SMTP:jane@example.com");
	/* R24: an equal proxy on the object fails */
	assert_int_equal(addr_dir_proxy_add(d, JANE, strlen(JANE),
					    "smtp:JANE@EXAMPLE.COM", 21, &err),
			 ADDR_ECONFLICT);
	/* another object's proxy: refused, both named, nothing changed */
	assert_int_equal(addr_dir_proxy_add(d, JANE, strlen(JANE),
					    "smtp:JDOE@example.com", 21, &err),
			 ADDR_ECONFLICT);
	assert_non_null(strstr(err.message, JDOE));
	assert_non_null(strstr(err.message, JANE));
	e = addr_dir_find(d, JANE, strlen(JANE));
	assert_int_equal(addr_dir_entry_nvalues(e, "proxyAddresses"), 1);
	/* R25: the first X400 becomes primary whatever its case */
	assert_int_equal(addr_dir_proxy_add(d, JANE, strlen(JANE),
		"x400:c=US;a= ;p=Example;o=HQ;s=Doe;g=Jane", 41, &err), 1);
	e = addr_dir_find(d, JANE, strlen(JANE));
	v = addr_dir_entry_value(e, "proxyAddresses", 1, NULL);
	assert_string_equal(v, "X400:C=US;A= ;P=Example;O=HQ;S=Doe;G=Jane;");
	/* a new primary demotes the old one */
	assert_int_equal(addr_dir_proxy_add(d, JANE, strlen(JANE),
					    "SMTP:Jane.Doe@example.com", 25, &err), 1);
	e = addr_dir_find(d, JANE, strlen(JANE));
	assert_string_equal(addr_dir_entry_value(e, "proxyAddresses", 0, NULL),
			    "smtp:jane@example.com");
	assert_string_equal(addr_dir_entry_mail(e), "Jane.Doe@example.com");
	/* P15: the primary SMTP cannot be removed */
	assert_int_equal(addr_dir_proxy_remove(d, JANE, strlen(JANE),
					       "SMTP:Jane.Doe@example.com", 25,
					       &err), ADDR_EINVAL);
	/* MakePrimary demotes every other primary of the type */
	assert_int_equal(addr_dir_proxy_make_primary(d, JANE, strlen(JANE),
						     "smtp:jane@example.com",
						     21, &err), 1);
	e = addr_dir_find(d, JANE, strlen(JANE));
	assert_string_equal(addr_dir_entry_mail(e), "jane@example.com");
	assert_string_equal(addr_dir_entry_value(e, "proxyAddresses", 2, NULL),
			    "smtp:Jane.Doe@example.com");
	/* removing a secondary works */
	assert_int_equal(addr_dir_proxy_remove(d, JANE, strlen(JANE),
					       "smtp:jane.doe@EXAMPLE.com", 25,
					       &err), 1);
	/* R26: removing the primary of another type promotes the next */
	assert_int_equal(addr_dir_proxy_add(d, JANE, strlen(JANE),
					    "fax:1", 5, &err), 1);
	assert_int_equal(addr_dir_proxy_add(d, JANE, strlen(JANE),
					    "fax:2", 5, &err), 1);
	assert_int_equal(addr_dir_proxy_remove(d, JANE, strlen(JANE),
					       "FAX:1", 5, &err), 1);
	e = addr_dir_find(d, JANE, strlen(JANE));
	assert_string_equal(addr_dir_entry_value(e, "proxyAddresses", 2, NULL),
			    "FAX:2");
	/* addr_dir_set: a clash is refused, a good value applied */
	{
		const char *vals[] = { "/o=Example/ou=HQ/cn=Recipients/cn=jdoe" };
		size_t lens[] = { strlen(vals[0]) };

		assert_int_equal(addr_dir_set(d, JANE, strlen(JANE),
					      "legacyExchangeDN", vals, lens, 1,
					      &err), ADDR_ECONFLICT);
		vals[0] = "/o=Example/ou=HQ/cn=Recipients/cn=jane";
		lens[0] = strlen(vals[0]);
		assert_int_equal(addr_dir_set(d, JANE, strlen(JANE),
					      "legacyExchangeDN", vals, lens, 1,
					      &err), 1);
		vals[0] = "group";
		lens[0] = 5;
		assert_int_equal(addr_dir_set(d, JANE, strlen(JANE), "objectClass",
					      vals, lens, 1, &err), ADDR_ESYNTAX);
		assert_non_null(strstr(err.message, "model.kind"));
	}
	/* no such entry is not an error */
	assert_int_equal(addr_dir_proxy_add(d, "CN=nobody", 9, "fax:3", 5, &err), 0);
	/* delete removes references */
	add_ok(d, "CN=G,DC=example,DC=com", "objectClass=group|member=" JANE
	       "|member=" JDOE);
	assert_int_equal(addr_dir_delete(d, JANE, strlen(JANE), &err), 1);
	e = addr_dir_find(d, "CN=G,DC=example,DC=com", 22);
	assert_int_equal(addr_dir_entry_nvalues(e, "member"), 1);
	assert_null(addr_dir_find(d, JANE, strlen(JANE)));
	/* the freed keys are free again */
	add_ok(d, JANE, "objectClass=user|proxyAddresses=SMTP:jane@example.com");
	addr_dir_free(d);
}

static const char conflicts_ldif[] =
	"version: 1\n"
	"dn: CN=A,DC=example,DC=com\n"
	"objectClass: user\n"
	"proxyAddresses: SMTP:jdoe@example.com\n"
	"proxyAddresses: X500:/o=Ex/ou=S/cn=Recipients/cn=a\n"
	"\n"
	"dn: CN=B,DC=example,DC=com\n"
	"objectClass: user\n"
	"proxyAddresses: smtp:JDOE@example.com\n"
	"legacyExchangeDN: /o=Ex/ou=S/cn=Recipients/cn=a\n"
	"\n"
	"dn: CN=C,DC=example,DC=com\n"
	"objectClass: group\n"
	"proxyAddresses: SMTP:Jdoe@Example.com\n"
	"member: CN=Nobody,DC=example,DC=com\n";

static void test_check_reports_every_conflict(void **state)
{
	struct addr_dir *d;
	struct addr_dir_report rep;
	int rc;

	(void)state;
	assert_int_equal(addr_dir_new(&d, 0), 0);
	addr_dir_report_init(&rep);
	rc = addr_dir_load_ldif(d, conflicts_ldif, sizeof(conflicts_ldif) - 1,
				"c.ldif", 0, &rep);
	assert_int_equal(rc, 4);
	assert_int_equal(rep.nerrors, 4);
	assert_string_equal(rep.diag[0].rule, "proxy.duplicate");
	assert_int_equal(rep.diag[0].line, 7);
	assert_string_equal(rep.diag[1].rule, "legdn.duplicate");
	assert_string_equal(rep.diag[2].rule, "proxy.duplicate");
	assert_int_equal(rep.diag[2].line, 12);
	assert_non_null(strstr(rep.diag[2].message, "CN=A,DC=example,DC=com"));
	assert_string_equal(rep.diag[3].rule, "member.unresolved");
	addr_dir_report_free(&rep);
	/* addr_dir_check on its own finds the same */
	assert_int_equal(addr_dir_check(d, &rep), 4);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	/* lenient: unresolved members are warnings */
	assert_int_equal(addr_dir_new(&d, ADDR_DIR_LENIENT), 0);
	rc = addr_dir_load_ldif(d, conflicts_ldif, sizeof(conflicts_ldif) - 1,
				"c.ldif", 0, &rep);
	assert_int_equal(rc, 3);
	assert_int_equal(rep.nwarnings, 1);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
}

struct rrow {
	const char *in;
	const char *want_dn;	/* NULL: not found */
};

#define GRP "CN=Sales,DC=example,DC=com"
#define PAT "CN=Partner\\, Pat,OU=Contacts,DC=example,DC=com"

static const struct rrow rrows[] = {
	{ "jdoe@example.com", JDOE },
	{ "JDOE@EXAMPLE.COM", JDOE },
	{ "<jdoe@example.com>", JDOE },
	{ "john.doe@example.org", JDOE },		/* secondary */
	{ "SMTP:john.doe@Example.org", JDOE },
	{ "smtp:JDOE@example.com", JDOE },
	{ "nobody@example.com", NULL },
	/* IMCEA at a local domain, any type inside */
	{ "IMCEAEX-_o=Example_ou=HQ_cn=Recipients_cn=jdoe@example.com", JDOE },
	{ "IMCEAX500-_o=Example_ou=Old_cn=Recipients_cn=jdoe@example.com", JDOE },
	{ "IMCEAX400-c=US+3Ba=+20+3Bp=Example+3Bo=HQ+3Bs=Doe+3Bg=John+3B@example.com", JDOE },
	{ "IMCEAFAX-+2B1+20555+200100@example.com", JDOE },
	{ "IMCEASMTP-jdoe+40example+2Ecom@example.com", JDOE },
	/* not local: taken as a plain SMTP address */
	{ "IMCEAEX-_o=Example_ou=HQ_cn=Recipients_cn=jdoe@elsewhere.net", NULL },
	/* X.400 in every textual form */
	{ "X400:c=US;a= ;p=Example;o=HQ;s=Doe;g=John", JDOE },
	{ "C=US;A= ;P=Example;O=HQ;S=Doe;G=John;", JDOE },
	{ "G=John; S=Doe; O=HQ; P=Example; A= ; C=US", JDOE },
	{ "/C=US/ADMD= /PRMD=Example/O=HQ/S=Doe/G=John/", JDOE },
	/* legacyExchangeDN, EX, X500 and old DNs */
	{ "/o=Example/ou=HQ/cn=Recipients/cn=jdoe", JDOE },
	{ "/O=EXAMPLE/OU=HQ/CN=RECIPIENTS/CN=JDOE", JDOE },
	{ "EX:/o=Example/ou=HQ/cn=Recipients/cn=jdoe", JDOE },
	{ "X500:/o=Example/ou=Old/cn=Recipients/cn=jdoe", JDOE },
	{ "/o=Example/ou=Old/cn=Recipients/cn=jdoe", JDOE },
	/* other TYPE:value proxies */
	{ "FAX:+1 555 0100", JDOE },
	{ "fax:+1 555 0100", JDOE },
	{ "FAX:+1 555 0199", NULL },
	/* groups and contacts */
	{ "sales@example.com", GRP },
	{ "pat@partner.example.net", PAT },
};

static void test_resolve(void **state)
{
	struct addr_dir *d = base_dir();
	const char *local[] = { "example.com" };
	size_t i;
	int fails = 0;

	(void)state;
	add_ok(d, GRP, "objectClass=group|proxyAddresses=SMTP:sales@example.com");
	add_ok(d, PAT, "objectClass=contact|targetAddress=SMTP:pat@partner.example.net|"
	       "proxyAddresses=SMTP:pat@partner.example.net");
	for (i = 0; i < sizeof(rrows) / sizeof(rrows[0]); i++) {
		const struct addr_dir_entry *e;
		struct addr_error err;
		int rc = addr_dir_resolve(d, rrows[i].in, strlen(rrows[i].in),
					  local, 1, 0, &e, &err);
		const char *got = rc == 1 ? addr_dir_entry_dn(e) : NULL;

		if ((got == NULL) != (rrows[i].want_dn == NULL) ||
		    (got && strcmp(got, rrows[i].want_dn) != 0)) {
			printf("%s: got %d %s, want %s\n", rrows[i].in, rc,
			       got ? got : "-", rrows[i].want_dn ?
			       rrows[i].want_dn : "-");
			fails++;
		}
	}
	{	/* delivery addresses */
		const struct addr_dir_entry *e;

		assert_int_equal(addr_dir_resolve(d, "pat@partner.example.net",
						  23, NULL, 0, 0, &e, NULL), 1);
		assert_string_equal(addr_dir_entry_delivery(e),
				    "pat@partner.example.net");
		assert_int_equal(addr_dir_resolve(d, "FAX:+1 555 0100", 15,
						  NULL, 0, 0, &e, NULL), 1);
		assert_string_equal(addr_dir_entry_delivery(e), "jdoe@example.com");
		/* a malformed IMCEA address is an error */
		assert_true(addr_dir_resolve(d, "IMCEAEX-@example.com", 20,
					     NULL, 0, 0, &e, NULL) < 0);
	}
	addr_dir_free(d);
	assert_int_equal(fails, 0);
}

/*
 * An X500 proxy whose keys outgrow prepare's scratch buffer: its
 * legacyExchangeDN-space key is copied from its proxy key in that same
 * buffer, which must not move while it is copied (a use-after-free that
 * make SAN=1 test caught in the DSML fuzz corpus). The key must still
 * find the entry.
 */
static void test_long_x500_key(void **state)
{
	struct addr_dir *d = base_dir();
	const struct addr_dir_entry *e;
	char spec[1200], legdn[600];
	size_t n;

	(void)state;
	n = (size_t)snprintf(legdn, sizeof(legdn), "/o=Example/ou=Site/cn=Recipients/cn=");
	memset(legdn + n, 'L', 400);
	legdn[n + 400] = '\0';
	snprintf(spec, sizeof(spec), "objectClass=user|proxyAddresses="
		 "SMTP:long@example.com|proxyAddresses=X500:%s", legdn);
	add_ok(d, "CN=Long,OU=Recipients,DC=example,DC=com", spec);
	assert_int_equal(addr_dir_resolve(d, legdn, strlen(legdn), NULL, 0, 0,
					  &e, NULL), 1);
	assert_string_equal(addr_dir_entry_dn(e),
			    "CN=Long,OU=Recipients,DC=example,DC=com");
	addr_dir_free(d);
}

static void test_dn_compare(void **state)
{
	struct addr_dir *d = base_dir();

	(void)state;
	static const char *const same[] = {
		"cn=JDOE, ou=recipients, dc=example, dc=com",
		"CN=jd\\6fe,OU=Recipients,DC=example,DC=com",
		"CN = jdoe , OU=Recipients,DC=example,DC=com",
	};
	size_t i;

	for (i = 0; i < 3; i++)
		assert_non_null(addr_dir_find(d, same[i], strlen(same[i])));
	assert_null(addr_dir_find(d, "CN=jdoe,OU=Other,DC=example,DC=com", 34));
	assert_null(addr_dir_find(d, "garbage", 7));
	addr_dir_free(d);
}

/* an attribute name is at most 255 octets (the directory keeps its
 * length in a byte; LDIF and CSV refuse longer ones with their rules) */
static void test_attr_name_limit(void **state)
{
	struct addr_dir_entry *e;
	char name[300];

	(void)state;
	assert_int_equal(addr_dir_entry_new(&e, "CN=x", 4), 0);
	memset(name, 'a', sizeof(name));
	name[255] = '\0';
	assert_int_equal(addr_dir_entry_add_value(e, name, "v", 1), 0);
	name[255] = 'a';
	name[256] = '\0';
	assert_int_equal(addr_dir_entry_add_value(e, name, "v", 1),
			 ADDR_ETOOLONG);
	assert_int_equal(addr_dir_entry_nattrs(e), 1);
	addr_dir_entry_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_parse),
		cmocka_unit_test(test_proxy_key),
		cmocka_unit_test(test_uniqueness_on_add),
		cmocka_unit_test(test_conflict_message),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_check_reports_every_conflict),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_long_x500_key),
		cmocka_unit_test(test_dn_compare),
		cmocka_unit_test(test_attr_name_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
