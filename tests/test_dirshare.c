/*
 * test_dirshare.c - values an entry shares instead of copying
 *
 * An entry made from a record points its common objectClass values into
 * a constant pool, mail into the proxy that holds it, and mailNickname
 * into the end of legacyExchangeDN (dir.c, value_pool and share_plan). Sharing must not show:
 * the values read and write back as given, a value edited or removed
 * leaves the others alone, and a proxy's prefix, which is rewritten in
 * place, is never under another value.
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

static const char base[] =
	"version: 1\n"
	"\n"
	"dn: CN=Joseph Anderson 3,OU=Staff,DC=example,DC=com\n"
	"objectClass: top\n"
	"objectClass: person\n"
	"objectClass: organizationalPerson\n"
	"objectClass: user\n"
	"cn: Joseph Anderson 3\n"
	"givenName: Joseph\n"
	"sn: Anderson\n"
	"displayName: Joseph Anderson\n"
	"mailNickname: janderson3\n"
	"mail: Joseph.Anderson3@example.com\n"
	"proxyAddresses: SMTP:Joseph.Anderson3@example.com\n"
	"proxyAddresses: smtp:janderson3@corp.example.com\n"
	"legacyExchangeDN: /o=Example/ou=Site/cn=Recipients/cn=janderson3\n"
	"\n"
	"dn: CN=Ann Lee,OU=Staff,DC=example,DC=com\n"
	"objectClass: top\n"
	"objectClass: person\n"
	"objectClass: organizationalPerson\n"
	"objectClass: user\n"
	"cn: Ann Lee\n"
	"sn: Lee\n"
	"description: 400:C=US;A= ;P=Example;O=Site;S=Lee;G=Ann;\n"
	"info: xsmtp:ann2@example.com\n"
	"proxyAddresses: SMTP:ann@example.com\n"
	"proxyAddresses: smtp:ann2@example.com\n"
	"proxyAddresses: X400:C=US;A= ;P=Example;O=Site;S=Lee;G=Ann;\n"
	"proxyAddresses: x400:C=US;A= ;P=Example;O=Site;S=Lee;G=A;\n"
	"mail: ann@example.com\n"
	"mailNickname: ann\n"
	"legacyExchangeDN: /o=Example/ou=Site/cn=Recipients/cn=ann\n";

#define JOE "CN=Joseph Anderson 3,OU=Staff,DC=example,DC=com"
#define ANN "CN=Ann Lee,OU=Staff,DC=example,DC=com"

static struct addr_dir *load(const char *text)
{
	struct addr_dir *d;

	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, text, strlen(text), "t.ldif",
					    0, NULL), 0);
	return d;
}

static const struct addr__dval *val(const struct addr_dir *d, const char *dn,
				    const char *attr, size_t i)
{
	const struct addr_dir_entry *e = addr_dir_find(d, dn, strlen(dn));
	const struct addr__dattr *a;

	assert_non_null(e);
	a = addr__entry_attr(e, attr);
	assert_non_null(a);
	assert_true(i < a->n);
	return &a->v[i];
}

/* inside - does value x lie in value y's octets? */
static int inside(const struct addr__dval *x, const struct addr__dval *y)
{
	return addr__dv(x) >= addr__dv(y) && addr__dv(x) + x->len <= addr__dv(y) + y->len;
}

