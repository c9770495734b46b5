/*
 * rewrite.c - a gateway's address rewriting (spec-gateway.md §4-§6)
 *
 * EXPORTS
 *	addr_rw_sender()	the directory object a reverse-path names
 *	addr_rw_recipient()	the RCPT-time verdict on a forward-path
 *	addr_rw_expand()	a recipient object to final addresses
 *	addr_rw_delivery()	where mail to an object goes
 *	addr_rw_outbound()	what an object is called outside
 *	addr_rw_headers()	From, Sender, Reply-To rewritten outbound
 *	addr_rw_targets_free()
 *
 * Pure functions over a directory: no sockets, no configuration file,
 * no clock. The gateway calls them at MAIL, RCPT and the end of DATA.
 *
 * The relay rule the functions keep (§5): an encapsulated address is
 * decoded only at the exact local domains, and what it decodes to is
 * never an address of another domain, because an inner SMTP, X500 or
 * INVALID address is refused (R15) and every other inner type must name
 * a directory object. So no IMCEA form, quoted local part, "%" hack or
 * source route reaches a foreign domain through this code: each is an
 * unknown local part or a plain remote address that the caller's relay
 * check sees.
 */
#include <stdio.h>
#include <string.h>
#include "dir_int.h"

/* domain_of - the domain of addr[0..len) (after the last "@"), or NULL */
static const char *domain_of(const char *addr, size_t len, size_t *dlen)
{
	size_t i = len;

	while (i > 0 && addr[i - 1] != '@')
		i--;
	if (i == 0)
		return NULL;
	*dlen = len - i;
	return addr + i;
}

int addr_rw_sender(const struct addr_rw *rw, const char *addr, size_t len,
		   const struct addr_dir_entry **out)
{
	const char *dom;
	size_t dlen = 0;
	int rc;

	*out = NULL;
	if (rw->dir == NULL || len == 0)
		return 0;
	dom = domain_of(addr, len, &dlen);
	/* a sender is ours only in a local domain: an external address
	 * that happens to equal a contact's target is not that contact */
	if (dom == NULL || rw->is_local == NULL ||
	    !rw->is_local(rw->arg, dom, dlen))
		return 0;
	rc = addr_dir_resolve(rw->dir, addr, len, rw->gate, rw->ngate, 0, out,
			      NULL);
	if (rc == ADDR_ENOMEM)
		return rc;
	return *out != NULL;
}

/* verdict - fill res with a refusal: "CODE <addr>: text" */
static int verdict(struct addr_rw_rcpt *res, int status, const char *code,
		   const char *addr, size_t len, const char *text)
{
	res->status = status;
	snprintf(res->reply, sizeof(res->reply), "%s <%.*s>: %s", code,
		 (int)len, addr, text);
	return 0;
}

int addr_rw_recipient(struct addr_rw_rcpt *res, const struct addr_rw *rw,
		      const char *addr, size_t len,
		      const struct addr_dir_entry *sender)
{
	struct addr_buf dec;
	const char *dom;
	size_t dlen = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	dom = domain_of(addr, len, &dlen);
	if (dom == NULL) {	/* <postmaster>: always ours */
		res->status = ADDR_RW_LOCAL;
		return 0;
	}
	/* IMCEA first: the gate is the exact local domains (§6.1) */
	addr_buf_init(&dec);
	rc = addr_imcea_decode(&dec, addr, len, rw->gate, rw->ngate, 0, NULL);
	if (rc == ADDR_ENOMEM) {
		addr_buf_free(&dec);
		return rc;
	}
	if (rc == 1) {
		size_t tl = (size_t)((const char *)memchr(dec.ptr, ':', dec.size) -
				     dec.ptr);

		if (addr__str_ieq(dec.ptr, tl, "SMTP") ||
		    addr__str_ieq(dec.ptr, tl, "X500") ||
		    addr__str_ieq(dec.ptr, tl, "INVALID")) {
			char text[64];

			snprintf(text, sizeof(text), "Encapsulated %.*s "
				 "address refused", (int)tl, dec.ptr);
			addr_buf_free(&dec);
			/* R15: never relayed, never resolved */
			return verdict(res, ADDR_RW_REFUSED, "550 5.1.0", addr,
				       len, text);
		}
	}
	addr_buf_free(&dec);
	if (rw->is_local == NULL || !rw->is_local(rw->arg, dom, dlen)) {
		res->status = ADDR_RW_REMOTE;
		return 0;
	}
	if (rw->dir == NULL) {
		res->status = ADDR_RW_LOCAL;
		return 0;
	}
	rc = addr_dir_resolve(rw->dir, addr, len, rw->gate, rw->ngate, 0,
			      &res->entry, NULL);
	if (rc == ADDR_ENOMEM)
		return rc;
	if (res->entry == NULL)
		return verdict(res, ADDR_RW_UNKNOWN, "550 5.1.1", addr, len,
			       "Recipient address rejected: User unknown");
	if (!addr_dir_may_send(rw->dir, res->entry, sender))
		return verdict(res, ADDR_RW_RESTRICTED, "550 5.7.1", addr, len,
			       "Sender not permitted");
	res->status = ADDR_RW_LOCAL;
	return 0;
}

