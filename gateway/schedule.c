/*
 * schedule.c - the scheduler: which recipient is tried when
 *
 * SYNOPSIS
 *	gw_schedule_run(), gw_backoff()
 *
 * DESCRIPTION
 *	spec-gateway.md §8.2 and §8.4. A recipient is marked sent only after
 *	the next hop took it and the envelope update is durable; a crash in
 *	between repeats the delivery (at-least-once), never loses it. The
 *	backoff is [delivery] retry, the last interval repeating; the
 *	lifetime counts from queue entry, never from Date:.
 *
 *	This version delivers to drop: next hops only. Recipients routed
 *	to smtp: (or to no route, which means MX delivery) are deferred
 *	with "SMTP delivery not implemented yet", so they stay queued and
 *	visible, and expire at the end of the lifetime (logged; NDRs come
 *	with bounce.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver.h"
#include "log.h"
#include "route.h"
#include "schedule.h"

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
set_last(struct gw_qrcpt *r, const char *text)
{
	char *d = strdup(text);

	if (d == NULL)
		return;		/* keep the old text; the state is what counts */
	free(r->last);
	r->last = d;
}

static void
defer(const struct gw_config *cfg, struct gw_qmsg *m, size_t i, time_t now,
      const char *relay, const char *dsn, const char *why)
{
	struct gw_qrcpt *r = &m->rcpt[i];
	char text[600];

	r->tries++;
	r->next = now + (time_t)gw_backoff(cfg, r->tries);
	snprintf(text, sizeof(text), "%s %s", dsn, why);
	set_last(r, text);
	log_info("%s: to=<%s>, orig_to=<%s>, relay=%s, delay=%lld, dsn=%s, "
	    "status=deferred (%s)", m->id, r->addr, r->orig, relay,
	    (long long)(now - m->ctime), dsn, why);
}

/* attempt - one message: returns 1 when its envelope changed */
static int
attempt(struct gw_queue *q, const struct gw_config *cfg, struct gw_qmsg *m,
	time_t now)
{
	struct addr_buf content;
	const struct gw_route **rt;
	size_t *idx, i, j, n;
	int changed = 0, have_content = 0;

	if ((rt = calloc(m->nrcpt, sizeof(*rt))) == NULL ||
	    (idx = calloc(m->nrcpt, sizeof(*idx))) == NULL) {
		free(rt);
		log_warnx("%s: out of memory, delivery postponed", m->id);
		return 0;
	}
	addr_buf_init(&content);
	for (i = 0; i < m->nrcpt; i++) {
		struct gw_qrcpt *r = &m->rcpt[i];

		if (r->state != GW_R_PENDING || r->next > now)
			continue;
		if (now - m->ctime >= (time_t)cfg->lifetime) {
			r->state = GW_R_FAILED;
			set_last(r, "5.4.7 delivery time expired");
			log_info("%s: to=<%s>, orig_to=<%s>, relay=none, "
			    "delay=%lld, dsn=5.4.7, status=expired (%s)",
			    m->id, r->addr, r->orig,
			    (long long)(now - m->ctime), r->last ? r->last :
			    "delivery time expired");
			log_warnx("%s: non-delivery report not sent: NDRs are "
			    "not implemented yet", m->id);
			changed = 1;
			continue;
		}
		rt[i] = gw_route_find(cfg, "SMTP", r->addr);
		if (rt[i] == NULL || rt[i]->hop_kind != GW_HOP_DROP) {
			defer(cfg, m, i, now, rt[i] ? rt[i]->hop_text : "none",
			    "4.4.0", "SMTP delivery is not implemented yet");
			rt[i] = NULL;
			changed = 1;
		}
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
			for (j = 0; j < n; j++) {
				struct gw_qrcpt *r = &m->rcpt[idx[j]];
				r->state = GW_R_SENT;
				set_last(r, "2.0.0 delivered");
				log_info("%s: to=<%s>, orig_to=<%s>, relay=%s, "
				    "delay=%lld, dsn=2.0.0, status=sent "
				    "(written to %s)", m->id, r->addr, r->orig,
				    rt[i]->hop_text,
				    (long long)(now - m->ctime), done);
			}
		}
		for (j = 0; j < n; j++)
			rt[idx[j]] = NULL;
		changed = 1;
	}
	addr_buf_free(&content);
	free(rt);
	free(idx);
	return changed;
}

time_t
gw_schedule_run(struct gw_queue *q, const struct gw_config *cfg, time_t now)
{
	struct gw_qmsg *m, *next;
	time_t wake = 0;
	size_t i;

	for (m = q->head; m; m = next) {
		int pending = 0;

		next = m->next;
		if (m->held || !cfg->deliver)
			continue;
		if (attempt(q, cfg, m, now) && gw_queue_update(q, m) < 0) {
			/* the state is still in memory; try again later */
			if (wake == 0 || now + 60 < wake)
				wake = now + 60;
		}
		for (i = 0; i < m->nrcpt; i++)
			if (m->rcpt[i].state == GW_R_PENDING) {
				pending = 1;
				if (wake == 0 || m->rcpt[i].next < wake)
					wake = m->rcpt[i].next;
			}
		if (!pending) {
			log_info("%s: removed", m->id);
			gw_queue_remove(q, m);
		}
	}
	if (wake != 0 && wake <= now)
		wake = now + 1;
	return wake;
}
