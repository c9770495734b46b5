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

/* fail_now - count one call; 1 when this is the one to fail */
static int fail_now(void)
{
	chaos_allocs++;
	if (chaos_fail_at != 0 && chaos_allocs == chaos_fail_at) {
		chaos_injected = 1;
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
		chaos_live++;
	return p;
}

void *chaos_realloc(void *p, size_t n)
{
	void *q;

	if (fail_now())
		return NULL;
	q = realloc(p, n);
	if (q != NULL && p == NULL)
		chaos_live++;
	return q;
}

void chaos_free(void *p)
{
	if (p != NULL) {
		chaos_live--;
		free(p);
	}
}
