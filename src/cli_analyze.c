/* pycore analyze: the report of one core. */
#include "analysis.h"
#include "cli.h"
#include "error.h"
#include "report_text.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_FRAMES 10000
#define DEFAULT_MAX_THREADS 4096
#define MAX_LIB_DIRS 64

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

int cli_analyze(int argc, char **argv)
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
	/* The command name stands in for argv[0]; optind = 0 makes getopt
	 * start over, in the usual GNU way (options may follow the core). */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_SYSROOT:
			options.paths.sysroot = optarg;
			break;
		case OPT_LIB_PATH:
			if (options.paths.nlib_dirs == MAX_LIB_DIRS)
				return cli_usage_error("more than %d --lib-path options", MAX_LIB_DIRS);
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
				return cli_usage_error("--layout: unknown source '%s' (auto, dwarf, "
						   "debug-offsets, tables)",
						   optarg);
			break;
		case OPT_MAX_FRAMES:
			if (cli_parse_count(optarg, &options.python.max_frames) != 0)
				return cli_usage_error("--max-frames: '%s' is not a count from 1 to 10^9",
						   optarg);
			options.max_native_frames = options.python.max_frames;
			break;
		case OPT_MAX_THREADS:
			if (cli_parse_count(optarg, &options.python.max_threads) != 0)
				return cli_usage_error("--max-threads: '%s' is not a count from 1 to 10^9",
						   optarg);
			break;
		case 'h':
			fputs(cli_usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("pycore %s\n", PYCORE_VERSION);
			return EXIT_OK;
		default:
			return cli_usage_error("unrecognized option or missing argument: '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("analyze: no core file given");
	if (argc - optind > 2)
		return cli_usage_error("analyze: too many arguments (from '%s')", argv[optind + 2]);
	options.core_path = argv[optind];
	options.executable = argc - optind == 2 ? argv[optind + 1] : NULL;
	return analyze(&options, &report_options);
}
