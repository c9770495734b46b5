/*
 * qpool.c - queue files kept for reuse
 *
 * SYNOPSIS
 *	gw_qpool_open(), gw_qpool_exclude(), gw_qpool_take(),
 *	gw_qpool_retire(), gw_qpool_close()
 *
 * DESCRIPTION
 *	See qpool.h for why. The pool is a stack of numeric names in
 *	SPOOL/free/ under one mutex: writer threads take, the event loop
 *	retires. A retired file is renamed, never copied, so the rename is
 *	the whole cost; its content is truncated when it is reused
 *	(O_TRUNC, on the writer thread). Reuse must never overwrite a queued
 *	message: at start-up a pooled name with more than one link, or
 *	whose inode is also linked in queue/ (a crash can persist the new
 *	entry of a rename without the removal of the old one; only queue/
 *	is fsync'd), is unlinked rather than reused.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "qpool.h"

static int
numeric(const char *s, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s) || strlen(s) > 19)
		return 0;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

int
gw_qpool_open(struct gw_qpool *p, const char *spool, char *err,
	      size_t errsize)
{
	char path[4096];
	DIR *d;
	struct dirent *de;
	int dfd;

	memset(p, 0, sizeof(*p));
	p->dfd = -1;
	pthread_mutex_init(&p->mu, NULL);
	if ((p->name = calloc(GW_QPOOL_MAX, sizeof(*p->name))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/free", spool);
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errsize, "%s: cannot create: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((p->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errsize, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((dfd = dup(p->dfd)) < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		snprintf(err, errsize, "%s: cannot list: %s", path,
		    strerror(errno));
		return -1;
	}
	p->next = 1;
	while ((de = readdir(d)) != NULL) {
		unsigned long long v;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (numeric(de->d_name, &v) && p->n < GW_QPOOL_MAX &&
		    fstatat(p->dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_nlink == 1) {
			p->name[p->n++] = v;
			if (v >= p->next)
				p->next = v + 1;
		} else if (unlinkat(p->dfd, de->d_name, 0) < 0)
			log_warn("free/%s: cannot remove", de->d_name);
	}
	closedir(d);
	return 0;
}

static int
ino_cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a,
	    y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* drop - unlink pooled name i and forget it */
static void
drop(struct gw_qpool *p, size_t i)
{
	char name[24];

	snprintf(name, sizeof(name), "%llu", p->name[i]);
	if (unlinkat(p->dfd, name, 0) < 0 && errno != ENOENT)
		log_warn("free/%s: cannot remove", name);
	p->name[i] = p->name[--p->n];
}

int
gw_qpool_exclude(struct gw_qpool *p, int dfd)
{
	unsigned long long *ino = NULL, *nv;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int fd;

	if (p->dfd < 0 || p->n == 0)
		return 0;
	if ((fd = dup(dfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	rewinddir(d);	/* the descriptor's offset is shared with dfd */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(ino, cap * sizeof(*ino))) == NULL) {
				closedir(d);
				goto fail;
			}
			ino = nv;
		}
		ino[n++] = (unsigned long long)de->d_ino;
	}
	closedir(d);
	if (n > 0)
		qsort(ino, n, sizeof(*ino), ino_cmp);
	for (i = 0; i < p->n;) {
		char name[24];
		struct stat st;
		unsigned long long v;

		snprintf(name, sizeof(name), "%llu", p->name[i]);
		if (fstatat(p->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			p->name[i] = p->name[--p->n];	/* gone */
			continue;
		}
		v = (unsigned long long)st.st_ino;
		if (n > 0 && bsearch(&v, ino, n, sizeof(*ino), ino_cmp)) {
			log_warnx("free/%s: also linked in the queue; removed "
			    "from the pool", name);
			drop(p, i);
			continue;
		}
		i++;
	}
	free(ino);
	return 0;
fail:
	free(ino);
	log_warn("queue/: cannot list; reused files given up");
	while (p->n > 0)
		drop(p, p->n - 1);
	return -1;
}

int
gw_qpool_take(struct gw_qpool *p, char *buf, size_t size)
{
	unsigned long long v;

	if (p->dfd < 0)
		return 0;
	pthread_mutex_lock(&p->mu);
	if (p->n == 0) {
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	v = p->name[--p->n];
	pthread_mutex_unlock(&p->mu);
	snprintf(buf, size, "%llu", v);
	return 1;
}

int
gw_qpool_retire(struct gw_qpool *p, int dfd, const char *name)
{
	unsigned long long v = 0;
	char to[24];

	if (p->dfd >= 0) {
		pthread_mutex_lock(&p->mu);
		if (p->n < GW_QPOOL_MAX)
			v = p->next++;
		pthread_mutex_unlock(&p->mu);
	}
	if (v != 0) {
		snprintf(to, sizeof(to), "%llu", v);
		if (renameat(dfd, name, p->dfd, to) == 0) {
			pthread_mutex_lock(&p->mu);
			if (p->n < GW_QPOOL_MAX) {
				p->name[p->n++] = v;
				v = 0;
			}
			pthread_mutex_unlock(&p->mu);
			/* filled up meanwhile: this one goes */
			if (v != 0)
				unlinkat(p->dfd, to, 0);
			return 0;
		}
		if (errno == ENOENT)
			return -1;
	}
	return unlinkat(dfd, name, 0);
}

void
gw_qpool_close(struct gw_qpool *p)
{
	if (p->dfd >= 0)
		close(p->dfd);
	free(p->name);
	pthread_mutex_destroy(&p->mu);
	memset(p, 0, sizeof(*p));
	p->dfd = -1;
}
