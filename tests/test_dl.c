/*
 * test_dl.c - group expansion and delivery restrictions
 * (spec-directory.md §3.1, spec-gateway.md §6.3)
 *
 * Order and uniqueness of the final recipients, contacts as their
 * targetAddress, cycles reported once with their DN path, the depth
 * limit, the caller's size limit, hidden entries, unresolved members,
 * accept-from / reject-from with groups standing for their members, and
 * that a refusal names the refusing member group.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"

#define S ",DC=example,DC=com"
#define F(n) addr_dir_find(d, "CN=" n S, strlen("CN=" n S))

static void add(struct addr_dir *d, const char *dn, const char *spec)
{
	struct addr_dir_entry *e;
	struct addr_error err;
	char buf[4096], *s, *save = NULL;

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

/* members - "a b c" of the delivery addresses */
static void members(const struct addr_dl_result *r, char *out, size_t cap)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < r->nmember && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s",
					 i ? " " : "",
					 addr_dir_entry_delivery(r->member[i]));
}

static struct addr_dir *sample(void)
{
	struct addr_dir *d;

	assert_int_equal(addr_dir_new(&d, 0), 0);
	add(d, "CN=A" S, "objectClass=user|proxyAddresses=SMTP:a@example.com");
	add(d, "CN=B" S, "objectClass=user|proxyAddresses=SMTP:b@example.com|"
	    "msExchHideFromAddressLists=TRUE");
	add(d, "CN=C" S, "objectClass=user|proxyAddresses=SMTP:c@example.com");
	add(d, "CN=Pat" S, "objectClass=contact|targetAddress=SMTP:pat@partner.example");
	add(d, "CN=G1" S, "objectClass=group|proxyAddresses=SMTP:g1@example.com|"
	    "member=CN=A" S "|member=CN=G2" S "|member=CN=B" S "|member=CN=Pat" S);
	add(d, "CN=G2" S, "objectClass=group|proxyAddresses=SMTP:g2@example.com|"
	    "member=CN=C" S "|member=CN=A" S "|member=CN=G3" S);
	add(d, "CN=G3" S, "objectClass=group|member=CN=G2" S "|member=CN=G1" S
	    "|member=cn=b, dc=EXAMPLE, dc=com");
	return d;
}

static void test_order_unique_cycles(void **state)
{
	struct addr_dir *d = sample();
	struct addr_dl_result r;
	char got[512];
	int rc;

	(void)state;
	addr_dl_result_init(&r);
	rc = addr_dl_expand(&r, d, F("G1"), NULL, 0, 0);
	assert_int_equal(rc, 0);
	members(&r, got, sizeof(got));
	/* depth first in member order, each once; B is hidden but expands;
	 * the contact yields its target */
	assert_string_equal(got, "a@example.com c@example.com b@example.com "
			    "pat@partner.example");
	/* two cycles (G3 -> G2 and G3 -> G1), each once, with the path */
	assert_int_equal(r.report.nwarnings, 2);
	assert_string_equal(r.report.diag[0].rule, "dl.cycle");
	assert_string_equal(r.report.diag[0].message,
			    "CN=G1" S " -> CN=G2" S " -> CN=G3" S " -> CN=G2" S);
	assert_string_equal(r.report.diag[1].message,
			    "CN=G1" S " -> CN=G2" S " -> CN=G3" S " -> CN=G1" S);
	/* the tree: G1, A, G2, C, A(dup), G3, G2(cycle), G1(cycle), B, B(dup)... */
	assert_int_equal(r.node[0].kind, ADDR_DL_GROUP);
	assert_int_equal(r.node[0].depth, 1);
	assert_int_equal(r.node[2].kind, ADDR_DL_GROUP);
	assert_int_equal(r.node[4].kind, ADDR_DL_DUPLICATE);
	assert_int_equal(r.node[6].kind, ADDR_DL_CYCLE);
	assert_int_equal(r.node[6].depth, 4);
	assert_int_equal(addr_dir_entry_hidden(F("B")), 1);
	/* a non-group expands to itself */
	rc = addr_dl_expand(&r, d, F("Pat"), NULL, 0, 0);
	assert_int_equal(rc, 0);
	assert_int_equal(r.nmember, 1);
	addr_dl_result_free(&r);
	addr_dir_free(d);
}

