/*
 * alloc.c - the allocator libaddr uses for everything it allocates
 *
 * EXPORTS
 *	addr_set_alloc_funcs()	install caller functions (tests use it to
 *				fail allocations one by one)
 *	addr_free()		free memory libaddr handed out
 *	addr__malloc(), addr__realloc(), addr__free()
 */
#include <stdlib.h>
#include "addr_int.h"

static addr_malloc_fn do_malloc = malloc;
static addr_realloc_fn do_realloc = realloc;
static addr_free_fn do_free = free;

/* addr_set_alloc_funcs - install an allocator; NULLs restore libc's */
void addr_set_alloc_funcs(addr_malloc_fn m, addr_realloc_fn r, addr_free_fn f)
{
	if (m == NULL || r == NULL || f == NULL) {
		do_malloc = malloc;
		do_realloc = realloc;
		do_free = free;
		return;
	}
	do_malloc = m;
	do_realloc = r;
	do_free = f;
}

void *addr__malloc(size_t n)
{
	return do_malloc(n ? n : 1);
}

void *addr__realloc(void *p, size_t n)
{
	return do_realloc(p, n ? n : 1);
}

void addr__free(void *p)
{
	if (p != NULL)
		do_free(p);
}

/* addr_free - free memory returned to the caller by libaddr */
void addr_free(void *p)
{
	addr__free(p);
}