/* imcea - TYPE:value as IMCEA in the IMCEA domain */
static int imcea(struct addr_buf *out, const struct addr_rw *rw,
		 const char *proxy, size_t len)
{
	if (rw->imcea_domain == NULL)
		return ADDR_EINVAL;
	return addr_imcea_encode_proxy(out, proxy, len, rw->imcea_domain,
				       strlen(rw->imcea_domain), 0, NULL);
}

/* by_legdn - IMCEAEX- of the entry's legacyExchangeDN, or 0 */
static int by_legdn(struct addr_buf *out, const struct addr_rw *rw,
		    const struct addr_dir_entry *e)
{
	size_t n;
	const char *v = addr_dir_entry_value(e, "legacyExchangeDN", 0, &n);
	struct addr_buf p;
	int rc;

	if (v == NULL || rw->imcea_domain == NULL)
		return 0;
	addr_buf_init(&p);
	addr_buf_puts(&p, "EX:");
	addr_buf_put(&p, v, n);
	rc = p.oom ? ADDR_ENOMEM : imcea(out, rw, p.ptr, p.size);
	addr_buf_free(&p);
	return rc < 0 ? rc : 1;
}

/* by_primary - IMCEA of the entry's first primary proxy, or 0 */
static int by_primary(struct addr_buf *out, const struct addr_rw *rw,
		      const struct addr_dir_entry *e)
{
	size_t i, n;
	const char *v;

	for (i = 0; (v = addr_dir_entry_value(e, "proxyAddresses", i, &n)); i++) {
		const char *colon = memchr(v, ':', n);

		/* stored form: a primary has an upper-case prefix */
		if (colon == NULL || colon == v || v[0] < 'A' || v[0] > 'Z')
			continue;
		return imcea(out, rw, v, n) < 0 ? ADDR_EINVAL : 1;
	}
	return 0;
}

int addr_rw_outbound(struct addr_buf *out, const struct addr_rw *rw,
		     const struct addr_dir_entry *e)
{
	const char *mail = addr_dir_entry_mail(e);
	int rc;

	addr_buf_clear(out);
	if (mail != NULL) {
		addr_buf_puts(out, mail);
		return out->oom ? ADDR_ENOMEM : 0;
	}
	/* §6.7: the EX form from legacyExchangeDN, else the primary of
	 * another type */
	if ((rc = by_legdn(out, rw, e)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = by_primary(out, rw, e)) != 0)
		return rc < 0 ? rc : 0;
	return ADDR_EINVAL;
}

int addr_rw_delivery(struct addr_buf *out, const struct addr_rw *rw,
		     const struct addr_dir_entry *e)
{
	size_t n;
	const char *t;

	addr_buf_clear(out);
	if (addr_dir_entry_kind(e) != ADDR_DIR_CONTACT)
		return addr_rw_outbound(out, rw, e);
	t = addr_dir_entry_value(e, "targetAddress", 0, &n);
	if (t == NULL)
		return ADDR_EINVAL;
	if (n > 5 && addr__str_ieq(t, 5, "smtp:")) {
		addr_buf_put(out, t + 5, n - 5);
		return out->oom ? ADDR_ENOMEM : 0;
	}
	if (memchr(t, ':', n) == NULL) {	/* a bare SMTP address */
		addr_buf_put(out, t, n);
		return out->oom ? ADDR_ENOMEM : 0;
	}
	/* §6.4: a target of another type travels encapsulated */
	return imcea(out, rw, t, n) < 0 ? ADDR_EINVAL : 0;
}

