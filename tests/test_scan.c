/*
 * test_scan.c - the vector classification of scan.c agrees with the
 * byte-at-a-time definitions (the parser's character table)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailbox_int.h"
#include "scan.h"

/* levels - the scan.c levels this processor can run, highest last */
static int levels(int *lv)
{
	int k = 0;

#if defined(__x86_64__) || defined(__i386__)
	lv[k++] = ADDR__SCAN_SSE2;
	if (__builtin_cpu_supports("ssse3"))
		lv[k++] = ADDR__SCAN_SSSE3;
	if (__builtin_cpu_supports("avx2"))
		lv[k++] = ADDR__SCAN_AVX2;
#else
	lv[k++] = -1;
#endif
	return k;
}

static void check_octets(void);

/* every level of scan.c gives the same masks and copies */
static void test_all_octets(void **state)
{
	int lv[3], k, nl = levels(lv);

	(void)state;
	for (k = 0; k < nl; k++) {
		addr__scan_level = lv[k];
		check_octets();
	}
	addr__scan_level = -1;
}

static void check_octets(void)
{
	unsigned char in[ADDR__SCAN_MAX];
	char low[64];
	unsigned char copy[64];
	struct addr__masks m;
	uint64_t x = 88172645463325252ull;
	size_t round, n, i;
	int bad = 0;

	for (round = 0; round < 20000; round++) {
		n = 1 + round % ADDR__SCAN_MAX;
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* every octet value, each position, many times over */
			in[i] = (unsigned char)((round < 256 && i == 0) ? round : x);
		}
		addr__scan_masks(in, n, &m, low, copy);
		for (i = 0; i < 64; i++) {
			unsigned char c = i < n ? in[i] : 0;
			int want_at = i < n && addr__is(c, ADDR__C_ATEXT);
			int want_an = i < n && ((c >= '0' && c <= '9') ||
						(c >= 'a' && c <= 'z') ||
						(c >= 'A' && c <= 'Z'));
			int want_lo = (c >= 'A' && c <= 'Z') ? c + 32 : c;
			if ((int)((m.atext >> i) & 1) != want_at ||
			    (int)((m.alnum >> i) & 1) != want_an ||
			    (int)((m.hyphen >> i) & 1) != (i < n && c == '-') ||
			    (int)((m.dot >> i) & 1) != (i < n && c == '.') ||
			    (int)((m.at >> i) & 1) != (i < n && c == '@') ||
			    (unsigned char)low[i] != want_lo || copy[i] != c) {
				if (bad++ < 10)
					printf("octet %#x at %zu of %zu misclassified (level %d)\n",
					       c, i, n, addr__scan_level);
			}
		}
	}
	assert_int_equal(bad, 0);
}

/* the run end equals the byte loop's, for every start and length */
static void test_atext_run(void **state)
{
	unsigned char in[100];
	uint64_t x = 0x2545F4914F6CDD1Dull;
	size_t round, n, i, j, want;
	int bad = 0;

	(void)state;
	for (round = 0; round < 3000; round++) {
		n = round % 100;
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* mostly atext, so that runs are long */
			in[i] = (x % 8 == 0) ? (unsigned char)(x >> 8) : 'a' + (x >> 8) % 26;
		}
		for (i = 0; i <= n; i++) {
			for (j = i; j < n && addr__is(in[j], ADDR__C_ATEXT); j++)
				;
			want = j;
			if (addr__scan_atext_run(in, i, n) != want && bad++ < 5)
				printf("run from %zu of %zu: got %zu, want %zu\n", i, n,
				       addr__scan_atext_run(in, i, n), want);
		}
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_octets),
		cmocka_unit_test(test_atext_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
