/*
 * mta.c - outbound SMTP: resolution, connections, concurrency
 *
 * SYNOPSIS
 *	gw_mta_new(), gw_mta_active()
 *
 * DESCRIPTION
 *	The socket side of the SMTP client (the protocol is client.c, the
 *	replies reply.c). One job is one batch of recipients of one message
 *	to one next hop; it runs as
 *
 *	  wait for a slot -> resolve -> connect (next address on failure)
 *	  -> client.c session -> results to gw_schedule_result
 *
 *	Slots: at most [delivery] concurrency jobs per destination (the
 *	route's next hop as written, or "mx:DOMAIN"); more wait in order.
 *	Resolution may block (res_query, getaddrinfo), so it runs in a
 *	short-lived thread that reports over a socketpair (an IP literal
 *	next hop needs none: it is used as written); everything else
 *	is non-blocking on libevent, so the server keeps serving.
 *	smtp:host[:port] and MX delivery look up MX records (preference
 *	order, then A/AAAA of the domain when there are none; a null MX
 *	fails 5.1.10, a domain that does not exist 5.4.4); smtp:[host]:port
 *	uses A/AAAA only. An address that is one of our own listeners is a
 *	routing loop (5.4.6, spec-gateway.md §7.3), never a retry.
 *
 *	Timeouts are [delivery] client_timeouts: connect; greeting to RCPT;
 *	DATA; each data block (write); the final "." (read, counted once
 *	the content is written). A timeout or a lost connection fails the
 *	open recipients temporarily.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/nameser.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "client.h"
#include "dns.h"
#include "log.h"
#include "mta.h"

#define MAX_ADDRS 16

struct job;

struct dest {
	char key[300];
	unsigned active;
	struct job *wait, **wait_tail;
	struct dest *next;
};

struct gw_mta {
	struct event_base *base;
	struct gw_config **cfgp;
	struct gw_queue *q;
	void (*kick)(void *);
	void *arg;
	struct dest *dests;
	unsigned active;
};

struct job {
	struct gw_mta *mta;
	struct dest *dest;
	struct job *next;		/* in the destination's wait list */
	struct gw_qmsg *m;		/* valid while m->busy counts us */
	size_t *idx, n;
	char **rcpt;
	struct addr_buf content;
	struct gw_client_job cj;
	struct gw_client *c;
	char host[256];
	unsigned port;
	int mx;
	int from_route;
	/* resolution (written by the thread, read after it ended) */
	struct sockaddr_storage addr[MAX_ADDRS];
	socklen_t alen[MAX_ADDRS];
	char aname[MAX_ADDRS][64];	/* host name per address, for logs */
	size_t naddr, ai;
	int rstatus;			/* 0 ok, 4 or 5 failed */
	char rdsn[16], rwhy[700];
	int pfd[2];
	pthread_t th;
	struct event *rev;
	/* the connection */
	struct bufferevent *bev;
	int greeted;
	int reading;
	char relay[400];
	char lasterr[700];
};

static void job_connect(struct job *);
static void job_start(struct job *);

unsigned
gw_mta_active(const struct gw_mta *mta)
{
	return mta->active;
}

static void
job_free(struct job *j)
{
	size_t i;

	if (j->bev)
		bufferevent_free(j->bev);
	if (j->rev)
		event_free(j->rev);
	gw_client_free(j->c);
	for (i = 0; i < j->n; i++)
		free(j->rcpt[i]);
	free(j->rcpt);
	free(j->idx);
	addr_buf_free(&j->content);
	free(j);
}

/* job_done - hand the results over, free the slot, start a waiter */
static void
job_done(struct job *j)
{
	struct gw_mta *mta = j->mta;
	struct dest *d = j->dest;
	struct gw_client_result *res;
	size_t i;

	if ((res = calloc(j->n, sizeof(*res))) != NULL) {
		for (i = 0; i < j->n; i++) {
			if (j->rstatus) {
				res[i].status = j->rstatus;
				snprintf(res[i].dsn, sizeof(res[i].dsn), "%s",
				    j->rdsn);
				snprintf(res[i].text, sizeof(res[i].text),
				    "%.500s", j->rwhy);
			} else if (j->c)
				res[i] = *gw_client_result(j->c, i);
		}
	}
	gw_schedule_result(mta->q, *mta->cfgp, j->m, j->idx, j->n, res ? res :
	    (struct gw_client_result[1]){ { 4, "4.3.0", "out of memory" } },
	    j->relay[0] ? j->relay : j->host, time(NULL));
	free(res);
	d->active--;
	mta->active--;
	job_free(j);
	if (d->wait != NULL && d->active < (*mta->cfgp)->concurrency) {
		struct job *w = d->wait;
		d->wait = w->next;
		if (d->wait == NULL)
			d->wait_tail = &d->wait;
		w->next = NULL;
		job_start(w);
	}
	mta->kick(mta->arg);
}

