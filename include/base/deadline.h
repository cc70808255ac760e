/* The overall deadline of one analysis (--timeout): a hostile core can
 * hold chains long enough to keep pycore busy for hours within every cap
 * on counts.  The loops over what the core holds (thread states, frames,
 * native frames) ask deadline_passed() once per step: a read of the
 * monotonic clock, which the vDSO answers in nanoseconds. */
#ifndef PYCORE_BASE_DEADLINE_H
#define PYCORE_BASE_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct deadline {
	uint64_t end_ns;	/* CLOCK_MONOTONIC; 0: no deadline */
	double seconds;		/* as given, for messages */
	bool passed;		/* seen passed once: stays passed */
};

/* Start a deadline SECONDS (at most 10^9) from now; 0 means none. */
void deadline_start(struct deadline *deadline, double seconds);

/* Whether DEADLINE (which may be NULL: none) has passed. */
bool deadline_passed(struct deadline *deadline);

/* A system call that blocks cannot look at the clock.  libdwfl opens every
 * file a core names (NT_FILE, the dynamic linker's list in memory) and
 * their debug links with a plain open(): a crafted core that names a FIFO
 * would block it for ever.  Between blocking_guard_start() and
 * blocking_guard_stop(), a timer interrupts any call blocked for more than
 * a second: it fails with EINTR, and libdwfl goes on without that file.
 * The timer's signal is a real-time one of its own (alarm() and SIGALRM
 * stay pycore handle's); its handler does nothing and stays installed, so
 * that a signal still pending after the stop is harmless. */
struct blocking_guard {
	timer_t timer;
	bool armed;
};

void blocking_guard_start(struct blocking_guard *guard);
void blocking_guard_stop(struct blocking_guard *guard);

#endif
