/*
 * test_exdn.c - X.500 / legacyExchangeDN names (spec-x400.md §6,
 * spec-imcea-proxy.md §2.3, §4.2, §5)
 *
 * Table-driven: the typical forms and every rule of spec-x400.md §6
 * (leading "/", the four prefixes in any case, sections of at least 3
 * characters, non-empty values, each forbidden character, non-ASCII as
 * the warning dn.non-ascii with the DNs of vectors E11 and E13 of
 * spec-imcea-proxy.md), the DNs of D1 and E3, comparison rows (ASCII
 * case, ICU full case folding), format and build rows; a seeded
 * property test (build -> format -> parse -> same sections; LOWER and
 * UPPER forms compare equal) and an allocation-failure test.
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

#define NONASCII ADDR_EXDN_W_NON_ASCII

struct check_row {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int want_rc;		/* 0 or ADDR_ESYNTAX */
	unsigned want_warn;
	size_t want_off;	/* err->offset on error */
	const char *want_sections;	/* "o=Org|cn=x" on success */
};

static const struct check_row check_rows[] = {
	/* §6 typical forms */
	{ "typical-fydibohf23spdlt", "/o=Org/ou=Exchange Administrative Group "
	  "(FYDIBOHF23SPDLT)/cn=Recipients/cn=alias", 0, 0, 0, 0,
	  "o=Org|ou=Exchange Administrative Group (FYDIBOHF23SPDLT)|"
	  "cn=Recipients|cn=alias" },
	{ "typical-site", "/o=Org/ou=Site/cn=Recipients/cn=alias", 0, 0, 0, 0,
	  "o=Org|ou=Site|cn=Recipients|cn=alias" },
	/* spec-imcea-proxy.md D1, E3 */
	{ "D1", "/O=MMS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN="
	  "RECIPIENTS/CN=User6ed4e168-addd-4b03-95f5-b9c9a421957358d", 0, 0, 0,
	  0, "O=MMS|OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)|"
	  "CN=RECIPIENTS|CN=User6ed4e168-addd-4b03-95f5-b9c9a421957358d" },
	{ "E3", "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)"
	  "/cn=Recipients/cn=jdoe", 0, 0, 0, 0, "o=Contoso|ou=Exchange "
	  "Administrative Group (FYDIBOHF23SPDLT)|cn=Recipients|cn=jdoe" },
	/* non-ASCII: a warning (E11, E13) */
	{ "E11-non-ascii", "/o=Org/cn=M\xc3\xbcller", 0, 0, NONASCII, 0,
	  "o=Org|cn=M\xc3\xbcller" },
	{ "E13-non-ascii", "/o=Org/cn=\xe6\x97\xa5\xe6\x9c\xac", 0, 0,
	  NONASCII, 0, "o=Org|cn=\xe6\x97\xa5\xe6\x9c\xac" },
	{ "non-ascii-astral", "/o=\xf0\x9f\x98\x80", 0, 0, NONASCII, 0,
	  "o=\xf0\x9f\x98\x80" },
	/* prefixes, any case; guid */
	{ "prefixes-upper", "/O=a/OU=b/CN=c/GUID=d", 0, 0, 0, 0,
	  "O=a|OU=b|CN=c|GUID=d" },
	{ "prefixes-mixed", "/o=a/Ou=b/cN=c/Guid=0123", 0, 0, 0, 0,
	  "o=a|Ou=b|cN=c|Guid=0123" },
	{ "prefix-unknown", "/o=Org/c=US", 0, ADDR_ESYNTAX, 0, 7, NULL },
	{ "prefix-dc", "/dc=com", 0, ADDR_ESYNTAX, 0, 1, NULL },
	{ "prefix-empty", "/=Org", 0, ADDR_ESYNTAX, 0, 1, NULL },
	{ "prefix-spaced", "/o =Org", 0, ADDR_ESYNTAX, 0, 1, NULL },
	{ "prefix-non-ascii", "/\xc3\xb6=x", 0, ADDR_ESYNTAX, 0, 1, NULL },
	/* structure */
	{ "empty", "", 0, ADDR_ESYNTAX, 0, 0, NULL },
	{ "no-leading-slash", "o=Org/cn=x", 0, ADDR_ESYNTAX, 0, 0, NULL },
	{ "slash-only", "/", 0, ADDR_ESYNTAX, 0, 1, NULL },
	{ "empty-section", "/o=Org//cn=x", 0, ADDR_ESYNTAX, 0, 7, NULL },
	{ "trailing-slash", "/o=Org/", 0, ADDR_ESYNTAX, 0, 7, NULL },
	{ "short-section", "/o=", 0, ADDR_ESYNTAX, 0, 1, NULL },
	{ "empty-cn", "/o=Org/cn=", 0, ADDR_ESYNTAX, 0, 10, NULL },
	{ "no-equals", "/o=Org/Recipients", 0, ADDR_ESYNTAX, 0, 7, NULL },
	{ "three-chars", "/o=x", 0, 0, 0, 0, "o=x" },
	/* forbidden characters in values */
	{ "forbidden-hash", "/o=a#b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-dollar", "/o=a$b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-semicolon", "/o=a;b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-equals", "/o=a=b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-backslash", "/o=a\\b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-caret", "/o=a^b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-tilde", "/o=a~b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-backtick", "/o=a`b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-del", "/o=a\x7f" "b", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-tab", "/o=a\tb", 0, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-nul", "/o=a\0b", 6, ADDR_ESYNTAX, 0, 4, NULL },
	{ "forbidden-lf", "/o=Org/cn=a\n", 0, ADDR_ESYNTAX, 0, 11, NULL },
	{ "slash-in-value", "/o=a/b", 0, ADDR_ESYNTAX, 0, 5, NULL },
	/* allowed: what the IMCEAEX NDR article decodes (§5) */
	{ "allowed-punctuation", "/o=Org/cn=a,b.c?d@e_f (g) 'h' & +-!%*", 0, 0,
	  0, 0, "o=Org|cn=a,b.c?d@e_f (g) 'h' & +-!%*" },
	{ "not-utf8", "/o=\xe9t\xe9", 0, ADDR_ESYNTAX, 0, 3, NULL },
	{ "non-ascii-then-forbidden", "/o=\xc3\xa9#", 0, ADDR_ESYNTAX, 0, 5,
	  NULL },
};

