/* The analysis child's second wall against writing, under the seccomp
 * filter (sandbox.h).
 *
 * A crash of UID 0 is analyzed as UID 0 without capabilities: so that
 * root's crashes show the lines of root's own sources (in 0700
 * directories), the child reads what root reads, and it still owns root's
 * files.  The seccomp filter stops every call that writes, but it is a
 * list that must stay right; code that got past it (a parser bug
 * exploited by a crafted ELF file) would own those files.  So, while it
 * still has the capabilities to, the child also makes the file systems it
 * sees unwritable: every mount read-only (and without devices or set-user-ID
 * files) in a mount namespace of its own, and, where the kernel has
 * Landlock, a domain that may write, create, remove, rename, link or
 * truncate nothing, anywhere (also past its mounts: the crashed
 * container's root it reads through a descriptor, another process's
 * /proc/PID/root), nor signal a process outside it.  Neither is needed for
 * the filter to hold: a kernel without them (mount_setattr came in Linux
 * 5.12, Landlock in 5.13, its truncation right in 6.2) keeps the walls it
 * has. */
#ifndef PYCORE_HANDLE_READ_ONLY_H
#define PYCORE_HANDLE_READ_ONLY_H

/* The walls read_only_enter raised. */
enum read_only_walls {
	READ_ONLY_MOUNTS = 1 << 0,   /* every mount read-only, nodev, nosuid */
	READ_ONLY_LANDLOCK = 1 << 1, /* a Landlock domain that writes nothing */
};

/* Raise what this kernel allows of both walls; needs CAP_SYS_ADMIN (call
 * it before the capabilities go) and a single-threaded process.  Files
 * already open keep their access: the reports are written through them.
 * Returns the walls raised (enum read_only_walls). */
unsigned read_only_enter(void);

#endif
