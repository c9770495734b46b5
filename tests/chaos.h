/*
 * chaos.h - the counting allocator of the allocation-failure tests
 *
 * Installed with addr_set_alloc_funcs(chaos_malloc, chaos_realloc,
 * chaos_free), it counts malloc and realloc calls, fails call number
 * chaos_fail_at (0: none) and keeps the number of live blocks, so that a
 * test can fail every allocation of an operation in turn and check that
 * nothing leaks. The Makefile links every tests/ file that is not a
 * test program into all test programs.
 */
#ifndef TESTS_CHAOS_H
#define TESTS_CHAOS_H

#include <stddef.h>

extern long chaos_allocs;	/* malloc + realloc calls since chaos_reset */
extern long chaos_fail_at;	/* 0: never fail; else fail call number N */
extern int chaos_injected;	/* a failure was injected since chaos_reset */
extern long chaos_live;		/* blocks handed out and not freed */

/* chaos_reset - zero the counters and fail call number fail_at (0: none) */
void chaos_reset(long fail_at);
void *chaos_malloc(size_t n);
void *chaos_realloc(void *p, size_t n);
void chaos_free(void *p);

#endif
