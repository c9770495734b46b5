/*
 * queue.c - the durable queue on the file system
 *
 * SYNOPSIS
 *	gw_queue_open(), gw_queue_close(), gw_queue_commit(),
 *	gw_queue_update(), gw_queue_remove(), gw_queue_content(),
 *	gw_qmsg_free()
 *
 * DESCRIPTION
 *	spec-gateway.md §8. The acceptance sequence is: write tmp/ID.msg
 *	and tmp/ID.env, fsync each, rename queue/ID.msg into place, then
 *	queue/ID.env (the envelope's rename is the commit), fsync queue/.
 *	Only then does the caller answer 250. One directory fsync covers
 *	both renames, and it is shared by the writer threads (commit.c)
 *	that renamed before it started (group commit, sync_dir): if a crash
 *	loses the content's rename but keeps the envelope's, no 250 was sent
 *	and the orphan envelope is quarantined at start-up, so nothing
 *	acknowledged is lost either way. The daemon writes into files it
 *	kept when it removed earlier messages (qpool.c) rather than into
 *	new ones, so a message costs no inode.
 *
 *	The envelope is a text file, one record per line, fields separated
 *	by a space; strings are written "=" followed by the octets, with
 *	octets below 0x21, 0x7f and "%" as %XX, so a field never holds a
 *	blank or a line end. The last line is "end": a file without it was
 *	cut short.
 *
 *		addrgw-envelope 1
 *		id 65A1B2C3D4E5F001
 *		ctime 1700000000
 *		size 1234
 *		body 7bit|8bitmime
 *		smtputf8 0|1
 *		held 0|1
 *		kind ndr			(only in our own reports)
 *		warned 1			(only once the delay DSN went)
 *		client =127.0.0.1
 *		helo =client.example
 *		sender =a@example.com		("=" alone for <>)
 *		rcpt pending|sent|failed TRIES NEXT =ADDR =ORIG =LAST-ERROR
 *		end
 *
 *	Envelope updates (per-recipient state) go through the same
 *	temp, fsync, rename, fsync(dir) sequence.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "queue.h"

#define ENV_MAX (16u << 20)	/* an envelope larger than this is corrupt */
#define ORPHAN_AGE 3600		/* content without envelope, then quarantined */
/* content kept in memory from the commit to the first delivery, so
 * that it is not read back from the disk: per message, and in all */
#define CACHE_ONE (1u << 20)
#define CACHE_ALL (64u << 20)

static int read_all(int, const char *, struct addr_buf *, size_t);

void
gw_qmsg_free(struct gw_qmsg *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nrcpt; i++) {
		free(m->rcpt[i].addr);
		free(m->rcpt[i].orig);
		free(m->rcpt[i].last);
	}
	free(m->rcpt);
	free(m->sender);
	free(m->client);
	free(m->helo);
	addr_buf_free(&m->cache);
	free(m);
}

/* drop_cache - the in-memory copy of the content is no longer wanted */
static void
drop_cache(struct gw_queue *q, struct gw_qmsg *m)
{
	q->cached -= m->cache.size;
	addr_buf_free(&m->cache);
}

/* ----------------------------------------------------------- encoding */

static void
put_esc(struct addr_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	addr_buf_putc(b, '=');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x21 || c == 0x7f || c == '%') {
			addr_buf_putc(b, '%');
			addr_buf_putc(b, hex[c >> 4]);
			addr_buf_putc(b, hex[c & 15]);
		} else
			addr_buf_putc(b, (char)c);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* get_esc - decode "=..." into a new string; NULL when malformed */
