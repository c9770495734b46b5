/*
 * schedule.c - the scheduler: which recipient is tried when
 *
 * SYNOPSIS
 *	gw_schedule_hooks(), gw_schedule_run(), gw_schedule_result(),
 *	gw_backoff()
 *
 * DESCRIPTION
 *	spec-gateway.md §8.2 and §8.4. A recipient is marked sent only after
 *	the next hop took it and the envelope update is durable; a crash in
 *	between repeats the delivery (at-least-once), never loses it. The
 *	backoff is [delivery] retry, the last interval repeating; the
 *	lifetime counts from queue entry, never from Date:.
 *
 *	drop: next hops are written at once. smtp: next hops, and addresses
 *	no route matches (MX delivery to their domain), are handed to the
 *	SMTP side (mta.c) in batches of at most max_outbound_recipients per
 *	next hop (per domain for MX); the recipients stay "in flight" until
 *	gw_schedule_result brings the outcome: 2xx sent, 4xx deferred with
 *	backoff, 5xx failed. A failed recipient is reported at once, in the
 *	same round (Q140934), through bounce.c, before its envelope says
 *	"failed": a crash in between gives a second report, never none. A
 *	report that cannot be queued puts the recipient back to pending.
 *
 *	The daemon works on a message only under its lock (queue.h): the
 *	queue tool's changes are read back then, and a message the tool
 *	deleted is forgotten. Messages without a due recipient are not
 *	looked at, except in the pass after gw_schedule_resync().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "deliver.h"
#include "log.h"
#include "route.h"
#include "schedule.h"

static const struct gw_sched_hooks *hooks;
static int resync;

void
gw_schedule_hooks(const struct gw_sched_hooks *h)
{
	hooks = h;
}

void
gw_schedule_resync(void)
{
	resync = 1;
}

unsigned
gw_backoff(const struct gw_config *cfg, unsigned tries)
{
	if (cfg->nretry == 0)
		return 300;
	if (tries == 0)
		tries = 1;
	return cfg->retry[tries - 1 < cfg->nretry ? tries - 1 : cfg->nretry - 1];
}

static void
set_last(struct gw_qrcpt *r, const char *dsn, const char *text)
{
	char buf[700];
	char *d;

	snprintf(buf, sizeof(buf), "%s %s", dsn, text);
	if ((d = strdup(buf)) == NULL)
		return;		/* keep the old text; the state is what counts */
	free(r->last);
	r->last = d;
}

static void
defer(const struct gw_config *cfg, struct gw_qmsg *m, size_t i, time_t now,
      const char *relay, const char *dsn, const char *why)
{
	struct gw_qrcpt *r = &m->rcpt[i];

	r->inflight = 0;
	r->tries++;
	r->next = now + (time_t)gw_backoff(cfg, r->tries);
	set_last(r, dsn, why);
	log_info("%s: to=<%s>, orig_to=<%s>, relay=%s, delay=%lld, dsn=%s, "
	    "status=deferred (%s)", m->id, r->addr, r->orig, relay,
	    (long long)(now - m->ctime), dsn, why);
}

static void
fail_rcpt(struct gw_qmsg *m, size_t i, time_t now, const char *relay,
     const char *dsn, const char *why, const char *status)
{
	struct gw_qrcpt *r = &m->rcpt[i];

	r->inflight = 0;
	r->tries++;
	r->state = GW_R_FAILED;
	r->ndr_due = 1;
	set_last(r, dsn, why);
	log_info("%s: to=<%s>, orig_to=<%s>, relay=%s, delay=%lld, dsn=%s, "
	    "status=%s (%s)", m->id, r->addr, r->orig, relay,
	    (long long)(now - m->ctime), dsn, status, why);
}

static void
sent(struct gw_qmsg *m, size_t i, time_t now, const char *relay,
     const char *dsn, const char *why)
{
	struct gw_qrcpt *r = &m->rcpt[i];

	r->inflight = 0;
	r->tries++;
	r->state = GW_R_SENT;
	set_last(r, dsn, why);
	log_info("%s: to=<%s>, orig_to=<%s>, relay=%s, delay=%lld, dsn=%s, "
	    "status=sent (%s)", m->id, r->addr, r->orig, relay,
	    (long long)(now - m->ctime), dsn, why);
}

/*
 * settle - reports that are due, the delay warning, the envelope
 * update, removal when nothing is left. Returns 1 when msg was removed.
 */
