/*
 * test_policy.c - address policies (spec-imcea-proxy.md §3, §4.3)
 *
 * Every template vector T1..T17, the site addressing vectors S1..S4 and
 * the uniqueness vector U5 as table rows, plus template errors and the
 * collision suffixes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dir_int.h"
#include "chaos.h"

struct trow {
	const char *name;
	struct addr_policy_data data;
	const char *tmpl;
	int secondary;
	const char *option;	/* "lowercase", "space=-", "translit=ID" */
	const char *want;	/* stored proxy, or NULL for an error */
};

#define MARK { "Mark", "Clark", "M", "Mark M. Clark", "markc" }
#define JOHN { "John", "Smith", NULL, "John Smith", "jsmith" }

static const struct trow trows[] = {
	{ "T1", MARK, "%d@microsoft.com", 0, NULL, "SMTP:MarkMClark@microsoft.com" },
	{ "T3", MARK, "%r..%d@microsoft.com", 0, NULL, "SMTP:MarkMClark@microsoft.com" },
	{ "T5", MARK, "@microsoft.com", 0, NULL, "SMTP:markc@microsoft.com" },
	{ "T7", JOHN, "%1g%s@contoso.com", 0, NULL, "SMTP:JSmith@contoso.com" },
	{ "T7-lower", JOHN, "%1g%s@contoso.com", 0, "lowercase", "SMTP:jsmith@contoso.com" },
	{ "T9", JOHN, "%s.%g@contoso.com", 0, NULL, "SMTP:Smith.John@contoso.com" },
	{ "T11", JOHN, "%s%1g@contoso.com", 0, NULL, "SMTP:SmithJ@contoso.com" },
	{ "T13", { "Nancy", "Lee", "M", "Nancy M. Lee", "nancyl" },
	  "NOTES:&S&G&I/Microsoft@Exchange", 0, NULL,
	  "NOTES:LeeNancyM/Microsoft@Exchange" },
	{ "T15", { "Michael", "M\xc3\xbcller", NULL, NULL, NULL },
	  "%g.%s@x.de", 0, NULL, "SMTP:Michael.Mueller@x.de" },
	{ "T15-strasse", { "Hans", "Stra\xc3\x9f" "e", NULL, NULL, NULL },
	  "%g.%s@x.de", 0, NULL, "SMTP:Hans.Strasse@x.de" },
	{ "T17", { "Ian", "O'Connell", NULL, NULL, NULL }, "%g.%s@x.de", 0,
	  NULL, "SMTP:Ian.O'Connell@x.de" },
	{ "T17-remove", { "Ian", "O'Connell", NULL, NULL, NULL },
	  "%g.%r''%s@x.de", 0, NULL, "SMTP:Ian.OConnell@x.de" },
	/* secondary: no prefix gets smtp: */
	{ "secondary", JOHN, "%g@contoso.net", 1, NULL, "smtp:John@contoso.net" },
	{ "explicit-primary-prefix", JOHN, "SMTP:%g@contoso.net", 1, NULL,
	  "SMTP:John@contoso.net" },
	/* %r replaces in what follows, output kept as is */
	{ "r-replace", { "Anne Marie", "Smith", NULL, NULL, NULL },
	  "%r -%g.%s@x.com", 0, NULL, "SMTP:Anne-Marie.Smith@x.com" },
	{ "r-invalid-replacement-ignored", { "Anne Marie", "Smith", NULL, NULL, NULL },
	  "%r (%g@x.com", 0, NULL, "SMTP:AnneMarie@x.com" },
	{ "space-option", { "Anne Marie", "Smith", NULL, NULL, NULL },
	  "%g@x.com", 0, "space=_", "SMTP:Anne_Marie@x.com" },
	{ "count-after-translit", { "\xc3\x9clrich", "Ober", NULL, NULL, NULL },
	  "%2g%s@x.com", 0, NULL, "SMTP:UeOber@x.com" },
	{ "dots-collapse", { NULL, "Smith", NULL, NULL, NULL },
	  "%g.%s@x.com", 0, NULL, "SMTP:Smith@x.com" },
	{ "data-dots-removed", MARK, "%d.x@x.com", 0, NULL,
	  "SMTP:MarkMClark.x@x.com" },
	{ "case-insensitive-var", JOHN, "%G.%S@x.com", 0, NULL,
	  "SMTP:John.Smith@x.com" },
	{ "percent-literal", JOHN, "%g%%@x.com", 0, NULL, "SMTP:John%@x.com" },
	{ "translit-option", { "Zo\xc3\xab", "\xc3\x87" "elik", NULL, NULL, NULL },
	  "%g.%s@x.com", 0, "translit=Any-Latin; Latin-ASCII",
	  "SMTP:Zoe.Celik@x.com" },
	/* errors */
	{ "empty-local", { NULL, NULL, NULL, NULL, NULL }, "%g@x.com", 0, NULL, NULL },
	{ "cjk-only", { "\xe5\xb1\xb1", NULL, NULL, NULL, NULL }, "%g@x.com", 0,
	  "translit=Latin-ASCII", NULL },
	/* fuzz finding: a mixed-case prefix is secondary (R20) and the
	 * result is in stored form */
	{ "mixed-case-prefix-secondary", JOHN, "Smtp:%g@x.com", 0, NULL,
	  "smtp:John@x.com" },
	{ "mixed-case-notes-secondary", JOHN, "nOTES:&G/Sales", 0, NULL,
	  "notes:John/Sales" },
	/* fuzz finding: NOTES takes values raw, so a name that is not
	 * UTF-8 made a proxy that the proxy parser refuses */
	{ "notes-invalid-utf8", { "Aoife", "N\xc3iain", NULL, NULL, NULL },
	  "NOTES:&G &S/Sales", 0, NULL, NULL },
	/* fuzz finding: nor a control character, which the proxy parser
	 * allows in a custom type and which split apply's list of results */
	{ "notes-control-char", { "Ao\nife", "Niain", NULL, NULL, NULL },
	  "NOTES:&G &S/Sales", 0, NULL, NULL },
	{ "notes-control-char-literal", JOHN, "NOTES:&G\x05/Sales", 0, NULL,
	  NULL },
};

