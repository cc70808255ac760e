/* Finding the core files under the directories pycore ci is given: by
 * content (an ELF core), or systemd-coredump's compressed cores by name and
 * magic number. */
#include "cmd/ci.h"

#include "base/error.h"
#include "base/vec.h"
#include "input/input.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first bytes of a file tell an ELF core (e_type is at 16) and the
 * compressed formats apart: nothing more is read from files that are not
 * cores. */
#define HEADER_BYTES 20

static bool named_like_core(const char *name)
{
	size_t len = strlen(name);

	return strcmp(name, "core") == 0 || strncmp(name, "core.", 5) == 0 ||
	       (len > 5 && strcmp(name + len - 5, ".core") == 0);
}

/* The names the kernel gives a core: "core", "core.PID"; and "*.core". */
static bool named_like_kernel_core(const char *name)
{
	size_t len = strlen(name);

	if (strcmp(name, "core") == 0 || (len > 5 && strcmp(name + len - 5, ".core") == 0))
		return true;
	return strncmp(name, "core.", 5) == 0 && name[5] &&
	       strspn(name + 5, "0123456789") == len - 5;
}

static bool is_elf_core(const unsigned char *header, size_t len)
{
	unsigned type;

	if (len < EI_NIDENT + 2 || memcmp(header, ELFMAG, SELFMAG) != 0)
		return false;
	if (header[EI_DATA] == ELFDATA2LSB)
		type = header[16] | (unsigned)header[17] << 8;
	else if (header[EI_DATA] == ELFDATA2MSB)
		type = (unsigned)header[16] << 8 | header[17];
	else
		return false;
	return type == ET_CORE;
}

/* systemd-coredump's compressed cores, "core.COMM.UID.BOOT.PID.TIME.zst",
 * and those pycore handle --keep-core keeps, "STEM.core.zst" (seekable,
 * read in place): the name says which compression, the magic number
 * confirms it (input.c goes by the magic number alone; only cores are
 * worth decompressing). */
static bool compressed_core(const char *name, const unsigned char *header, size_t len)
{
	static const struct {
		const char *suffix;
		const char *format;	/* as input_compression() names it */
	} suffixes[] = {
		{".zst", "zstd"},
		{".xz", "xz"},
		{".lz4", "lz4"},
	};
	const char *format = input_compression(header, len);
	size_t i, name_len = strlen(name);

	if (!format)
		return false;
	if (name_len > 9 && strcmp(name + name_len - 9, ".core.zst") == 0)
		return strcmp(format, "zstd") == 0;
	if (strncmp(name, "core.", 5) != 0)
		return false;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t suffix_len = strlen(suffixes[i].suffix);

		if (name_len > suffix_len &&
		    strcmp(name + name_len - suffix_len, suffixes[i].suffix) == 0)
			return strcmp(format, suffixes[i].format) == 0;
	}
	return false;
}

static struct pc_error *add_core(struct ci *ci, const char *path, const char *error)
{
	struct ci_core *grown, *core;

	if (ci->ncores == ci->max_cores) {
		ci->cores_skipped++;
		return NULL;
	}
	grown = vec_grow(ci->cores, &ci->cores_capacity, ci->ncores + 1, sizeof(*grown));
	if (!grown)
		return &pc_error_nomem;
	ci->cores = grown;
	core = &ci->cores[ci->ncores];
	*core = (struct ci_core){0};
	core->path = strdup(path);
	core->error = error ? strndup(error, CI_TEXT_MAX) : NULL;
	ci->ncores++;
	if (!core->path || (error && !core->error))
		return &pc_error_nomem;
	return NULL;
}

/* Look at one regular file: its first HEADER_BYTES bytes, no more. */
static struct pc_error *examine(struct ci *ci, const FTSENT *ent)
{
	unsigned char header[HEADER_BYTES];
	bool named = named_like_core(ent->fts_name);
	const char *format, *tool;
	char *reason;
	ssize_t n;
	int fd;

	/* A core cut to nothing, or to less than its ELF header, is a crash
	 * all the same: counted, as truncated. */
	if (ent->fts_statp->st_size == 0)
		return named_like_kernel_core(ent->fts_name)
			       ? add_core(ci, ent->fts_path, "truncated: the file is empty")
			       : NULL;
	if (ent->fts_statp->st_size < 4)
		return NULL;
	fd = open(ent->fts_accpath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		struct pc_error *err;

		/* Cores are written mode 0600: an unreadable "core" is most
		 * likely one, and it is worth saying so. */
		if (!named)
			return NULL;
		if (asprintf(&reason, "cannot open: %s", strerror(errno)) < 0)
			return &pc_error_nomem;
		err = add_core(ci, ent->fts_path, reason);
		free(reason);
		return err;
	}
	n = pread(fd, header, sizeof(header), 0);
	close(fd);
	if (n <= 0)
		return NULL;
	if (is_elf_core(header, (size_t)n))
		return add_core(ci, ent->fts_path, NULL);
	if ((size_t)n < HEADER_BYTES && memcmp(header, ELFMAG, SELFMAG) == 0) {
		struct pc_error *err;

		if (asprintf(&reason, "truncated: %zd bytes, less than an ELF header", n) < 0)
			return &pc_error_nomem;
		err = add_core(ci, ent->fts_path, reason);
		free(reason);
		return err;
	}
	if (compressed_core(ent->fts_name, header, (size_t)n))
		return add_core(ci, ent->fts_path, NULL);
	/* A core compressed in a way pycore does not read is a crash all the
	 * same: it is counted, and the report says what to do with it. */
	format = named ? input_unreadable_compression(header, (size_t)n, &tool) : NULL;
	if (format) {
		struct pc_error *err;

		if (asprintf(&reason,
			     "%s-compressed, which pycore does not read: decompress it "
			     "(%s FILE > core) and run pycore on the result",
			     format, tool) < 0)
			return &pc_error_nomem;
		err = add_core(ci, ent->fts_path, reason);
		free(reason);
		return err;
	}
	if (named)
		ci->ignored++;
	return NULL;
}

static int compare_names(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* Version control metadata holds many files and never a core. */
static bool is_vcs_dir(const char *name)
{
	return strcmp(name, ".git") == 0 || strcmp(name, ".hg") == 0 ||
	       strcmp(name, ".svn") == 0;
}

struct pc_error *ci_find_cores(struct ci *ci)
{
	FTS *fts = fts_open(ci->dirs, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR, compare_names);
	struct pc_error *err = NULL;
	FTSENT *ent;

	if (!fts)
		return pc_error_create(PC_ERR_IO, "fts_open: %s", strerror(errno));
	while (!err && (ent = fts_read(fts)) != NULL) {
		switch (ent->fts_info) {
		case FTS_D:
			if (ent->fts_level > 0 && is_vcs_dir(ent->fts_name)) {
				fts_set(fts, ent, FTS_SKIP);
			} else if ((size_t)ent->fts_level >= ci->max_depth) {
				fts_set(fts, ent, FTS_SKIP);
				ci->depth_cut = true;
			}
			break;
		case FTS_F:
			if (ci->examined == ci->max_files) {
				ci->files_cut = true;
				goto done;
			}
			ci->examined++;
			err = examine(ci, ent);
			break;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			fprintf(stderr, "pycore: %s: %s\n", ent->fts_path,
				strerror(ent->fts_errno));
			if (ent->fts_level == 0)
				ci->bad_dir = true;
			break;
		default:
			break;
		}
	}
	if (!err && errno != 0 && !ent)
		err = pc_error_create(PC_ERR_IO, "fts_read: %s", strerror(errno));
done:
	fts_close(fts);
	return err;
}
