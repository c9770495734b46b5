/*
 * addrdir_import.c - addrdir import and addrdir convert
 *
 * SYNOPSIS
 *	addrdir import [--json] [--dry-run] [--rejects PATH] [--lenient]
 *		[--warnings-as-errors] [--from FMT] [--replace-existing]
 *		[--nonrecipient skip|error] [--encoding NAME] [--base DN]
 *		[--container PATH] [--org O] [--site S] [--mv-column NAME]
 *		[--x400-strict] DIRFILE CHANGES
 *	addrdir convert [READER OPTIONS] [--to FMT] IN OUT
 *
 * DESCRIPTION
 *	import applies the change file CHANGES (CSV, LDIF change records
 *	or content, DSML batchRequest or batchResponse; --from or its
 *	extension) to the directory file DIRFILE (its extension; a missing
 *	DIRFILE is an empty directory) all or nothing (spec-directory.md
 *	§4): under an exclusive lock (DIRFILE.lock), every record is
 *	applied to an in-memory copy, every problem is collected, the
 *	invariants are checked on the result, and only when no error was
 *	found is DIRFILE replaced (temporary file, fsync, rename, fsync of
 *	the directory) in its own format. Otherwise DIRFILE is not touched,
 *	every problem is printed and the refused records are written to the
 *	rejects file (CHANGES.err, or --rejects PATH) in CHANGES' format.
 *	--dry-run does everything but write DIRFILE.
 *
 *	convert reads IN as a directory file and writes it to OUT in the
 *	format of --to or OUT's extension ("-": standard output, --to
 *	needed). A directory with errors, or an object the output format
 *	cannot hold, writes nothing.
 *
 *	On a terminal, and without --json, a run longer than a second shows
 *	a progress line (records, rate) on standard error.
 *
 * DIAGNOSTICS
 *	One "FILE:LINE[:COLUMN]: error|warning: RULE: message" line (JSON:
 *	one object) per problem on standard output. Exit 0 when applied
 *	(or, for a dry run, applicable), 1 when refused, 2 on a usage or
 *	environment error (unreadable file, locked directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "addr.h"
#include "cli.h"
#include "addrdir.h"

/* ---------------------------------------------------------- progress */

