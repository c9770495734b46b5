/*
 * chaos.h - allocation failures for the fuzz targets
 *
 * DESCRIPTION
 *	fz_chaos_on(k) installs (addr_set_alloc_funcs) an allocator that
 *	fails libaddr's k-th malloc or realloc from then on; fz_chaos_off()
 *	restores the C library's, and fz_chaos_injected tells whether the
 *	failure happened. A target runs an operation with k = 1, 2, ...
 *	until nothing was injected, and checks that every failed run ends
 *	in ADDR_ENOMEM with nothing half-written (the allocation-failure
 *	tests of tests/ do the same for fixed inputs). Blocks are plain
 *	malloc blocks, so they may be freed with either allocator on.
 */
#ifndef FUZZ_CHAOS_H
#define FUZZ_CHAOS_H

#include <stdlib.h>
#include "addr.h"

static long fz_chaos_calls, fz_chaos_fail_at;
static int fz_chaos_injected;

static inline int fz_chaos_fail(void)
{
	if (++fz_chaos_calls != fz_chaos_fail_at)
		return 0;
	fz_chaos_injected = 1;
	return 1;
}

static void *fz_chaos_malloc(size_t n)
{
	return fz_chaos_fail() ? NULL : malloc(n);
}

static void *fz_chaos_realloc(void *p, size_t n)
{
	return fz_chaos_fail() ? NULL : realloc(p, n);
}

static inline void fz_chaos_on(long k)
{
	fz_chaos_calls = 0;
	fz_chaos_fail_at = k;
	fz_chaos_injected = 0;
	addr_set_alloc_funcs(fz_chaos_malloc, fz_chaos_realloc, free);
}

static inline void fz_chaos_off(void)
{
	addr_set_alloc_funcs(NULL, NULL, NULL);
}

#endif /* FUZZ_CHAOS_H */
