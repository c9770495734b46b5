/*
 * addrdir_common.c - what the addrdir commands share
 *
 * EXPORTS
 *	addrdir_reader_option()	the READER OPTIONS of architecture.md
 *	addrdir_format()	a file's format: --from/--to or its extension
 *	addrdir_read_file()	a whole file, bounded
 *	addrdir_stream_open(), _read(), _close()
 *				a file read in pieces, bounded alike
 *	addrdir_load()		a directory file into a struct addr_dir
 *	addrdir_load_valid()	the same, refusing a directory with errors
 *	addrdir_print_diag()	"FILE:LINE[:COLUMN]: error: RULE: message"
 *	addrdir_kind_name()	"mailbox", "contact", "group"
 *
 * (The Makefile links every tools file but the two mains into both
 * tools, so this file depends only on libaddr and cli.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "addr.h"
#include "cli.h"
#include "addrdir.h"

#define MAX_FILE ((size_t)1 << 31)	/* 2 GiB: larger files are refused */

int addrdir_reader_option(struct addrdir_reader *r, int opt, const char *arg)
{
	switch (opt) {
	case ADDRDIR_OPT_LENIENT:
		r->dflags |= ADDR_DIR_LENIENT;
		return 0;
	case ADDRDIR_OPT_X400_STRICT:
		r->dflags |= ADDR_DIR_X400_STRICT;
		return 0;
	case ADDRDIR_OPT_FROM:
		if (strcmp(arg, "ldif") != 0 && strcmp(arg, "csv") != 0 &&
		    strcmp(arg, "dsml") != 0) {
			cli_error("--from %s: expected csv, ldif or dsml", arg);
			return CLI_FATAL;
		}
		r->from = arg;
		return 0;
	case ADDRDIR_OPT_ENCODING:
		r->encoding = arg;
		return 0;
	case ADDRDIR_OPT_BASE:
		r->base = arg;
		return 0;
	case ADDRDIR_OPT_CONTAINER:
		r->container = arg;
		return 0;
	case ADDRDIR_OPT_ORG:
		r->org = arg;
		return 0;
	case ADDRDIR_OPT_SITE:
		r->site = arg;
		return 0;
	case ADDRDIR_OPT_MV_COLUMN:
		if (r->n_mv_column == ADDRDIR_MAX_MV) {
			cli_error("--mv-column: at most %d", ADDRDIR_MAX_MV);
			return CLI_FATAL;
		}
		r->mv_column[r->n_mv_column++] = arg;
		return 0;
	case ADDRDIR_OPT_NONRECIPIENT:
		if (strcmp(arg, "skip") != 0 && strcmp(arg, "error") != 0) {
			cli_error("--nonrecipient %s: expected skip or error",
				  arg);
			return CLI_FATAL;
		}
		r->skip_nonrecipient = strcmp(arg, "skip") == 0;
		return 0;
	default:
		return CLI_FATAL;
	}
}

const char *addrdir_kind_name(int kind)
{
	return kind == ADDR_DIR_MAILBOX ? "mailbox" :
	       kind == ADDR_DIR_CONTACT ? "contact" :
	       kind == ADDR_DIR_GROUP ? "group" : "unknown";
}

/* ends_with - case-insensitive suffix test */
static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

enum addrdir_fmt addrdir_format(const char *path, const char *forced)
{
	const char *f = forced;

	if (f == NULL)
		f = ends_with(path, ".ldif") ? "ldif" :
		    ends_with(path, ".csv") ? "csv" :
		    ends_with(path, ".xml") || ends_with(path, ".dsml") ?
		    "dsml" : NULL;
	if (f == NULL) {
		cli_error("%s: unknown format (name it .csv, .ldif, .xml or "
			  ".dsml, or use --from/--to)", path);
		return 0;
	}
	return strcmp(f, "ldif") == 0 ? ADDRDIR_LDIF :
	       strcmp(f, "csv") == 0 ? ADDRDIR_CSV : ADDRDIR_DSML;
}

void addrdir_dir_done(struct addr_dir *d)
{
	static struct addr_dir *kept;

	if (d != NULL && kept == NULL && addr_dir_count(d) >= 100000)
		kept = d;
	else
		addr_dir_free(d);
}

void addrdir_threads(struct addr_dir *d)
{
	const char *env = getenv("ADDRDIR_THREADS");
	long n;

	if (env != NULL && *env != '\0') {
		char *end;

		n = strtol(env, &end, 10);
		if (*end != '\0' || n < 0 || n > 8) {
			cli_error("ADDRDIR_THREADS=%s: want a number from 0 to 8;"
				  " no worker threads", env);
			n = 0;
		}
	} else {
		/* the reading thread keeps a processor busy as well */
		n = sysconf(_SC_NPROCESSORS_ONLN) - 1;
		n = n < 1 ? 0 : n > 4 ? 4 : n;
	}
#ifdef M_ARENA_MAX
	/* glibc gives each thread an arena of its own, grown a page at a
	 * time with an mprotect each: a million entries made by workers
	 * cost a second of system time. One arena, grown by brk with the
	 * usual padding, does not; tcache keeps the lock rare. */
	if (n > 0)
		(void)mallopt(M_ARENA_MAX, 1);
#endif
	addr_dir_set_threads(d, (unsigned)n);
}

int addrdir_read_file(const char *path, struct addr_buf *in, int missing_ok)
{
	char chunk[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		if (missing_ok && errno == ENOENT)
			return -ENOENT;
		cli_error("%s: %s", path, strerror(errno));
		return CLI_FATAL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (in->size + n > MAX_FILE || addr_buf_put(in, chunk, n) < 0) {
			cli_error("%s: file too large", path);
			fclose(f);
			return CLI_FATAL;
		}
	}
	if (ferror(f)) {
		cli_error("%s: %s", path, strerror(errno));
		fclose(f);
		return CLI_FATAL;
	}
	fclose(f);
	return 0;
}