/* sections - "name=value|..." of a parsed DN */
static void sections(char *out, size_t cap, const struct addr_exdn *dn)
{
	size_t k, n = 0;

	out[0] = '\0';
	for (k = 0; k < dn->nrdn && n < cap; k++)
		n += (size_t)snprintf(out + n, cap - n, "%s%.*s=%.*s",
				      k ? "|" : "", (int)dn->rdn[k].name.len,
				      dn->rdn[k].name.ptr,
				      (int)dn->rdn[k].value.len,
				      dn->rdn[k].value.ptr);
}

static void test_check_rows(void **state)
{
	struct addr_exdn dn;
	struct addr_error err;
	struct addr_buf fmt;
	char got[512];
	size_t i, len;
	unsigned warn;
	int rc, rc2, bad = 0;

	(void)state;
	addr_exdn_init(&dn);
	addr_buf_init(&fmt);
	for (i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		const struct check_row *r = &check_rows[i];

		len = r->len ? r->len : strlen(r->in);
		memset(&err, 0, sizeof(err));
		rc = addr_exdn_check(r->in, len, &warn, &err);
		rc2 = addr_exdn_parse(&dn, r->in, len, NULL);
		sections(got, sizeof(got), &dn);
		addr_buf_clear(&fmt);
		if (rc == 0)
			addr_exdn_format(&fmt, &dn, 0);
		if (rc != r->want_rc || rc2 != rc ||
		    (rc == 0 && warn != r->want_warn) ||
		    (rc == 0 && dn.warnings != r->want_warn) ||
		    (rc < 0 && (err.offset != r->want_off || dn.nrdn != 0)) ||
		    (rc == 0 && strcmp(got, r->want_sections) != 0) ||
		    (rc == 0 && (fmt.size != len ||
				 memcmp(fmt.ptr, r->in, len) != 0))) {
			printf("%s: got %d/%d warn %u off %zu \"%s\" (%s), want "
			       "%d warn %u off %zu \"%s\"\n", r->name, rc, rc2,
			       warn, err.offset, got, rc < 0 ? err.message : "",
			       r->want_rc, r->want_warn, r->want_off,
			       r->want_sections ? r->want_sections : "");
			bad++;
		}
	}
	addr_buf_free(&fmt);
	addr_exdn_free(&dn);
	assert_int_equal(bad, 0);
}

