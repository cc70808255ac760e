#include "handle/options.h"

#include "cmd/cli.h"
#include "handle/spool.h"
#include "input/copy_file.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#define DEFAULT_SPOOL "/var/lib/pycore"
#define MAX_TIMEOUT 86400
/* The temporary copy of the core: far more than a Python process's core
 * needs for its stacks, far less than a touched-once huge mapping. */
#define DEFAULT_MAX_CORE_SIZE (4ULL << 30)
/* As systemd-coredump's MaxUse= and KeepFree=: a share of the spool's file
 * system, at most 4 GiB. */
#define DEFAULT_USE_PERCENT 10
#define DEFAULT_KEEP_FREE_PERCENT 15
#define DEFAULT_SPACE_CAP (4ULL << 30)
#define DEFAULT_MAX_HANDLERS 4
#define MAX_HANDLERS 1024

void handle_options_init(struct handle_options *ret)
{
	*ret = (struct handle_options){
		.dir = DEFAULT_SPOOL,
		.max_core_size = DEFAULT_MAX_CORE_SIZE,
		.max_handlers = DEFAULT_MAX_HANDLERS,
		.timeout = HANDLE_DEFAULT_TIMEOUT,
		.dump_mode = -1,
		.journal = true,
		.memory_budget = copy_file_default_budget(),
	};
}

static int handle_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: logged too, since the kernel shows pycore's standard error
 * to no one. */
static int handle_usage(const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	syslog(LOG_ERR, "handle: %s", message);
	return cli_usage_error("handle: %s", message);
}

static bool parse_u64(const char *text, unsigned long long max, unsigned long long *ret)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	*ret = strtoull(text, &end, 10);
	return !errno && !*end && *ret <= max;
}

/* A size, or "0" where 0 turns a default limit off. */
static bool parse_size_or_zero(const char *text, uint64_t *ret)
{
	if (strcmp(text, "0") == 0) {
		*ret = 0;
		return true;
	}
	return cli_parse_size(text, ret) == 0;
}

enum {
	OPT_DIR = CLI_OPT_OWN,
	OPT_ALL,
	OPT_KEEP_CORE,
	OPT_MAX_USE,
	OPT_TIMEOUT,
	OPT_FORWARD,
	OPT_KEEP_FREE,
	OPT_MAX_HANDLERS,
	OPT_NO_JOURNAL,
	OPT_DUMP_MODE = 'd',
};

static const struct option long_options[] = {
	{"dir", required_argument, NULL, OPT_DIR},
	{"all", no_argument, NULL, OPT_ALL},
	{"keep-core", no_argument, NULL, OPT_KEEP_CORE},
	CLI_OPTION_MAX_CORE_SIZE,
	CLI_OPTION_MEMORY_BUDGET,
	{"max-use", required_argument, NULL, OPT_MAX_USE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"forward", required_argument, NULL, OPT_FORWARD},
	{"keep-free", required_argument, NULL, OPT_KEEP_FREE},
	{"max-handlers", required_argument, NULL, OPT_MAX_HANDLERS},
	{"dump-mode", required_argument, NULL, OPT_DUMP_MODE},
	{"no-journal", no_argument, NULL, OPT_NO_JOURNAL},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Parse options from ARGV[1] on, up to the first argument that is not one
 * ("+": getopt must not look past it).  Returns EXIT_OK, -1 after --help,
 * or a usage error; optind is where it stopped. */
static int parse_options(int argc, char **argv, struct handle_options *o)
{
	unsigned long long number;
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+hd:", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_DIR:
			o->dir = optarg;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_KEEP_CORE:
			o->keep_core = true;
			break;
		case CLI_OPT_MAX_CORE_SIZE:
			if (cli_parse_size(optarg, &o->max_core_size) != 0)
				return handle_usage("--max-core-size: '%s' is not a size", optarg);
			break;
		case CLI_OPT_MEMORY_BUDGET:
			/* 0: the copy goes to the spool from its first byte. */
			if (!parse_size_or_zero(optarg, &o->memory_budget))
				return handle_usage("--memory-budget: '%s' is not a size", optarg);
			break;
		case OPT_MAX_USE:
			/* 0: no limit, as the default is one. */
			if (!parse_size_or_zero(optarg, &o->max_use))
				return handle_usage("--max-use: '%s' is not a size", optarg);
			o->max_use_set = true;
			break;
		case OPT_KEEP_FREE:
			if (!parse_size_or_zero(optarg, &o->keep_free))
				return handle_usage("--keep-free: '%s' is not a size", optarg);
			o->keep_free_set = true;
			break;
		case OPT_MAX_HANDLERS:
			if (!parse_u64(optarg, MAX_HANDLERS, &number) || number == 0)
				return handle_usage("--max-handlers: '%s' is not a number from 1 "
						    "to %d",
						    optarg, MAX_HANDLERS);
			o->max_handlers = (unsigned)number;
			break;
		case OPT_TIMEOUT:
			if (!parse_u64(optarg, MAX_TIMEOUT, &number) || number == 0)
				return handle_usage("--timeout: '%s' is not a number of seconds from "
						    "1 to %d",
						    optarg, MAX_TIMEOUT);
			o->timeout = (unsigned)number;
			break;
		case OPT_DUMP_MODE:
			/* Any number: only 1 is a plain dump. */
			if (!parse_u64(optarg, 255, &number))
				return handle_usage("--dump-mode: '%s' is not the kernel's %%d",
						    optarg);
			o->dump_mode = (int)number;
			break;
		case OPT_FORWARD:
			o->forward = optarg;
			break;
		case OPT_NO_JOURNAL:
			o->journal = false;
			break;
		case 'h':
			cli_other_option(opt, argv);
			return -1;
		default:
			return handle_usage("unrecognized option or missing argument: '%s'",
					    argv[optind - 1]);
		}
	}
	return EXIT_OK;
}

