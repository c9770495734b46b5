/*
 * chaos.c - the counting allocator of the allocation-failure tests
 * (see chaos.h)
 */
#include <stdlib.h>
#include "chaos.h"

long chaos_allocs;
long chaos_fail_at;
int chaos_injected;
long chaos_live;

void chaos_reset(long fail_at)
{
	chaos_allocs = 0;
	chaos_fail_at = fail_at;
	chaos_injected = 0;
}

/* fail_now - count one call; 1 when this is the one to fail. Atomic:
 * the worker threads of a directory (dir_pipe.c) allocate too, so which
 * call fails is the one that comes N-th, whichever thread makes it. */
static int fail_now(void)
{
	long n = __atomic_add_fetch(&chaos_allocs, 1, __ATOMIC_RELAXED);

	if (chaos_fail_at != 0 && n == chaos_fail_at) {
		__atomic_store_n(&chaos_injected, 1, __ATOMIC_RELAXED);
		return 1;
	}
	return 0;
}

void *chaos_malloc(size_t n)
{
	void *p;

	if (fail_now())
		return NULL;
	p = malloc(n);
	if (p != NULL)
		__atomic_add_fetch(&chaos_live, 1, __ATOMIC_RELAXED);
	return p;
}

void *chaos_realloc(void *p, size_t n)
{
	void *q;

	if (fail_now())
		return NULL;
	q = realloc(p, n);
	if (q != NULL && p == NULL)
		__atomic_add_fetch(&chaos_live, 1, __ATOMIC_RELAXED);
	return q;
}

void chaos_free(void *p)
{
	if (p != NULL) {
		__atomic_sub_fetch(&chaos_live, 1, __ATOMIC_RELAXED);
		free(p);
	}
}
