/*
 * addrdir_common.c - what the addrdir commands share
 *
 * EXPORTS
 *	addrdir_reader_option()	--lenient, --x400-strict, --from
 *	addrdir_load()		a directory file into a struct addr_dir
 *	addrdir_load_valid()	the same, refusing a directory with errors
 *	addrdir_print_diag()	"FILE:LINE[:COLUMN]: error: RULE: message"
 *	addrdir_kind_name()	"mailbox", "contact", "group"
 *
 * (The Makefile links every tools file but the two mains into both
 * tools, so this file depends only on libaddr and cli.c.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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
		if (strcmp(arg, "ldif") != 0) {
			cli_error("--from %s: only ldif is supported so far", arg);
			return CLI_FATAL;
		}
		r->from = arg;
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

int addrdir_load(const struct addrdir_reader *r, const char *path,
		 struct addr_dir **out, struct addr_dir_report *rep)
{
	struct addr_buf in;
	char chunk[65536];
	size_t n;
	FILE *f;
	int rc;

	*out = NULL;
	if (r->from == NULL && !ends_with(path, ".ldif")) {
		cli_error("%s: unsupported directory format (use .ldif or "
			  "--from ldif)", path);
		return CLI_FATAL;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		cli_error("%s: %s", path, strerror(errno));
		return CLI_FATAL;
	}
	addr_buf_init(&in);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (in.size + n > MAX_FILE || addr_buf_put(&in, chunk, n) < 0) {
			cli_error("%s: file too large", path);
			fclose(f);
			addr_buf_free(&in);
			return CLI_FATAL;
		}
	}
	if (ferror(f)) {
		cli_error("%s: %s", path, strerror(errno));
		fclose(f);
		addr_buf_free(&in);
		return CLI_FATAL;
	}
	fclose(f);
	if (addr_dir_new(out, r->dflags) < 0) {
		addr_buf_free(&in);
		cli_error("out of memory");
		return CLI_FATAL;
	}
	rc = addr_dir_load_ldif(*out, in.ptr, in.size, path, 0, rep);
	addr_buf_free(&in);
	if (rc < 0) {
		cli_error("%s: %s", path, addr_strerror(rc));
		addr_dir_free(*out);
		*out = NULL;
		return CLI_FATAL;
	}
	return 0;
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

