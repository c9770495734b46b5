/*
 * server.c - addrgw's event loop on libevent
 *
 * SYNOPSIS
 *	gw_server_listen(), gw_server_run()
 *
 * DESCRIPTION
 *	One process, one libevent loop: a listener per [server] listen
 *	line, a bufferevent per client driving a session.c state machine,
 *	and a timer for the scheduler. The session's commit callback hands
 *	the queue write (fsync included) to a writer thread (commit.c) and
 *	stops reading from that client; the 250 is queued only when the
 *	writer reports, so the reply never runs ahead of the disk, and the
 *	loop serves the other clients in the meantime.
 *
 *	The error tarpit delays a reply by not writing it (and not reading
 *	further) until a timer fires; the idle timeout is the bufferevent's
 *	read timeout, which the session answers with 421.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "mta.h"
#include "queue.h"
#include "schedule.h"
#include "archive.h"
#include "directory.h"
#include "texts.h"
#include "commit.h"
#include "server.h"
#include "session.h"

/* writer threads for the queue (commit.c): each spends its time waiting
 * for the disk, so enough for every busy session to have a commit in
 * flight; the directory fsync is shared between them */
#define QUEUE_WRITERS 32

struct listener {
	struct gw_server *srv;
	struct evconnlistener *ev;
	const struct gw_listen *conf;
};

struct gw_server {
	struct gw_config *cfg;
	struct event_base *base;
	struct listener *l;
	size_t nl;
	struct gw_queue q;
	struct event *sched;
	struct event *sig[8];
	unsigned long nextconn;
	struct gw_mta *mta;
	struct gw_sched_hooks hooks;
	struct gw_committer *writers;	/* NULL: commits on the loop */
	struct gw_config **old;		/* replaced by reloads, kept for the
					   sessions that borrow them */
	size_t nold;
	char pidfile[4200];
};

struct conn {
	struct gw_server *srv;
	struct bufferevent *bev;
	struct event *tarpit;
	struct gw_session *s;
	struct gw_session_cb cb;
	unsigned long id;
	int transcript;
	const struct gw_message *msgs;	/* being committed (borrowed) */
	int dead;		/* gone while its commit was under way */
};

static void conn_flush(struct conn *);
static void read_cb(struct bufferevent *, void *);
static void conn_free(struct conn *);

static void
sched_now(struct gw_server *srv)
{
	struct timeval tv = { 0, 0 };

	evtimer_add(srv->sched, &tv);
}

static void
kick(void *arg)
{
	sched_now(arg);
}

static void
sched_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gw_server *srv = arg;
	time_t now = time(NULL), wake;

	wake = gw_schedule_run(&srv->q, srv->cfg, now);
	if (wake) {
		struct timeval tv = { wake > now ? wake - now : 1, 0 };
		evtimer_add(srv->sched, &tv);
	}
}

/* the session's callbacks */

/*
 * finish - end of a commit (loop thread): the log lines, the messages
 * into the queue, the archive copies (§11.1, once every variant is
 * queued; they never fail the mail). 0, or -1 (logged). Frees b.
 */
static int
finish(struct gw_server *srv, struct gw_qbatch *b, const struct gw_message *m)
{
	struct gw_qmsg *qm;
	size_t n = b->n, i;

	for (i = 0; b->rc == 0 && i < n; i++) {
		log_info("%s: client=[%s], helo=<%s>%s%s", b->m[i]->id,
		    m[i].client, m[i].helo, i ? ", variant of " : "",
		    i ? b->m[0]->id : "");
		log_info("%s: from=<%s>, size=%zu, nrcpt=%zu (queue active)",
		    b->m[i]->id, m[i].sender, m[i].len, m[i].nrcpt);
	}
	if (gw_queue_finish(&srv->q, b) != n) {
		gw_qbatch_free(b);
		return -1;
	}
	gw_qbatch_free(b);
	/* the queue's head is the last variant */
	for (qm = srv->q.head, i = n; i-- > 0 && qm != NULL; qm = qm->next)
		if (m[i].archive)
			gw_archive(srv->cfg, qm, m[i].archive, m[i].data,
			    m[i].len);
	sched_now(srv);
	return 0;
}