/* ---------------------------------------------------------- targets */

void addr_rw_targets_init(struct addr_rw_targets *t)
{
	memset(t, 0, sizeof(*t));
}

void addr_rw_targets_free(struct addr_rw_targets *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		addr__free(t->v[i].addr);
		addr__free(t->v[i].fail);
		if (t->fold_ != NULL)
			addr__free(t->fold_[i]);
	}
	addr__free(t->v);
	addr__free(t->fold_);
	addr__free(t->slot_);
	addr_rw_targets_init(t);
}

static char *dup_n(const char *s, size_t n)
{
	char *p = addr__malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* fold_key - the directory's comparison key of an address (§6.3: each
 * final address once, "deduplicated with the directory's comparison") */
static char *fold_key(const char *a)
{
	struct addr_buf k;
	char *r;

	addr_buf_init(&k);
	if (addr__dir_fold(&k, a, strlen(a)) < 0 || k.oom) {
		addr_buf_free(&k);
		return NULL;
	}
	r = dup_n(k.ptr, k.size);
	addr_buf_free(&k);
	return r;
}

/* set_find - the slot of key in t's set: where it is, or the empty slot
 * where it would go */
static size_t set_find(const struct addr_rw_targets *t, const char *key)
{
	size_t h = (size_t)addr__dir_hash(key, strlen(key)), m = t->scap_ - 1;
	size_t i = h & m;

	while (t->slot_[i] != 0 && strcmp(t->fold_[t->slot_[i] - 1], key) != 0)
		i = (i + 1) & m;
	return i;
}

/* set_grow - keep the set at most half full */
static int set_grow(struct addr_rw_targets *t)
{
	size_t nc = t->scap_ ? t->scap_ * 2 : 64, i, *old = t->slot_;
	size_t oc = t->scap_;

	if (nc > ((size_t)-1) / sizeof(*t->slot_))
		return ADDR_ENOMEM;
	if ((t->slot_ = addr__malloc(nc * sizeof(*t->slot_))) == NULL) {
		t->slot_ = old;
		return ADDR_ENOMEM;
	}
	memset(t->slot_, 0, nc * sizeof(*t->slot_));
	t->scap_ = nc;
	for (i = 0; i < oc; i++)
		if (old[i] != 0)
			t->slot_[set_find(t, t->fold_[old[i] - 1])] = old[i];
	addr__free(old);
	return 0;
}

