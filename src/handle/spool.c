#include "handle/spool.h"

#include "base/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define TMP_PREFIX ".pycore-tmp-"
#define SLOT_PREFIX ".pycore-slot-"
/* The slots of each UID: bytes of one file, UID * MAX_USER_SLOTS + N,
 * locked with F_OFD_SETLK, so that a user's share is counted without a
 * file per UID. */
#define USER_SLOTS_FILE SLOT_PREFIX "users"
#define MAX_USER_SLOTS 1024
/* Others may pass through the spool, never list it: a user reaches the
 * report an ACL lets them read by its name, the one the log gives. */
#define SPOOL_MODE 0751
/* The POSIX ACL of a file, as the kernel takes it in the
 * system.posix_acl_access attribute (linux/posix_acl_xattr.h). */
#define ACL_XATTR "system.posix_acl_access"
#define ACL_VERSION 2
#define ACL_USER_OBJ 0x01
#define ACL_USER 0x02
#define ACL_GROUP_OBJ 0x04
#define ACL_MASK 0x10
#define ACL_OTHER 0x20
#define ACL_UNDEFINED_ID 0xffffffffu
/* A temporary file older than this was left by a handler that was killed:
 * no handler runs that long (--timeout). */
#define TMP_STALE_SECONDS 3600
/* Files of the spool held in memory when pruning; past this, the rest are
 * only counted, and left for the next crash to prune. */
#define SPOOL_MAX_FILES 100000
/* Stems tried when the first is taken: STEM-2 ... STEM-100. */
#define SPOOL_MAX_TRIES 100

static const char *const entry_suffixes[SPOOL_NKINDS] = {
	[SPOOL_TEXT] = ".txt",
	[SPOOL_JSON] = ".json",
	[SPOOL_CORE] = ".core.zst",
};

const char *spool_suffix(enum spool_kind kind)
{
	return entry_suffixes[kind];
}

struct pc_error *spool_open(const char *path, struct spool *ret)
{
	struct stat st;
	size_t len = strlen(path);
	bool created = false;
	char *clean;
	int fd;

	/* "spool/" would make open() follow a link named spool. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	clean = strndup(path, len);
	if (!clean)
		return &pc_error_nomem;
	fd = open(clean, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		created = mkdir(clean, SPOOL_MODE) == 0;
		if (!created && errno != EEXIST) {
			struct pc_error *err = pc_error_create(PC_ERR_IO, "cannot create '%s': %s",
							       clean, strerror(errno));
			free(clean);
			return err;
		}
		fd = open(clean, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		struct pc_error *err;

		if (errno == ELOOP || (errno == ENOTDIR && lstat(clean, &st) == 0 &&
				       S_ISLNK(st.st_mode)))
			err = pc_error_create(PC_ERR_IO, "'%s' is a symbolic link: pycore writes "
							 "only into a real directory",
					      clean);
		else
			err = pc_error_create(PC_ERR_IO, "cannot open '%s': %s", clean,
					      strerror(errno));
		free(clean);
		return err;
	}
	/* mkdir() obeys the umask; the mode is part of the contract. */
	if (created && fchmod(fd, SPOOL_MODE) != 0) {
		struct pc_error *err = pc_error_create(PC_ERR_IO, "chmod '%s': %s", clean,
						       strerror(errno));
		close(fd);
		free(clean);
		return err;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		struct pc_error *err =
			st.st_uid != geteuid()
				? pc_error_create(PC_ERR_IO, "'%s' belongs to UID %u, not to pycore's "
							     "UID %u: refusing to write into it",
						  clean, (unsigned)st.st_uid, (unsigned)geteuid())
				: pc_error_create(PC_ERR_IO, "'%s' is writable by %s (mode %04o): "
							     "anyone could plant files in it; "
							     "refusing to write into it",
						  clean, st.st_mode & 002 ? "others" : "its group",
						  (unsigned)(st.st_mode & 07777));
		close(fd);
		free(clean);
		return err;
	}
	ret->dirfd = fd;
	ret->path = clean;
	ret->slot_fd = -1;
	ret->user_slot_fd = -1;
	return NULL;
}

