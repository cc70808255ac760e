/* pycore analyze: the report of one core. */
#include "analysis/analysis.h"
#include "cmd/cli.h"
#include "base/error.h"
#include "report/json.h"
#include "report/text.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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
	OPT_NO_SOURCE = CLI_OPT_OWN,
	OPT_NO_NATIVE,
	OPT_LAYOUT,
	OPT_MAX_FRAMES,
	OPT_MAX_THREADS,
	OPT_NATIVE,
	OPT_NATIVE_ALL,
	OPT_NATIVE_SOURCE,
	OPT_FORMAT,
	OPT_LOCALS,
	OPT_TIMEOUT,
	OPT_TASKS,
	OPT_MAX_TASKS,
};

static const struct option long_options[] = {
	CLI_OPTION_SYSROOT,
	CLI_OPTION_LIB_PATH,
	CLI_OPTION_DEBUG_DIR,
	CLI_OPTION_MAX_CORE_SIZE,
	CLI_OPTION_MEMORY_BUDGET,
	{"no-source", no_argument, NULL, OPT_NO_SOURCE},
	{"no-native", no_argument, NULL, OPT_NO_NATIVE},
	{"layout", required_argument, NULL, OPT_LAYOUT},
	{"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
	{"max-threads", required_argument, NULL, OPT_MAX_THREADS},
	{"native", no_argument, NULL, OPT_NATIVE},
	{"native-all", no_argument, NULL, OPT_NATIVE_ALL},
	{"native-source", no_argument, NULL, OPT_NATIVE_SOURCE},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"locals", no_argument, NULL, OPT_LOCALS},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"tasks", required_argument, NULL, OPT_TASKS},
	{"max-tasks", required_argument, NULL, OPT_MAX_TASKS},
	CLI_OPTIONS_END,
};

static int analyze(const struct analysis_options *options,
		   const struct report_options *report_options, bool json)
{
	struct analysis *analysis;
	struct pc_error *err;
	int status;

	err = analysis_run(options, &analysis);
	if (err) {
		status = cli_error_status(err);
		fprintf(stderr, "pycore: %s: %s\n", options->core_path, err->message);
		pc_error_destroy(err);
		return status;
	}
	if (json)
		report_json(stdout, analysis, report_options);
	else
		report_text(stdout, analysis, report_options);
	status = cli_report_status(analysis);
	analysis_destroy(analysis);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("pycore: writing the report");
		return EXIT_INTERNAL;
	}
	return status;
}

int cli_analyze(int argc, char **argv)
{
	const char *lib_dirs[CLI_MAX_LIB_DIRS];
	struct analysis_options options;
	struct report_options report_options = {.source = true, .native = true};
	bool json = false;
	int opt;

	analysis_options_init(&options, lib_dirs);
	opterr = 0;
	/* The command name stands in for argv[0]; optind = 0 makes getopt
	 * start over, in the usual GNU way (options may follow the core). */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
		switch (opt) {
		case CLI_OPT_SYSROOT:
		case CLI_OPT_LIB_PATH:
		case CLI_OPT_DEBUG_DIR:
		case CLI_OPT_MAX_CORE_SIZE:
		case CLI_OPT_MEMORY_BUDGET:
			if (cli_shared_option(opt, optarg, &options, lib_dirs) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case OPT_NO_SOURCE:
			report_options.source = false;
			break;
		case OPT_LOCALS:
			options.python.locals = true;
			break;
		case OPT_NATIVE_ALL:
			options.mixed_all = true;
			/* fall through */
		case OPT_NATIVE:
			options.mixed = true;
			break;
		case OPT_NATIVE_SOURCE:
			options.native_source = true;
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
			if (cli_count_option("--max-frames", optarg, &options.python.max_frames))
				return EXIT_USAGE;
			options.max_native_frames = options.python.max_frames;
			break;
		case OPT_MAX_THREADS:
			if (cli_count_option("--max-threads", optarg, &options.python.max_threads))
				return EXIT_USAGE;
			break;
		case OPT_TASKS:
			if (strcmp(optarg, "list") != 0 && strcmp(optarg, "tree") != 0 &&
			    strcmp(optarg, "none") != 0)
				return cli_usage_error("--tasks: unknown mode '%s' (list, tree, none)",
						       optarg);
			options.python.tasks = strcmp(optarg, "none") != 0;
			report_options.tasks_tree = strcmp(optarg, "tree") == 0;
			break;
		case OPT_MAX_TASKS:
			if (cli_parse_count(optarg, &options.python.max_tasks) != 0)
				return cli_usage_error("--max-tasks: '%s' is not a count from 1 to 10^9",
						       optarg);
			break;
		case OPT_TIMEOUT:
			if (cli_seconds_option("--timeout", optarg, &options.timeout))
				return EXIT_USAGE;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage_error("--format: unknown format '%s' (text, json)",
						       optarg);
			json = strcmp(optarg, "json") == 0;
			break;
		default:
			return cli_other_option(opt, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("analyze: no core file given");
	if (argc - optind > 2)
		return cli_usage_error("analyze: too many arguments (from '%s')", argv[optind + 2]);
	if (options.mixed && !options.native)
		return cli_usage_error("--native and --no-native contradict each other");
	if (cli_check_paths(&options) != EXIT_OK)
		return EXIT_BAD_INPUT;
	options.core_path = argv[optind];
	options.executable = argc - optind == 2 ? argv[optind + 1] : NULL;
	return analyze(&options, &report_options, json);
}