struct eq_row {
	const char *name;
	const char *a, *b;
	int want;		/* 1, 0, or ADDR_E* */
};

static const struct eq_row eq_rows[] = {
	/* R24 / §4.2: case-insensitive; X500 against legacyExchangeDN */
	{ "ascii-case", "/o=Org/ou=Site/cn=Recipients/cn=Alias",
	  "/O=ORG/OU=SITE/CN=RECIPIENTS/CN=alias", 1 },
	{ "D1-vs-E3-form", "/O=MMS/OU=EXCHANGE ADMINISTRATIVE GROUP "
	  "(FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=USER1",
	  "/o=MMS/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn="
	  "Recipients/cn=user1", 1 },
	{ "different-value", "/o=Org/cn=a", "/o=Org/cn=b", 0 },
	{ "prefix-of-other", "/o=Org/cn=a", "/o=Org/cn=ab", 0 },
	{ "latin1-case", "/o=Org/cn=M\xc3\x9cLLER", "/o=org/cn=m\xc3\xbcller",
	  1 },
	{ "full-folding-sharp-s", "/o=Org/cn=Stra\xc3\x9f" "e",
	  "/O=ORG/CN=STRASSE", 1 },
	{ "kelvin-sign", "/cn=\xe2\x84\xaa", "/cn=k", 1 },
	{ "no-normalisation", "/cn=e\xcc\x81", "/cn=\xc3\xa9", 0 },
	{ "cjk", "/o=Org/cn=\xe6\x97\xa5\xe6\x9c\xac",
	  "/O=ORG/CN=\xe6\x97\xa5\xe6\x9c\xac", 1 },
	{ "invalid-dn-still-compared", "not a dn", "NOT A DN", 1 },
	{ "not-utf8", "/cn=\xe9", "/cn=\xc3\xa9", ADDR_ESYNTAX },
};

static void test_equal_rows(void **state)
{
	struct addr_buf ka, kb;
	size_t i;
	int rc, bad = 0;

	(void)state;
	addr_buf_init(&ka);
	addr_buf_init(&kb);
	for (i = 0; i < sizeof(eq_rows) / sizeof(eq_rows[0]); i++) {
		const struct eq_row *r = &eq_rows[i];
		int sym;

		rc = addr_exdn_equal(r->a, strlen(r->a), r->b, strlen(r->b));
		sym = addr_exdn_equal(r->b, strlen(r->b), r->a, strlen(r->a));
		if (rc != r->want || sym != rc) {
			printf("%s: got %d (reversed %d), want %d\n", r->name,
			       rc, sym, r->want);
			bad++;
		}
		/* the key agrees with equal */
		if (r->want >= 0) {
			addr_buf_clear(&ka);
			addr_buf_clear(&kb);
			if (addr_exdn_key(&ka, r->a, strlen(r->a)) != 0 ||
			    addr_exdn_key(&kb, r->b, strlen(r->b)) != 0 ||
			    (strcmp(ka.ptr, kb.ptr) == 0) != r->want) {
				printf("%s: keys \"%s\" / \"%s\"\n", r->name,
				       ka.ptr, kb.ptr);
				bad++;
			}
		}
	}
	addr_buf_clear(&ka);
	assert_int_equal(addr_exdn_key(&ka, "/O=ORG/CN=Jdoe", 14), 0);
	assert_string_equal(ka.ptr, "/o=org/cn=jdoe");
	addr_buf_free(&ka);
	addr_buf_free(&kb);
	assert_int_equal(bad, 0);
}

