/*
 * scan.c - classify a short input sixteen octets at a time
 *
 * EXPORTS
 *	addr__scan_masks()	bit masks of the octet classes the parser's
 *				fast path needs, a zero-padded copy and an
 *				ASCII-lowercased one, for inputs of at most
 *				63 octets
 *	addr__scan_atext_run()	the end of a run of atext, any length
 *
 * Most addresses are short. Classifying all their octets at once with
 * SSE2 (part of every x86-64 processor) and then answering the shape
 * questions with bit operations replaces several byte loops whose exits
 * the branch predictor misses. SSSE3 and AVX2 are used where the
 * processor has them (checked at the first call; addr__scan_level);
 * other processors get the same masks from a table-driven loop.
 */
#include <string.h>
#include "mailbox_int.h"
#include "scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>

/* in_range - bytes in [lo, hi], for ASCII lo and hi (signed compares:
 * octets >= 0x80 are negative and never in an ASCII range) */
static inline __m128i in_range(__m128i v, char lo, char hi)
{
	return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
			     _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

static inline __m128i eq(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

static inline uint64_t bits(__m128i v, size_t block)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * block);
}

/*
 * With SSSE3 (every x86-64 processor since 2006; checked at run time)
 * two 16-entry tables indexed by the low and the high nibble of each
 * octet classify it in one shuffle each: a class is a union of
 * (high nibble, set of low nibbles) rectangles, one bit each.
 */
#include <tmmintrin.h>

/*
 * The class tables, indexed by the low and the high nibble of an octet:
 * a class is a union of (high nibble, set of low nibbles) rectangles,
 * one bit each; an octet is in the class when the two entries share a
 * bit. atext: bit k for high nibble 2+k, with its low nibbles. Letters
 * and digits: 3 = digits, 4 and 6 = A-O a-o, 5 and 7 = P-Z p-z.
 */
static const unsigned char atext_lo_t[16] = {
	58, 63, 62, 63, 63, 63, 63, 63, 62, 62, 61, 53, 52, 55, 60, 31
};
static const unsigned char atext_hi_t[16] = {
	0, 0, 1, 2, 4, 8, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0
};
static const unsigned char alnum_lo_t[16] = {
	5, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 2, 2, 2, 2, 2
};
static const unsigned char alnum_hi_t[16] = {
	0, 0, 0, 1, 2, 4, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0
};

static inline __m128i table(const unsigned char *t)
{
	return _mm_loadu_si128((const __m128i *)t);
}

/* shift_idx - from shift_idx + k, a pshufb index that moves the octets
 * of a vector k places down and zeroes the k it vacates (k <= 48: all
 * zeros from 16 on, with no clamp to branch on) */
static const unsigned char shift_idx[64] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80
};

/* place_idx - from place_idx + 16 - k, a pshufb index that moves the
 * low eight octets of a vector k places up (k <= 8) and zeroes the rest */
static const unsigned char place_idx[32] = {
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0, 1, 2, 3, 4, 5, 6, 7,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80
};

/* The class bits of the blocks seen so far; the "not" masks set for the
 * octets past the input (zeros), which are in no class. */
struct acc {
	uint64_t not_atext, not_alnum, hyphen, dot, at;
};

/* block - classify block b (octets 16b..16b+15) into a; copy gets the
 * octets, out the same with A-Z lowercased */
__attribute__((target("ssse3"), always_inline))
static inline void block(__m128i v, size_t b, struct acc *a,
			 unsigned char *copy, unsigned char *out)
{
	const __m128i atext_lo = table(atext_lo_t), atext_hi = table(atext_hi_t);
	const __m128i alnum_lo = table(alnum_lo_t), alnum_hi = table(alnum_hi_t);
	const __m128i nib = _mm_set1_epi8(0x0F), zero = _mm_setzero_si128();
	__m128i lo = _mm_and_si128(v, nib);
	__m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
	__m128i at = _mm_and_si128(_mm_shuffle_epi8(atext_lo, lo),
				   _mm_shuffle_epi8(atext_hi, hi));
	__m128i an = _mm_and_si128(_mm_shuffle_epi8(alnum_lo, lo),
				   _mm_shuffle_epi8(alnum_hi, hi));
	__m128i up = in_range(v, 'A', 'Z');

	_mm_storeu_si128((__m128i *)(copy + 16 * b), v);
	_mm_storeu_si128((__m128i *)(out + 16 * b),
			 _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20))));
	a->not_atext |= bits(_mm_cmpeq_epi8(at, zero), b);
	a->not_alnum |= bits(_mm_cmpeq_epi8(an, zero), b);
	a->hyphen |= bits(eq(v, '-'), b);
	a->dot |= bits(eq(v, '.'), b);
	a->at |= bits(eq(v, '@'), b);
}