void spool_close(struct spool *spool)
{
	if (spool->dirfd >= 0)
		close(spool->dirfd);
	spool->dirfd = -1;
	if (spool->slot_fd >= 0)
		close(spool->slot_fd);
	spool->slot_fd = -1;
	if (spool->user_slot_fd >= 0)
		close(spool->user_slot_fd);
	spool->user_slot_fd = -1;
	free(spool->path);
	spool->path = NULL;
}

struct pc_error *spool_nonce(char ret[SPOOL_NONCE_SIZE])
{
	unsigned long long random;
	ssize_t n;
	int fd;

	do
		n = getrandom(&random, sizeof(random), 0);
	while (n < 0 && errno == EINTR);
	/* A kernel before getrandom (3.17) still has the device. */
	if (n != sizeof(random)) {
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, &random, sizeof(random)) : -1;
		if (fd >= 0)
			close(fd);
	}
	if (n != sizeof(random))
		return pc_error_create(PC_ERR_IO, "no random bytes for a name in the spool: %s",
				       n < 0 ? strerror(errno) : "short read");
	snprintf(ret, SPOOL_NONCE_SIZE, "%016llx", random);
	return NULL;
}

struct pc_error *spool_create(struct spool *spool, struct spool_file *ret)
{
	char nonce[SPOOL_NONCE_SIZE];
	struct pc_error *err;
	int tries;

