#include "handle/time_limit.h"

#include <errno.h>
#include <stddef.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_STEP_NS 10000000	/* 10 ms between looks at a child */

volatile sig_atomic_t time_limit_reached;

static void on_alarm(int signo)
{
	(void)signo;
	time_limit_reached = 1;
}

void time_limit_start(unsigned seconds)
{
	struct sigaction alarm_action = {.sa_handler = on_alarm};

	sigemptyset(&alarm_action.sa_mask);
	sigaction(SIGALRM, &alarm_action, NULL);
	alarm(seconds);
}

bool time_limit_wait_child(pid_t pid, bool kill_at_timeout, int *wstatus)
{
	const struct timespec step = {0, WAIT_STEP_NS};

	for (;;) {
		/* A stopped child (SIGSTOP, by whoever may signal it) would
		 * hold the handler and its slot to the time limit: it has
		 * failed. */
		pid_t done = waitpid(pid, wstatus, WNOHANG | WUNTRACED);

		if (done == pid && WIFSTOPPED(*wstatus)) {
			kill(pid, SIGKILL);
			while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
				;
			return true;
		}
		if (done == pid)
			return true;
		if (done < 0 && errno != EINTR)
			return false;
		if (time_limit_reached) {
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
