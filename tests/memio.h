/*
 * memio.h - an addr_read_fn over a buffer in memory and an
 * addr_write_fn into one, for the tests of the streaming readers
 * (addr_*_read) and writers (addr_dir_write_*_to, addr_dir_stream_*)
 *
 * memrd_read hands out at most piece octets a call (0: as many as
 * asked), so that records cross reads. memwr_write appends to b and
 * fails its call number fail_at (0: none).
 */
#ifndef TESTS_MEMIO_H
#define TESTS_MEMIO_H

#include <stddef.h>
#include "addr.h"

struct memrd {
	const char *p;
	size_t left;
	size_t piece;
};

void memrd_init(struct memrd *m, const char *p, size_t n, size_t piece);
long memrd_read(void *ctx, char *buf, size_t cap);

struct memwr {
	struct addr_buf b;
	size_t calls, fail_at;
};

int memwr_write(void *ctx, const char *buf, size_t len);

#endif
