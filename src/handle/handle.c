/* pycore handle: the kernel's core_pattern handler.
 *
 *   |/usr/local/bin/pycore handle [OPTION]... %P %u %g %s %t %c %h
 *
 * The kernel runs it as root, on every crash of every user and container,
 * with the core on standard input and the crashed process blocked until
 * the core is read.  So it reads first and thinks later, and thinks out of
 * root: the parent opens /proc/PID, copies standard input into a
 * temporary file (and passes it on to --forward) and commits the files of
 * the spool; it parses nothing of the core.  The core is analyzed in a
 * child that first drops to the crashing user's credentials with no
 * capability, no new privileges, a seccomp filter and rlimits
 * (sandbox.h), and that --timeout kills if it must.
 *
 * Everything is bounded: the handlers running at once (slots in the
 * spool), the time of the whole handler (--timeout stops reading too,
 * which ends the kernel's dump), the temporary copy of the core (its
 * pages of zeros are holes; --max-core-size; the free space kept), each
 * report (frames per thread, bytes per file), the spool (--max-use).  A
 * crash it cannot analyze is logged, never a reason to leave the kernel
 * waiting; its exit status is not 0 only when its own set-up is broken. */
#include "analysis/analysis.h"
#include "cmd/cli.h"
#include "elf/core.h"
#include "base/error.h"
#include "base/escape.h"
#include "input/input.h"
#include "handle/keep_core.h"
#include "handle/live_process.h"
#include "elf/paths.h"
#include "python/python.h"
#include "report/json.h"
#include "report/text.h"
#include "handle/sandbox.h"
#include "analysis/signals.h"
#include "handle/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SPOOL "/var/lib/pycore"
#define DEFAULT_TIMEOUT 300
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
/* Each report: frames per thread (Python and native), bytes per file. */
#define REPORT_MAX_FRAMES 256
#define REPORT_MAX_BYTES (16ULL << 20)
/* The analysis child's address space: the core is mapped in it. */
#define ANALYSIS_MEMORY (2ULL << 30)
/* The analysis child's exit status when the core is not a Python
 * process's: the entry is dropped. */
#define EXIT_NOT_PYTHON 10
#define NARGS 7			/* %P %u %g %s %t %c %h */
#define TEXT_MAX 400		/* bytes of a name from the core, escaped, in a line */
#define SUMMARY_MAX 1024	/* the crashing frame, as the analysis child sends it */
/* A core size limit below a page means "no core" (ulimit -c 0). */
#define MIN_CORE_LIMIT 4096
#define WAIT_STEP_NS 10000000	/* 10 ms between looks at a child */

struct handle {
	/* The kernel's arguments: the raw text (passed to --forward) and values. */
	char *const *args;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int signo;
	long long time;
	uint64_t core_limit;
	const char *host;

	const char *dir;
	bool all;
	bool keep_core;
	uint64_t max_core_size;
	uint64_t max_use;	/* 0: no limit */
	bool max_use_set;	/* else a share of the file system */
	uint64_t keep_free;
	bool keep_free_set;	/* else a share of the file system */
	unsigned max_handlers;
	unsigned timeout;
	const char *forward;

	struct spool spool;
	struct live_process process;
	bool python_checked;	/* /proc showed it is a Python process */
	struct input *input;
	char exe_path[32];	/* /proc/self/fd/N of the live executable */
	char root_path[32];	/* /proc/self/fd/N of the live root, when not ours */
	int status;		/* the exit status */
};

/* What the analysis child tells the parent, one escaped line each: the
 * process's name (for the entry's name), its executable and crashing frame
 * (for the log), and what could not be written.  Untrusted: the child has
 * parsed the core. */
struct child_report {
	char comm[TEXT_MAX];
	char executable[TEXT_MAX];
	char summary[SUMMARY_MAX];
	char text_problem[TEXT_MAX];	/* the text report could not be written: why */
	char json_problem[TEXT_MAX];	/* nor the JSON */
	bool text_cut, json_cut;	/* REPORT_MAX_BYTES was reached */
};

struct forward {
	pid_t pid;		/* -1: not running */
	int fd;			/* the write end of its standard input, or -1 */
	char problem[256];	/* why it stopped getting the core */
};

static volatile sig_atomic_t timed_out;

static void on_alarm(int signo)
{
	(void)signo;
	timed_out = 1;
}

/* One line to syslog (which the journal collects, where there is one) and
 * to standard error, for whoever runs pycore handle by hand. */
static void handle_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void handle_log(int priority, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	syslog(priority, "%s", line);
	fprintf(stderr, "pycore: %s\n", line);
}

/* The kernel gives its helper a pipe on standard input and nothing else:
 * without this, the first file opened would become standard error. */
static void ensure_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			return;
}

