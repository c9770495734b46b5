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

/* The reader options every command that reads a directory accepts. */
struct addrdir_reader {
	unsigned dflags;	/* ADDR_DIR_* */
	const char *from;	/* --from FMT, or NULL: by extension */
};

/* Long options of the reader, for getopt_long tables. */
#define ADDRDIR_OPT_LENIENT	0x100
#define ADDRDIR_OPT_X400_STRICT	0x101
#define ADDRDIR_OPT_FROM	0x102

/* addrdir_reader_option - apply one reader option; 0, or CLI_FATAL */
int addrdir_reader_option(struct addrdir_reader *r, int opt, const char *arg);

/*
 * addrdir_load - read the directory file path into *out (caller frees
 * with addr_dir_free). Diagnostics go to rep. Returns 0 (*out set, even
 * with errors in rep), or CLI_FATAL after a message (unreadable file,
 * unsupported format, out of memory).
 */
int addrdir_load(const struct addrdir_reader *r, const char *path,
		 struct addr_dir **out, struct addr_dir_report *rep);

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

#endif