/* template_row - expand row r with p (new or reset); 1 on a mismatch */
static int template_row(struct addr_policy *p, const struct trow *r)
{
	struct addr_buf out;
	struct addr_error err;
	int rc, bad = 0;

	if (r->option && strcmp(r->option, "lowercase") == 0)
		assert_int_equal(addr_policy_set(p, ADDR_POLICY_LOWERCASE,
						 "1", 1, NULL), 0);
	else if (r->option && strncmp(r->option, "space=", 6) == 0)
		assert_int_equal(addr_policy_set(p, ADDR_POLICY_SPACE,
						 r->option + 6, 1, NULL), 0);
	else if (r->option && strncmp(r->option, "translit=", 9) == 0)
		assert_int_equal(addr_policy_set(p, ADDR_POLICY_TRANSLIT,
						 r->option + 9,
						 strlen(r->option + 9),
						 NULL), 0);
	rc = addr_policy_add_template(p, r->tmpl, strlen(r->tmpl),
				      r->secondary, &err);
	assert_int_equal(rc, 0);
	addr_buf_init(&out);
	rc = addr_policy_expand(&out, p, 0, &r->data, 0, &err);
	if (r->want == NULL ? rc >= 0 : (rc < 0 || strcmp(out.ptr, r->want))) {
		printf("%s: got %d \"%s\" (%s), want %s\n", r->name, rc,
		       out.ptr, rc < 0 ? err.message : "",
		       r->want ? r->want : "an error");
		bad = 1;
	}
	addr_buf_free(&out);
	return bad;
}

static void test_templates(void **state)
{
	size_t i;
	int fails = 0;

	(void)state;
	for (i = 0; i < sizeof(trows) / sizeof(trows[0]); i++) {
		struct addr_policy *p;

		assert_int_equal(addr_policy_new(&p), 0);
		fails += template_row(p, &trows[i]);
		addr_policy_free(p);
	}
	assert_int_equal(fails, 0);
}

/* one policy reset between the rows gives what a new one gives: the
 * options, templates and a changed transliterator do not survive */
static void test_reset(void **state)
{
	struct addr_policy *p;
	size_t i;
	int fails = 0;

	(void)state;
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_set(p, ADDR_POLICY_X400_SITE,
					 "C=US;A= ;P=Example;O=HQ;", 24, NULL), 0);
	for (i = 0; i < sizeof(trows) / sizeof(trows[0]); i++) {
		assert_int_equal(addr__policy_reset(p), 0);
		fails += template_row(p, &trows[i]);
	}
	/* the last row set nothing: its template is index 0 again */
	assert_int_equal(addr__policy_reset(p), 0);
	assert_int_equal(addr_policy_add_template(p, "%g@a.com", 8, 0, NULL), 0);
	addr_policy_free(p);
	assert_int_equal(fails, 0);
}

