/*
 * memrd.h - an addr_read_fn over a buffer in memory, for the tests of
 * the streaming readers (addr_*_read)
 *
 * memrd_read hands out at most piece octets a call (0: as many as
 * asked), so that records cross reads.
 */
#ifndef TESTS_MEMRD_H
#define TESTS_MEMRD_H

#include <stddef.h>

struct memrd {
	const char *p;
	size_t left;
	size_t piece;
};

void memrd_init(struct memrd *m, const char *p, size_t n, size_t piece);
long memrd_read(void *ctx, char *buf, size_t cap);

#endif
