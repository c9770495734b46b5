/*
 * addrdir_io.c - the directory formats behind one interface
 *
 * EXPORTS
 *	addrdir_load_mem()	a directory file of any format into a
 *				struct addr_dir
 *	addrdir_serialize()	a struct addr_dir in any format
 *	addrdir_write_atomic()	a file replaced so that readers see the
 *				old or the new one, never a mix
 *	addrdir_write_dir()	a directory written that way, streamed
 *				into the file (LDIF, DSML)
 *	addrdir_early_begin()	the same file written while the directory
 *	addrdir_early_finish()	grows (an import), finished or thrown
 *	addrdir_early_drop()	away
 *
 * The commands name a format (enum addrdir_fmt) and never call a
 * format's functions themselves, so a new format is one switch here.
 */
#define _GNU_SOURCE	/* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "addr.h"
#include "cli.h"
#include "addrdir.h"

void addrdir_csv_options(struct addr_csv_options *o,
			 const struct addrdir_reader *r)
{
	addr_csv_options_init(o);
	o->base = r->base;
	if (r->container != NULL)
		o->container = r->container;
	o->org = r->org;
	o->site = r->site;
	o->encoding = r->encoding;
	o->mv_column = r->mv_column;
	o->n_mv_column = r->n_mv_column;
}

int addrdir_csv_ready(struct addr_csv_options *o, const struct addrdir_reader *r,
		     const char *path)
{
	addrdir_csv_options(o, r);
	if (o->base == NULL) {
		cli_error("%s: CSV needs --base DN (the LDAP DN of the 5.5 "
			  "recipients container)", path);
		return CLI_FATAL;
	}
	return 0;
}

int addrdir_load_mem(const struct addrdir_reader *r, enum addrdir_fmt fmt,
		     const char *in, size_t len, const char *path,
		     struct addr_dir *d, struct addr_dir_report *rep)
{
	struct addr_csv_options o;

	switch (fmt) {
	case ADDRDIR_CSV:
		if (addrdir_csv_ready(&o, r, path) != 0)
			return ADDR_EINVAL;
		return addr_dir_load_csv(d, in, len, path, &o, rep);
	case ADDRDIR_LDIF:
		return addr_dir_load_ldif(d, in, len, path, 0, rep);
	case ADDRDIR_DSML:
		return addr_dir_load_dsml(d, in, len, path, 0, rep);
	default:
		return ADDR_ENOTSUP;
	}
}

/* report_one - an error of the writer, naming dn (nullable) */
static int report_one(struct addr_dir_report *rep, size_t line,
		      const char *rule, const char *dn)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), dn ? "%s cannot be written: its DN or an "
		 "attribute name is not XML text or not an attribute "
		 "description" : "the directory cannot be written%s", dn ? dn :
		 "");
	return addr_dir_report_add(rep, NULL, line, 0, ADDR_SEV_ERROR, rule,
				   msg);
}

/*
 * unrepresentable - the DSML writer refused the directory (a DN or an
 * attribute name XML cannot carry) without naming the object: find it,
 * writing one object at a time, so the diagnostic names it. Returns 0
 * (the refusal is in rep) or ADDR_ENOMEM.
 */
static int unrepresentable(const struct addr_dir *d,
			   struct addr_dir_report *rep)
{
	size_t i;
	int found = 0;

	for (i = 0; i < addr_dir_count(d); i++) {
		const struct addr_dir_entry *e = addr_dir_at(d, i);
		struct addr_dir *one;
		struct addr_dir_entry *c;
		struct addr_buf out;
		int rc;

		if (addr_dir_new(&one, ADDR_DIR_LENIENT) < 0)
			return ADDR_ENOMEM;
		if (addr_dir_entry_copy(&c, e) < 0 || addr_dir_add(one, c, NULL) < 0) {
			addr_dir_free(one);
			continue;
		}
		addr_buf_init(&out);
		rc = addr_dir_write_dsml(one, &out);
		addr_buf_free(&out);
		addr_dir_free(one);
		if (rc != ADDR_ESYNTAX)
			continue;
		found = 1;
		if (report_one(rep, addr_dir_entry_line(e), "dsml.unrepresentable",
			       addr_dir_entry_dn(e)) < 0)
			return ADDR_ENOMEM;
	}
	if (!found && report_one(rep, 0, "dsml.unrepresentable", NULL) < 0)
		return ADDR_ENOMEM;
	return 0;
}