static inline void put(struct addr__masks *m, const struct acc *a)
{
	m->atext = ~a->not_atext;
	m->alnum = ~a->not_alnum;
	m->hyphen = a->hyphen;
	m->dot = a->dot;
	m->at = a->at;
}

/*
 * scan_ssse3 - the four blocks of s[0..n), 16 <= n <= 63, each read
 * from inside the input: block b from s + min(16b, n - 16), shifted
 * down so that its octets stand where they belong and the octets past
 * n are zero. No copy of the input, no loop whose length depends on n:
 * every block is classified, those past the end are zeros and in no
 * class. copy gets the input zero-padded to 64 octets, out the same
 * with A-Z lowercased.
 */
__attribute__((target("ssse3"), always_inline))
static inline __m128i load_block(const unsigned char *in, size_t n, size_t b)
{
	size_t last = n - 16, off = 16 * b < last ? 16 * b : last;

	return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + off)),
				_mm_loadu_si128((const __m128i *)(shift_idx + 16 * b - off)));
}

__attribute__((target("ssse3")))
static void scan_ssse3(const unsigned char *in, size_t n,
		       struct addr__masks *m, unsigned char *copy,
		       unsigned char *out)
{
	struct acc a = { 0, 0, 0, 0, 0 };
	size_t b;

#pragma GCC unroll 4
	for (b = 0; b < 4; b++)
		block(load_block(in, n, b), b, &a, copy, out);
	put(m, &a);
}

#include <immintrin.h>

/*
 * scan_avx2 - scan_ssse3 with the classification done on two 32-octet
 * halves (AVX2: the same nibble tables in each 128-bit lane). The
 * blocks are read as in scan_ssse3.
 */
__attribute__((target("avx2")))
static void scan_avx2(const unsigned char *in, size_t n,
		      struct addr__masks *m, unsigned char *copy,
		      unsigned char *out)
{
	const __m256i atext_lo = _mm256_broadcastsi128_si256(table(atext_lo_t));
	const __m256i atext_hi = _mm256_broadcastsi128_si256(table(atext_hi_t));
	const __m256i alnum_lo = _mm256_broadcastsi128_si256(table(alnum_lo_t));
	const __m256i alnum_hi = _mm256_broadcastsi128_si256(table(alnum_hi_t));
	const __m256i nib = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
	uint64_t not_atext = 0, not_alnum = 0, hyphen = 0, dot = 0, at = 0;
	size_t h;

	for (h = 0; h < 2; h++) {
		__m256i v = _mm256_set_m128i(load_block(in, n, 2 * h + 1),
					     load_block(in, n, 2 * h));
		__m256i lo = _mm256_and_si256(v, nib);
		__m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
		__m256i ate = _mm256_and_si256(_mm256_shuffle_epi8(atext_lo, lo),
					       _mm256_shuffle_epi8(atext_hi, hi));
		__m256i an = _mm256_and_si256(_mm256_shuffle_epi8(alnum_lo, lo),
					      _mm256_shuffle_epi8(alnum_hi, hi));
		/* A-Z, with signed compares as in_range */
		__m256i up = _mm256_and_si256(
			_mm256_cmpgt_epi8(v, _mm256_set1_epi8('A' - 1)),
			_mm256_cmpgt_epi8(_mm256_set1_epi8('Z' + 1), v));
		unsigned sh = 32 * (unsigned)h;

		_mm256_storeu_si256((__m256i *)(copy + 32 * h), v);
		_mm256_storeu_si256((__m256i *)(out + 32 * h),
				    _mm256_or_si256(v, _mm256_and_si256(up,
						    _mm256_set1_epi8(0x20))));
#define MASK(x) ((uint64_t)(uint32_t)_mm256_movemask_epi8(x) << sh)
		not_atext |= MASK(_mm256_cmpeq_epi8(ate, zero));
		not_alnum |= MASK(_mm256_cmpeq_epi8(an, zero));
		hyphen |= MASK(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('-')));
		dot |= MASK(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('.')));
		at |= MASK(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('@')));
