/*
 * result.h - private interface of result.c (storage of parse results)
 */
#ifndef ADDR_RESULT_H
#define ADDR_RESULT_H

#include "addr_int.h"

/* reset a result for a new parse, keeping the scratch buffers */
void addr__result_reset(struct addr_mailbox_result *r);
/* arena allocation, 8-aligned, freed with the result; NULL on ENOMEM */
void *addr__result_alloc(struct addr_mailbox_result *r, size_t n);
/* copy n octets and a NUL into the arena */
char *addr__result_strdup(struct addr_mailbox_result *r, const char *s, size_t n);
/* append a diagnosis; 0 or ADDR_ENOMEM */
int addr__result_diag(struct addr_mailbox_result *r, int code, size_t off);
/* diagnoses recorded so far (unsorted during the parse) */
struct addr_diag *addr__result_diags(struct addr_mailbox_result *r, size_t *n);
void addr__result_set_ndiag(struct addr_mailbox_result *r, size_t n);
/* zero one mailbox */
void addr__mailbox_clear(struct addr_mailbox *m);
/* append a top-level address (zeroed); NULL on ENOMEM */
struct addr_mailbox *addr__result_new_addr(struct addr_mailbox_result *r);
/* sort diagnoses, compute categories and primary, and the per-address
 * diagnosis ranges; with an error the addresses are dropped */
int addr__result_finish(struct addr_mailbox_result *r);

#endif