struct erow {
	const char *tmpl;
	int secondary;
	int want;
};

static const struct erow erows[] = {
	{ "%x@a.com", 0, ADDR_ESYNTAX },
	{ "%@a.com", 0, ADDR_ESYNTAX },
	{ "%0g@a.com", 0, ADDR_ESYNTAX },
	{ "%r.@a.com", 0, ADDR_ESYNTAX },
	{ "%ga.com", 0, ADDR_ESYNTAX },
	{ "%g@a..com", 0, ADDR_ESYNTAX },
	{ "%g(x)@a.com", 0, ADDR_ESYNTAX },
	{ "%g@", 0, ADDR_ESYNTAX },
	{ "X400:%g@a.com", 0, ADDR_ENOTSUP },
};

static void test_template_errors(void **state)
{
	size_t i;
	struct addr_policy *p;
	struct addr_error err;

	(void)state;
	for (i = 0; i < sizeof(erows) / sizeof(erows[0]); i++) {
		assert_int_equal(addr_policy_new(&p), 0);
		int rc = addr_policy_add_template(p, erows[i].tmpl,
						  strlen(erows[i].tmpl),
						  erows[i].secondary, &err);
		if (rc != erows[i].want)
			printf("%s: got %d, want %d\n", erows[i].tmpl, rc,
			       erows[i].want);
		assert_int_equal(rc, erows[i].want);
		assert_non_null(strstr(err.message, erows[i].tmpl));
		addr_policy_free(p);
	}
	/* R27: one primary SMTP template */
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_add_template(p, "%g@a.com", 8, 0, NULL), 0);
	assert_int_equal(addr_policy_add_template(p, "%s@a.com", 8, 0, NULL),
			 ADDR_EINVAL);
	assert_int_equal(addr_policy_add_template(p, "%s@b.com", 8, 1, NULL), 1);
	addr_policy_free(p);
}

/* add - a recipient from "attr=value" pairs separated by "|" */
static void add(struct addr_dir *d, const char *dn, const char *spec)
{
	struct addr_dir_entry *e;
	struct addr_error err;
	char buf[1024], *s, *save = NULL;

	assert_int_equal(addr_dir_entry_new(&e, dn, strlen(dn)), 0);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (s = strtok_r(buf, "|", &save); s; s = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(s, '=');

		assert_non_null(eq);
		*eq = '\0';
		assert_int_equal(addr_dir_entry_add_value(e, s, eq + 1,
							  strlen(eq + 1)), 0);
	}
	if (addr_dir_add(d, e, &err) != 0) {
		printf("add %s: %s\n", dn, err.message);
		fail();
	}
}

static void test_u5_collisions(void **state)
{
	struct addr_dir *d;
	struct addr_policy *p;
	struct addr_buf added;
	const char *x = "CN=X,DC=example,DC=com";

	(void)state;
	assert_int_equal(addr_dir_new(&d, 0), 0);
	add(d, "CN=Y,DC=example,DC=com", "objectClass=user|proxyAddresses="
	    "SMTP:user2@a.com|proxyAddresses=smtp:user@b.com");
	add(d, "CN=Z,DC=example,DC=com", "objectClass=user|proxyAddresses="
	    "SMTP:user@a.com|proxyAddresses=smtp:user2@b.com");
	add(d, x, "objectClass=user|mailNickname=user");
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_add_template(p, "SMTP:@a.com", 11, 0, NULL), 0);
	assert_int_equal(addr_policy_add_template(p, "smtp:@b.com", 11, 1, NULL), 1);
	addr_buf_init(&added);
	assert_int_equal(addr_policy_apply(d, p, x, strlen(x), &added, NULL), 2);
	assert_string_equal(added.ptr, "SMTP:user3@a.com\nsmtp:user3@b.com\n");
	assert_string_equal(addr_dir_entry_mail(addr_dir_find(d, x, strlen(x))),
			    "user3@a.com");
	/* applied again: the prefixes are there, nothing changes */
	addr_buf_clear(&added);
	assert_int_equal(addr_policy_apply(d, p, x, strlen(x), &added, NULL), 0);
	assert_string_equal(added.ptr, "");
	addr_buf_free(&added);
	addr_policy_free(p);
	addr_dir_free(d);
}

