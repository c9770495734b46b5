/*
 * cli.h - small helpers shared by the command-line tools
 *
 * The tools (addrconv, addrdir) are thin: they parse options, call libaddr
 * and print. What they print in common lives here: JSON strings, inputs
 * quoted for an error line, the loop over ADDR arguments or standard input
 * lines, and the exit status rules of the command-line contract
 * (architecture.md): 0 all inputs succeeded, 1 some input was rejected,
 * 2 usage or environment error.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdio.h>

enum cli_status {
	CLI_OK = 0,		/* every input succeeded */
	CLI_REJECTED = 1,	/* some input was rejected */
	CLI_FATAL = 2		/* usage or environment error */
};

/* The program name used in messages ("addrconv"); set once in main. */
extern const char *cli_progname;

/*
 * cli_input_fn - called once per input item with its octets (borrowed,
 * valid for the call only; in[len] is a NUL, but NULs may also occur
 * inside). Returns a cli_status.
 */
typedef int (*cli_input_fn)(void *ctx, const char *in, size_t len);

/*
 * cli_each_input - call fn for each of the argc strings of argv, or, when
 * argc is 0, for each line of standard input with only its LF or CRLF
 * terminator removed (a last line without a terminator counts; any other
 * octet, NUL included, is kept). Returns the highest status of the calls,
 * or CLI_FATAL when reading standard input fails.
 */
int cli_each_input(int argc, char **argv, cli_input_fn fn, void *ctx);

/*
 * cli_json_string - write s[0..len) as a JSON string, quotes included.
 * '"' and '\' are escaped, C0 controls and DEL are written \u00XX
 * (lowercase hex), well-formed UTF-8 is written as is, and each octet
 * that is not part of a well-formed UTF-8 sequence (RFC 3629) is written
 * \u00XX with its own value (as if it were ISO 8859-1), so the output is
 * always valid JSON and the octet value is not lost.
 */
void cli_json_string(FILE *fp, const char *s, size_t len);

/*
 * cli_put_input - write an input for a message line: C0 controls and DEL
 * as \xHH, everything else as is.
 */
void cli_put_input(FILE *fp, const char *s, size_t len);

/* cli_reject - "<prog>: <input>: <reason>" on standard error */
void cli_reject(const char *in, size_t len, const char *reason);

/* cli_error - "<prog>: <printf text>" on standard error */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/*
 * cli_finish - flush standard output; returns status, or CLI_FATAL with
 * a message when writing failed (a full disk, a closed pipe).
 */
int cli_finish(int status);

/* cli_command - one subcommand: "addrconv <name> ARGS" calls fn */
struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the name */
};

/*
 * cli_dispatch - main() of a tool with subcommands: --help, -h and
 * --version, then the command named by argv[1]; usage goes to stderr
 * with CLI_FATAL when there is none or it is unknown. Set cli_progname
 * first.
 */
int cli_dispatch(int argc, char **argv, const struct cli_command *cmds,
		 size_t ncmds, void (*usage)(FILE *fp));

#endif /* CLI_H */