#undef MASK
	}
	m->atext = ~not_atext;
	m->alnum = ~not_alnum;
	m->hyphen = hyphen;
	m->dot = dot;
	m->at = at;
}

/*
 * scan_ssse3_short - the same for n < 16 (most domain names): one
 * block, made of two overlapping 8-octet reads when n >= 8; the rest of
 * copy and out is zeros.
 */
__attribute__((target("ssse3")))
static void scan_ssse3_short(const unsigned char *s, size_t n,
			     struct addr__masks *m, unsigned char *copy,
			     unsigned char *out)
{
	struct acc a;
	__m128i v, z = _mm_setzero_si128();

	a.not_atext = a.not_alnum = ~(uint64_t)0xFFFF;	/* octets 16..63 */
	a.hyphen = a.dot = a.at = 0;
	if (n >= 8) {
		__m128i hi = _mm_loadl_epi64((const __m128i *)(s + n - 8));
		v = _mm_or_si128(_mm_loadl_epi64((const __m128i *)s),
				 _mm_shuffle_epi8(hi, _mm_loadu_si128(
					 (const __m128i *)(place_idx + 16 - (n - 8)))));
	} else {
		unsigned char in[16];
		memset(in, 0, sizeof(in));
		memcpy(in, s, n);
		v = _mm_loadu_si128((const __m128i *)in);
	}
	block(v, 0, &a, copy, out);
	for (size_t b = 1; b < 4; b++) {
		_mm_storeu_si128((__m128i *)(copy + 16 * b), z);
		_mm_storeu_si128((__m128i *)(out + 16 * b), z);
	}
	put(m, &a);
}

static void scan_sse2(const unsigned char *s, size_t n,
		      struct addr__masks *m, char *lower, unsigned char *copy);

/* the instruction set level, set once (a racing first call computes the
 * same value); tests set it to check each level's results */
int addr__scan_level = -1;

static inline int scan_level(void)
{
	if (addr__scan_level < 0)
		addr__scan_level = __builtin_cpu_supports("avx2") ? ADDR__SCAN_AVX2 :
				   __builtin_cpu_supports("ssse3") ? ADDR__SCAN_SSSE3 :
				   ADDR__SCAN_SSE2;
	return addr__scan_level;
}

/* atext_block - bit i set when in[i] is atext, for 16 octets */
__attribute__((target("ssse3")))
static unsigned atext_block(const unsigned char *in)
{
	const __m128i atext_lo = table(atext_lo_t), atext_hi = table(atext_hi_t);
	const __m128i nib = _mm_set1_epi8(0x0F);
	__m128i v = _mm_loadu_si128((const __m128i *)in);
	__m128i at = _mm_and_si128(
		_mm_shuffle_epi8(atext_lo, _mm_and_si128(v, nib)),
		_mm_shuffle_epi8(atext_hi, _mm_and_si128(_mm_srli_epi16(v, 4), nib)));

	return ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(at, _mm_setzero_si128())) &
	       0xFFFFu;
}

size_t addr__scan_atext_run(const unsigned char *s, size_t i, size_t n)
{
	if (scan_level() >= ADDR__SCAN_SSSE3) {
		/* sixteen octets a step, reading only inside [s, s + n) */
		while (i + 16 <= n) {
			unsigned b = atext_block(s + i);
			if (b != 0xFFFFu)
				return i + (size_t)__builtin_ctz(~b);
			i += 16;
		}
	}
	while (i < n && addr__is(s[i], ADDR__C_ATEXT))
		i++;
	return i;
}

