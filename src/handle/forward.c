#include "handle/forward.h"

#include "handle/log.h"
#include "handle/options.h"
#include "handle/time_limit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

bool forward_unrunnable(const char *command)
{
	return !strpbrk(command, " \t\n") && strchr(command, '/') && access(command, X_OK) != 0;
}

void forward_tee(void *arg, const void *buf, size_t len)
{
	struct forward *forward = arg;
	const char *p = buf;

	while (forward->fd >= 0 && len > 0) {
		ssize_t n;

		if (time_limit_reached) {
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

bool forward_start(struct forward *forward, const char *command, const struct crash *crash)
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
		char *argv[CRASH_NARGS + 5];
		int n = 0;

		dup2(fds[0], STDIN_FILENO);
		signal(SIGPIPE, SIG_DFL);
		if (!strpbrk(command, " \t\n")) {
			argv[n++] = (char *)command;
		} else {
			argv[n++] = "sh";
			argv[n++] = "-c";
			argv[n++] = (char *)command;
			argv[n++] = "pycore-forward";
		}
		for (i = 0; i < CRASH_NARGS; i++)
			argv[n++] = (char *)crash->args[i];
		argv[n] = NULL;
		if (argv[0] == command)
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

void forward_end_input(struct forward *forward)
{
	if (forward->fd >= 0)
		close(forward->fd);
	forward->fd = -1;
}

bool forward_finish(struct forward *forward, const char *command, pid_t crash_pid)
{
	int wstatus = 0;

	if (forward->pid <= 0)
		return true;
	if (!time_limit_wait_child(forward->pid, false, &wstatus))
		snprintf(forward->problem, sizeof(forward->problem),
			 "still running at the time limit");
	else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		snprintf(forward->problem, sizeof(forward->problem), "it exited with %s %d",
			 WIFEXITED(wstatus) ? "status" : "signal",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
	if (forward->problem[0])
		handle_log(LOG_ERR, "PID %d: --forward '%s': %s", (int)crash_pid, command,
			   forward->problem);
	/* 127: the shell or exec found no such program. */
	return !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127);
}
