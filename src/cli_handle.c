/* pycore handle: the kernel's core_pattern handler.
 *
 *   |/usr/local/bin/pycore handle [OPTION]... %P %u %g %s %t %c %h
 *
 * The kernel runs it as root, with the core on standard input and the
 * crashed process blocked until the core is read.  So it reads first and
 * thinks later: /proc/PID is opened, standard input is drained into a
 * temporary file (and passed on to --forward), and only then is the core
 * analyzed, in a child process that --timeout kills if it must.  A crash
 * it cannot analyze is logged, never a reason to leave the kernel waiting;
 * its exit status is not 0 only when its own set-up is broken. */
#include "analysis.h"
#include "cli.h"
#include "core.h"
#include "error.h"
#include "escape.h"
#include "input.h"
#include "live_process.h"
#include "paths.h"
#include "python.h"
#include "report_json.h"
#include "report_text.h"
#include "signals.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SPOOL "/var/lib/pycore"
#define DEFAULT_TIMEOUT 300
#define MAX_TIMEOUT 86400
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
	unsigned timeout;
	const char *forward;

	struct spool spool;
	struct live_process process;
	struct input *input;
	struct core *core;
	char exe_path[32];	/* /proc/self/fd/N of the live executable */
	char root_path[32];	/* /proc/self/fd/N of the live root, when not ours */
	char executable[TEXT_MAX]; /* for the log, escaped */
	int status;		/* the exit status */
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
	while (n > 0 || (n < 0 && errno == EINTR));
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

enum {
	OPT_DIR = CLI_OPT_OWN,
	OPT_ALL,
	OPT_KEEP_CORE,
	OPT_MAX_USE,
	OPT_TIMEOUT,
	OPT_FORWARD,
};

