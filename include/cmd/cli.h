/* The command line: exit statuses and what every command shares.
 * Each command parses its own options and returns an exit status to
 * main(), the only place the process exits. */
#ifndef PYCORE_CMD_CLI_H
#define PYCORE_CMD_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses, as --help and pycore(1) document them. */
enum {
	EXIT_OK = 0,
	EXIT_BAD_INPUT = 1,
	EXIT_USAGE = 2,
	EXIT_PARTIAL = 3,
	EXIT_INTERNAL = 4,
	EXIT_CORES_FOUND = 5,	/* pycore ci: at least one core file was found */
};

/* Print "pycore: MESSAGE" and the hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct analysis;
struct analysis_options;
struct pc_error;

/* The exit status for an analysis that could not be made at all (ERR):
 * pycore's own failure (out of memory, a library) or bad input. */
int cli_error_status(const struct pc_error *err);

/* The exit status for a report of ANALYSIS: complete or partial. */
int cli_report_status(const struct analysis *analysis);

/* Options the commands share, as getopt_long() values; each command's own
 * start at CLI_OPT_OWN. */
enum {
	CLI_OPT_SYSROOT = 256,
	CLI_OPT_LIB_PATH,
	CLI_OPT_DEBUG_DIR,
	CLI_OPT_MAX_CORE_SIZE,
	CLI_OPT_MEMORY_BUDGET,
	CLI_OPT_OWN,
};

#define CLI_OPTION_SYSROOT {"sysroot", required_argument, NULL, CLI_OPT_SYSROOT}
#define CLI_OPTION_LIB_PATH {"lib-path", required_argument, NULL, CLI_OPT_LIB_PATH}
#define CLI_OPTION_DEBUG_DIR {"debug-dir", required_argument, NULL, CLI_OPT_DEBUG_DIR}
#define CLI_OPTION_MAX_CORE_SIZE {"max-core-size", required_argument, NULL, CLI_OPT_MAX_CORE_SIZE}
#define CLI_OPTION_MEMORY_BUDGET {"memory-budget", required_argument, NULL, CLI_OPT_MEMORY_BUDGET}
/* What ends every command's table: --help, --version, the terminator. */
#define CLI_OPTIONS_END \
	{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}

/* Handle the shared option OPT (--sysroot, --lib-path, --debug-dir, --max-core-size,
 * --memory-budget)
 * with argument ARG into OPTIONS and LIB_DIRS.  Returns EXIT_OK, or
 * EXIT_USAGE having said why. */
int cli_shared_option(int opt, const char *arg, struct analysis_options *options,
		      const char **lib_dirs);

/* OPTION's ARG as a count (cli_parse_count()) into *RET, a size
 * (cli_parse_size()) or a number of seconds (cli_parse_seconds()).
 * Returns EXIT_OK, or EXIT_USAGE having said why. */
int cli_count_option(const char *option, const char *arg, size_t *ret);
int cli_size_option(const char *option, const char *arg, uint64_t *ret);
int cli_seconds_option(const char *option, const char *arg, double *ret);

/* What analyze and ci do with getopt_long()'s OPT when it is none of their
 * own: -h, -V, or an option they do not know.  Returns the exit status. */
int cli_other_option(int opt, char **argv);

#define CLI_MAX_LIB_DIRS 64

/* Add --lib-path DIR; returns EXIT_USAGE (having said why) past the cap. */
int cli_add_lib_dir(struct analysis_options *options, const char **lib_dirs, const char *dir);

/* Check that --sysroot and every --lib-path of OPTIONS name directories;
 * returns EXIT_BAD_INPUT, having said which does not, or EXIT_OK. */
int cli_check_paths(const struct analysis_options *options);

/* Add --debug-dir DIR (kept for the life of the process: one command runs);
 * returns EXIT_USAGE (having said why) past CLI_MAX_LIB_DIRS of them. */
int cli_add_debug_dir(struct analysis_options *options, const char *dir);

/* Parse a count from 1 to 10^9; -1 when TEXT is not one. */
int cli_parse_count(const char *text, size_t *ret);

/* Parse a number of seconds above 0 and at most 10^9, with a fraction
 * or not ("0.5"); -1 when TEXT is not one. */
int cli_parse_seconds(const char *text, double *ret);

/* Parse a size in bytes, at least 1, with an optional K, M, G or T suffix
 * (powers of 1024); -1 when TEXT is not one. */
int cli_parse_size(const char *text, uint64_t *ret);

/* The full --help text. */
extern const char cli_usage_text[];

/* The commands: ARGV[0] is the command's name. */
int cli_analyze(int argc, char **argv);
int cli_ci(int argc, char **argv);

#endif