struct srow {
	const char *name;
	const char *spec;		/* the recipient */
	const char *other;		/* another object, or NULL */
	const char *want_added;
};

static const struct srow srows[] = {
	{ "S1", "objectClass=user|givenName=John|initials=Q|sn=Doe|mailNickname=jdoe",
	  NULL, "X400:C=US;A= ;P=Example;O=HQ;S=Doe;G=John;I=Q;\n"
	  "legacyExchangeDN:/o=Example/ou=HQ/cn=Recipients/cn=jdoe\n" },
	{ "S2", "objectClass=user|givenName=Zo\xc3\xab|sn=\xc3\x87" "elik|"
	  "mailNickname=zoe.celik", NULL,
	  "X400:C=US;A= ;P=Example;O=HQ;S=Celik;G=Zoe;\n"
	  "legacyExchangeDN:/o=Example/ou=HQ/cn=Recipients/cn=zoe.celik\n" },
	{ "S3", "objectClass=user|givenName=Maximiliane Josefine|initials=MJ|"
	  "sn=M\xc3\xbcller|mailNickname=m.mueller|"
	  "legacyExchangeDN=/o=Old/ou=Site/cn=Recipients/cn=mm", NULL,
	  "X400:C=US;A= ;P=Example;O=HQ;S=Mueller;G=Maximiliane Jose;I=MJ;\n" },
	{ "S4", "objectClass=group|mailNickname=sales/east|"
	  "proxyAddresses=X400:C=US;A= ;P=Example;O=HQ;S=Sales;",
	  "objectClass=user|legacyExchangeDN=/o=Example/ou=HQ/cn=Recipients/cn=saleseast",
	  "legacyExchangeDN:/o=Example/ou=HQ/cn=Recipients/cn=saleseast2\n" },
	{ "x400-suffix", "objectClass=user|givenName=John|sn=Doe|mailNickname=jd",
	  "objectClass=user|proxyAddresses=X400:C=US;A= ;P=Example;O=HQ;S=Doe;G=John;",
	  "X400:C=US;A= ;P=Example;O=HQ;S=Doe2;G=John;\n"
	  "legacyExchangeDN:/o=Example/ou=HQ/cn=Recipients/cn=jd\n" },
	{ "legdn-vs-x500", "objectClass=user|sn=Roe|mailNickname=roe",
	  "objectClass=user|proxyAddresses=X500:/o=Example/ou=HQ/cn=Recipients/cn=roe",
	  "X400:C=US;A= ;P=Example;O=HQ;S=Roe;\n"
	  "legacyExchangeDN:/o=Example/ou=HQ/cn=Recipients/cn=roe2\n" },
};

static void test_site_addressing(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(srows) / sizeof(srows[0]); i++) {
		const struct srow *r = &srows[i];
		struct addr_dir *d;
		struct addr_policy *p;
		struct addr_buf added;
		struct addr_dir_report rep;
		const char *dn = "CN=R,DC=example,DC=com";
		int rc;

		assert_int_equal(addr_dir_new(&d, 0), 0);
		add(d, dn, r->spec);
		if (r->other)
			add(d, "CN=Other,DC=example,DC=com", r->other);
		assert_int_equal(addr_policy_new(&p), 0);
		assert_int_equal(addr_policy_set(p, ADDR_POLICY_X400_SITE,
						 "C=US;A= ;P=Example;O=HQ;", 24,
						 NULL), 0);
		assert_int_equal(addr_policy_set(p, ADDR_POLICY_LEGACY_DN_BASE,
			"/o=Example/ou=HQ/cn=Recipients", 30, NULL), 0);
		addr_buf_init(&added);
		addr_dir_report_init(&rep);
		rc = addr_policy_apply(d, p, dn, strlen(dn), &added, &rep);
		if (rc <= 0 || strcmp(added.ptr, r->want_added) != 0)
			printf("%s: got %d \"%s\" (%s), want \"%s\"\n", r->name,
			       rc, added.ptr, rep.n ? rep.diag[0].message : "",
			       r->want_added);
		assert_string_equal(added.ptr, r->want_added);
		addr_buf_free(&added);
		addr_dir_report_free(&rep);
		addr_policy_free(p);
		addr_dir_free(d);
	}
}

