/*
 * cli.c - small helpers shared by the command-line tools
 *
 * EXPORTS
 *	cli_each_input()	ADDR arguments, or standard input lines
 *	cli_json_string()	a JSON string that is valid for any octets
 *	cli_put_input()		an input made safe for a message line
 *	cli_reject()		"<prog>: <input>: <reason>"
 *	cli_error()		"<prog>: <message>"
 *	cli_finish()		flush standard output, check for errors
 *	cli_dispatch()		a tool's main(): options, then its command
 *
 * See cli.h for the meaning of the results.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "cli.h"

const char *cli_progname = "addrconv";

/* cli_each_input - one call per argument or per input line */
int cli_each_input(int argc, char **argv, cli_input_fn fn, void *ctx)
{
	int status = CLI_OK;
	int rc;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (argc > 0) {
		for (int i = 0; i < argc; i++) {
			rc = fn(ctx, argv[i], strlen(argv[i]));
			if (rc > status)
				status = rc;
		}
		return status;
	}
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;

		/* only the terminator goes: LF, or CR LF */
		if (len > 0 && line[len - 1] == '\n') {
			len--;
			if (len > 0 && line[len - 1] == '\r')
				len--;
		}
		line[len] = '\0';
		rc = fn(ctx, line, len);
		if (rc > status)
			status = rc;
	}
	if (ferror(stdin)) {
		cli_error("standard input: %s", strerror(errno));
		status = CLI_FATAL;
	}
	free(line);
	return status;
}

/* utf8_seq - length of the well-formed UTF-8 sequence at s, or 0 */
static size_t utf8_seq(const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];
	size_t want;

	if (c >= 0xc2 && c <= 0xdf)
		want = 2;
	else if (c >= 0xe0 && c <= 0xef)
		want = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		want = 4;
	else
		return 0;
	if (want > len)
		return 0;
	/* the library's RFC 3629 check rejects overlongs and surrogates */
	return addr_utf8_check(s, want) == want ? want : 0;
}

/* cli_json_string - a JSON string; invalid UTF-8 octets as \u00XX */
void cli_json_string(FILE *fp, const char *s, size_t len)
{
	size_t i = 0;

	putc('"', fp);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			putc('\\', fp);
			putc(c, fp);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(fp, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			putc(c, fp);
			i++;
		} else if ((n = utf8_seq(s + i, len - i)) > 0) {
			fwrite(s + i, 1, n, fp);
			i += n;
		} else {
			fprintf(fp, "\\u%04x", c);
			i++;
		}
	}
	putc('"', fp);
}

/* cli_put_input - controls as \xHH so one input stays on one line */
void cli_put_input(FILE *fp, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
}

/* cli_reject - the error line of a rejected input */
void cli_reject(const char *in, size_t len, const char *reason)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", cli_progname);
	cli_put_input(stderr, in, len);
	fprintf(stderr, ": %s\n", reason);
}

/* cli_error - a message line on standard error */
void cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", cli_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
}

/* cli_finish - a write error on standard output is an environment error */
int cli_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: standard output: %s\n", cli_progname,
			strerror(errno));
		return CLI_FATAL;
	}
	return status;
}

int cli_dispatch(int argc, char **argv, const struct cli_command *cmds,
		 size_t ncmds, void (*usage)(FILE *fp))
{
	const char *cmd;
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_FATAL;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return cli_finish(CLI_OK);
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("%s (libaddr) %s\n", cli_progname, ADDR_VERSION);
		return cli_finish(CLI_OK);
	}
	for (i = 0; i < ncmds; i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	if (cmd[0] == '-')
		cli_error("unknown option '%s'", cmd);
	else
		cli_error("%s: unknown command", cmd);
	usage(stderr);
	return CLI_FATAL;
}