int addr_rw_target_add(struct addr_rw_targets *t, const char *addr,
		       size_t orig, const char *fail)
{
	struct addr_rw_target *nt;
	char *key = NULL;
	size_t at = 0;

	if (fail == NULL) {
		if ((key = fold_key(addr)) == NULL)
			return ADDR_ENOMEM;
		if ((t->nfinal + 1) * 2 > t->scap_ && set_grow(t) < 0) {
			addr__free(key);
			return ADDR_ENOMEM;
		}
		at = set_find(t, key);
		if (t->slot_[at] != 0) {
			addr__free(key);
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 8;
		char **nf;

		if (nc > ((size_t)-1) / sizeof(*nt))
			goto nomem;
		nt = addr__realloc(t->v, nc * sizeof(*nt));
		if (nt == NULL)
			goto nomem;
		t->v = nt;
		nf = addr__realloc(t->fold_, nc * sizeof(*nf));
		if (nf == NULL)
			goto nomem;
		t->fold_ = nf;
		t->cap = nc;
	}
	nt = &t->v[t->n];
	nt->orig = orig;
	nt->entry = NULL;
	nt->addr = dup_n(addr, strlen(addr));
	nt->fail = fail ? dup_n(fail, strlen(fail)) : NULL;
	if (nt->addr == NULL || (fail && nt->fail == NULL)) {
		addr__free(nt->addr);
		addr__free(nt->fail);
		goto nomem;
	}
	t->fold_[t->n] = key;
	t->n++;
	if (fail == NULL) {
		t->slot_[at] = t->n;
		t->nfinal++;
	}
	return 1;
nomem:
	addr__free(key);
	return ADDR_ENOMEM;
}

int addr_rw_expand(struct addr_rw_targets *t, const struct addr_rw *rw,
		   const struct addr_dir_entry *e, size_t orig,
		   const struct addr_dir_entry *sender, size_t max)
{
	struct addr_dl_result res;
	struct addr_buf a, why;
	size_t i;
	int rc;

	addr_dl_result_init(&res);
	addr_buf_init(&a);
	addr_buf_init(&why);
	/* the addressed object was checked at RCPT; nested groups are
	 * checked here, and a refusing one fails only its branch */
	rc = addr_dl_expand(&res, rw->dir, e, sender, 0, ADDR_DL_RESTRICT);
	if (rc < 0)
		goto out;
	rc = 0;
	for (i = 0; i < res.nnode && rc >= 0; i++) {
		const struct addr_dl_node *nd = &res.node[i];

		switch (nd->kind) {
		case ADDR_DL_RECIPIENT:
			rc = addr_rw_delivery(&a, rw, nd->entry);
			if (rc == ADDR_ENOMEM)
				break;
			if (rc < 0) {
				addr_buf_clear(&why);
				addr_buf_puts(&why, "5.1.1 no deliverable address for ");
				addr_buf_puts(&why, nd->dn);
				rc = addr_rw_target_add(t, nd->dn, orig, why.ptr);
				break;
			}
			rc = addr_rw_target_add(t, a.ptr, orig, NULL);
			if (rc > 0)
				t->v[t->n - 1].entry = nd->entry;
			if (rc > 0 && max && t->nfinal > max)
				rc = ADDR_ETOOLONG;
			break;
		case ADDR_DL_REFUSED:
		case ADDR_DL_TOO_DEEP:
		case ADDR_DL_UNRESOLVED: {
			/* the NDR names the member that failed and, in its
			 * text, the chain that led there (§6.3) */
			size_t j;
			const char *msg = NULL;

			for (j = 0; j < res.report.n; j++)
				if (strstr(res.report.diag[j].message, nd->dn)) {
					msg = res.report.diag[j].message;
					break;
				}
			addr_buf_clear(&why);
			addr_buf_puts(&why, nd->kind == ADDR_DL_REFUSED ?
				      "5.7.1 " : nd->kind == ADDR_DL_TOO_DEEP ?
				      "5.4.6 " : "5.1.1 ");
			addr_buf_puts(&why, msg ? msg : nd->dn);
			a.size = 0;
			if (nd->entry != NULL &&
			    addr_rw_delivery(&a, rw, nd->entry) == 0)
				rc = addr_rw_target_add(t, a.ptr, orig, why.ptr);
			else
				rc = addr_rw_target_add(t, nd->dn, orig, why.ptr);
			break;
		}
		default:
			break;
		}
		if (a.oom || why.oom)
			rc = ADDR_ENOMEM;
	}
	if (rc > 0)
		rc = 0;
out:
	addr_dl_result_free(&res);
	addr_buf_free(&a);
	addr_buf_free(&why);
	return rc;
}

/* ---------------------------------------------------------- headers */

/* field_is - does the header line start with name ":" (any case)? */
static int field_is(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && p[k] == ':' && addr__str_ieq(p, k, name);
}

/* rewrite_one - the addr-spec part of span s[0..n) replaced by to */
static void rewrite_one(struct addr_buf *out, const char *s, size_t n,
			const char *to)
{
	const char *gt = NULL, *lt = NULL, *p;
	size_t b, e;

	for (p = s + n; p > s; p--)
		if (p[-1] == '>') {
			gt = p - 1;
			break;
		}
	for (p = gt; gt != NULL && p > s; p--)
		if (p[-1] == '<') {
			lt = p - 1;
			break;
		}
	if (lt != NULL) {
		addr_buf_put(out, s, (size_t)(lt - s) + 1);
		addr_buf_puts(out, to);
		addr_buf_put(out, gt, n - (size_t)(gt - s));
		return;
	}
	/* a bare addr-spec: keep surrounding white space and comments */
	b = 0;
	e = n;
	while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' ||
			 s[b] == '\n'))
		b++;
	p = memchr(s + b, '(', e - b);
	if (p != NULL)
		e = (size_t)(p - s);
	while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' ||
			 s[e - 1] == '\r' || s[e - 1] == '\n'))
		e--;
	addr_buf_put(out, s, b);
	addr_buf_puts(out, to);
	addr_buf_put(out, s + e, n - e);
}