static void test_suffix_limit(void **state)
{
	struct addr_dir *d;
	struct addr_policy *p;
	struct addr_dir_report rep;
	char dn[64], spec[128];
	int k;

	(void)state;
	assert_int_equal(addr_dir_new(&d, 0), 0);
	for (k = 1; k <= 99; k++) {
		snprintf(dn, sizeof(dn), "CN=U%d,DC=example,DC=com", k);
		if (k == 1)
			snprintf(spec, sizeof(spec),
				 "objectClass=user|proxyAddresses=SMTP:user@a.com");
		else
			snprintf(spec, sizeof(spec),
				 "objectClass=user|proxyAddresses=SMTP:user%d@a.com", k);
		add(d, dn, spec);
	}
	add(d, "CN=New,DC=example,DC=com", "objectClass=user|mailNickname=user");
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_add_template(p, "@a.com", 6, 0, NULL), 0);
	assert_int_equal(addr_policy_add_template(p, "@b.com", 6, 1, NULL), 1);
	addr_dir_report_init(&rep);
	assert_int_equal(addr_policy_apply(d, p, "CN=New,DC=example,DC=com", 24,
					   NULL, &rep), ADDR_ECONFLICT);
	assert_int_equal(rep.nerrors, 1);
	assert_non_null(strstr(rep.diag[0].message, "@a.com"));
	/* nothing applied: the entry is unchanged */
	assert_null(addr_dir_entry_mail(addr_dir_find(d, "CN=New,DC=example,DC=com", 24)));
	addr_dir_report_free(&rep);
	addr_policy_free(p);
	addr_dir_free(d);
}

/* fuzz finding (policy_template, apply mode): a name that cannot be
 * transliterated for the X400 address (not UTF-8) failed the apply with
 * nothing in the report */
static void test_x400_name_not_utf8(void **state)
{
	struct addr_dir *d;
	struct addr_policy *p;
	struct addr_dir_report rep;
	struct addr_buf added;
	const char *dn = "CN=R,DC=example,DC=com";
	int rc;

	(void)state;
	assert_int_equal(addr_dir_new(&d, 0), 0);
	add(d, dn, "objectClass=user|givenName=Jo|sn=\xff\xfe|mailNickname=r");
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_set(p, ADDR_POLICY_X400_SITE,
					 "C=US;A= ;P=Example;O=HQ;", 24, NULL), 0);
	addr_buf_init(&added);
	addr_dir_report_init(&rep);
	rc = addr_policy_apply(d, p, dn, strlen(dn), &added, &rep);
	if (rc >= 0 || rep.nerrors != 1)
		printf("got %d with %zu errors, want an error and 1 error in "
		       "the report\n", rc, rep.nerrors);
	assert_true(rc < 0);
	assert_int_equal(rep.nerrors, 1);
	assert_non_null(strstr(rep.diag[0].message, dn));
	assert_string_equal(added.ptr, "");
	addr_buf_free(&added);
	addr_dir_report_free(&rep);
	addr_policy_free(p);
	addr_dir_free(d);
}

/* apply_once - a new directory with recipient spec, p applied to it with
 * allocation k failing (0: none); the result, *added, *injected */
static int apply_once(const struct addr_policy *p, const char *spec, long k,
		      struct addr_buf *added, int *injected, size_t *proxies)
{
	struct addr_dir *d;
	const char *dn = "CN=R,DC=example,DC=com";
	int rc;

	assert_int_equal(addr_dir_new(&d, 0), 0);
	add(d, dn, spec);
	addr_set_alloc_funcs(chaos_malloc, chaos_realloc, chaos_free);
	chaos_reset(k);
	rc = addr_policy_apply(d, p, dn, strlen(dn), added, NULL);
	addr_set_alloc_funcs(NULL, NULL, NULL);
	*injected = chaos_injected;
	*proxies = addr_dir_entry_nvalues(addr_dir_find(d, dn, strlen(dn)),
					  "proxyAddresses");
	addr_dir_free(d);
	return rc;
}

