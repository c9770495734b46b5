/*
 * policy_template.c - fuzz target: address policy templates
 *
 * DESCRIPTION
 *	Input: one selector octet, then NUL-separated fields: the template,
 *	then given name, surname, initials, display name and alias (missing
 *	fields are empty). Selector bits: 0x01 the template is secondary,
 *	0x02 --lowercase, 0x04 space becomes ".", 0x08 use a collision
 *	suffix (2..9 from bits 0x70).
 *
 *	Checks, for every input:
 *	 - addr_policy_add_template accepts or names an error; accepted,
 *	   expansion either fails cleanly (empty output) or yields a stored
 *	   proxy that addr_proxy_parse reproduces octet for octet with the
 *	   template's primary flag (a prefix written in the template
 *	   decides by its case, else the secondary bit);
 *	 - an SMTP result is a valid address (envelope mode) whose local
 *	   part ends in the collision suffix when one was asked for.
 *	Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "fuzz.h"

/* field - the i-th NUL-separated field of in[0..len) (may be empty) */
static const char *field(const char *in, size_t len, size_t i, size_t *fl,
			 char *buf, size_t cap)
{
	size_t pos = 0, k = 0;

	while (k < i && pos <= len) {
		const char *z = memchr(in + pos, '\0', len - pos);

		if (z == NULL)
			return *fl = 0, "";
		pos = (size_t)(z - in) + 1;
		k++;
	}
	if (pos > len)
		return *fl = 0, "";
	{
		const char *z = memchr(in + pos, '\0', len - pos);
		size_t n = z ? (size_t)(z - in) - pos : len - pos;

		if (n >= cap)
			n = cap - 1;
		memcpy(buf, in + pos, n);
		buf[n] = '\0';
		*fl = n;
	}
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char f[6][512];
	struct addr_policy *p = NULL;
	struct addr_policy_data d;
	struct addr_buf out, again;
	const char *in;
	size_t len, tl, n;
	unsigned sel, k = 0;
	int idx, rc;

	if (size < 1 || size > 4096)
		return 0;
	sel = data[0];
	in = (const char *)data + 1;
	len = size - 1;
	field(in, len, 0, &tl, f[0], sizeof(f[0]));
	if (addr_policy_new(&p) < 0)
		return 0;
	addr_buf_init(&out);
	addr_buf_init(&again);
	if (sel & 0x02)
		addr_policy_set(p, ADDR_POLICY_LOWERCASE, "1", 1, NULL);
	if (sel & 0x04)
		addr_policy_set(p, ADDR_POLICY_SPACE, ".", 1, NULL);
	if (sel & 0x08)
		k = 2 + ((sel >> 4) & 7);
	if (k > 9)
		k = 9;
	idx = addr_policy_add_template(p, f[0], tl, (sel & 0x01) != 0, NULL);
	if (idx < 0)
		goto out;
	d.given = field(in, len, 1, &n, f[1], sizeof(f[1]));
	d.surname = field(in, len, 2, &n, f[2], sizeof(f[2]));
	d.initials = field(in, len, 3, &n, f[3], sizeof(f[3]));
	d.display = field(in, len, 4, &n, f[4], sizeof(f[4]));
	d.alias = field(in, len, 5, &n, f[5], sizeof(f[5]));
	rc = addr_policy_expand(&out, p, (size_t)idx, &d, k, NULL);
	if (rc < 0) {
		FZ_CHECK(rc == ADDR_ESYNTAX || rc == ADDR_EINVAL ||
			 rc == ADDR_ENOMEM || rc == ADDR_ETOOLONG,
			 "expansion error code");
		goto out;
	}
	rc = addr_proxy_parse(&again, out.ptr, out.size, 0, NULL);
	{
		/* a prefix written in the template decides by its case:
		 * primary iff it has no lower-case letter (R20) */
		size_t c = strcspn(f[0], ":%@"), j;
		int primary = !(sel & 0x01);

		if (f[0][c] == ':')
			for (primary = 1, j = 0; j < c; j++)
				if (f[0][j] >= 'a' && f[0][j] <= 'z')
					primary = 0;

		FZ_CHECK(rc == primary, "primary flag of the result");
	}
	FZ_CHECK(again.size == out.size &&
		 memcmp(again.ptr, out.ptr, out.size) == 0,
		 "result is a stored proxy");
	if (out.size > 5 && (memcmp(out.ptr, "SMTP:", 5) == 0 ||
			     memcmp(out.ptr, "smtp:", 5) == 0)) {
		const char *at = memchr(out.ptr, '@', out.size);
		struct addr_mailbox_result r;

		FZ_CHECK(at != NULL, "SMTP result has a domain");
		addr_mailbox_result_init(&r);
		FZ_CHECK(addr_mailbox_parse(&r, out.ptr + 5, out.size - 5,
					    ADDR_P_ADDR_SPEC, ADDR_F_UTF8,
					    NULL) != ADDR_ESYNTAX ||
			 out.size > 5 + 254, "SMTP result is an address");
		addr_mailbox_result_free(&r);
		if (k >= 2)
			FZ_CHECK(at[-1] == (char)('0' + k), "suffix k");
	}
out:
	addr_buf_free(&out);
	addr_buf_free(&again);
	addr_policy_free(p);
	return 0;
}
