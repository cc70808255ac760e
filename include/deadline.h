/* The overall deadline of one analysis (--timeout): a hostile core can
 * hold chains long enough to keep pycore busy for hours within every cap
 * on counts.  The loops over what the core holds (thread states, frames,
 * native frames) ask deadline_passed() once per step: a read of the
 * monotonic clock, which the vDSO answers in nanoseconds. */
#ifndef PYCORE_DEADLINE_H
#define PYCORE_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

struct deadline {
	uint64_t end_ns;	/* CLOCK_MONOTONIC; 0: no deadline */
	unsigned seconds;	/* as given, for messages */
	bool passed;		/* seen passed once: stays passed */
};

/* Start a deadline SECONDS from now; 0 means none. */
void deadline_start(struct deadline *deadline, unsigned seconds);

/* Whether DEADLINE (which may be NULL: none) has passed. */
bool deadline_passed(struct deadline *deadline);

#endif
