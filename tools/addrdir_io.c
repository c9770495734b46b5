/*
 * addrdir_io.c - the directory formats behind one interface
 *
 * EXPORTS
 *	addrdir_load_mem()	a directory file of any format into a
 *				struct addr_dir
 *	addrdir_serialize()	a struct addr_dir in any format
 *	addrdir_write_atomic()	a file replaced so that readers see the
 *				old or the new one, never a mix
 *
 * The commands name a format (enum addrdir_fmt) and never call a
 * format's functions themselves, so a new format is one switch here.
 */
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

int addrdir_write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4096], dir[4096];
	const char *slash = strrchr(path, '/');
	size_t off = 0;
	struct stat st;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		cli_error("%s: path too long", path);
		return CLI_FATAL;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		cli_error("%s: %s", tmp, strerror(errno));
		return CLI_FATAL;
	}
	/* keep the file's permissions (mkstemp makes it 0600) */
	if (stat(path, &st) == 0)
		(void)fchmod(fd, st.st_mode & 07777);
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error("%s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return CLI_FATAL;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		cli_error("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return CLI_FATAL;
	}
	if (rename(tmp, path) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		unlink(tmp);
		return CLI_FATAL;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + (slash == path)),
			 path);
	if ((dfd = open(dir, O_RDONLY)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return CLI_OK;
}

