/*
 * dir_resolve.c - which recipient an address names
 *
 * EXPORTS
 *	addr_dir_resolve()	any address form to a directory entry
 *
 * Forms, tried in this order: "<addr>" loses its angle brackets; a
 * value starting with "/" is a legacyExchangeDN (EX, X500 proxies and
 * legacyExchangeDN share one key space) or else an X.400 std-or address;
 * "TYPE:value" is a proxy of that type; an address with "@" is
 * de-encapsulated when it is IMCEA at a local domain, else looked up as
 * SMTP; anything else is tried as X.400 in any textual form. Each form
 * costs a fold and one hash lookup: no scan of the directory.
 */
#include <string.h>
#include "dir_int.h"

/* lookup - *out = the entry holding key as a proxy or legacyExchangeDN,
 * or NULL; 1 found, 0 not, ADDR_ENOMEM */
static int lookup(const struct addr_dir *d, const struct addr_buf *k,
		  const struct addr_dir_entry **out)
{
	struct addr__hit it = ADDR__HIT_INIT;
	const struct addr__href *h;

	*out = NULL;
	/* an empty key names nothing (and its buffer may have no octets:
	 * UBSan found the hash stepping a NULL pointer, fuzz/regressions/
	 * smtp_session/ubsan-null-offset-hash-lookup) */
	if (k->size == 0 || k->ptr == NULL)
		return 0;
	while ((h = addr__hmap_next(&d->keys, k->ptr, k->size, &it)) != NULL)
		if (h->e->keys[h->ki].tag != ADDR__K_TARGET) {
			*out = h->e;
			return 1;
		}
	return it.rc;
}

/* by_dn - legacyExchangeDN key space */
static int by_dn(const struct addr_dir *d, const char *v, size_t n,
		 const struct addr_dir_entry **out)
{
	struct addr_buf k;
	int rc;

	addr_buf_init(&k);
	addr_buf_putc(&k, '\1');
	rc = addr__dir_fold(&k, v, n);
	if (rc == 0)
		rc = lookup(d, &k, out);
	addr_buf_free(&k);
	return rc == ADDR_ENOMEM ? rc : *out != NULL;
}

/* by_x400 - any textual X.400 form, looked up by canonical form */
static int by_x400(const struct addr_dir *d, const char *v, size_t n,
		   const struct addr_dir_entry **out)
{
	struct addr_x400 x;
	struct addr_buf k;
	int rc;

	addr_x400_init(&x);
	addr_buf_init(&k);
	rc = addr_x400_parse(&x, v, n, ADDR_X400_AUTO, 0, NULL);
	if (rc >= 0) {
		addr_buf_puts(&k, "X400:");
		rc = addr_x400_format(&k, &x, ADDR_X400_EXCHANGE, 0, NULL);
	}
	if (rc >= 0) {
		struct addr_buf f;

		addr_buf_init(&f);
		addr_buf_puts(&f, "X400:");
		rc = addr__dir_fold(&f, k.ptr + 5, k.size - 5);
		if (rc == 0)
			rc = lookup(d, &f, out);
		addr_buf_free(&f);
	}
	addr_x400_free(&x);
	addr_buf_free(&k);
	if (rc == ADDR_ENOMEM)
		return rc;
	return *out != NULL;
}

/* by_proxy - "TYPE:value" through the proxy parser (stored form) */
static int by_proxy(const struct addr_dir *d, const char *v, size_t n,
		    const struct addr_dir_entry **out)
{
	struct addr_buf st, k;
	int rc, dnspace = 0;

	addr_buf_init(&st);
	addr_buf_init(&k);
	rc = addr_proxy_parse(&st, v, n, 0, NULL);
	if (rc >= 0)
		rc = addr__proxy_key(&k, st.ptr, st.size, &dnspace);
	if (rc >= 0 && dnspace) {
		const char *colon = memchr(st.ptr, ':', st.size);

		rc = by_dn(d, colon + 1, st.size - (size_t)(colon + 1 - st.ptr),
			   out);
	} else if (rc >= 0) {
		rc = lookup(d, &k, out);
	}
	addr_buf_free(&st);
	addr_buf_free(&k);
	if (rc == ADDR_ENOMEM)
		return rc;
	return rc > 0;
}

/* typed - "TYPE:" with a plausible proxy prefix before any "@" */
static int typed(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && i <= 9; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == ':')
			return i > 0;
		if (c <= ' ' || c >= 0x7f || c == '@' || c == '=' ||
		    c == ';' || c == '/' || c == '<' || c == '"')
			return 0;
	}
	return 0;
}

int addr_dir_resolve(const struct addr_dir *d, const char *in, size_t len,
		     const char *const *local, size_t nlocal, unsigned flags,
		     const struct addr_dir_entry **out,
		     struct addr_error *err)
{
	struct addr_buf dec;
	int rc;

	*out = NULL;
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>') {
		in++;
		len -= 2;
	}
	if (len == 0)
		return 0;
	if (in[0] == '/') {
		rc = by_dn(d, in, len, out);
		if (rc == 0)
			rc = by_x400(d, in, len, out);
		return rc;
	}
	if (typed(in, len))
		return by_proxy(d, in, len, out);
	if (memchr(in, '@', len) != NULL) {
		addr_buf_init(&dec);
		rc = addr_imcea_decode(&dec, in, len, local, nlocal,
				       (flags & ADDR_RESOLVE_IMCEA_STRICT) ?
				       ADDR_IMCEA_STRICT : 0, err);
		if (rc == 1)
			rc = by_proxy(d, dec.ptr, dec.size, out);
		else if (rc == 0) {
			struct addr_buf k;

			addr_buf_init(&k);
			addr_buf_puts(&k, "SMTP:");
			rc = addr__dir_fold(&k, in, len);
			if (rc == 0)
				rc = lookup(d, &k, out);
			addr_buf_free(&k);
		}
		addr_buf_free(&dec);
		return rc;
	}
	return by_x400(d, in, len, out);
}