/* rewrite_field - one field body v[0..n): every mailbox of a local
 * object gets its outbound address; returns 1 changed, 0, ADDR_ENOMEM */
static int rewrite_field(struct addr_buf *out, const char *v, size_t n,
			 const struct addr_rw *rw)
{
	struct addr_mailbox_result r;
	struct addr_buf addr, to;
	size_t pos = 0, i, k;
	int rc, changed = 0;

	addr_mailbox_result_init(&r);
	addr_buf_init(&addr);
	addr_buf_init(&to);
	rc = addr_mailbox_parse(&r, v, n, ADDR_P_ADDRESS_LIST,
				ADDR_F_LENIENT | ADDR_F_UTF8, NULL);
	if (rc == ADDR_ENOMEM)
		goto out;
	rc = 0;
	for (i = 0; i < r.naddr; i++) {
		const struct addr_mailbox *g = &r.addr[i];
		const struct addr_mailbox *list = g->kind == ADDR_K_GROUP ?
						  g->members : g;
		size_t cnt = g->kind == ADDR_K_GROUP ? g->nmembers : 1;

		for (k = 0; k < cnt; k++) {
			const struct addr_mailbox *m = &list[k];
			const struct addr_dir_entry *e = NULL;

			if (m->kind != ADDR_K_MAILBOX || m->span_offset < pos)
				continue;
			addr_buf_clear(&addr);
			addr_buf_put(&addr, m->local_part.ptr, m->local_part.len);
			addr_buf_putc(&addr, '@');
			addr_buf_put(&addr, m->domain.ptr, m->domain.len);
			if (addr.oom) {
				rc = ADDR_ENOMEM;
				goto out;
			}
			if ((rc = addr_rw_sender(rw, addr.ptr, addr.size, &e)) < 0)
				goto out;
			if (e == NULL || addr_rw_outbound(&to, rw, e) < 0 ||
			    (to.size == addr.size &&
			     memcmp(to.ptr, addr.ptr, to.size) == 0))
				continue;
			addr_buf_put(out, v + pos, m->span_offset - pos);
			rewrite_one(out, v + m->span_offset, m->span_length,
				    to.ptr);
			pos = m->span_offset + m->span_length;
			changed = 1;
		}
	}
	addr_buf_put(out, v + pos, n - pos);
	rc = out->oom ? ADDR_ENOMEM : changed;
out:
	addr_mailbox_result_free(&r);
	addr_buf_free(&addr);
	addr_buf_free(&to);
	return rc;
}

int addr_rw_headers(struct addr_buf *out, const char *msg, size_t len,
		    const struct addr_rw *rw)
{
	size_t pos = 0;
	int changed = 0, rc;

	while (pos < len) {
		size_t end = pos;

		/* one field: up to a CR LF not followed by WSP */
		for (;;) {
			const char *nl = memchr(msg + end, '\n', len - end);

			end = nl ? (size_t)(nl - msg) + 1 : len;
			if (end >= len || (msg[end] != ' ' && msg[end] != '\t'))
				break;
		}
		if (end - pos <= 2 && (msg[pos] == '\r' || msg[pos] == '\n')) {
			addr_buf_put(out, msg + pos, len - pos);	/* body */
			break;
		}
		if (field_is(msg + pos, end - pos, "From") ||
		    field_is(msg + pos, end - pos, "Sender") ||
		    field_is(msg + pos, end - pos, "Reply-To")) {
			const char *colon = memchr(msg + pos, ':', end - pos);
			size_t vb = (size_t)(colon - msg) + 1, ve = end;

			while (ve > vb && (msg[ve - 1] == '\n' || msg[ve - 1] == '\r'))
				ve--;
			addr_buf_put(out, msg + pos, vb - pos);
			rc = rewrite_field(out, msg + vb, ve - vb, rw);
			if (rc < 0)
				return rc;
			changed |= rc;
			addr_buf_put(out, msg + ve, end - ve);
		} else {
			addr_buf_put(out, msg + pos, end - pos);
		}
		pos = end;
	}
	return out->oom ? ADDR_ENOMEM : changed;
}