/* ------------------------------------------------------- resolution */

static void
add_host(struct job *j, const char *host, int *temp)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[16];
	int e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%u", j->port ? j->port : 25);
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		if (e != EAI_NONAME)
			*temp = 1;
		snprintf(j->rwhy, sizeof(j->rwhy), "%s: %s", host,
		    gai_strerror(e));
		return;
	}
	for (ai = res; ai && j->naddr < MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(j->addr[0]))
			continue;
		memcpy(&j->addr[j->naddr], ai->ai_addr, ai->ai_addrlen);
		j->alen[j->naddr] = ai->ai_addrlen;
		snprintf(j->aname[j->naddr], sizeof(j->aname[0]), "%s", host);
		j->naddr++;
	}
	freeaddrinfo(res);
}

static void *
resolve_thread(void *arg)
{
	struct job *j = arg;
	int temp = 0;
	char one = 1;

	j->rstatus = 0;
	if (j->mx) {
		unsigned char ans[4096];
		struct gw_mx mx[GW_MX_MAX];
		size_t n = 0, i;
		int len, rcode = 0;

		len = res_query(j->host, ns_c_in, ns_t_mx, ans, sizeof(ans));
		if (len < 0) {
			if (h_errno == HOST_NOT_FOUND && !j->from_route) {
				j->rstatus = 5;
				snprintf(j->rdsn, sizeof(j->rdsn), "5.4.4");
				snprintf(j->rwhy, sizeof(j->rwhy), "Host or "
				    "domain name not found: %s", j->host);
				goto out;
			}
			if (h_errno != NO_DATA && h_errno != HOST_NOT_FOUND) {
				j->rstatus = 4;
				snprintf(j->rdsn, sizeof(j->rdsn), "4.4.3");
				snprintf(j->rwhy, sizeof(j->rwhy), "MX lookup "
				    "for %s failed: %s", j->host,
				    hstrerror(h_errno));
				goto out;
			}
		} else if (gw_dns_mx_parse(ans, (size_t)len, mx, GW_MX_MAX,
		    &n, &rcode) < 0) {
			j->rstatus = 4;
			snprintf(j->rdsn, sizeof(j->rdsn), "4.4.3");
			snprintf(j->rwhy, sizeof(j->rwhy), "MX lookup for %s: "
			    "malformed answer", j->host);
			goto out;
		}
		if (n == 1 && mx[0].host[0] == '\0') {
			j->rstatus = 5;
			snprintf(j->rdsn, sizeof(j->rdsn), "5.1.10");
			snprintf(j->rwhy, sizeof(j->rwhy), "%s accepts no mail "
			    "(null MX)", j->host);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (mx[i].host[0])
				add_host(j, mx[i].host, &temp);
		if (n == 0)
			add_host(j, j->host, &temp);
		else
			temp = 1;	/* MX hosts that do not resolve: retry */
	} else
		add_host(j, j->host, &temp);
	if (j->naddr == 0) {
		j->rstatus = temp || j->from_route ? 4 : 5;
		snprintf(j->rdsn, sizeof(j->rdsn), "%s",
		    j->rstatus == 4 ? "4.4.3" : "5.4.4");
		if (j->rwhy[0] == '\0')
			snprintf(j->rwhy, sizeof(j->rwhy), "%s: no address",
			    j->host);
	}
out:
	/* a failed write still ends in the close the reader sees */
	(void)!write(j->pfd[1], &one, 1);
	close(j->pfd[1]);
	return NULL;
}

/* is_self - addr is one of our listeners: a routing loop (§7.3) */
static int
is_self(const struct gw_config *cfg, const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < cfg->nlisten; i++) {
		const struct sockaddr *l =
		    (const struct sockaddr *)&cfg->listen[i].ss;
		if (l->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *a = (const void *)sa,
			    *b = (const void *)l;
			if (a->sin_port == b->sin_port &&
			    (a->sin_addr.s_addr == b->sin_addr.s_addr ||
			    b->sin_addr.s_addr == htonl(INADDR_ANY)))
				return 1;
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *a = (const void *)sa,
			    *b = (const void *)l;
			if (a->sin6_port == b->sin6_port &&
			    (!memcmp(&a->sin6_addr, &b->sin6_addr, 16) ||
			    IN6_IS_ADDR_UNSPECIFIED(&b->sin6_addr)))
				return 1;
		}
	}
	return 0;
}

