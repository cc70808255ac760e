#include "deadline.h"

#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void deadline_start(struct deadline *deadline, unsigned seconds)
{
	*deadline = (struct deadline){.seconds = seconds};
	if (seconds)
		deadline->end_ns = now_ns() + (uint64_t)seconds * 1000000000u;
}

bool deadline_passed(struct deadline *deadline)
{
	if (!deadline || !deadline->end_ns)
		return false;
	if (!deadline->passed && now_ns() >= deadline->end_ns)
		deadline->passed = true;
	return deadline->passed;
}
