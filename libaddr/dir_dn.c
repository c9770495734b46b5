/*
 * dir_dn.c - comparison keys of LDAP DNs (RFC 4514)
 *
 * EXPORTS
 *	addr__dn_key()	the key under which two DNs that name the same
 *			object compare equal
 *
 * Two DNs are equal when their RDNs are, in order; RDNs are equal as sets
 * of type=value pairs; types compare case-insensitively; values compare
 * after unescaping (\c and \XX), dropping the unescaped spaces around
 * them and folding (spec-directory.md §2: ASCII, ICU full case folding
 * for non-ASCII). The key writes every pair as type "=" value with
 * "\" escaping "\", ",", "+", "=", sorts the pairs of a multi-valued RDN
 * and joins RDNs with ",". Values in "#hex" form are kept as written.
 */
#include <stdlib.h>
#include <string.h>
#include "dir_int.h"

/* one type=value pair of the key, as offsets into the key being built */
struct ava {
	size_t off, len;
};

static int ava_cmp(const struct ava *x, const struct ava *y, const char *s)
{
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(s + x->off, s + y->off, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* sort_avas - insertion sort (RDNs have few pairs) */
static void sort_avas(struct ava *v, size_t n, const char *base)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct ava t = v[i];

		for (j = i; j > 0 && ava_cmp(&v[j - 1], &t, base) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

#define MAX_AVA 16	/* pairs per RDN */
#define SCRATCH 256	/* a value or an RDN this short needs no malloc */

/* put_value - append the folded value f[0..n) with its specials escaped */
static void put_value(struct addr_buf *out, const char *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = f[i];

		if (c == '\\' || c == ',' || c == '+' || c == '=')
			addr__buf_putc(out, '\\');
		addr__buf_putc(out, c);
	}
}

/* sort_rdn - put the pairs of the RDN out[rdn0..] in key order, joined
 * by "+"; 0 or ADDR_ENOMEM */
static int sort_rdn(struct addr_buf *out, size_t rdn0, struct ava *av,
		    size_t nav)
{
	char small[SCRATCH], *t = small;
	size_t n = out->size - rdn0, k;

	sort_avas(av, nav, out->ptr);
	if (n > sizeof(small) && (t = addr__malloc(n)) == NULL)
		return ADDR_ENOMEM;
	memcpy(t, out->ptr + rdn0, n);
	addr_buf_truncate(out, rdn0);
	for (k = 0; k < nav; k++) {
		if (k > 0)
			addr__buf_putc(out, '+');
		addr_buf_put(out, t + (av[k].off - rdn0), av[k].len);
	}
	if (t != small)
		addr__free(t);
	return out->oom ? ADDR_ENOMEM : 0;
}

/*
 * simple_key - the key of a DN in the shape nearly every directory
 * writes (ASCII; one type=value per RDN joined by ","; no space next to
 * a separator or at either end; no escape but \\, \\+ \\\\ \\=, which
 * the key writes the same way), which is the DN in lower case, into out
 * (cleared). 1 when dn has that shape, 0 when the general path must do
 * it (out untouched), ADDR_ENOMEM.
 */
static int simple_key(struct addr_buf *out, const char *dn, size_t len)
{
	size_t i, eq = 0, rdn = 0;
	char *o;

	if (dn[0] == ' ' || dn[len - 1] == ' ')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)dn[i];

		switch (c) {
		case '\\':	/* in a value only: a type knows no escapes */
			if (eq == 0 || i + 1 >= len ||
			    (dn[i + 1] != ',' && dn[i + 1] != '+' &&
					     dn[i + 1] != '\\' && dn[i + 1] != '='))
				return 0;
			i++;
			continue;
		case '=':
		case ',':
			if (i == rdn || dn[i - 1] == ' ' ||
			    (i + 1 < len && dn[i + 1] == ' '))
				return 0;
			if (c == '=' ? eq++ != 0 : eq != 1)
				return 0;	/* a second "=", an RDN without */
			if (c == ',') {
				eq = 0;
				rdn = i + 1;
			}
			continue;
		case '+':
		case ';':
			return 0;
		default:
			if (c >= 0x80)
				return 0;
		}
	}
	if (eq != 1)
		return 0;	/* the last RDN has no "=" (or is empty) */
	addr_buf_clear(out);
	if (addr_buf_grow(out, len) < 0)
		return ADDR_ENOMEM;
	o = out->ptr;
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, dn + i, 8);
		w = addr__lower8(w);
		memcpy(o + i, &w, 8);
	}
	for (; i < len; i++)
		o[i] = (char)(dn[i] >= 'A' && dn[i] <= 'Z' ? dn[i] + 32 : dn[i]);
	out->size = len;
	o[len] = '\0';
	return 1;
}

