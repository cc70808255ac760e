/* pycore handle: the kernel's core_pattern handler.
 *
 *   |/usr/local/bin/pycore handle [OPTION]... -d%d %P %u %g %s %t %c %h
 *
 * The kernel runs it as root, on every crash of every user and container,
 * with the core on standard input and the crashed process blocked until
 * the core is read.  So it reads first and thinks later, and thinks out of
 * root: the parent opens /proc/PID, copies standard input into memory
 * within --memory-budget, else into a temporary file (and passes it on to
 * --forward, and with --keep-core compresses it into the spool as it
 * reads) and commits the files of the spool; it parses nothing of the
 * core.  The core is analyzed in a
 * child that first makes every file system unwritable to itself
 * (read_only.h), then drops to the crashing user's credentials (pycore's
 * own account's for a privileged process: privilege.h) with no
 * capability, no new privileges, a seccomp filter and rlimits
 * (sandbox.h), and that --timeout kills if it must.
 *
 * Everything is bounded: the handlers running at once (slots in the
 * spool), the time of the whole handler (--timeout stops reading too,
 * which ends the kernel's dump), the temporary copy of the core (its
 * pages of zeros are holes; --max-core-size; the free space kept), each
 * report (frames per thread, bytes per file), the spool (--max-use).  A
 * crash it cannot analyze is logged, never a reason to leave the kernel
 * waiting; its exit status is not 0 only when its own set-up is broken.
 *
 * This file is its flow; each step has its own: options.c the command
 * line, forward.c --forward, analysis_child.c the sandboxed children and
 * child_report.c what they send back, keep_core.c --keep-core, commit.c
 * the entry in the spool and the log line, journal.c the entry in the
 * journal, time_limit.c --timeout, log.c what it says. */
#include "analysis/signals.h"
#include "base/error.h"
#include "base/escape.h"
#include "cmd/cli.h"
#include "handle/analysis_child.h"
#include "handle/commit.h"
#include "handle/context.h"
#include "handle/handle.h"
#include "handle/forward.h"
#include "handle/keep_core.h"
#include "handle/log.h"
#include "handle/options.h"
#include "handle/privilege.h"
#include "handle/time_limit.h"
#include "input/input.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* The kernel gives its helper a pipe on standard input and nothing else:
 * without this, the first file opened would become standard error. */
static void ensure_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			return;
}

/* A megabyte at a time from a pipe widened to match, as input.c reads. */
static void drain_stdin(void)
{
	static char buf[1 << 20];
	ssize_t n;

	if (isatty(STDIN_FILENO))
		return;
	fcntl(STDIN_FILENO, F_SETPIPE_SZ, (int)sizeof(buf));
	do
		n = read(STDIN_FILENO, buf, sizeof(buf));
	while (!time_limit_reached && (n > 0 || (n < 0 && errno == EINTR)));
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
		.stop = &time_limit_reached,
		.tmpdir = h->spool.path,
	};
	struct pc_error *err;

	if (!h->options.forward || !forward_start(forward, h->options.forward, &h->crash))
		return;
	err = input_open_fd(STDIN_FILENO, "<stdin>", &options, &h->input);
	pc_error_destroy(err);
	forward_end_input(forward);
}

