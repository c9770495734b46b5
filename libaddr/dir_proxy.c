/*
 * dir_proxy.c - proxy addresses "TYPE:value" (spec-imcea-proxy.md §2)
 *
 * EXPORTS
 *	addr_proxy_parse()	validate a proxy, give its stored form and
 *				whether it is primary (R18-R22, §2.3)
 *	addr_proxy_key()	the comparison key of a stored proxy (§4.2)
 *	addr__proxy_key()	the same, and whether the value lives in the
 *				legacyExchangeDN key space (X500, EX)
 *	addr__str_ieq()		ASCII case-insensitive equality
 */
#include <string.h>
#include "dir_int.h"
#include "imcea_int.h"

#define PROXY_MAX	1123	/* proxyAddresses range upper (R21) */
#define PREFIX_MAX	9	/* R20 */
#define SMTP_TOTAL	571	/* R7 */
#define SMTP_LOCAL	315
#define SMTP_DOMAIN	255

int addr__str_ieq(const char *s, size_t n, const char *z)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)z[i];

		if (b == 0)
			return 0;
		if (a == b)	/* names are usually spelt alike */
			continue;
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b + 32);
		if (a != b)
			return 0;
	}
	return z[n] == '\0';
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* check_smtp - R21 SMTP: "<>", or an addr-spec within R7's limits
 * whose domain is a name */
static int check_smtp(const char *v, size_t n, struct addr_error *err)
{
	struct addr_mailbox_result r;
	size_t at = n, i;
	int rc;

	if (n == 2 && v[0] == '<' && v[1] == '>')
		return 0;
	for (i = 0; i < n; i++)
		if (v[i] == '@')
			at = i;
	if (n > SMTP_TOTAL || (at < n && at > SMTP_LOCAL) ||
	    (at < n && n - at - 1 > SMTP_DOMAIN))
		return addr__error_set(err, ADDR_ETOOLONG, 0,
				       "SMTP address too long");
	if (at < n && addr__imcea_smtp_quick(v, n, at))
		return 0;
	addr_mailbox_result_init(&r);
	rc = addr_mailbox_parse(&r, v, n, ADDR_P_ADDR_SPEC, ADDR_F_UTF8, NULL);
	if (rc == 0 && r.addr[0].domain_kind != ADDR_DK_NAME)
		rc = addr__error_set(err, ADDR_ESYNTAX, 0,
				     "SMTP address with an address literal");
	else if (rc == ADDR_ENOMEM)
		rc = addr__error_set(err, rc, 0, "out of memory");
	else if (rc < 0)
		rc = addr__error_set(err, ADDR_ESYNTAX, 0,
				     "invalid SMTP address");
	addr_mailbox_result_free(&r);
	return rc;
}

/* put_x400 - the canonical Exchange form of an X400 value */
static int put_x400(struct addr_buf *out, const char *v, size_t n,
		    unsigned flags, struct addr_error *err)
{
	struct addr_x400 x;
	struct addr_error e;
	unsigned xf = (flags & ADDR_PROXY_X400_STRICT) ? ADDR_X400_STRICT : 0;
	int rc;

	if (n >= 5 && addr__str_ieq(v, 5, "x400:"))
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "invalid X.400 address: unknown key "
				       "\"X400\"");
	addr_x400_init(&x);
	rc = addr_x400_parse(&x, v, n, ADDR_X400_EXCHANGE, xf, &e);
	if (rc >= 0)
		rc = addr_x400_format(out, &x, ADDR_X400_EXCHANGE, xf, &e);
	addr_x400_free(&x);
	if (rc == ADDR_ENOMEM)
		return addr__error_set(err, rc, 0, "out of memory");
	if (rc < 0)
		return addr__error_set(err, rc == ADDR_ETOOLONG ? rc :
				       ADDR_ESYNTAX, 0,
				       "invalid X.400 address: %s", e.message);
	return 0;
}

/* check_eum - ";phone-context=" exactly once (any case) */
static int check_eum(const char *v, size_t n, struct addr_error *err)
{
	static const char pc[] = ";phone-context=";
	size_t i, m = sizeof(pc) - 1, count = 0;

	for (i = 0; i + m <= n; i++)
		if (addr__str_ieq(v + i, m, pc))
			count++;
	if (count != 1)
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "EUM address needs ;phone-context= "
				       "exactly once");
	return 0;
}