/* commit_done - a writer finished c's commit (loop thread) */
static void
commit_done(struct gw_qbatch *b, void *arg)
{
	struct conn *c = arg;
	char id[GW_QID_SIZE];
	int rc;

	snprintf(id, sizeof(id), "%s", b->m[0]->id);
	rc = finish(c->srv, b, c->msgs);
	c->msgs = NULL;
	gw_session_committed(c->s, rc, id);
	if (c->dead) {
		conn_free(c);
		return;
	}
	/* what the client pipelined behind the message */
	bufferevent_enable(c->bev, EV_READ);
	read_cb(c->bev, c);
}

static int
cb_commit(void *arg, const struct gw_message *m, size_t n, char *id,
	  size_t idsize)
{
	struct conn *c = arg;
	struct gw_qbatch *b;

	if ((b = gw_queue_prepare(&c->srv->q, m, n, time(NULL))) == NULL) {
		log_warnx("NOQUEUE: out of memory");
		return -1;
	}
	snprintf(id, idsize, "%s", b->m[0]->id);
	if (c->srv->writers == NULL) {
		/* no writer threads: the whole commit here */
		gw_queue_write(&c->srv->q, b);
		return finish(c->srv, b, m);
	}
	if (gw_committer_submit(c->srv->writers, b, commit_done, c) < 0) {
		gw_qbatch_free(b);
		log_warnx("NOQUEUE: out of memory");
		return -1;
	}
	c->msgs = m;
	bufferevent_disable(c->bev, EV_READ);
	return GW_COMMIT_PENDING;
}

static void
cb_log(void *arg, const char *line)
{
	log_info("%s", line);
}

static void
cb_transcript(void *arg, char dir, const char *line, size_t len)
{
	struct conn *c = arg;

	if (c->transcript)
		log_info("S%lu %c %.*s", c->id, dir, (int)(len > 512 ? 512 : len),
		    line);
}

static void
conn_free(struct conn *c)
{
	if (c->s != NULL && gw_session_committing(c->s)) {
		/* a writer still uses the session's message: free the
		 * connection when it reports (commit_done) */
		c->dead = 1;
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		return;
	}
	if (c->tarpit)
		event_free(c->tarpit);
	if (c->bev)
		bufferevent_free(c->bev);
	gw_session_free(c->s);
	free(c);
}

/* write_cb - once the last reply is out, a closing session ends */
static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (gw_session_closing(c->s) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void
tarpit_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;
	size_t len;
	const char *out = gw_session_output(c->s, &len);

	bufferevent_write(c->bev, out, len);
	gw_session_consume(c->s, len);
	if (gw_session_closing(c->s)) {
		bufferevent_disable(c->bev, EV_READ);
		write_cb(c->bev, c);
		return;
	}
	bufferevent_enable(c->bev, EV_READ);
}

