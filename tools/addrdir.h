/*
 * addrdir.h - shared parts of addrdir (tools/addrdir*.c)
 *
 * The commands take the arguments after the program name (argv[0] is
 * the command) and return the exit status (cli_finish()).
 */
#ifndef ADDRDIR_H
#define ADDRDIR_H

#include <stdio.h>
#include "addr.h"

/* Directory and change file formats. */
enum addrdir_fmt {
	ADDRDIR_LDIF = 1,
	ADDRDIR_CSV,
	ADDRDIR_DSML
};

#define ADDRDIR_MAX_MV 16	/* --mv-column values kept */

/* The reader options every command that reads a directory accepts
 * (architecture.md "READER OPTIONS"). */
struct addrdir_reader {
	unsigned dflags;	/* ADDR_DIR_* */
	const char *from;	/* --from FMT, or NULL: by extension */
	const char *encoding;	/* CSV: --encoding NAME */
	const char *base;	/* CSV: --base DN */
	const char *container;	/* CSV: --container PATH */
	const char *org, *site;	/* CSV: --org O, --site S */
	const char *mv_column[ADDRDIR_MAX_MV];	/* CSV: --mv-column NAME */
	size_t n_mv_column;
	int skip_nonrecipient;	/* --nonrecipient skip */
	/* a CSV directory file's own encoding, to write it back in */
	int csv_detected;
	const char *csv_encoding;
	unsigned csv_flags;
};

/* Long options of the reader, for getopt_long tables. */
#define ADDRDIR_OPT_LENIENT	0x100
#define ADDRDIR_OPT_X400_STRICT	0x101
#define ADDRDIR_OPT_FROM	0x102
#define ADDRDIR_OPT_ENCODING	0x103
#define ADDRDIR_OPT_BASE	0x104
#define ADDRDIR_OPT_CONTAINER	0x105
#define ADDRDIR_OPT_ORG		0x106
#define ADDRDIR_OPT_SITE	0x107
#define ADDRDIR_OPT_MV_COLUMN	0x108
#define ADDRDIR_OPT_NONRECIPIENT 0x109

/* The reader options as struct option rows, for getopt_long tables. */
#define ADDRDIR_READER_OPTIONS \
	{ "lenient", no_argument, NULL, ADDRDIR_OPT_LENIENT }, \
	{ "x400-strict", no_argument, NULL, ADDRDIR_OPT_X400_STRICT }, \
	{ "from", required_argument, NULL, ADDRDIR_OPT_FROM }, \
	{ "encoding", required_argument, NULL, ADDRDIR_OPT_ENCODING }, \
	{ "base", required_argument, NULL, ADDRDIR_OPT_BASE }, \
	{ "container", required_argument, NULL, ADDRDIR_OPT_CONTAINER }, \
	{ "org", required_argument, NULL, ADDRDIR_OPT_ORG }, \
	{ "site", required_argument, NULL, ADDRDIR_OPT_SITE }, \
	{ "mv-column", required_argument, NULL, ADDRDIR_OPT_MV_COLUMN }, \
	{ "nonrecipient", required_argument, NULL, ADDRDIR_OPT_NONRECIPIENT }

/* addrdir_format - the format of path: forced (nullable: "csv", "ldif",
 * "dsml") or by extension (.csv, .ldif, .xml/.dsml). 0 after a message
 * when neither says. */
enum addrdir_fmt addrdir_format(const char *path, const char *forced);

/* addrdir_read_file - the whole file path into in (bounded); 0, or
 * CLI_FATAL after a message. ENOENT is returned as -ENOENT without a
 * message when missing_ok. */
int addrdir_read_file(const char *path, struct addr_buf *in, int missing_ok);
/* addrdir_dir_done - a command is done with d (nullable): freed, unless
 * it is large, when the process's exit takes it back faster than a free
 * per entry (a million entries: 0.3 s); it is then kept reachable, so
 * that leak checkers do not count it */
void addrdir_dir_done(struct addr_dir *d);
/* addrdir_threads - the worker threads of d's loads, change runs and
 * writes: ADDRDIR_THREADS when set (0 to 8), else one per online
 * processor but one, at most 4 */
void addrdir_threads(struct addr_dir *d);

/* A file read in pieces by a streaming reader (addrdir_stream_read):
 * the same bound and messages as addrdir_read_file. */
struct addrdir_stream {
	const char *path;
	int fd;
	size_t total;
	int err;		/* errno of a failed read, or -1: too large */
};

/* addrdir_stream_open - open path for s; 0, or CLI_FATAL after a
 * message */
int addrdir_stream_open(struct addrdir_stream *s, const char *path);
/* addrdir_stream_read - an addr_read_fn over s */
long addrdir_stream_read(void *ctx, char *buf, size_t cap);
/* addrdir_stream_close - close s; CLI_OK, or CLI_FATAL after a message
 * when a read failed */
int addrdir_stream_close(struct addrdir_stream *s);

/* addrdir_load_mem - in[0..len) in format fmt as a directory file into
 * the empty d (addr_dir_load_ldif and its CSV and DSML counterparts).
 * Returns the number of errors or ADDR_ENOMEM. */
