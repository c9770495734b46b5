/*
 * dns.c - MX records from a DNS response
 *
 * SYNOPSIS
 *	gw_dns_mx_parse()
 *
 * DESCRIPTION
 *	RFC 1035 §4.1 message format, read without libresolv so the unit
 *	tests (and a fuzz target) need nothing but the bytes. mta.c asks
 *	the resolver with res_query() and hands the answer here. A null MX
 *	(preference 0, exchange ".", RFC 7505) is returned with an empty
 *	host: the domain accepts no mail.
 */
#include <string.h>

#include "dns.h"

/* name - expand the name at off into out (dotted, no final dot);
 * returns the offset after the name in the record, or 0 on error */
static size_t
name(const unsigned char *m, size_t len, size_t off, char *out, size_t size)
{
	size_t o = 0, end = 0;
	unsigned jumps = 0;

	out[0] = '\0';
	for (;;) {
		unsigned l;

		if (off >= len)
			return 0;
		l = m[off];
		if ((l & 0xc0) == 0xc0) {
			if (off + 1 >= len || ++jumps > 64)
				return 0;
			if (end == 0)
				end = off + 2;
			off = ((l & 0x3f) << 8) | m[off + 1];
			continue;
		}
		if (l & 0xc0)
			return 0;	/* reserved label types */
		if (l == 0) {
			if (end == 0)
				end = off + 1;
			out[o] = '\0';
			return end;
		}
		if (off + 1 + l > len || o + l + 2 > size || o + l + 1 > 255)
			return 0;
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, m + off + 1, l);
		o += l;
		off += 1 + l;
	}
}

int
gw_dns_mx_parse(const unsigned char *m, size_t len, struct gw_mx *mx,
		size_t max, size_t *n, int *rcode)
{
	unsigned qd, an, i;
	size_t off = 12;
	char tmp[256];

	*n = 0;
	*rcode = 0;
	if (len < 12)
		return -1;
	*rcode = m[3] & 0x0f;
	qd = (unsigned)(m[4] << 8 | m[5]);
	an = (unsigned)(m[6] << 8 | m[7]);
	for (i = 0; i < qd; i++) {
		if ((off = name(m, len, off, tmp, sizeof(tmp))) == 0 ||
		    off + 4 > len)
			return -1;
		off += 4;
	}
	for (i = 0; i < an; i++) {
		unsigned type, class, rdlen;
		size_t rd;

		if ((off = name(m, len, off, tmp, sizeof(tmp))) == 0 ||
		    off + 10 > len)
			return -1;
		type = (unsigned)(m[off] << 8 | m[off + 1]);
		class = (unsigned)(m[off + 2] << 8 | m[off + 3]);
		rdlen = (unsigned)(m[off + 8] << 8 | m[off + 9]);
		rd = off + 10;
		if (rd + rdlen > len)
			return -1;
		off = rd + rdlen;
		if (type != 15 || class != 1)
			continue;	/* not an IN MX record */
		if (rdlen < 3 || *n >= max)
			continue;
		{
			struct gw_mx x;
			size_t j;

			x.pref = (unsigned)(m[rd] << 8 | m[rd + 1]);
			if (name(m, len, rd + 2, x.host, sizeof(x.host)) == 0)
				return -1;
			/* insertion keeps equal preferences in order */
			j = *n;
			while (j > 0 && mx[j - 1].pref > x.pref) {
				mx[j] = mx[j - 1];
				j--;
			}
			mx[j] = x;
			(*n)++;
		}
	}
	return 0;
}