static void
conn_flush(struct conn *c)
{
	unsigned d = gw_session_delay(c->s);
	size_t len;
	const char *out;

	if (d > 0) {
		struct timeval tv = { d / 1000, (d % 1000) * 1000 };
		bufferevent_disable(c->bev, EV_READ);
		evtimer_add(c->tarpit, &tv);
		return;
	}
	if (evtimer_pending(c->tarpit, NULL))
		return;
	out = gw_session_output(c->s, &len);
	if (len)
		bufferevent_write(c->bev, out, len);
	gw_session_consume(c->s, len);
	if (gw_session_closing(c->s)) {
		bufferevent_disable(c->bev, EV_READ);
		write_cb(c->bev, c);
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char buf[16384];
	ev_ssize_t n;

	/* a pending commit stops the session after the message: the rest
	 * stays in the buffer until commit_done */
	while (!gw_session_closing(c->s) && !gw_session_committing(c->s) &&
	    (n = evbuffer_copyout(in, buf, sizeof(buf))) > 0)
		evbuffer_drain(in, gw_session_feed(c->s, buf, (size_t)n));
	if (gw_session_closing(c->s))
		evbuffer_drain(in, evbuffer_get_length(in));
	conn_flush(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_TIMEOUT) {
		gw_session_timeout(c->s);
		conn_flush(c);
		return;
	}
	/* EOF or error: the client is gone */
	gw_session_eof(c->s);
	conn_free(c);
}

static void
accept_cb(struct evconnlistener *el, evutil_socket_t fd,
	  struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;
	struct gw_server *srv = l->srv;
	const struct gw_config *cfg = srv->cfg;
	struct conn *c = calloc(1, sizeof(*c));
	struct timeval tmo = { cfg->timeout, 0 };

	if (c == NULL) {
		log_warnx("out of memory, connection dropped");
		evutil_closesocket(fd);
		return;
	}
	c->srv = srv;
	c->id = ++srv->nextconn;
	c->cb.arg = c;
	c->cb.commit = cb_commit;
	c->cb.log = cb_log;
	c->cb.transcript = cb_transcript;
	c->transcript = cfg->transcript == GW_TRANSCRIPT_ALL ||
	    (cfg->transcript == GW_TRANSCRIPT_NETS &&
	    gw_netlist_match(&cfg->transcript_nets, sa));
	c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->tarpit = evtimer_new(srv->base, tarpit_cb, c);
	c->s = gw_session_new(cfg, &c->cb, sa, l->conf->relay);
	if (c->bev == NULL || c->tarpit == NULL || c->s == NULL) {
		log_warnx("out of memory, connection dropped");
		if (c->bev == NULL)
			evutil_closesocket(fd);
		conn_free(c);
		return;
	}
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_set_timeouts(c->bev, &tmo, &tmo);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	conn_flush(c);		/* the banner */
}

static void
listen_error_cb(struct evconnlistener *el, void *arg)
{
	/* EMFILE and friends: say so and keep listening */
	log_warn("accept");
}

struct gw_server *
gw_server_listen(struct gw_config *cfg)
{
	struct gw_server *srv = calloc(1, sizeof(*srv));
	size_t i;

	if (srv == NULL)
		return NULL;
	srv->cfg = cfg;
	if ((srv->base = event_base_new()) == NULL ||
	    (srv->l = calloc(cfg->nlisten, sizeof(*srv->l))) == NULL) {
		log_warnx("out of memory");
		return NULL;
	}
	for (i = 0; i < cfg->nlisten; i++) {
		struct listener *l = &srv->l[i];
		l->srv = srv;
		l->conf = &cfg->listen[i];
		l->ev = evconnlistener_new_bind(srv->base, accept_cb, l,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
		    LEV_OPT_CLOSE_ON_EXEC |
		    /* [::] must not also take IPv4: 0.0.0.0 may be separate */
		    (l->conf->ss.ss_family == AF_INET6 ?
		    LEV_OPT_BIND_IPV6ONLY : 0), 128,
		    (const struct sockaddr *)&l->conf->ss, (int)l->conf->sslen);
		if (l->ev == NULL) {
			log_warn("listen %s", l->conf->text);
			return NULL;
		}
		evconnlistener_set_error_cb(l->ev, listen_error_cb);
		srv->nl++;
		log_info("listening on %s%s", l->conf->text,
		    l->conf->relay ? " (relay)" : "");
	}
	return srv;
}

/*
 * reload - SIGHUP: read the configuration again; on any error keep the
 * old one in service. Listeners, spool and user stay as started (a
 * change there needs a restart and is logged). The old configuration
 * is kept: sessions and listeners borrow it.
 */
static void
reload(struct gw_server *srv)
{
	struct gw_config *n, **old;
	struct addr_buf errs;
	size_t nerr;

	if ((n = malloc(sizeof(*n))) == NULL ||
	    (old = realloc(srv->old, (srv->nold + 1) * sizeof(*old))) == NULL) {
		free(n);
		log_warnx("reload: out of memory; configuration unchanged");
		return;
	}
	srv->old = old;
	addr_buf_init(&errs);
	nerr = gw_config_load(n, srv->cfg->file, &errs);
	if (nerr == 0)	/* a directory with errors keeps the old one */
		nerr = gw_directory_load(n, &errs) + gw_texts_load(n, &errs);
	if (nerr > 0) {
		char *line, *save = NULL;
		for (line = strtok_r(errs.ptr, "\n", &save); line;
		    line = strtok_r(NULL, "\n", &save))
			log_warnx("reload: %s", line);
		log_warnx("reload: %zu error(s); the old configuration stays "
		    "in service", nerr);
		gw_config_free(n);
		free(n);
		addr_buf_free(&errs);
		return;
	}
	addr_buf_free(&errs);
	if (strcmp(n->spool, srv->cfg->spool) != 0)
		log_warnx("reload: [server] spool changed: restart addrgw to "
		    "use %s; the queue stays at %s", n->spool, srv->cfg->spool);
	if (n->nlisten != srv->cfg->nlisten)
		log_warnx("reload: listeners changed: restart addrgw to apply");
	free(n->spool);
	n->spool = strdup(srv->cfg->spool);
	if (n->spool == NULL) {
		log_warnx("reload: out of memory; configuration unchanged");
		gw_config_free(n);
		free(n);
		return;
	}
	srv->old[srv->nold++] = srv->cfg;
	srv->cfg = n;
	log_info("reload: configuration %s reloaded", n->file);
	gw_schedule_resync();
	sched_now(srv);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gw_server *srv = arg;

	if (sig == SIGHUP) {
		reload(srv);
		return;
	}
	if (sig == SIGUSR1) {
		/* the queue tool changed something: look at everything */
		gw_schedule_resync();
		sched_now(srv);
		return;
	}
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopexit(srv->base, NULL);
}

int
gw_server_run(struct gw_server *srv)
{
	char err[512];
	struct gw_qmsg *m;
	size_t pending = 0;
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	FILE *fp;
	size_t i;

	/* addrgw may have detached (forked) since the base was made */
	if (event_reinit(srv->base) < 0)
		log_warnx("event_reinit failed");
	if (gw_queue_open(&srv->q, srv->cfg->spool, err, sizeof(err)) < 0) {
		log_warnx("queue: %s", err);
		return 1;
	}
	for (m = srv->q.head; m; m = m->next)
		pending++;
	if ((srv->writers = gw_committer_new(srv->base, &srv->q,
	    QUEUE_WRITERS)) == NULL)
		log_warnx("queue writers: none; commits run on the event loop");
	log_info("queue %s: %zu message(s) to resume", srv->cfg->spool,
	    pending);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		srv->sig[i] = evsignal_new(srv->base, sigs[i], signal_cb, srv);
		if (srv->sig[i])
			evsignal_add(srv->sig[i], NULL);
	}
	if ((srv->sched = evtimer_new(srv->base, sched_cb, srv)) == NULL) {
		log_warnx("out of memory");
		return 1;
	}
	if ((srv->mta = gw_mta_new(srv->base, &srv->cfg, &srv->q, kick, srv,
	    &srv->hooks)) == NULL) {
		log_warnx("out of memory");
		return 1;
	}
	gw_schedule_hooks(&srv->hooks);
	/* the pid file: addrgw reload and the queue tool signal us */
	snprintf(srv->pidfile, sizeof(srv->pidfile), "%s/addrgw.pid",
	    srv->cfg->spool);
	if ((fp = fopen(srv->pidfile, "w")) == NULL ||
	    fprintf(fp, "%ld\n", (long)getpid()) < 0 || fclose(fp) != 0)
		log_warn("%s: cannot write the pid file", srv->pidfile);
	sched_now(srv);		/* restart resumes every queued message */
	event_base_dispatch(srv->base);
	gw_committer_free(srv->writers);
	srv->writers = NULL;
	unlink(srv->pidfile);
	gw_queue_close(&srv->q);
	return 0;
}