static int
settle(struct gw_queue *q, const struct gw_config *cfg, struct gw_qmsg *m,
       time_t now, int changed)
{
	size_t *idx, i, n = 0;
	int pending = 0;

	if ((idx = calloc(m->nrcpt, sizeof(*idx))) == NULL) {
		log_warnx("%s: out of memory", m->id);
		return 0;
	}
	for (i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].ndr_due)
			idx[n++] = i;
	if (n > 0) {
		int rc = gw_bounce(q, cfg, m, idx, n, 0, now);
		for (i = 0; i < n; i++) {
			struct gw_qrcpt *r = &m->rcpt[idx[i]];
			r->ndr_due = 0;
			if (rc < 0) {
				/* no report queued: try the whole thing again */
				r->state = GW_R_PENDING;
				r->next = now + (time_t)gw_backoff(cfg, r->tries);
			}
		}
		changed = 1;
	}
	if (cfg->delay_warning && !m->warned && !m->ndr &&
	    now - m->ctime >= (time_t)cfg->delay_warning) {
		for (i = n = 0; i < m->nrcpt; i++)
			if (m->rcpt[i].state == GW_R_PENDING)
				idx[n++] = i;
		if (n > 0 && gw_bounce(q, cfg, m, idx, n, 1, now) == 0) {
			m->warned = 1;
			changed = 1;
		}
	}
	free(idx);
	for (i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].state == GW_R_PENDING)
			pending = 1;
	/* a message with nothing left to do is removed without first
	 * writing its final state: the removal is the durable record, and
	 * a crash before it only repeats deliveries (at least once) -- two
	 * fsyncs saved per message (bench/RESULTS.md, relay profile) */
	if (changed && (pending || m->busy != 0) && gw_queue_update(q, m) < 0)
		log_warnx("%s: state kept in memory until the next update",
		    m->id);
	if (!pending && m->busy == 0) {
		log_info("%s: removed", m->id);
		gw_queue_remove(q, m);
		return 1;
	}
	return 0;
}

/* domain_of - the domain of an address (after the last "@") */
static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : "";
}

/* attempt - one message: returns 1 when its envelope changed */
static int
attempt(struct gw_queue *q, const struct gw_config *cfg, struct gw_qmsg *m,
	time_t now)
{
	struct addr_buf content;
	const struct gw_route **rt;
	unsigned char *smtp;
	size_t *idx, i, j, n;
	int changed = 0, have_content = 0;

	rt = calloc(m->nrcpt, sizeof(*rt));
	idx = calloc(m->nrcpt, sizeof(*idx));
	smtp = calloc(m->nrcpt, 1);
	if (rt == NULL || idx == NULL || smtp == NULL) {
		free(rt);
		free(idx);
		free(smtp);
		log_warnx("%s: out of memory, delivery postponed", m->id);
		return 0;
	}
	addr_buf_init(&content);
	for (i = 0; i < m->nrcpt; i++) {
		struct gw_qrcpt *r = &m->rcpt[i];

		if (r->state != GW_R_PENDING || r->inflight || r->next > now)
			continue;
		if (now - m->ctime >= (time_t)cfg->lifetime) {
			char why[700];
			snprintf(why, sizeof(why), "delivery time expired%s%s",
			    r->last ? "; last error: " : "",
			    r->last ? r->last : "");
			fail_rcpt(m, i, now, "none", "5.4.7", why, "expired");
			changed = 1;
			continue;
		}
		/* unknown recipients forwarded as they came (§6.6) */
		rt[i] = m->forward && cfg->unknown_forward ?
		    &cfg->unknown_route : gw_route_find(cfg, "SMTP", r->addr);
		if (rt[i] == NULL || rt[i]->hop_kind != GW_HOP_DROP) {
			smtp[i] = 1;
			continue;
		}
	}
	/* SMTP: one batch per next hop (per domain for MX) */
	for (i = 0; i < m->nrcpt; i++) {
		const char *dom;

		if (!smtp[i])
			continue;
		dom = rt[i] ? NULL : domain_of(m->rcpt[i].addr);
		n = 0;
		for (j = i; j < m->nrcpt && n < cfg->max_outbound_recipients;
		    j++)
			if (smtp[j] && rt[j] == rt[i] && (rt[i] != NULL ||
			    !strcasecmp(domain_of(m->rcpt[j].addr), dom)))
				idx[n++] = j;
		for (j = 0; j < n; j++)
			smtp[idx[j]] = 0;
		if (hooks && hooks->smtp && hooks->smtp(hooks->arg, m, rt[i],
		    dom, idx, n) == 0) {
			for (j = 0; j < n; j++)
				m->rcpt[idx[j]].inflight = 1;
			m->busy++;
			gw_queue_lock(q, m);	/* nested: held until the result */
		} else {
			for (j = 0; j < n; j++)
				defer(cfg, m, idx[j], now, rt[i] ?
				    rt[i]->hop_text : "none", "4.3.0",
				    "no SMTP client available");
			changed = 1;
		}
		rt[i] = NULL;
		for (j = 0; j < n; j++)
			rt[idx[j]] = NULL;
	}
	/* drop deliveries: one file per next hop and batch of recipients */
	for (i = 0; i < m->nrcpt; i++) {
		char done[4200], why[4200];

		if (rt[i] == NULL)
			continue;
		n = 0;
		for (j = i; j < m->nrcpt && n < cfg->max_outbound_recipients; j++)
			if (rt[j] == rt[i])
				idx[n++] = j;
		if (!have_content) {
			if (gw_queue_content(q, m, &content) < 0) {
				log_warn("%s: cannot read the queued content",
				    m->id);
				for (j = 0; j < m->nrcpt; j++)
					if (rt[j])
						defer(cfg, m, j, now, "none",
						    "4.3.0", "queue file read "
						    "error");
				changed = 1;
				break;
			}
			have_content = 1;
		}
		if (gw_deliver_drop(rt[i]->hop, m, idx, n, content.ptr,
		    content.size, q->nosync, done, sizeof(done), why,
		    sizeof(why)) < 0) {
			for (j = 0; j < n; j++)
				defer(cfg, m, idx[j], now, rt[i]->hop_text,
				    "4.3.0", why);
		} else {
			char text[4300];
			snprintf(text, sizeof(text), "written to %s", done);
			for (j = 0; j < n; j++)
				sent(m, idx[j], now, rt[i]->hop_text, "2.0.0",
				    text);
		}
		for (j = 0; j < n; j++)
			rt[idx[j]] = NULL;
		changed = 1;
	}
	addr_buf_free(&content);
	free(rt);
	free(idx);
	free(smtp);
	return changed;
}