/* resolved - the addresses are known (or rstatus says why not) */
static void
resolved(struct job *j)
{
	size_t i;

	if (j->rstatus) {
		job_done(j);
		return;
	}
	for (i = 0; i < j->naddr; i++)
		if (is_self(*j->mta->cfgp, (struct sockaddr *)&j->addr[i])) {
			j->rstatus = 5;
			snprintf(j->rdsn, sizeof(j->rdsn), "5.4.6");
			snprintf(j->rwhy, sizeof(j->rwhy), "Routing loop "
			    "detected: %s is this gateway's own listener",
			    j->host);
			job_done(j);
			return;
		}
	job_connect(j);
}

static void
resolved_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct job *j = arg;

	pthread_join(j->th, NULL);
	close(j->pfd[0]);
	event_free(j->rev);
	j->rev = NULL;
	resolved(j);
}

static void
literal_cb(evutil_socket_t fd, short ev, void *arg)
{
	resolved(arg);
}

/*
 * literal - smtp:[192.0.2.1]:25 and the like need no resolver: fill in
 * the address and go on a moment later (never from inside the
 * scheduler's call), without a thread. 1 when host is an IP literal.
 */
static int
literal(struct job *j)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&j->addr[0];
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&j->addr[0];
	uint16_t port = htons((uint16_t)(j->port ? j->port : 25));
	struct timeval tv0 = { 0, 0 };

	if (j->mx)
		return 0;
	memset(&j->addr[0], 0, sizeof(j->addr[0]));
	if (inet_pton(AF_INET, j->host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = port;
		j->alen[0] = sizeof(*a4);
	} else if (inet_pton(AF_INET6, j->host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = port;
		j->alen[0] = sizeof(*a6);
	} else
		return 0;
	snprintf(j->aname[0], sizeof(j->aname[0]), "%.63s", j->host);
	j->naddr = 1;
	j->rstatus = 0;
	if (event_base_once(j->mta->base, -1, EV_TIMEOUT, literal_cb, j,
	    &tv0) < 0)
		fatalx("event_base_once failed");
	return 1;
}

/* ------------------------------------------------------- connection */

static void
set_timeouts(struct job *j)
{
	const unsigned *t = (*j->mta->cfgp)->client_timeouts;
	struct timeval rd = { t[1], 0 }, wr = { t[1], 0 };

	switch (gw_client_phase(j->c)) {
	case GW_CP_DATA:
		rd.tv_sec = t[2];
		break;
	case GW_CP_BLOCK:
	case GW_CP_DOT:
		rd.tv_sec = t[4];
		wr.tv_sec = t[3];
		break;
	default:
		break;
	}
	bufferevent_set_timeouts(j->bev, &rd, &wr);
}

/* flush - client output to the socket; finish when the session is done */
static void
flush(struct job *j)
{
	struct evbuffer *out = bufferevent_get_output(j->bev);
	size_t len;
	const char *p = gw_client_output(j->c, &len);

	if (len > 0) {
		bufferevent_write(j->bev, p, len);
		gw_client_consume(j->c, len);
	}
	if (gw_client_phase(j->c) == GW_CP_DONE) {
		if (evbuffer_get_length(out) == 0)
			job_done(j);
		return;
	}
	set_timeouts(j);
	/* the final-"." timeout counts once the content is written */
	if (evbuffer_get_length(out) > 0 &&
	    gw_client_phase(j->c) >= GW_CP_BLOCK) {
		bufferevent_disable(j->bev, EV_READ);
		j->reading = 0;
	} else if (!j->reading) {
		bufferevent_enable(j->bev, EV_READ);
		j->reading = 1;
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct job *j = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char buf[4096];
	int n;

	j->greeted = 1;
	while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0 &&
	    gw_client_phase(j->c) != GW_CP_DONE)
		gw_client_feed(j->c, buf, (size_t)n);
	if (gw_client_phase(j->c) == GW_CP_DONE)
		evbuffer_drain(in, evbuffer_get_length(in));
	flush(j);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	flush(arg);
}

static const char *
phase_name(int ph)
{
	static const char *const names[] = { "in the SMTP dialogue",
	    "waiting for the DATA reply", "sending the message",
	    "waiting for the end-of-data reply", "at QUIT" };
	return ph >= 0 && ph <= GW_CP_DONE ? names[ph] : "?";
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct job *j = arg;
	char why[900];

	if (what & BEV_EVENT_CONNECTED) {
		char ip[INET6_ADDRSTRLEN] = "?";
		const struct sockaddr *sa =
		    (const struct sockaddr *)&j->addr[j->ai];
		unsigned port = 0;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)sa;
			inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
			port = ntohs(s4->sin_port);
		} else {
			const struct sockaddr_in6 *s6 = (const void *)sa;
			inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
			port = ntohs(s6->sin6_port);
		}
		snprintf(j->relay, sizeof(j->relay), "%s[%s]:%u",
		    j->aname[j->ai], ip, port);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
		j->reading = 1;
		set_timeouts(j);
		return;
	}
	if (gw_client_phase(j->c) == GW_CP_DONE) {
		job_done(j);	/* closed after our QUIT: fine */
		return;
	}
	if (!j->greeted) {
		/* no greeting: try the next address */
		snprintf(j->lasterr, sizeof(j->lasterr), "connect to %s: %s",
		    j->relay[0] ? j->relay : j->aname[j->ai],
		    (what & BEV_EVENT_TIMEOUT) ? "timed out" :
		    (what & BEV_EVENT_EOF) ? "closed before the greeting" :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		bufferevent_free(j->bev);
		j->bev = NULL;
		j->ai++;
		job_connect(j);
		return;
	}
	snprintf(why, sizeof(why), "%s with %s %s",
	    (what & BEV_EVENT_TIMEOUT) ? "timeout" : "lost connection",
	    j->relay, phase_name(gw_client_phase(j->c)));
	gw_client_fail(j->c, "4.4.2", why);
	job_done(j);
}

