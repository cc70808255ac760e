#include "base/deadline.h"

#include <signal.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void deadline_start(struct deadline *deadline, double seconds)
{
	*deadline = (struct deadline){.seconds = seconds};
	if (seconds > 0)
		deadline->end_ns = now_ns() + (uint64_t)(seconds * 1e9);
}

bool deadline_passed(struct deadline *deadline)
{
	if (!deadline || !deadline->end_ns)
		return false;
	if (!deadline->passed && now_ns() >= deadline->end_ns)
		deadline->passed = true;
	return deadline->passed;
}

static void interrupt(int signo)
{
	(void)signo;
}

void blocking_guard_start(struct blocking_guard *guard)
{
	/* No SA_RESTART: the point is that the call is not restarted. */
	struct sigaction action = {.sa_handler = interrupt};
	struct sigevent event;
	const struct itimerspec every_second = {{1, 0}, {1, 0}};

	guard->armed = false;
	memset(&event, 0, sizeof(event));
	event.sigev_notify = SIGEV_SIGNAL;
	event.sigev_signo = SIGRTMIN + 1;
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGRTMIN + 1, &action, NULL) != 0 ||
	    timer_create(CLOCK_MONOTONIC, &event, &guard->timer) != 0)
		return;
	if (timer_settime(guard->timer, 0, &every_second, NULL) != 0) {
		timer_delete(guard->timer);
		return;
	}
	guard->armed = true;
}

void blocking_guard_stop(struct blocking_guard *guard)
{
	if (guard->armed)
		timer_delete(guard->timer);
	guard->armed = false;
}
