/* The command line: exit statuses and what every command shares.
 * Each command parses its own options and returns an exit status to
 * main(), the only place the process exits. */
#ifndef PYCORE_CLI_H
#define PYCORE_CLI_H

#include <stddef.h>

/* Exit statuses, as --help and pycore(1) document them. */
enum {
	EXIT_OK = 0,
	EXIT_BAD_INPUT = 1,
	EXIT_USAGE = 2,
	EXIT_PARTIAL = 3,
	EXIT_INTERNAL = 4,
};

/* Print "pycore: MESSAGE" and the hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a count from 1 to 10^9; -1 when TEXT is not one. */
int cli_parse_count(const char *text, size_t *ret);

/* The full --help text. */
extern const char cli_usage_text[];

/* The commands: ARGV[0] is the command's name. */
int cli_analyze(int argc, char **argv);

#endif