static void
job_connect(struct job *j)
{
	const unsigned *t = (*j->mta->cfgp)->client_timeouts;
	struct timeval tv = { t[0], 0 };

	gw_client_free(j->c);
	j->c = NULL;
	j->greeted = 0;
	j->relay[0] = '\0';
	if (j->ai >= j->naddr) {
		j->rstatus = 4;
		snprintf(j->rdsn, sizeof(j->rdsn), "4.4.1");
		snprintf(j->rwhy, sizeof(j->rwhy), "%s", j->lasterr[0] ?
		    j->lasterr : "no address to connect to");
		job_done(j);
		return;
	}
	if ((j->c = gw_client_new(&j->cj)) == NULL ||
	    (j->bev = bufferevent_socket_new(j->mta->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		j->rstatus = 4;
		snprintf(j->rdsn, sizeof(j->rdsn), "4.3.0");
		snprintf(j->rwhy, sizeof(j->rwhy), "out of memory");
		job_done(j);
		return;
	}
	bufferevent_setcb(j->bev, read_cb, write_cb, event_cb, j);
	bufferevent_set_timeouts(j->bev, &tv, &tv);
	if (bufferevent_socket_connect(j->bev,
	    (struct sockaddr *)&j->addr[j->ai], (int)j->alen[j->ai]) < 0) {
		snprintf(j->lasterr, sizeof(j->lasterr), "connect to %s: %s",
		    j->aname[j->ai], strerror(errno));
		bufferevent_free(j->bev);
		j->bev = NULL;
		j->ai++;
		job_connect(j);
	}
}

static void
done_later_cb(evutil_socket_t fd, short ev, void *arg)
{
	job_done(arg);
}

/* job_start - a slot is ours: resolve in a thread */
static void
job_start(struct job *j)
{
	j->dest->active++;
	j->pfd[0] = j->pfd[1] = -1;
	if (literal(j))
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, j->pfd) < 0 ||
	    (j->rev = event_new(j->mta->base, j->pfd[0], EV_READ,
	    resolved_cb, j)) == NULL ||
	    event_add(j->rev, NULL) < 0 ||
	    pthread_create(&j->th, NULL, resolve_thread, j) != 0) {
		log_warn("%s: cannot start the resolver", j->m->id);
		if (j->pfd[0] >= 0) {
			close(j->pfd[0]);
			close(j->pfd[1]);
		}
		j->rstatus = 4;
		snprintf(j->rdsn, sizeof(j->rdsn), "4.3.0");
		snprintf(j->rwhy, sizeof(j->rwhy), "cannot start the "
		    "resolver");
		if (j->rev) {
			event_free(j->rev);
			j->rev = NULL;
		}
		/* never from inside the scheduler's call: a moment later */
		{
			struct timeval tv0 = { 0, 0 };
			if (event_base_once(j->mta->base, -1, EV_TIMEOUT,
			    done_later_cb, j, &tv0) < 0)
				fatalx("event_base_once failed");
		}
	}
}

