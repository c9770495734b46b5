/*
 * qtool.c - the queue tool and the reload command
 *
 * SYNOPSIS
 *	addrgw -c FILE queue list [--json]
 *	addrgw -c FILE queue show [--json] ID
 *	addrgw -c FILE queue retry ID|all
 *	addrgw -c FILE queue hold ID | release ID | delete ID
 *	addrgw -c FILE reload
 *
 * DESCRIPTION
 *	The tool reads the spool directly, so it works with the daemon
 *	stopped (Q163727), and is safe beside a running daemon by the rule
 *	of queue.h: every change of an envelope is made under flock on
 *	queue/ID.msg with the same temp, fsync, rename, fsync(dir) sequence
 *	as the daemon's; the daemon holds that lock while it delivers, so
 *	the tool waits (up to 10 s, then says the message is busy) and never
 *	changes a message in flight; the daemon reads a changed envelope
 *	back before it works on the message again. After a change the
 *	daemon, if running (SPOOL/addrgw.pid), gets SIGUSR1 to look now.
 *	delete removes the message without a report (logged by the daemon
 *	when it notices). reload sends SIGHUP: the daemon reads the
 *	configuration again and keeps the old one if the new has errors.
 *
 * DIAGNOSTICS
 *	Exit 0 on success, 1 when the message does not exist, is busy or
 *	the spool cannot be read, 2 on a usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "qtool.h"
#include "queue.h"

static const char *const states[] = { "pending", "sent", "failed" };

static pid_t
daemon_pid(const struct gw_config *cfg)
{
	char path[4200];
	FILE *fp;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/addrgw.pid", cfg->spool);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(fp);
	if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		pid = 0;
	return (pid_t)pid;
}

int
gw_reload(const struct gw_config *cfg)
{
	pid_t pid = daemon_pid(cfg);

	if (pid == 0) {
		fprintf(stderr, "addrgw: no running gateway (no live pid in "
		    "%s/addrgw.pid)\n", cfg->spool);
		return 1;
	}
	if (kill(pid, SIGHUP) < 0) {
		fprintf(stderr, "addrgw: kill %ld: %s\n", (long)pid,
		    strerror(errno));
		return 1;
	}
	printf("addrgw: reload signalled to pid %ld\n", (long)pid);
	return 0;
}

static void
poke(const struct gw_config *cfg)
{
	pid_t pid = daemon_pid(cfg);

	if (pid > 0)
		kill(pid, SIGUSR1);
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
when(char *buf, size_t size, time_t t, time_t now)
{
	if (t <= now)
		snprintf(buf, size, "now");
	else
		snprintf(buf, size, "in %llds", (long long)(t - now));
}

static void
print_msg(const struct gw_qmsg *m, int json, time_t now, int first)
{
	size_t i;
	char nx[64];

	if (json) {
		printf("%s{\"id\":", first ? "" : ",");
		json_str(m->id);
		printf(",\"age\":%lld,\"size\":%llu,\"sender\":",
		    (long long)(now - m->ctime), (unsigned long long)m->size);
		json_str(m->sender);
		printf(",\"held\":%s,\"ndr\":%s,\"recipients\":[",
		    m->held ? "true" : "false", m->ndr ? "true" : "false");
		for (i = 0; i < m->nrcpt; i++) {
			const struct gw_qrcpt *r = &m->rcpt[i];
			printf("%s{\"address\":", i ? "," : "");
			json_str(r->addr);
			printf(",\"original\":");
			json_str(r->orig);
			printf(",\"state\":\"%s\",\"tries\":%u,\"next\":%lld,"
			    "\"last_error\":", states[r->state], r->tries,
			    (long long)r->next);
			if (r->last)
				json_str(r->last);
			else
				printf("null");
			putchar('}');
		}
		printf("]}");
		return;
	}
	printf("%-18s age %llds  size %llu  from <%s>%s%s\n", m->id,
	    (long long)(now - m->ctime), (unsigned long long)m->size,
	    m->sender, m->held ? "  HELD" : "", m->ndr ? "  (report)" : "");
	for (i = 0; i < m->nrcpt; i++) {
		const struct gw_qrcpt *r = &m->rcpt[i];
		when(nx, sizeof(nx), r->next, now);
		printf("    <%s> %s, tries %u%s%s%s%s\n", r->addr,
		    states[r->state], r->tries,
		    r->state == GW_R_PENDING ? ", next try " : "",
		    r->state == GW_R_PENDING ? nx : "",
		    r->last ? ", last: " : "", r->last ? r->last : "");
	}
}

static struct gw_qmsg *
find(struct gw_queue *q, const char *id)
{
	struct gw_qmsg *m;

	for (m = q->head; m; m = m->next)
		if (!strcmp(m->id, id))
			return m;
	fprintf(stderr, "addrgw: queue: %s: no such message\n", id);
	return NULL;
}

/* change - one message, under its lock: op h(old), r(elease), t(retry) */
static int
change(struct gw_queue *q, struct gw_qmsg *m, int op)
{
	int lk = gw_queue_lock_wait(q, m, 10);
	size_t i;

	if (lk < 0) {
		fprintf(stderr, "addrgw: queue: %s: gone (delivered or "
		    "deleted)\n", m->id);
		return 1;
	}
	if (lk == 0) {
		fprintf(stderr, "addrgw: queue: %s: busy (being delivered); "
		    "try again\n", m->id);
		return 1;
	}
	if (op == 'd') {
		if (gw_queue_remove(q, m) < 0)
			return 1;
		return 0;
	}
	if (op == 'h')
		m->held = 1;
	else if (op == 'r')
		m->held = 0;
	else
		for (i = 0; i < m->nrcpt; i++)
			if (m->rcpt[i].state == GW_R_PENDING)
				m->rcpt[i].next = 0;
	if (gw_queue_update(q, m) < 0) {
		gw_queue_unlock(m);
		return 1;
	}
	gw_queue_unlock(m);
	return 0;
}

