/*
 * ps.c - ps-encoding: ASCII <-> PrintableString (RFC 2156 §3.4)
 *
 * EXPORTS
 *	addr_ps_encode()	"100%name@address" -> "100(p)name(a)address"
 *	addr_ps_decode()	"(q)(u)(p)(q)" -> "\"_%\""
 *
 * spec-x400.md §3.4. The gateway uses this only on the value of an
 * RFC-822 DDA, which is known to come from ASCII. The seven specials
 * are written lower case and read in any case; every other character
 * outside ps-restricted-char is "(NNN)", three decimal digits, 000..127.
 * A decode that meets anything else fails, or with ADDR_PS_PASSTHROUGH
 * hands the input back unaltered, as §3.4 permits. A failing call
 * leaves the buffer as it found it.
 */
#include <string.h>
#include "addr_int.h"

static const char specials[] = "@%!\"_()";
static const char letters[] = "apbqulr";

/* is_restricted - ps-restricted-char: DIGIT / ALPHA / SP / '+,-./:=? */
static int is_restricted(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr(" '+,-./:=?", c) != NULL;
}

/* addr_ps_encode - ASCII -> ps-encoded */
int addr_ps_encode(struct addr_buf *out, const char *in, size_t len,
		   struct addr_error *err)
{
	const char *sp;
	size_t i, start = out->size;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x80) {
			addr_buf_truncate(out, start);
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       "not ASCII");
		}
		if (is_restricted(c)) {
			addr_buf_putc(out, (char)c);
		} else if (c != '\0' && (sp = strchr(specials, c)) != NULL) {
			addr_buf_putc(out, '(');
			addr_buf_putc(out, letters[sp - specials]);
			addr_buf_putc(out, ')');
		} else {
			char num[5] = { '(', (char)('0' + c / 100),
					(char)('0' + c / 10 % 10),
					(char)('0' + c % 10), ')' };

			addr_buf_put(out, num, sizeof(num));
		}
	}
	if (out->oom)
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return 0;
}

/* decode_one - the ps-encoded-char at in[i] ("(" seen): its length
 * (3 or 5) and *c, or 0 when it does not parse */
static size_t decode_one(const char *in, size_t len, size_t i, char *c)
{
	const char *lp;
	unsigned v;

	if (len - i >= 3 && in[i + 2] == ')' && in[i + 1] != '\0') {
		char l = in[i + 1];

		if (l >= 'A' && l <= 'Z')
			l = (char)(l - 'A' + 'a');
		if ((lp = strchr(letters, l)) != NULL) {
			*c = specials[lp - letters];
			return 3;
		}
	}
	if (len - i >= 5 && in[i + 4] == ')' &&
	    in[i + 1] >= '0' && in[i + 1] <= '9' &&
	    in[i + 2] >= '0' && in[i + 2] <= '9' &&
	    in[i + 3] >= '0' && in[i + 3] <= '9') {
		v = (unsigned)(in[i + 1] - '0') * 100 +
		    (unsigned)(in[i + 2] - '0') * 10 + (unsigned)(in[i + 3] - '0');
		if (v <= 127) {
			*c = (char)v;
			return 5;
		}
	}
	return 0;
}

/* addr_ps_decode - ps-encoded -> ASCII */
int addr_ps_decode(struct addr_buf *out, const char *in, size_t len,
		   unsigned flags, struct addr_error *err)
{
	size_t i = 0, start = out->size, n;
	char c;

	while (i < len) {
		if (in[i] == '(') {
			if ((n = decode_one(in, len, i, &c)) == 0)
				goto bad;
			addr_buf_putc(out, c);
			i += n;
		} else if (is_restricted((unsigned char)in[i])) {
			addr_buf_putc(out, in[i++]);
		} else {
			goto bad;
		}
	}
	if (out->oom)
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	return 0;
bad:
	if (flags & ADDR_PS_PASSTHROUGH) {
		addr_buf_truncate(out, start);
		if (addr_buf_put(out, in, len) < 0)
			return addr__error_set(err, ADDR_ENOMEM, 0,
					       "out of memory");
		return 1;
	}
	addr_buf_truncate(out, start);
	return addr__error_set(err, ADDR_ESYNTAX, i,
			       in[i] == '(' ? "not a ps-encoded character" :
			       "not a PrintableString character");
}