static void test_limits(void **state)
{
	struct addr_dir *d;
	struct addr_dl_result r;
	char dn[64], spec[128];
	int i, rc;

	(void)state;
	/* depth: a chain of 33 groups; the 33rd is too deep */
	assert_int_equal(addr_dir_new(&d, ADDR_DIR_LENIENT), 0);
	add(d, "CN=U" S, "objectClass=user|proxyAddresses=SMTP:u@example.com");
	for (i = 33; i >= 1; i--) {
		snprintf(dn, sizeof(dn), "CN=L%d" S, i);
		if (i == 33)
			snprintf(spec, sizeof(spec), "objectClass=group|member=CN=U" S);
		else
			snprintf(spec, sizeof(spec), "objectClass=group|member=CN=L%d" S
				 "|member=CN=U" S, i + 1);
		add(d, dn, spec);
	}
	addr_dl_result_init(&r);
	rc = addr_dl_expand(&r, d, F("L1"), NULL, 0, 0);
	assert_int_equal(rc, 1);
	assert_string_equal(r.report.diag[0].rule, "dl.too-deep");
	assert_non_null(strstr(r.report.diag[0].message, "CN=L1" S " -> CN=L2" S));
	assert_non_null(strstr(r.report.diag[0].message, "-> CN=L33" S));
	assert_int_equal(r.nmember, 1);
	/* 32 deep is fine */
	rc = addr_dl_expand(&r, d, F("L2"), NULL, 0, 0);
	assert_int_equal(rc, 0);
	addr_dl_result_free(&r);
	addr_dir_free(d);

	/* size */
	d = sample();
	rc = addr_dl_expand(&r, d, F("G1"), NULL, 3, 0);
	assert_int_equal(rc, 1);
	assert_string_equal(r.report.diag[r.report.n - 1].rule, "dl.too-large");
	assert_non_null(strstr(r.report.diag[r.report.n - 1].message, "CN=Pat" S));
	rc = addr_dl_expand(&r, d, F("G1"), NULL, 4, 0);
	assert_int_equal(rc, 0);
	addr_dl_result_free(&r);
	addr_dir_free(d);
}

static void test_unresolved_member(void **state)
{
	struct addr_dir *d;
	struct addr_dir_report rep;
	struct addr_dl_result r;
	static const char ldif[] =
		"version: 1\n"
		"dn: CN=A" S "\nobjectClass: user\nproxyAddresses: SMTP:a@example.com\n\n"
		"dn: CN=G" S "\nobjectClass: group\nmember: CN=Gone" S "\n"
		"member: CN=A" S "\n";

	(void)state;
	assert_int_equal(addr_dir_new(&d, ADDR_DIR_LENIENT), 0);
	addr_dir_report_init(&rep);
	assert_int_equal(addr_dir_load_ldif(d, ldif, sizeof(ldif) - 1, "x", 0, &rep), 0);
	assert_int_equal(rep.nwarnings, 1);
	addr_dl_result_init(&r);
	assert_int_equal(addr_dl_expand(&r, d, F("G"), NULL, 0, 0), 0);
	assert_int_equal(r.nmember, 1);
	assert_string_equal(r.report.diag[0].rule, "member.unresolved");
	assert_non_null(strstr(r.report.diag[0].message, "CN=Gone" S));
	assert_int_equal(r.node[1].kind, ADDR_DL_UNRESOLVED);
	addr_dl_result_free(&r);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
}

static struct addr_dir *restricted(void)
{
	struct addr_dir *d;