static void test_format_and_build(void **state)
{
	struct addr_exdn dn;
	struct addr_buf out;
	struct addr_error err;
	const char *in = "/O=Org/Ou=Site/cn=Recipients/GUID=1234";

	(void)state;
	addr_exdn_init(&dn);
	addr_buf_init(&out);
	assert_int_equal(addr_exdn_parse(&dn, in, strlen(in), NULL), 0);
	assert_int_equal(dn.nrdn, 4);
	assert_int_equal(dn.rdn[0].prefix, ADDR_EXDN_O);
	assert_int_equal(dn.rdn[1].prefix, ADDR_EXDN_OU);
	assert_int_equal(dn.rdn[2].prefix, ADDR_EXDN_CN);
	assert_int_equal(dn.rdn[3].prefix, ADDR_EXDN_GUID);
	assert_int_equal(addr_exdn_format(&out, &dn, 0), 0);
	assert_string_equal(out.ptr, in);
	addr_buf_clear(&out);
	assert_int_equal(addr_exdn_format(&out, &dn, ADDR_EXDN_LOWER), 0);
	assert_string_equal(out.ptr, "/o=Org/ou=Site/cn=Recipients/guid=1234");
	addr_buf_clear(&out);
	assert_int_equal(addr_exdn_format(&out, &dn, ADDR_EXDN_UPPER), 0);
	assert_string_equal(out.ptr, "/O=Org/OU=Site/CN=Recipients/GUID=1234");
	assert_int_equal(addr_exdn_format(&out, &dn, ADDR_EXDN_LOWER |
					  ADDR_EXDN_UPPER), ADDR_EINVAL);

	/* spec-directory.md: /o=ORG/ou=SITE/cn=<container>/cn=<name> */
	addr_exdn_free(&dn);
	assert_int_equal(addr_exdn_format(&out, &dn, 0), ADDR_EINVAL);
	assert_int_equal(addr_exdn_append(&dn, ADDR_EXDN_O, "ORG", 3, NULL), 0);
	assert_int_equal(addr_exdn_append(&dn, ADDR_EXDN_OU, "SITE", 4, NULL),
			 0);
	assert_int_equal(addr_exdn_append(&dn, ADDR_EXDN_CN, "Recipients", 10,
					  NULL), 0);
	assert_int_equal(addr_exdn_append(&dn, ADDR_EXDN_CN, "DavidR", 6,
					  NULL), 0);
	assert_int_equal(addr_exdn_append(&dn, ADDR_EXDN_CN, "a/b", 3, &err),
			 ADDR_ESYNTAX);
	assert_int_equal(err.offset, 1);
	assert_int_equal(addr_exdn_append(&dn, ADDR_EXDN_CN, "", 0, NULL),
			 ADDR_ESYNTAX);
	assert_int_equal(addr_exdn_append(&dn, 0, "x", 1, NULL), ADDR_EINVAL);
	assert_int_equal(addr_exdn_append(&dn, 5, "x", 1, NULL), ADDR_EINVAL);
	assert_int_equal(dn.warnings, 0);
	assert_int_equal(dn.nrdn, 4);
	addr_buf_clear(&out);
	assert_int_equal(addr_exdn_format(&out, &dn, 0), 0);
	assert_string_equal(out.ptr, "/o=ORG/ou=SITE/cn=Recipients/cn=DavidR");
	assert_int_equal(addr_exdn_append(&dn, ADDR_EXDN_CN, "M\xc3\xbcller", 7,
					  NULL), 0);
	assert_int_equal(dn.warnings, ADDR_EXDN_W_NON_ASCII);
	assert_int_equal(dn.rdn[4].value.len, 7);
	assert_memory_equal(dn.rdn[4].value.ptr, "M\xc3\xbcller", 7);
	assert_int_equal(dn.rdn[4].value.ptr[7], '\0');

	/* a failed parse empties the DN */
	assert_int_equal(addr_exdn_parse(&dn, "/x=1", 4, NULL), ADDR_ESYNTAX);
	assert_int_equal(dn.nrdn, 0);
	addr_exdn_free(&dn);
	addr_exdn_free(NULL);
	addr_buf_free(&out);
}