static char *
get_esc(const char *f)
{
	char *out, *o;

	if (f == NULL || *f != '=')
		return NULL;
	f++;
	if ((out = malloc(strlen(f) + 1)) == NULL)
		return NULL;
	for (o = out; *f; f++) {
		if (*f == '%') {
			int h = hexval(f[1]), l = h < 0 ? -1 : hexval(f[2]);
			if (l < 0 || (h == 0 && l == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(h * 16 + l);
			f += 2;
		} else
			*o++ = *f;
	}
	*o = '\0';
	return out;
}

static const char *const rstate_names[] = { "pending", "sent", "failed" };

static void
env_format(struct addr_buf *b, const struct gw_qmsg *m)
{
	char num[64];
	size_t i;

	addr_buf_clear(b);
	addr_buf_puts(b, "addrgw-envelope 1\nid ");
	addr_buf_puts(b, m->id);
	snprintf(num, sizeof(num), "\nctime %lld\nsize %" PRIu64 "\n",
	    (long long)m->ctime, m->size);
	addr_buf_puts(b, num);
	addr_buf_puts(b, m->body_8bit ? "body 8bitmime\n" : "body 7bit\n");
	addr_buf_puts(b, m->smtputf8 ? "smtputf8 1\n" : "smtputf8 0\n");
	addr_buf_puts(b, m->held ? "held 1\n" : "held 0\n");
	if (m->ndr)
		addr_buf_puts(b, "kind ndr\n");
	if (m->warned)
		addr_buf_puts(b, "warned 1\n");
	if (m->forward)
		addr_buf_puts(b, "forward 1\n");
	addr_buf_puts(b, "client ");
	put_esc(b, m->client);
	addr_buf_puts(b, "\nhelo ");
	put_esc(b, m->helo);
	addr_buf_puts(b, "\nsender ");
	put_esc(b, m->sender);
	addr_buf_putc(b, '\n');
	for (i = 0; i < m->nrcpt; i++) {
		const struct gw_qrcpt *r = &m->rcpt[i];
		/* "bounce": failed with its NDR still to be written, so a
		 * crash before the report does not lose it */
		snprintf(num, sizeof(num), "rcpt %s %u %lld ",
		    r->state == GW_R_FAILED && r->ndr_due ? "bounce" :
		    rstate_names[r->state], r->tries, (long long)r->next);
		addr_buf_puts(b, num);
		put_esc(b, r->addr);
		addr_buf_putc(b, ' ');
		put_esc(b, r->orig);
		addr_buf_putc(b, ' ');
		put_esc(b, r->last);
		addr_buf_putc(b, '\n');
	}
	addr_buf_puts(b, "end\n");
}

static int
parse_ll(const char *s, long long *out)
{
	char *end;

	if (s == NULL || !(isdigit((unsigned char)*s)))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

/* env_parse - text (NUL-terminated) into a new record; NULL + why */
static struct gw_qmsg *
env_parse(char *text, const char *want_id, const char **why)
{
	struct gw_qmsg *m = calloc(1, sizeof(*m));
	char *line, *save = NULL;
	int ended = 0, first = 1;
	long long v;

	*why = "out of memory";
	if (m == NULL)
		return NULL;
	m->lockfd = -1;
	addr_buf_init(&m->cache);
	*why = "malformed envelope";
	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[8];
		int n = 0;
		char *tok, *s2 = NULL;

		if (ended)
			goto bad;	/* data after "end" */
		for (tok = strtok_r(line, " ", &s2); tok && n < 8;
		    tok = strtok_r(NULL, " ", &s2))
			f[n++] = tok;
		if (tok != NULL || n == 0)
			goto bad;
		if (first) {
			if (n != 2 || strcmp(f[0], "addrgw-envelope") ||
			    strcmp(f[1], "1")) {
				*why = "not an addrgw envelope (or a newer "
				    "format)";
				goto bad;
			}
			first = 0;
		} else if (!strcmp(f[0], "end") && n == 1)
			ended = 1;
		else if (!strcmp(f[0], "id") && n == 2) {
			if (strcmp(f[1], want_id) != 0) {
				*why = "id does not match the file name";
				goto bad;
			}
			snprintf(m->id, sizeof(m->id), "%s", f[1]);
		} else if (!strcmp(f[0], "ctime") && n == 2) {
			if (parse_ll(f[1], &v) < 0)
				goto bad;
			m->ctime = (time_t)v;
		} else if (!strcmp(f[0], "size") && n == 2) {
			if (parse_ll(f[1], &v) < 0)
				goto bad;
			m->size = (uint64_t)v;
		} else if (!strcmp(f[0], "body") && n == 2) {
			if (!strcmp(f[1], "8bitmime"))
				m->body_8bit = 1;
			else if (strcmp(f[1], "7bit"))
				goto bad;
		} else if (!strcmp(f[0], "smtputf8") && n == 2)
			m->smtputf8 = !strcmp(f[1], "1");
		else if (!strcmp(f[0], "held") && n == 2)
			m->held = !strcmp(f[1], "1");
		else if (!strcmp(f[0], "kind") && n == 2 &&
		    !strcmp(f[1], "ndr"))
			m->ndr = 1;
		else if (!strcmp(f[0], "warned") && n == 2)
			m->warned = !strcmp(f[1], "1");
		else if (!strcmp(f[0], "forward") && n == 2)
			m->forward = !strcmp(f[1], "1");
		else if (!strcmp(f[0], "client") && n == 2 && !m->client) {
			if ((m->client = get_esc(f[1])) == NULL)
				goto bad;
		} else if (!strcmp(f[0], "helo") && n == 2 && !m->helo) {
			if ((m->helo = get_esc(f[1])) == NULL)
				goto bad;
		} else if (!strcmp(f[0], "sender") && n == 2 && !m->sender) {
			if ((m->sender = get_esc(f[1])) == NULL)
				goto bad;
		} else if (!strcmp(f[0], "rcpt") && n == 7) {
			struct gw_qrcpt r, *nv;
			int st;
			long long tries, next;

			memset(&r, 0, sizeof(r));
			for (st = 0; st < 3; st++)
				if (!strcmp(f[1], rstate_names[st]))
					break;
			if (st == 3 && !strcmp(f[1], "bounce")) {
				st = GW_R_FAILED;
				r.ndr_due = 1;
			}
			if (st == 3 || parse_ll(f[2], &tries) < 0 ||
			    parse_ll(f[3], &next) < 0 || tries > 1000000)
				goto bad;
			r.state = st;
			r.tries = (unsigned)tries;
			r.next = (time_t)next;
			r.addr = get_esc(f[4]);
			r.orig = get_esc(f[5]);
			r.last = get_esc(f[6]);
			if (r.last && r.last[0] == '\0') {
				free(r.last);
				r.last = NULL;
			} else if (r.last == NULL)
				goto badr;
			if (!r.addr || !r.orig || !r.addr[0])
				goto badr;
			if ((nv = realloc(m->rcpt, (m->nrcpt + 1) *
			    sizeof(*nv))) == NULL)
				goto badr;
			m->rcpt = nv;
			m->rcpt[m->nrcpt++] = r;
			continue;
badr:
			free(r.addr);
			free(r.orig);
			free(r.last);
			goto bad;
		} else
			goto bad;
	}
	if (!ended) {
		*why = "envelope cut short (no end record)";
		goto bad;
	}
	if (!m->id[0] || !m->sender || !m->client || !m->helo ||
	    m->nrcpt == 0 || m->ctime == 0)
		goto bad;
	return m;
bad:
	gw_qmsg_free(m);
	return NULL;
}

/* ---------------------------------------------------------- file I/O */

/* write_iov - every octet of the iovecs to fd */
static int
write_iov(int fd, struct iovec *iov, int niov)
{
	while (niov > 0) {
		ssize_t n = writev(fd, iov, niov);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (niov > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			niov--;
		}
		if (niov > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* a temporary file: a reused one in free/ (qpool.c) or a new tmp/NAME */
struct tmpf {
	int dfd;
	char name[GW_QID_SIZE + 8];
};

/*
 * write_temp - write iov into a temporary file for queue/name and fsync
 * it; t says where it is. 0, or -1 (errno) with nothing left behind.
 */
static int
write_temp(struct gw_queue *q, const char *name, struct iovec *iov,
	   int niov, struct tmpf *t)
{
	int fd = -1, e;

	if (gw_qpool_take(&q->pool, t->name, sizeof(t->name))) {
		t->dfd = q->pool.dfd;
		if ((fd = openat(t->dfd, t->name, O_WRONLY | O_TRUNC |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			unlinkat(t->dfd, t->name, 0);
	}
	if (fd < 0) {
		t->dfd = q->tfd;
		snprintf(t->name, sizeof(t->name), "%s", name);
		if ((fd = openat(t->dfd, t->name, O_WRONLY | O_CREAT |
		    O_EXCL | O_CLOEXEC, 0600)) < 0)
			return -1;
	}
	if (write_iov(fd, iov, niov) < 0)
		goto fail;
	if (!q->nosync && fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(t->dfd, t->name, 0);
	errno = e;
	return -1;
}

/*
 * sync_dir - fsync queue/ after a rename, shared between writer threads
 * (group commit): a caller whose rename came before an fsync that has
 * already started waits for the next one, and one fsync covers every
 * rename made before it began. Each caller returns only once an fsync
 * that started after its own rename has completed.
 */
static int
sync_dir(struct gw_queue *q)
{
	unsigned long long mine;
	int rc = 0;

	if (q->nosync)
		return 0;
	pthread_mutex_lock(&q->dmu);
	mine = ++q->dgen;
	while (q->dsynced < mine) {
		unsigned long long upto;

		if (q->dbusy) {
			pthread_cond_wait(&q->dcv, &q->dmu);
			continue;
		}
		q->dbusy = 1;
		upto = q->dgen;
		pthread_mutex_unlock(&q->dmu);
		rc = fsync(q->qfd);
		pthread_mutex_lock(&q->dmu);
		q->dbusy = 0;
		if (rc == 0 && upto > q->dsynced)
			q->dsynced = upto;
		pthread_cond_broadcast(&q->dcv);
		if (rc < 0)
			break;	/* the waiters try again themselves */
	}
	pthread_mutex_unlock(&q->dmu);
	return rc;
}

/* note_env - remember which envelope file we wrote (or read) last */
static void
note_env(struct gw_queue *q, struct gw_qmsg *m)
{
	char ename[GW_QID_SIZE + 8];
	struct stat st;

	snprintf(ename, sizeof(ename), "%s.env", m->id);
	if (fstatat(q->qfd, ename, &st, 0) == 0) {
		m->env_ino = (unsigned long long)st.st_ino;
		m->env_ctime = (unsigned long long)st.st_ctim.tv_sec *
		    1000000000ULL + (unsigned long long)st.st_ctim.tv_nsec;
	}
}

/* new_id - a queue id unique in this spool: time, microseconds, counter */
static void
new_id(struct gw_queue *q, char *id, size_t idsize)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(id, idsize, "%08llX%05lX%03X",
	    (unsigned long long)tv.tv_sec & 0xffffffffULL,
	    (unsigned long)tv.tv_usec & 0xfffffUL, q->seq++ & 0xfffu);
}

void
gw_qbatch_free(struct gw_qbatch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		gw_qmsg_free(b->m[i]);
		addr_buf_free(&b->env[i]);
	}
	free(b->m);
	free(b->env);
	free(b->data);
	free(b);
}

/* record - the in-memory record of a message being queued */
static struct gw_qmsg *
record(struct gw_queue *q, const struct gw_message *msg, time_t now)
{
	struct gw_qmsg *m;
	size_t i;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	addr_buf_init(&m->cache);
	m->ctime = now;
	m->size = msg->len;
	m->sender = strdup(msg->sender);
	m->client = strdup(msg->client ? msg->client : "unknown");
	m->helo = strdup(msg->helo ? msg->helo : "");
	m->body_8bit = msg->body_8bit;
	m->smtputf8 = msg->smtputf8;
	m->ndr = msg->ndr;
	m->forward = msg->forward;
	m->lockfd = -1;
	m->rcpt = calloc(msg->nrcpt ? msg->nrcpt : 1, sizeof(*m->rcpt));
	if (!m->sender || !m->client || !m->helo || !m->rcpt)
		goto fail;
	for (i = 0; i < msg->nrcpt; i++) {
		m->rcpt[i].addr = strdup(msg->rcpt[i].addr);
		m->rcpt[i].orig = strdup(msg->rcpt[i].orig);
		m->nrcpt++;
		if (!m->rcpt[i].addr || !m->rcpt[i].orig)
			goto fail;
		if (msg->rcpt[i].fail != NULL) {
			/* failed before queueing (a refusing nested group):
			 * the NDR is due at once */
			m->rcpt[i].state = GW_R_FAILED;
			m->rcpt[i].ndr_due = 1;
			if ((m->rcpt[i].last = strdup(msg->rcpt[i].fail)) == NULL)
				goto fail;
		}
	}
	new_id(q, m->id, sizeof(m->id));
	return m;
fail:
	gw_qmsg_free(m);
	return NULL;
}

struct gw_qbatch *
gw_queue_prepare(struct gw_queue *q, const struct gw_message *msg, size_t n,
		 time_t now)
{
	struct gw_qbatch *b;
	size_t i;

	if (n == 0 || (b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->m = calloc(n, sizeof(*b->m));
	b->env = calloc(n, sizeof(*b->env));
	b->data = calloc(n, sizeof(*b->data));
	if (!b->m || !b->env || !b->data)
		goto fail;
	for (i = 0; i < n; i++) {
		addr_buf_init(&b->env[i]);
		b->n++;
		if ((b->m[i] = record(q, &msg[i], now)) == NULL)
			goto fail;
		env_format(&b->env[i], b->m[i]);
		if (b->env[i].oom)
			goto fail;
		b->data[i] = msg[i].data;
	}
	return b;
fail:
	gw_qbatch_free(b);
	return NULL;
}

/* put_one - the acceptance sequence of §8.1 for one message, without
 * the directory fsync: the content and the envelope written to
 * temporary files and fsync'd, then renamed to queue/ID.msg and
 * queue/ID.env, the envelope last: its rename is the commit */
static int
put_one(struct gw_queue *q, struct gw_qbatch *b, size_t i)
{
	struct gw_qmsg *m = b->m[i];
	struct iovec iov;
	struct tmpf tc, te;
	char name[GW_QID_SIZE + 8], ename[GW_QID_SIZE + 8];
	int e;

	snprintf(name, sizeof(name), "%s.msg", m->id);
	snprintf(ename, sizeof(ename), "%s.env", m->id);
	/* ids are unique by construction; this only guards against a
	 * clock set back (or a second daemon on the spool) */
	if (faccessat(q->qfd, name, F_OK, 0) == 0 ||
	    faccessat(q->qfd, ename, F_OK, 0) == 0) {
		errno = EEXIST;
		snprintf(b->why, sizeof(b->why), "queue/%s exists", name);
		return -1;
	}
	iov.iov_base = (void *)b->data[i];
	iov.iov_len = (size_t)m->size;
	if (write_temp(q, name, &iov, 1, &tc) < 0) {
		snprintf(b->why, sizeof(b->why), "cannot write %s", name);
		return -1;
	}
	iov.iov_base = b->env[i].ptr;
	iov.iov_len = b->env[i].size;
	if (write_temp(q, ename, &iov, 1, &te) < 0) {
		e = errno;
		snprintf(b->why, sizeof(b->why), "cannot write %s", ename);
		unlinkat(tc.dfd, tc.name, 0);
		errno = e;
		return -1;
	}
	if (renameat(tc.dfd, tc.name, q->qfd, name) < 0) {
		e = errno;
		snprintf(b->why, sizeof(b->why), "rename to queue/%s", name);
		goto fail;
	}
	if (renameat(te.dfd, te.name, q->qfd, ename) < 0) {
		e = errno;
		snprintf(b->why, sizeof(b->why), "rename to queue/%s", ename);
		unlinkat(q->qfd, name, 0);
		goto fail;
	}
	note_env(q, m);
	return 0;
fail:
	unlinkat(tc.dfd, tc.name, 0);
	unlinkat(te.dfd, te.name, 0);
	errno = e;
	return -1;
}

int
gw_queue_write(struct gw_queue *q, struct gw_qbatch *b)
{
	size_t i, done;

	b->rc = -1;
	for (done = 0; done < b->n; done++)
		if (put_one(q, b, done) < 0)
			goto fail;
	if (sync_dir(q) < 0) {
		snprintf(b->why, sizeof(b->why), "fsync queue directory");
		goto fail;
	}
	b->rc = 0;
	return 0;
fail:
	b->err = errno;
	/* nothing acknowledged: leave nothing behind, envelope first */
	for (i = 0; i < done; i++) {
		char name[GW_QID_SIZE + 8];
		snprintf(name, sizeof(name), "%s.env", b->m[i]->id);
		unlinkat(q->qfd, name, 0);
		snprintf(name, sizeof(name), "%s.msg", b->m[i]->id);
		unlinkat(q->qfd, name, 0);
	}
	return -1;
}

size_t
gw_queue_finish(struct gw_queue *q, struct gw_qbatch *b)
{
	size_t i, n = 0;

	if (b->rc < 0) {
		errno = b->err;
		log_warn("%s: %s", b->n ? b->m[0]->id : "NOQUEUE", b->why);
		return 0;
	}
	/* in order, so the queue's head is the last one */
	for (i = 0; i < b->n; i++) {
		struct gw_qmsg *m = b->m[i];

		b->m[i] = NULL;
		if (m->size > 0 && m->size <= CACHE_ONE &&
		    q->cached + m->size <= CACHE_ALL &&
		    addr_buf_put(&m->cache, b->data[i], (size_t)m->size) == 0)
			q->cached += m->cache.size;
		else
			addr_buf_free(&m->cache);
		m->next = q->head;
		q->head = m;
		q->count++;
		n++;
	}
	return n;
}

/* gw_queue_commit - the whole sequence on the calling thread */
int
gw_queue_commit(struct gw_queue *q, const struct gw_message *msg, time_t now,
		char *id, size_t idsize)
{
	struct gw_qbatch *b = gw_queue_prepare(q, msg, 1, now);

	if (b == NULL) {
		log_warnx("NOQUEUE: out of memory");
		return -1;
	}
	gw_queue_write(q, b);
	snprintf(id, idsize, "%s", b->m[0]->id);
	if (gw_queue_finish(q, b) == 0) {
		gw_qbatch_free(b);
		return -1;
	}
	gw_qbatch_free(b);
	return 0;
}

/* gw_queue_update - rewrite an envelope: temp, fsync, rename, fsync dir */
int
gw_queue_update(struct gw_queue *q, struct gw_qmsg *m)
{
	struct addr_buf env;
	struct iovec iov;
	struct tmpf t;
	char ename[GW_QID_SIZE + 8];
	int rc = -1;

	drop_cache(q, m);	/* delivery did not end with the first try */
	addr_buf_init(&env);
	env_format(&env, m);
	snprintf(ename, sizeof(ename), "%s.env", m->id);
	unlinkat(q->tfd, ename, 0);	/* a leftover of a failed update */
	iov.iov_base = env.ptr;
	iov.iov_len = env.size;
	if (env.oom)
		errno = ENOMEM;
	else if (write_temp(q, ename, &iov, 1, &t) < 0)
		;
	else if (renameat(t.dfd, t.name, q->qfd, ename) < 0)
		unlinkat(t.dfd, t.name, 0);
	else if (sync_dir(q) == 0)
		rc = 0;
	if (rc == 0)
		note_env(q, m);
	if (rc < 0)
		log_warn("%s: cannot update the envelope", m->id);
	addr_buf_free(&env);
	return rc;
}

/* gw_queue_remove - envelope first: a crash leaves content only, which
 * start-up quarantines after an hour instead of delivering twice */
int
gw_queue_remove(struct gw_queue *q, struct gw_qmsg *m)
{
	char name[GW_QID_SIZE + 8];
	int rc = 0;

	snprintf(name, sizeof(name), "%s.env", m->id);
	if (gw_qpool_retire(&q->pool, q->qfd, name) < 0 && errno != ENOENT) {
		log_warn("%s: cannot remove queue/%s", m->id, name);
		rc = -1;
	}
	snprintf(name, sizeof(name), "%s.msg", m->id);
	if (rc == 0 && gw_qpool_retire(&q->pool, q->qfd, name) < 0 &&
	    errno != ENOENT)
		log_warn("%s: cannot remove queue/%s", m->id, name);
	gw_queue_forget(q, m);
	return rc;
}

void
gw_queue_forget(struct gw_queue *q, struct gw_qmsg *m)
{
	struct gw_qmsg **pp;

	for (pp = &q->head; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			q->count--;
			break;
		}
	if (m->lockfd >= 0)
		close(m->lockfd);
	drop_cache(q, m);
	gw_qmsg_free(m);
}

/* reread - the envelope changed on disk: take its state */
static int
reread(struct gw_queue *q, struct gw_qmsg *m)
{
	struct addr_buf text;
	char ename[GW_QID_SIZE + 8];
	const char *why;
	struct gw_qmsg *d = NULL;
	size_t i;

	addr_buf_init(&text);
	snprintf(ename, sizeof(ename), "%s.env", m->id);
	if (read_all(q->qfd, ename, &text, ENV_MAX) == 0 &&
	    memchr(text.ptr, '\0', text.size) == NULL)
		d = env_parse(text.ptr, m->id, &why);
	addr_buf_free(&text);
	if (d == NULL || d->nrcpt != m->nrcpt) {
		gw_qmsg_free(d);
		return -1;
	}
	m->held = d->held;
	m->warned = d->warned;
	for (i = 0; i < m->nrcpt; i++) {
		struct gw_qrcpt *r = &m->rcpt[i], *n = &d->rcpt[i];
		if (r->inflight)
			continue;
		r->state = n->state;
		r->tries = n->tries;
		r->next = n->next;
		free(r->last);
		r->last = n->last;
		n->last = NULL;
	}
	gw_qmsg_free(d);
	note_env(q, m);
	return 0;
}

int
gw_queue_lock(struct gw_queue *q, struct gw_qmsg *m)
{
	char name[GW_QID_SIZE + 8];
	struct stat st;

	if (m->locks > 0) {
		m->locks++;
		return 1;
	}
	snprintf(name, sizeof(name), "%s.msg", m->id);
	if (m->lockfd < 0 &&
	    (m->lockfd = openat(q->qfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? -1 : 0;
	if (flock(m->lockfd, LOCK_EX | LOCK_NB) < 0)
		return 0;
	/* deleted by the tool while we waited, or changed by it? */
	snprintf(name, sizeof(name), "%s.env", m->id);
	if (fstatat(q->qfd, name, &st, 0) < 0) {
		flock(m->lockfd, LOCK_UN);
		return -1;
	}
	if ((unsigned long long)st.st_ino != m->env_ino ||
	    (unsigned long long)st.st_ctim.tv_sec * 1000000000ULL +
	    (unsigned long long)st.st_ctim.tv_nsec != m->env_ctime) {
		if (reread(q, m) < 0)
			log_warnx("%s: envelope changed on disk but cannot "
			    "be read; keeping the state in memory", m->id);
		else
			log_info("%s: envelope changed on disk (queue tool), "
			    "state reloaded", m->id);
	}
	m->locks = 1;
	return 1;
}

int
gw_queue_lock_wait(struct gw_queue *q, struct gw_qmsg *m, unsigned secs)
{
	unsigned i;
	int rc = 0;

	for (i = 0; i <= secs * 10; i++) {
		if ((rc = gw_queue_lock(q, m)) != 0)
			return rc;
		usleep(100000);
	}
	return rc;
}

void
gw_queue_unlock(struct gw_qmsg *m)
{
	if (m->locks == 0 || --m->locks > 0)
		return;
	if (m->lockfd >= 0) {
		flock(m->lockfd, LOCK_UN);
		close(m->lockfd);
		m->lockfd = -1;
	}
}

/* read_all - a whole file under dfd into out (at most max octets) */
static int
read_all(int dfd, const char *name, struct addr_buf *out, size_t max)
{
	char buf[65536];
	int fd;
	ssize_t n;

	addr_buf_clear(out);
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (out->size + (size_t)n > max ||
		    addr_buf_put(out, buf, (size_t)n) < 0) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	return 0;
}

int
gw_queue_content(struct gw_queue *q, const struct gw_qmsg *m,
		 struct addr_buf *out)
{
	char name[GW_QID_SIZE + 8];
	struct stat st;
	uint64_t off = 0;
	int fd;

	addr_buf_clear(out);
	if (m->size > 0 && m->cache.size == m->size)
		return addr_buf_put(out, m->cache.ptr, m->cache.size) == 0 ?
		    0 : -1;
	snprintf(name, sizeof(name), "%s.msg", m->id);
	if ((fd = openat(q->qfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((uint64_t)st.st_size != m->size ||
	    m->size > SIZE_MAX / 2) {
		errno = EIO;
		goto fail;
	}
	if (addr_buf_grow(out, (size_t)m->size) < 0) {
		errno = ENOMEM;
		goto fail;
	}
	while (off < m->size) {
		ssize_t n = pread(fd, out->ptr + off, (size_t)(m->size - off),
		    (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		off += (uint64_t)n;
	}
	out->size = (size_t)m->size;
	out->ptr[out->size] = '\0';
	close(fd);
	return 0;
fail:
	{
		int e = errno;
		close(fd);
		addr_buf_clear(out);
		errno = e;
	}
	return -1;
}

/* ----------------------------------------------------------- start-up */

static void
quarantine(struct gw_queue *q, const char *name, const char *why)
{
	char dst[NAME_MAX + 16];
	int i;

	if (q->tool)
		return;		/* the daemon's job; the tool only skips */
	snprintf(dst, sizeof(dst), "%s", name);
	for (i = 1; faccessat(q->xfd, dst, F_OK, 0) == 0 && i < 1000; i++)
		snprintf(dst, sizeof(dst), "%s.%d", name, i);
	if (renameat(q->qfd, name, q->xfd, dst) < 0)
		log_warn("queue/%s: cannot move to quarantine/", name);
	else
		log_warnx("queue/%s: %s: moved to quarantine/%s", name, why,
		    dst);
}

static int
open_dir(const char *spool, const char *sub, char *err, size_t errsize)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", spool, sub);
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errsize, "%s: cannot create: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errsize, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	/* the service user must be able to write here (Q154298) */
	if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) < 0) {
		snprintf(err, errsize, "%s: not writable: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
valid_id(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= GW_QID_SIZE)
		return 0;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || islower((unsigned char)s[i]))
			return 0;
	return 1;
}

/* load - read every envelope; quarantine what cannot be used */
static void
load(struct gw_queue *q)
{
	DIR *d;
	struct dirent *de;
	struct addr_buf text;
	int dfd = dup(q->qfd);

	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		log_warn("queue/: cannot list");
		if (dfd >= 0)
			close(dfd);
		return;
	}
	addr_buf_init(&text);
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name, *dot = strrchr(n, '.');
		struct stat st;
		char other[GW_QID_SIZE + 8];
		size_t idl;

		if (n[0] == '.')
			continue;
		idl = dot ? (size_t)(dot - n) : strlen(n);
		if (dot == NULL || !valid_id(n, idl) ||
		    (strcmp(dot, ".env") && strcmp(dot, ".msg"))) {
			quarantine(q, n, "unknown file");
			continue;
		}
		snprintf(other, sizeof(other), "%.*s.msg", (int)idl, n);
		if (!strcmp(dot, ".msg")) {
			char env[GW_QID_SIZE + 8];
			snprintf(env, sizeof(env), "%.*s.env", (int)idl, n);
			if (faccessat(q->qfd, env, F_OK, 0) == 0)
				continue;	/* loaded with its envelope */
			if (fstatat(q->qfd, n, &st, 0) == 0 &&
			    time(NULL) - st.st_mtime > ORPHAN_AGE)
				quarantine(q, n, "content without envelope");
			continue;
		}
		{
			char id[GW_QID_SIZE];
			const char *why = "unreadable";
			struct gw_qmsg *m = NULL;

			snprintf(id, sizeof(id), "%.*s", (int)idl, n);
			if (read_all(q->qfd, n, &text, ENV_MAX) == 0 &&
			    memchr(text.ptr, '\0', text.size) == NULL)
				m = env_parse(text.ptr, id, &why);
			if (m != NULL) {
				if (fstatat(q->qfd, other, &st, 0) < 0) {
					why = "content file missing";
					gw_qmsg_free(m);
					m = NULL;
				} else if ((uint64_t)st.st_size != m->size) {
					why = "content file truncated";
					gw_qmsg_free(m);
					m = NULL;
				}
			}
			if (m == NULL) {
				quarantine(q, n, why);
				if (faccessat(q->qfd, other, F_OK, 0) == 0)
					quarantine(q, other, why);
				continue;
			}
			note_env(q, m);
			m->next = q->head;
			q->head = m;
			q->count++;
		}
	}
	closedir(d);
	addr_buf_free(&text);
}

/* clean_tmp - temporary files were never acknowledged: remove them */
static void
clean_tmp(struct gw_queue *q)
{
	DIR *d;
	struct dirent *de;
	int dfd = dup(q->tfd);

	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && unlinkat(q->tfd, de->d_name, 0) < 0)
			log_warn("tmp/%s: cannot remove", de->d_name);
	closedir(d);
}

static int
queue_open(struct gw_queue *q, const char *spool, int tool, char *err,
	   size_t errsize)
{
	memset(q, 0, sizeof(*q));
	q->pool.dfd = -1;
	pthread_mutex_init(&q->dmu, NULL);
	pthread_cond_init(&q->dcv, NULL);
	q->tool = tool;
	q->qfd = q->tfd = q->xfd = -1;
	if (mkdir(spool, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errsize, "%s: cannot create: %s", spool,
		    strerror(errno));
		return -1;
	}
	if ((q->spool = strdup(spool)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if ((q->qfd = open_dir(spool, "queue", err, errsize)) < 0 ||
	    (q->tfd = open_dir(spool, "tmp", err, errsize)) < 0 ||
	    (q->xfd = open_dir(spool, "quarantine", err, errsize)) < 0) {
		gw_queue_close(q);
		return -1;
	}
	if (!tool) {
		if (gw_qpool_open(&q->pool, spool, err, errsize) < 0) {
			gw_queue_close(q);
			return -1;
		}
		clean_tmp(q);
	}
	load(q);
	if (!tool)
		gw_qpool_exclude(&q->pool, q->qfd);
	return 0;
}

int
gw_queue_open(struct gw_queue *q, const char *spool, char *err,
	      size_t errsize)
{
	return queue_open(q, spool, 0, err, errsize);
}

int
gw_queue_open_tool(struct gw_queue *q, const char *spool, char *err,
		   size_t errsize)
{
	return queue_open(q, spool, 1, err, errsize);
}

void
gw_queue_close(struct gw_queue *q)
{
	while (q->head)
		gw_queue_forget(q, q->head);
	if (q->qfd >= 0)
		close(q->qfd);
	if (q->tfd >= 0)
		close(q->tfd);
	if (q->xfd >= 0)
		close(q->xfd);
	free(q->spool);
	gw_qpool_close(&q->pool);
	pthread_mutex_destroy(&q->dmu);
	pthread_cond_destroy(&q->dcv);
	memset(q, 0, sizeof(*q));
	q->qfd = q->tfd = q->xfd = -1;
}
