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

#include <strings.h>

#include "journal.h"
#include "pipeline.h"

/* the MIME code, set by addrgw (gw_pipeline_disclaimers) */
static gw_disclaimer_fn disclaimer_hook;

void
gw_pipeline_disclaimers(gw_disclaimer_fn fn)
{
	disclaimer_hook = fn;
}

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

	for (i = 0; i < v->n; i++) {
		free(v->v[i].rcpt);
		addr_buf_free(&v->v[i].data);
		free(v->v[i].sender);
	}
	free(v->v);
	free(v->msg);
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

/* add - a new variant of kind k, a copy of in; NULL when out of memory */
static struct gw_variant *
add(struct gw_variants *v, int k, const struct gw_message *in)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4, i;
		void *a = realloc(v->v, nc * sizeof(*v->v));

		if (a == NULL)
			return NULL;
		v->v = a;
		/* a journal report's message points at its variant's one
		 * recipient, which has just moved with the array */
		for (i = 0; i < v->n; i++)
			if (v->v[i].kind == GW_V_JOURNAL)
				v->msg[i].rcpt = &v->v[i].one;
		if ((a = realloc(v->msg, nc * sizeof(*v->msg))) == NULL)
			return NULL;
		v->msg = a;
		v->cap = nc;
	}
	memset(&v->v[v->n], 0, sizeof(v->v[0]));
	v->v[v->n].kind = k;
	v->msg[v->n] = *in;
	v->msg[v->n].forward = k == GW_V_FORWARD;
	v->msg[v->n].archive = k == GW_V_OUTBOUND ? 2 : k == GW_V_JOURNAL ? 0 : 1;
	return &v->v[v->n++];
}

/* variant - a message of kind k from in with the targets of t that
 * pick() selects; 0, 1 (none selected: no message), -1 (memory) */
static int
variant(struct gw_variants *v, int k, const struct gw_message *in,
	const struct addr_rw_targets *t, const struct gw_config *cfg,
	int (*pick)(const struct gw_config *, const struct addr_rw_target *))
{
	struct gw_variant *x;
	struct gw_message *m;
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		n += (size_t)pick(cfg, &t->v[i]);
	if (n == 0)
		return 1;
	if ((x = add(v, k, in)) == NULL)
		return -1;
	m = &v->msg[v->n - 1];
	if ((x->rcpt = calloc(n, sizeof(*x->rcpt))) == NULL)
		return -1;
	m->rcpt = x->rcpt;
	m->nrcpt = n;
	for (i = n = 0; i < t->n; i++) {
		if (!pick(cfg, &t->v[i]))
			continue;
		x->rcpt[n].addr = t->v[i].addr;
		x->rcpt[n].orig = in->rcpt[t->v[i].orig].orig;
		x->rcpt[n].fail = t->v[i].fail;
		n++;
	}
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

/* outbound - the sender and header rewriting of §6.7 on variant i */
static int
outbound(struct gw_variants *v, size_t i, const struct gw_config *cfg,
	 const struct addr_rw *rw, const struct addr_dir_entry *sender)
{
	struct gw_message *m = &v->msg[i];
	struct gw_variant *x = &v->v[i];
	struct addr_buf a;
	int rc;

	if (sender != NULL) {
		addr_buf_init(&a);
		if (addr_rw_outbound(&a, rw, sender) == 0) {
			if ((x->sender = strdup(a.ptr)) == NULL) {
				addr_buf_free(&a);
				return -1;
			}
			m->sender = x->sender;
		}
		addr_buf_free(&a);
	}
	if (!cfg->rewrite_headers || cfg->dir == NULL)
		return 0;
	rc = addr_rw_headers(&x->data, m->data, m->len, rw);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		m->data = x->data.ptr;
		m->len = x->data.size;
	}
	return 0;
}

/* journal - one report of in to address to (§11) */
static int
journal(struct gw_variants *v, const struct gw_config *cfg,
	const struct gw_message *in, const char *to, const char *direction,
	time_t now)
{
	struct gw_journal_rcpt *r;
	struct gw_variant *x;
	struct gw_message *m;
	size_t i, n = 0;
	int rc;

	if ((r = calloc(v->t.n + v->tf.n + 1, sizeof(*r))) == NULL)
		return -1;
	for (i = 0; i < v->t.n; i++)
		if (v->t.v[i].fail == NULL) {
			r[n].addr = v->t.v[i].addr;
			r[n++].outbound = !is_local_addr(cfg, v->t.v[i].addr);
		}
	for (i = 0; i < v->tf.n; i++)
		r[n++].addr = v->tf.v[i].addr;
	if ((x = add(v, GW_V_JOURNAL, in)) == NULL) {
		free(r);
		return -1;
	}
	rc = gw_journal_report(&x->data, cfg, in, r, n, direction, to, now);
	free(r);
	if (rc < 0)
		return -1;
	m = &v->msg[v->n - 1];
	x->one.addr = (char *)(uintptr_t)to;
	x->one.orig = (char *)(uintptr_t)to;
	m->rcpt = &x->one;
	m->nrcpt = 1;
	/* failures of journal copies go to the journal NDR sink, never to
	 * the original sender */
	m->sender = cfg->journal_ndr_to;
	m->data = x->data.ptr;
	m->len = x->data.size;
	m->body_8bit = in->body_8bit || in->smtputf8;
	m->smtputf8 = 0;
	return 0;
}

