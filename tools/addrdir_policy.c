/*
 * addrdir_policy.c - addrdir policy
 *
 * SYNOPSIS
 *	addrdir policy DIRFILE --template T [--secondary T]... [--dn DN]
 *		[--lowercase] [--space C] [--translit ID] [--x400-site OR]
 *		[--legacy-dn-base DN] [--json] [--write]
 *
 * DESCRIPTION
 *	Applies an address policy (spec-imcea-proxy.md §3) to every
 *	recipient of DIRFILE in directory order, or to the one named by
 *	--dn, through addr_policy_apply: each recipient gets what it lacks,
 *	unique against the whole directory including what earlier
 *	recipients of the run got. Prints "DN<TAB>VALUE" per new value
 *	(JSON: one object per changed recipient, "dn" and "added" with the
 *	new proxies in stored form, and "legacyExchangeDN" when one was
 *	made). Every failure goes to standard error as
 *	"FILE:LINE: error: RULE: message".
 *
 *	--write rewrites DIRFILE when no recipient failed: a temporary file
 *	in the same directory, fflush, fsync, rename over DIRFILE, fsync of
 *	the directory. Readers see the old or the new file, never a mix;
 *	after any failure nothing is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "addr.h"
#include "cli.h"
#include "addrdir.h"

#define MAX_TEMPLATES 32

static int bad_usage(const char *msg)
{
	cli_error("policy: %s (see addrdir --help)", msg);
	return CLI_FATAL;
}

/* print_change - the values one recipient got */
static void print_change(const char *dn, const struct addr_buf *added,
			 int json)
{
	size_t i, s = 0;
	int n = 0;
	const char *leg = NULL;
	size_t leglen = 0;

	if (json) {
		fputs("{\"dn\":", stdout);
		cli_json_string(stdout, dn, strlen(dn));
		fputs(",\"added\":[", stdout);
	}
	for (i = 0; i < added->size; i++) {
		const char *v;
		size_t vl;

		if (added->ptr[i] != '\n')
			continue;
		v = added->ptr + s;
		vl = i - s;
		s = i + 1;
		if (vl > 17 && strncmp(v, "legacyExchangeDN:", 17) == 0) {
			leg = v + 17;
			leglen = vl - 17;
			if (!json)
				printf("%s\tlegacyExchangeDN: %.*s\n", dn,
				       (int)leglen, leg);
			continue;
		}
		if (json) {
			if (n++)
				putchar(',');
			cli_json_string(stdout, v, vl);
		} else
			printf("%s\t%.*s\n", dn, (int)vl, v);
	}
	if (json) {
		putchar(']');
		if (leg != NULL) {
			fputs(",\"legacyExchangeDN\":", stdout);
			cli_json_string(stdout, leg, leglen);
		}
		fputs("}\n", stdout);
	}
}

