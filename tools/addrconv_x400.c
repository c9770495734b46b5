/*
 * addrconv_x400.c - the X.400 and RFC 2156 commands of addrconv
 *
 * SYNOPSIS
 *	addrconv x400 [--from auto|exchange|rfc1685|stdor]
 *		[--to exchange|rfc1685|stdor] [--strict] [--json] [ADDR...]
 *	addrconv x400-to-822 --domain D [--mcgam FILE]... [--gateway-table FILE]...
 *		[--algorithmic] [--from FORM] [--json] [X400...]
 *	addrconv 822-to-x400 --or OR [--mcgam FILE]... [--gateway-table FILE]...
 *		[--algorithmic] [--return-address] [--json] [ADDR...]
 *	addrconv ps-encode|ps-decode [--passthrough] [--json] [VALUE...]
 *	addrconv mcgam-dns [--owner] [--json] [DMN...]
 *
 * EXPORTS
 *	addrconv_x400()		convert between the O/R address forms
 *	addrconv_x400_to_822()	RFC 2156 §4.3.5 mapping
 *	addrconv_822_to_x400()	RFC 2156 §4.3.4 mapping
 *	addrconv_ps_encode(), addrconv_ps_decode()	RFC 2156 §3.4
 *	addrconv_mcgam_dns()	dmn-or-address -> RFC 2163 form
 *
 * DESCRIPTION
 *	The command-line contract of architecture.md over libaddr's
 *	addr_x400_*, addr_ps_* and addr_rfc2156_* (spec-x400.md). Each input
 *	(each argument, or each line of standard input) gives one output
 *	line, or with --json one object: input, ok, output or error.
 *	x400-to-822 reads X.400 input in the form --from names (default:
 *	detected); 822-to-x400 prints the Exchange canonical form. --or
 *	takes the local O/R address in the Exchange form. --mcgam and
 *	--gateway-table load table files in RFC 2156 App. F syntax.
 *
 * DIAGNOSTICS
 *	A rejected input prints "addrconv: <input>: <reason>" on standard
 *	error (nothing with --json) and nothing on standard output. An
 *	unreadable or invalid table file, or an invalid --or, is an
 *	environment or usage error: "addrconv: FILE:LINE: reason", exit 2.
 *	Exit 0 when every input succeeded, 1 when some input was rejected.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "cli.h"
#include "addrconv.h"

#define SYN_X400 "addrconv x400 [--from auto|exchange|rfc1685|stdor] " \
	"[--to exchange|rfc1685|stdor] [--strict] [--json] [ADDR...]"
#define SYN_TO822 "addrconv x400-to-822 --domain D [--mcgam FILE]... " \
	"[--gateway-table FILE]... [--algorithmic] " \
	"[--from auto|exchange|rfc1685|stdor] [--json] [X400...]"
#define SYN_FROM822 "addrconv 822-to-x400 --or OR [--mcgam FILE]... " \
	"[--gateway-table FILE]... [--algorithmic] [--return-address] " \
	"[--json] [ADDR...]"
#define SYN_PSENC "addrconv ps-encode [--passthrough] [--json] [VALUE...]"
#define SYN_PSDEC "addrconv ps-decode [--passthrough] [--json] [VALUE...]"
#define SYN_DNS "addrconv mcgam-dns [--owner] [--json] [DMN...]"

/* Table files larger than this are refused (a table has a few thousand
 * lines at most). */
#define TABLE_MAX (16u * 1024 * 1024)

/* Which command a run is. */
enum { C_X400, C_TO822, C_FROM822, C_PSENC, C_PSDEC, C_DNS };

/* What one run does with each input. */
struct x400_run {
	int cmd;
	int json;
	int from, to;			/* ADDR_X400_* */
	unsigned xflags;		/* ADDR_X400_* */
	unsigned mflags;		/* ADDR_RFC2156_* */
	unsigned psflags;		/* ADDR_PS_* */
	const char *domain;		/* x400-to-822 */
	struct addr_x400 local_or;	/* 822-to-x400 */
	int have_or;
	struct addr_rfc2156_tables *tables;
	struct addr_x400 x;
	struct addr_buf out;
	struct addr_error err;
};

enum {
	OPT_FROM = 256, OPT_TO, OPT_STRICT, OPT_JSON, OPT_DOMAIN, OPT_MCGAM,
	OPT_GATEWAY, OPT_ALGORITHMIC, OPT_OR, OPT_RETURN, OPT_PASSTHROUGH,
	OPT_OWNER, OPT_HELP
};