int addr_proxy_parse(struct addr_buf *out, const char *in, size_t len,
		     unsigned flags, struct addr_error *err)
{
	const char *colon = memchr(in, ':', len);
	size_t plen, i, vlen;
	const char *v;
	int primary = 1, rc, letters = 0;

	addr_buf_clear(out);
	if (len > PROXY_MAX)
		return addr__error_set(err, ADDR_ETOOLONG, 0,
				       "proxy longer than %d octets",
				       PROXY_MAX);
	if (addr_utf8_check(in, len) != len)
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "proxy is not UTF-8");
	if (colon == NULL) {
		/* R18: a bare SMTP address is a secondary SMTP proxy */
		if ((rc = check_smtp(in, len, err)) < 0)
			return addr__error_set(err, rc == ADDR_ENOMEM ? rc :
					       ADDR_ESYNTAX, 0,
					       "no \":\" and not an SMTP "
					       "address");
		addr_buf_put(out, "smtp:", 5);
		addr_buf_put(out, in, len);
		return out->oom ? ADDR_ENOMEM : 0;
	}
	plen = (size_t)(colon - in);
	if (plen == 0 || blank(in, plen))
		return addr__error_set(err, ADDR_ESYNTAX, 0,
				       "empty proxy type");
	if (plen > PREFIX_MAX)
		return addr__error_set(err, ADDR_ETOOLONG, 0,
				       "proxy type longer than %d characters",
				       PREFIX_MAX);
	for (i = 0; i < plen; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x80 || c < 0x20 || c == 0x7f)
			return addr__error_set(err, ADDR_ESYNTAX, i,
					       "proxy type must be printable "
					       "ASCII");
		if (c >= 'a' && c <= 'z')
			primary = 0;	/* R20: exactly upper case */
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			letters = 1;
	}
	(void)letters;
	v = colon + 1;
	vlen = len - plen - 1;
	for (i = 0; i < plen; i++) {
		char c = in[i];

		if (primary && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		else if (!primary && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		addr__buf_putc(out, c);
	}
	addr__buf_putc(out, ':');
	if (vlen == 0 || blank(v, vlen)) {
		addr_buf_clear(out);
		return addr__error_set(err, ADDR_ESYNTAX, plen + 1,
				       "empty or blank proxy value");
	}
	if (addr__str_ieq(in, plen, "smtp"))
		rc = check_smtp(v, vlen, err);
	else if (addr__str_ieq(in, plen, "x400"))
		rc = put_x400(out, v, vlen, flags, err);
	else if (addr__str_ieq(in, plen, "eum"))
		rc = check_eum(v, vlen, err);
	else
		rc = 0;
	if (rc < 0) {
		addr_buf_clear(out);
		if (err != NULL)
			err->offset = plen + 1;
		return rc;
	}
	if (!addr__str_ieq(in, plen, "x400"))
		addr_buf_put(out, v, vlen);
	if (out->oom) {
		addr_buf_clear(out);
		return addr__error_set(err, ADDR_ENOMEM, 0, "out of memory");
	}
	return primary;
}

int addr__proxy_key(struct addr_buf *out, const char *in, size_t len,
		    int *dnspace)
{
	const char *colon = memchr(in, ':', len);
	size_t plen, i;
	int dn;

	if (colon == NULL)
		return ADDR_ESYNTAX;
	plen = (size_t)(colon - in);
	dn = addr__str_ieq(in, plen, "x500") || addr__str_ieq(in, plen, "ex");
	if (dnspace != NULL)
		*dnspace = dn;
	for (i = 0; i < plen; i++) {
		char c = in[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		addr__buf_putc(out, c);
	}
	addr__buf_putc(out, ':');
	return addr__dir_fold(out, colon + 1, len - plen - 1);
}

int addr_proxy_key(struct addr_buf *out, const char *in, size_t len)
{
	return addr__proxy_key(out, in, len, NULL);
}
