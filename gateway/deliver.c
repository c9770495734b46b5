/*
 * deliver.c - next hops: the drop directory
 *
 * SYNOPSIS
 *	gw_deliver_drop()
 *
 * DESCRIPTION
 *	drop:DIR writes each delivery as one file, the envelope as header
 *	lines before the message (spec-gateway.md §7.2). Temporary names
 *	begin with "." so a reader of DIR sees only complete files. The
 *	delivery counts as done once the rename is durable (dir fsync'd).
 *	The SMTP client is not here yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver.h"

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
gw_deliver_drop(const char *dir, const struct gw_qmsg *m, const size_t *idx,
		size_t n, const char *content, size_t len, int nosync,
		char *done, size_t donesize, char *why, size_t whysize)
{
	struct addr_buf h;
	char tmp[4096], dst[4096];
	int fd = -1, dfd = -1;
	size_t i;

	addr_buf_init(&h);
	snprintf(dst, sizeof(dst), "%s/%s.%zu", dir, m->id, idx[0]);
	snprintf(tmp, sizeof(tmp), "%s/.%s.%zu.tmp", dir, m->id, idx[0]);
	addr_buf_puts(&h, "X-Addrgw-Queue-Id: ");
	addr_buf_puts(&h, m->id);
	addr_buf_puts(&h, "\r\nX-Addrgw-Sender: <");
	addr_buf_puts(&h, m->sender);
	addr_buf_puts(&h, ">\r\n");
	for (i = 0; i < n; i++) {
		addr_buf_puts(&h, "X-Addrgw-Recipient: <");
		addr_buf_puts(&h, m->rcpt[idx[i]].addr);
		addr_buf_puts(&h, ">\r\n");
	}
	if (h.oom) {
		snprintf(why, whysize, "out of memory");
		goto fail;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(why, whysize, "cannot open %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 ||
	    write_all(fd, h.ptr, h.size) < 0 ||
	    write_all(fd, content, len) < 0 ||
	    (!nosync && fsync(fd) < 0)) {
		snprintf(why, whysize, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(why, whysize, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) < 0 || (!nosync && fsync(dfd) < 0)) {
		snprintf(why, whysize, "cannot rename to %s: %s", dst,
		    strerror(errno));
		goto fail;
	}
	close(dfd);
	addr_buf_free(&h);
	snprintf(done, donesize, "%s", dst);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	if (dfd >= 0)
		close(dfd);
	addr_buf_free(&h);
	return -1;
}