struct progress {
	int on;			/* a terminal, not --json */
	struct timespec start, last;
	size_t n;
	int shown;
};

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_init(struct progress *p, int json)
{
	memset(p, 0, sizeof(*p));
	p->on = !json && isatty(2);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

/* progress_show - n records done; a line at most four times a second,
 * and only once the run has taken a second */
static void progress_show(struct progress *p, size_t n)
{
	struct timespec now;
	double t;

	p->n = n;
	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	t = since(&p->start, &now);
	if (t < 1.0 || since(&p->last, &now) < 0.25)
		return;
	p->last = now;
	p->shown = 1;
	fprintf(stderr, "\r%s: %zu records, %.0f/s ", cli_progname, p->n,
		(double)p->n / t);
}

/* progress_tick - one more change record */
static void progress_tick(struct progress *p)
{
	if ((++p->n & 1023) == 0)
		progress_show(p, p->n);
}

/* progress_dir - the directory hook (addr_dir_set_progress) */
static void progress_dir(void *ctx, size_t n)
{
	progress_show(ctx, n);
}

static void progress_done(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r%s: %zu records done\n", cli_progname, p->n);
}

/* ------------------------------------------------------------ import */

struct import {
	struct addr_dir *d;
	const char *chpath;
	struct addrdir_stream *chin;	/* an LDIF or DSML change file,
					 * streamed */
	unsigned aflags;	/* ADDR_APPLY_* */
	struct addr_dir_report *rep;
	struct progress prog;
};

/* applied - one more change record applied */
static void applied(void *ctx)
{
	struct import *im = ctx;

	progress_tick(&im->prog);
}

/* apply_changes - every record of the change file to im->d; the number
 * of errors, or a negative ADDR_E* */
static int apply_changes(struct import *im, const struct addrdir_reader *r,
			 enum addrdir_fmt fmt, const char *in, size_t len)
{
	unsigned lflags = (r->dflags & ADDR_DIR_LENIENT) ? ADDR_LDIF_LENIENT : 0;
	struct addr_csv_options o;

	switch (fmt) {
	case ADDRDIR_CSV:
		if (addrdir_csv_ready(&o, r, im->chpath) != 0)
			return ADDR_EINVAL;
		return addr_csv_apply(im->d, in, len, im->chpath, &o, im->rep);
	case ADDRDIR_LDIF:
		/* read in pieces: the file is never in memory whole */
		return addr_dir_apply_ldif_read(im->d, addrdir_stream_read,
						im->chin, im->chpath, lflags,
						im->aflags, applied, im,
						im->rep);
	case ADDRDIR_DSML:
		/* read in pieces too; ADDR_DSML_LENIENT has
		 * ADDR_LDIF_LENIENT's meaning */
		return addr_dir_apply_dsml_read(im->d, addrdir_stream_read,
						im->chin, im->chpath,
						lflags ? ADDR_DSML_LENIENT : 0,
						im->aflags, applied, im,
						im->rep);
	default:
		return ADDR_ENOTSUP;
	}
}

static int cmp_line(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* rejects - the refused records of the change file, in its format */
static int rejects(enum addrdir_fmt fmt, const char *in, size_t len,
		   const struct addr_dir_report *rep, const char *chpath,
		   struct addr_buf *out)
{
	size_t *lines, n = 0, i;
	int rc;

	if ((lines = calloc(rep->n + 1, sizeof(*lines))) == NULL)
		return ADDR_ENOMEM;
	for (i = 0; i < rep->n; i++) {
		const struct addr_dir_diag *g = &rep->diag[i];

		if (g->severity != ADDR_SEV_ERROR || g->file == NULL ||
		    strcmp(g->file, chpath) != 0)
			continue;
		lines[n++] = g->line;
	}
	/* the rejects functions take the lines in ascending order */
	qsort(lines, n, sizeof(*lines), cmp_line);
	switch (fmt) {
	case ADDRDIR_LDIF:
		rc = addr_ldif_rejects(out, in, len, lines, n);
		break;
	case ADDRDIR_DSML:
		rc = addr_dsml_rejects(out, in, len, lines, n);
		break;
	case ADDRDIR_CSV:
		rc = addr_csv_rejects(out, in, len, lines, n);
		break;
	default:
		rc = ADDR_ENOTSUP;
	}
	free(lines);
	return rc;
}

/* lock_dir - the exclusive lock of spec-directory.md §4 step 1: a lock
 * file beside the directory file, held until the process ends */
static int lock_dir(const char *dirpath, int json)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%s.lock", dirpath) >=
	    (int)sizeof(path)) {
		cli_error("%s: path too long", dirpath);
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char msg[] = "another writer holds the directory (lock file "
			     "beside it); nothing was changed";
		char file[4096];
		struct addr_dir_diag g;

		snprintf(file, sizeof(file), "%s", dirpath);
		memset(&g, 0, sizeof(g));
		g.file = file;
		g.severity = ADDR_SEV_ERROR;
		g.rule = "dir.locked";
		g.message = msg;
		addrdir_print_diag(stdout, &g, json);
		close(fd);
		return -1;
	}
	return fd;
}

/* import's own options (the reader options use 0x100..) */
enum {
	OPT_JSON = 'j', OPT_DRY = 0x200, OPT_REJECTS, OPT_WAE, OPT_REPLACE
};

