/* Whether a crash is the crashing user's to read, and as whom it is
 * analyzed.
 *
 * %u is the real UID: a set-user-ID program run by a user, or a process
 * that made itself not dumpable (PR_SET_DUMPABLE 0, as ssh-agent does),
 * holds in its memory what that user may not read, and the kernel still
 * dumps it when fs.suid_dumpable is 2 (Debian's systemd-coredump sets it).
 * So the user is given the entry only when the kernel's dump mode (%d) is
 * 1, a plain dump, and, while the process exists, /proc/PID shows its
 * ids all one and AT_SECURE 0 (and the core's auxv AT_SECURE 0, which the
 * analysis tells).  Anything unknown (no dump mode given, as in a
 * core_pattern written before it was taken) keeps the entry root's only.
 * Such a crash is analyzed as pycore's own account, not as the user: the
 * analysis child is then no process the user owns.
 *
 * pycore's account is the system account PRIVILEGE_ACCOUNT, which
 * scripts/install-handler --apply creates, or nobody where there is none:
 * it is the real and saved UID of every analysis child, so that neither
 * the crashing user nor a daemon running as nobody can signal it. */
#ifndef PYCORE_HANDLE_PRIVILEGE_H
#define PYCORE_HANDLE_PRIVILEGE_H

#include <stdbool.h>
#include <sys/types.h>

/* The name of pycore's system account. */
#define PRIVILEGE_ACCOUNT "pycore"

struct crash;
struct live_process;

struct privilege {
	bool user_may_read;	/* grant %u the entry (if the core's AT_SECURE is 0) */
	uid_t analysis_uid;	/* the ids the analysis children run with */
	gid_t analysis_gid;
	uid_t keeper_uid;	/* their real and saved UID: pycore's account (or
				 * nobody), which the user cannot signal */
	char why[160];		/* why the entry is root's only, "" when it is not */
};

/* Decide for CRASH, whose kernel dump mode is DUMP_MODE (-1: not given),
 * from what PROCESS shows. */
void privilege_decide(const struct crash *crash, int dump_mode, const struct live_process *process,
		      struct privilege *ret);

#endif
