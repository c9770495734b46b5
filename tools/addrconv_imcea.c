/*
 * addrconv_imcea.c - the IMCEA commands of addrconv: encode and decode
 *
 * SYNOPSIS
 *	addrconv encode --domain DOMAIN [--rfc5321] [--x400-strict] [--json]
 *		[PROXY...]
 *	addrconv decode [--strict] [--x400-strict] [--local DOMAIN]...
 *		[--json] [ADDR...]
 *
 * EXPORTS
 *	addrconv_encode()	"TYPE:value" -> IMCEA address
 *	addrconv_decode()	IMCEA address -> "TYPE:value"
 *
 * DESCRIPTION
 *	The command-line contract of architecture.md over libaddr's
 *	addr_imcea_encode_proxy and addr_imcea_decode
 *	(spec-imcea-proxy.md §1.4, §1.6). encode prints the IMCEA address
 *	of each PROXY. decode prints "TYPE:value" for an encapsulated
 *	address; for a valid addr-spec that is not encapsulated, or whose
 *	domain fails the --local gate, it prints "SMTP:<input>". With
 *	--json each input gives one JSON object: input, ok, output or
 *	error, and for a successful decode type, address and encapsulated.
 *
 * DIAGNOSTICS
 *	A rejected input prints "addrconv: <input>: <reason>" on standard
 *	error (nothing with --json) and nothing on standard output. Exit 0
 *	when every input succeeded, 1 when some input was rejected, 2 on a
 *	usage or environment error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "cli.h"
#include "addrconv.h"

#define SYN_ENCODE "addrconv encode --domain DOMAIN [--rfc5321] " \
	"[--x400-strict] [--json] [PROXY...]"
#define SYN_DECODE "addrconv decode [--strict] [--x400-strict] " \
	"[--local DOMAIN]... [--json] [ADDR...]"

/* What one run of encode or decode does with each input. */
struct imcea_run {
	unsigned flags;			/* ADDR_IMCEA_* */
	int json;
	const char *domain;		/* encode */
	const char *const *local;	/* decode: NULL = no gate */
	size_t nlocal;
	struct addr_buf out;
	struct addr_mailbox_result res;	/* decode: the plain-address check */
};

enum {
	OPT_DOMAIN = 256, OPT_RFC5321, OPT_STRICT, OPT_X400_STRICT, OPT_LOCAL,
	OPT_JSON, OPT_HELP
};