static void test_shared(void **state)
{
	struct addr_dir *d = load(base);
	const struct addr__dval *mail = val(d, JOE, "mail", 0);
	const struct addr__dval *smtp = val(d, JOE, "proxyAddresses", 0);

	(void)state;
	/* the value still reads as given */
	assert_string_equal(addr__dv(mail), "Joseph.Anderson3@example.com");
	assert_int_equal(mail->len, 28);
	assert_ptr_equal(addr__dv(mail), addr__dv(smtp) + 5);
	assert_true(inside(val(d, JOE, "mailNickname", 0),
			   val(d, JOE, "legacyExchangeDN", 0)));
	/* two entries' objectClass values are the pool's */
	assert_ptr_equal(addr__dv(val(d, JOE, "objectClass", 2)),
			 addr__dv(val(d, ANN, "objectClass", 2)));
	assert_string_equal(addr__dv(val(d, ANN, "objectClass", 2)),
			    "organizationalPerson");
	/* a value that would cover a proxy's prefix is copied; a proxy is
	 * never shared from another value */
	assert_false(inside(val(d, ANN, "description", 0),
			    val(d, ANN, "proxyAddresses", 0)));
	assert_false(inside(val(d, ANN, "proxyAddresses", 1),
			    val(d, ANN, "info", 0)));
	assert_string_equal(addr__dv(val(d, ANN, "proxyAddresses", 1)),
			    "smtp:ann2@example.com");
	addr_dir_free(d);
}

/* written back, the directory is the input again */
static void test_round_trip(void **state)
{
	struct addr_dir *d = load(base), *d2;
	struct addr_buf out, out2;

	(void)state;
	addr_buf_init(&out);
	addr_buf_init(&out2);
	assert_int_equal(addr_dir_write_ldif(d, &out), 0);
	d2 = load(out.ptr);
	assert_int_equal(addr_dir_write_ldif(d2, &out2), 0);
	assert_int_equal(out.size, out2.size);
	assert_memory_equal(out.ptr, out2.ptr, out.size);
	assert_non_null(strstr(out.ptr, "\nmail: Joseph.Anderson3@example.com\n"));
	assert_non_null(strstr(out.ptr, "\nobjectClass: organizationalPerson\n"));
	addr_buf_free(&out);
	addr_buf_free(&out2);
	addr_dir_free(d);
	addr_dir_free(d2);
}

static int apply_one(void *ctx, const struct addr_ldif_record *rec)
{
	return addr_dir_apply(ctx, rec, "c.ldif", 0, NULL) == ADDR_ENOMEM ?
	       ADDR_ENOMEM : 0;
}

static void change(struct addr_dir *d, const char *text)
{
	assert_int_equal(addr_ldif_parse(text, strlen(text), "c.ldif", 0,
					 apply_one, d, NULL), 0);
}

/* edits of the holders leave the shared values as they were, and the
 * pooled and shared values are released without a fault (the
 * sanitizers' run checks that nothing is freed that was not given) */
static void test_edits(void **state)
{
	struct addr_dir *d = load(base);
	(void)state;
	/* the holder replaced and removed, objectClass values dropped */
	change(d, "dn: " JOE "\n"
		  "changetype: modify\n"
		  "replace: legacyExchangeDN\n"
		  "legacyExchangeDN: /o=Example/ou=Site/cn=Recipients/cn=jo\n"
		  "-\n"
		  "delete: displayName\n"
		  "-\n"
		  "delete: objectClass\n"
		  "objectClass: organizationalPerson\n"
		  "-\n");
	assert_string_equal(addr__dv(val(d, JOE, "mailNickname", 0)), "janderson3");
	assert_string_equal(addr__dv(val(d, JOE, "sn", 0)), "Anderson");
	assert_string_equal(addr__dv(val(d, JOE, "objectClass", 2)), "user");
	/* a demoted proxy's prefix is rewritten in place; description,
	 * which ends it, was copied */
	assert_int_equal(addr_dir_proxy_make_primary(d, ANN, strlen(ANN),
		"X400:C=US;A= ;P=Example;O=Site;S=Lee;G=A;", 41, NULL), 1);
	assert_string_equal(addr__dv(val(d, ANN, "proxyAddresses", 2)),
			    "x400:C=US;A= ;P=Example;O=Site;S=Lee;G=Ann;");
	assert_string_equal(addr__dv(val(d, ANN, "description", 0)),
			    "400:C=US;A= ;P=Example;O=Site;S=Lee;G=Ann;");
	assert_string_equal(addr__dv(val(d, ANN, "info", 0)),
			    "xsmtp:ann2@example.com");
	/* a value taken out of the middle: the ones after it are moved
	 * down in the array and still read as before */
	change(d, "dn: " ANN "\n"
		  "changetype: modify\n"
		  "add: info\n"
		  "info: second\n"
		  "info: third\n"
		  "-\n"
		  "delete: info\n"
		  "info: second\n"
		  "-\n");
	assert_string_equal(addr__dv(val(d, ANN, "info", 0)),
			    "xsmtp:ann2@example.com");
	assert_string_equal(addr__dv(val(d, ANN, "info", 1)), "third");
	change(d, "dn: " ANN "\nchangetype: delete\n");
	assert_null(addr_dir_find(d, ANN, strlen(ANN)));
	addr_dir_free(d);
}