	assert_int_equal(addr_dir_new(&d, 0), 0);
	add(d, "CN=Boss" S, "objectClass=user|proxyAddresses=SMTP:boss@example.com");
	add(d, "CN=Asst" S, "objectClass=user|proxyAddresses=SMTP:asst@example.com");
	add(d, "CN=Temp" S, "objectClass=user|proxyAddresses=SMTP:temp@example.com");
	add(d, "CN=Ext" S, "objectClass=contact|targetAddress=SMTP:x@spam.example");
	add(d, "CN=Inner" S, "objectClass=group|member=CN=Asst" S);
	add(d, "CN=Assistants" S, "objectClass=group|member=CN=Inner" S
	    "|member=CN=Temp" S);
	add(d, "CN=Board" S, "objectClass=group|member=CN=Boss" S
	    "|authOrig=CN=Boss" S "|dLMemSubmitPerms=CN=Assistants" S);
	add(d, "CN=Blocked" S, "objectClass=group|member=CN=Boss" S
	    "|dLMemRejectPerms=CN=Inner" S "|unauthOrig=CN=Ext" S);
	add(d, "CN=All" S, "objectClass=group|member=CN=Temp" S "|member=CN=Board" S
	    "|member=CN=Blocked" S);
	return d;
}

static void test_restrictions(void **state)
{
	struct addr_dir *d = restricted();
	struct addr_dl_result r;
	char got[256];

	(void)state;
	/* accept-from: a listed user, members of a listed group (nested) */
	assert_int_equal(addr_dir_may_send(d, F("Board"), F("Boss")), 1);
	assert_int_equal(addr_dir_may_send(d, F("Board"), F("Asst")), 1);
	assert_int_equal(addr_dir_may_send(d, F("Board"), F("Temp")), 1);
	assert_int_equal(addr_dir_may_send(d, F("Board"), F("Ext")), 0);
	assert_int_equal(addr_dir_may_send(d, F("Board"), NULL), 0);
	/* reject-from: a group stands for its members */
	assert_int_equal(addr_dir_may_send(d, F("Blocked"), F("Asst")), 0);
	assert_int_equal(addr_dir_may_send(d, F("Blocked"), F("Ext")), 0);
	assert_int_equal(addr_dir_may_send(d, F("Blocked"), F("Temp")), 1);
	assert_int_equal(addr_dir_may_send(d, F("Blocked"), NULL), 1);
	/* no restriction: anyone, an unknown sender too */
	assert_int_equal(addr_dir_may_send(d, F("All"), NULL), 1);

	/* an external sender to All: Board refuses, its branch is left out,
	 * the report names Board, not All */
	addr_dl_result_init(&r);
	assert_int_equal(addr_dl_expand(&r, d, F("All"), F("Ext"), 0, ADDR_DL_RESTRICT), 2);
	members(&r, got, sizeof(got));
	assert_string_equal(got, "temp@example.com");
	assert_string_equal(r.report.diag[0].rule, "dl.refused");
	assert_int_equal(strncmp(r.report.diag[0].message, "CN=Board" S, 25), 0);
	assert_string_equal(r.report.diag[1].rule, "dl.refused");
	assert_int_equal(strncmp(r.report.diag[1].message, "CN=Blocked" S, 27), 0);
	/* the assistant gets through Board but not Blocked */
	assert_int_equal(addr_dl_expand(&r, d, F("All"), F("Asst"), 0, ADDR_DL_RESTRICT), 1);
	members(&r, got, sizeof(got));
	assert_string_equal(got, "temp@example.com boss@example.com");
	/* an unknown sender: Board refuses, Blocked accepts */
	assert_int_equal(addr_dl_expand(&r, d, F("All"), NULL, 0,
					ADDR_DL_RESTRICT), 1);
	members(&r, got, sizeof(got));
	assert_string_equal(got, "temp@example.com boss@example.com");
	/* without ADDR_DL_RESTRICT no restriction is evaluated */
	assert_int_equal(addr_dl_expand(&r, d, F("All"), F("Ext"), 0, 0), 0);
	assert_int_equal(r.nmember, 2);
	/* the addressed group itself refusing */
	assert_int_equal(addr_dl_expand(&r, d, F("Board"), F("Ext"), 0, ADDR_DL_RESTRICT), 1);
	assert_int_equal(r.nmember, 0);
	addr_dl_result_free(&r);
	addr_dir_free(d);
}

