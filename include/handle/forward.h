/* --forward: the core passed on, as it is read, to another handler
 * (systemd-coredump, apport), which gets the kernel's arguments too.  A
 * crash pycore does not report still reaches it. */
#ifndef PYCORE_HANDLE_FORWARD_H
#define PYCORE_HANDLE_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct crash;

struct forward {
	pid_t pid;		/* -1: not running */
	int fd;			/* the write end of its standard input, or -1 */
	char problem[256];	/* why it stopped getting the core */
};

#define FORWARD_INIT {.pid = -1, .fd = -1}

/* Whether COMMAND names a program that cannot be run (errno says why): a
 * usage error of the handler's own, caught before a crash depends on it. */
bool forward_unrunnable(const char *command);

/* Start COMMAND with CRASH's arguments: a single word is a program, run
 * with them (core_pattern cannot hold spaces, so
 * --forward=/lib/systemd/systemd-coredump fits in it); anything else is a
 * shell command, which has them as $1 to $7.  Returns false, having logged
 * why, when it cannot be started. */
bool forward_start(struct forward *forward, const char *command, const struct crash *crash);

/* Pass every byte read to the command, until it stops reading or the time
 * is up: an input_options tee, whose ARG is the struct forward. */
void forward_tee(void *arg, const void *buf, size_t len);

/* The core has ended: close the command's standard input. */
void forward_end_input(struct forward *forward);

/* Wait for the command, for what is left of the time limit, and log what
 * went wrong with it, naming COMMAND and CRASH_PID.  Returns false when it
 * could not be run at all (exit status 127: the shell or exec found no
 * such program). */
bool forward_finish(struct forward *forward, const char *command, pid_t crash_pid);

#endif
