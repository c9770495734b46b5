/*
 * downgrade.h - 8-bit content made 7-bit for a next hop without 8BITMIME
 */
#ifndef GW_DOWNGRADE_H
#define GW_DOWNGRADE_H

#include <stddef.h>

#include "addr.h"

/* gw_content_8bit - 1 if an octet of content is >= 0x80 */
int gw_content_8bit(const char *p, size_t n);

/*
 * gw_downgrade - msg[0..len) (CR LF lines) made 7-bit (RFC 6152 §3: a
 * client that cannot send 8-bit content converts it or returns it).
 * Every body with 8-bit octets is re-encoded, quoted-printable for
 * text parts and base64 for anything else, and its Content-Transfer-
 * Encoding set; multipart and message/rfc822 parts declared 8bit or
 * binary are declared 7bit; a message without MIME header fields gets
 * MIME-Version and Content-Type: text/plain; charset=unknown-8bit
 * (RFC 1428). Every other octet is copied.
 *
 * Returns 1 with the result in out; 0 when it cannot be done (8-bit
 * octets in a header field, inside a signed or encrypted part, or a
 * structure GMime does not read back alike) and -1 on error, both with
 * a reason in *why and out empty.
 */
int gw_downgrade(struct addr_buf *out, const char *msg, size_t len,
		 const char **why);

#endif /* GW_DOWNGRADE_H */
