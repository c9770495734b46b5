/*
 * policy_template.c - fuzz target: address policy templates
 *
 * DESCRIPTION
 *	Input: one selector octet, then NUL-separated fields: the template,
 *	then given name, surname, initials, display name and alias (missing
 *	fields are empty), then (apply mode) the X400 site, the
 *	legacyExchangeDN base and an ICU transform ("T" and an octet that
 *	picks one of eight ids; rare on purpose: building one costs
 *	milliseconds).
 *	Selector bits: 0x01 the template is secondary, 0x02 --lowercase,
 *	0x04 space becomes ".", and
 *
 *	  0x80 clear: expansion; 0x08 use a collision suffix (2..9 from
 *	       bits 0x70);
 *	  0x80 set: addr_policy_apply to a recipient made of the fields in
 *	       a small directory; 0x08 site addressing (X400 proxy and
 *	       legacyExchangeDN, from fields 7 and 8 (counting the
 *	       template as 1) or the defaults
 *	       C=US;A= ;P=Example;O=HQ; and /o=Example/ou=HQ/cn=Recipients),
 *	       0x10 other objects hold the usual results for John Doe,
 *	       alias jdoe, at example.com, 0x20 the recipient already holds
 *	       an SMTP and an X400 proxy, 0x40 a second, secondary template
 *	       smtp:%g.%s@example.net.
 *
 *	The policy object is made once and reset for every input
 *	(addr__policy_reset): building its ICU transliterator costs
 *	milliseconds, far more than the rest.
 *
 *	Checks, expansion mode:
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
#include "dir_int.h"
#include "fuzz.h"
#include "chaos.h"

#define RDN "CN=R,DC=example,DC=com"

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

static int apply(struct addr_policy *p, unsigned sel, const char *in,
		 size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char f[6][512];
	static struct addr_policy *p;
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
	if (p != NULL && addr__policy_reset(p) < 0) {
		addr_policy_free(p);
		p = NULL;
	}
	if (p == NULL && addr_policy_new(&p) < 0)
		return 0;
	if (sel & 0x02)
		addr_policy_set(p, ADDR_POLICY_LOWERCASE, "1", 1, NULL);
	if (sel & 0x04)
		addr_policy_set(p, ADDR_POLICY_SPACE, ".", 1, NULL);
	if (sel & 0x80) {
		if (apply(p, sel, in, len)) {
			/* it set a transform: the next reset would build the
			 * default one again, and a new policy costs the same */
			addr_policy_free(p);
			p = NULL;
		}
		return 0;
	}
	addr_buf_init(&out);
	addr_buf_init(&again);
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
	return 0;
}

/* add - an entry dn with "attr=value" pairs separated by "|" and the
 * fields' values under names[] (empty ones left out); 0 or an error */
