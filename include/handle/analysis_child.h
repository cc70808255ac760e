/* The sandboxed children of pycore handle: whatever reads what the
 * crashed user chose (the executable, the core, the files it names) runs
 * in a child that first gives up root (sandbox.h), and the parent trusts
 * nothing it says. */
#ifndef PYCORE_HANDLE_ANALYSIS_CHILD_H
#define PYCORE_HANDLE_ANALYSIS_CHILD_H

#include "handle/child_report.h"
#include "handle/context.h"
#include "handle/spool.h"

#include <stdbool.h>
#include <sys/types.h>

/* Before a byte of the core is read, while the kernel holds the crashed
 * process: whether /proc says it is Python.  A libpython in its maps, or
 * an executable that defines CPython's symbols (read by a sandboxed
 * child: the executable is the user's).  Sets H->python_checked when it
 * is; false only when it surely is not. */
bool live_is_python(struct handle *h);

/* The analysis child, as its parent sees it. */
struct analysis_child {
	pid_t pid;		/* -1: it could not be started */
	int fork_errno;		/* why not */
	int report_fd;		/* the read end of what it sends, or -1 */
	bool exited;		/* by itself, before the time limit */
	int wstatus;		/* how, when it exited */
	struct child_report report;
};

/* Start the child that reads H's core into FILES' text and JSON reports.
 * A failed fork is no error: the child is marked as not started.  Returns
 * NULL, or why the pipe to it cannot be made. */
struct pc_error *analysis_child_start(struct handle *h, const struct spool_file files[SPOOL_NKINDS],
				      struct analysis_child *ret);

/* Wait for CHILD until the time limit, killing it then, and read what it
 * sent; what it did not send of the process's name and executable, the
 * live process tells. */
void analysis_child_wait(const struct handle *h, struct analysis_child *child);

#endif