static int run(struct handle *h)
{
	struct forward forward = FORWARD_INIT;
	struct keep_core keeper = {.writer = NULL};
	struct input_options input_options = {
		.max_size = h->options.max_core_size,
		.tee = forward_tee,
		.tee_arg = &forward,
		.drain = true,
		.stop = &time_limit_reached,
	};
	const char *signame = signal_name(h->crash.signo) ? signal_name(h->crash.signo)
							  : "unknown signal";
	struct pc_error *err;

	err = spool_open(h->options.dir, &h->spool);
	if (err) {
		handle_log(LOG_ERR, "PID %d: %s; the crash is not reported", (int)h->crash.pid,
			   err->message);
		pc_error_destroy(err);
		drain_stdin();
		return EXIT_BAD_INPUT;
	}
	handle_options_share_space(&h->options, &h->spool);
	if (h->options.forward && forward_unrunnable(h->options.forward)) {
		handle_log(LOG_ERR, "PID %d: --forward '%s': %s", (int)h->crash.pid,
			   h->options.forward, strerror(errno));
		h->status = EXIT_BAD_INPUT;
		h->options.forward = NULL;
	}
	live_process_open(h->crash.pid, h->crash.uid, h->crash.gid, (time_t)h->crash.time,
			  &h->process);
	privilege_decide(&h->crash, h->options.dump_mode, &h->process, &h->privilege);
	/* Half the slots, rounded up, for one user; root's crashes are the
	 * system's own. */
	err = spool_take_slot(&h->spool, h->options.max_handlers,
			      h->crash.uid ? (h->options.max_handlers + 1) / 2 : 0, h->crash.uid);
	if (!err)
		err = spool_check_room(&h->spool, h->options.keep_free);
	if (err) {
		char comm[HANDLE_TEXT_MAX];

		handle_log_field(h->process.comm[0] ? h->process.comm : "?", comm, sizeof(comm));
		handle_log(LOG_ERR, "PID %d (%s), %s: not reported: %s", (int)h->crash.pid, comm,
			   signame, err->message);
		if (err->code != PC_ERR_LIMIT)
			h->status = EXIT_BAD_INPUT;
		pc_error_destroy(err);
		pass_on(h, &forward);
		goto out;
	}
	if (!h->options.all && !live_is_python(h)) {
		char exe[HANDLE_TEXT_MAX];

		handle_log_field(h->process.exe, exe, sizeof(exe));
		handle_log(LOG_INFO, "PID %d (%s), %s: not a Python process, skipped",
			   (int)h->crash.pid, exe, signame);
		pass_on(h, &forward);
		goto out;
	}
	if (h->options.forward && !forward_start(&forward, h->options.forward, &h->crash))
		h->status = EXIT_BAD_INPUT;
	/* The temporary core goes on the spool's disk, not into a /tmp that
	 * may be memory, and leaves the spool its free space. */
	input_options.tmpdir = h->spool.path;
	input_options.min_free = h->options.keep_free ? h->options.keep_free + HANDLE_REPORTS_ROOM
						      : 0;
	input_options.memory_budget = h->options.memory_budget;
	keep_core_start(h, &keeper, &input_options);
	err = input_open_fd(STDIN_FILENO, "<stdin>", &input_options, &h->input);
	forward_end_input(&forward);
	keep_core_finish(&keeper);
	if (err) {
		char message[sizeof(err->message) * 2];

		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		handle_log(LOG_ERR, "PID %d, %s: %sthe core cannot be read: %s", (int)h->crash.pid,
			   signame, err->code == PC_ERR_IO ? "not reported: " : "", message);
		if (err->code == PC_ERR_IO)
			h->status = EXIT_BAD_INPUT;
		pc_error_destroy(err);
		goto out;
	}
	commit_crash(h);
out:
	if (!forward_finish(&forward, h->options.forward, h->crash.pid))
		h->status = EXIT_BAD_INPUT;
	spool_discard(&h->spool, &h->core_file);
	input_close(h->input);
	live_process_close(&h->process);
	spool_close(&h->spool);
	return h->status;
}

int handle_command(int argc, char **argv)
{
	struct handle h = {
		.spool = {.dirfd = -1, .slot_fd = -1, .user_slot_fd = -1},
		.core_file = {.fd = -1},
		.status = EXIT_OK,
	};
	int status;

	handle_options_init(&h.options);
	ensure_std_fds();
	openlog("pycore", LOG_PID, LOG_DAEMON);
	/* Before the options are read: a handler given bad ones still drains
	 * its input for no longer than the default. */
	time_limit_start(HANDLE_DEFAULT_TIMEOUT);
	signal(SIGPIPE, SIG_IGN);
	status = handle_options_parse(argc, argv, &h.options, &h.crash);
	if (status != EXIT_OK) {
		drain_stdin();
		closelog();
		return status < 0 ? EXIT_OK : status;
	}
	time_limit_start(h.options.timeout);
	status = run(&h);
	closelog();
	return status;
}