static const struct option encode_opts[] = {
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "rfc5321", no_argument, NULL, OPT_RFC5321 },
	{ "x400-strict", no_argument, NULL, OPT_X400_STRICT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option decode_opts[] = {
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "x400-strict", no_argument, NULL, OPT_X400_STRICT },
	{ "local", required_argument, NULL, OPT_LOCAL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* usage_error - a message and the synopsis on standard error; exit 2 */
static int usage_error(const char *synopsis, char **argv, int missing_arg,
		       const char *text)
{
	if (text != NULL)
		cli_error("%s: %s", argv[0], text);
	else if (missing_arg)
		cli_error("%s: option '%s' needs an argument", argv[0],
			  argv[optind - 1]);
	else if (optopt != 0)
		cli_error("%s: unknown option -%c", argv[0], optopt);
	else
		cli_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
	fprintf(stderr, "usage: %s\n", synopsis);
	return CLI_FATAL;
}

/* reason - the text of a library error, with its offset */
static void reason(char *buf, size_t size, int rc, const struct addr_error *e)
{
	if (rc == ADDR_ENOMEM || e->message[0] == '\0')
		snprintf(buf, size, "%s", addr_strerror(rc));
	else
		snprintf(buf, size, "%s (offset %zu)", e->message, e->offset);
}

/* put_json_head - the fields every JSON object starts with */
static void put_json_head(const char *in, size_t len, int ok)
{
	fputs("{\"input\":", stdout);
	cli_json_string(stdout, in, len);
	printf(",\"ok\":%s", ok ? "true" : "false");
}

/* put_error - one rejected input, as JSON or on standard error */
static void put_error(const struct imcea_run *r, const char *in, size_t len,
		      const char *why)
{
	if (r->json) {
		put_json_head(in, len, 0);
		fputs(",\"error\":", stdout);
		cli_json_string(stdout, why, strlen(why));
		fputs("}\n", stdout);
	} else {
		cli_reject(in, len, why);
	}
}

/* encode_one - the IMCEA address of one "TYPE:value" */
static int encode_one(void *ctx, const char *in, size_t len)
{
	struct imcea_run *r = ctx;
	struct addr_error e;
	char why[300];
	int rc;

	memset(&e, 0, sizeof(e));
	rc = addr_imcea_encode_proxy(&r->out, in, len, r->domain,
				     strlen(r->domain), r->flags, &e);
	if (rc < 0) {
		reason(why, sizeof(why), rc, &e);
		if (rc == ADDR_ENOMEM) {
			cli_reject(in, len, why);
			return CLI_FATAL;
		}
		put_error(r, in, len, why);
		return CLI_REJECTED;
	}
	if (r->json) {
		put_json_head(in, len, 1);
		fputs(",\"output\":", stdout);
		cli_json_string(stdout, r->out.ptr, r->out.size);
		fputs("}\n", stdout);
	} else {
		fwrite(r->out.ptr, 1, r->out.size, stdout);
		putchar('\n');
	}
	return CLI_OK;
}

/*
 * put_decoded - one successful decode: text is "TYPE:value" (TYPE has
 * no ":"); encapsulated is false for a plain SMTP address.
 */
static void put_decoded(const struct imcea_run *r, const char *in,
			size_t len, const char *text, size_t tlen,
			int encapsulated)
{
	const char *colon = memchr(text, ':', tlen);
	size_t type_len = colon ? (size_t)(colon - text) : tlen;

	if (!r->json) {
		fwrite(text, 1, tlen, stdout);
		putchar('\n');
		return;
	}
	put_json_head(in, len, 1);
	fputs(",\"output\":", stdout);
	cli_json_string(stdout, text, tlen);
	fputs(",\"type\":", stdout);
	cli_json_string(stdout, text, type_len);
	fputs(",\"address\":", stdout);
	cli_json_string(stdout, text + type_len + (colon != NULL),
			tlen - type_len - (colon != NULL));
	printf(",\"encapsulated\":%s}\n", encapsulated ? "true" : "false");
}

/* decode_one - "TYPE:value", "SMTP:<input>", or a rejection */
static int decode_one(void *ctx, const char *in, size_t len)
{
	struct imcea_run *r = ctx;
	struct addr_error e;
	char why[300];
	int rc;

	memset(&e, 0, sizeof(e));
	rc = addr_imcea_decode(&r->out, in, len, r->local, r->nlocal,
			       r->flags, &e);
	if (rc == 1) {
		put_decoded(r, in, len, r->out.ptr, r->out.size, 1);
		return CLI_OK;
	}
	if (rc == 0) {
		/* not encapsulated: a plain address if it is a valid one */
		rc = addr_mailbox_parse(&r->res, in, len, ADDR_P_ADDR_SPEC,
					ADDR_F_UTF8, &e);
		if (rc == 0) {
			addr_buf_clear(&r->out);
			addr_buf_puts(&r->out, "SMTP:");
			addr_buf_put(&r->out, in, len);
			if (r->out.oom) {
				cli_reject(in, len, addr_strerror(ADDR_ENOMEM));
				return CLI_FATAL;
			}
			put_decoded(r, in, len, r->out.ptr, r->out.size, 0);
			return CLI_OK;
		}
		if (rc == ADDR_ESYNTAX)
			snprintf(why, sizeof(why), "not an IMCEA address, and "
				 "not a valid address (%s@%zu)",
				 addr_diag_name(e.diag) ?
				 addr_diag_name(e.diag) : "?", e.offset);
		else
			reason(why, sizeof(why), rc, &e);
	} else {
		reason(why, sizeof(why), rc, &e);
	}
	if (rc == ADDR_ENOMEM) {
		cli_reject(in, len, why);
		return CLI_FATAL;
	}
	put_error(r, in, len, why);
	return CLI_REJECTED;
}

/* run - options, then every input */
static int run(int argc, char **argv, int decode)
{
	const char *synopsis = decode ? SYN_DECODE : SYN_ENCODE;
	const char **local = NULL;
	struct imcea_run r;
	int opt, status, want_gate = 0;

	memset(&r, 0, sizeof(r));
	/* at most one --local per argument: the array is bounded by argc */
	if (decode && (local = calloc((size_t)argc, sizeof(*local))) == NULL) {
		cli_error("%s: out of memory", argv[0]);
		return CLI_FATAL;
	}
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":",
				  decode ? decode_opts : encode_opts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_DOMAIN:
			r.domain = optarg;
			break;
		case OPT_RFC5321:
			r.flags |= ADDR_IMCEA_RFC5321;
			break;
		case OPT_STRICT:
			r.flags |= ADDR_IMCEA_STRICT;
			break;
		case OPT_X400_STRICT:
			r.flags |= ADDR_IMCEA_X400_STRICT;
			break;
		case OPT_LOCAL:
			local[r.nlocal++] = optarg;
			want_gate = 1;
			break;
		case OPT_JSON:
			r.json = 1;
			break;
		case OPT_HELP:
			free(local);
			printf("usage: %s\n", synopsis);
			return cli_finish(CLI_OK);
		default:
			free(local);
			return usage_error(synopsis, argv, opt == ':', NULL);
		}
	}
	if (!decode && r.domain == NULL)
		return usage_error(synopsis, argv, 0, "--domain is required");
	r.local = want_gate ? local : NULL;
	addr_buf_init(&r.out);
	addr_mailbox_result_init(&r.res);
	status = cli_each_input(argc - optind, argv + optind,
				decode ? decode_one : encode_one, &r);
	addr_mailbox_result_free(&r.res);
	addr_buf_free(&r.out);
	free(local);
	return cli_finish(status);
}

int addrconv_encode(int argc, char **argv)
{
	return run(argc, argv, 0);
}

int addrconv_decode(int argc, char **argv)
{
	return run(argc, argv, 1);
}