/* a record of more than 64 items is copied whole (comparing every pair
 * of a large group would be quadratic) and reads the same */
static void test_large_record(void **state)
{
	struct addr_buf t;
	struct addr_dir *d;
	const struct addr__dval *a, *b;
	int i;

	(void)state;
	addr_buf_init(&t);
	addr_buf_puts(&t, "dn: CN=Big,DC=example,DC=com\nobjectClass: top\n"
			  "objectClass: group\ncn: Big\n"
			  "displayName: the Big list\ndescription: Big list\n");
	for (i = 0; i < 70; i++) {
		char line[80];

		snprintf(line, sizeof(line), "info: note %d\n", i);
		addr_buf_puts(&t, line);
	}
	assert_false(t.oom);
	d = load(t.ptr);
	a = val(d, "CN=Big,DC=example,DC=com", "description", 0);
	b = val(d, "CN=Big,DC=example,DC=com", "displayName", 0);
	assert_string_equal(addr__dv(a), "Big list");
	assert_false(inside(a, b));
	assert_string_equal(addr__dv(val(d, "CN=Big,DC=example,DC=com", "objectClass",
				1)), "group");
	assert_string_equal(addr__dv(val(d, "CN=Big,DC=example,DC=com", "info",
				69)), "note 69");
	addr_buf_free(&t);
	addr_dir_free(d);
}

#define ITEM(n, v) { 0, { n, sizeof(n) - 1 }, { v, sizeof(v) - 1 }, 0, 0 }
#define XDN "CN=X,DC=example,DC=com"

/* made_of - a new entry CN=X made from the record of items[0..n), as
 * a load makes it (addr__entry_fill) */
static struct addr_dir_entry *made_of(const struct addr_ldif_item *items,
				      size_t n)
{
	struct addr_ldif_record rec = { { XDN, sizeof(XDN) - 1 },
					ADDR_LDIF_ENTRY, 1, items, n };
	struct addr_dir_entry *e;

	assert_int_equal(addr_dir_entry_new(&e, rec.dn.ptr, rec.dn.len), 0);
	assert_int_equal(addr__entry_fill(e, &rec), 0);
	return e;
}

/* the attribute array and the key descriptors live in the entry's block
 * too: an attribute added later (a name copied into the block moves
 * it) and a second preparation (new descriptors) must find them where
 * they are; the sanitizers' run sees any read of the old block */