/* fuzz findings (policy_template, allocation failures): an allocation
 * failure while looking the recipient up was "no such entry" (0), one
 * in a variable's value (%g) dropped the value, one in the
 * legacyExchangeDN dropped it: every allocation fails in turn, and the
 * apply is ADDR_ENOMEM with the recipient unchanged, or what it is
 * without failures */
/* alloc_sweep - every allocation of applying p to spec fails in turn:
 * ADDR_ENOMEM with nothing added and the recipient unchanged, or the
 * result without failures (want_rc); the number of bad runs */
static int alloc_sweep(const struct addr_policy *p, const char *spec,
		       int want_rc)
{
	struct addr_buf want, got;
	size_t proxies;
	long k;
	int rc0, rc, injected = 0, bad = 0;

	addr_buf_init(&want);
	addr_buf_init(&got);
	rc0 = apply_once(p, spec, 0, &want, &injected, &proxies);
	assert_int_equal(rc0, want_rc);
	for (k = 1; k < 10000; k++) {
		addr_buf_clear(&got);
		rc = apply_once(p, spec, k, &got, &injected, &proxies);
		if (!injected)
			break;
		if (rc == ADDR_ENOMEM ? got.size != 0 || proxies != 0 :
		    rc != rc0 || strcmp(got.ptr, want.ptr) != 0) {
			if (bad++ < 5)
				printf("allocation %ld failed: got %d \"%s\", "
				       "want ADDR_ENOMEM and nothing, or %d "
				       "\"%s\"\n", k, rc, got.ptr, rc0,
				       want.ptr);
		}
	}
	assert_false(injected);
	addr_buf_free(&want);
	addr_buf_free(&got);
	return bad;
}

static void test_apply_alloc_failure(void **state)
{
	static const char spec[] = "objectClass=user|givenName=John|sn=Doe|"
				   "initials=Q|mailNickname=jdoe";
	struct addr_policy *p;
	int bad;

	(void)state;
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_add_template(p, "%g.%s@example.com", 17,
						  0, NULL), 0);
	assert_int_equal(addr_policy_add_template(p, "smtp:%g.%s@example.net",
						  22, 1, NULL), 1);
	assert_int_equal(addr_policy_set(p, ADDR_POLICY_X400_SITE,
					 "C=US;A= ;P=Example;O=HQ;", 24, NULL), 0);
	assert_int_equal(addr_policy_set(p, ADDR_POLICY_LEGACY_DN_BASE,
		"/o=Example/ou=HQ/cn=Recipients", 30, NULL), 0);
	bad = alloc_sweep(p, spec, 4);
	addr_policy_free(p);
	/* literal text in long results, a NOTES template, no X400 site:
	 * a result or a NOTES value lost, a literal cut short */
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_add_template(p, "x.%g.%s.y.z.w.v.u.t.s."
		"r.q.p.o.n.m.l.k@example.com", 49, 0, NULL), 0);
	assert_int_equal(addr_policy_add_template(p, "NOTES:&G &S/Sales/"
		"Example Incorporated@Exchange", 47, 1, NULL), 1);
	assert_int_equal(addr_policy_set(p, ADDR_POLICY_LEGACY_DN_BASE,
		"/o=Example/ou=HQ/cn=Recipients", 30, NULL), 0);
	bad += alloc_sweep(p, spec, 3);
	addr_policy_free(p);
	assert_int_equal(bad, 0);
}

/* fuzz finding (policy_template): an X400 site with a line feed in a
 * value was accepted, and its X400 proxies split apply's list */
static void test_site_control_char(void **state)
{
	struct addr_policy *p;
	struct addr_error err;
	static const char site[] = "C=US;A= ;P=Example;O=HQ;OU1=Sl\naS;";

	(void)state;
	assert_int_equal(addr_policy_new(&p), 0);
	assert_int_equal(addr_policy_set(p, ADDR_POLICY_X400_SITE, site,
					 sizeof(site) - 1, &err), ADDR_ESYNTAX);
	assert_int_equal(err.offset, 30);
	assert_int_equal(addr_policy_set(p, ADDR_POLICY_X400_SITE, site, 29,
					 NULL), 0);
	addr_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_u5_collisions),
		cmocka_unit_test(test_site_addressing),
		cmocka_unit_test(test_suffix_limit),
		cmocka_unit_test(test_x400_name_not_utf8),
		cmocka_unit_test(test_apply_alloc_failure),
		cmocka_unit_test(test_site_control_char),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
