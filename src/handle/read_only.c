#include "handle/read_only.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The rights of later Landlock ABIs, for headers older than them. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

/* Every right of ABI 1 that changes a file system; reading and executing
 * are not handled, so they stay allowed. */
#define LANDLOCK_WRITES_V1                                                                      \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                        \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                        \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                            \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |                          \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

/* A namespace of our own, so that no other process sees the change.  Its
 * mounts are slaves of the host's: a file system the host unmounts goes
 * from it too, so that the child holds none busy for --timeout (a disk
 * that cannot be detached, a LUKS volume that cannot be closed).  A mount
 * the host makes meanwhile appears in it as the host made it, writable:
 * Landlock and the seccomp filter still hold there. */
static unsigned read_only_mounts(void)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID,
		.propagation = MS_SLAVE,
	};

	if (unshare(CLONE_NEWNS) != 0)
		return 0;
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof(attr)) != 0)
		return 0;
	return READ_ONLY_MOUNTS;
}

static uint64_t landlock_writes(int abi)
{
	uint64_t writes = LANDLOCK_WRITES_V1;

	if (abi >= 2)
		writes |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		writes |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		writes |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return writes;
}

/* A ruleset that handles every write right and has no rule allows none of
 * them, on any path. */
static unsigned landlock_no_writes(void)
{
	struct landlock_ruleset_attr attr = {0};
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			       LANDLOCK_CREATE_RULESET_VERSION);
	int ruleset;
	long rc;

	if (abi < 1)
		return 0;
	attr.handled_access_fs = landlock_writes(abi);
#ifdef LANDLOCK_SCOPE_SIGNAL
	if (abi >= 6)
		attr.scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
#endif
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		return 0;
	rc = syscall(SYS_landlock_restrict_self, ruleset, 0);
	close(ruleset);
	return rc == 0 ? READ_ONLY_LANDLOCK : 0;
}

unsigned read_only_enter(void)
{
	return read_only_mounts() | landlock_no_writes();
}