/* Options come first, and only first: what follows them is the kernel's
 * seven arguments, taken as they come.  %h is the host name, which a
 * container chooses, and kernels before 5.3 split core_pattern at spaces
 * after expanding it: every word after the sixth is a part of the host
 * name, however much it looks like an option. */
int handle_options_parse(int argc, char **argv, struct handle_options *options,
			 struct crash *crash)
{
	static const char *const names[CRASH_NARGS] = {"PID", "UID", "GID", "SIGNAL", "TIME",
						       "CORE_LIMIT", "HOSTNAME"};
	static const unsigned long long max[CRASH_NARGS - 1] = {
		0x7fffffff, 0xffffffff, 0xffffffff, 128, 0x7fffffffffffffffULL, UINT64_MAX};
	unsigned long long value[CRASH_NARGS - 1];
	size_t used = 0;
	int status, first, i;

	status = parse_options(argc, argv, options);
	if (status != EXIT_OK)
		return status;
	first = optind;
	if (argc - first < CRASH_NARGS)
		return handle_usage("%d arguments, expected the kernel's seven: %%P %%u %%g %%s "
				    "%%t %%c %%h",
				    argc - first);
	for (i = 0; i < CRASH_NARGS - 1; i++)
		crash->args[i] = argv[first + i];
	/* A longer name is cut: no host name is. */
	for (i = first + CRASH_NARGS - 1; i < argc && used < sizeof(crash->host_words) - 1; i++)
		used += (size_t)snprintf(crash->host_words + used, sizeof(crash->host_words) - used,
					 "%s%s", i > first + CRASH_NARGS - 1 ? " " : "", argv[i]);
	crash->args[CRASH_NARGS - 1] = crash->host_words;
	for (i = 0; i < CRASH_NARGS - 1; i++)
		if (!parse_u64(crash->args[i], max[i], &value[i]))
			return handle_usage("%s: '%s' is not a number", names[i], crash->args[i]);
	if (value[0] == 0)
		return handle_usage("PID: 0 is no process");
	crash->pid = (pid_t)value[0];
	crash->uid = (uid_t)value[1];
	crash->gid = (gid_t)value[2];
	crash->signo = (int)value[3];
	crash->time = (long long)value[4];
	crash->core_limit = value[5];
	crash->host = crash->host_words;
	return EXIT_OK;
}

void handle_options_share_space(struct handle_options *options, const struct spool *spool)
{
	if (!options->max_use_set)
		options->max_use = spool_share(spool, DEFAULT_USE_PERCENT, DEFAULT_SPACE_CAP);
	if (!options->keep_free_set)
		options->keep_free = spool_share(spool, DEFAULT_KEEP_FREE_PERCENT, DEFAULT_SPACE_CAP);
}