/*
 * addr__dn_key - key of dn[0..len) into out (cleared first). Returns 0,
 * ADDR_ESYNTAX (empty, a pair without "=", a bad escape, too many pairs
 * in one RDN, not UTF-8) or ADDR_ENOMEM.
 *
 * One pass over the DN, writing into out: each value is unescaped into a
 * scratch area (on the stack unless it is long), then folded and escaped
 * into out; a multi-valued RDN is sorted in place afterwards. Only a
 * non-ASCII value (ICU folding), a long value or a long multi-valued RDN
 * allocates.
 */
int addr__dn_key(struct addr_buf *out, const char *dn, size_t len)
{
	struct ava av[MAX_AVA];
	char small[SCRATCH], *val = small;
	struct addr_buf f;
	size_t i = 0, nav, k, vn, keep, rdn0;
	int rc = 0, ascii;

	addr_buf_clear(out);
	if (len == 0)
		return ADDR_ESYNTAX;
	if ((rc = simple_key(out, dn, len)) != 0)
		return rc < 0 ? rc : 0;
	if (addr_utf8_check(dn, len) != len)
		return ADDR_ESYNTAX;
	addr_buf_init(&f);
	/* an unescaped value is never longer than what is left of the DN */
	if (len > sizeof(small) && (val = addr__malloc(len)) == NULL)
		return ADDR_ENOMEM;
	/* each DN octet gives at most two key octets (a raw "=" in a value
	 * is escaped): one reservation serves every ASCII DN */
	if (len <= ((size_t)-1) / 2 - 1)
		addr_buf_grow(out, 2 * len);
	for (;;) {		/* one RDN */
		if (out->size > 0)
			addr__buf_putc(out, ',');
		rdn0 = out->size;
		nav = 0;
		for (;;) {	/* one pair */
			size_t t0, t1;

			while (i < len && dn[i] == ' ')
				i++;
			t0 = i;
			while (i < len && dn[i] != '=' && dn[i] != ',' &&
			       dn[i] != '+')
				i++;
			if (i >= len || dn[i] != '=') {
				rc = ADDR_ESYNTAX;
				goto out;
			}
			t1 = i++;
			while (t1 > t0 && dn[t1 - 1] == ' ')
				t1--;
			if (t1 == t0 || nav == MAX_AVA) {
				rc = ADDR_ESYNTAX;
				goto out;
			}
			if (nav > 0)
				addr__buf_putc(out, '+');
			av[nav].off = out->size;
			for (k = t0; k < t1; k++) {
				char c = dn[k];
				if (c >= 'A' && c <= 'Z')
					c = (char)(c + 32);
				addr__buf_putc(out, c);
			}
			addr__buf_putc(out, '=');
			while (i < len && dn[i] == ' ')
				i++;
			vn = 0;
			keep = 0;	/* value length without trailing
					 * unescaped spaces */
			ascii = 1;
			while (i < len && dn[i] != ',' && dn[i] != '+' &&
			       dn[i] != ';') {
				unsigned char c = (unsigned char)dn[i];

				if (c == '\\') {
					int h1, h2;

					if (i + 1 >= len) {
						rc = ADDR_ESYNTAX;
						goto out;
					}
					h1 = addr__hexval(
						(unsigned char)dn[i + 1]);
					h2 = i + 2 < len ? addr__hexval(
						(unsigned char)dn[i + 2]) : -1;
					if (h1 >= 0 && h2 >= 0) {
						c = (unsigned char)(h1 * 16 + h2);
						i += 3;
					} else {
						c = (unsigned char)dn[i + 1];
						i += 2;
					}
					val[vn++] = (char)c;
					keep = vn;
				} else {
					val[vn++] = (char)c;
					if (c != ' ')
						keep = vn;
					i++;
				}
				if (c >= 0x80)
					ascii = 0;
			}
			vn = keep;
			if (ascii) {
				for (k = 0; k < vn; k++) {
					char c = val[k];

					if (c >= 'A' && c <= 'Z')
						c = (char)(c + 32);
					else if (c == '\\' || c == ',' ||
						 c == '+' || c == '=')
						addr__buf_putc(out, '\\');
					addr__buf_putc(out, c);
				}
			} else {
				if (addr_utf8_check(val, vn) != vn) {
					rc = ADDR_ESYNTAX;
					goto out;
				}
				addr_buf_clear(&f);
				if ((rc = addr__dir_fold(&f, val, vn)) < 0)
					goto out;
				put_value(out, f.ptr, f.size);
			}
			av[nav].len = out->size - av[nav].off;
			nav++;
			if (i < len && dn[i] == '+') {
				i++;
				continue;
			}
			break;
		}
		if (nav > 1 && !out->oom &&
		    (rc = sort_rdn(out, rdn0, av, nav)) < 0)
			goto out;
		if (i >= len)
			break;
		i++;		/* "," or ";" */
	}
	if (out->oom)
		rc = ADDR_ENOMEM;
out:
	if (val != small)
		addr__free(val);
	addr_buf_free(&f);
	if (rc < 0)
		addr_buf_clear(out);
	return rc;
}