int addrdir_stream_open(struct addrdir_stream *s, const char *path)
{
	s->path = path;
	s->total = 0;
	s->err = 0;
	if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return CLI_FATAL;
	}
	return 0;
}

long addrdir_stream_read(void *ctx, char *buf, size_t cap)
{
	struct addrdir_stream *s = ctx;
	ssize_t n;

	do
		n = read(s->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->err = errno;
		return -1;
	}
	if ((size_t)n > MAX_FILE - s->total) {
		s->err = -1;
		return -1;
	}
	s->total += (size_t)n;
	return (long)n;
}

int addrdir_stream_close(struct addrdir_stream *s)
{
	close(s->fd);
	if (s->err == 0)
		return CLI_OK;
	if (s->err < 0)
		cli_error("%s: file too large", s->path);
	else
		cli_error("%s: %s", s->path, strerror(s->err));
	return CLI_FATAL;
}

int addrdir_load(const struct addrdir_reader *r, const char *path,
		 struct addr_dir **out, struct addr_dir_report *rep)
{
	return addrdir_load_progress(r, path, out, rep, NULL, NULL);
}

int addrdir_load_stream(enum addrdir_fmt fmt, const char *path,
			struct addr_dir *d, struct addr_dir_report *rep,
			int *rc)
{
	struct addrdir_stream st;

	if (addrdir_stream_open(&st, path) != 0)
		return CLI_FATAL;
	*rc = fmt == ADDRDIR_LDIF ?
	     addr_dir_load_ldif_read(d, addrdir_stream_read, &st, path, 0,
				     rep) :
	     addr_dir_load_dsml_read(d, addrdir_stream_read, &st, path, 0,
				     rep);
	return addrdir_stream_close(&st) != CLI_OK ? CLI_FATAL : 0;
}

int addrdir_load_progress(const struct addrdir_reader *r, const char *path,
			  struct addr_dir **out, struct addr_dir_report *rep,
			  void (*fn)(void *ctx, size_t n), void *ctx)
{
	enum addrdir_fmt fmt = addrdir_format(path, r->from);
	struct addr_buf in;
	int rc;

	*out = NULL;
	if (fmt == 0)
		return CLI_FATAL;
	addr_buf_init(&in);
	/* LDIF and DSML are read in pieces: the file is never in memory
	 * beside the directory; CSV is read whole (its encoding is found
	 * from the start, its reader takes a buffer) */
	if (fmt == ADDRDIR_CSV && addrdir_read_file(path, &in, 0) != 0) {
		addr_buf_free(&in);
		return CLI_FATAL;
	}
	if (addr_dir_new(out, r->dflags) < 0) {
		addr_buf_free(&in);
		cli_error("out of memory");
		return CLI_FATAL;
	}
	addr_dir_set_progress(*out, fn, ctx);
	addrdir_threads(*out);
	if (fmt == ADDRDIR_CSV) {
		rc = addrdir_load_mem(r, fmt, in.ptr, in.size, path, *out, rep);
	} else if (addrdir_load_stream(fmt, path, *out, rep, &rc) != 0) {
		addr_dir_free(*out);
		*out = NULL;
		return CLI_FATAL;
	}
	addr_buf_free(&in);
	addr_dir_set_progress(*out, NULL, NULL);
	if (rc < 0) {
		cli_error("%s: %s", path, addr_strerror(rc));
		addr_dir_free(*out);
		*out = NULL;
		return CLI_FATAL;
	}
	return 0;
}

void addrdir_print_diags(FILE *fp, const struct addr_dir_report *rep,
			 int json)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		addrdir_print_diag(fp, &rep->diag[i], json);
}

void addrdir_print_diag(FILE *fp, const struct addr_dir_diag *g, int json)
{
	const char *sev = g->severity == ADDR_SEV_ERROR ? "error" : "warning";
	const char *file = g->file ? g->file : "-";

	if (json) {
		fputs("{\"file\":", fp);
		cli_json_string(fp, file, strlen(file));
		fprintf(fp, ",\"line\":%zu,\"column\":%zu,\"severity\":\"%s\","
			"\"rule\":\"%s\",\"message\":", g->line, g->column, sev,
			g->rule);
		cli_json_string(fp, g->message, strlen(g->message));
		fputs("}\n", fp);
		return;
	}
	fprintf(fp, "%s:%zu", file, g->line);
	if (g->column)
		fprintf(fp, ":%zu", g->column);
	fprintf(fp, ": %s: %s: ", sev, g->rule);
	cli_put_input(fp, g->message, strlen(g->message));
	putc('\n', fp);
}

int addrdir_load_valid(const struct addrdir_reader *r, const char *path,
		       struct addr_dir **out)
{
	struct addr_dir_report rep;
	size_t i;
	int rc;

	addr_dir_report_init(&rep);
	rc = addrdir_load(r, path, out, &rep);
	if (rc == 0 && rep.nerrors > 0) {
		fflush(stdout);
		for (i = 0; i < rep.n; i++)
			addrdir_print_diag(stderr, &rep.diag[i], 0);
		cli_error("%s: %zu error(s) in the directory", path,
			  rep.nerrors);
		addr_dir_free(*out);
		*out = NULL;
		rc = CLI_FATAL;
	}
	addr_dir_report_free(&rep);
	return rc;
}

