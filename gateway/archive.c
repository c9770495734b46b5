/*
 * archive.c - archive copies with a size cap (spec-gateway.md §11.1)
 *
 * SYNOPSIS
 *	gw_archive()
 *
 * DESCRIPTION
 *	The IMC's archive (IMCDATA) filled disks because nothing bounded
 *	it. Here each direction's directory has a cap: the running total
 *	of its files is known (a scan the first time, then the sizes
 *	written), and when a copy takes it over the cap the oldest files
 *	(modification time, then name) are removed until it fits again.
 *	A copy is written after the message is queued and does not fsync:
 *	the archive is a convenience, never a reason to refuse or delay
 *	mail.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "deliver.h"
#include "log.h"

struct afile {
	char name[256];
	time_t mtime;
	uint64_t size;
};

/* the running total of one directory (two: inbound, outbound) */
static struct {
	char dir[4096];
	uint64_t total;
	int known;
} tally[2];

/* scan - the files of dir (not the ".tmp" ones); -1 on error */
static int
scan(const char *dir, struct afile **out, size_t *n, uint64_t *total)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		struct afile *nv;

		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || strlen(de->d_name) >= 256)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(*out, cap * sizeof(*nv))) == NULL) {
				closedir(d);
				return -1;
			}
			*out = nv;
		}
		snprintf((*out)[*n].name, sizeof((*out)[*n].name), "%s",
		    de->d_name);
		(*out)[*n].mtime = st.st_mtime;
		(*out)[*n].size = (uint64_t)st.st_size;
		*total += (uint64_t)st.st_size;
		(*n)++;
	}
	closedir(d);
	return 0;
}

static int
oldest_first(const void *a, const void *b)
{
	const struct afile *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* trim - remove the oldest files of dir until it is within max */
static void
trim(const char *dir, uint64_t max, uint64_t *total)
{
	struct afile *f;
	size_t n, i;
	char path[4400];

	if (scan(dir, &f, &n, total) < 0) {
		log_warn("archive %s: cannot list", dir);
		free(f);
		return;
	}
	qsort(f, n, sizeof(*f), oldest_first);
	for (i = 0; i < n && *total > max; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, f[i].name);
		if (unlink(path) == 0) {
			*total -= f[i].size;
			log_info("archive %s: removed %s (over max_size)", dir,
			    f[i].name);
		} else
			log_warn("archive: cannot remove %s", path);
	}
	free(f);
}

void
gw_archive(const struct gw_config *cfg, const struct gw_qmsg *m,
	   int direction, const char *data, size_t len)
{
	const char *dir = direction == 1 ? cfg->archive_inbound :
	    direction == 2 ? cfg->archive_outbound : NULL;
	char done[4400], why[512];
	size_t *idx, i;
	struct stat st;
	int t = direction - 1;

	if (dir == NULL || m->nrcpt == 0)
		return;
	if ((idx = calloc(m->nrcpt, sizeof(*idx))) == NULL) {
		log_warnx("%s: archive: out of memory", m->id);
		return;
	}
	for (i = 0; i < m->nrcpt; i++)
		idx[i] = i;
	if (gw_deliver_drop(dir, m, idx, m->nrcpt, data, len, 1, done,
	    sizeof(done), why, sizeof(why)) < 0) {
		log_warnx("%s: archive: %s (the message flows on)", m->id, why);
		free(idx);
		return;
	}
	free(idx);
	if (strcmp(tally[t].dir, dir) != 0 || !tally[t].known) {
		struct afile *f;
		size_t n;

		snprintf(tally[t].dir, sizeof(tally[t].dir), "%s", dir);
		tally[t].known = scan(dir, &f, &n, &tally[t].total) == 0;
		free(f);
	} else if (stat(done, &st) == 0)
		tally[t].total += (uint64_t)st.st_size;
	if (tally[t].total > cfg->archive_max_size)
		trim(dir, cfg->archive_max_size, &tally[t].total);
}
