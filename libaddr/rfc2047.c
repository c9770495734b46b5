/*
 * rfc2047.c - RFC 2047 encoded-words in display names
 *
 * EXPORTS
 *	addr__rfc2047_decode()	decode one encoded-word (B or Q) to UTF-8
 *	addr__rfc2047_encode()	write UTF-8 text as encoded-words
 *
 * Decoding follows spec-address.md §1.3.6: the charset goes to ICU (an
 * RFC 2231 language suffix removed), conversion stops at the first
 * illegal or unmappable sequence, and a result with control characters
 * is refused, since decoding must not produce what the field could not
 * carry (RFC 6532 §3.6). Encoding follows §5 rule 4.
 */
#include <string.h>
#include "mailbox_int.h"

/* decode_b - RFC 4648 base64, padding optional; -1 if malformed */
static int decode_b(const unsigned char *s, size_t n, char *out, size_t *olen)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i, pad = 0;

	*olen = 0;
	for (i = 0; i < n; i++) {
		int v;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad)
			return -1;	/* data after padding */
		v = addr__b64val(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*olen)++] = (char)((acc >> bits) & 0xFF);
		}
	}
	if (pad > 2 || bits >= 6)
		return -1;
	return 0;
}

/* decode_q - RFC 2047 §4.2 */
static int decode_q(const unsigned char *s, size_t n, char *out, size_t *olen)
{
	size_t i;

	*olen = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '_') {
			out[(*olen)++] = ' ';
		} else if (s[i] == '=') {
			int h, l;
			if (i + 2 >= n + 0 && i + 2 > n - 1 + 1)
				return -1;
			if (i + 2 >= n + 1)
				return -1;
			h = addr__hexval(s[i + 1]);
			l = addr__hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			out[(*olen)++] = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] > 32 && s[i] < 127 && s[i] != '?') {
			out[(*olen)++] = (char)s[i];
		} else {
			return -1;
		}
	}
	return 0;
}

int addr__rfc2047_decode(struct addr_buf *out, const char *w, size_t n)
{
	const unsigned char *s = (const unsigned char *)w;
	size_t q1, q2, i, dlen, mark = out->size, cslen;
	char charset[64], *dec;
	int rc, bad = 0;

	if (n < 8 || s[0] != '=' || s[1] != '?' || s[n - 2] != '?' || s[n - 1] != '=')
		return 0;
	for (q1 = 2; q1 < n - 2 && s[q1] != '?'; q1++)
		;
	for (q2 = q1 + 1; q2 < n - 2 && s[q2] != '?'; q2++)
		;
	if (q1 >= n - 2 || q2 >= n - 2 || q1 == 2 || q2 != q1 + 2)
		return 0;
	for (i = q2 + 1; i < n - 2; i++)
		if (s[i] == '?')
			return 0;
	/* charset, less an RFC 2231 language suffix */
	cslen = q1 - 2;
	for (i = 2; i < q1; i++)
		if (s[i] == '*') {
			cslen = i - 2;
			break;
		}
	if (cslen == 0 || cslen >= sizeof(charset))
		return ADDR_ESYNTAX;
	memcpy(charset, s + 2, cslen);
	charset[cslen] = '\0';

	dec = addr__malloc(n);
	if (dec == NULL)
		return ADDR_ENOMEM;
	if (s[q1 + 1] == 'B' || s[q1 + 1] == 'b')
		rc = decode_b(s + q2 + 1, n - 2 - (q2 + 1), dec, &dlen);
	else if (s[q1 + 1] == 'Q' || s[q1 + 1] == 'q')
		rc = decode_q(s + q2 + 1, n - 2 - (q2 + 1), dec, &dlen);
	else
		rc = -1;
	if (rc < 0) {
		addr__free(dec);
		return ADDR_ESYNTAX;
	}
	rc = addr__text_decode(out, charset, dec, dlen);
	addr__free(dec);
	if (rc == ADDR_ENOMEM)
		return rc;
	if (rc < 0) {
		addr_buf_truncate(out, mark);
		return ADDR_ESYNTAX;
	}
	for (i = mark; i < out->size; i++) {
		unsigned char c = (unsigned char)out->ptr[i];
		if ((c < 0x20 && c != '\t') || c == 0x7F)
			bad = 1;
	}
	if (bad) {
		addr_buf_truncate(out, mark);
		return ADDR_ESYNTAX;
	}
	return 1;
}

/* q_len - octets of one octet in Q encoding under the phrase rules */
static size_t q_len(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/' || c == ' ')
		return 1;
	return 3;
}

static size_t b_len(size_t octets)
{
	return (octets + 2) / 3 * 4;
}

static int put_q(struct addr_buf *out, const unsigned char *s, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;

	addr_buf_puts(out, "=?UTF-8?Q?");
	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			addr_buf_putc(out, '_');
		else if (q_len(s[i]) == 1)
			addr_buf_putc(out, (char)s[i]);
		else {
			char e[3] = { '=', hx[s[i] >> 4], hx[s[i] & 15] };
			addr_buf_put(out, e, 3);
		}
	}
	return addr_buf_puts(out, "?=");
}

static int put_b(struct addr_buf *out, const unsigned char *s, size_t n)
{
	static const char tb[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	addr_buf_puts(out, "=?UTF-8?B?");
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		char e[4];
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		e[0] = tb[(v >> 18) & 63];
		e[1] = tb[(v >> 12) & 63];
		e[2] = i + 1 < n ? tb[(v >> 6) & 63] : '=';
		e[3] = i + 2 < n ? tb[v & 63] : '=';
		addr_buf_put(out, e, 4);
	}
	return addr_buf_puts(out, "?=");
}

int addr__rfc2047_encode(struct addr_buf *out, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, start, qlen, k, j;
	/* "=?UTF-8?Q?" + "?=" leave 63 characters of encoded text */
	const size_t room = 75 - 12;

	while (i < n) {
		start = i;
		qlen = 0;
		while (i < n) {
			size_t cl = addr__utf8_seqlen(s + i, n - i), add = 0;
			if (cl == 0)
				cl = 1;
			for (k = 0; k < cl; k++)
				add += q_len(s[i + k]);
			if (i > start && (qlen + add > room && b_len(i + cl - start) > room))
				break;
			qlen += add;
			i += cl;
		}
		if (start > 0)
			addr_buf_putc(out, ' ');
		/* Q on a tie; each word must fit on its own */
		if (qlen <= b_len(i - start) && qlen <= room) {
			put_q(out, s + start, i - start);
		} else {
			put_b(out, s + start, i - start);
		}
		(void)j;
	}
	return out->oom ? ADDR_ENOMEM : 0;
}
