/*
 * qpool.c - queue files kept for reuse
 *
 * SYNOPSIS
 *	gw_qpool_open(), gw_qpool_take(), gw_qpool_retire(),
 *	gw_qpool_close()
 *
 * DESCRIPTION
 *	See qpool.h for why. The pool is a stack of numeric names in
 *	SPOOL/free/ under one mutex: writer threads take, the event loop
 *	retires. A retired file is renamed, never copied, so the rename is
 *	the whole cost; its content is truncated when it is reused
 *	(O_TRUNC, on the writer thread). A name with more than one link at
 *	start-up (a crash and a file system check can leave a queue file
 *	linked twice) is unlinked rather than reused, so reuse can never
 *	overwrite a queued message.
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
