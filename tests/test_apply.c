/*
 * test_apply.c - change records applied to a directory (spec-directory.md
 * §4, §6.3) and the LDIF rejects file
 *
 * Each row loads a base directory from LDIF, applies an LDIF change file
 * record by record with addr_dir_apply, runs addr_dir_apply_check, and
 * compares the diagnostics ("rule@file:line" in order) and, when no error
 * was found, the directory written back as LDIF.
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
#include "dir_int.h"	/* holders_ok_: the full scan to compare with */
#include "memio.h"

#define BASE \
	"version: 1\n" \
	"dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n" \
	"objectClass: user\n" \
	"cn: jdoe\n" \
	"proxyAddresses: SMTP:jdoe@example.com\n" \
	"proxyAddresses: smtp:john@example.com\n" \
	"\n" \
	"dn: CN=Staff,OU=Recipients,DC=example,DC=com\n" \
	"objectClass: group\n" \
	"member: CN=jdoe,OU=Recipients,DC=example,DC=com\n" \
	"proxyAddresses: SMTP:staff@example.com\n"

struct arow {
	const char *name;
	const char *changes;
	unsigned flags;		/* ADDR_APPLY_* */
	const char *rules;	/* "rule@file:line ..." expected */
	const char *has;	/* a line the result holds (no errors) */
	const char *hasnt;	/* a line it no longer holds */
};

