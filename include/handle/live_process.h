/* The crashed process while it still exists, seen through /proc/PID.
 *
 * While the kernel pipes a core to pycore handle, the dumping process
 * cannot exit: /proc/PID/exe is the very file it ran (even if replaced on
 * disk since), and /proc/PID/root is its root directory, in its own mount
 * namespace (a container's files).  Both are opened at once and kept as
 * descriptors, which stay valid after the process is gone.
 *
 * A PID is only a number: it is used when /proc/PID is the process that
 * crashed.  It is when the kernel is dumping it (CoreDumping: 1), or when
 * it started no later than the crash and has the crash's real UID and GID
 * (pycore handle run by hand, or on a core made with gcore); and the name
 * the core records must be its name. */
#ifndef PYCORE_HANDLE_LIVE_PROCESS_H
#define PYCORE_HANDLE_LIVE_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

struct core;

/* What /proc/PID says of the ids the process runs with. */
enum live_credentials {
	LIVE_CREDENTIALS_UNKNOWN,	/* /proc/PID not used, or unreadable */
	LIVE_CREDENTIALS_PLAIN,		/* real = effective = saved = file-system UID and
					 * GID, and AT_SECURE 0 in its auxv */
	LIVE_CREDENTIALS_CHANGED,	/* its UIDs or GIDs differ (set-user-ID, setuid()) */
	LIVE_CREDENTIALS_SECURE,	/* AT_SECURE: it was exec'd with privileges */
};

struct live_process {
	pid_t pid;
	int root_fd;		/* its root directory (O_PATH), or -1 */
	int exe_fd;		/* its executable, or -1 */
	bool other_root;	/* its root or mount namespace is not pycore's */
	bool dumping;		/* the kernel was dumping it */
	enum live_credentials credentials;
	char exe[1024];		/* where /proc/PID/exe points, "" when unknown */
	char comm[17];		/* its name, as /proc/PID/stat has it */
	char why_not[256];	/* why /proc/PID is not used (root_fd and exe_fd -1) */
};

/* Open what /proc/PID has of the process that crashed as UID:GID at
 * CRASH_TIME.  Never fails: when /proc/PID cannot be used, the fds are -1
 * and WHY_NOT says why. */
void live_process_open(pid_t pid, uid_t uid, gid_t gid, time_t crash_time,
		       struct live_process *ret);

/* Drop the process when the name CORE records is not its name: the PID
 * was reused.  Returns whether it is still used. */
bool live_process_check_core(struct live_process *process, const struct core *core);

/* Whether its /proc/PID/maps, which the kernel writes, maps a libpython:
 * 1 yes, 0 no, -1 cannot tell (no maps, or more than a few MiB of them). */
int live_process_maps_libpython(const struct live_process *process);

void live_process_close(struct live_process *process);

#endif
