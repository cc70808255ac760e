/* The directory pycore handle writes its reports into.
 *
 * pycore handle runs as root on whatever the kernel hands it, in a
 * directory other programs can see: nothing in it is trusted.  Every file
 * is reached relative to the directory's fd, never through a symbolic
 * link; every file is written under a temporary name, then renamed to a
 * name that must not exist yet.  An entry is the files of one crash, which
 * share a stem: STEM.txt, STEM.json, STEM.core.zst. */
#ifndef PYCORE_HANDLE_SPOOL_H
#define PYCORE_HANDLE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pc_error;

struct spool {
	int dirfd;
	char *path;		/* as given, without trailing slashes */
	int slot_fd;		/* the handler slot held (spool_take_slot), or -1 */
	int user_slot_fd;	/* the slot of the crashing UID held, or -1 */
};

/* Open the spool PATH, creating it (mode 0751: others may reach a file by
 * its name, not list them) when it does not exist; its
 * parent must.  Refused: a symbolic link, anything but a directory, a
 * directory owned by another user or writable by group or others. */
struct pc_error *spool_open(const char *path, struct spool *ret);
/* Close the spool's fds: its directory and the slot held, if any. */
void spool_close(struct spool *spool);

/* A file being written: a temporary name until spool_commit(). */
struct spool_file {
	int fd;			/* -1: none */
	char name[32];		/* the temporary name, in the spool */
};

/* 64 random bits, in 16 hexadecimal digits and a NUL. */
#define SPOOL_NONCE_SIZE 17
/* Fill RET with a nonce: the part of a name in the spool that no user can
 * guess (entries are named after what ps shows, the time, PID and name). */
struct pc_error *spool_nonce(char ret[SPOOL_NONCE_SIZE]);

/* Create an empty temporary file, mode 0640. */
struct pc_error *spool_create(struct spool *spool, struct spool_file *ret);

/* The files of an entry, named STEM.txt, STEM.json, STEM.core.zst. */
enum spool_kind {
	SPOOL_TEXT,
	SPOOL_JSON,
	SPOOL_CORE,
	SPOOL_NKINDS,
};

/* Give FILES[kind] its name STEM + the kind's suffix, with the first stem
 * among STEM, STEM-2, STEM-3... for which none of the names exists; files
 * whose fd is -1 are skipped.  Each is synced first.  On success
 * FINAL_STEM (of STEM_SIZE bytes) holds the stem used; on error, the files
 * not renamed stay temporary (spool_discard() them). */
struct pc_error *spool_commit(struct spool *spool, struct spool_file files[SPOOL_NKINDS],
			      const char *stem, char *final_stem, size_t stem_size);

/* The suffix of a KIND of file: ".txt", ".json", ".core.zst". */
const char *spool_suffix(enum spool_kind kind);

/* Remove a temporary file that was not committed; closes its fd. */
void spool_discard(struct spool *spool, struct spool_file *file);

/* Delete cores (STEM.core.zst), oldest first, then whole entries, oldest
 * first, until the spool's entries use at most MAX_USE bytes of disk:
 * reports outlive cores.  UID's own go first, while its entries (those
 * whose ACL lets UID read them) use more than SHARE bytes (0: no share),
 * its newest kept: one user's crashes do not evict the others'.  *REMOVED
 * receives how many entries were deleted, *CORES_REMOVED how many cores.
 * Temporary files left by a handler that was killed are deleted when they
 * are an hour old.  Other files are left alone and not counted. */
struct pc_error *spool_prune(struct spool *spool, uint64_t max_use, uid_t uid, uint64_t share,
			     size_t *removed, size_t *cores_removed);

/* Let UID read FILE too, with a POSIX ACL (as systemd-coredump does for
 * the user whose process crashed): the file stays 0640 to everyone else.
 * Nothing to do when UID is the spool's owner. */
struct pc_error *spool_grant_read(struct spool *spool, struct spool_file *file, uid_t uid);

/* An error when the spool's file system has fewer than RESERVE bytes free. */
struct pc_error *spool_check_room(struct spool *spool, uint64_t reserve);

/* The one check of every write into the spool: a PC_ERR_LIMIT error when
 * writing BYTES more would leave fewer than RESERVE bytes free. */
struct pc_error *spool_reserve(struct spool *spool, uint64_t bytes, uint64_t reserve);

/* The bytes the spool's file system has free above RESERVE: 0 when it
 * has fewer, or when they cannot be known. */
uint64_t spool_room(struct spool *spool, uint64_t reserve);

/* PERCENT of the size of the spool's file system, at most CAP; CAP when
 * the size cannot be known. */
uint64_t spool_share(const struct spool *spool, unsigned percent, uint64_t cap);

/* Take one of SHARE slots of UID (none when SHARE is 0), then one of MAX
 * slots for a handler: a lock file .pycore-slot-N held with flock(), and a
 * byte of .pycore-slot-users held with an open file description lock, until
 * spool_close(), when the process ends at the latest.  A PC_ERR_LIMIT
 * error when UID holds its SHARE already or all MAX are taken: one user's
 * endless stream of crashes leaves the others slots. */
struct pc_error *spool_take_slot(struct spool *spool, unsigned max, unsigned share, uid_t uid);

#endif
