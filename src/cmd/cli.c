/* What the three commands share: the help text, the option parsers, the
 * defaults and the exit statuses. */
#include "cmd/cli.h"

#include "analysis/analysis.h"
#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char cli_usage_text[] =
	"Usage: pycore analyze [OPTION]... CORE [EXECUTABLE]\n"
	"       pycore ci [OPTION]... [DIR]...\n"
	"       pycore handle [OPTION]... PID UID GID SIGNAL TIME CORE_LIMIT HOSTNAME\n"
	"       pycore --help | --version\n"
	"\n"
	"Print what every thread of a crashed CPython process was doing: its\n"
	"Python traceback and its native stack, read from the core file CORE.\n"
	"EXECUTABLE is the program that crashed; by default it is found from the\n"
	"core (its NT_FILE note, else AT_EXECFN).  CORE may be compressed with xz,\n"
	"zstd or lz4 (recognised by its content), or - for standard input.\n"
	"\n"
	"Options:\n"
	"  --sysroot DIR        find every file the core names under DIR\n"
	"  --lib-path DIR       also look for libraries in DIR, by base name\n"
	"                       (repeatable)\n"
	"  --debug-dir DIR      look for separate debug files in DIR first, as\n"
	"                       DIR/.build-id/NN/REST.debug or by .gnu_debuglink\n"
	"                       (repeatable); with --sysroot, DIR/usr/lib/debug\n"
	"                       follows, then the host's and debuginfod's\n"
	"  --format FORMAT      text (the default) or json (one JSON document)\n"
	"  --no-source          do not print source lines under Python frames\n"
	"  --locals             print the arguments and local variables of every\n"
	"                       Python frame, with a bounded repr() of each value\n"
	"  --native             one stack per thread, native and Python frames\n"
	"                       interleaved in call order (interpreter internals hidden)\n"
	"  --native-all         the same, keeping the interpreter's internal frames\n"
	"  --native-source      also the source file and line of native frames, from\n"
	"                       their DWARF (slow for compressed debug info)\n"
	"  --no-native          do not unwind or print native stacks\n"
	"  --layout SOURCE      where struct layouts come from: auto (default: the\n"
	"                       cache, then _Py_DebugOffsets on 3.13+ or built-in\n"
	"                       tables before, checked against the core, then DWARF),\n"
	"                       dwarf, debug-offsets or tables\n"
	"  --max-frames N       frames shown per stack, Python and native (default 10000)\n"
	"  --max-threads N      Python thread states read, the crashing thread's first\n"
	"                       (default 4096)\n"
	"  --tasks MODE         asyncio tasks after the threads: list (default), tree\n"
	"                       (who awaits whom) or none\n"
	"  --max-tasks N        asyncio tasks read (default 10000)\n"
	"  --timeout SECONDS    stop reading stacks after SECONDS (default 60, may\n"
	"                       have a fraction): the report shows what was read\n"
	"                       by then, and the exit status is 3\n"
	"  --max-core-size SIZE decompress or read at most SIZE bytes of core (K, M,\n"
	"                       G, T suffixes; default 64G); the rest is not read\n"
	"  --memory-budget SIZE a compressed core or one on standard input is\n"
	"                       copied into memory up to SIZE, then to a temporary\n"
	"                       file (default a quarter of the memory available,\n"
	"                       at most 4G; 0: a temporary file)\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  the report is complete\n"
	"  1  bad input: CORE or EXECUTABLE missing, unreadable, not a core,\n"
	"     or from another architecture\n"
	"  2  usage error\n"
	"  3  partial report: something could not be read (truncated core, cut or\n"
	"     corrupt compressed stream, unreadable frames or tasks) or --timeout\n"
	"     passed; the report says what\n"
	"  4  pycore failed (out of memory, library error)\n"
	"\n"
	"pycore ci finds the core files under each DIR (default: .), analyzes\n"
	"them and prints them grouped by crash fingerprint.\n"
	"  --github             also GitHub Actions ::error annotations, and a\n"
	"                       Markdown summary appended to $GITHUB_STEP_SUMMARY\n"
	"  --junit FILE         also write JUnit XML: a failing test case per crash\n"
	"  --format FORMAT      text (the default) or json (one JSON document)\n"
	"  --sysroot DIR, --lib-path DIR, --debug-dir DIR, --memory-budget SIZE\n"
	"                       as for analyze\n"
	"  --max-depth N        look N directory levels down (default 12)\n"
	"  --max-files N        look at N files at most (default 100000)\n"
	"  --max-cores N        analyze N cores at most (default 100)\n"
	"  --journal            pycore handle's entries in the journal instead: the\n"
	"                       local journal, or the journal files in each DIR\n"
	"                       (such as systemd-journal-remote's)\n"
	"  --since TIME, --until TIME  with --journal, only the entries from or to\n"
	"                       TIME: \"2026-12-04 18:30:00\", \"yesterday\", \"-2h\"\n"
	"Exit status of ci: 0 no core found, 5 cores found, 1 a DIR cannot be\n"
	"read, 2 usage error, 4 pycore failed or a report cannot be written.\n"
	"\n"
	"pycore handle is a core_pattern handler: it reads a core on standard input\n"
	"and writes the reports of Python crashes into a spool directory:\n"
	"  |/usr/local/bin/pycore handle [OPTION]... -d%d %P %u %g %s %t %c %h\n"
	"Options come first: every word after the sixth argument is the host name.\n"
	"  --dir DIR            the spool (default /var/lib/pycore, created 0751)\n"
	"  --all                report crashes of programs that are not Python too\n"
	"  --keep-core          keep the core too, zstd-compressed, up to CORE_LIMIT\n"
	"  --max-core-size SIZE copy and analyze at most SIZE of core (default 4G)\n"
	"  --memory-budget SIZE the copy of the core is in memory up to SIZE, then\n"
	"                       in the spool (default a quarter of the memory\n"
	"                       available, at most 4G; 0: in the spool)\n"
	"  --keep-free SIZE     leave SIZE free on the spool's file system (default\n"
	"                       15% of it, at most 4G; 0: none)\n"
	"  --max-use SIZE       delete cores, then the oldest entries, to keep the\n"
	"                       spool under SIZE (default 10% of its file system,\n"
	"                       at most 4G; 0: no limit)\n"
	"  --max-handlers N     at most N handlers at once (default 4), half of\n"
	"                       them for one UID but 0; crashes over it are\n"
	"                       logged and not reported\n"
	"  --timeout SECONDS    the whole handler's time (default 300): reading\n"
	"                       stops too, which ends the kernel's dump\n"
	"  -d, --dump-mode N    the kernel's dump mode (%d); unless it is 1, the\n"
	"                       entry is root's only and analyzed as the system\n"
	"                       account pycore (nobody where there is none)\n"
	"  --forward COMMAND    pass the core on to COMMAND too, with the seven\n"
	"                       arguments (a shell command has them as $1 to $7)\n"
	"  --no-journal         no entry in the systemd journal: the log line goes\n"
	"                       to syslog, as when journald does not run\n"
	"The analysis runs as the crashing UID:GID, without capabilities, under\n"
	"seccomp and rlimits, with every file system unwritable to it (read-only\n"
	"mounts, Landlock); reports are 0640 root, readable by that user (ACL)\n"
	"only for a plain dump of a process whose ids are all one.\n"
	"Exit status of handle: 0 the crash was handled (reported, skipped, or\n"
	"logged as unreadable), 1 its set-up is broken (the spool cannot be made,\n"
	"is unsafe or cannot be written; the --forward program does not exist\n"
	"or cannot start), 2 usage error.\n";

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pycore: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pycore --help' for more information.\n");
	return EXIT_USAGE;
}