static struct dest *
dest_get(struct gw_mta *mta, const char *key)
{
	struct dest *d;

	for (d = mta->dests; d; d = d->next)
		if (!strcmp(d->key, key))
			return d;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	snprintf(d->key, sizeof(d->key), "%s", key);
	d->wait_tail = &d->wait;
	d->next = mta->dests;
	mta->dests = d;
	return d;
}

/* hook_smtp - the scheduler's SMTP side (schedule.h) */
static int
hook_smtp(void *arg, struct gw_qmsg *m, const struct gw_route *rt,
	  const char *domain, const size_t *idx, size_t n)
{
	struct gw_mta *mta = arg;
	const struct gw_config *cfg = *mta->cfgp;
	struct job *j;
	char key[300];
	size_t i;

	if (rt == NULL && (domain == NULL || domain[0] == '\0' ||
	    strlen(domain) >= sizeof(j->host) || domain[0] == '['))
		return -1;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	addr_buf_init(&j->content);
	j->mta = mta;
	j->m = m;
	j->n = n;
	j->idx = calloc(n, sizeof(*j->idx));
	j->rcpt = calloc(n, sizeof(*j->rcpt));
	if (j->idx == NULL || j->rcpt == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		j->idx[i] = idx[i];
		if ((j->rcpt[i] = strdup(m->rcpt[idx[i]].addr)) == NULL)
			goto fail;
	}
	if (gw_queue_content(mta->q, m, &j->content) < 0) {
		log_warn("%s: cannot read the queued content", m->id);
		goto fail;
	}
	if (rt != NULL) {
		snprintf(j->host, sizeof(j->host), "%s", rt->hop);
		j->port = rt->port;
		j->mx = rt->hop_kind == GW_HOP_SMTP_MX;
		j->from_route = 1;
		snprintf(key, sizeof(key), "%s", rt->hop_text);
	} else {
		snprintf(j->host, sizeof(j->host), "%s", domain);
		j->mx = 1;
		snprintf(key, sizeof(key), "mx:%s", domain);
	}
	j->cj.helo = cfg->hostname;
	j->cj.sender = m->sender;
	j->cj.rcpt = (const char *const *)j->rcpt;
	j->cj.nrcpt = n;
	j->cj.content = j->content.ptr;
	j->cj.len = j->content.size;
	j->cj.body_8bit = m->body_8bit;
	j->cj.smtputf8 = m->smtputf8;
	if ((j->dest = dest_get(mta, key)) == NULL)
		goto fail;
	mta->active++;
	if (j->dest->active < cfg->concurrency)
		job_start(j);
	else {
		*j->dest->wait_tail = j;
		j->dest->wait_tail = &j->next;
	}
	return 0;
fail:
	job_free(j);
	return -1;
}

struct gw_mta *
gw_mta_new(struct event_base *base, struct gw_config **cfgp,
	   struct gw_queue *q, void (*kick)(void *), void *arg,
	   struct gw_sched_hooks *hooks)
{
	struct gw_mta *mta = calloc(1, sizeof(*mta));

	if (mta == NULL)
		return NULL;
	mta->base = base;
	mta->cfgp = cfgp;
	mta->q = q;
	mta->kick = kick;
	mta->arg = arg;
	hooks->arg = mta;
	hooks->smtp = hook_smtp;
	return mta;
}