int addrdir_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "warnings-as-errors", no_argument, NULL, OPT_WAE },
		{ "replace-existing", no_argument, NULL, OPT_REPLACE },
		ADDRDIR_READER_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct addrdir_reader r = { 0 };
	struct addr_dir_report rep;
	struct addrdir_early *early = NULL;
	struct addr_buf din, cin, out;
	struct addrdir_stream chin;
	struct addrdir_reader dr;
	struct import im;
	enum addrdir_fmt dfmt, cfmt;
	const char *dirpath, *rejpath = NULL;
	char rejbuf[4096];
	int json = 0, dry = 0, wae = 0, c, rc, lockfd = -1, status, missing;
	int streamdir;
	int wrote;

	memset(&im, 0, sizeof(im));
	chin.fd = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = 1; break;
		case OPT_DRY: dry = 1; break;
		case OPT_REJECTS: rejpath = optarg; break;
		case OPT_WAE: wae = 1; break;
		case OPT_REPLACE: im.aflags |= ADDR_APPLY_REPLACE_EXISTING; break;
		default:
			if (c == '?' || addrdir_reader_option(&r, c, optarg)) {
				cli_error("import: bad usage (see addrdir "
					  "--help)");
				return CLI_FATAL;
			}
		}
	}
	if (argc - optind != 2) {
		cli_error("import: DIRFILE and CHANGES expected (see addrdir "
			  "--help)");
		return CLI_FATAL;
	}
	dirpath = argv[optind];
	im.chpath = argv[optind + 1];
	if (r.skip_nonrecipient)
		im.aflags |= ADDR_APPLY_SKIP_NONRECIPIENT;
	/* --from names the change file's format; the directory file keeps
	 * its own, by extension */
	dr = r;
	dr.from = NULL;
	if ((dfmt = addrdir_format(dirpath, NULL)) == 0 ||
	    (cfmt = addrdir_format(im.chpath, r.from)) == 0)
		return CLI_FATAL;
	if (rejpath == NULL) {
		if (snprintf(rejbuf, sizeof(rejbuf), "%s.err", im.chpath) >=
		    (int)sizeof(rejbuf)) {
			cli_error("%s: path too long", im.chpath);
			return CLI_FATAL;
		}
		rejpath = rejbuf;
	}
	addr_dir_report_init(&rep);
	addr_buf_init(&din);
	addr_buf_init(&cin);
	addr_buf_init(&out);
	im.rep = &rep;
	progress_init(&im.prog, json);
	status = CLI_FATAL;
	if (!dry && (lockfd = lock_dir(dirpath, json)) < 0)
		goto done;
	/* a new directory: nothing to read. An LDIF or DSML directory
	 * file is read in pieces as it is loaded, so that it is never in
	 * memory beside the directory (a 1M-entry import of changes took
	 * 1.7 GB, now the directory's 1.15); a CSV file, or an empty one,
	 * whole as before (CSV's encoding is found from its start) */
	{
		struct stat sb;

		missing = stat(dirpath, &sb) != 0 && errno == ENOENT;
		streamdir = !missing && dfmt != ADDRDIR_CSV && sb.st_size > 0;
	}
	if (!missing && !streamdir &&
	    (rc = addrdir_read_file(dirpath, &din, 1)) != 0) {
		if (rc != -ENOENT)
			goto done;
		missing = 1;
	}
	/* an LDIF or DSML change file is read as it is applied; a CSV
	 * file whole */
	if (cfmt != ADDRDIR_CSV ? addrdir_stream_open(&chin, im.chpath) != 0 :
	    addrdir_read_file(im.chpath, &cin, 0) != 0)
		goto done;
	im.chin = &chin;
	if (addr_dir_new(&im.d, r.dflags) < 0)
		goto nomem;
	addr_dir_set_progress(im.d, progress_dir, &im.prog);
	addrdir_threads(im.d);
	if (dfmt == ADDRDIR_CSV && din.size > 0) {
		/* the directory is written back in its own encoding */
		struct addr_csv_options o;

		addrdir_csv_options(&o, &dr);
		if (addr_csv_detect(&o, din.ptr, din.size) == 0) {
			dr.csv_detected = 1;
			dr.csv_encoding = o.encoding;
			dr.csv_flags = o.flags;
		}
	}
	if (missing) {
		rc = 0;
	} else if (streamdir) {
		if (addrdir_load_stream(dfmt, dirpath, im.d, &rep, &rc) != 0)
			goto done;
	} else {
		rc = addrdir_load_mem(&dr, dfmt, din.ptr, din.size, dirpath,
				      im.d, &rep);
	}
	if (rc == ADDR_EINVAL)
		goto done;
	if (rc < 0)
		goto nomem;
	if (rc > 0) {
		addrdir_print_diags(stdout, &rep, json);
		cli_error("import: %s has %d error(s) of its own; fix them "
			  "first (nothing was imported)", dirpath, rc);
		status = CLI_REJECTED;
		goto done;
	}
	/* from here on the count is of change records */
	addr_dir_set_progress(im.d, NULL, NULL);
	im.prog.n = 0;
	/* the result is written while a DSML change file is applied, as
	 * long as it only adds: kept if the import goes through, written
	 * again if the stream stopped (a change to an entry written
	 * already), removed if the import is refused. DSML only: reading
	 * it (libxml2) keeps one processor busy while the worker that
	 * applies the records idles half the time, and the writing fills
	 * that half (1M adds: 7.4 -> 6.4 s); reading LDIF leaves nothing
	 * idle, so writing along made that import slower (1.95 -> 2.1 s) */
	if (!dry && cfmt == ADDRDIR_DSML)
		early = addrdir_early_begin(dirpath, im.d, dfmt);
	rc = apply_changes(&im, &r, cfmt, cin.ptr, cin.size);
	if (chin.fd >= 0) {
		status = addrdir_stream_close(&chin);
		chin.fd = -1;
		if (status != CLI_OK)
			goto done;
		status = CLI_FATAL;
	}
	if (rc == ADDR_EINVAL)
		goto done;
	if (rc < 0 || (rc = addr_dir_apply_check(im.d, dirpath, im.chpath,
						 &rep)) < 0)
		goto nomem;
	progress_done(&im.prog);
	wrote = CLI_REJECTED;
	if (rep.nerrors == 0 && !(wae && rep.nwarnings > 0)) {
		/* a dry run only finds what the format cannot hold; a real
		 * one streams the directory into its temporary file, which
		 * replaces DIRFILE only when that went well */
		if (dry && addrdir_serialize(im.d, dfmt, &dr, &out, &rep) < 0)
			goto nomem;
		if (!dry) {
			wrote = addrdir_early_finish(early, dirpath, im.d,
						     dfmt, &dr, &rep);
			early = NULL;
			if (wrote == ADDR_ENOMEM)
				goto nomem;
		}
		if (wrote == CLI_FATAL) {	/* after its message */
			addrdir_print_diags(stdout, &rep, json);
			goto done;
		}
	}
	addrdir_print_diags(stdout, &rep, json);
	if (rep.nerrors > 0 || (wae && rep.nwarnings > 0)) {
		addrdir_early_drop(early, im.d);
		early = NULL;
		/* the refused records are copied from the change file,
		 * read again for them; the directory is no longer needed,
		 * so the two are not in memory together */
		addr_dir_free(im.d);
		im.d = NULL;
		if (cfmt != ADDRDIR_CSV && addrdir_read_file(im.chpath, &cin,
							     0) != 0)
			goto done;
		if (rejects(cfmt, cin.ptr, cin.size, &rep, im.chpath,
			    &out) < 0)
			goto nomem;
		status = addrdir_write_atomic(rejpath, out.ptr, out.size);
		cli_error("import: %zu error(s), %zu warning(s): %s is "
			  "unchanged; refused records in %s", rep.nerrors,
			  rep.nwarnings, dirpath, rejpath);
		if (status == CLI_OK)
			status = CLI_REJECTED;
		goto done;
	}
	if (dry) {
		cli_error("import: dry run: %zu record(s) would apply to %s",
			  im.prog.n, dirpath);
		status = CLI_OK;
		goto done;
	}
	status = wrote;
	goto done;