int addrdir_serialize(const struct addr_dir *d, enum addrdir_fmt fmt,
		      const struct addrdir_reader *r, struct addr_buf *out,
		      struct addr_dir_report *rep)
{
	struct addr_csv_options o;
	int rc;

	switch (fmt) {
	case ADDRDIR_CSV:
		if (addrdir_csv_ready(&o, r, "CSV output") != 0)
			return ADDR_EINVAL;
		if (r->csv_detected) {	/* rewrite a file in its encoding */
			o.encoding = r->csv_encoding;
			o.flags = r->csv_flags;
		}
		rc = addr_dir_write_csv(d, &o, out, rep);
		return rc > 0 ? 0 : rc;
	case ADDRDIR_LDIF:
		return addr_dir_write_ldif(d, out);
	case ADDRDIR_DSML:
		rc = addr_dir_write_dsml(d, out);
		if (rc == ADDR_ESYNTAX)
			return unrepresentable(d, rep);
		return rc;
	default:
		return ADDR_ENOTSUP;
	}
}

/* A file being replaced: the temporary file beside it. */
struct atomic {
	const char *path;
	char tmp[4096];
	int fd;
	int err;		/* errno of a failed write, or 0 */
	off_t written, started;	/* octets written; writeback asked for */
};

/* Writeback is started every WB_STEP octets (sync_file_range): the
 * fsync at the end then waits for the last few MiB instead of the whole
 * file, the disk having written the rest while the rest was made. */
#define WB_STEP ((off_t)8 << 20)

/* atomic_begin - the temporary file for path; CLI_OK or CLI_FATAL */
static int atomic_begin(struct atomic *a, const char *path)
{
	struct stat st;

	a->path = path;
	a->err = 0;
	a->written = a->started = 0;
	if (snprintf(a->tmp, sizeof(a->tmp), "%s.XXXXXX", path) >=
	    (int)sizeof(a->tmp)) {
		cli_error("%s: path too long", path);
		return CLI_FATAL;
	}
	if ((a->fd = mkstemp(a->tmp)) < 0) {
		cli_error("%s: %s", a->tmp, strerror(errno));
		return CLI_FATAL;
	}
	/* keep the file's permissions (mkstemp makes it 0600) */
	if (stat(path, &st) == 0)
		(void)fchmod(a->fd, st.st_mode & 07777);
	return CLI_OK;
}

/* atomic_write - data[0..len) to the temporary file (an addr_write_fn);
 * 0, or -1 with the error kept for atomic_end */
