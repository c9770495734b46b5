/*
 * buf.c - caller-owned growable string buffers
 *
 * EXPORTS
 *	addr_buf_init(), addr_buf_free(), addr_buf_clear()
 *	addr_buf_put(), addr_buf_puts(), addr_buf_putc(), addr_buf_grow()
 *	addr_buf_truncate(), addr_buf_detach()
 *	addr__buf_putc_slow()	the growing path of addr__buf_putc
 *				(addr_int.h, inline)
 *
 * A buffer is always NUL-terminated. An empty buffer points to a static
 * empty string, so initialising one allocates nothing. A failed append
 * marks the buffer oom; later appends fail too, so a caller can write a
 * sequence and check once at the end.
 */
#include <string.h>
#include "addr_int.h"

static char empty[1];

void addr_buf_init(struct addr_buf *buf)
{
	buf->ptr = empty;
	buf->size = 0;
	buf->asize = 0;
	buf->oom = 0;
}

void addr_buf_free(struct addr_buf *buf)
{
	if (buf == NULL)
		return;
	if (buf->asize)
		addr__free(buf->ptr);
	addr_buf_init(buf);
}

void addr_buf_clear(struct addr_buf *buf)
{
	buf->size = 0;
	buf->oom = 0;
	if (buf->asize)
		buf->ptr[0] = '\0';
}

/* addr_buf_grow - room for size octets and the NUL */
int addr_buf_grow(struct addr_buf *buf, size_t size)
{
	size_t want, nsize;
	char *p;

	if (buf->oom)
		return ADDR_ENOMEM;
	if (addr__size_add(&want, size, 1) < 0)
		goto fail;
	if (want <= buf->asize)
		return 0;
	nsize = buf->asize ? buf->asize : 32;
	while (nsize < want) {
		if (nsize > (size_t)-1 / 2) {
			nsize = want;
			break;
		}
		nsize *= 2;
	}
	p = buf->asize ? addr__realloc(buf->ptr, nsize) : addr__malloc(nsize);
	if (p == NULL)
		goto fail;
	if (!buf->asize)
		p[0] = '\0';
	buf->ptr = p;
	buf->asize = nsize;
	return 0;
fail:
	buf->oom = 1;
	return ADDR_ENOMEM;
}

int addr_buf_put(struct addr_buf *buf, const char *data, size_t len)
{
	size_t need;

	/* the common case: room for the data and the NUL (asize is 0 or
	 * more than size, so the subtraction cannot wrap) */
	if (!buf->oom && len < buf->asize - buf->size) {
		if (len)
			memmove(buf->ptr + buf->size, data, len);
		buf->size += len;
		buf->ptr[buf->size] = '\0';
		return 0;
	}
	if (addr__size_add(&need, buf->size, len) < 0) {
		buf->oom = 1;
		return ADDR_ENOMEM;
	}
	if (addr_buf_grow(buf, need) < 0)
		return ADDR_ENOMEM;
	if (len)
		memmove(buf->ptr + buf->size, data, len);
	buf->size = need;
	buf->ptr[need] = '\0';
	return 0;
}

int addr_buf_puts(struct addr_buf *buf, const char *str)
{
	return addr_buf_put(buf, str, strlen(str));
}

int addr_buf_putc(struct addr_buf *buf, char c)
{
	return addr__buf_putc(buf, c);
}

/* addr__buf_putc_slow - the growing path of addr__buf_putc */
int addr__buf_putc_slow(struct addr_buf *buf, char c)
{
	return addr_buf_put(buf, &c, 1);
}

void addr_buf_truncate(struct addr_buf *buf, size_t len)
{
	if (len >= buf->size)
		return;
	buf->size = len;
	buf->ptr[len] = '\0';
}

/* addr_buf_detach - the caller owns the string (addr_free); NULL on oom */
char *addr_buf_detach(struct addr_buf *buf)
{
	char *p;

	if (buf->oom) {
		addr_buf_free(buf);
		return NULL;
	}
	if (!buf->asize && addr_buf_grow(buf, 0) < 0) {
		addr_buf_free(buf);
		return NULL;
	}
	p = buf->ptr;
	addr_buf_init(buf);
	return p;
}
