/* pycore: what every thread of a crashed CPython process was doing, read
 * from its core file.  Option parsing and exit statuses live here alone. */
#include "analysis.h"
#include "error.h"
#include "report_text.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit statuses, as --help and pycore(1) document them. */
enum {
	EXIT_OK = 0,
	EXIT_BAD_INPUT = 1,
	EXIT_USAGE = 2,
	EXIT_PARTIAL = 3,
	EXIT_INTERNAL = 4,
};

#define DEFAULT_MAX_FRAMES 10000
#define DEFAULT_MAX_THREADS 4096
#define MAX_LIB_DIRS 64

static const char usage_text[] =
	"Usage: pycore analyze [OPTION]... CORE [EXECUTABLE]\n"
	"       pycore --help | --version\n"
	"\n"
	"Print what every thread of a crashed CPython process was doing: its\n"
	"Python traceback and its native stack, read from the core file CORE.\n"
	"EXECUTABLE is the program that crashed; by default it is found from the\n"
	"core (its NT_FILE note, else AT_EXECFN).\n"
	"\n"
	"Options:\n"
	"  --sysroot DIR        find every file the core names under DIR\n"
	"  --lib-path DIR       also look for libraries in DIR, by base name\n"
	"                       (repeatable)\n"
	"  --no-source          do not print source lines under Python frames\n"
	"  --no-native          do not unwind or print native stacks\n"
	"  --layout SOURCE      where struct layouts come from: auto (default: DWARF,\n"
	"                       then _Py_DebugOffsets on 3.13+, then built-in tables),\n"
	"                       dwarf, debug-offsets or tables\n"
	"  --max-frames N       frames shown per stack, Python and native (default 10000)\n"
	"  --max-threads N      Python thread states read (default 4096)\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  the report is complete\n"
	"  1  bad input: CORE or EXECUTABLE missing, unreadable, not a core,\n"
	"     or from another architecture\n"
	"  2  usage error\n"
	"  3  partial report: something could not be read (truncated core,\n"
	"     unreadable frames); the report says what\n"
	"  4  pycore failed (out of memory, library error)\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "pycore: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'pycore --help' for more information.\n");
	return EXIT_USAGE;
}

static int parse_count(const char *text, size_t *ret)
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

static int parse_layout(const char *text, enum layout_request *ret)
{
	static const struct {
		const char *name;
		enum layout_request request;
	} names[] = {
		{"auto", LAYOUT_REQUEST_AUTO},
		{"dwarf", LAYOUT_REQUEST_DWARF},
		{"debug-offsets", LAYOUT_REQUEST_DEBUG_OFFSETS},
		{"tables", LAYOUT_REQUEST_TABLES},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i].name) == 0) {
			*ret = names[i].request;
			return 0;
		}
	return -1;
}

enum {
	OPT_SYSROOT = 256,
	OPT_LIB_PATH,
	OPT_NO_SOURCE,
	OPT_NO_NATIVE,
	OPT_LAYOUT,
	OPT_MAX_FRAMES,
	OPT_MAX_THREADS,
};

static const struct option long_options[] = {
	{"sysroot", required_argument, NULL, OPT_SYSROOT},
	{"lib-path", required_argument, NULL, OPT_LIB_PATH},
	{"no-source", no_argument, NULL, OPT_NO_SOURCE},
	{"no-native", no_argument, NULL, OPT_NO_NATIVE},
	{"layout", required_argument, NULL, OPT_LAYOUT},
	{"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
	{"max-threads", required_argument, NULL, OPT_MAX_THREADS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int analyze(const struct analysis_options *options,
		   const struct report_options *report_options)
{
	struct analysis *analysis;
	struct pc_error *err;
	int status;

	err = analysis_run(options, &analysis);
	if (err) {
		status = err->code == PC_ERR_NOMEM || err->code == PC_ERR_LIBRARY ? EXIT_INTERNAL
										  : EXIT_BAD_INPUT;
		fprintf(stderr, "pycore: %s: %s\n", options->core_path, err->message);
		pc_error_destroy(err);
		return status;
	}
	report_text(stdout, analysis, report_options);
	status = analysis->partial ? EXIT_PARTIAL : EXIT_OK;
	analysis_destroy(analysis);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("pycore: writing the report");
		return EXIT_INTERNAL;
	}
	return status;
}

int main(int argc, char **argv)
{
	const char *lib_dirs[MAX_LIB_DIRS];
	struct analysis_options options = {
		.python = {.layout = LAYOUT_REQUEST_AUTO,
			   .max_frames = DEFAULT_MAX_FRAMES,
			   .max_threads = DEFAULT_MAX_THREADS},
		.max_native_frames = DEFAULT_MAX_FRAMES,
		.native = true,
	};
	struct report_options report_options = {.source = true, .native = true};
	int opt;

	options.paths.lib_dirs = lib_dirs;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("pycore %s\n", PYCORE_VERSION);
			return EXIT_OK;
		default:
			return usage_error("%s", "a command is needed first: pycore analyze CORE");
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no command given (pycore analyze CORE)");
	if (strcmp(argv[optind], "analyze") != 0)
		return usage_error("unknown command '%s'", argv[optind]);
	/* Parse the command's own arguments afresh, in the usual GNU way
	 * (options may follow the core): the command name stands in for
	 * argv[0], and optind = 0 makes getopt start over. */
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_SYSROOT:
			options.paths.sysroot = optarg;
			break;
		case OPT_LIB_PATH:
			if (options.paths.nlib_dirs == MAX_LIB_DIRS)
				return usage_error("more than 64 --lib-path options%s", "");
			lib_dirs[options.paths.nlib_dirs++] = optarg;
			break;
		case OPT_NO_SOURCE:
			report_options.source = false;
			break;
		case OPT_NO_NATIVE:
			report_options.native = false;
			options.native = false;
			break;
		case OPT_LAYOUT:
			if (parse_layout(optarg, &options.python.layout) != 0)
				return usage_error("--layout: unknown source '%s' (auto, dwarf, "
						   "debug-offsets, tables)",
						   optarg);
			break;
		case OPT_MAX_FRAMES:
			if (parse_count(optarg, &options.python.max_frames) != 0)
				return usage_error("--max-frames: '%s' is not a count from 1 to 10^9",
						   optarg);
			options.max_native_frames = options.python.max_frames;
			break;
		case OPT_MAX_THREADS:
			if (parse_count(optarg, &options.python.max_threads) != 0)
				return usage_error("--max-threads: '%s' is not a count from 1 to 10^9",
						   optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("pycore %s\n", PYCORE_VERSION);
			return EXIT_OK;
		default:
			return usage_error("unrecognized option or missing argument: '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "analyze: no core file given");
	if (argc - optind > 2)
		return usage_error("analyze: too many arguments (from '%s')", argv[optind + 2]);
	options.core_path = argv[optind];
	options.executable = argc - optind == 2 ? argv[optind + 1] : NULL;
	return analyze(&options, &report_options);
}
