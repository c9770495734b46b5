/*
 * addrconv - the command-line address converter and checker
 *
 * SYNOPSIS
 *	addrconv check [--strict] [--smtputf8] [--json] [ADDR...]
 *	addrconv normalize [--ascii|--unicode] [--keep-display]
 *		[--strict] [--smtputf8] [--json] [ADDR...]
 *	addrconv --help | --version
 *
 * DESCRIPTION
 *	The command-line contract of architecture.md and spec-address.md
 *	§1.1. Each ADDR (or, without arguments, each line of standard input)
 *	is parsed as an RFC 5322 mailbox with addr_mailbox_parse
 *	(ADDR_P_MAILBOX, ADDR_F_LENIENT|ADDR_F_DECODE_2047; --strict drops
 *	ADDR_F_LENIENT, --smtputf8 adds ADDR_F_UTF8).
 *
 *	check prints "CATEGORY<TAB>canonical-or-empty<TAB>CODE@OFFSET,..."
 *	for every input. normalize prints the canonical addr-spec
 *	(addr_mailbox_normalize), or "Display <addr>" with --keep-display;
 *	a rejected input prints "addrconv: <input>: <reason>" on standard
 *	error instead. --json prints one JSON object per input.
 *
 *	The other commands of the contract live in tools/addrconv_<area>.c
 *	(declared in addrconv.h): encode and decode in addrconv_imcea.c,
 *	the X.400 commands in addrconv_x400.c.
 *
 * DIAGNOSTICS
 *	Exit 0 when every input succeeded, 1 when some input was rejected
 *	(for check: category ERROR), 2 on a usage or environment error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "cli.h"
#include "addrconv.h"

#define SYN_CHECK "addrconv check [--strict] [--smtputf8] [--json] [ADDR...]"
#define SYN_NORMALIZE "addrconv normalize [--ascii|--unicode] [--keep-display] " \
	"[--strict] [--smtputf8] [--json] [ADDR...]"

/* What one run of check or normalize does with each input. */
struct conv {
	unsigned pflags;	/* ADDR_F_* for addr_mailbox_parse */
	unsigned nflags;	/* ADDR_N_* for addr_mailbox_normalize */
	int json;
	int keep_display;
	struct addr_mailbox_result res;
	struct addr_buf addr;
	struct addr_buf display;
	struct addr_buf out;	/* what normalize prints */
};

/* diag_name - the JSON name of a diagnosis, never NULL */
static const char *diag_name(int code)
{
	const char *name = addr_diag_name(code);

	return name ? name : "UNKNOWN";
}

/* cat_name - the name of a category, never NULL */
static const char *cat_name(int category)
{
	const char *name = addr_category_name(category);

	return name ? name : "UNKNOWN";
}

/* usage - the synopsis of every command of the contract */
static void usage(FILE *fp)
{
	fputs("usage: " SYN_CHECK "\n"
	      "       " SYN_NORMALIZE "\n"
	      "       addrconv encode --domain DOMAIN [--rfc5321] [--x400-strict]"
	      " [--json] [PROXY...]\n"
	      "       addrconv decode [--strict] [--x400-strict]"
	      " [--local DOMAIN]... [--json] [ADDR...]\n"
	      "       addrconv x400 [--from FORM] [--to FORM] [--strict] [--json]"
	      " [ADDR...]\n"
	      "       addrconv x400-to-822 --domain D [--mcgam FILE]..."
	      " [--gateway-table FILE]...\n"
	      "                [--algorithmic] [--from FORM] [--json] [X400...]\n"
	      "       addrconv 822-to-x400 --or OR [--mcgam FILE]..."
	      " [--gateway-table FILE]...\n"
	      "                [--algorithmic] [--return-address] [--json]"
	      " [ADDR...]\n"
	      "       addrconv ps-encode|ps-decode [--passthrough] [--json]"
	      " [VALUE...]\n"
	      "       addrconv mcgam-dns [--owner] [--json] [DMN...]\n"
	      "       addrconv --help | --version\n"
	      "\n"
	      "With no ADDR, one input per line is read from standard input.\n"
	      "Exit status: 0 all inputs accepted, 1 some input rejected,\n"
	      "2 usage or environment error.\n", fp);
}

/* parse - parse one input as a mailbox into c->res */
static int parse(struct conv *c, const char *in, size_t len)
{
	return addr_mailbox_parse(&c->res, in, len, ADDR_P_MAILBOX,
				  c->pflags, NULL);
}