/*
 * disclaimers - §12: the texts of each variant's direction, added to its
 * content (inbound and forward: the inbound texts; outbound: the
 * outbound ones). A message the MIME code leaves alone (signed,
 * encrypted, marked already) or cannot parse flows on unchanged.
 */
static int
disclaimers(struct gw_variants *v, const struct gw_config *cfg)
{
	struct addr_buf tmp;
	size_t i;

	if (disclaimer_hook == NULL)
		return 0;
	addr_buf_init(&tmp);
	for (i = 0; i < v->n; i++) {
		int out = v->v[i].kind == GW_V_OUTBOUND, rc;
		const char *pre = cfg->disclaimer_text[out ? 2 : 0];
		const char *app = cfg->disclaimer_text[out ? 3 : 1];
		const char *why = NULL;

		if (v->v[i].kind == GW_V_JOURNAL || (pre == NULL && app == NULL))
			continue;
		rc = disclaimer_hook(&tmp, v->msg[i].data, v->msg[i].len, pre,
		    app, out ? "outbound" : "inbound", cfg->hostname, &why);
		if (tmp.oom) {
			addr_buf_free(&tmp);
			return -1;
		}
		if (rc != 1)
			continue;
		/* the variant's own buffer takes the new content */
		addr_buf_free(&v->v[i].data);
		v->v[i].data = tmp;
		addr_buf_init(&tmp);
		v->msg[i].data = v->v[i].data.ptr;
		v->msg[i].len = v->v[i].data.size;
	}
	addr_buf_free(&tmp);
	return 0;
}

/* seen - is to already among the journal reports of v? */
static int
seen(const struct gw_variants *v, const char *to)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->v[i].kind == GW_V_JOURNAL &&
		    strcasecmp(v->msg[i].rcpt[0].addr, to) == 0)
			return 1;
	return 0;
}

/* journals - the direction journals, then the per-recipient ones */
static int
journals(struct gw_variants *v, const struct gw_config *cfg,
	 const struct gw_message *in, time_t now)
{
	int has_in = 0, has_out = 0;
	size_t i;

	for (i = 0; i < v->n; i++) {
		has_in |= v->v[i].kind == GW_V_INBOUND ||
		    v->v[i].kind == GW_V_FORWARD;
		has_out |= v->v[i].kind == GW_V_OUTBOUND;
	}
	if (has_in && cfg->journal_inbound &&
	    journal(v, cfg, in, cfg->journal_inbound, "inbound", now) < 0)
		return -1;
	if (has_out && cfg->journal_outbound &&
	    !seen(v, cfg->journal_outbound) &&
	    journal(v, cfg, in, cfg->journal_outbound, "outbound", now) < 0)
		return -1;
	if (cfg->journal_attribute == NULL || cfg->journal_ndr_to == NULL)
		return 0;
	for (i = 0; i < v->t.n; i++) {
		const struct addr_rw_target *t = &v->t.v[i];
		const char *to;

		if (t->entry == NULL || t->fail != NULL)
			continue;
		to = addr_dir_entry_value(t->entry, cfg->journal_attribute, 0,
		    NULL);
		if (to == NULL || *to == '\0' || seen(v, to))
			continue;
		if (journal(v, cfg, in, to, "recipient", now) < 0)
			return -1;
	}
	return 0;
}

int
gw_pipeline(struct gw_variants *v, const struct gw_config *cfg,
	    const struct gw_message *in, const struct addr_dir_entry *sender,
	    time_t now, char *reply, size_t rsize)
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
	if (rc < 0 || (rc == 0 && outbound(v, v->n - 1, cfg, &rw, sender) < 0))
		goto nomem;
	if (variant(v, GW_V_FORWARD, in, &v->tf, cfg, pick_all) < 0)
		goto nomem;
	/* journal reports carry the message as received: they are made
	 * after the disclaimers, from in, which those never change */
	if (disclaimers(v, cfg) < 0)
		goto nomem;
	/* a message that is itself a report is not journaled again */
	if (!in->ndr && journals(v, cfg, in, now) < 0)
		goto nomem;
	return 0;
nomem:
	snprintf(reply, rsize, "451 4.3.0 Error: out of memory");
	return -1;
}