nomem:
	cli_error("import: out of memory");
	status = CLI_FATAL;
done:
	addrdir_early_drop(early, im.d);
	if (chin.fd >= 0)
		close(chin.fd);
	if (lockfd >= 0)
		close(lockfd);
	addrdir_dir_done(im.d);
	addr_dir_report_free(&rep);
	addr_buf_free(&din);
	addr_buf_free(&cin);
	addr_buf_free(&out);
	return cli_finish(status);
}

/* ----------------------------------------------------------- convert */

int addrdir_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		ADDRDIR_READER_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct addrdir_reader r = { 0 };
	struct addr_dir_report rep;
	struct addr_buf out;
	struct addr_dir *d = NULL;
	struct progress prog;
	enum addrdir_fmt ofmt;
	const char *to = NULL, *opath;
	int json = 0, c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't' && (strcmp(optarg, "csv") == 0 ||
				 strcmp(optarg, "ldif") == 0 ||
				 strcmp(optarg, "dsml") == 0))
			to = optarg;
		else if (c == 'j')
			json = 1;
		else if (c == 't' || c == '?' ||
			 addrdir_reader_option(&r, c, optarg)) {
			cli_error("convert: bad usage (see addrdir --help)");
			return CLI_FATAL;
		}
	}
	if (argc - optind != 2) {
		cli_error("convert: IN and OUT expected (see addrdir --help)");
		return CLI_FATAL;
	}
	opath = argv[optind + 1];
	if (strcmp(opath, "-") == 0 && to == NULL) {
		cli_error("convert: writing to standard output needs --to");
		return CLI_FATAL;
	}
	if ((ofmt = addrdir_format(opath, to)) == 0)
		return CLI_FATAL;
	addr_dir_report_init(&rep);
	addr_buf_init(&out);
	progress_init(&prog, json);
	status = addrdir_load_progress(&r, argv[optind], &d, &rep,
				       progress_dir, &prog);
	if (d != NULL)
		prog.n = addr_dir_count(d);
	progress_done(&prog);
	if (status != CLI_OK)
		goto done;
	/* to a file: streamed into its temporary file (addrdir_write_dir:
	 * a 1M DSML directory is never in memory as text), which replaces
	 * the file only when that went well */
	if (rep.nerrors == 0 && strcmp(opath, "-") != 0) {
		status = addrdir_write_dir(opath, d, ofmt, &r, &rep);
		addrdir_print_diags(stdout, &rep, json);
		if (status == ADDR_ENOMEM) {
			cli_error("convert: out of memory");
			status = CLI_FATAL;
		} else if (status == CLI_REJECTED) {
			cli_error("convert: %zu error(s): %s not written",
				  rep.nerrors, opath);
		}
		goto done;
	}
	if (rep.nerrors == 0 &&
	    addrdir_serialize(d, ofmt, &r, &out, &rep) < 0) {
		cli_error("convert: out of memory");
		status = CLI_FATAL;
		goto done;
	}
	/* with the directory on standard output, problems go to stderr */
	addrdir_print_diags(strcmp(opath, "-") == 0 ? stderr : stdout, &rep,
			    json);
	if (rep.nerrors > 0) {
		cli_error("convert: %zu error(s): %s not written", rep.nerrors,
			  opath);
		status = CLI_REJECTED;
	} else if (strcmp(opath, "-") == 0) {
		status = fwrite(out.ptr, 1, out.size, stdout) == out.size ?
			 CLI_OK : CLI_FATAL;
	} else {
		status = addrdir_write_atomic(opath, out.ptr, out.size);
	}
done:
	addrdir_dir_done(d);
	addr_dir_report_free(&rep);
	addr_buf_free(&out);
	return cli_finish(status);
}