/*
 * Restrictions through groups that contain each other: the membership
 * test used to follow every path up to the depth limit, 2^31 of them
 * here for a sender outside the groups (it never finished); it now
 * enters each group once, and the depth limit still counts the
 * shortest path. alarm() turns a regression into a failure.
 */
static void test_restrictions_cycles(void **state)
{
	struct addr_dir *d;
	char spec[256], dn[64];
	int i;

	(void)state;
	alarm(60);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	add(d, "CN=In" S, "objectClass=user|proxyAddresses=SMTP:in@example.com");
	add(d, "CN=Out" S, "objectClass=user|proxyAddresses=SMTP:out@example.com");
	add(d, "CN=C1" S, "objectClass=group|member=CN=C2" S "|member=CN=C3" S);
	add(d, "CN=C2" S, "objectClass=group|member=CN=C3" S "|member=CN=C1" S);
	add(d, "CN=C3" S, "objectClass=group|member=CN=C1" S "|member=CN=C2" S
	    "|member=CN=In" S);
	add(d, "CN=R" S, "objectClass=group|authOrig=CN=C1" S "|member=CN=In" S);
	assert_int_equal(addr_dir_may_send(d, F("R"), F("In")), 1);
	assert_int_equal(addr_dir_may_send(d, F("R"), F("Out")), 0);
	/* D1 -> D2 -> ... -> D33 -> Out: Out is 33 steps from D1, one
	 * more than the limit allows, 32 from D2 */
	for (i = 1; i <= 33; i++) {
		snprintf(dn, sizeof(dn), "CN=D%d" S, i);
		if (i < 33)
			snprintf(spec, sizeof(spec), "objectClass=group|"
				 "member=CN=D%d" S "|member=CN=C1" S, i + 1);
		else
			snprintf(spec, sizeof(spec), "objectClass=group|"
				 "member=CN=Out" S);
		add(d, dn, spec);
	}
	add(d, "CN=R1" S, "objectClass=group|authOrig=CN=D1" S "|member=CN=In" S);
	add(d, "CN=R2" S, "objectClass=group|authOrig=CN=D2" S "|member=CN=In" S);
	assert_int_equal(addr_dir_may_send(d, F("R1"), F("Out")), 0);
	assert_int_equal(addr_dir_may_send(d, F("R2"), F("Out")), 1);
	assert_int_equal(addr_dir_may_send(d, F("R1"), F("In")), 1);
	addr_dir_free(d);
	alarm(0);
}

static void test_sample_directory(void **state)
{
	FILE *f = fopen("testdata/sample/directory.ldif", "rb");
	static char buf[1 << 20];
	size_t n;
	struct addr_dir *d;
	struct addr_dir_report rep;
	struct addr_dl_result r;
	const char *dn = "CN=All Staff,OU=Distribution Lists,DC=example,DC=com";

	(void)state;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(addr_dir_new(&d, 0), 0);
	addr_dir_report_init(&rep);
	assert_int_equal(addr_dir_load_ldif(d, buf, n, "directory.ldif", 0, &rep), 0);
	addr_dl_result_init(&r);
	assert_int_equal(addr_dl_expand(&r, d, addr_dir_find(d, dn, strlen(dn)),
					NULL, 0, 0), 0);
	/* the sample's cycle: Engineering -> QA -> Engineering */
	assert_int_equal(r.report.nwarnings, 1);
	assert_string_equal(r.report.diag[0].rule, "dl.cycle");
	assert_true(r.nmember >= 15);
	addr_dl_result_free(&r);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_unique_cycles),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unresolved_member),
		cmocka_unit_test(test_restrictions),
		cmocka_unit_test(test_restrictions_cycles),
		cmocka_unit_test(test_sample_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