/*
 * canonical - normalize the parsed mailbox into c->addr (and c->display
 * when the display name is kept). Returns 0, or a negative ADDR_E* code.
 */
static int canonical(struct conv *c, unsigned nflags)
{
	addr_buf_clear(&c->addr);
	addr_buf_clear(&c->display);
	if (c->res.naddr == 0 || c->res.addr[0].kind == ADDR_K_GROUP)
		return ADDR_EINVAL;
	return addr_mailbox_normalize(&c->addr,
				      c->keep_display ? &c->display : NULL,
				      &c->res.addr[0], nflags);
}

/* check_one - one line (or JSON object) for every input */
static int check_one(void *ctx, const char *in, size_t len)
{
	struct conv *c = ctx;
	int rc = parse(c, in, len);
	int ok = rc == 0;

	if (rc == ADDR_ENOMEM) {
		cli_reject(in, len, addr_strerror(rc));
		return CLI_FATAL;
	}
	if (ok && (rc = canonical(c, 0)) < 0) {
		cli_reject(in, len, addr_strerror(rc));
		return CLI_FATAL;
	}
	if (!ok)
		addr_buf_clear(&c->addr);
	if (c->json) {
		fputs("{\"input\":", stdout);
		cli_json_string(stdout, in, len);
		printf(",\"ok\":%s,\"category\":", ok ? "true" : "false");
		cli_json_string(stdout, cat_name(c->res.category),
				strlen(cat_name(c->res.category)));
		fputs(",\"diagnoses\":[", stdout);
		for (size_t i = 0; i < c->res.ndiag; i++)
			printf("%s{\"code\":\"%s\",\"offset\":%zu}",
			       i ? "," : "", diag_name(c->res.diag[i].code),
			       c->res.diag[i].offset);
		fputs("],\"output\":", stdout);
		cli_json_string(stdout, c->addr.ptr, c->addr.size);
		fputs("}\n", stdout);
	} else {
		printf("%s\t", cat_name(c->res.category));
		fwrite(c->addr.ptr, 1, c->addr.size, stdout);
		putchar('\t');
		for (size_t i = 0; i < c->res.ndiag; i++)
			printf("%s%s@%zu", i ? "," : "",
			       diag_name(c->res.diag[i].code),
			       c->res.diag[i].offset);
		putchar('\n');
	}
	return ok ? CLI_OK : CLI_REJECTED;
}

/* reason - why an input was rejected: the primary diagnosis */
static void reason(const struct conv *c, char *buf, size_t size)
{
	for (size_t i = c->res.ndiag; i-- > 0;)
		if (c->res.diag[i].code == c->res.primary) {
			snprintf(buf, size, "invalid address (%s@%zu)",
				 diag_name(c->res.primary),
				 c->res.diag[i].offset);
			return;
		}
	snprintf(buf, size, "invalid address");
}

/* normalize_one - the canonical form, or a rejection */
static int normalize_one(void *ctx, const char *in, size_t len)
{
	struct conv *c = ctx;
	char why[160] = "";
	int rc = parse(c, in, len);

	if (rc == 0)
		rc = canonical(c, c->nflags);
	if (rc == ADDR_EINVAL) {
		snprintf(why, sizeof(why), "not a mailbox");
		rc = ADDR_ESYNTAX;
	} else if (rc == ADDR_ESYNTAX) {
		reason(c, why, sizeof(why));
	}
	addr_buf_clear(&c->out);
	if (rc == 0 && c->display.size > 0) {
		/* "Display <addr>": the phrase is ready for a header (§5 rule 4) */
		addr_buf_put(&c->out, c->display.ptr, c->display.size);
		addr_buf_puts(&c->out, " <");
		addr_buf_put(&c->out, c->addr.ptr, c->addr.size);
		addr_buf_putc(&c->out, '>');
	} else if (rc == 0) {
		addr_buf_put(&c->out, c->addr.ptr, c->addr.size);
	}
	if (c->out.oom)
		rc = ADDR_ENOMEM;
	if (rc < 0 && rc != ADDR_ESYNTAX) {
		cli_reject(in, len, addr_strerror(rc));
		return CLI_FATAL;
	}
	if (c->json) {
		fputs("{\"input\":", stdout);
		cli_json_string(stdout, in, len);
		if (rc == 0) {
			fputs(",\"ok\":true,\"output\":", stdout);
			cli_json_string(stdout, c->out.ptr, c->out.size);
		} else {
			fputs(",\"ok\":false,\"error\":", stdout);
			cli_json_string(stdout, why, strlen(why));
		}
		fputs("}\n", stdout);
	} else if (rc == 0) {
		fwrite(c->out.ptr, 1, c->out.size, stdout);
		putchar('\n');
	} else {
		cli_reject(in, len, why);
	}
	return rc == 0 ? CLI_OK : CLI_REJECTED;
}