int cli_error_status(const struct pc_error *err)
{
	return err->code == PC_ERR_NOMEM || err->code == PC_ERR_LIBRARY ? EXIT_INTERNAL
									: EXIT_BAD_INPUT;
}

int cli_report_status(const struct analysis *analysis)
{
	return analysis->partial ? EXIT_PARTIAL : EXIT_OK;
}

int cli_other_option(int opt, char **argv)
{
	if (opt == 'h') {
		fputs(cli_usage_text, stdout);
		return EXIT_OK;
	}
	if (opt == 'V') {
		printf("pycore %s\n", PYCORE_VERSION);
		return EXIT_OK;
	}
	/* getopt_long() ran with opterr = 0; optind is past the option. */
	return cli_usage_error("unrecognized option or missing argument: '%s'", argv[optind - 1]);
}

int cli_count_option(const char *option, const char *arg, size_t *ret)
{
	if (cli_parse_count(arg, ret) != 0)
		return cli_usage_error("%s: '%s' is not a count from 1 to 10^9", option, arg);
	return EXIT_OK;
}

int cli_size_option(const char *option, const char *arg, uint64_t *ret)
{
	if (cli_parse_size(arg, ret) != 0)
		return cli_usage_error("%s: '%s' is not a size (bytes, or with a K, M, G or T "
				       "suffix)",
				       option, arg);
	return EXIT_OK;
}