static int add(struct addr_dir *d, const char *dn, const char *spec,
	       const char *const *names, const char *const *vals)
{
	struct addr_dir_entry *e;
	char buf[256], *s, *save = NULL;
	size_t i;
	int rc;

	if ((rc = addr_dir_entry_new(&e, dn, strlen(dn))) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (s = strtok_r(buf, "|", &save); s; s = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(s, '=');

		*eq = '\0';
		if ((rc = addr_dir_entry_add_value(e, s, eq + 1,
						   strlen(eq + 1))) < 0)
			goto fail;
	}
	for (i = 0; names != NULL && names[i] != NULL; i++)
		if (vals[i][0] != '\0' &&
		    (rc = addr_dir_entry_add_value(e, names[i], vals[i],
						   strlen(vals[i]))) < 0)
			goto fail;
	if ((rc = addr_dir_add(d, e, NULL)) == 0)
		return 0;
fail:
	addr_dir_entry_free(e);
	return rc;
}

/* holds - does e hold value v[0..n) of attr? */
static int holds(const struct addr_dir_entry *e, const char *attr,
		 const char *v, size_t n)
{
	size_t i, l;
	const char *x;

	for (i = 0; (x = addr_dir_entry_value(e, attr, i, &l)) != NULL; i++)
		if (l == n && memcmp(x, v, n) == 0)
			return 1;
	return 0;
}

/* build - the directory of apply mode: the others of 0x10 and the
 * recipient made of the fields f[1..5]; NULL when it cannot be made */
static struct addr_dir *build(unsigned sel, char (*f)[512])
{
	static const char *const names[] = { "givenName", "sn", "initials",
		"displayName", "mailNickname", NULL };
	const char *vals[5];
	struct addr_dir *d;
	size_t i;

	if (addr_dir_new(&d, 0) < 0)
		return NULL;
	if ((sel & 0x10) &&
	    (add(d, "CN=O1,DC=example,DC=com", "objectClass=user|"
		 "proxyAddresses=SMTP:jdoe@example.com|proxyAddresses="
		 "smtp:John.Doe@example.net|proxyAddresses=X400:C=US;A= ;"
		 "P=Example;O=HQ;S=Doe;G=John;", NULL, NULL) < 0 ||
	     add(d, "CN=O2,DC=example,DC=com", "objectClass=user|"
		 "proxyAddresses=SMTP:jdoe2@example.com|legacyExchangeDN="
		 "/o=Example/ou=HQ/cn=Recipients/cn=jdoe", NULL, NULL) < 0))
		goto fail;
	for (i = 0; i < 5; i++)
		vals[i] = f[i + 1];
	if (add(d, RDN, (sel & 0x20) ? "objectClass=user|proxyAddresses="
		"SMTP:r@example.org|proxyAddresses=X400:C=US;A= ;P=Example;"
		"O=HQ;S=R;" : "objectClass=user", names, vals) < 0)
		goto fail;
	return d;
fail:
	addr_dir_free(d);
	return NULL;
}

/* failing - the apply again with one allocation failing: ADDR_ENOMEM
 * with the recipient unchanged, or what it gave without the failure */
static void failing(const struct addr_policy *p, unsigned sel,
		    char (*f)[512], int rc0, const struct addr_buf *added0)
{
	struct addr_dir *d;
	struct addr_buf added;
	long calls;
	int rc;

	if ((d = build(sel, f)) == NULL)
		return;
	addr_buf_init(&added);
	fz_chaos_on(0);
	addr_policy_apply(d, p, RDN, sizeof(RDN) - 1, &added, NULL);
	fz_chaos_off();
	calls = fz_chaos_calls;
	addr_dir_free(d);
	addr_buf_clear(&added);
	if (calls == 0 || (d = build(sel, f)) == NULL) {
		addr_buf_free(&added);
		return;
	}
	fz_chaos_on(1 + (long)(strlen(f[0]) % (size_t)calls));
	rc = addr_policy_apply(d, p, RDN, sizeof(RDN) - 1, &added, NULL);
	fz_chaos_off();
	if (fz_chaos_injected && rc == ADDR_ENOMEM)
		FZ_CHECK(added.size == 0 && addr_dir_entry_nvalues(
			 addr_dir_find(d, RDN, sizeof(RDN) - 1),
			 "proxyAddresses") == ((sel & 0x20) ? 2 : 0),
			 "ENOMEM leaves the recipient unchanged");
	else if (fz_chaos_injected)
		FZ_CHECK(rc == rc0 && added.size == added0->size &&
			 memcmp(added.ptr, added0->ptr, added.size) == 0,
			 "a failed allocation is ENOMEM or changes nothing");
	addr_buf_free(&added);
	addr_dir_free(d);
}

/* apply - apply mode (selector 0x80); 1 if it set a transform */
static int apply(struct addr_policy *p, unsigned sel, const char *in,
		 size_t len)
{
	static const char dn[] = RDN;
	static char f[9][512];
	struct addr_dir *d = NULL;
	struct addr_dir_report rep;
	struct addr_buf added;
	const struct addr_dir_entry *e;
	size_t i, n, lines = 0, start = 0, before;
	int rc;

	for (i = 0; i < 9; i++)
		field(in, len, i, &n, f[i], sizeof(f[i]));
	addr_buf_init(&added);
	addr_dir_report_init(&rep);
	if (f[8][0] == 'T') {	/* slow: a transliterator built, then again */
		/* one of a few ids: ICU 72 leaks in its own ID parser
		 * (TransliteratorIDParser::parseFilterID) on malformed ids
		 * such as "(x", which is not this target's business */
		static const char *const ids[] = { "Any-Latin; Latin-ASCII",
			"Latin-ASCII", "No-Such-Transform", "Any-Upper",
			"Cyrillic-Latin; Latin-ASCII", "Greek-Latin/UNGEGN",
			"de-ASCII; Any-Latin; Latin-ASCII", "Null" };
		const char *id = ids[(unsigned char)f[8][1] % 8];

		addr_policy_set(p, ADDR_POLICY_TRANSLIT, id, strlen(id), NULL);
	}
	if (addr_policy_add_template(p, f[0], strlen(f[0]),
				     (sel & 0x01) != 0, NULL) < 0 &&
	    !(sel & 0x08))
		goto out;
	if (sel & 0x40)
		addr_policy_add_template(p, "smtp:%g.%s@example.net", 22, 1,
					 NULL);
	if (sel & 0x08) {
		const char *site = f[6][0] ? f[6] : "C=US;A= ;P=Example;O=HQ;";
		const char *base = f[7][0] ? f[7] : "/o=Example/ou=HQ/cn=Recipients";

		addr_policy_set(p, ADDR_POLICY_X400_SITE, site, strlen(site), NULL);
		addr_policy_set(p, ADDR_POLICY_LEGACY_DN_BASE, base,
				strlen(base), NULL);
	}
	if ((d = build(sel, f)) == NULL)
		goto out;
	e = addr_dir_find(d, dn, sizeof(dn) - 1);
	before = addr_dir_entry_nvalues(e, "proxyAddresses");
	rc = addr_policy_apply(d, p, dn, sizeof(dn) - 1, &added, &rep);
	failing(p, sel, f, rc, &added);
	e = addr_dir_find(d, dn, sizeof(dn) - 1);
	FZ_CHECK(e != NULL, "apply keeps the recipient");
	if (rc < 0) {
		FZ_CHECK(rc == ADDR_ESYNTAX || rc == ADDR_ECONFLICT ||
			 rc == ADDR_ENOMEM, "apply error code");
		FZ_CHECK(rc == ADDR_ENOMEM || rep.nerrors > 0,
			 "a failed apply reports an error");
		FZ_CHECK(added.size == 0, "a failed apply adds nothing");
		FZ_CHECK(addr_dir_entry_nvalues(e, "proxyAddresses") == before,
			 "a failed apply leaves the recipient unchanged");
		goto out;
	}
	for (i = 0; i < added.size; i++) {
		const char *v = added.ptr + start;
		size_t vl = i - start;

		if (added.ptr[i] != '\n')
			continue;
		lines++;
		start = i + 1;
		if (vl > 17 && memcmp(v, "legacyExchangeDN:", 17) == 0) {
			FZ_CHECK(holds(e, "legacyExchangeDN", v + 17, vl - 17),
				 "the recipient holds the added legacyExchangeDN");
			continue;
		}
		{
			struct addr_buf st;

			addr_buf_init(&st);
			FZ_CHECK(addr_proxy_parse(&st, v, vl, 0, NULL) >= 0 &&
				 st.size == vl && memcmp(st.ptr, v, vl) == 0,
				 "an added proxy is in stored form");
			addr_buf_free(&st);
		}
		FZ_CHECK(holds(e, "proxyAddresses", v, vl),
			 "the recipient holds the added proxy");
	}
	FZ_CHECK(start == added.size && lines == (size_t)rc,
		 "the count is the number of lines added");
	if (rc > 0) {
		addr_buf_clear(&added);
		rc = addr_policy_apply(d, p, dn, sizeof(dn) - 1, &added, NULL);
		FZ_CHECK(rc == 0 && added.size == 0,
			 "a second apply adds nothing");
	}
out:
	addr_buf_free(&added);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	return f[8][0] == 'T';
}