static const struct arow arows[] = {
	{ "add", "version: 1\n"
	  "dn: CN=jane,OU=Recipients,DC=example,DC=com\n"
	  "changetype: add\nobjectClass: user\n"
	  "proxyAddresses: SMTP:jane@example.com\n",
	  0, "", "dn: CN=jane,OU=Recipients,DC=example,DC=com", NULL },
	{ "add-exists", "version: 1\n"
	  "dn: cn=JDOE, ou=Recipients, dc=example, dc=com\n"
	  "changetype: add\nobjectClass: user\n",
	  0, "change.exists@c.ldif:2", NULL, NULL },
	{ "content-is-add", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "objectClass: user\nproxyAddresses: SMTP:new@example.com\n",
	  0, "change.exists@c.ldif:2", NULL, NULL },
	{ "content-replace-existing", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "objectClass: user\nproxyAddresses: SMTP:new@example.com\n",
	  ADDR_APPLY_REPLACE_EXISTING, "",
	  "proxyAddresses: SMTP:new@example.com",
	  "proxyAddresses: smtp:john@example.com" },
	{ "delete", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\nchangetype: delete\n",
	  0, "", NULL, "member: CN=jdoe,OU=Recipients,DC=example,DC=com" },
	{ "delete-missing", "version: 1\n"
	  "dn: CN=nobody,OU=Recipients,DC=example,DC=com\n"
	  "changetype: delete\n",
	  0, "change.no-object@c.ldif:2", NULL, NULL },
	{ "modify-missing", "version: 1\n"
	  "dn: CN=nobody,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\nreplace: description\ndescription: x\n-\n",
	  0, "change.no-object@c.ldif:2", NULL, NULL },
	{ "modify-value-exists", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\nadd: proxyAddresses\n"
	  "proxyAddresses: smtp:JOHN@Example.com\n-\n",
	  0, "change.value-exists@c.ldif:5", NULL, NULL },
	{ "modify-delete-absent-value", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\ndelete: proxyAddresses\n"
	  "proxyAddresses: smtp:nobody@example.com\n-\n",
	  0, "change.no-value@c.ldif:5", NULL, NULL },
	{ "modify-delete-absent-attr", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\ndelete: description\n-\n",
	  0, "change.no-value@c.ldif:4", NULL, NULL },
	{ "modify-replace-empty-absent-ok", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\nreplace: description\n-\n",
	  0, "", "dn: CN=jdoe,OU=Recipients,DC=example,DC=com", NULL },
	/* §6.3: a delete and an add in one record move the primary */
	{ "modify-move-primary", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\ndelete: proxyAddresses\n"
	  "proxyAddresses: SMTP:jdoe@example.com\n"
	  "proxyAddresses: smtp:john@example.com\n-\n"
	  "add: proxyAddresses\nproxyAddresses: SMTP:john@example.com\n"
	  "proxyAddresses: smtp:jdoe@example.com\n-\n",
	  0, "", "proxyAddresses: SMTP:john@example.com",
	  "proxyAddresses: SMTP:jdoe@example.com" },
	{ "modify-primary-removed", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\ndelete: proxyAddresses\n"
	  "proxyAddresses: SMTP:jdoe@example.com\n-\n",
	  0, "proxy.primary-removed@c.ldif:2", NULL, NULL },
	{ "modify-kind-change", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\nreplace: objectClass\nobjectClass: group\n-\n",
	  0, "model.kind-change@c.ldif:2", NULL, NULL },
	/* two records swapping addresses: only the final state counts */
	{ "swap-across-records", "version: 1\n"
	  "dn: CN=jane,OU=Recipients,DC=example,DC=com\n"
	  "changetype: add\nobjectClass: user\n"
	  "proxyAddresses: SMTP:jane@example.com\n"
	  "proxyAddresses: smtp:john@example.com\n"
	  "\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\ndelete: proxyAddresses\n"
	  "proxyAddresses: smtp:john@example.com\n-\n",
	  0, "", "proxyAddresses: smtp:john@example.com", NULL },
	/* T09's shape in LDIF: the clash is charged to the change */
	{ "clash-charged-to-change", "version: 1\n"
	  "dn: CN=jdoe2,OU=Recipients,DC=example,DC=com\n"
	  "changetype: add\nobjectClass: user\n"
	  "proxyAddresses: SMTP:JDOE@example.com\n",
	  0, "proxy.duplicate@c.ldif:2", NULL, NULL },
	/* an existing entry modified to clash with a later one */
	{ "clash-earlier-entry-changed", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\nadd: proxyAddresses\n"
	  "proxyAddresses: smtp:STAFF@example.com\n-\n",
	  0, "proxy.duplicate@c.ldif:2", NULL, NULL },
	{ "member-unresolved", "version: 1\n"
	  "dn: CN=Staff,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\nadd: member\n"
	  "member: CN=ghost,OU=Recipients,DC=example,DC=com\n-\n",
	  0, "member.unresolved@c.ldif:2", NULL, NULL },
	/* an entry without reference attributes (the whole-directory
	 * check skips those) given one by a change */
	{ "restriction-added-unresolved", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modify\nadd: authOrig\n"
	  "authOrig: CN=ghost,OU=Recipients,DC=example,DC=com\n-\n",
	  0, "restriction.unresolved@c.ldif:2", NULL, NULL },
	{ "modrdn-renames-references", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modrdn\nnewrdn: CN=john\ndeleteoldrdn: 1\n",
	  0, "", "member: CN=john,OU=Recipients,DC=example,DC=com",
	  "cn: jdoe" },
	{ "moddn-newsuperior", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: moddn\nnewrdn: CN=jdoe\ndeleteoldrdn: 0\n"
	  "newsuperior: OU=Staff,DC=example,DC=com\n",
	  0, "", "member: CN=jdoe,OU=Staff,DC=example,DC=com", NULL },
	{ "modrdn-onto-existing", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modrdn\nnewrdn: CN=Staff\ndeleteoldrdn: 1\n",
	  0, "change.exists@c.ldif:2", NULL, NULL },
	/* an add with an empty DN is reported at its record's line */
	{ "add-empty-dn", "version: 1\n"
	  "dn:: \nchangetype: add\nobjectClass: user\n",
	  0, "dn.syntax@c.ldif:2", NULL, NULL },
	/* the new RDN's type must be an attribute type (fuzzing found
	 * "C~" accepted, and the directory written could not be read) */
	{ "modrdn-bad-type", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modrdn\nnewrdn: C~=a2\ndeleteoldrdn: 1\n",
	  0, "change.newrdn@c.ldif:4", NULL, NULL },
	{ "modrdn-oid-type", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "changetype: modrdn\nnewrdn: 2.5.4.3=jd2\ndeleteoldrdn: 0\n",
	  0, "", NULL, NULL },
	/* T21 applied: a critical control is refused */
	{ "T21-critical-control", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "control: 1.2.840.113556.1.4.805 true\nchangetype: delete\n",
	  0, "ldif.control@c.ldif:3", NULL, NULL },
	{ "noncritical-control-warns", "version: 1\n"
	  "dn: CN=jdoe,OU=Recipients,DC=example,DC=com\n"
	  "control: 1.2.840.113556.1.4.805 false\nchangetype: delete\n",
	  0, "ldif.control@c.ldif:3", NULL, "cn: jdoe" },
	{ "nonrecipient-error", "version: 1\n"
	  "dn: CN=printer,OU=Recipients,DC=example,DC=com\n"
	  "changetype: add\nobjectClass: device\n",
	  0, "model.kind@c.ldif:2", NULL, NULL },
	{ "nonrecipient-skip", "version: 1\n"
	  "dn: CN=printer,OU=Recipients,DC=example,DC=com\n"
	  "changetype: add\nobjectClass: device\n",
	  ADDR_APPLY_SKIP_NONRECIPIENT, "model.kind@c.ldif:2", NULL,
	  "dn: CN=printer,OU=Recipients,DC=example,DC=com" },
};