void addr__scan_masks(const unsigned char *s, size_t n, struct addr__masks *m,
		      char *lower, unsigned char *copy)
{
	int level = scan_level();

	if (level >= ADDR__SCAN_SSSE3) {
		if (n < 16)
			scan_ssse3_short(s, n, m, copy, (unsigned char *)lower);
		else if (level >= ADDR__SCAN_AVX2)
			scan_avx2(s, n, m, copy, (unsigned char *)lower);
		else
			scan_ssse3(s, n, m, copy, (unsigned char *)lower);
		return;
	}
	scan_sse2(s, n, m, lower, copy);
	if (n < 64) {
		uint64_t valid = ((uint64_t)1 << n) - 1;
		m->alnum &= valid;
		m->hyphen &= valid;
		m->atext &= valid;
		m->dot &= valid;
		m->at &= valid;
	}
}

/* scan_sse2 - the same with SSE2 alone: ranges and equalities */
static void scan_sse2(const unsigned char *s, size_t n, struct addr__masks *m,
		      char *lower, unsigned char *copy)
{
	unsigned char *in = copy, out[64];
	size_t b;

	memset(in, 0, 64);
	memcpy(in, s, n);
	memset(m, 0, sizeof(*m));
	for (b = 0; b < 4; b++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(in + 16 * b));
		__m128i up = in_range(v, 'A', 'Z');
		__m128i lo = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
		__m128i alnum = _mm_or_si128(in_range(lo, 'a', 'z'),
					     in_range(v, '0', '9'));
		__m128i hy = eq(v, '-');
		/* atext: letters, digits and !#$%&'*+-/=?^_`{|}~ */
		__m128i sp = _mm_or_si128(
			_mm_or_si128(_mm_or_si128(eq(v, '!'), in_range(v, '#', '\'')),
				     _mm_or_si128(in_range(v, '*', '+'), hy)),
			_mm_or_si128(_mm_or_si128(eq(v, '/'), eq(v, '=')),
				     _mm_or_si128(_mm_or_si128(eq(v, '?'),
							       in_range(v, '^', '`')),
						  in_range(v, '{', '~'))));

		_mm_storeu_si128((__m128i *)(out + 16 * b), lo);
		m->alnum |= bits(alnum, b);
		m->hyphen |= bits(hy, b);
		m->atext |= bits(_mm_or_si128(alnum, sp), b);
		m->dot |= bits(eq(v, '.'), b);
		m->at |= bits(eq(v, '@'), b);
	}
	memcpy(lower, out, sizeof(out));
}

#else	/* no SSE2: the same masks, one octet at a time */

int addr__scan_level = -1;	/* one level only */

size_t addr__scan_atext_run(const unsigned char *s, size_t i, size_t n)
{
	while (i < n && addr__is(s[i], ADDR__C_ATEXT))
		i++;
	return i;
}

void addr__scan_masks(const unsigned char *s, size_t n, struct addr__masks *m,
		      char *lower, unsigned char *copy)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	memset(copy, 0, 64);
	memcpy(copy, s, n);
	for (i = 0; i < 64; i++) {
		unsigned char c = copy[i];
		uint64_t bit = (uint64_t)1 << i;
		int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z');

		lower[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		if (i >= n)
			continue;
		if (alnum)
			m->alnum |= bit;
		if (c == '-')
			m->hyphen |= bit;
		if (addr__is(c, ADDR__C_ATEXT))
			m->atext |= bit;
		if (c == '.')
			m->dot |= bit;
		if (c == '@')
			m->at |= bit;
	}
}

#endif

/* addr__scan_set_ssse3 - 0 takes the SSE2-only path that processors
 * without SSSE3 get, -1 detects again; for the fuzz targets, which
 * cannot reach that path otherwise on this processor */
void addr__scan_set_ssse3(int on)
{
	addr__scan_level = on == 0 ? ADDR__SCAN_SSE2 : -1;
}
