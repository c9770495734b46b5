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

/* one type=value pair of the key, as offsets into a scratch buffer */
struct ava {
	size_t off, len;
};

static int ava_cmp(const void *a, const void *b, void *base)
{
	const struct ava *x = a, *y = b;
	const char *s = base;
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

		for (j = i; j > 0 && ava_cmp(&v[j - 1], &t, (void *)base) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

#define MAX_AVA 16	/* pairs per RDN */

/*
 * addr__dn_key - key of dn[0..len) into out (cleared first). Returns 0,
 * ADDR_ESYNTAX (empty, a pair without "=", a bad escape, too many pairs
 * in one RDN, not UTF-8) or ADDR_ENOMEM.
 */
int addr__dn_key(struct addr_buf *out, const char *dn, size_t len)
{
	struct addr_buf pairs, val;
	struct ava av[MAX_AVA];
	size_t i = 0, nav, k;
	int rc = 0;

	addr_buf_clear(out);
	if (len == 0 || addr_utf8_check(dn, len) != len)
		return ADDR_ESYNTAX;
	addr_buf_init(&pairs);
	addr_buf_init(&val);
	for (;;) {		/* one RDN */
		if (pairs.oom) {	/* the clear would forget it */
			rc = ADDR_ENOMEM;
			goto out;
		}
		addr_buf_clear(&pairs);
		nav = 0;
		for (;;) {	/* one pair */
			size_t t0, t1, keep;

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
			av[nav].off = pairs.size;
			for (k = t0; k < t1; k++) {
				char c = dn[k];
				if (c >= 'A' && c <= 'Z')
					c = (char)(c + 32);
				addr_buf_putc(&pairs, c);
			}
			addr_buf_putc(&pairs, '=');
			while (i < len && dn[i] == ' ')
				i++;
			addr_buf_clear(&val);
			keep = 0;	/* value length without trailing
					 * unescaped spaces */
			while (i < len && dn[i] != ',' && dn[i] != '+' &&
			       dn[i] != ';') {
				if (dn[i] == '\\') {
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
						addr_buf_putc(&val,
							      (char)(h1 * 16 + h2));
						i += 3;
					} else {
						addr_buf_putc(&val, dn[i + 1]);
						i += 2;
					}
					keep = val.size;
					continue;
				}
				addr_buf_putc(&val, dn[i]);
				if (dn[i] != ' ')
					keep = val.size;
				i++;
			}
			addr_buf_truncate(&val, keep);
			if (val.oom) {
				rc = ADDR_ENOMEM;
				goto out;
			}
			if (addr_utf8_check(val.ptr, val.size) != val.size) {
				rc = ADDR_ESYNTAX;
				goto out;
			}
			{
				struct addr_buf f;

				addr_buf_init(&f);
				rc = addr__dir_fold(&f, val.ptr, val.size);
				for (k = 0; rc == 0 && k < f.size; k++) {
					char c = f.ptr[k];
					if (c == '\\' || c == ',' || c == '+' ||
					    c == '=')
						addr_buf_putc(&pairs, '\\');
					addr_buf_putc(&pairs, c);
				}
				addr_buf_free(&f);
				if (rc < 0)
					goto out;
			}
			av[nav].len = pairs.size - av[nav].off;
			nav++;
			if (i < len && dn[i] == '+') {
				i++;
				continue;
			}
			break;
		}
		sort_avas(av, nav, pairs.ptr);
		if (out->size > 0)
			addr_buf_putc(out, ',');
		for (k = 0; k < nav; k++) {
			if (k > 0)
				addr_buf_putc(out, '+');
			addr_buf_put(out, pairs.ptr + av[k].off, av[k].len);
		}
		if (i >= len)
			break;
		i++;		/* "," or ";" */
	}
	if (out->oom || pairs.oom)
		rc = ADDR_ENOMEM;
out:
	addr_buf_free(&pairs);
	addr_buf_free(&val);
	if (rc < 0)
		addr_buf_clear(out);
	return rc;
}