int cli_seconds_option(const char *option, const char *arg, double *ret)
{
	if (cli_parse_seconds(arg, ret) != 0)
		return cli_usage_error("%s: '%s' is not a number of seconds above 0 and at most "
				       "10^9",
				       option, arg);
	return EXIT_OK;
}

int cli_shared_option(int opt, const char *arg, struct analysis_options *options,
		      const char **lib_dirs)
{
	switch (opt) {
	case CLI_OPT_SYSROOT:
		options->paths.sysroot = arg;
		return EXIT_OK;
	case CLI_OPT_LIB_PATH:
		return cli_add_lib_dir(options, lib_dirs, arg);
	case CLI_OPT_DEBUG_DIR:
		return cli_add_debug_dir(options, arg);
	case CLI_OPT_MAX_CORE_SIZE:
		return cli_size_option("--max-core-size", arg, &options->input.max_size);
	case CLI_OPT_MEMORY_BUDGET:
		/* 0: no copy in memory at all. */
		if (strcmp(arg, "0") == 0) {
			options->input.memory_budget = 0;
			return EXIT_OK;
		}
		return cli_size_option("--memory-budget", arg, &options->input.memory_budget);
	}
	return cli_usage_error("option %d is not a shared one", opt);
}

int cli_add_lib_dir(struct analysis_options *options, const char **lib_dirs, const char *dir)
{
	if (options->paths.nlib_dirs == CLI_MAX_LIB_DIRS)
		return cli_usage_error("more than %d --lib-path options", CLI_MAX_LIB_DIRS);
	lib_dirs[options->paths.nlib_dirs++] = dir;
	return EXIT_OK;
}

static int check_directory(const char *option, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		fprintf(stderr, "pycore: %s %s: %s\n", option, dir, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "pycore: %s %s: not a directory\n", option, dir);
		return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

int cli_check_paths(const struct analysis_options *options)
{
	size_t i;

	if (options->paths.sysroot && check_directory("--sysroot", options->paths.sysroot))
		return EXIT_BAD_INPUT;
	for (i = 0; i < options->paths.nlib_dirs; i++)
		if (check_directory("--lib-path", options->paths.lib_dirs[i]))
			return EXIT_BAD_INPUT;
	return EXIT_OK;
}

int cli_add_debug_dir(struct analysis_options *options, const char *dir)
{
	static const char *debug_dirs[CLI_MAX_LIB_DIRS];

	if (options->paths.ndebug_dirs == CLI_MAX_LIB_DIRS)
		return cli_usage_error("more than %d --debug-dir options", CLI_MAX_LIB_DIRS);
	debug_dirs[options->paths.ndebug_dirs++] = dir;
	options->paths.debug_dirs = debug_dirs;
	return EXIT_OK;
}

int cli_parse_count(const char *text, size_t *ret)
{
	char *end;
	unsigned long long value;

	if (!text[0] || text[0] == '-')
		return -1;
	value = strtoull(text, &end, 10);
	if (*end || value == 0 || value > 1000000000ULL)
		return -1;
	*ret = (size_t)value;
	return 0;
}

int cli_parse_seconds(const char *text, double *ret)
{
	char *end;
	double value;

	/* Digits first: strtod would also take "inf", "nan" and hex. */
	if ((text[0] < '0' || text[0] > '9') && text[0] != '.')
		return -1;
	errno = 0;
	value = strtod(text, &end);
	if (errno || *end || end == text || !(value > 0) || value > 1e9 ||
	    strchr(text, 'x') || strchr(text, 'X'))
		return -1;
	*ret = value;
	return 0;
}

int cli_parse_size(const char *text, uint64_t *ret)
{
	static const char suffixes[] = "KMGT";
	unsigned long long value;
	const char *suffix;
	char *end;
	size_t shifts;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || value == 0)
		return -1;
	if (*end) {
		suffix = end[1] ? NULL : memchr(suffixes, toupper((unsigned char)end[0]), 4);
		if (!suffix)
			return -1;
		for (shifts = (size_t)(suffix - suffixes) + 1; shifts > 0; shifts--) {
			if (value > UINT64_MAX / 1024)
				return -1;
			value *= 1024;
		}
	}
	*ret = value;
	return 0;
}