static const struct option x400_opts[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option to822_opts[] = {
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "mcgam", required_argument, NULL, OPT_MCGAM },
	{ "gateway-table", required_argument, NULL, OPT_GATEWAY },
	{ "algorithmic", no_argument, NULL, OPT_ALGORITHMIC },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option from822_opts[] = {
	{ "or", required_argument, NULL, OPT_OR },
	{ "mcgam", required_argument, NULL, OPT_MCGAM },
	{ "gateway-table", required_argument, NULL, OPT_GATEWAY },
	{ "algorithmic", no_argument, NULL, OPT_ALGORITHMIC },
	{ "return-address", no_argument, NULL, OPT_RETURN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option ps_opts[] = {
	{ "passthrough", no_argument, NULL, OPT_PASSTHROUGH },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option dns_opts[] = {
	{ "owner", no_argument, NULL, OPT_OWNER },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* usage_error - a message and the synopsis on standard error; exit 2 */
static int usage_error(const char *synopsis, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static int usage_error(const char *synopsis, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("%s", msg);
	fprintf(stderr, "usage: %s\n", synopsis);
	return CLI_FATAL;
}

/* form_of - ADDR_X400_* for a --from / --to word, -1 if unknown */
static int form_of(const char *s, int allow_auto)
{
	if (allow_auto && strcmp(s, "auto") == 0)
		return ADDR_X400_AUTO;
	if (strcmp(s, "exchange") == 0)
		return ADDR_X400_EXCHANGE;
	if (strcmp(s, "rfc1685") == 0)
		return ADDR_X400_RFC1685;
	if (strcmp(s, "stdor") == 0)
		return ADDR_X400_STDOR;
	return -1;
}

/* read_file - the whole of path into buf; 0 or -1 (errno set) */
static int read_file(const char *path, struct addr_buf *buf)
{
	char chunk[8192];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (buf->size + n > TABLE_MAX) {
			fclose(fp);
			errno = EFBIG;
			return -1;
		}
		if (addr_buf_put(buf, chunk, n) < 0) {
			fclose(fp);
			errno = ENOMEM;
			return -1;
		}
	}
	if (ferror(fp)) {
		fclose(fp);
		errno = EIO;
		return -1;
	}
	fclose(fp);
	return 0;
}

/* load_table - one --mcgam or --gateway-table file; CLI_OK or CLI_FATAL */
static int load_table(struct x400_run *r, int kind, const char *path)
{
	struct addr_buf text;
	struct addr_error err;
	int rc;

	addr_buf_init(&text);
	if (read_file(path, &text) < 0) {
		cli_error("%s: %s", path, strerror(errno));
		addr_buf_free(&text);
		return CLI_FATAL;
	}
	memset(&err, 0, sizeof(err));
	rc = addr_rfc2156_tables_load(r->tables, kind, text.ptr, text.size,
				      &err);
	addr_buf_free(&text);
	if (rc < 0) {
		cli_error("%s:%zu: %s", path, err.line, err.message);
		return CLI_FATAL;
	}
	return CLI_OK;
}

/* convert - the command's work on one input into r->out: 0 or ADDR_E* */
static int convert(struct x400_run *r, const char *in, size_t len)
{
	int rc;

	addr_buf_clear(&r->out);
	memset(&r->err, 0, sizeof(r->err));
	switch (r->cmd) {
	case C_X400:
		rc = addr_x400_parse(&r->x, in, len, r->from, r->xflags, &r->err);
		if (rc >= 0)
			rc = addr_x400_format(&r->out, &r->x, r->to, r->xflags,
					      &r->err);
		return rc < 0 ? rc : 0;
	case C_TO822:
		rc = addr_x400_parse(&r->x, in, len, r->from, 0, &r->err);
		if (rc >= 0)
			rc = addr_rfc2156_to_822(&r->out, &r->x, r->tables,
						 r->domain, r->mflags, &r->err);
		return rc < 0 ? rc : 0;
	case C_FROM822:
		rc = addr_rfc2156_from_822(&r->x, in, len, r->tables,
					   &r->local_or, r->mflags, &r->err);
		if (rc >= 0)
			rc = addr_x400_format(&r->out, &r->x, ADDR_X400_EXCHANGE,
					      0, &r->err);
		return rc < 0 ? rc : 0;
	case C_PSENC:
		return addr_ps_encode(&r->out, in, len, &r->err);
	case C_PSDEC:
		rc = addr_ps_decode(&r->out, in, len, r->psflags, &r->err);
		return rc < 0 ? rc : 0;
	default:
		return addr_rfc2156_dns(&r->out, in, len, r->mflags, &r->err);
	}
}

/* one - convert one input and print the result */
static int one(void *ctx, const char *in, size_t len)
{
	struct x400_run *r = ctx;
	int rc = convert(r, in, len);
	const char *why = r->err.message[0] ? r->err.message : addr_strerror(rc);

	if (rc == ADDR_ENOMEM) {
		cli_reject(in, len, addr_strerror(rc));
		return CLI_FATAL;
	}
	if (r->json) {
		fputs("{\"input\":", stdout);
		cli_json_string(stdout, in, len);
		if (rc == 0) {
			fputs(",\"ok\":true,\"output\":", stdout);
			cli_json_string(stdout, r->out.ptr, r->out.size);
		} else {
			fputs(",\"ok\":false,\"error\":", stdout);
			cli_json_string(stdout, why, strlen(why));
		}
		fputs("}\n", stdout);
	} else if (rc == 0) {
		fwrite(r->out.ptr, 1, r->out.size, stdout);
		putchar('\n');
	} else {
		cli_reject(in, len, why);
	}
	return rc == 0 ? CLI_OK : CLI_REJECTED;
}

/* run - options of one command, then every input */
static int run(int argc, char **argv, int cmd, const struct option *opts,
	       const char *synopsis)
{
	const char *or_text = NULL;
	struct x400_run r;
	struct addr_error err;
	int opt, status = CLI_OK;

	memset(&r, 0, sizeof(r));
	r.cmd = cmd;
	r.from = ADDR_X400_AUTO;
	r.to = ADDR_X400_EXCHANGE;
	addr_x400_init(&r.x);
	addr_x400_init(&r.local_or);
	addr_buf_init(&r.out);
	if (addr_rfc2156_tables_new(&r.tables) < 0) {
		cli_error("%s", addr_strerror(ADDR_ENOMEM));
		return CLI_FATAL;
	}
	opterr = 0;
	optind = 1;
	while (status == CLI_OK &&
	       (opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_FROM:
			if ((r.from = form_of(optarg, 1)) < 0)
				status = usage_error(synopsis, "%s: unknown form"
						     " '%s'", argv[0], optarg);
			break;
		case OPT_TO:
			if ((r.to = form_of(optarg, 0)) < 0)
				status = usage_error(synopsis, "%s: unknown form"
						     " '%s'", argv[0], optarg);
			break;
		case OPT_STRICT:
			r.xflags |= ADDR_X400_STRICT;
			break;
		case OPT_JSON:
			r.json = 1;
			break;
		case OPT_DOMAIN:
			r.domain = optarg;
			break;
		case OPT_MCGAM:
			status = load_table(&r, ADDR_RFC2156_MCGAM, optarg);
			break;
		case OPT_GATEWAY:
			status = load_table(&r, ADDR_RFC2156_GATEWAY, optarg);
			break;
		case OPT_ALGORITHMIC:
			r.mflags |= ADDR_RFC2156_ALGORITHMIC;
			break;
		case OPT_OR:
			or_text = optarg;
			break;
		case OPT_RETURN:
			r.mflags |= ADDR_RFC2156_RETURN_ADDRESS;
			break;
		case OPT_PASSTHROUGH:
			r.psflags |= ADDR_PS_PASSTHROUGH;
			break;
		case OPT_OWNER:
			r.mflags |= ADDR_RFC2156_OWNER;
			break;
		case OPT_HELP:
			printf("usage: %s\n", synopsis);
			status = -1;
			break;
		case ':':
			status = usage_error(synopsis, "%s: option '%s' needs"
					     " an argument", argv[0],
					     argv[optind - 1]);
			break;
		default:
			if (optopt != 0 && optopt < 256) {
				char o[3] = { '-', (char)optopt, '\0' };

				status = usage_error(synopsis, "%s: unknown"
						     " option %s", argv[0], o);
			} else {
				status = usage_error(synopsis, "%s: unknown"
						     " option '%s'", argv[0],
						     argv[optind - 1]);
			}
			break;
		}
	}
	if (status == CLI_OK && cmd == C_TO822 && r.domain == NULL)
		status = usage_error(synopsis, "%s: %s is required", argv[0],
				     "--domain");
	if (status == CLI_OK && cmd == C_FROM822 && or_text == NULL)
		status = usage_error(synopsis, "%s: %s is required", argv[0],
				     "--or");
	if (status == CLI_OK && or_text != NULL) {
		memset(&err, 0, sizeof(err));
		if (addr_x400_parse(&r.local_or, or_text, strlen(or_text),
				    ADDR_X400_EXCHANGE, 0, &err) < 0)
			status = usage_error(synopsis, "--or: %s: %s", or_text,
					     err.message);
	}
	if (status == CLI_OK)
		status = cli_each_input(argc - optind, argv + optind, one, &r);
	addr_rfc2156_tables_free(r.tables);
	addr_x400_free(&r.x);
	addr_x400_free(&r.local_or);
	addr_buf_free(&r.out);
	return cli_finish(status < 0 ? CLI_OK : status);
}

/* addrconv_x400 - convert between the textual forms */
int addrconv_x400(int argc, char **argv)
{
	return run(argc, argv, C_X400, x400_opts, SYN_X400);
}

/* addrconv_x400_to_822 - X.400 -> RFC 822 */
int addrconv_x400_to_822(int argc, char **argv)
{
	return run(argc, argv, C_TO822, to822_opts, SYN_TO822);
}

/* addrconv_822_to_x400 - RFC 822 -> X.400 */
int addrconv_822_to_x400(int argc, char **argv)
{
	return run(argc, argv, C_FROM822, from822_opts, SYN_FROM822);
}

/* addrconv_ps_encode - ASCII -> PrintableString */
int addrconv_ps_encode(int argc, char **argv)
{
	return run(argc, argv, C_PSENC, ps_opts, SYN_PSENC);
}

/* addrconv_ps_decode - PrintableString -> ASCII */
int addrconv_ps_decode(int argc, char **argv)
{
	return run(argc, argv, C_PSDEC, ps_opts, SYN_PSDEC);
}

/* addrconv_mcgam_dns - dmn-or-address -> RFC 2163 */
int addrconv_mcgam_dns(int argc, char **argv)
{
	return run(argc, argv, C_DNS, dns_opts, SYN_DNS);
}