static int
due(const struct gw_qmsg *m, time_t now)
{
	size_t i;

	for (i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].state == GW_R_PENDING && !m->rcpt[i].inflight &&
		    m->rcpt[i].next <= now)
			return 1;
	return 0;
}

time_t
gw_schedule_run(struct gw_queue *q, const struct gw_config *cfg, time_t now)
{
	struct gw_qmsg *m, *next;
	time_t wake = 0;
	int all = resync;
	size_t i;

	resync = 0;
	for (m = q->head; m; m = next) {
		int lk, changed = 0;

		next = m->next;
		if ((all || (due(m, now) && !m->held && cfg->deliver)) &&
		    m->busy == 0) {
			lk = gw_queue_lock(q, m);
			if (lk < 0) {
				log_info("%s: removed (deleted with the queue "
				    "tool)", m->id);
				gw_queue_forget(q, m);
				continue;
			}
			if (lk == 0) {
				/* the queue tool is at it: look again soon */
				if (wake == 0 || now + 1 < wake)
					wake = now + 1;
				continue;
			}
			if (!m->held && cfg->deliver)
				changed = attempt(q, cfg, m, now);
			if (settle(q, cfg, m, now, changed))
				continue;
			gw_queue_unlock(m);
		}
		if (m->held || !cfg->deliver)
			continue;
		for (i = 0; i < m->nrcpt; i++)
			if (m->rcpt[i].state == GW_R_PENDING &&
			    !m->rcpt[i].inflight &&
			    (wake == 0 || m->rcpt[i].next < wake))
				wake = m->rcpt[i].next;
	}
	if (wake != 0 && wake <= now)
		wake = now + 1;
	return wake;
}

void
gw_schedule_result(struct gw_queue *q, const struct gw_config *cfg,
		   struct gw_qmsg *m, const size_t *idx, size_t n,
		   const struct gw_client_result *res, const char *relay,
		   time_t now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct gw_client_result *r = &res[i];
		switch (r->status) {
		case 2:
			sent(m, idx[i], now, relay, r->dsn, r->text);
			break;
		case 5:
			fail_rcpt(m, idx[i], now, relay, r->dsn, r->text, "bounced");
			break;
		default:
			defer(cfg, m, idx[i], now, relay, r->status ? r->dsn :
			    "4.4.0", r->status ? r->text : "no result");
			break;
		}
	}
	if (m->busy > 0)
		m->busy--;
	if (!settle(q, cfg, m, now, 1))
		gw_queue_unlock(m);
}
