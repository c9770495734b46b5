/*
 * addrdir_query.c - addrdir resolve and addrdir expand
 *
 * SYNOPSIS
 *	addrdir resolve [--json] [--local DOMAIN]... DIRFILE ADDR...
 *	addrdir expand [--json] [--tree|--dot] [--sender ADDR] [--max N]
 *		DIRFILE GROUP...
 *
 * DESCRIPTION
 *	resolve prints, per address, "OUTPUT<TAB>KIND<TAB>DN": the address
 *	mail to the recipient goes to (primary SMTP of a mailbox or group,
 *	targetAddress of a contact, without "SMTP:"), its kind and DN.
 *	--local is the IMCEA de-encapsulation gate (addrconv decode's),
 *	applied before the lookup; without it every domain is accepted.
 *
 *	expand prints, per group (a DN or any address resolve accepts), the
 *	final delivery addresses in expansion order, each once; --tree the
 *	nesting as an indented tree, --dot as a Graphviz digraph. Cycles
 *	(warnings) and failures (errors, naming the member that failed) go
 *	to standard error as "addrdir: GROUP: RULE: message". With --sender
 *	the delivery restrictions apply to that sender (resolved in the
 *	directory; an unknown sender is in no list).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "cli.h"
#include "addrdir.h"

#define MAX_LOCAL 64

struct query {
	struct addr_dir *d;
	int json;
	const char *local[MAX_LOCAL];
	size_t nlocal;
	int gate;		/* --local given */
	int mode;		/* 0 list, 't' tree, 'd' dot */
	int restrict_;
	const struct addr_dir_entry *sender;
	size_t max;
	struct addr_dl_result res;
};

static int bad_usage(const char *cmd)
{
	cli_error("%s: bad usage (see addrdir --help)", cmd);
	return CLI_FATAL;
}

/* output_of - the delivery address, "" when there is none */
static const char *output_of(const struct addr_dir_entry *e)
{
	const char *o = addr_dir_entry_delivery(e);

	return o ? o : "";
}

static int resolve_one(void *ctx, const char *in, size_t len)
{
	struct query *q = ctx;
	const struct addr_dir_entry *e;
	struct addr_error err;
	char why[240];
	int rc;

	rc = addr_dir_resolve(q->d, in, len, q->gate ? q->local : NULL,
			      q->nlocal, 0, &e, &err);
	if (rc == ADDR_ENOMEM) {
		cli_reject(in, len, addr_strerror(rc));
		return CLI_FATAL;
	}
	if (rc < 0)
		snprintf(why, sizeof(why), "%s", err.message);
	else if (rc == 0)
		snprintf(why, sizeof(why), "no recipient has this address");
	if (q->json) {
		fputs("{\"input\":", stdout);
		cli_json_string(stdout, in, len);
		if (rc == 1) {
			fputs(",\"ok\":true,\"dn\":", stdout);
			cli_json_string(stdout, addr_dir_entry_dn(e),
					strlen(addr_dir_entry_dn(e)));
			printf(",\"kind\":\"%s\",\"output\":",
			       addrdir_kind_name(addr_dir_entry_kind(e)));
			cli_json_string(stdout, output_of(e), strlen(output_of(e)));
		} else {
			fputs(",\"ok\":false,\"error\":", stdout);
			cli_json_string(stdout, why, strlen(why));
		}
		fputs("}\n", stdout);
	} else if (rc == 1) {
		printf("%s\t%s\t%s\n", output_of(e),
		       addrdir_kind_name(addr_dir_entry_kind(e)),
		       addr_dir_entry_dn(e));
	} else
		cli_reject(in, len, why);
	return rc == 1 ? CLI_OK : CLI_REJECTED;
}

int addrdir_resolve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "local", required_argument, NULL, 'l' },
		ADDRDIR_READER_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct addrdir_reader r = { 0 };
	struct query q;
	int c, rc;

	memset(&q, 0, sizeof(q));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			q.json = 1;
		else if (c == 'l') {
			if (q.nlocal == MAX_LOCAL) {
				cli_error("resolve: at most %d --local", MAX_LOCAL);
				return CLI_FATAL;
			}
			q.local[q.nlocal++] = optarg;
			q.gate = 1;
		} else if (c == '?' || addrdir_reader_option(&r, c, optarg))
			return bad_usage("resolve");
	}
	if (argc - optind < 1)
		return bad_usage("resolve");
	if ((rc = addrdir_load_valid(&r, argv[optind], &q.d)) != 0)
		return cli_finish(rc);
	rc = cli_each_input(argc - optind - 1, argv + optind + 1, resolve_one, &q);
	addr_dir_free(q.d);
	return cli_finish(rc);
}