int addrdir_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 'T' },
		{ "secondary", required_argument, NULL, 'S' },
		{ "dn", required_argument, NULL, 'D' },
		{ "lowercase", no_argument, NULL, 'L' },
		{ "space", required_argument, NULL, 'P' },
		{ "translit", required_argument, NULL, 'R' },
		{ "x400-site", required_argument, NULL, 'X' },
		{ "legacy-dn-base", required_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'j' },
		{ "write", no_argument, NULL, 'w' },
		ADDRDIR_READER_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct addrdir_reader r = { 0 };
	const char *tmpl[MAX_TEMPLATES], *dn = NULL, *path;
	int sec[MAX_TEMPLATES], ntmpl = 0, have_primary = 0;
	int json = 0, write = 0, c, rc, status = CLI_OK, i;
	struct addr_policy *p;
	struct addr_dir *d;
	struct addr_error err;
	struct addr_dir_report rep;
	struct addr_buf added;
	size_t k, n;

	if (addr_policy_new(&p) < 0) {
		cli_error("policy: ICU lacks the default transliteration");
		return CLI_FATAL;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'T':
		case 'S':
			if (ntmpl == MAX_TEMPLATES) {
				addr_policy_free(p);
				return bad_usage("too many templates");
			}
			have_primary |= c == 'T';
			sec[ntmpl] = c == 'S';
			tmpl[ntmpl++] = optarg;
			break;
		case 'D':
			dn = optarg;
			break;
		case 'L':
			rc = addr_policy_set(p, ADDR_POLICY_LOWERCASE, "1", 1, &err);
			break;
		case 'P':
			rc = addr_policy_set(p, ADDR_POLICY_SPACE, optarg,
					     strlen(optarg), &err);
			break;
		case 'R':
			rc = addr_policy_set(p, ADDR_POLICY_TRANSLIT, optarg,
					     strlen(optarg), &err);
			break;
		case 'X':
			rc = addr_policy_set(p, ADDR_POLICY_X400_SITE, optarg,
					     strlen(optarg), &err);
			break;
		case 'B':
			rc = addr_policy_set(p, ADDR_POLICY_LEGACY_DN_BASE, optarg,
					     strlen(optarg), &err);
			break;
		case 'j':
			json = 1;
			break;
		case 'w':
			write = 1;
			break;
		default:
			if (c == '?' || addrdir_reader_option(&r, c, optarg)) {
				addr_policy_free(p);
				return bad_usage("bad option");
			}
		}
		if (rc < 0) {
			cli_error("policy: %s", err.message);
			addr_policy_free(p);
			return CLI_FATAL;
		}
	}
	if (argc - optind != 1 || (ntmpl > 0 && !have_primary)) {
		addr_policy_free(p);
		return bad_usage(argc - optind != 1 ? "one DIRFILE expected" :
				 "--secondary needs a --template");
	}
	for (i = 0; i < ntmpl; i++)
		if (addr_policy_add_template(p, tmpl[i], strlen(tmpl[i]), sec[i],
					     &err) < 0) {
			cli_error("policy: %s", err.message);
			addr_policy_free(p);
			return CLI_FATAL;
		}
	path = argv[optind];
	if ((rc = addrdir_load_valid(&r, path, &d)) != 0) {
		addr_policy_free(p);
		return cli_finish(rc);
	}
	if (dn != NULL && addr_dir_find(d, dn, strlen(dn)) == NULL) {
		cli_error("policy: %s: no such recipient", dn);
		addr_dir_free(d);
		addr_policy_free(p);
		return cli_finish(CLI_REJECTED);
	}
	addr_buf_init(&added);
	addr_dir_report_init(&rep);
	n = addr_dir_count(d);
	for (k = 0; k < n; k++) {
		const char *edn = addr_dir_entry_dn(addr_dir_at(d, k));
		size_t before = rep.n;

		if (dn != NULL && addr_dir_find(d, dn, strlen(dn)) !=
		    addr_dir_at(d, k))
			continue;
		addr_buf_clear(&added);
		/* the entry is replaced on change: keep its DN meanwhile */
		{
			char *dncopy = strdup(edn);

			if (dncopy == NULL) {
				status = CLI_FATAL;
				break;
			}
			rc = addr_policy_apply(d, p, dncopy, strlen(dncopy),
					       &added, &rep);
			if (rc > 0)
				print_change(dncopy, &added, json);
			free(dncopy);
		}
		if (rc == ADDR_ENOMEM) {
			cli_error("policy: out of memory");
			status = CLI_FATAL;
			break;
		}
		for (; before < rep.n; before++) {
			struct addr_dir_diag *g = &rep.diag[before];

			if (g->file == NULL) {
				/* diagnostics of the policy name the input */
				fflush(stdout);
				fprintf(stderr, "%s:%zu: %s: %s: ", path, g->line,
					g->severity == ADDR_SEV_ERROR ? "error" :
					"warning", g->rule);
				cli_put_input(stderr, g->message, strlen(g->message));
				putc('\n', stderr);
			} else
				addrdir_print_diag(stderr, g, 0);
		}
		if (rc < 0 && status < CLI_REJECTED)
			status = CLI_REJECTED;
	}
	if (write && status == CLI_OK) {
		struct addr_dir_report wrep;

		addr_buf_clear(&added);
		addr_dir_report_init(&wrep);
		if (addrdir_serialize(d, addrdir_format(path, r.from), &r,
				      &added, &wrep) < 0) {
			cli_error("policy: out of memory");
			status = CLI_FATAL;
		} else if (wrep.nerrors > 0) {
			addrdir_print_diags(stderr, &wrep, 0);
			cli_error("policy: %s not written", path);
			status = CLI_REJECTED;
		} else
			status = addrdir_write_atomic(path, added.ptr, added.size);
		addr_dir_report_free(&wrep);
	} else if (write)
		cli_error("policy: %s not written: some recipient failed", path);
	addr_buf_free(&added);
	addr_dir_report_free(&rep);
	addr_dir_free(d);
	addr_policy_free(p);
	return cli_finish(status);
}