int
gw_qtool(const struct gw_config *cfg, int argc, char **argv)
{
	struct gw_queue q;
	struct gw_qmsg *m;
	char err[600];
	const char *cmd;
	int json = 0, rc = 0, i, first = 1;
	time_t now = time(NULL);

	if (argc < 1)
		goto usage;
	cmd = argv[0];
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json")) {
			json = 1;
			memmove(&argv[i], &argv[i + 1],
			    (size_t)(argc - i - 1) * sizeof(*argv));
			argc--;
			i--;
		}
	if (!strcmp(cmd, "list") ? argc != 1 : argc != 2)
		goto usage;
	if (json && strcmp(cmd, "list") && strcmp(cmd, "show"))
		goto usage;
	if (gw_queue_open_tool(&q, cfg->spool, err, sizeof(err)) < 0) {
		fprintf(stderr, "addrgw: queue: %s\n", err);
		return 1;
	}
	if (!strcmp(cmd, "list")) {
		if (json)
			putchar('[');
		for (m = q.head; m; m = m->next, first = 0)
			print_msg(m, json, now, first);
		if (json)
			printf("]\n");
		else if (q.head == NULL)
			printf("queue empty\n");
	} else if (!strcmp(cmd, "show")) {
		struct addr_buf c;
		size_t hl;

		if ((m = find(&q, argv[1])) == NULL) {
			rc = 1;
			goto out;
		}
		addr_buf_init(&c);
		if (gw_queue_content(&q, m, &c) < 0)
			addr_buf_clear(&c);
		for (hl = 0; hl + 3 < c.size; hl++)
			if (!memcmp(c.ptr + hl, "\r\n\r\n", 4))
				break;
		hl = hl + 3 < c.size ? hl + 2 : c.size;
		if (json) {
			print_msg(m, 1, now, 1);
			printf("\n");
		} else {
			print_msg(m, 0, now, 1);
			printf("client [%s], helo <%s>, body %s%s\n\n",
			    m->client, m->helo, m->body_8bit ? "8bitmime" :
			    "7bit", m->smtputf8 ? ", smtputf8" : "");
			fwrite(c.ptr, 1, hl, stdout);
		}
		addr_buf_free(&c);
	} else if (!strcmp(cmd, "retry") && !strcmp(argv[1], "all")) {
		for (m = q.head; m; m = m->next)
			rc |= change(&q, m, 't');
		printf("retry: every message is due now\n");
	} else if (!strcmp(cmd, "retry") || !strcmp(cmd, "hold") ||
	    !strcmp(cmd, "release") || !strcmp(cmd, "delete")) {
		if ((m = find(&q, argv[1])) == NULL) {
			rc = 1;
			goto out;
		}
		rc = change(&q, m, cmd[0] == 'r' && cmd[2] == 't' ? 't' :
		    cmd[0] == 'h' ? 'h' : cmd[0] == 'r' ? 'r' : 'd');
		if (rc == 0)
			printf("%s: %s\n", argv[1], cmd[0] == 'd' ? "deleted" :
			    cmd[0] == 'h' ? "held" : cmd[2] == 'l' ?
			    "released" : "due now");
	} else {
		gw_queue_close(&q);
		goto usage;
	}
	poke(cfg);
out:
	gw_queue_close(&q);
	return rc;
usage:
	fprintf(stderr, "usage: addrgw -c FILE queue list [--json]\n"
	    "       addrgw -c FILE queue show [--json] ID\n"
	    "       addrgw -c FILE queue retry ID|all\n"
	    "       addrgw -c FILE queue hold ID | release ID | delete ID\n");
	return 2;
}