int addrdir_load_mem(const struct addrdir_reader *r, enum addrdir_fmt fmt,
		     const char *in, size_t len, const char *path,
		     struct addr_dir *d, struct addr_dir_report *rep);

/* addrdir_csv_options - the CSV options the reader options give */
void addrdir_csv_options(struct addr_csv_options *o,
			 const struct addrdir_reader *r);

/* addrdir_csv_ready - addrdir_csv_options for a CSV file at path, or
 * CLI_FATAL after a message (no --base: CSV names objects relative to
 * it) */
int addrdir_csv_ready(struct addr_csv_options *o,
		      const struct addrdir_reader *r, const char *path);

/* addrdir_serialize - d in format fmt appended to out; problems that
 * make the format refuse an object (csv.dn-unmappable, ...) go to rep.
 * 0, or ADDR_ENOMEM. */
int addrdir_serialize(const struct addr_dir *d, enum addrdir_fmt fmt,
		      const struct addrdir_reader *r, struct addr_buf *out,
		      struct addr_dir_report *rep);

/* addrdir_write_atomic - data to path: a temporary file beside it,
 * fsync, rename, fsync of the directory. CLI_OK or CLI_FATAL. */
int addrdir_write_atomic(const char *path, const char *data, size_t len);

/* addrdir_write_dir - d in format fmt written to path as
 * addrdir_write_atomic does, LDIF and DSML streamed into the temporary
 * file as they are made (never whole in memory). CLI_OK; CLI_REJECTED
 * when the format cannot hold an object (the problems in rep, path not
 * touched); CLI_FATAL after a message; or ADDR_ENOMEM. */
int addrdir_write_dir(const char *path, const struct addr_dir *d,
		      enum addrdir_fmt fmt, const struct addrdir_reader *r,
		      struct addr_dir_report *rep);

/* addrdir_early_begin - the temporary file addrdir_write_dir makes for
 * path, written from now on while d grows (addr_dir_stream_begin: an
 * import's adds are written as they are applied); NULL when not (CSV,
 * or anything failed: addrdir_early_finish then writes as usual).
 * addrdir_early_finish - that file finished and renamed over path when
 * the stream held, else written again first: addrdir_write_dir's
 * status. addrdir_early_drop - the file removed (a refused import);
 * d may be NULL once freed. Each takes NULL. */
struct addrdir_early;
struct addrdir_early *addrdir_early_begin(const char *path,
					  struct addr_dir *d,
					  enum addrdir_fmt fmt);
int addrdir_early_finish(struct addrdir_early *x, const char *path,
			 struct addr_dir *d, enum addrdir_fmt fmt,
			 const struct addrdir_reader *r,
			 struct addr_dir_report *rep);
void addrdir_early_drop(struct addrdir_early *x, struct addr_dir *d);

/* addrdir_print_diags - every diagnostic of rep to fp */
void addrdir_print_diags(FILE *fp, const struct addr_dir_report *rep,
			 int json);

/* addrdir_reader_option - apply one reader option; 0, or CLI_FATAL */
int addrdir_reader_option(struct addrdir_reader *r, int opt, const char *arg);

/*
 * addrdir_load - read the directory file path into *out (caller frees
 * with addr_dir_free), in the format of r->from or its extension.
 * Diagnostics go to rep. Returns 0 (*out set, even
 * with errors in rep), or CLI_FATAL after a message (unreadable file,
 * unsupported format, out of memory).
 */
int addrdir_load(const struct addrdir_reader *r, const char *path,
		 struct addr_dir **out, struct addr_dir_report *rep);

/* addrdir_load_stream - the LDIF or DSML directory file path loaded
 * into d, read in pieces (never in memory beside the directory), the
 * load's result (its error count or a negative ADDR_E*) in *rc; 0, or
 * CLI_FATAL after a message when the file could not be read */
int addrdir_load_stream(enum addrdir_fmt fmt, const char *path,
			struct addr_dir *d, struct addr_dir_report *rep,
			int *rc);
/* addrdir_load_progress - addrdir_load with a progress hook
 * (addr_dir_set_progress) for the time of the load */
int addrdir_load_progress(const struct addrdir_reader *r, const char *path,
			  struct addr_dir **out, struct addr_dir_report *rep,
			  void (*fn)(void *ctx, size_t n), void *ctx);

/* addrdir_print_diag - one diagnostic as a line or a JSON object */
void addrdir_print_diag(FILE *fp, const struct addr_dir_diag *g, int json);

/* addrdir_load_valid - addrdir_load, then refuse a directory with errors:
 * they are printed on standard error and CLI_FATAL returned */
int addrdir_load_valid(const struct addrdir_reader *r, const char *path,
		       struct addr_dir **out);

/* addrdir_kind_name - "mailbox", "contact", "group" */
const char *addrdir_kind_name(int kind);

/* the commands */
int addrdir_resolve(int argc, char **argv);
int addrdir_expand(int argc, char **argv);
int addrdir_policy(int argc, char **argv);
int addrdir_import(int argc, char **argv);
int addrdir_convert(int argc, char **argv);

#endif