	for (tries = 0; tries < SPOOL_MAX_TRIES; tries++) {
		if ((err = spool_nonce(nonce)))
			return err;
		snprintf(ret->name, sizeof(ret->name), TMP_PREFIX "%s", nonce);
		ret->fd = openat(spool->dirfd, ret->name,
				 O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (ret->fd >= 0)
			return NULL;
		if (errno != EEXIST)
			break;
	}
	return pc_error_create(PC_ERR_IO, "cannot create a file in '%s': %s", spool->path,
			       strerror(errno));
}

void spool_discard(struct spool *spool, struct spool_file *file)
{
	if (file->fd < 0)
		return;
	close(file->fd);
	file->fd = -1;
	unlinkat(spool->dirfd, file->name, 0);
}

/* Whether any name of the entry STEM exists, as anything. */
static bool stem_taken(struct spool *spool, const char *stem)
{
	char name[512];
	struct stat st;
	size_t i;

	for (i = 0; i < SPOOL_NKINDS; i++) {
		snprintf(name, sizeof(name), "%s%s", stem, entry_suffixes[i]);
		if (fstatat(spool->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
			return true;
	}
	return false;
}

/* Handlers of crashes that come together commit and prune at the same
 * time.  Holding the spool's lock makes finding a free stem and renaming
 * into it one step (else two handlers pick the same stem and one fails, or
 * they share it), and keeps a prune from deleting half of an entry being
 * committed.  Only pycore takes it: the spool is its own, mode 0750. */
static struct pc_error *spool_lock(struct spool *spool)
{
	if (flock(spool->dirfd, LOCK_EX) != 0)
		return pc_error_create(PC_ERR_IO, "cannot lock '%s': %s", spool->path,
				       strerror(errno));
	return NULL;
}

static void spool_unlock(struct spool *spool)
{
	flock(spool->dirfd, LOCK_UN);
}

/* spool_commit() with the lock held. */
static struct pc_error *commit_locked(struct spool *spool, struct spool_file files[SPOOL_NKINDS],
				      const char *stem, char *final_stem, size_t stem_size)
{
	char name[512];
	size_t i;
	int tries;

	for (tries = 1; tries <= SPOOL_MAX_TRIES; tries++) {
		if (tries == 1)
			snprintf(final_stem, stem_size, "%s", stem);
		else
			snprintf(final_stem, stem_size, "%s-%d", stem, tries);
		if (!stem_taken(spool, final_stem))
			break;
	}
	if (tries > SPOOL_MAX_TRIES)
		return pc_error_create(PC_ERR_IO, "'%s' already has entries %s to %s-%d", spool->path,
				       stem, stem, SPOOL_MAX_TRIES);
	for (i = 0; i < SPOOL_NKINDS; i++) {
		if (files[i].fd < 0)
			continue;
		snprintf(name, sizeof(name), "%s%s", final_stem, entry_suffixes[i]);
		/* NOREPLACE: a name planted since the check is not overwritten. */
		if (renameat2(spool->dirfd, files[i].name, spool->dirfd, name, RENAME_NOREPLACE) != 0)
			return pc_error_create(PC_ERR_IO, "cannot rename a file to '%s/%s': %s",
					       spool->path, name, strerror(errno));
		close(files[i].fd);
		files[i].fd = -1;
	}
	return NULL;
}

struct pc_error *spool_commit(struct spool *spool, struct spool_file files[SPOOL_NKINDS],
			      const char *stem, char *final_stem, size_t stem_size)
{
	struct pc_error *err;
	size_t i;

	for (i = 0; i < SPOOL_NKINDS; i++) {
		if (files[i].fd < 0)
			continue;
		/* The mode must not depend on the umask, nor the data on luck. */
		if (fchmod(files[i].fd, 0640) != 0 || fsync(files[i].fd) != 0)
			return pc_error_create(PC_ERR_IO, "writing into '%s': %s", spool->path,
					       strerror(errno));
	}
	err = spool_lock(spool);
	if (err)
		return err;
	err = commit_locked(spool, files, stem, final_stem, stem_size);
	spool_unlock(spool);
	return err;
}

/* The owner of an entry none is given to (a privileged process's). */
#define NO_OWNER ((uid_t)-1)

struct spooled {
	char *name;
	size_t stem_len;
	uint64_t bytes;
	struct timespec mtime;
	uid_t owner;		/* the UID its ACL lets read it (text reports), or NO_OWNER */
	bool removed;
};

struct entry {
	size_t first, count;	/* in the sorted files */
	uint64_t bytes;
	struct timespec mtime;	/* of its newest file */
	uid_t owner;
	bool gone;		/* removed already */
};

/* The UID that NAME's ACL (spool_grant_read) lets read it, or NO_OWNER. */
static uid_t acl_owner(const struct spool *spool, const char *name)
{
	unsigned char acl[4 + 8 * 16];
	char *path;
	ssize_t n, i;

	if (asprintf(&path, "%s/%s", spool->path, name) < 0)
		return NO_OWNER;
	n = lgetxattr(path, ACL_XATTR, acl, sizeof(acl));
	free(path);
	for (i = 4; i + 8 <= n; i += 8) {
		uint16_t tag;
		uint32_t id;

		memcpy(&tag, acl + i, 2);
		memcpy(&id, acl + i + 4, 4);
		if (tag == ACL_USER)
			return (uid_t)id;
	}
	return NO_OWNER;
}

static int spooled_by_stem(const void *a, const void *b)
{
	const struct spooled *x = a, *y = b;
	size_t len = x->stem_len < y->stem_len ? x->stem_len : y->stem_len;
	int c = memcmp(x->name, y->name, len);

	if (c)
		return c;
	return x->stem_len < y->stem_len ? -1 : x->stem_len > y->stem_len;
}

static int timespec_compare(const struct timespec *x, const struct timespec *y)
{
	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

static int entry_by_age(const void *a, const void *b, void *arg)
{
	const struct entry *x = a, *y = b;
	const struct spooled *files = arg;
	int c = timespec_compare(&x->mtime, &y->mtime);

	return c ? c : spooled_by_stem(&files[x->first], &files[y->first]);
}

/* The length of NAME's stem when it ends in an entry suffix, else 0. */
static size_t entry_stem_len(const char *name)
{
	size_t len = strlen(name), i;

	if (name[0] == '.')
		return 0;
	for (i = 0; i < sizeof(entry_suffixes) / sizeof(entry_suffixes[0]); i++) {
		size_t suffix_len = strlen(entry_suffixes[i]);

		if (len > suffix_len && strcmp(name + len - suffix_len, entry_suffixes[i]) == 0)
			return len - suffix_len;
	}
	return 0;
}

/* Read the spool's entry files into *RET, the first SPOOL_MAX_FILES of
 * them; *UNLISTED receives the disk use of the others, which count
 * towards --max-use all the same: the entries listed are pruned for
 * them. */
static struct pc_error *list_files(struct spool *spool, struct spooled **ret, size_t *nret,
				   uint64_t *unlisted)
{
	struct spooled *files = NULL;
	size_t n = 0, capacity = 0;
	struct dirent *ent;
	time_t now = time(NULL);
	int fd;
	DIR *dir;

	/* A descriptor of its own: reading moves the directory's offset. */
	fd = openat(spool->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return pc_error_create(PC_ERR_IO, "cannot list '%s': %s", spool->path,
				       strerror(errno));
	}
	*unlisted = 0;
	while ((ent = readdir(dir))) {
		struct stat st;
		size_t stem_len;

		if (fstatat(spool->dirfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (strncmp(ent->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
			if (now - st.st_mtime > TMP_STALE_SECONDS)
				unlinkat(spool->dirfd, ent->d_name, 0);
			continue;
		}
		stem_len = entry_stem_len(ent->d_name);
		if (!stem_len)
			continue;
		if (n == SPOOL_MAX_FILES) {
			*unlisted += (uint64_t)st.st_blocks * 512;
			continue;
		}
		if (n == capacity) {
			size_t grown_capacity = capacity ? capacity * 2 : 64;
			struct spooled *grown = realloc(files, grown_capacity * sizeof(*files));

			if (!grown)
				goto nomem;
			files = grown;
			capacity = grown_capacity;
		}
		files[n].name = strdup(ent->d_name);
		if (!files[n].name)
			goto nomem;
		files[n].stem_len = stem_len;
		files[n].bytes = (uint64_t)st.st_blocks * 512;
		files[n].mtime = st.st_mtim;
		files[n].removed = false;
		files[n].owner = strcmp(ent->d_name + stem_len, entry_suffixes[SPOOL_TEXT]) == 0
					 ? acl_owner(spool, ent->d_name)
					 : NO_OWNER;
		n++;
	}
	closedir(dir);
	*ret = files;
	*nret = n;
	return NULL;

nomem:
	closedir(dir);
	while (n > 0)
		free(files[--n].name);
	free(files);
	return &pc_error_nomem;
}

/* Remove ENTRY's core, when it has one, from the TOTAL. */
static bool remove_core(struct spool *spool, struct spooled *files, struct entry *entry,
			uint64_t *total)
{
	size_t j;

	for (j = 0; j < entry->count; j++) {
		struct spooled *file = &files[entry->first + j];

		if (file->removed ||
		    strcmp(file->name + file->stem_len, entry_suffixes[SPOOL_CORE]) != 0 ||
		    unlinkat(spool->dirfd, file->name, 0) != 0)
			continue;
		*total -= file->bytes;
		entry->bytes -= file->bytes;
		file->removed = true;
		return true;
	}
	return false;
}

/* Remove ENTRY, all its files, from the TOTAL. */
static void remove_entry(struct spool *spool, const struct spooled *files, struct entry *entry,
			 uint64_t *total)
{
	size_t j;

	for (j = 0; j < entry->count; j++)
		if (!files[entry->first + j].removed)
			unlinkat(spool->dirfd, files[entry->first + j].name, 0);
	*total -= entry->bytes;
	entry->gone = true;
}

struct pc_error *spool_prune(struct spool *spool, uint64_t max_use, uid_t uid, uint64_t share,
			     size_t *removed, size_t *cores_removed)
{
	struct entry *entries = NULL;
	size_t nfiles = 0, nentries = 0, i, newest = SIZE_MAX;
	struct spooled *files = NULL;
	uint64_t total = 0, mine = 0;
	struct pc_error *err;
	int pass;

	*removed = *cores_removed = 0;
	err = spool_lock(spool);
	if (err)
		return err;
	err = list_files(spool, &files, &nfiles, &total);
	if (err)
		goto out;
	if (nfiles)
		qsort(files, nfiles, sizeof(*files), spooled_by_stem);
	entries = calloc(nfiles ? nfiles : 1, sizeof(*entries));
	if (!entries) {
		err = &pc_error_nomem;
		goto out;
	}
	for (i = 0; i < nfiles; i++) {
		struct entry *entry;

		if (i == 0 || spooled_by_stem(&files[i - 1], &files[i]) != 0) {
			entry = &entries[nentries++];
			entry->first = i;
			entry->owner = NO_OWNER;
		} else {
			entry = &entries[nentries - 1];
		}
		entry->count++;
		entry->bytes += files[i].bytes;
		if (files[i].owner != NO_OWNER)
			entry->owner = files[i].owner;
		if (timespec_compare(&files[i].mtime, &entry->mtime) > 0)
			entry->mtime = files[i].mtime;
		total += files[i].bytes;
	}
	qsort_r(entries, nentries, sizeof(*entries), entry_by_age, files);
	for (i = 0; i < nentries; i++)
		if (entries[i].owner == uid) {
			mine += entries[i].bytes;
			newest = i;
		}
	/* UID's own first, while it holds more than its SHARE (its newest
	 * entry, the crash being handled, kept): cores, then entries, oldest
	 * first.  So one user's stream of crashes evicts its own. */
	for (pass = 0; pass < 2 && share; pass++)
		for (i = 0; i < nentries && total > max_use && mine > share; i++) {
			uint64_t before = total;

			if (entries[i].owner != uid || i == newest || entries[i].gone)
				continue;
			if (pass == 0 && remove_core(spool, files, &entries[i], &total))
				(*cores_removed)++;
			if (pass == 1) {
				remove_entry(spool, files, &entries[i], &total);
				(*removed)++;
			}
			mine -= before - total;
		}
	/* Then everyone's: cores are large and reports small, every core
	 * goes, oldest first, before the first report does. */
	for (i = 0; i < nentries && total > max_use; i++)
		while (!entries[i].gone && total > max_use &&
		       remove_core(spool, files, &entries[i], &total))
			(*cores_removed)++;
	for (i = 0; i < nentries && total > max_use; i++) {
		if (entries[i].gone)
			continue;
		remove_entry(spool, files, &entries[i], &total);
		(*removed)++;
	}
out:
	spool_unlock(spool);
	for (i = 0; i < nfiles; i++)
		free(files[i].name);
	free(files);
	free(entries);
	return err;
}

struct pc_error *spool_grant_read(struct spool *spool, struct spool_file *file, uid_t uid)
{
	struct {
		uint16_t tag, perm;
		uint32_t id;
	} entries[] = {
		{ACL_USER_OBJ, 6, ACL_UNDEFINED_ID}, {ACL_USER, 4, (uint32_t)uid},
		{ACL_GROUP_OBJ, 4, ACL_UNDEFINED_ID}, {ACL_MASK, 4, ACL_UNDEFINED_ID},
		{ACL_OTHER, 0, ACL_UNDEFINED_ID},
	};
	unsigned char acl[4 + sizeof(entries)];
	const uint32_t version = ACL_VERSION;

	if (uid == geteuid())
		return NULL;
	memcpy(acl, &version, 4);
	memcpy(acl + 4, entries, sizeof(entries));
	if (fsetxattr(file->fd, ACL_XATTR, acl, sizeof(acl), 0) != 0)
		return pc_error_create(PC_ERR_IO, "cannot let UID %u read a file of '%s' (ACL): %s",
				       (unsigned)uid, spool->path, strerror(errno));
	return NULL;
}

struct pc_error *spool_check_room(struct spool *spool, uint64_t reserve)
{
	return spool_reserve(spool, 0, reserve);
}

struct pc_error *spool_reserve(struct spool *spool, uint64_t bytes, uint64_t reserve)
{
	struct statvfs fs;
	uint64_t free_bytes;

	if (fstatvfs(spool->dirfd, &fs) != 0)
		return pc_error_create(PC_ERR_IO, "cannot see the free space of '%s': %s",
				       spool->path, strerror(errno));
	free_bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
	if (free_bytes < reserve || free_bytes - reserve < bytes)
		return pc_error_create(PC_ERR_LIMIT, "'%s' has %llu bytes free, less than the %llu "
						     "kept free%s",
				       spool->path, (unsigned long long)free_bytes,
				       (unsigned long long)reserve, bytes ? " and what is written" : "");
	return NULL;
}

uint64_t spool_room(struct spool *spool, uint64_t reserve)
{
	struct statvfs fs;
	uint64_t free_bytes;

	if (fstatvfs(spool->dirfd, &fs) != 0)
		return 0;
	free_bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
	return free_bytes > reserve ? free_bytes - reserve : 0;
}

uint64_t spool_share(const struct spool *spool, unsigned percent, uint64_t cap)
{
	struct statvfs fs;
	uint64_t share;

	if (fstatvfs(spool->dirfd, &fs) != 0)
		return cap;
	share = (uint64_t)fs.f_blocks * fs.f_frsize / 100 * percent;
	return share < cap ? share : cap;
}

/* Take one of the SHARE slots of UID: a byte of USER_SLOTS_FILE locked
 * while the handler runs; a PC_ERR_LIMIT error when all are taken. */
static struct pc_error *take_user_slot(struct spool *spool, unsigned share, uid_t uid)
{
	struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1};
	unsigned i;
	int fd;

	fd = openat(spool->dirfd, USER_SLOTS_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return pc_error_create(PC_ERR_IO, "cannot open '%s/%s': %s", spool->path,
				       USER_SLOTS_FILE, strerror(errno));
	for (i = 0; i < share && i < MAX_USER_SLOTS; i++) {
		lock.l_start = (off_t)((uint64_t)uid * MAX_USER_SLOTS + i);
		if (fcntl(fd, F_OFD_SETLK, &lock) == 0) {
			spool->user_slot_fd = fd;
			return NULL;
		}
		if (errno != EAGAIN && errno != EACCES) {
			struct pc_error *err = pc_error_create(PC_ERR_IO, "cannot lock '%s/%s': %s",
							       spool->path, USER_SLOTS_FILE,
							       strerror(errno));

			close(fd);
			return err;
		}
	}
	close(fd);
	return pc_error_create(PC_ERR_LIMIT, "%u handlers are already running for UID %u, its "
					     "share of '%s'",
			       share, (unsigned)uid, spool->path);
}

struct pc_error *spool_take_slot(struct spool *spool, unsigned max, unsigned share, uid_t uid)
{
	struct pc_error *err;
	char name[64];
	unsigned i;

	err = share ? take_user_slot(spool, share, uid) : NULL;
	if (err)
		return err;
	for (i = 0; i < max; i++) {
		int fd;

		snprintf(name, sizeof(name), SLOT_PREFIX "%u", i);
		fd = openat(spool->dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return pc_error_create(PC_ERR_IO, "cannot open '%s/%s': %s", spool->path, name,
					       strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			spool->slot_fd = fd;
			return NULL;
		}
		close(fd);
		if (errno != EWOULDBLOCK)
			return pc_error_create(PC_ERR_IO, "cannot lock '%s/%s': %s", spool->path, name,
					       strerror(errno));
	}
	return pc_error_create(PC_ERR_LIMIT, "%u handlers are already running on '%s'", max,
			       spool->path);
}