struct applier {
	struct addr_dir *d;
	unsigned flags;
	struct addr_dir_report *rep;
};

static int apply_one(void *ctx, const struct addr_ldif_record *rec)
{
	struct applier *ap = ctx;

	return addr_dir_apply(ap->d, rec, "c.ldif", ap->flags, ap->rep) ==
	       ADDR_ENOMEM ? ADDR_ENOMEM : 0;
}

static void rules_of(const struct addr_dir_report *rep, char *out, size_t cap)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < rep->n; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s@%s:%zu",
				      i ? " " : "", rep->diag[i].rule,
				      rep->diag[i].file ? rep->diag[i].file : "-",
				      rep->diag[i].line);
}

/* has_line - does text hold line as a whole line? */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static void test_apply_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(arows) / sizeof(arows[0]); i++) {
		const struct arow *w = &arows[i];
		struct addr_dir_report rep;
		struct applier ap;
		struct addr_buf out;
		char got[2048];
		int rc;

		addr_dir_report_init(&rep);
		assert_int_equal(addr_dir_new(&ap.d, 0), 0);
		assert_int_equal(addr_dir_load_ldif(ap.d, BASE, strlen(BASE),
						    "d.ldif", 0, &rep), 0);
		ap.flags = w->flags;
		ap.rep = &rep;
		rc = addr_ldif_parse(w->changes, strlen(w->changes), "c.ldif",
				     0, apply_one, &ap, &rep);
		assert_true(rc >= 0);
		assert_true(addr_dir_apply_check(ap.d, "d.ldif", "c.ldif",
						 &rep) >= 0);
		rules_of(&rep, got, sizeof(got));
		if (strcmp(got, w->rules) != 0)
			fail_msg("%s: rules \"%s\", want \"%s\"", w->name, got,
				 w->rules);
		addr_buf_init(&out);
		assert_int_equal(addr_dir_write_ldif(ap.d, &out), 0);
		addr_buf_putc(&out, '\0');
		if (w->has && !has_line(out.ptr, w->has))
			fail_msg("%s: result lacks \"%s\":\n%s", w->name,
				 w->has, out.ptr);
		if (w->hasnt && has_line(out.ptr, w->hasnt))
			fail_msg("%s: result still holds \"%s\":\n%s", w->name,
				 w->hasnt, out.ptr);
		/* a refused record leaves the directory as it was */
		if (rep.nerrors > 0 && strstr(w->rules, "@c.ldif") &&
		    strcmp(w->name, "clash-charged-to-change") != 0 &&
		    strcmp(w->name, "clash-earlier-entry-changed") != 0 &&
		    strcmp(w->name, "member-unresolved") != 0 &&
		    strcmp(w->name, "restriction-added-unresolved") != 0) {
			struct addr_buf base;
			struct addr_dir *b;

			addr_buf_init(&base);
			assert_int_equal(addr_dir_new(&b, 0), 0);
			assert_int_equal(addr_dir_load_ldif(b, BASE, strlen(BASE),
							    NULL, 0, NULL), 0);
			assert_int_equal(addr_dir_write_ldif(b, &base), 0);
			addr_buf_putc(&base, '\0');
			if (strcmp(base.ptr, out.ptr) != 0)
				fail_msg("%s: a refused record changed the "
					 "directory:\n%s", w->name, out.ptr);
			addr_buf_free(&base);
			addr_dir_free(b);
		}
		addr_buf_free(&out);
		addr_dir_report_free(&rep);
		addr_dir_free(ap.d);
	}
}

