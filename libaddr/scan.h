/*
 * scan.h - private interface of scan.c
 */
#ifndef ADDR_SCAN_H
#define ADDR_SCAN_H

#include <stdint.h>
#include <stddef.h>

/* Bit i describes octet i. Octets >= 0x80 are in no class. */
struct addr__masks {
	uint64_t atext;		/* RFC 5322 atext (ASCII) */
	uint64_t alnum;		/* letters and digits */
	uint64_t hyphen;	/* "-" */
	uint64_t dot;		/* "." */
	uint64_t at;		/* "@" */
};

#define ADDR__SCAN_MAX 63

/* The instruction set scan.c uses (x86-64; elsewhere a byte loop):
 * chosen at the first call from what the processor has; a test may set
 * a lower level first. */
#define ADDR__SCAN_SSE2 0
#define ADDR__SCAN_SSSE3 1
#define ADDR__SCAN_AVX2 2
extern int addr__scan_level;

/* addr__scan_masks - classify s[0..n), n <= ADDR__SCAN_MAX, reading
 * nothing outside it; copy (64 octets) gets s[0..n) followed by zeros,
 * lower (64 octets) the same with A-Z lowercased */
void addr__scan_masks(const unsigned char *s, size_t n, struct addr__masks *m,
		      char *lower, unsigned char *copy);

/* addr__scan_atext_run - the end of the run of ASCII atext at s[i] */
size_t addr__scan_atext_run(const unsigned char *s, size_t i, size_t n);

/* addr__scan_set_ssse3 - 0 forces the SSE2-only classification (what a
 * processor without SSSE3 runs), -1 detects the processor again (the
 * default); for tests and fuzz targets. Not thread-safe. */
void addr__scan_set_ssse3(int on);

#endif
