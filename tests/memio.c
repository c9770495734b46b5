/*
 * memrd.c - an addr_read_fn over a buffer in memory (see memrd.h)
 */
#include <string.h>
#include "memio.h"

void memrd_init(struct memrd *m, const char *p, size_t n, size_t piece)
{
	m->p = p;
	m->left = n;
	m->piece = piece;
}

long memrd_read(void *ctx, char *buf, size_t cap)
{
	struct memrd *m = ctx;
	size_t n = m->left < cap ? m->left : cap;

	if (m->piece > 0 && n > m->piece)
		n = m->piece;
	if (n > 0)
		memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

int memwr_write(void *ctx, const char *buf, size_t len)
{
	struct memwr *w = ctx;

	if (++w->calls == w->fail_at)
		return -1;
	return addr_buf_put(&w->b, buf, len) < 0 ? -1 : 0;
}
