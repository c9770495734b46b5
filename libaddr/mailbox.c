/* mailbox.c - placeholder until the parser lands */
#include <string.h>
#include "addr_int.h"
void addr_mailbox_result_init(struct addr_mailbox_result *res)
{
	memset(res, 0, sizeof(*res));
}
void addr_mailbox_result_free(struct addr_mailbox_result *res)
{
	if (res) addr_mailbox_result_init(res);
}
int addr_mailbox_parse(struct addr_mailbox_result *out, const char *in,
		       size_t len, int production, unsigned flags,
		       struct addr_error *err)
{
	(void)in; (void)len; (void)production; (void)flags;
	addr_mailbox_result_init(out);
	out->category = ADDR_CAT_ERROR;
	return addr__error_set(err, ADDR_ESYNTAX, 0, "not implemented");
}
int addr_mailbox_normalize(struct addr_buf *a, struct addr_buf *d,
			   const struct addr_mailbox *m, unsigned nflags)
{
	(void)a; (void)d; (void)m; (void)nflags;
	return ADDR_EINVAL;
}
int addr_mailbox_quote_local(struct addr_buf *out, const char *l, size_t n)
{
	return addr_buf_put(out, l, n);
}
