#include "layout/cache.h"

#include "layout/layout.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC "pycorelayout"
/* Bump when the meaning of a field changes without its size changing. */
#define CACHE_FORMAT 3
#define CACHE_MAX_DETAIL 1024

/* Which file, in which state: a build-id is only what a linker was told
 * to write, so an entry is used only for the very files it was read from,
 * unchanged since. */
struct file_id {
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec;
};

struct cache_entry {
	char magic[12];
	uint32_t format;
	uint32_t version_hex;
	uint64_t fields;	/* fields_hash(): another list of fields is a miss */
	uint64_t checksum;	/* FNV-1a 64 of everything after it */
	struct file_id main_id;	/* the executable or libpython */
	struct file_id dwarf_id; /* the file whose DWARF was read: DETAIL */
	int64_t offset[LAYOUT_FIELD_COUNT]; /* py_layout.offset; the shape follows
					     * from version_hex */
	char detail[CACHE_MAX_DETAIL];
};

static uint64_t fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t hash = 0xcbf29ce484222325ULL;

	while (len--) {
		hash ^= *p++;
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

/* The names of layout/fields.def in order: an entry written with another
 * list (a field added, removed or moved) is not read. */
static uint64_t fields_hash(void)
{
	static const char names[] =
#define LAYOUT_OFFSET(group, member, name, debug, rule) #group "." #member ";"
#include "layout/fields.def"
		;

	return fnv1a(names, sizeof(names) - 1);
}

static uint64_t entry_checksum(const struct cache_entry *entry)
{
	return fnv1a(&entry->main_id, sizeof(*entry) - offsetof(struct cache_entry, main_id));
}

/* PATH's identity; false when it is not a regular file, or (TRUSTED_ONLY)
 * when it belongs to someone other than root or this user, who could
 * have written into it whatever DWARF they liked. */
static bool file_id_of(const char *path, bool trusted_only, struct file_id *ret)
{
	struct stat st;

	if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	if (trusted_only && st.st_uid != 0 && st.st_uid != geteuid())
		return false;
	*ret = (struct file_id){(uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
				(int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec};
	return true;
}

/* The cache directory, or false when there is none to use. */
static bool cache_dir(char *out, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *off = getenv("PYCORE_NO_CACHE");
	int n;

	if (off && off[0] && strcmp(off, "0") != 0)
		return false;
	if (xdg && xdg[0] == '/')
		n = snprintf(out, size, "%s/pycore", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, size, "%s/.cache/pycore", home);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

static bool entry_path(const char *build_id, char *out, size_t size)
{
	char dir[PATH_MAX];
	size_t i;
	int n;

	/* The build-id names the file: only hex, so it cannot leave the dir. */
	if (!build_id[0] || strlen(build_id) > 128)
		return false;
	for (i = 0; build_id[i]; i++)
		if (!strchr("0123456789abcdef", build_id[i]))
			return false;
	if (!cache_dir(dir, sizeof(dir)))
		return false;
	n = snprintf(out, size, "%s/layout-%s", dir, build_id);
	return n > 0 && (size_t)n < size;
}

bool layout_cache_load(const char *build_id, const char *main_file, unsigned version_hex,
		       struct py_layout *ret, char *detail, size_t size)
{
	struct file_id main_id, dwarf_id;
	struct cache_entry entry;
	char path[PATH_MAX];
	ssize_t got;
	int fd;

	if (!entry_path(build_id, path, sizeof(path)))
		return false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	got = read(fd, &entry, sizeof(entry));
	close(fd);
	if (got != (ssize_t)sizeof(entry) || memcmp(entry.magic, CACHE_MAGIC, 12) != 0 ||
	    entry.format != CACHE_FORMAT || entry.fields != fields_hash() ||
	    entry.version_hex != version_hex || entry.checksum != entry_checksum(&entry) ||
	    entry.detail[CACHE_MAX_DETAIL - 1] != '\0')
		return false;
	memset(&main_id, 0, sizeof(main_id));
	memset(&dwarf_id, 0, sizeof(dwarf_id));
	if (!file_id_of(main_file, false, &main_id) || !file_id_of(entry.detail, false, &dwarf_id) ||
	    memcmp(&main_id, &entry.main_id, sizeof(main_id)) != 0 ||
	    memcmp(&dwarf_id, &entry.dwarf_id, sizeof(dwarf_id)) != 0)
		return false;
	layout_init(ret, version_hex);
	memcpy(ret->offset, entry.offset, sizeof(ret->offset));
	ret->source = LAYOUT_SOURCE_DWARF;
	snprintf(detail, size, "%s", entry.detail);
	return true;
}

void layout_cache_store(const char *build_id, const char *main_file,
			const struct py_layout *layout, const char *detail)
{
	struct cache_entry entry;
	char path[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX + 16];
	int fd, n;

	if (!entry_path(build_id, path, sizeof(path)) || !cache_dir(dir, sizeof(dir)))
		return;
	memset(&entry, 0, sizeof(entry));
	if (!file_id_of(main_file, true, &entry.main_id) ||
	    !file_id_of(detail, true, &entry.dwarf_id))
		return;
	memcpy(entry.magic, CACHE_MAGIC, 12);
	entry.format = CACHE_FORMAT;
	entry.version_hex = layout->version_hex;
	entry.fields = fields_hash();
	memcpy(entry.offset, layout->offset, sizeof(entry.offset));
	snprintf(entry.detail, sizeof(entry.detail), "%s", detail);
	entry.checksum = entry_checksum(&entry);

	/* ~/.cache may not exist yet; the cache is ours alone. */
	if (mkdir(dir, 0700) != 0 && errno == ENOENT) {
		char *slash = strrchr(dir, '/');

		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
		mkdir(dir, 0700);
	}
	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return;
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	n = write(fd, &entry, sizeof(entry)) == (ssize_t)sizeof(entry);
	if (close(fd) != 0 || !n || rename(tmp, path) != 0)
		unlink(tmp);
}
