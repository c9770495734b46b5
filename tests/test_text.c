/*
 * test_text.c - the ICU-free shortcuts of text.c agree with ICU
 *
 * text.c skips ICU for text whose every code point is "inert": NFC
 * Quick_Check=Yes and a normalization boundary before it. This test asks
 * ICU about every code point the shortcut claims, and checks that the
 * shortcut's result equals ICU's normalization of sample strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unicode/unorm2.h>

#include "addr.h"
#include "addr_int.h"

static void test_inert_ranges(void **state)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
	uint32_t c;
	int bad = 0, claimed = 0;

	(void)state;
	assert_true(U_SUCCESS(st));
	for (c = 0; c <= 0x10FFFF; c++) {
		UChar u[2];
		int32_t n = 0;

		if (!addr__text_nfc_inert_cp(c))
			continue;
		claimed++;
		if (c >= 0xD800 && c <= 0xDFFF) {
			bad++;
			continue;
		}
		u[n++] = (UChar)c;	/* every claimed code point is in the BMP */
		if (!unorm2_hasBoundaryBefore(nfc, (UChar32)c) ||
		    unorm2_quickCheck(nfc, u, n, &st) != UNORM_YES) {
			if (bad < 10)
				printf("U+%04X claimed inert, ICU disagrees\n", (unsigned)c);
			bad++;
		}
	}
	printf("%d code points claimed inert, %d wrongly\n", claimed, bad);
	assert_int_equal(bad, 0);
}

/* NFC through text.c equals NFC through ICU directly */
static void test_nfc_samples(void **state)
{
	static const char *const in[] = {
		"plain", "fran\xc3\xa7ois", "Zo\xc3\xab", "\xce\x96\xce\xb5\xcf\x8d\xcf\x82",
		"\xd0\xbc\xd0\xb5\xd0\xb4\xd0\xb2\xd0\xb5\xd0\xb4\xd1\x8c",
		"\xe3\x81\x82\xe3\x81\x84\xe3\x81\x86", "\xe5\xb1\xb1\xe7\x94\xb0",
		"e\xcc\x81", "\xe3\x81\x8b\xe3\x82\x99", "\xcd\xbe", "s\xcc\xa3\xcc\x87",
		"\xef\xac\xac", "\xe0\xa4\xa8\xe0\xa4\xbc",
	};
	struct addr_buf out;
	size_t i;

	(void)state;
	addr_buf_init(&out);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		UErrorCode st = U_ZERO_ERROR;
		const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
		UChar u[64], v[64];
		char want[256];
		int32_t ul, vl, wl;

		addr_buf_clear(&out);
		assert_int_equal(addr__text_nfc(&out, in[i], strlen(in[i])), 0);
		u_strFromUTF8(u, 64, &ul, in[i], -1, &st);
		vl = unorm2_normalize(nfc, u, ul, v, 64, &st);
		u_strToUTF8(want, sizeof(want), &wl, v, vl, &st);
		assert_true(U_SUCCESS(st));
		if ((size_t)wl != out.size || memcmp(want, out.ptr, out.size) != 0) {
			printf("sample %zu: got \"%s\", want \"%.*s\"\n", i, out.ptr,
			       (int)wl, want);
			fail();
		}
		assert_int_equal(addr__text_is_nfc(in[i], strlen(in[i])),
				 (size_t)wl == strlen(in[i]) &&
				 memcmp(want, in[i], (size_t)wl) == 0);
	}
	addr_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inert_ranges),
		cmocka_unit_test(test_nfc_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