/* bulk - a directory of 200 users and 40 groups (20 members each, one
 * authOrig, the next group nested), 100 users deleted and a user and a
 * group renamed, applied with way 2 (the index of reference values by
 * the key they name), 1 (the list of entries with reference attributes)
 * or 0 (every entry looked at) of finding the groups that name an
 * object (dir.c); the result as LDIF in out */
static void bulk(struct addr_buf *out, int way)
{
	struct addr_buf base, ch;
	struct addr_dir_report rep;
	struct addr_dir *d;
	struct memrd m;
	char line[200];
	size_t i, j;

	addr_buf_init(&base);
	addr_buf_init(&ch);
	addr_dir_report_init(&rep);
	addr_buf_puts(&base, "version: 1\n");
	for (i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "\ndn: CN=u%zu,DC=x\n"
			 "objectClass: user\nproxyAddresses: SMTP:u%zu@x.example\n",
			 i, i);
		addr_buf_puts(&base, line);
	}
	for (i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "\ndn: CN=g%zu,DC=x\n"
			 "objectClass: group\nauthOrig: CN=u%zu,DC=x\n",
			 i, 5 * i);
		addr_buf_puts(&base, line);
		for (j = 0; j < 20; j++) {
			snprintf(line, sizeof(line), "member: cn=U%zu, dc=X\n",
				 (5 * i + j) % 200);
			addr_buf_puts(&base, line);
		}
		if (i + 1 < 40) {
			snprintf(line, sizeof(line),
				 "member: CN=g%zu,DC=x\n", i + 1);
			addr_buf_puts(&base, line);
		}
	}
	addr_buf_puts(&ch, "version: 1\n");
	for (i = 0; i < 200; i += 2) {
		snprintf(line, sizeof(line),
			 "\ndn: CN=u%zu,DC=x\nchangetype: delete\n", i);
		addr_buf_puts(&ch, line);
	}
	addr_buf_puts(&ch, "\ndn: CN=u21,DC=x\nchangetype: modrdn\n"
			   "newrdn: CN=v21\ndeleteoldrdn: 1\n"
			   "\ndn: CN=g3,DC=x\nchangetype: modrdn\n"
			   "newrdn: CN=h3\ndeleteoldrdn: 1\n");
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, base.ptr, base.size, "b", 0,
					    &rep), 0);
	d->holders_ok_ = way > 0;
	if (way == 1)
		d->rrefs_on_ = -1;	/* as when it was given up */
	memrd_init(&m, ch.ptr, ch.size, 0);
	assert_int_equal(addr_dir_apply_ldif_read(d, memrd_read, &m, "c", 0, 0,
						  NULL, NULL, &rep), 0);
	assert_int_equal(addr_dir_apply_check(d, "b", "c", &rep), 0);
	assert_int_equal(rep.nerrors, 0);
	assert_int_equal(addr_dir_count(d), 140);
	assert_int_equal(addr_dir_write_ldif(d, out), 0);
	addr_dir_free(d);
	addr_buf_free(&base);
	addr_buf_free(&ch);
	addr_dir_report_free(&rep);
}