/* ------------------------------------------------- the property test */

static uint64_t rng_state;

static unsigned rn(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * UINT64_C(2685821657736338717)) % n);
}

/*
 * Random values from the allowed characters (ASCII, Latin-1, astral):
 * build with append, format in the three prefix cases, parse each back;
 * the sections must be those appended, and the three forms must compare
 * equal to one another and have one key.
 */
static void test_property(void **state)
{
	static const char allowed[] = "ABCXYZabcxyz0189 !\"%&'()*+,-.:<>?@[]_{|}";
	static const char *const cps[] = { "\xc3\xa9", "\xc3\x9c",
					   "\xf0\x9f\x98\x80", "\xe6\x97\xa5" };
	struct addr_exdn dn, back;
	struct addr_buf f[3], key0, key;
	char vals[8][64];
	size_t vlen[8];
	int prefix[8];
	unsigned i, k, j, n, nonascii_runs = 0;
	int bad = 0;

	(void)state;
	rng_state = UINT64_C(0x5eed5eed12345678);
	addr_exdn_init(&dn);
	addr_exdn_init(&back);
	addr_buf_init(&key0);
	addr_buf_init(&key);
	for (k = 0; k < 3; k++)
		addr_buf_init(&f[k]);
	for (i = 0; i < 20000 && bad < 10; i++) {
		unsigned nonascii = 0;

		addr_exdn_free(&dn);
		n = 1 + rn(6);
		for (k = 0; k < n; k++) {
			unsigned len = 1 + rn(20);

			prefix[k] = 1 + (int)rn(4);
			vlen[k] = 0;
			for (j = 0; j < len; j++) {
				const char *c;
				char one[2] = { 0, 0 };

				if (rn(10) == 0) {
					c = cps[rn(4)];
					nonascii = 1;
				} else {
					one[0] = allowed[rn(sizeof(allowed) - 1)];
					c = one;
				}
				memcpy(vals[k] + vlen[k], c, strlen(c));
				vlen[k] += strlen(c);
			}
			assert_int_equal(addr_exdn_append(&dn, prefix[k], vals[k],
							  vlen[k], NULL), 0);
		}
		nonascii_runs += nonascii;
		for (k = 0; k < 3; k++) {
			static const unsigned fl[] = { 0, ADDR_EXDN_LOWER,
						       ADDR_EXDN_UPPER };

			addr_buf_clear(&f[k]);
			assert_int_equal(addr_exdn_format(&f[k], &dn, fl[k]), 0);
			if (addr_exdn_parse(&back, f[k].ptr, f[k].size, NULL) != 0 ||
			    back.nrdn != n ||
			    back.warnings != (nonascii ? ADDR_EXDN_W_NON_ASCII : 0u)) {
				printf("property: \"%s\" does not parse back\n",
				       f[k].ptr);
				bad++;
				continue;
			}
			for (j = 0; j < n; j++)
				if (back.rdn[j].prefix != prefix[j] ||
				    back.rdn[j].value.len != vlen[j] ||
				    memcmp(back.rdn[j].value.ptr, vals[j],
					   vlen[j]) != 0) {
					printf("property: \"%s\" section %u\n",
					       f[k].ptr, j);
					bad++;
				}
			addr_buf_clear(&key);
			assert_int_equal(addr_exdn_key(&key, f[k].ptr, f[k].size), 0);
			if (k == 0) {
				addr_buf_clear(&key0);
				addr_buf_put(&key0, key.ptr, key.size);
			} else if (strcmp(key.ptr, key0.ptr) != 0 ||
				   addr_exdn_equal(f[0].ptr, f[0].size, f[k].ptr,
						   f[k].size) != 1) {
				printf("property: \"%s\" != \"%s\"\n", f[0].ptr,
				       f[k].ptr);
				bad++;
			}
		}
	}
	printf("exdn property: seed 0x5eed5eed12345678, 20000 DNs, %u with "
	       "non-ASCII text\n", nonascii_runs);
	for (k = 0; k < 3; k++)
		addr_buf_free(&f[k]);
	addr_buf_free(&key0);
	addr_buf_free(&key);
	addr_exdn_free(&dn);
	addr_exdn_free(&back);
	assert_int_equal(bad, 0);
}