/* bad_option - report the option getopt_long refused */
static int bad_option(const char *cmd, const char *synopsis, char **argv)
{
	if (optopt != 0)
		cli_error("%s: unknown option -%c", cmd, optopt);
	else
		cli_error("%s: unknown option '%s'", cmd, argv[optind - 1]);
	fprintf(stderr, "usage: %s\n", synopsis);
	return CLI_FATAL;
}

enum {
	OPT_STRICT = 256, OPT_SMTPUTF8, OPT_JSON, OPT_ASCII, OPT_UNICODE,
	OPT_KEEP_DISPLAY, OPT_HELP
};

static const struct option check_opts[] = {
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "smtputf8", no_argument, NULL, OPT_SMTPUTF8 },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option normalize_opts[] = {
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "unicode", no_argument, NULL, OPT_UNICODE },
	{ "keep-display", no_argument, NULL, OPT_KEEP_DISPLAY },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "smtputf8", no_argument, NULL, OPT_SMTPUTF8 },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* run - check or normalize: options, then every input */
static int run(int argc, char **argv, int normalize)
{
	const char *cmd = argv[0];
	const char *synopsis = normalize ? SYN_NORMALIZE : SYN_CHECK;
	struct conv c;
	int ascii = 0, unicode = 0;
	int opt, status;

	memset(&c, 0, sizeof(c));
	c.pflags = ADDR_F_LENIENT | ADDR_F_DECODE_2047;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "",
				  normalize ? normalize_opts : check_opts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_STRICT:
			c.pflags &= ~ADDR_F_LENIENT;
			break;
		case OPT_SMTPUTF8:
			c.pflags |= ADDR_F_UTF8;
			break;
		case OPT_JSON:
			c.json = 1;
			break;
		case OPT_ASCII:
			ascii = 1;
			break;
		case OPT_UNICODE:
			unicode = 1;
			break;
		case OPT_KEEP_DISPLAY:
			c.keep_display = 1;
			break;
		case OPT_HELP:
			printf("usage: %s\n", synopsis);
			return cli_finish(CLI_OK);
		default:
			return bad_option(cmd, synopsis, argv);
		}
	}
	if (ascii && unicode) {
		cli_error("%s: --ascii and --unicode exclude each other", cmd);
		fprintf(stderr, "usage: %s\n", synopsis);
		return CLI_FATAL;
	}
	c.nflags = unicode ? ADDR_N_ULABEL : 0;

	addr_mailbox_result_init(&c.res);
	addr_buf_init(&c.addr);
	addr_buf_init(&c.display);
	addr_buf_init(&c.out);
	status = cli_each_input(argc - optind, argv + optind,
				normalize ? normalize_one : check_one, &c);
	addr_mailbox_result_free(&c.res);
	addr_buf_free(&c.addr);
	addr_buf_free(&c.display);
	addr_buf_free(&c.out);
	return cli_finish(status);
}

/* The commands. Each area's commands live in their own file
 * (tools/addrconv_<area>.c) and are declared in addrconv.h. */
static int cmd_check(int argc, char **argv)
{
	return run(argc, argv, 0);
}

static int cmd_normalize(int argc, char **argv)
{
	return run(argc, argv, 1);
}

static const struct cli_command commands[] = {
	{ "check", cmd_check },
	{ "normalize", cmd_normalize },
	/* IMCEA and X.500 (addrconv_imcea.c) */
	{ "encode", addrconv_encode },
	{ "decode", addrconv_decode },
	/* X.400 and RFC 2156 (addrconv_x400.c) */
	{ "x400", addrconv_x400 },
	{ "x400-to-822", addrconv_x400_to_822 },
	{ "822-to-x400", addrconv_822_to_x400 },
	{ "ps-encode", addrconv_ps_encode },
	{ "ps-decode", addrconv_ps_decode },
	{ "mcgam-dns", addrconv_mcgam_dns },
};

int main(int argc, char **argv)
{
	cli_progname = "addrconv";
	return cli_dispatch(argc, argv, commands,
			    sizeof(commands) / sizeof(commands[0]), usage);
}