static void drain_stdin(void)
{
	char buf[65536];
	ssize_t n;

	if (isatty(STDIN_FILENO))
		return;
	do
		n = read(STDIN_FILENO, buf, sizeof(buf));
	while (!timed_out && (n > 0 || (n < 0 && errno == EINTR)));
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
};

static const struct option long_options[] = {
	{"dir", required_argument, NULL, OPT_DIR},
	{"all", no_argument, NULL, OPT_ALL},
	{"keep-core", no_argument, NULL, OPT_KEEP_CORE},
	CLI_OPTION_MAX_CORE_SIZE,
	{"max-use", required_argument, NULL, OPT_MAX_USE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"forward", required_argument, NULL, OPT_FORWARD},
	{"keep-free", required_argument, NULL, OPT_KEEP_FREE},
	{"max-handlers", required_argument, NULL, OPT_MAX_HANDLERS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Parse options from ARGV[1] on, up to the first argument that is not one
 * ("+": getopt must not look past it).  Returns EXIT_OK, -1 after --help,
 * or a usage error; optind is where it stopped. */
static int parse_options(int argc, char **argv, struct handle *h)
{
	unsigned long long number;
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_DIR:
			h->dir = optarg;
			break;
		case OPT_ALL:
			h->all = true;
			break;
		case OPT_KEEP_CORE:
			h->keep_core = true;
			break;
		case CLI_OPT_MAX_CORE_SIZE:
			if (cli_parse_size(optarg, &h->max_core_size) != 0)
				return handle_usage("--max-core-size: '%s' is not a size", optarg);
			break;
		case OPT_MAX_USE:
			/* 0: no limit, as the default is one. */
			if (!parse_size_or_zero(optarg, &h->max_use))
				return handle_usage("--max-use: '%s' is not a size", optarg);
			h->max_use_set = true;
			break;
		case OPT_KEEP_FREE:
			if (!parse_size_or_zero(optarg, &h->keep_free))
				return handle_usage("--keep-free: '%s' is not a size", optarg);
			h->keep_free_set = true;
			break;
		case OPT_MAX_HANDLERS:
			if (!parse_u64(optarg, MAX_HANDLERS, &number) || number == 0)
				return handle_usage("--max-handlers: '%s' is not a number from 1 "
						    "to %d",
						    optarg, MAX_HANDLERS);
			h->max_handlers = (unsigned)number;
			break;
		case OPT_TIMEOUT:
			if (!parse_u64(optarg, MAX_TIMEOUT, &number) || number == 0)
				return handle_usage("--timeout: '%s' is not a number of seconds from "
						    "1 to %d",
						    optarg, MAX_TIMEOUT);
			h->timeout = (unsigned)number;
			break;
		case OPT_FORWARD:
			h->forward = optarg;
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

/* Options, the kernel's seven arguments, options.  The seven are taken as
 * they come, never as options: %h is the host name, which a container
 * chooses, and "--forward=..." is a valid one. */
static int parse(int argc, char **argv, struct handle *h)
{
	static const char *const names[NARGS] = {"PID", "UID", "GID", "SIGNAL", "TIME",
						 "CORE_LIMIT", "HOSTNAME"};
	static const unsigned long long max[NARGS - 1] = {
		0x7fffffff, 0xffffffff, 0xffffffff, 128, 0x7fffffffffffffffULL, UINT64_MAX};
	unsigned long long value[NARGS - 1];
	int status, first, i;

	status = parse_options(argc, argv, h);
	if (status != EXIT_OK)
		return status;
	first = optind;
	if (argc - first < NARGS)
		return handle_usage("%d arguments, expected the kernel's seven: %%P %%u %%g %%s "
				    "%%t %%c %%h",
				    argc - first);
	h->args = argv + first;
	/* The host name stands where getopt expects the program's name. */
	status = parse_options(argc - (first + NARGS - 1), argv + first + NARGS - 1, h);
	if (status != EXIT_OK)
		return status;
	if (optind < argc - (first + NARGS - 1))
		return handle_usage("unexpected argument '%s' after the kernel's seven",
				    argv[first + NARGS - 1 + optind]);
	for (i = 0; i < NARGS - 1; i++)
		if (!parse_u64(h->args[i], max[i], &value[i]))
			return handle_usage("%s: '%s' is not a number", names[i], h->args[i]);
	if (value[0] == 0)
		return handle_usage("PID: 0 is no process");
	h->pid = (pid_t)value[0];
	h->uid = (uid_t)value[1];
	h->gid = (gid_t)value[2];
	h->signo = (int)value[3];
	h->time = (long long)value[4];
	h->core_limit = value[5];
	h->host = h->args[6];
	return EXIT_OK;
}

/* Pass every byte read to the --forward command, until it stops reading
 * or the time is up. */
static void forward_tee(void *arg, const void *buf, size_t len)
{
	struct forward *forward = arg;
	const char *p = buf;

	while (forward->fd >= 0 && len > 0) {
		ssize_t n;

		if (timed_out) {
			snprintf(forward->problem, sizeof(forward->problem),
				 "stopped passing the core on at the time limit");
			close(forward->fd);
			forward->fd = -1;
			return;
		}
		n = write(forward->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(forward->problem, sizeof(forward->problem),
				 "it stopped reading the core: %s", strerror(errno));
			close(forward->fd);
			forward->fd = -1;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Start the --forward command with the kernel's arguments: a single word
 * is a program, run with them (core_pattern cannot hold spaces, so
 * --forward=/lib/systemd/systemd-coredump fits in it); anything else is a
 * shell command, which has them as $1 to $7. */
static bool forward_start(const struct handle *h, struct forward *forward)
{
	int fds[2];
	int i;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		handle_log(LOG_ERR, "--forward: pipe: %s", strerror(errno));
		return false;
	}
	forward->pid = fork();
	if (forward->pid < 0) {
		handle_log(LOG_ERR, "--forward: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (forward->pid == 0) {
		char *argv[NARGS + 5];
		int n = 0;

		dup2(fds[0], STDIN_FILENO);
		signal(SIGPIPE, SIG_DFL);
		if (!strpbrk(h->forward, " \t\n")) {
			argv[n++] = (char *)h->forward;
		} else {
			argv[n++] = "sh";
			argv[n++] = "-c";
			argv[n++] = (char *)h->forward;
			argv[n++] = "pycore-forward";
		}
		for (i = 0; i < NARGS; i++)
			argv[n++] = h->args[i];
		argv[n] = NULL;
		if (argv[0] == h->forward)
			execvp(argv[0], argv);
		else
			execv("/bin/sh", argv);
		fprintf(stderr, "pycore: --forward: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	forward->fd = fds[1];
	return true;
}

/* Wait for PID until it exits or the time is up; then it is killed when
 * KILL, left running otherwise.  Returns whether it exited. */
static bool wait_child(pid_t pid, bool kill_at_timeout, int *wstatus)
{
	const struct timespec step = {0, WAIT_STEP_NS};

	for (;;) {
		pid_t done = waitpid(pid, wstatus, WNOHANG);

		if (done == pid)
			return true;
		if (done < 0 && errno != EINTR)
			return false;
		if (timed_out) {
			if (!kill_at_timeout)
				return false;
			kill(pid, SIGKILL);
			while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
				;
			return false;
		}
		nanosleep(&step, NULL);
	}
}

/* Before a byte of the core is read, while the kernel holds the crashed
 * process: whether /proc says it is Python.  A libpython in its maps, or
 * an executable that defines CPython's symbols (read by a sandboxed
 * child: the executable is the user's).  Sets python_checked when it is;
 * false only when it surely is not. */
static bool live_is_python(struct handle *h)
{
	struct sandbox_limits limits = {ANALYSIS_MEMORY, h->timeout, 0};
	int maps, wstatus;
	pid_t child;

	if (h->process.exe_fd < 0)
		return true;
	maps = live_process_maps_libpython(&h->process);
	if (maps != 0) {
		h->python_checked = maps == 1;
		return true;
	}
	child = fork();
	if (child == 0) {
		struct pc_error *err = sandbox_enter(h->uid, h->gid, &limits);

		_exit(err ? 2 : python_in_elf(h->process.exe_fd) ? 0 : 1);
	}
	if (child < 0 || !wait_child(child, true, &wstatus) || !WIFEXITED(wstatus) ||
	    WEXITSTATUS(wstatus) > 1)
		return true;
	h->python_checked = WEXITSTATUS(wstatus) == 0;
	return h->python_checked;
}

/* The report's first line: what only the handler knows, from the kernel's
 * arguments.  Written by the parent: a report the analysis never wrote a
 * line of still says which crash it is.  Returns 0, or an errno. */
static int write_crash_line(int fd, const struct handle *h)
{
	char host[TEXT_MAX], when[64];
	const char *name = signal_name(h->signo);
	time_t t = (time_t)h->time;
	struct tm tm;

	escape_into(ESCAPE_TERMINAL, h->host, host, sizeof(host));
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(when, sizeof(when), "%lld", h->time);
	if (dprintf(fd, "Crash:       PID %d on host %s, UID %u, GID %u, signal %d%s%s%s, at %s\n",
		    (int)h->pid, host, (unsigned)h->uid, (unsigned)h->gid, h->signo,
		    name ? " (" : "", name ? name : "", name ? ")" : "", when) < 0)
		return errno;
	return 0;
}

/* Which files the analysis reads: the crashed process's, or the paths the
 * core names. */
static void write_files_line(FILE *out, const struct handle *h)
{
	char exe[TEXT_MAX];

	if (h->process.exe_fd < 0) {
		escape_into(ESCAPE_TERMINAL, h->process.why_not, exe, sizeof(exe));
		fprintf(out, "Files:       the paths the core names, on this machine (/proc/%d not "
			     "used: %s)\n",
			(int)h->pid, exe);
		return;
	}
	escape_into(ESCAPE_TERMINAL, h->process.exe, exe, sizeof(exe));
	fprintf(out, "Files:       the crashed process's own, read through /proc/%d: its "
		     "executable %s",
		(int)h->pid, exe);
	if (h->root_path[0])
		fprintf(out, ", and files under its root directory (another mount namespace or "
			     "root)");
	fprintf(out, "; read as UID %u, GID %u\n", (unsigned)h->uid, (unsigned)h->gid);
}

/* The log's words for the crashing thread's innermost Python frame. */
static void summarize(const struct analysis *analysis, char *out, size_t size)
{
	const struct py_frame *frame = analysis->headline;
	char file[TEXT_MAX], name[TEXT_MAX];

	if (!analysis->python.found) {
		snprintf(out, size, "no Python interpreter in the core");
		return;
	}
	if (!frame) {
		snprintf(out, size, "no Python frame in the crashing thread");
		return;
	}
	if (frame->error) {
		snprintf(out, size, "an unreadable Python frame");
		return;
	}
	escape_into(ESCAPE_LINE, frame->filename, file, sizeof(file));
	escape_into(ESCAPE_LINE, frame->name, name, sizeof(name));
	snprintf(out, size, "File \"%s\", line %d, in %s", file, frame->location.line, name);
}

/* Flush OUT; PROBLEM (SIZE bytes) receives why it could not be written. */
static void finish_file(FILE *out, char *problem, size_t size)
{
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		snprintf(problem, size, "%s", errno ? strerror(errno) : "write error");
}

/* Send R to the parent, one line per field (every field is escaped). */
static void send_report(int fd, const struct child_report *r)
{
	dprintf(fd, "%s\n%s\n%s\n%s\n%s\n", r->comm, r->executable, r->summary, r->text_problem,
		r->json_problem);
}

/* The analysis child: drop root, then read the core into the reports.
 * Returns its exit status (EXIT_NOT_PYTHON: no report to keep). */
static int analysis_child(struct handle *h, const struct spool_file files[SPOOL_NKINDS],
			  int report_fd)
{
	const struct sandbox_limits limits = {
		.address_space = h->input->size + ANALYSIS_MEMORY,
		.cpu_seconds = h->timeout,
		.file_size = REPORT_MAX_BYTES,
	};
	const struct report_options report = {.source = true, .native = true};
	char message[SUMMARY_MAX / 2], problem[SUMMARY_MAX / 4];
	struct child_report r;
	struct analysis_options options;
	struct analysis *analysis = NULL;
	struct paths paths = {0};
	struct core *core = NULL;
	struct pc_error *err;
	const char *main_program;
	FILE *text, *json;
	int status = EXIT_OK;

	memset(&r, 0, sizeof(r));
	/* Nothing of the spool but the files to write. */
	spool_close(&h->spool);
	err = sandbox_enter(h->uid, h->gid, &limits);
	text = fdopen(files[SPOOL_TEXT].fd, "w");
	json = fdopen(files[SPOOL_JSON].fd, "w");
	if (!text || !json)
		return EXIT_INTERNAL;
	/* Line by line: what a killed analysis printed is in the file. */
	setvbuf(text, NULL, _IOLBF, 0);
	if (err) {
		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		fprintf(text, "Error:       %s\n", message);
		snprintf(r.summary, sizeof(r.summary), "not analyzed: %s", message);
		pc_error_destroy(err);
		status = EXIT_INTERNAL;
		goto out;
	}
	err = core_open_fd(h->input->fd, h->input->name, &core);
	if (err) {
		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		escape_into(ESCAPE_LINE, h->input->error ? h->input->error : "", problem, sizeof(problem));
		fprintf(text, "Error:       the core cannot be read: %s%s%s\n", message,
			problem[0] ? "; " : "", problem);
		snprintf(r.summary, sizeof(r.summary), "the core cannot be read: %.400s%s%.200s", message,
			 problem[0] ? "; " : "", problem);
		pc_error_destroy(err);
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (core->has_psinfo)
		escape_into(ESCAPE_LINE, core->psinfo.fname, r.comm, sizeof(r.comm));
	live_process_check_core(&h->process, core);
	if (h->process.exe_fd >= 0) {
		snprintf(h->exe_path, sizeof(h->exe_path), "/proc/self/fd/%d", h->process.exe_fd);
		if (h->process.other_root)
			snprintf(h->root_path, sizeof(h->root_path), "/proc/self/fd/%d",
				 h->process.root_fd);
	} else {
		h->python_checked = false;
	}
	/* The log names what the report names: /proc's file or the core's. */
	main_program = core_main_program(core);
	escape_into(ESCAPE_LINE, h->process.exe_fd >= 0 ? h->process.exe
	       : main_program	      ? main_program
	       : core->has_psinfo     ? core->psinfo.fname
				      : "?",
	       r.executable, sizeof(r.executable));
	write_files_line(text, h);
	paths.sysroot = h->root_path[0] ? h->root_path : NULL;
	if (!h->all && !h->python_checked && !python_in_core(core, h->process.exe_fd, &paths)) {
		status = EXIT_NOT_PYTHON;
		goto out;
	}

	analysis_options_init(&options, NULL);
	options.core_input = h->input;
	options.executable = h->exe_path[0] ? h->exe_path : NULL;
	options.executable_name = h->exe_path[0] && h->process.exe[0] ? h->process.exe : NULL;
	options.paths.sysroot = paths.sysroot;
	options.python.max_frames = REPORT_MAX_FRAMES;
	options.max_native_frames = REPORT_MAX_FRAMES;
	/* Stop in time to write what was read before the parent kills. */
	if (options.timeout > h->timeout / 2.0)
		options.timeout = h->timeout / 2.0;
	err = analysis_run(&options, &analysis);
	if (err) {
		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		fprintf(text, "Error:       the core cannot be analyzed: %s\n", message);
		snprintf(r.summary, sizeof(r.summary), "the core cannot be analyzed: %s", message);
		status = cli_error_status(err);
		pc_error_destroy(err);
	} else {
		report_text(text, analysis, &report);
		report_json(json, analysis, &report);
		summarize(analysis, r.summary, sizeof(r.summary));
		status = cli_report_status(analysis);
	}
out:
	finish_file(text, r.text_problem, sizeof(r.text_problem));
	finish_file(json, r.json_problem, sizeof(r.json_problem));
	send_report(report_fd, &r);
	analysis_destroy(analysis);
	core_close(core);
	return status;
}

/* A name for the entry: time, PID and the process's name COMM, in
 * characters that are safe in any file name. */
static void entry_stem(const struct handle *h, const char *comm, char *out, size_t size)
{
	char clean[17];
	size_t i;

	for (i = 0; comm[i] && i < sizeof(clean) - 1; i++)
		clean[i] = (comm[i] >= 'a' && comm[i] <= 'z') || (comm[i] >= 'A' && comm[i] <= 'Z') ||
					   (comm[i] >= '0' && comm[i] <= '9') || comm[i] == '-' ||
					   comm[i] == '_'
				   ? comm[i]
				   : '_';
	clean[i] = '\0';
	snprintf(out, size, "%lld.%d.%s", h->time, (int)h->pid, i ? clean : "unknown");
}

/* Take the next line of *TEXT into OUT (SIZE bytes), cut to fit. */
static void take_line(char **text, char *out, size_t size)
{
	char *end = strchr(*text, '\n');
	size_t len = end ? (size_t)(end - *text) : strlen(*text);

	snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), *text);
	*text += len + (end ? 1 : 0);
}

/* What the analysis child sent on FD, read to its end (the child is gone),
 * at most a buffer's worth: it is untrusted. */
static void read_child_report(int fd, struct child_report *r)
{
	char buf[sizeof(*r) + 16], *p = buf;
	size_t used = 0;
	ssize_t n;

	while (used < sizeof(buf) - 1 &&
	       ((n = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0 || (n < 0 && errno == EINTR)))
		used += n > 0 ? (size_t)n : 0;
	buf[used] = '\0';
	take_line(&p, r->comm, sizeof(r->comm));
	take_line(&p, r->executable, sizeof(r->executable));
	take_line(&p, r->summary, sizeof(r->summary));
	take_line(&p, r->text_problem, sizeof(r->text_problem));
	take_line(&p, r->json_problem, sizeof(r->json_problem));
}

static uint64_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Add "pycore handle: NOTE" to the text report; false when it cannot. */
static bool add_note(struct handle *h, struct spool_file *text, const char *note)
{
	if (dprintf(text->fd, "\npycore handle: %s\n", note) >= 0)
		return true;
	handle_log(LOG_ERR, "PID %d: the note \"%s\" is not in the report: %s", (int)h->pid, note,
		   strerror(errno));
	return false;
}

/* Analyze the core into the spool, keep it when asked; log the crash. */
static void report_crash(struct handle *h)
{
	static const char *const kind_names[SPOOL_NKINDS] = {"text report", "JSON report", "core"};
	struct spool_file files[SPOOL_NKINDS] = {{.fd = -1}, {.fd = -1}, {.fd = -1}};
	char stem[128], final_stem[160], note[512] = "";
	uint64_t limit = h->core_limit < h->max_core_size ? h->core_limit : h->max_core_size;
	struct child_report r;
	struct pc_error *err = NULL;
	int report_pipe[2] = {-1, -1}, wstatus = 0, i;
	bool exited, core_kept, analyzed;
	pid_t child;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < SPOOL_NKINDS && !err; i++)
		if (i != SPOOL_CORE || (h->keep_core && limit >= MIN_CORE_LIMIT))
			err = spool_create(&h->spool, &files[i]);
	if (!err && (i = write_crash_line(files[SPOOL_TEXT].fd, h)) != 0)
		err = pc_error_create(PC_ERR_IO, "%s", strerror(i));
	if (!err && pipe2(report_pipe, O_CLOEXEC) != 0)
		err = pc_error_create(PC_ERR_IO, "pipe: %s", strerror(errno));
	if (err) {
		handle_log(LOG_ERR, "PID %d: not reported: cannot write into the spool: %s",
			   (int)h->pid, err->message);
		h->status = EXIT_BAD_INPUT;
		goto out;
	}
	child = fork();
	if (child == 0) {
		close(report_pipe[0]);
		_exit(analysis_child(h, files, report_pipe[1]));
	}
	close(report_pipe[1]);
	report_pipe[1] = -1;
	if (child < 0)
		snprintf(note, sizeof(note), "not analyzed: fork: %s", strerror(errno));
	if (files[SPOOL_CORE].fd >= 0) {
		struct pc_error *kept = keep_core_write_zstd(h->input, files[SPOOL_CORE].fd, limit,
							     &timed_out);

		if (kept) {
			handle_log(LOG_ERR, "PID %d: the core is not kept: %s", (int)h->pid,
				   kept->message);
			spool_discard(&h->spool, &files[SPOOL_CORE]);
			pc_error_destroy(kept);
		}
	} else if (h->keep_core) {
		handle_log(LOG_INFO, "PID %d: the core is not kept: its core size limit is %llu",
			   (int)h->pid, (unsigned long long)h->core_limit);
	}
	exited = child > 0 && wait_child(child, true, &wstatus);
	read_child_report(report_pipe[0], &r);
	if (!r.executable[0])
		escape_into(ESCAPE_LINE, h->process.exe[0] ? h->process.exe : "?", r.executable, sizeof(r.executable));
	if (!r.comm[0])
		snprintf(r.comm, sizeof(r.comm), "%s", h->process.comm);
	if (exited && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EXIT_NOT_PYTHON) {
		handle_log(LOG_INFO, "PID %d (%s), %s: not a Python process, skipped", (int)h->pid,
			   r.executable,
			   signal_name(h->signo) ? signal_name(h->signo) : "unknown signal");
		goto out;
	}
	analyzed = exited && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != EXIT_BAD_INPUT &&
		   WEXITSTATUS(wstatus) != EXIT_INTERNAL;
	if (child > 0 && !exited)
		snprintf(note, sizeof(note), "the analysis was stopped at the time limit "
					     "(--timeout=%u): the report above is what was ready",
			 h->timeout);
	else if (child > 0 && !WIFEXITED(wstatus))
		snprintf(note, sizeof(note), "the analysis failed: pycore was killed by signal %d",
			 WTERMSIG(wstatus));
	if (h->input->stopped)
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "%sreading the core stopped at the time limit (--timeout=%u) after %llu "
			 "bytes, which ended the kernel's dump",
			 note[0] ? "; " : "", h->timeout, (unsigned long long)h->input->read);
	if (file_size(files[SPOOL_TEXT].fd) >= REPORT_MAX_BYTES) {
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "%sthe report is cut at %llu bytes, the most a report of pycore handle "
			 "holds",
			 note[0] ? "; " : "", (unsigned long long)REPORT_MAX_BYTES);
		r.text_problem[0] = '\0';
	}
	if (r.text_problem[0]) {
		handle_log(LOG_ERR, "PID %d (%s): not reported: the text report cannot be written "
				    "into %s: %s",
			   (int)h->pid, r.executable, h->spool.path, r.text_problem);
		h->status = EXIT_BAD_INPUT;
		goto out;
	}
	if (note[0] && !add_note(h, &files[SPOOL_TEXT], note)) {
		h->status = EXIT_BAD_INPUT;
		goto out;
	}
	if (!r.summary[0] && note[0])
		snprintf(r.summary, sizeof(r.summary), "%.*s", (int)sizeof(r.summary) - 1, note);
	/* A JSON document cut short is no document. */
	if (files[SPOOL_JSON].fd >= 0 && file_size(files[SPOOL_JSON].fd) >= REPORT_MAX_BYTES)
		handle_log(LOG_ERR, "PID %d: the JSON report is not kept: larger than %llu bytes",
			   (int)h->pid, (unsigned long long)REPORT_MAX_BYTES);
	else if (analyzed && r.json_problem[0])
		handle_log(LOG_ERR, "PID %d: the JSON report is not kept: %s", (int)h->pid,
			   r.json_problem);
	if (!analyzed || r.json_problem[0] || file_size(files[SPOOL_JSON].fd) >= REPORT_MAX_BYTES)
		spool_discard(&h->spool, &files[SPOOL_JSON]);
	/* The crashing user's own crash: theirs to read, nobody else's. */
	for (i = 0; i < SPOOL_NKINDS; i++) {
		if (files[i].fd < 0)
			continue;
		err = spool_grant_read(&h->spool, &files[i], h->uid);
		if (err) {
			handle_log(LOG_ERR, "PID %d: the %s is readable by root only: %s",
				   (int)h->pid, kind_names[i], err->message);
			pc_error_destroy(err);
			err = NULL;
		}
	}
	core_kept = files[SPOOL_CORE].fd >= 0;
	entry_stem(h, r.comm, stem, sizeof(stem));
	err = spool_commit(&h->spool, files, stem, final_stem, sizeof(final_stem));
	if (err) {
		handle_log(LOG_ERR, "PID %d: not reported: %s", (int)h->pid, err->message);
		h->status = EXIT_BAD_INPUT;
		goto out;
	}
	/* The input is already cut at --max-core-size: only %c cuts more. */
	if (core_kept && h->input->size > limit)
		snprintf(note, sizeof(note), ", core kept (its first %llu bytes: its core size "
					     "limit)",
			 (unsigned long long)limit);
	else
		snprintf(note, sizeof(note), "%s", core_kept ? ", core kept" : "");
	handle_log(LOG_ERR, "PID %d (%s), %s: %s; report %s/%s%s%s", (int)h->pid, r.executable,
		   signal_name(h->signo) ? signal_name(h->signo) : "unknown signal", r.summary,
		   h->spool.path, final_stem, spool_suffix(SPOOL_TEXT), note);
out:
	pc_error_destroy(err);
	for (i = 0; i < 2; i++)
		if (report_pipe[i] >= 0)
			close(report_pipe[i]);
	for (i = 0; i < SPOOL_NKINDS; i++)
		spool_discard(&h->spool, &files[i]);
}

/* A crash that is not reported still reaches --forward: read standard
 * input only for it; without it, not at all (the kernel's dump ends). */
static void pass_on(struct handle *h, struct forward *forward)
{
	struct input_options options = {
		.max_size = 1,
		.tee = forward_tee,
		.tee_arg = forward,
		.drain = true,
		.stop = &timed_out,
		.tmpdir = h->spool.path,
	};
	struct pc_error *err;

	if (!h->forward || !forward_start(h, forward))
		return;
	err = input_open_fd(STDIN_FILENO, "<stdin>", &options, &h->input);
	pc_error_destroy(err);
	if (forward->fd >= 0)
		close(forward->fd);
	forward->fd = -1;
}

static void prune(struct handle *h)
{
	size_t removed, cores_removed;
	struct pc_error *err;

	if (!h->max_use)
		return;
	err = spool_prune(&h->spool, h->max_use, &removed, &cores_removed);
	if (err)
		handle_log(LOG_ERR, "--max-use: %s", err->message);
	if (!err && cores_removed)
		handle_log(LOG_INFO, "--max-use=%llu: removed %zu core%s of %s, oldest first",
			   (unsigned long long)h->max_use, cores_removed,
			   cores_removed == 1 ? "" : "s", h->spool.path);
	if (!err && removed)
		handle_log(LOG_INFO, "--max-use=%llu: removed %zu entr%s of %s, oldest first",
			   (unsigned long long)h->max_use, removed, removed == 1 ? "y" : "ies",
			   h->spool.path);
	pc_error_destroy(err);
}

/* Whether --forward names a program that cannot be run: a usage error of
 * the handler's own, caught before a crash depends on it. */
static bool forward_unrunnable(const char *forward)
{
	return !strpbrk(forward, " \t\n") && strchr(forward, '/') && access(forward, X_OK) != 0;
}

static int run(struct handle *h)
{
	struct forward forward = {.pid = -1, .fd = -1};
	struct input_options input_options = {
		.max_size = h->max_core_size,
		.tee = forward_tee,
		.tee_arg = &forward,
		.drain = true,
		.stop = &timed_out,
	};
	const char *signame = signal_name(h->signo) ? signal_name(h->signo) : "unknown signal";
	struct pc_error *err;
	int wstatus;

	err = spool_open(h->dir, &h->spool);
	if (err) {
		handle_log(LOG_ERR, "PID %d: %s; the crash is not reported", (int)h->pid,
			   err->message);
		pc_error_destroy(err);
		drain_stdin();
		return EXIT_BAD_INPUT;
	}
	if (!h->max_use_set)
		h->max_use = spool_share(&h->spool, DEFAULT_USE_PERCENT, DEFAULT_SPACE_CAP);
	if (!h->keep_free_set)
		h->keep_free = spool_share(&h->spool, DEFAULT_KEEP_FREE_PERCENT, DEFAULT_SPACE_CAP);
	if (h->forward && forward_unrunnable(h->forward)) {
		handle_log(LOG_ERR, "PID %d: --forward '%s': %s", (int)h->pid, h->forward,
			   strerror(errno));
		h->status = EXIT_BAD_INPUT;
		h->forward = NULL;
	}
	live_process_open(h->pid, h->uid, h->gid, (time_t)h->time, &h->process);
	err = spool_take_slot(&h->spool, h->max_handlers);
	if (!err)
		err = spool_check_room(&h->spool, h->keep_free);
	if (err) {
		handle_log(LOG_ERR, "PID %d (%s), %s: not reported: %s", (int)h->pid,
			   h->process.comm[0] ? h->process.comm : "?", signame, err->message);
		if (err->code != PC_ERR_LIMIT)
			h->status = EXIT_BAD_INPUT;
		pc_error_destroy(err);
		pass_on(h, &forward);
		goto out;
	}
	if (!h->all && !live_is_python(h)) {
		char exe[TEXT_MAX];

		escape_into(ESCAPE_LINE, h->process.exe, exe, sizeof(exe));
		handle_log(LOG_INFO, "PID %d (%s), %s: not a Python process, skipped", (int)h->pid,
			   exe, signame);
		pass_on(h, &forward);
		goto out;
	}
	if (h->forward && !forward_start(h, &forward))
		h->status = EXIT_BAD_INPUT;
	/* The temporary core goes on the spool's disk, not into a /tmp that
	 * may be memory, and leaves the spool its free space. */
	input_options.tmpdir = h->spool.path;
	input_options.min_free = h->keep_free;
	err = input_open_fd(STDIN_FILENO, "<stdin>", &input_options, &h->input);
	if (forward.fd >= 0)
		close(forward.fd);
	forward.fd = -1;
	if (err) {
		char message[sizeof(err->message) * 2];

		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		handle_log(LOG_ERR, "PID %d, %s: %sthe core cannot be read: %s", (int)h->pid,
			   signame, err->code == PC_ERR_IO ? "not reported: " : "", message);
		if (err->code == PC_ERR_IO)
			h->status = EXIT_BAD_INPUT;
		pc_error_destroy(err);
		goto out;
	}
	report_crash(h);
	prune(h);
out:
	if (forward.pid > 0) {
		if (!wait_child(forward.pid, false, &wstatus))
			snprintf(forward.problem, sizeof(forward.problem),
				 "still running at the time limit");
		else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
			snprintf(forward.problem, sizeof(forward.problem), "it exited with %s %d",
				 WIFEXITED(wstatus) ? "status" : "signal",
				 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
		/* 127: the shell or exec found no such program. */
		if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
			h->status = EXIT_BAD_INPUT;
		if (forward.problem[0])
			handle_log(LOG_ERR, "PID %d: --forward '%s': %s", (int)h->pid, h->forward,
				   forward.problem);
	}
	input_close(h->input);
	live_process_close(&h->process);
	spool_close(&h->spool);
	return h->status;
}

int cli_handle(int argc, char **argv)
{
	struct handle h = {
		.dir = DEFAULT_SPOOL,
		.max_core_size = DEFAULT_MAX_CORE_SIZE,
		.max_handlers = DEFAULT_MAX_HANDLERS,
		.timeout = DEFAULT_TIMEOUT,
		.spool = {.dirfd = -1, .slot_fd = -1},
		.status = EXIT_OK,
	};
	struct sigaction alarm_action = {.sa_handler = on_alarm};
	int status;

	ensure_std_fds();
	openlog("pycore", LOG_PID, LOG_DAEMON);
	/* No SA_RESTART: the alarm must interrupt a blocked read or write.
	 * Set before the options are read: a handler given bad ones still
	 * drains its input for no longer than the default. */
	sigemptyset(&alarm_action.sa_mask);
	sigaction(SIGALRM, &alarm_action, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm(DEFAULT_TIMEOUT);
	status = parse(argc, argv, &h);
	if (status != EXIT_OK) {
		drain_stdin();
		closelog();
		return status < 0 ? EXIT_OK : status;
	}
	alarm(h.timeout);
	status = run(&h);
	closelog();
	return status;
}