static int atomic_write(void *ctx, const char *data, size_t len)
{
	struct atomic *a = ctx;
	size_t off = 0;

	while (off < len && a->err == 0) {
		ssize_t n = write(a->fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			a->err = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	a->written += (off_t)off;
#ifdef SYNC_FILE_RANGE_WRITE
	if (a->err == 0 && a->written - a->started >= WB_STEP) {
		/* a hint: an error here is the fsync's to report */
		(void)sync_file_range(a->fd, a->started,
				      a->written - a->started,
				      SYNC_FILE_RANGE_WRITE);
		a->started = a->written;
	}
#endif
	return a->err ? -1 : 0;
}

/* atomic_end - with ok, fsync the temporary file, rename it over the
 * path and fsync the directory; else (or on an error) remove it.
 * CLI_OK, or CLI_FATAL (also when !ok) */
static int atomic_end(struct atomic *a, int ok)
{
	const char *slash = strrchr(a->path, '/');
	char dir[4096];
	int dfd;

	if (a->err) {
		cli_error("%s: %s", a->tmp, strerror(a->err));
		ok = 0;
	}
	if (!ok) {
		close(a->fd);
		unlink(a->tmp);
		return CLI_FATAL;
	}
	if (fsync(a->fd) != 0 || close(a->fd) != 0) {
		cli_error("%s: %s", a->tmp, strerror(errno));
		unlink(a->tmp);
		return CLI_FATAL;
	}
	if (rename(a->tmp, a->path) != 0) {
		cli_error("%s: %s", a->path, strerror(errno));
		unlink(a->tmp);
		return CLI_FATAL;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 (int)(slash - a->path + (slash == a->path)), a->path);
	if ((dfd = open(dir, O_RDONLY)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return CLI_OK;
}

int addrdir_write_atomic(const char *path, const char *data, size_t len)
{
	struct atomic a;
	int status = atomic_begin(&a, path);

	if (status != CLI_OK)
		return status;
	atomic_write(&a, data, len);
	return atomic_end(&a, 1);
}

/* write_body - d into a's file (empty), then atomic_end: the status
 * addrdir_write_dir returns for it */
static int write_body(struct atomic *a, const struct addr_dir *d,
		      enum addrdir_fmt fmt, struct addr_dir_report *rep)
{
	int rc = fmt == ADDRDIR_LDIF ? addr_dir_write_ldif_to(d, atomic_write, a) :
		 addr_dir_write_dsml_to(d, atomic_write, a);

	if (rc == ADDR_ESYNTAX) {	/* nothing was written */
		atomic_end(a, 0);
		return unrepresentable(d, rep) < 0 ? ADDR_ENOMEM :
		       CLI_REJECTED;
	}
	if (rc == ADDR_ENOMEM) {
		atomic_end(a, 0);
		return ADDR_ENOMEM;
	}
	return atomic_end(a, rc == 0);
}

int addrdir_write_dir(const char *path, const struct addr_dir *d,
		      enum addrdir_fmt fmt, const struct addrdir_reader *r,
		      struct addr_dir_report *rep)
{
	size_t before = rep->nerrors;
	struct addr_buf out;
	struct atomic a;
	int rc, status;

	if (fmt != ADDRDIR_LDIF && fmt != ADDRDIR_DSML) {
		/* CSV: made whole first (its writer reports what the
		 * format cannot hold) */
		addr_buf_init(&out);
		rc = addrdir_serialize(d, fmt, r, &out, rep);
		status = rc == ADDR_EINVAL ? CLI_FATAL : rc < 0 ? ADDR_ENOMEM :
			 rep->nerrors > before ? CLI_REJECTED :
			 addrdir_write_atomic(path, out.ptr, out.size);
		addr_buf_free(&out);
		return status;
	}
	if ((status = atomic_begin(&a, path)) != CLI_OK)
		return status;
	return write_body(&a, d, fmt, rep);
}

/* An import's result written while the change file is applied
 * (addr_dir_stream_begin): into the temporary file addrdir_write_dir
 * would make, kept if the stream held, written again if it stopped. */
struct addrdir_early {
	struct atomic a;
};

struct addrdir_early *addrdir_early_begin(const char *path,
					  struct addr_dir *d,
					  enum addrdir_fmt fmt)
{
	struct addrdir_early *x;

	if ((fmt != ADDRDIR_LDIF && fmt != ADDRDIR_DSML) ||
	    (x = malloc(sizeof(*x))) == NULL)
		return NULL;
	/* quiet: whatever goes wrong here the usual write meets again */
	if (snprintf(x->a.tmp, sizeof(x->a.tmp), "%s.XXXXXX", path) >=
	    (int)sizeof(x->a.tmp) || atomic_begin(&x->a, path) != CLI_OK) {
		free(x);
		return NULL;
	}
	if (addr_dir_stream_begin(d, fmt == ADDRDIR_LDIF ?
				  ADDR_DIR_STREAM_LDIF : ADDR_DIR_STREAM_DSML,
				  atomic_write, &x->a) < 0) {
		atomic_end(&x->a, 0);
		free(x);
		return NULL;
	}
	return x;
}

int addrdir_early_finish(struct addrdir_early *x, const char *path,
			 struct addr_dir *d, enum addrdir_fmt fmt,
			 const struct addrdir_reader *r,
			 struct addr_dir_report *rep)
{
	int held;

	if (x == NULL)
		return addrdir_write_dir(path, d, fmt, r, rep);
	held = addr_dir_stream_end(d);
	if (held == 1) {
		int status = atomic_end(&x->a, 1);

		free(x);
		return status;
	}
	/* the stream stopped (or its writes failed): the file again */
	if (x->a.err == 0 && (ftruncate(x->a.fd, 0) != 0 ||
			      lseek(x->a.fd, 0, SEEK_SET) != 0))
		x->a.err = errno;
	x->a.written = x->a.started = 0;
	{
		struct atomic a = x->a;

		free(x);
		return write_body(&a, d, fmt, rep);
	}
}

void addrdir_early_drop(struct addrdir_early *x, struct addr_dir *d)
{
	if (x == NULL)
		return;
	if (d != NULL)
		(void)addr_dir_stream_end(d);
	atomic_end(&x->a, 0);
	free(x);
}
