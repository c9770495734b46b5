/*
 * splice.h - change a few ranges of a message, located by GMime
 */
#ifndef GW_SPLICE_H
#define GW_SPLICE_H

#include <stddef.h>

#include <gmime/gmime.h>

#include "addr.h"

#define GW_MIME_MAX_DEPTH 32	/* multipart nesting followed */

/* one replaced range: msg[start..end) becomes pool[off..off+n) */
struct gw_splice_edit {
	size_t start, end;
	size_t seq;		/* order of edits at one offset */
	size_t off, n;
	int line;		/* header fields: must start a line */
};

struct gw_splice {
	const char *msg;	/* the input, borrowed */
	size_t len;
	GByteArray *src;	/* GMime's copy of msg */
	GMimeMessage *message;	/* GMime's reading of it */
	gint64 headers_end;	/* where the top header section ends, or -1 */
	struct addr_buf ed;	/* struct gw_splice_edit[] */
	struct addr_buf pool;	/* new octets of every edit */
	struct addr_buf top;	/* new fields of the top header section, for
				 * the caller to place (gw_splice_set_field) */
	int top_mime;		/* the top part got new or changed MIME fields */
	int oom, bad;
	const char *why;	/* the first failure */
};

/* gw_splice_gmime_init - g_mime_init(), once per process */
void gw_splice_gmime_init(void);

void gw_splice_init(struct gw_splice *sp, const char *msg, size_t len);
void gw_splice_free(struct gw_splice *sp);

/* gw_splice_parse - GMime's reading of the input; 0, or -1 (failed) */
int gw_splice_parse(struct gw_splice *sp);

/* gw_splice_read - GMime's reading of msg[0..len), NULL when it has
 * none; *src (nullable): the array of the stream the parts point into;
 * *headers_end (nullable): where the top header section ends, or -1 */
GMimeMessage *gw_splice_read(const char *msg, size_t len, GByteArray **src,
			     gint64 *headers_end);

/* gw_splice_fail - record the failure (the first reason is kept); -1 */
int gw_splice_fail(struct gw_splice *sp, const char *why);

/* gw_splice_push - record msg[start..end) := data[0..n); the edit, NULL
 * when out of memory */
struct gw_splice_edit *gw_splice_push(struct gw_splice *sp, size_t start,
				      size_t end, const char *data, size_t n);

/* gw_splice_field_span - where header h lies in msg: raw name, ':', raw
 * value; 0 or -1 */
int gw_splice_field_span(struct gw_splice *sp, GMimeHeader *h,
			 size_t *start, size_t *end);

/*
 * gw_splice_set_field - the part's fields called name become the one
 * field "name:value" (value with its leading blank): the first is
 * replaced, the others removed; without one, the field is added at the
 * end of the part's header section (at), or for the top part (top) to
 * sp->top. 0 or -1.
 */
int gw_splice_set_field(struct gw_splice *sp, GMimeObject *o, int top,
			size_t at, const char *name, const char *value);

/* gw_splice_body_range - the part's body in msg[*bs..*be); 1, 0 without
 * a body, -1 when it cannot be located */
int gw_splice_body_range(struct gw_splice *sp, GMimePart *p, size_t *bs,
			 size_t *be);

/* gw_splice_header_end - where a sub-part's header section ends: the
 * start of the empty line before its body at bs; 0 or -1 */
int gw_splice_header_end(struct gw_splice *sp, size_t bs, size_t *at);

/* gw_splice_shape - the MIME tree under o as text: "type/sub(child,...)" */
void gw_splice_shape(GString *s, GMimeObject *o, int depth);

/* gw_splice_assemble - the input with every edit applied, into out;
 * 0 or -1 */
int gw_splice_assemble(struct gw_splice *sp, struct addr_buf *out);

/*
 * gw_splice_reread - GMime's reading of the result out, when it has the
 * input's MIME tree (the same types, nested alike; the splice relies on
 * GMime's offsets, and GMime reads malformed header sections and
 * boundary lines in ways that new octets can change); NULL otherwise.
 * The caller unrefs it.
 */
GMimeMessage *gw_splice_reread(const struct gw_splice *sp,
			       const struct addr_buf *out);

#endif /* GW_SPLICE_H */