/* deletes and renames change the groups that name the object, found
 * through the index or the list of holders exactly as by looking at
 * every entry (they made a bulk delete linear instead of a look at the
 * whole directory per deleted object) */
static void test_bulk_delete_rename(void **state)
{
	struct addr_buf a, b, c;

	(void)state;
	addr_buf_init(&a);
	addr_buf_init(&b);
	addr_buf_init(&c);
	bulk(&a, 2);
	bulk(&b, 1);
	bulk(&c, 0);
	assert_int_equal(a.size, b.size);
	assert_memory_equal(a.ptr, b.ptr, a.size);
	assert_int_equal(a.size, c.size);
	assert_memory_equal(a.ptr, c.ptr, a.size);
	addr_buf_free(&c);
	addr_buf_putc(&a, '\0');
	/* deleted users named nowhere; renamed ones under their new name */
	assert_null(strstr(a.ptr, "cn=U0, dc=X\n"));
	assert_null(strstr(a.ptr, "cn=U20, dc=X\n"));
	assert_null(strstr(a.ptr, "authOrig: CN=u10,"));
	assert_non_null(strstr(a.ptr, "member: cn=U1, dc=X\n"));
	assert_non_null(strstr(a.ptr, "member: CN=v21,DC=x\n"));
	assert_null(strstr(a.ptr, "cn=U21, dc=X"));
	assert_non_null(strstr(a.ptr, "member: CN=h3,DC=x\n"));
	assert_non_null(strstr(a.ptr, "authOrig: CN=u5,DC=x\n"));
	addr_buf_free(&a);
	addr_buf_free(&b);
}

/* the rejects file: the records holding an error line, verbatim, no
 * comments; a file-level error line gives a byte copy */
static void test_ldif_rejects(void **state)
{
	static const char in[] =
		"version: 1\n"			/* 1 */
		"# first\n"			/* 2 */
		"dn: cn=a,dc=x\n"		/* 3 */
		"changetype: delete\n"		/* 4 */
		"\n"				/* 5 */
		"dn: cn=b,dc=x\r\n"		/* 6 */
		"# inside\n"			/* 7 */
		"changetype: modify\n"		/* 8 */
		"replace: description\n"	/* 9 */
		"description: long\n"		/* 10 */
		"  folded\n"			/* 11 */
		"-\n"				/* 12 */
		"\n"				/* 13 */
		"dn: cn=c,dc=x\n"		/* 14 */
		"changetype: delete";		/* 15, no LF */
	static const size_t l1[] = { 8, 15 };
	static const size_t l2[] = { 1 };
	struct addr_buf out;

	(void)state;
	addr_buf_init(&out);
	assert_int_equal(addr_ldif_rejects(&out, in, strlen(in), l1, 2), 0);
	addr_buf_putc(&out, '\0');
	assert_string_equal(out.ptr,
		"version: 1\n"
		"\n"
		"dn: cn=b,dc=x\r\n"
		"changetype: modify\n"
		"replace: description\n"
		"description: long\n"
		"  folded\n"
		"-\n"
		"\n"
		"dn: cn=c,dc=x\n"
		"changetype: delete\n");
	addr_buf_clear(&out);
	assert_int_equal(addr_ldif_rejects(&out, in, strlen(in), l2, 1), 0);
	assert_int_equal(out.size, strlen(in));
	assert_memory_equal(out.ptr, in, out.size);
	addr_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_rows),
		cmocka_unit_test(test_ldif_rejects),
		cmocka_unit_test(test_bulk_delete_rename),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