static const struct option long_options[] = {
	{"dir", required_argument, NULL, OPT_DIR},
	{"all", no_argument, NULL, OPT_ALL},
	{"keep-core", no_argument, NULL, OPT_KEEP_CORE},
	CLI_OPTION_MAX_CORE_SIZE,
	{"max-use", required_argument, NULL, OPT_MAX_USE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"forward", required_argument, NULL, OPT_FORWARD},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Parse options from ARGV[1] on, up to the first argument that is not one
 * ("+": getopt must not look past it).  Returns EXIT_OK, -1 after --help,
 * or a usage error; optind is where it stopped. */
static int parse_options(int argc, char **argv, struct handle *h)
{
	unsigned long long seconds;
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
			if (cli_parse_size(optarg, &h->max_use) != 0)
				return handle_usage("--max-use: '%s' is not a size", optarg);
			break;
		case OPT_TIMEOUT:
			if (!parse_u64(optarg, MAX_TIMEOUT, &seconds) || seconds == 0)
				return handle_usage("--timeout: '%s' is not a number of seconds from "
						    "1 to %d",
						    optarg, MAX_TIMEOUT);
			h->timeout = (unsigned)seconds;
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

/* The first lines of the report: what only the handler knows. */
static void write_preamble(FILE *out, const struct handle *h)
{
	char host[TEXT_MAX], when[64], exe[TEXT_MAX];
	const char *name = signal_name(h->signo);
	time_t t = (time_t)h->time;
	struct tm tm;

	escape_into(ESCAPE_TERMINAL, h->host, host, sizeof(host));
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(when, sizeof(when), "%lld", h->time);
	fprintf(out, "Crash:       PID %d on host %s, UID %u, GID %u, signal %d%s%s%s, at %s\n",
		(int)h->pid, host, (unsigned)h->uid, (unsigned)h->gid, h->signo, name ? " (" : "",
		name ? name : "", name ? ")" : "", when);
	if (h->process.exe_fd < 0) {
		escape_into(ESCAPE_TERMINAL, h->process.why_not, exe, sizeof(exe));
		fprintf(out, "Files:       the paths the core names, on this machine (/proc/%d not "
			     "used: %s)\n",
			(int)h->pid, exe);
		return;
	}
	escape_into(ESCAPE_TERMINAL, h->process.exe, exe, sizeof(exe));
	fprintf(out, "Files:       the crashed process's own: %s is /proc/%d/exe (%s)", h->exe_path,
		(int)h->pid, exe);
	if (h->root_path[0])
		fprintf(out, ", and files are found under %s, /proc/%d/root (another mount "
			     "namespace or root)",
			h->root_path, (int)h->pid);
	fputc('\n', out);
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

/* The analysis child: the reports into TEXT and JSON, the crashing frame
 * into SUMMARY_FD.  Returns its exit status. */
static int analyze(const struct handle *h, FILE *text, FILE *json, int summary_fd)
{
	struct analysis_options options;
	const struct report_options report = {.source = true, .native = true};
	char summary[SUMMARY_MAX], message[SUMMARY_MAX / 2];
	struct analysis *analysis;
	struct pc_error *err;
	int status;

	cli_analysis_defaults(&options, NULL);
	options.core_input = h->input;
	options.executable = h->exe_path[0] ? h->exe_path : NULL;
	options.paths.sysroot = h->root_path[0] ? h->root_path : NULL;

	err = analysis_run(&options, &analysis);
	if (err) {
		fprintf(text, "Error:       the core cannot be analyzed: ");
		escape_puts(text, ESCAPE_TERMINAL, err->message);
		fputc('\n', text);
		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		snprintf(summary, sizeof(summary), "the core cannot be analyzed: %s", message);
		status = cli_error_status(err);
		pc_error_destroy(err);
	} else {
		report_text(text, analysis, &report);
		report_json(json, analysis, &report);
		summarize(analysis, summary, sizeof(summary));
		status = cli_report_status(analysis);
		analysis_destroy(analysis);
	}
	if (write(summary_fd, summary, strlen(summary)) < 0)
		status = EXIT_INTERNAL;
	if (fflush(text) != 0 || fflush(json) != 0)
		status = EXIT_INTERNAL;
	return status;
}

/* A name for the entry: time, PID and the process's name, in characters
 * that are safe in any file name. */
static void entry_stem(const struct handle *h, char *out, size_t size)
{
	const char *comm = h->core->has_psinfo ? h->core->psinfo.fname : "";
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

/* Analyze the core into the spool, keep it when asked; log the crash. */
static void report_crash(struct handle *h)
{
	struct spool_file files[SPOOL_NKINDS] = {{.fd = -1}, {.fd = -1}, {.fd = -1}};
	FILE *text = NULL, *json = NULL;
	char stem[128], final_stem[160], summary[SUMMARY_MAX] = "", note[512] = "";
	uint64_t limit = h->core_limit < h->max_core_size ? h->core_limit : h->max_core_size;
	struct pc_error *err = NULL;
	int summary_pipe[2] = {-1, -1}, wstatus = 0, i;
	bool exited, core_kept;
	pid_t child;
	ssize_t n;

	for (i = 0; i < SPOOL_NKINDS && !err; i++)
		if (i != SPOOL_CORE || (h->keep_core && limit >= MIN_CORE_LIMIT))
			err = spool_create(&h->spool, &files[i]);
	if (!err && (!(text = fdopen(dup(files[SPOOL_TEXT].fd), "w")) ||
		     !(json = fdopen(dup(files[SPOOL_JSON].fd), "w")) || pipe(summary_pipe) != 0))
		err = pc_error_create(PC_ERR_IO, "%s", strerror(errno));
	if (err) {
		handle_log(LOG_ERR, "PID %d: cannot write into the spool: %s", (int)h->pid,
			   err->message);
		h->status = EXIT_BAD_INPUT;
		goto out;
	}
	/* Line by line: what a killed analysis printed is in the file. */
	setvbuf(text, NULL, _IOLBF, 0);
	write_preamble(text, h);
	fflush(text);
	child = fork();
	if (child == 0) {
		close(summary_pipe[0]);
		_exit(analyze(h, text, json, summary_pipe[1]));
	}
	close(summary_pipe[1]);
	summary_pipe[1] = -1;
	if (child < 0)
		snprintf(note, sizeof(note), "not analyzed: fork: %s", strerror(errno));
	if (files[SPOOL_CORE].fd >= 0) {
		struct pc_error *kept = input_write_zstd(h->input, files[SPOOL_CORE].fd, limit,
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
	n = read(summary_pipe[0], summary, sizeof(summary) - 1);
	summary[n > 0 ? n : 0] = '\0';
	if (child > 0 && !exited)
		snprintf(note, sizeof(note), "the analysis was stopped at the time limit "
					     "(--timeout=%u): the report above is what was ready",
			 h->timeout);
	else if (child > 0 && !WIFEXITED(wstatus))
		snprintf(note, sizeof(note), "the analysis failed: pycore was killed by signal %d",
			 WTERMSIG(wstatus));
	if (note[0]) {
		fprintf(text, "\npycore handle: %s\n", note);
		fflush(text);
		if (!summary[0])
			snprintf(summary, sizeof(summary), "%s", note);
	}
	/* A JSON document cut short is no document. */
	if (!exited || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) == EXIT_BAD_INPUT ||
	    WEXITSTATUS(wstatus) == EXIT_INTERNAL)
		spool_discard(&h->spool, &files[SPOOL_JSON]);
	core_kept = files[SPOOL_CORE].fd >= 0;
	entry_stem(h, stem, sizeof(stem));
	err = spool_commit(&h->spool, files, stem, final_stem, sizeof(final_stem));
	if (err) {
		handle_log(LOG_ERR, "PID %d: %s", (int)h->pid, err->message);
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
	handle_log(LOG_ERR, "PID %d (%s), %s: %s; report %s/%s%s%s", (int)h->pid, h->executable,
		   signal_name(h->signo) ? signal_name(h->signo) : "unknown signal", summary,
		   h->spool.path, final_stem, spool_suffix(SPOOL_TEXT), note);
out:
	pc_error_destroy(err);
	if (text)
		fclose(text);
	if (json)
		fclose(json);
	for (i = 0; i < 2; i++)
		if (summary_pipe[i] >= 0)
			close(summary_pipe[i]);
	for (i = 0; i < SPOOL_NKINDS; i++)
		spool_discard(&h->spool, &files[i]);
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
	struct paths paths = {0};
	const char *main_program;
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
	live_process_open(h->pid, h->uid, h->gid, (time_t)h->time, &h->process);
	if (h->forward && !forward_start(h, &forward))
		h->status = EXIT_BAD_INPUT;
	/* The temporary core goes on the spool's disk, not into a /tmp that
	 * may be memory. */
	input_options.tmpdir = h->spool.path;
	err = input_open_fd(STDIN_FILENO, "<stdin>", &input_options, &h->input);
	if (forward.fd >= 0)
		close(forward.fd);
	if (!err)
		err = core_open_fd(h->input->fd, h->input->name, &h->core);
	if (err) {
		char message[sizeof(err->message) * 2];

		char problem[sizeof(message)] = "";

		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		if (h->input && h->input->error)
			escape_into(ESCAPE_LINE, h->input->error, problem, sizeof(problem));
		handle_log(LOG_ERR, "PID %d, signal %d: the core cannot be read: %s%s%s", (int)h->pid,
			   h->signo, message, problem[0] ? "; " : "", problem);
		pc_error_destroy(err);
		goto out;
	}
	live_process_check_core(&h->process, h->core);
	if (h->process.exe_fd >= 0) {
		snprintf(h->exe_path, sizeof(h->exe_path), "/proc/self/fd/%d", h->process.exe_fd);
		if (h->process.other_root)
			snprintf(h->root_path, sizeof(h->root_path), "/proc/self/fd/%d",
				 h->process.root_fd);
	}
	main_program = core_main_program(h->core);
	escape_into(ESCAPE_LINE,
		    h->process.exe[0]	  ? h->process.exe
		    : main_program	  ? main_program
		    : h->core->has_psinfo ? h->core->psinfo.fname
					  : "?",
		    h->executable, sizeof(h->executable));
	paths.sysroot = h->root_path[0] ? h->root_path : NULL;
	if (!h->all && !python_in_core(h->core, h->process.exe_fd, &paths)) {
		handle_log(LOG_INFO, "PID %d (%s), %s: not a Python process, skipped", (int)h->pid,
			   h->executable,
			   signal_name(h->signo) ? signal_name(h->signo) : "unknown signal");
		goto out;
	}
	report_crash(h);
	if (h->max_use) {
		size_t removed, cores_removed;

		err = spool_prune(&h->spool, h->max_use, &removed, &cores_removed);
		if (err)
			handle_log(LOG_ERR, "--max-use: %s", err->message);
		else if (removed)
			handle_log(LOG_INFO, "--max-use: removed %zu entr%s of %s, oldest first",
				   removed, removed == 1 ? "y" : "ies", h->spool.path);
		pc_error_destroy(err);
	}
out:
	if (forward.pid > 0) {
		if (!wait_child(forward.pid, false, &wstatus))
			snprintf(forward.problem, sizeof(forward.problem),
				 "still running at the time limit");
		else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
			snprintf(forward.problem, sizeof(forward.problem), "it exited with %s %d",
				 WIFEXITED(wstatus) ? "status" : "signal",
				 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
		if (forward.problem[0])
			handle_log(LOG_ERR, "PID %d: --forward '%s': %s", (int)h->pid, h->forward,
				   forward.problem);
	}
	core_close(h->core);
	input_close(h->input);
	live_process_close(&h->process);
	spool_close(&h->spool);
	return h->status;
}

int cli_handle(int argc, char **argv)
{
	struct handle h = {
		.dir = DEFAULT_SPOOL,
		.max_core_size = INPUT_DEFAULT_MAX_SIZE,
		.timeout = DEFAULT_TIMEOUT,
		.spool = {.dirfd = -1},
		.status = EXIT_OK,
	};
	struct sigaction alarm_action = {.sa_handler = on_alarm};
	int status;

	ensure_std_fds();
	openlog("pycore", LOG_PID, LOG_DAEMON);
	status = parse(argc, argv, &h);
	if (status != EXIT_OK) {
		drain_stdin();
		closelog();
		return status < 0 ? EXIT_OK : status;
	}
	/* No SA_RESTART: the alarm must interrupt a blocked read or write. */
	sigemptyset(&alarm_action.sa_mask);
	sigaction(SIGALRM, &alarm_action, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm(h.timeout);
	status = run(&h);
	closelog();
	return status;
}
