/*
 * addrdir - the recipient directory tool
 *
 * SYNOPSIS
 *	addrdir check [--json] [READER OPTIONS] DIRFILE
 *	addrdir convert [READER OPTIONS] [--to FMT] IN OUT
 *	addrdir import [--json] [--dry-run] [--rejects PATH]
 *		[--warnings-as-errors] [--replace-existing] [READER OPTIONS]
 *		DIRFILE CHANGES
 *	addrdir resolve [--json] [--local DOMAIN]... DIRFILE ADDR...
 *	addrdir expand [--json] [--tree|--dot] [--sender ADDR] [--max N]
 *		DIRFILE GROUP...
 *	addrdir policy DIRFILE --template T [--secondary T]... [--dn DN]
 *		[--lowercase] [--space C] [--translit ID] [--x400-site OR]
 *		[--legacy-dn-base DN] [--json] [--write]
 *	addrdir --help | --version
 *
 * DESCRIPTION
 *	The command-line contract of architecture.md for the directory
 *	(spec-directory.md, spec-imcea-proxy.md §2-§4). READER OPTIONS:
 *	--lenient, --x400-strict, --from FMT, --encoding, --base,
 *	--container, --org, --site, --mv-column, --nonrecipient. Formats
 *	by extension: .csv, .ldif, .xml/.dsml.
 *
 *	check reads the file, applies the reader and model rules and the
 *	invariants, and prints one "FILE:LINE[:COLUMN]: error|warning: RULE:
 *	message" line (JSON: one object) per problem. resolve, expand and
 *	policy live in addrdir_query.c and addrdir_policy.c, import and
 *	convert in addrdir_import.c.
 *
 * DIAGNOSTICS
 *	Exit 0 when every input succeeded (check: no error, warnings
 *	allowed), 1 when some input was rejected, 2 on a usage or
 *	environment error (bad option, unreadable file, a directory with
 *	errors given to resolve, expand or policy).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "cli.h"
#include "addrdir.h"

static void usage(FILE *fp)
{
	fputs("usage: addrdir check [--json] [READER OPTIONS] DIRFILE\n"
	      "       addrdir convert [READER OPTIONS] [--to FMT] IN OUT\n"
	      "       addrdir import [--json] [--dry-run] [--rejects PATH]"
	      " [--warnings-as-errors]\n"
	      "                [--replace-existing] [READER OPTIONS]"
	      " DIRFILE CHANGES\n"
	      "       addrdir resolve [--json] [--local DOMAIN]... DIRFILE"
	      " ADDR...\n"
	      "       addrdir expand [--json] [--tree|--dot] [--sender ADDR]"
	      " [--max N] DIRFILE GROUP...\n"
	      "       addrdir policy DIRFILE --template T [--secondary T]..."
	      " [--dn DN] [--lowercase]\n"
	      "                [--space C] [--translit ID] [--x400-site OR]"
	      " [--legacy-dn-base DN]\n"
	      "                [--json] [--write]\n"
	      "       addrdir --help | --version\n"
	      "\n"
	      "READER OPTIONS: --lenient --x400-strict --from csv|ldif|dsml"
	      " --encoding NAME\n"
	      "  --base DN --container PATH --org O --site S --mv-column NAME"
	      "\n  --nonrecipient skip|error\n"
	      "FMT: csv | ldif | dsml (default: by extension .csv .ldif"
	      " .xml .dsml)\n"
	      "\n"
	      "With no ADDR or GROUP, one input per line is read from standard"
	      " input.\n"
	      "Exit status: 0 all inputs accepted, 1 some input rejected,\n"
	      "2 usage or environment error.\n", fp);
}

static int bad_usage(const char *cmd)
{
	cli_error("%s: bad usage (see addrdir --help)", cmd);
	return CLI_FATAL;
}

/* check - every problem of one directory file */
static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		ADDRDIR_READER_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct addrdir_reader r = { 0 };
	struct addr_dir_report rep;
	struct addr_dir *d;
	int json = 0, c, rc;
	size_t i;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == '?' || addrdir_reader_option(&r, c, optarg))
			return bad_usage("check");
	}
	if (argc - optind != 1)
		return bad_usage("check");
	addr_dir_report_init(&rep);
	rc = addrdir_load(&r, argv[optind], &d, &rep);
	if (rc != 0) {
		addr_dir_report_free(&rep);
		return cli_finish(rc);
	}
	for (i = 0; i < rep.n; i++)
		addrdir_print_diag(stdout, &rep.diag[i], json);
	rc = rep.nerrors ? CLI_REJECTED : CLI_OK;
	addr_dir_report_free(&rep);
	addrdir_dir_done(d);
	return cli_finish(rc);
}

static const struct cli_command commands[] = {
	{ "check", cmd_check },
	{ "resolve", addrdir_resolve },	/* addrdir_query.c */
	{ "expand", addrdir_expand },	/* addrdir_query.c */
	{ "policy", addrdir_policy },	/* addrdir_policy.c */
	{ "import", addrdir_import },	/* addrdir_import.c */
	{ "convert", addrdir_convert },	/* addrdir_import.c */
};

int main(int argc, char **argv)
{
	cli_progname = "addrdir";
	return cli_dispatch(argc, argv, commands,
			    sizeof(commands) / sizeof(commands[0]), usage);
}
