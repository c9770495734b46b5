/*
 * mailbox_int.h - private interface between the address parser's files
 */
#ifndef ADDR_MAILBOX_INT_H
#define ADDR_MAILBOX_INT_H

#include "addr_int.h"

/* character classes (RFC 5322 §3.2.3, RFC 5234 B.1) */
extern const unsigned char addr__cclass[256];
#define ADDR__C_ATEXT	0x01u	/* atext */
#define ADDR__C_WSP	0x02u	/* SP, HT */
#define ADDR__C_QTEXT	0x04u	/* qtext: %d33 / %d35-91 / %d93-126 */
#define ADDR__C_CTEXT	0x08u	/* ctext: %d33-39 / %d42-91 / %d93-126 */
#define ADDR__C_DTEXT	0x10u	/* dtext: %d33-90 / %d94-126 */
#define ADDR__C_OBSCTL	0x20u	/* obs-NO-WS-CTL: %d1-8 / 11 / 12 / 14-31 / 127 */
#define ADDR__C_VCHAR	0x40u	/* %d33-126 */
#define ADDR__C_LDH	0x80u	/* letter, digit, hyphen */

#define addr__is(c, cls) (addr__cclass[(unsigned char)(c)] & (cls))

/* lex.c: s is dot-atom-text (UTF-8 counted as atext) */
int addr__dotatom_text(const char *s, size_t n);

/* rfc2047.c */
/* addr__rfc2047_decode - decode one encoded-word w[0..n) and append the
 * UTF-8 text (NFC is the caller's business). Returns 1 when decoded, 0
 * when w is not an encoded-word, ADDR_ESYNTAX when it is one that cannot
 * be decoded (nothing appended), ADDR_ENOMEM. */
int addr__rfc2047_decode(struct addr_buf *out, const char *w, size_t n);
/* addr__rfc2047_encode - append text as UTF-8 encoded-words (Q or B,
 * whichever is shorter, each at most 75 characters) */
int addr__rfc2047_encode(struct addr_buf *out, const char *s, size_t n);

#endif
