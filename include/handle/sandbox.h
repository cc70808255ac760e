/* The analysis of a core that pycore handle runs as root, out of root.
 *
 * Everything in a core, and in the executable, libraries and debug files
 * it names, is chosen by whoever crashed: libelf and libdw parse all of it.
 * So the analysis runs in a child that first gives up everything root has
 * (sandbox_enter), keeping only the descriptors the parent opened for it:
 * the core, the crashed process's executable and root, the report files.
 * Every file it opens after that, it opens as the user who crashed, and
 * what that user could not read, it does not read; what it could write,
 * it still cannot (read_only.h). */
#ifndef PYCORE_HANDLE_SANDBOX_H
#define PYCORE_HANDLE_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

struct pc_error;

struct sandbox_limits {
	uint64_t address_space;	/* RLIMIT_AS, bytes; the core is mapped in it */
	uint64_t cpu_seconds;	/* RLIMIT_CPU */
	uint64_t file_size;	/* RLIMIT_FSIZE: the largest report file */
};

/* Make every file system unwritable to it (read_only_enter; WALLS
 * receives the walls raised), become UID:GID with no supplementary group and no capability (for UID 0
 * too), with KEEPER as the real and saved UID: UID opens the files, and
 * cannot signal (stop) a process whose real and saved UIDs are not its
 * own, which the seccomp filter keeps from being set back.  Not dumpable
 * (so that the user cannot ptrace it), with
 * PR_SET_NO_NEW_PRIVS, the LIMITS, no core dumps, and a seccomp filter
 * that allows reading files (open and openat only without O_WRONLY,
 * O_RDWR, O_CREAT, O_TRUNC or O_APPEND; openat2, whose flags it cannot
 * see, fails with ENOSYS), mapping memory and writing to open
 * descriptors, and makes every other system call fail with EPERM (no
 * exec, fork, socket, ptrace, chmod, unlink, rename, setuid...).  A write
 * past LIMITS->file_size fails with EFBIG rather than killing.  Returns
 * NULL, or which step failed: the caller must not go on. */
struct pc_error *sandbox_enter(uid_t uid, gid_t gid, uid_t keeper,
			       const struct sandbox_limits *limits, unsigned *walls);

#endif
