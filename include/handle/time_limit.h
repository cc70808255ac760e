/* The time limit of the whole handler (--timeout): one alarm.  Once it
 * rings, nothing more is read (which ends the kernel's dump), nothing more
 * passed on to --forward, and no child waited for. */
#ifndef PYCORE_HANDLE_TIME_LIMIT_H
#define PYCORE_HANDLE_TIME_LIMIT_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Non-zero once the time is up: what the handler's reads and waits look
 * at. */
extern volatile sig_atomic_t time_limit_reached;

/* Be told when SECONDS from now are up.  The alarm interrupts a blocked
 * read or write (no SA_RESTART).  Called again, it starts over. */
void time_limit_start(unsigned seconds);

/* Wait for PID until it exits or the time is up; then it is killed when
 * KILL_AT_TIMEOUT, left running otherwise.  A child that stops is killed
 * at once, as failed.  Returns whether it ended before the time limit
 * (*WSTATUS: how). */
bool time_limit_wait_child(pid_t pid, bool kill_at_timeout, int *wstatus);

#endif