/* ------------------------------------------------------------ expand */

static const char *node_note(int kind)
{
	switch (kind) {
	case ADDR_DL_DUPLICATE: return " (duplicate)";
	case ADDR_DL_CYCLE: return " (cycle)";
	case ADDR_DL_REFUSED: return " (refused)";
	case ADDR_DL_TOO_DEEP: return " (too deep)";
	case ADDR_DL_UNRESOLVED: return " (unresolved)";
	default: return "";
	}
}

static void print_tree(const struct query *q)
{
	size_t i, j;

	for (i = 0; i < q->res.nnode; i++) {
		const struct addr_dl_node *n = &q->res.node[i];

		for (j = 1; j < n->depth; j++)
			fputs("  ", stdout);
		cli_put_input(stdout, n->dn, strlen(n->dn));
		if (n->kind == ADDR_DL_RECIPIENT)
			printf(" -> %s", output_of(n->entry));
		fputs(node_note(n->kind), stdout);
		putchar('\n');
	}
}

/* dot_id - a DOT string: quotes and backslashes escaped */
static void dot_id(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s < 0x20)
			printf("\\\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_dot(const struct query *q, const char *name)
{
	const char *stack[ADDR_DL_MAX_DEPTH + 2];
	size_t i;

	fputs("digraph ", stdout);
	dot_id(name);
	fputs(" {\n", stdout);
	for (i = 0; i < q->res.nnode; i++) {
		const struct addr_dl_node *n = &q->res.node[i];

		if (n->depth <= ADDR_DL_MAX_DEPTH + 1)
			stack[n->depth] = n->dn;
		if (n->depth == 1) {
			fputs("  ", stdout);
			dot_id(n->dn);
			fputs(";\n", stdout);
			continue;
		}
		if (n->depth > ADDR_DL_MAX_DEPTH + 1)
			continue;
		fputs("  ", stdout);
		dot_id(stack[n->depth - 1]);
		fputs(" -> ", stdout);
		dot_id(n->dn);
		switch (n->kind) {
		case ADDR_DL_CYCLE:
			fputs(" [style=dashed, label=\"cycle\"]", stdout);
			break;
		case ADDR_DL_REFUSED:
			fputs(" [color=red, label=\"refused\"]", stdout);
			break;
		case ADDR_DL_TOO_DEEP:
			fputs(" [color=red, label=\"too deep\"]", stdout);
			break;
		case ADDR_DL_UNRESOLVED:
			fputs(" [style=dotted, label=\"unresolved\"]", stdout);
			break;
		case ADDR_DL_DUPLICATE:
			fputs(" [style=dotted]", stdout);
			break;
		default:
			break;
		}
		fputs(";\n", stdout);
	}
	fputs("}\n", stdout);
}

/* print_json - {"input","ok","members","cycles","errors"} */
static void print_json(const struct query *q, const char *in, size_t len)
{
	const char *stack[ADDR_DL_MAX_DEPTH + 2];
	const char *pairs[512];		/* (parent, group) DNs shown */
	size_t i, j, ncyc = 0, npairs = 0;

	fputs("{\"input\":", stdout);
	cli_json_string(stdout, in, len);
	printf(",\"ok\":%s,\"members\":[", q->res.report.nerrors ? "false" : "true");
	for (i = 0; i < q->res.nmember; i++) {
		const char *o = output_of(q->res.member[i]);

		if (i)
			putchar(',');
		cli_json_string(stdout, o, strlen(o));
	}
	fputs("],\"cycles\":[", stdout);
	for (i = 0; i < q->res.nnode; i++) {
		const struct addr_dl_node *n = &q->res.node[i];
		int dup = 0;

		if (n->depth <= ADDR_DL_MAX_DEPTH + 1)
			stack[n->depth] = n->dn;
		if (n->kind != ADDR_DL_CYCLE || n->depth > ADDR_DL_MAX_DEPTH + 1)
			continue;
		/* the same (parent, group) edge is one cycle, as in the
		 * library's report */
		for (j = 0; j + 1 < npairs; j += 2)
			if (pairs[j] == stack[n->depth - 1] && pairs[j + 1] == n->dn)
				dup = 1;
		if (dup)
			continue;
		if (npairs + 2 <= sizeof(pairs) / sizeof(pairs[0])) {
			pairs[npairs++] = stack[n->depth - 1];
			pairs[npairs++] = n->dn;
		}
		printf("%s[", ncyc++ ? "," : "");
		for (j = 1; j <= n->depth; j++) {
			if (j > 1)
				putchar(',');
			cli_json_string(stdout, stack[j], strlen(stack[j]));
		}
		putchar(']');
	}
	fputs("],\"errors\":[", stdout);
	for (i = 0, j = 0; i < q->res.report.n; i++) {
		const struct addr_dir_diag *g = &q->res.report.diag[i];

		if (g->severity != ADDR_SEV_ERROR)
			continue;
		printf("%s{\"rule\":\"%s\",\"message\":", j++ ? "," : "",
		       g->rule);
		cli_json_string(stdout, g->message, strlen(g->message));
		putchar('}');
	}
	fputs("]}\n", stdout);
}

static int expand_one(void *ctx, const char *in, size_t len)
{
	struct query *q = ctx;
	const struct addr_dir_entry *g = addr_dir_find(q->d, in, len);
	size_t i;
	int rc;

	if (g == NULL && addr_dir_resolve(q->d, in, len, NULL, 0, 0, &g, NULL) != 1)
		g = NULL;
	if (g == NULL) {
		if (q->json) {
			fputs("{\"input\":", stdout);
			cli_json_string(stdout, in, len);
			fputs(",\"ok\":false,\"members\":[],\"cycles\":[],"
			      "\"errors\":[{\"rule\":\"member.unresolved\","
			      "\"message\":\"no such recipient\"}]}\n", stdout);
		} else
			cli_reject(in, len, "no such recipient");
		return CLI_REJECTED;
	}
	rc = addr_dl_expand(&q->res, q->d, g, q->sender, q->max,
			    q->restrict_ ? ADDR_DL_RESTRICT : 0);
	if (rc < 0) {
		cli_reject(in, len, addr_strerror(rc));
		return CLI_FATAL;
	}
	if (q->json)
		print_json(q, in, len);
	else if (q->mode == 't')
		print_tree(q);
	else if (q->mode == 'd')
		print_dot(q, addr_dir_entry_dn(g));
	else
		for (i = 0; i < q->res.nmember; i++)
			printf("%s\n", output_of(q->res.member[i]));
	if (!q->json)
		for (i = 0; i < q->res.report.n; i++) {
			const struct addr_dir_diag *dg = &q->res.report.diag[i];
			char why[1024];

			snprintf(why, sizeof(why), "%s: %s: %s",
				 dg->severity == ADDR_SEV_ERROR ? "error" :
				 "warning", dg->rule, dg->message);
			cli_reject(in, len, why);
		}
	return rc > 0 ? CLI_REJECTED : CLI_OK;
}

int addrdir_expand(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "tree", no_argument, NULL, 't' },
		{ "dot", no_argument, NULL, 'd' },
		{ "sender", required_argument, NULL, 's' },
		{ "max", required_argument, NULL, 'm' },
		ADDRDIR_READER_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct addrdir_reader r = { 0 };
	const char *sender = NULL;
	struct query q;
	int c, rc;

	memset(&q, 0, sizeof(q));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'j':
			q.json = 1;
			break;
		case 't':
		case 'd':
			if (q.mode && q.mode != c) {
				cli_error("expand: --tree and --dot exclude each "
					  "other");
				return CLI_FATAL;
			}
			q.mode = c;
			break;
		case 's':
			sender = optarg;
			break;
		case 'm':
			errno = 0;
			q.max = (size_t)strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' || !optarg[0] ||
			    q.max == 0) {
				cli_error("expand: --max takes a positive number");
				return CLI_FATAL;
			}
			break;
		default:
			if (c == '?' || addrdir_reader_option(&r, c, optarg))
				return bad_usage("expand");
		}
	}
	if (argc - optind < 1)
		return bad_usage("expand");
	if ((rc = addrdir_load_valid(&r, argv[optind], &q.d)) != 0)
		return cli_finish(rc);
	if (sender != NULL) {
		q.restrict_ = 1;
		if (addr_dir_resolve(q.d, sender, strlen(sender), NULL, 0, 0,
				     &q.sender, NULL) != 1)
			q.sender = NULL;	/* external: in no list */
	}
	addr_dl_result_init(&q.res);
	rc = cli_each_input(argc - optind - 1, argv + optind + 1, expand_one, &q);
	addr_dl_result_free(&q.res);
	addr_dir_free(q.d);
	return cli_finish(rc);
}
