/*
 * smtp_reply.c - fuzz target: the SMTP client's reply parser
 *
 * DESCRIPTION
 *	Input: octets as a next hop might send them. gw_reply_parse is
 *	called repeatedly over the buffer, as the client does: a reply it
 *	accepts uses at least one octet and no more than it was given and
 *	has a code from 200 to 599; feeding any prefix of a reply gives
 *	"need more" or the same verdict, never a different reply. Any
 *	violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../gateway/reply.c"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t off = 0;
	struct gw_reply r, q;
	long used, u2;

	while (off < size) {
		used = gw_reply_parse(&r, buf + off, size - off);
		if (used == 0 || used < 0)
			break;
		if ((size_t)used > size - off || r.code < 200 || r.code > 599)
			abort();
		/* a shorter buffer that still holds the whole reply agrees */
		u2 = gw_reply_parse(&q, buf + off, (size_t)used);
		if (u2 != used || q.code != r.code || q.nlines != r.nlines)
			abort();
		off += (size_t)used;
	}
	return 0;
}
