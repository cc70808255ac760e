/* pycore ci: find the core files a test run left behind, analyze each, and
 * group them by crash fingerprint, for a CI log, GitHub Actions and JUnit
 * viewers; with --journal, pycore handle's entries in the journal instead.
 * The exit status says whether any core was found. */
#include "cmd/ci.h"
#include "cmd/cli.h"
#include "base/error.h"
#include "base/time_spec.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct pc_error *analyze(struct ci *ci, struct ci_core *core)
{
	struct analysis_options options = ci->analysis;
	struct analysis *analysis;
	struct pc_error *err;

	options.core_path = core->path;
	err = analysis_run(&options, &analysis);
	if (err)
		return ci_failed(err, core);
	err = ci_summarize(analysis, core);
	analysis_destroy(analysis);
	return err;
}

static bool write_file(const char *path, const char *mode, const struct ci *ci,
		       struct pc_error *(*report)(FILE *out, const struct ci *ci),
		       struct pc_error **err)
{
	FILE *out = fopen(path, mode);
	bool failed;

	if (!out) {
		fprintf(stderr, "pycore: cannot open '%s': %s\n", path, strerror(errno));
		return false;
	}
	*err = report(out, ci);
	failed = ferror(out);
	if (fclose(out) != 0 || failed) {
		fprintf(stderr, "pycore: cannot write '%s': %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

enum {
	OPT_GITHUB = CLI_OPT_OWN,
	OPT_JUNIT,
	OPT_MAX_DEPTH,
	OPT_MAX_FILES,
	OPT_MAX_CORES,
	OPT_JOURNAL,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_FORMAT,
};

static const struct option long_options[] = {
	{"github", no_argument, NULL, OPT_GITHUB},
	{"junit", required_argument, NULL, OPT_JUNIT},
	CLI_OPTION_SYSROOT,
	CLI_OPTION_LIB_PATH,
	CLI_OPTION_DEBUG_DIR,
	CLI_OPTION_MEMORY_BUDGET,
	{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"max-files", required_argument, NULL, OPT_MAX_FILES},
	{"max-cores", required_argument, NULL, OPT_MAX_CORES},
	{"journal", no_argument, NULL, OPT_JOURNAL},
	{"since", required_argument, NULL, OPT_SINCE},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"format", required_argument, NULL, OPT_FORMAT},
	CLI_OPTIONS_END,
};

/* Everything after the options are parsed. */
static int run(struct ci *ci)
{
	struct pc_error *err;
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	bool written = true;
	size_t i;

	if (ci->journal) {
		err = ci_read_journal(ci);
	} else {
		err = ci_find_cores(ci);
		for (i = 0; !err && i < ci->ncores; i++)
			if (!ci->cores[i].error)
				err = analyze(ci, &ci->cores[i]);
	}
	if (!err)
		err = ci_group(ci);
	if (!err)
		err = ci->json ? ci_report_json(stdout, ci) : ci_report_text(stdout, ci);
	if (!err && ci->github)
		err = ci_report_github(stdout, ci);
	if (!err && ci->github && summary && summary[0])
		written = write_file(summary, "a", ci, ci_report_markdown, &err);
	if (!err && ci->junit)
		written = write_file(ci->junit, "w", ci, ci_report_junit, &err) && written;
	if (err) {
		fprintf(stderr, "pycore: %s\n", err->message);
		pc_error_destroy(err);
		return EXIT_INTERNAL;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("pycore: writing the summary");
		return EXIT_INTERNAL;
	}
	if (!written)
		return EXIT_INTERNAL;
	if (ci->ncores || ci->cores_skipped)
		return EXIT_CORES_FOUND;
	return ci->bad_dir ? EXIT_BAD_INPUT : EXIT_OK;
}

int cli_ci(int argc, char **argv)
{
	static char *const here[] = {".", NULL};
	const char *lib_dirs[CLI_MAX_LIB_DIRS];
	struct ci ci = {
		.max_depth = CI_DEFAULT_MAX_DEPTH,
		.max_files = CI_DEFAULT_MAX_FILES,
		.max_cores = CI_DEFAULT_MAX_CORES,
		.until = UINT64_MAX,
	};
	int opt, status;

	analysis_options_init(&ci.analysis, lib_dirs);
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_GITHUB:
			ci.github = true;
			break;
		case OPT_JUNIT:
			ci.junit = optarg;
			break;
		case CLI_OPT_SYSROOT:
		case CLI_OPT_LIB_PATH:
		case CLI_OPT_DEBUG_DIR:
		case CLI_OPT_MEMORY_BUDGET:
			if (cli_shared_option(opt, optarg, &ci.analysis, lib_dirs) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case OPT_MAX_DEPTH:
			if (cli_count_option("--max-depth", optarg, &ci.max_depth) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case OPT_MAX_FILES:
			if (cli_count_option("--max-files", optarg, &ci.max_files) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case OPT_MAX_CORES:
			if (cli_count_option("--max-cores", optarg, &ci.max_cores) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage_error("--format: unknown format '%s' (text, json)",
						       optarg);
			ci.json = strcmp(optarg, "json") == 0;
			break;
		case OPT_JOURNAL:
			ci.journal = true;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (!time_spec_parse(optarg, now_usec(),
					   opt == OPT_SINCE ? &ci.since : &ci.until))
				return cli_usage_error("%s: '%s' is not a time",
						       opt == OPT_SINCE ? "--since" : "--until",
						       optarg);
			break;
		default:
			return cli_other_option(opt, argv);
		}
	}
	if ((ci.since || ci.until != UINT64_MAX) && !ci.journal)
		return cli_usage_error("--since and --until are for --journal");
	if (ci.json && ci.github)
		return cli_usage_error("--format json and --github both write to standard output");
	if (cli_check_paths(&ci.analysis) != EXIT_OK)
		return EXIT_BAD_INPUT;
	if (optind < argc) {
		ci.dirs = argv + optind;
		ci.ndirs = (size_t)(argc - optind);
	} else if (!ci.journal) {
		ci.dirs = here;
		ci.ndirs = 1;
	}
	status = run(&ci);
	ci_deinit(&ci);
	return status;
}