static void test_block_moves(void **state)
{
	static const struct addr_ldif_item items[] = {
		ITEM("objectClass", "top"), ITEM("objectClass", "contact"),
		ITEM("cn", "X"),
		/* objectClass again: five runs, four attributes (the
		 * array is made for four) */
		ITEM("objectClass", "person"),
		ITEM("targetAddress", "SMTP:x@example.net"),
		ITEM("proxyAddresses", "SMTP:x@example.net"),
	};
	struct addr_dir_entry *e;
	const struct addr__dattr *a;
	struct addr__sink sink;
	char name[40];
	uint32_t nk;
	int i, kt;

	(void)state;
	memset(&sink, 0, sizeof(sink));	/* diagnostics dropped */
	e = made_of(items, 6);
	assert_int_equal(e->na, 4);
	assert_int_equal(e->acap, 4);
	assert_int_equal(addr__entry_prepare(e, 0, &sink), 0);
	nk = e->nkeys;
	assert_true(nk >= 1);
	kt = e->keys[nk - 1].tag;
	/* twenty names not pooled, each copied into the block */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "extensionAttribute%d", i);
		assert_int_equal(addr_dir_entry_add_value(e, name, "v", 1), 0);
	}
	assert_int_equal(addr__entry_prepare(e, 0, &sink), 0);
	assert_int_equal(e->nkeys, nk);
	assert_int_equal(e->keys[nk - 1].tag, kt);
	a = addr__entry_attr(e, "objectClass");
	assert_non_null(a);
	assert_int_equal(a->n, 3);
	assert_string_equal(addr__dv(&a->v[2]), "person");
	a = addr__entry_attr(e, "extensionAttribute19");
	assert_non_null(a);
	assert_string_equal(addr__dv(&a->v[0]), "v");
	assert_string_equal(addr__dv(&addr__entry_attr(e, "cn")->v[0]), "X");
	addr_dir_entry_free(e);
}

/* values added to an attribute of an entry made from a record: the
 * value array grows in the block, which moves, and the attribute array
 * in it with it */
static void test_grow_in_block(void **state)
{
	static const struct addr_ldif_item items[] = {
		ITEM("objectClass", "top"), ITEM("cn", "X"),
		ITEM("objectClass", "contact"),
		ITEM("targetAddress", "SMTP:x@example.net"),
	};
	struct addr_dir_entry *e;
	const struct addr__dattr *a;
	char v[40];
	int i;

	(void)state;
	e = made_of(items, 4);
	for (i = 0; i < 40; i++) {
		snprintf(v, sizeof(v), "description %d", i);
		assert_int_equal(addr_dir_entry_add_value(e, "cn", v,
							  strlen(v)), 0);
	}
	a = addr__entry_attr(e, "cn");
	assert_non_null(a);
	assert_int_equal(a->n, 41);
	assert_string_equal(addr__dv(&a->v[0]), "X");
	assert_string_equal(addr__dv(&a->v[40]), "description 39");
	assert_string_equal(addr__dv(&addr__entry_attr(e, "objectClass")->v[1]),
			    "contact");
	addr_dir_entry_free(e);
}

/* a group keeps the hash of each member's DN key, not the key: a member
 * written otherwise than its entry's DN (case, spaces) is still found
 * (the key is made when the DN as written differs), and the delete of
 * the member still finds the value to drop */
static void test_member_written_otherwise(void **state)
{
	static const char text[] =
		"dn: CN=Joe,DC=example,DC=com\n"
		"objectClass: contact\n"
		"cn: Joe\n"
		"targetAddress: SMTP:joe@example.net\n"
		"\n"
		"dn: CN=G,DC=example,DC=com\n"
		"objectClass: group\n"
		"cn: G\n"
		"member: cn=joe,  dc=EXAMPLE, dc=com\n"
		"member: CN=Joe,DC=example,DC=com\n";
	struct addr_dir *d;
	struct addr_dir_report rep;
	const struct addr_dir_entry *g;
	const struct addr__dattr *a;

	(void)state;
	addr_dir_report_init(&rep);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	assert_int_equal(addr_dir_load_ldif(d, text, strlen(text), "t.ldif",
					    0, &rep), 0);
	assert_int_equal(rep.n, 0);
	change(d, "dn: CN=Joe,DC=example,DC=com\nchangetype: delete\n");
	g = addr_dir_find(d, "CN=G,DC=example,DC=com", 22);
	assert_non_null(g);
	a = addr__entry_attr(g, "member");
	assert_true(a == NULL || a->n == 0);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_large_record),
		cmocka_unit_test(test_block_moves),
		cmocka_unit_test(test_grow_in_block),
		cmocka_unit_test(test_member_written_otherwise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
