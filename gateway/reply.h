/*
 * reply.h - the SMTP client's reply parser (pure: bytes in, reply out)
 *
 * RFC 5321 §4.2: a reply is one or more lines "CODE-text" ending with a
 * line "CODE text" (or "CODE" alone); every line of one reply carries the
 * same code. Lines are bounded (GW_REPLY_LINE_MAX octets with the line
 * end, at most GW_REPLY_LINES_MAX lines), as spec-gateway.md §9 asks; a
 * reply that breaks a rule is malformed, never a crash.
 */
#ifndef GW_REPLY_H
#define GW_REPLY_H

#include <stddef.h>
#include <stdint.h>

#define GW_REPLY_LINE_MAX	512	/* octets per line, CR LF included */
#define GW_REPLY_LINES_MAX	100	/* lines per reply */
#define GW_REPLY_TEXT_MAX	512	/* text kept for logs and NDRs */

/* EHLO keywords the client uses (bits of gw_reply.ext) */
#define GW_EXT_PIPELINING	0x01
#define GW_EXT_8BITMIME		0x02
#define GW_EXT_SMTPUTF8		0x04
#define GW_EXT_SIZE		0x08
#define GW_EXT_ENHANCED		0x10

struct gw_reply {
	int code;			/* 200..599 */
	size_t nlines;
	char first[GW_REPLY_TEXT_MAX];	/* text of the first line */
	char text[GW_REPLY_TEXT_MAX];	/* "CODE text" of all lines, joined
					   by blanks, cut at the size */
	unsigned ext;			/* GW_EXT_* seen in lines 2..n */
	uint64_t size;			/* SIZE argument; 0: none or no limit */
};

/*
 * gw_reply_parse - look for one complete reply at the start of
 * buf[0..len). Returns the number of octets it used (> 0) with *r
 * filled; 0 when more octets are needed (nothing is kept between calls:
 * call again with the longer buffer); -1 when the octets are not a valid
 * reply, with the reason in r->text. Lines end in CR LF or a bare LF.
 */
long gw_reply_parse(struct gw_reply *r, const char *buf, size_t len);

#endif /* GW_REPLY_H */
