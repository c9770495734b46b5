/*
 * pipeline.c - what one accepted message becomes (spec-gateway.md §4)
 *
 * SYNOPSIS
 *	gw_rw_init(), gw_pipeline(), gw_variants_free()
 *
 * DESCRIPTION
 *	At the end of DATA the client's message (its envelope as RCPT
 *	left it: each recipient with its directory object or the forward
 *	mark) becomes the messages the queue takes, all committed before
 *	the one 250:
 *	  - inbound: final addresses in local domains, and the recipients
 *	    that failed during expansion (each with its NDR text); the
 *	    original sender and content;
 *	  - outbound: final addresses elsewhere; the sender and the From:,
 *	    Sender:, Reply-To: addresses of local objects rewritten to
 *	    their outbound form (§6.7);
 *	  - forward: unknown recipients for unknown_recipient = forward:
 *	    (§6.6), unchanged.
 *	Expansion (§6.3) runs here for every recipient that names a
 *	directory object: nested groups with their restrictions against
 *	the resolved sender, contacts to their targets, mailboxes to their
 *	primary SMTP; each final address once per message; more than
 *	max_expansion is 552 5.5.3.
 *
 *	Pure: no sockets, no queue, no clock; the session calls it and
 *	hands the result to its commit callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

static int
rw_is_local(void *arg, const char *domain, size_t len)
{
	return gw_domain_is_local(arg, domain, len);
}

void
gw_rw_init(struct addr_rw *rw, const struct gw_config *cfg)
{
	memset(rw, 0, sizeof(*rw));
	rw->dir = cfg->dir;
	rw->gate = cfg->gate;
	rw->ngate = cfg->ngate;
	rw->imcea_domain = cfg->imcea_domain;
	rw->is_local = rw_is_local;
	rw->arg = (void *)(uintptr_t)cfg;
}

void
gw_variants_free(struct gw_variants *v)
{
	size_t i;

	for (i = 0; i < GW_VARIANTS; i++) {
		free(v->rcpt[i]);
		addr_buf_free(&v->data[i]);
		free(v->sender[i]);
	}
	addr_rw_targets_free(&v->t);
	addr_rw_targets_free(&v->tf);
	memset(v, 0, sizeof(*v));
}

/* is_local_addr - does the final address belong to a local domain? */
static int
is_local_addr(const struct gw_config *cfg, const char *a)
{
	const char *at = strrchr(a, '@');

	return at == NULL || gw_domain_is_local(cfg, at + 1, strlen(at + 1));
}

/* variant - a new message k of v from in, with the targets of t that
 * pick() selects; 0, 1 (none selected: no message), -1 (memory) */
static int
variant(struct gw_variants *v, size_t k, const struct gw_message *in,
	const struct addr_rw_targets *t, const struct gw_config *cfg,
	int (*pick)(const struct gw_config *, const struct addr_rw_target *))
{
	struct gw_message *m = &v->msg[v->n];
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		n += (size_t)pick(cfg, &t->v[i]);
	if (n == 0)
		return 1;
	if ((v->rcpt[k] = calloc(n, sizeof(*v->rcpt[k]))) == NULL)
		return -1;
	*m = *in;
	m->rcpt = v->rcpt[k];
	m->nrcpt = n;
	for (i = n = 0; i < t->n; i++) {
		if (!pick(cfg, &t->v[i]))
			continue;
		v->rcpt[k][n].addr = t->v[i].addr;
		v->rcpt[k][n].orig = in->rcpt[t->v[i].orig].orig;
		v->rcpt[k][n].fail = t->v[i].fail;
		n++;
	}
	v->kind[v->n] = (int)k;
	v->n++;
	return 0;
}

static int
pick_inbound(const struct gw_config *cfg, const struct addr_rw_target *t)
{
	return t->fail != NULL || is_local_addr(cfg, t->addr);
}

static int
pick_outbound(const struct gw_config *cfg, const struct addr_rw_target *t)
{
	return t->fail == NULL && !is_local_addr(cfg, t->addr);
}

static int
pick_all(const struct gw_config *cfg, const struct addr_rw_target *t)
{
	(void)cfg;
	(void)t;
	return 1;
}

/* outbound - the sender and header rewriting of §6.7 on the outbound
 * variant (the last one made) */
static int
outbound(struct gw_variants *v, const struct gw_config *cfg,
	 const struct addr_rw *rw, const struct addr_dir_entry *sender)
{
	struct gw_message *m = &v->msg[v->n - 1];
	struct addr_buf a;
	int rc;

	if (sender != NULL) {
		addr_buf_init(&a);
		if (addr_rw_outbound(&a, rw, sender) == 0) {
			if ((v->sender[GW_V_OUTBOUND] = strdup(a.ptr)) == NULL) {
				addr_buf_free(&a);
				return -1;
			}
			m->sender = v->sender[GW_V_OUTBOUND];
		}
		addr_buf_free(&a);
	}
	if (!cfg->rewrite_headers || cfg->dir == NULL)
		return 0;
	rc = addr_rw_headers(&v->data[GW_V_OUTBOUND], m->data, m->len, rw);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		m->data = v->data[GW_V_OUTBOUND].ptr;
		m->len = v->data[GW_V_OUTBOUND].size;
	}
	return 0;
}

int
gw_pipeline(struct gw_variants *v, const struct gw_config *cfg,
	    const struct gw_message *in, const struct addr_dir_entry *sender,
	    char *reply, size_t rsize)
{
	struct addr_rw rw;
	size_t i;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	addr_rw_targets_init(&v->t);
	addr_rw_targets_init(&v->tf);
	gw_rw_init(&rw, cfg);
	for (i = 0; i < in->nrcpt && rc >= 0; i++) {
		const struct gw_rcpt *r = &in->rcpt[i];

		if (r->forward)
			rc = addr_rw_target_add(&v->tf, r->addr, i, NULL);
		else if (r->entry != NULL)
			rc = addr_rw_expand(&v->t, &rw, r->entry, i, sender,
			    cfg->max_expansion);
		else
			rc = addr_rw_target_add(&v->t, r->addr, i, NULL);
	}
	if (rc == ADDR_ETOOLONG) {
		snprintf(reply, rsize, "552 5.5.3 Too many recipients after "
		    "expansion (more than %u)", cfg->max_expansion);
		return -1;
	}
	if (rc < 0)
		goto nomem;
	if (variant(v, GW_V_INBOUND, in, &v->t, cfg, pick_inbound) < 0)
		goto nomem;
	rc = variant(v, GW_V_OUTBOUND, in, &v->t, cfg, pick_outbound);
	if (rc < 0 || (rc == 0 && outbound(v, cfg, &rw, sender) < 0))
		goto nomem;
	if (variant(v, GW_V_FORWARD, in, &v->tf, cfg, pick_all) < 0)
		goto nomem;
	if (v->n > 0 && v->kind[v->n - 1] == GW_V_FORWARD)
		v->msg[v->n - 1].forward = 1;
	return 0;
nomem:
	snprintf(reply, rsize, "451 4.3.0 Error: out of memory");
	return -1;
}