/* ----------------------------------------------- allocation failures */

static long n_allocs, fail_at, live;
static int injected;

static void *t_malloc(size_t n)
{
	void *p;

	if (++n_allocs == fail_at) {
		injected = 1;
		return NULL;
	}
	p = malloc(n);
	live += p != NULL;
	return p;
}

static void *t_realloc(void *p, size_t n)
{
	void *q;

	if (++n_allocs == fail_at) {
		injected = 1;
		return NULL;
	}
	q = realloc(p, n);
	live += q != NULL && p == NULL;
	return q;
}

static void t_free(void *p)
{
	live -= p != NULL;
	free(p);
}

/* every allocation of a parse and of a build fails once, cleanly */
static void test_alloc_failures(void **state)
{
	static const char dn_text[] = "/o=a/o=b/o=c/o=d/o=e/o=f/o=g/o=h/o=i/"
		"o=j/o=k/o=l/o=m/o=n/o=o/o=p/o=q/o=r/o=s/o=t";
	struct addr_exdn dn;
	struct addr_buf out;
	long n;
	int rc, i;

	(void)state;
	addr_set_alloc_funcs(t_malloc, t_realloc, t_free);
	for (n = 1;; n++) {
		addr_exdn_init(&dn);
		n_allocs = 0;
		fail_at = n;
		injected = 0;
		live = 0;
		rc = addr_exdn_parse(&dn, dn_text, sizeof(dn_text) - 1, NULL);
		if (injected) {
			assert_int_equal(rc, ADDR_ENOMEM);
			assert_int_equal(dn.nrdn, 0);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(dn.nrdn, 20);
		}
		addr_exdn_free(&dn);
		assert_int_equal(live, 0);
		if (!injected)
			break;
	}
	for (n = 1;; n++) {
		int failed = 0;

		addr_exdn_init(&dn);
		addr_buf_init(&out);
		n_allocs = 0;
		fail_at = n;
		injected = 0;
		live = 0;
		for (i = 0; i < 20; i++) {
			size_t before = dn.nrdn;

			rc = addr_exdn_append(&dn, ADDR_EXDN_CN, "Recipients",
					      10, NULL);
			if (rc == ADDR_ENOMEM) {
				assert_int_equal(dn.nrdn, before);
				failed = 1;
			} else {
				assert_int_equal(rc, 0);
			}
		}
		rc = addr_exdn_format(&out, &dn, ADDR_EXDN_UPPER);
		assert_true(rc == 0 || rc == ADDR_ENOMEM);
		failed |= rc == ADDR_ENOMEM;
		assert_int_equal(failed, injected);
		/* what was built is still consistent */
		for (i = 0; i < (int)dn.nrdn; i++)
			assert_memory_equal(dn.rdn[i].value.ptr, "Recipients", 10);
		addr_buf_free(&out);
		addr_exdn_free(&dn);
		assert_int_equal(live, 0);
		if (!injected)
			break;
	}
	fail_at = 0;
	addr_set_alloc_funcs(NULL, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_rows),
		cmocka_unit_test(test_equal_rows),
		cmocka_unit_test(test_format_and_build),
		cmocka_unit_test(test_property),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
