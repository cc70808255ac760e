/* pycore ci: find the core files a test run left behind, analyse each, and
 * group them by crash fingerprint, for a CI log, GitHub Actions and JUnit
 * viewers.  The exit status says whether any core was found. */
#include "analysis.h"
#include "cli.h"
#include "core.h"
#include "error.h"
#include "fingerprint.h"
#include "modules.h"
#include "signals.h"
#include "utf8.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_DEPTH 12
#define DEFAULT_MAX_FILES 100000
#define DEFAULT_MAX_CORES 100
#define CI_FRAMES 10		/* Python frames of the crashing thread kept per core */
#define CI_NOTES 16		/* notes kept per core */
#define CI_LIST 5		/* executables, places, cores, notes listed per group */
#define TEXT_MAX 4096		/* bytes kept of any string from a core or a file name */
/* The first bytes of a file tell an ELF core (e_type is at 16) and the
 * compressed formats apart: nothing more is read from files that are not
 * cores. */
#define HEADER_BYTES 20

struct ci_frame {
	char *file;		/* NULL: unreadable frame */
	char *name;
	int line;		/* -1: unknown */
};

/* One core file.  Every string is clean: valid UTF-8, control characters
 * written as \xNN, at most TEXT_MAX bytes. */
struct ci_core {
	char *path;		/* as found, for opening */
	char *shown;		/* clean, for the reports */
	char *error;		/* the core could not be analysed: why */
	char fingerprint[FINGERPRINT_ID_LEN + 1];
	char *signal;		/* "SIGSEGV" */
	char *executable;	/* NULL: the core names none */
	char *python;		/* the Python version, or NULL */
	char *native;		/* the native function the fingerprint names */
	char *place;		/* "FILE:LINE in NAME" of the top Python frame, or NULL */
	struct ci_frame frames[CI_FRAMES]; /* crashing thread, most recent call first */
	size_t nframes;
	bool frames_cut;	/* the thread has more */
	char *notes[CI_NOTES];	/* what was missing or unreadable */
	size_t nnotes;
};

struct ci_group {
	size_t *cores;		/* indices in ci.cores, in the order found */
	size_t ncores;
};

struct ci {
	struct analysis_options analysis; /* core_path is set per core */
	size_t max_depth, max_files, max_cores;
	bool github;
	const char *junit;
	char *const *dirs;
	size_t ndirs;

	struct ci_core *cores;
	size_t ncores;
	size_t cores_skipped;	/* found past --max-cores */
	size_t examined;	/* regular files looked at */
	size_t ignored;		/* named like a core, but not one */
	bool files_cut;		/* stopped at --max-files */
	bool depth_cut;		/* directories past --max-depth were left out */
	bool bad_dir;		/* a DIR could not be read */
	struct ci_group *groups; /* the analysed cores, most cores first */
	size_t ngroups;
};

/* ---------------------------------------------------------------- strings */

/* A copy of TEXT[0, LEN) that is safe in every report: valid UTF-8
 * (anything else becomes U+FFFD; so do U+FFFE and U+FFFF, which XML does
 * not allow), control characters as \xNN, at most TEXT_MAX bytes of input.
 * NULL when out of memory. */
static char *clean_copy(const char *text, size_t len)
{
	char *copy, *p;
	size_t i = 0;

	if (len > TEXT_MAX)
		len = TEXT_MAX;
	/* \xNN is the longest form: 4 bytes for 1; U+FFFD is 3 for 1. */
	copy = malloc(len * 4 + 1);
	if (!copy)
		return NULL;
	p = copy;
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		uint32_t cp;
		size_t n;

		if (c < 0x20 || c == 0x7f) {
			p += sprintf(p, "\\x%02x", c);
			i++;
			continue;
		}
		n = utf8_decode(text + i, len - i, &cp);
		if ((cp == UTF8_REPLACEMENT && n == 1) || cp == 0xfffe || cp == 0xffff) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
		} else {
			memcpy(p, text + i, n);
			p += n;
		}
		i += n;
	}
	*p = '\0';
	return copy;
}

static char *clean(const char *text)
{
	return clean_copy(text, strlen(text));
}

/* The string an open_memstream() stream built; NULL when out of memory. */
static char *memstream_done(FILE *stream, char **buf)
{
	if (fclose(stream) != 0) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

/* ------------------------------------------------------------ the search */

static bool named_like_core(const char *name)
{
	size_t len = strlen(name);

	return strcmp(name, "core") == 0 || strncmp(name, "core.", 5) == 0 ||
	       (len > 5 && strcmp(name + len - 5, ".core") == 0);
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

/* systemd-coredump's compressed cores, "core.COMM.UID.BOOT.PID.TIME.zst":
 * the name says which compression, the magic number confirms it (input.c
 * goes by the magic number alone; only cores are worth decompressing). */
static bool compressed_core(const char *name, const unsigned char *header, size_t len)
{
	static const struct {
		const char *suffix;
		const char *magic;
		size_t magic_len;
	} formats[] = {
		{".zst", "\x28\xb5\x2f\xfd", 4},
		{".xz", "\xfd\x37\x7a\x58\x5a\x00", 6},
		{".lz4", "\x04\x22\x4d\x18", 4},
	};
	size_t i, name_len = strlen(name);

	if (strncmp(name, "core.", 5) != 0)
		return false;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		size_t suffix_len = strlen(formats[i].suffix);

		if (name_len > suffix_len &&
		    strcmp(name + name_len - suffix_len, formats[i].suffix) == 0 &&
		    len >= formats[i].magic_len &&
		    memcmp(header, formats[i].magic, formats[i].magic_len) == 0)
			return true;
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
	grown = realloc(ci->cores, (ci->ncores + 1) * sizeof(*grown));
	if (!grown)
		return &pc_error_nomem;
	ci->cores = grown;
	core = &ci->cores[ci->ncores];
	*core = (struct ci_core){0};
	core->path = strdup(path);
	core->shown = clean(path);
	core->error = error ? clean(error) : NULL;
	ci->ncores++;
	if (!core->path || !core->shown || (error && !core->error))
		return &pc_error_nomem;
	return NULL;
}

/* Look at one regular file: its first HEADER_BYTES bytes, no more. */
static struct pc_error *examine(struct ci *ci, const FTSENT *ent)
{
	unsigned char header[HEADER_BYTES];
	bool named = named_like_core(ent->fts_name);
	char *reason;
	ssize_t n;
	int fd;

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
	if (compressed_core(ent->fts_name, header, (size_t)n))
		return add_core(ci, ent->fts_path, NULL);
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

/* Walk every DIR in name order, without following symbolic links (but a
 * DIR that is one is followed), to --max-depth, looking at no more than
 * --max-files files. */
static struct pc_error *find_cores(struct ci *ci)
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

/* ------------------------------------------------------------ analysis */

static struct pc_error *add_note(struct ci_core *core, const char *text)
{
	if (core->nnotes == CI_NOTES)
		return NULL;
	core->notes[core->nnotes] = clean(text);
	if (!core->notes[core->nnotes])
		return &pc_error_nomem;
	core->nnotes++;
	return NULL;
}

/* What the group summary needs of ANALYSIS, copied into CORE. */
static struct pc_error *summarise(const struct analysis *analysis, struct ci_core *core)
{
	const struct python *python = &analysis->python;
	const struct py_thread *thread = analysis->threads[0].python;
	const struct modules *modules = analysis->modules;
	const struct core *elf = analysis->core;
	int signo = elf->has_siginfo ? elf->siginfo.signo : elf->threads[0].signal;
	struct fingerprint fingerprint;
	struct pc_error *err = NULL;
	char number[32];
	size_t i;

	fingerprint_compute(analysis, &fingerprint);
	memcpy(core->fingerprint, fingerprint.id, sizeof(core->fingerprint));
	snprintf(number, sizeof(number), "signal %d", signo);
	core->signal = clean(signal_name(signo) ? signal_name(signo) : number);
	core->native = clean(fingerprint.native);
	if (!core->signal || !core->native)
		return &pc_error_nomem;
	if (modules->executable && !(core->executable = clean(modules->executable)))
		return &pc_error_nomem;
	if (python->found && python->version[0] && !(core->python = clean(python->version)))
		return &pc_error_nomem;
	for (i = 0; thread && i < thread->nframes && i < CI_FRAMES; i++) {
		const struct py_frame *frame = &thread->frames[i];
		struct ci_frame *kept = &core->frames[core->nframes];

		kept->line = frame->error ? -1 : frame->location.line;
		if (!frame->error && frame->filename && frame->name) {
			kept->file = clean(frame->filename);
			kept->name = clean(frame->name);
			if (!kept->file || !kept->name) {
				free(kept->file);
				free(kept->name);
				return &pc_error_nomem;
			}
		}
		core->nframes++;
	}
	core->frames_cut = thread && (thread->nframes > CI_FRAMES || thread->cut);
	if (core->nframes && core->frames[0].file) {
		const struct ci_frame *top = &core->frames[0];
		int n = top->line >= 0 ? asprintf(&core->place, "%s:%d in %s", top->file, top->line,
						  top->name)
				       : asprintf(&core->place, "%s in %s", top->file, top->name);

		if (n < 0) {
			core->place = NULL;
			return &pc_error_nomem;
		}
	}

	if (analysis->input->error)
		err = add_note(core, analysis->input->error);
	if (!err && elf->truncated) {
		char note[64];

		snprintf(note, sizeof(note), "the core is truncated: %llu bytes missing",
			 (unsigned long long)elf->missing_bytes);
		err = add_note(core, note);
	}
	for (i = 0; !err && i < elf->nwarnings; i++)
		err = add_note(core, elf->warnings[i]);
	for (i = 0; !err && i < modules->nwarnings; i++)
		err = add_note(core, modules->warnings[i]);
	for (i = 0; !err && i < python->nwarnings; i++)
		err = add_note(core, python->warnings[i]);
	if (!err && !python->found)
		err = add_note(core, "no Python interpreter found (no _PyRuntime or interp_head "
				     "symbol in the files found)");
	else if (!err && python->error)
		err = add_note(core, python->error);
	if (!err && thread && thread->error)
		err = add_note(core, thread->error);
	return err;
}

static struct pc_error *analyse(struct ci *ci, struct ci_core *core)
{
	struct analysis_options options = ci->analysis;
	struct analysis *analysis;
	struct pc_error *err;

	options.core_path = core->path;
	err = analysis_run(&options, &analysis);
	if (err) {
		if (err->code == PC_ERR_NOMEM)
			return err;
		core->error = clean(err->message);
		pc_error_destroy(err);
		return core->error ? NULL : &pc_error_nomem;
	}
	err = summarise(analysis, core);
	analysis_destroy(analysis);
	return err;
}

static int compare_groups(const void *a, const void *b)
{
	const struct ci_group *x = a, *y = b;

	if (x->ncores != y->ncores)
		return x->ncores > y->ncores ? -1 : 1;
	return x->cores[0] < y->cores[0] ? -1 : x->cores[0] > y->cores[0];
}

static struct pc_error *group(struct ci *ci)
{
	size_t i, g;

	for (i = 0; i < ci->ncores; i++) {
		struct ci_group *grown;
		size_t *members;

		if (ci->cores[i].error)
			continue;
		for (g = 0; g < ci->ngroups; g++)
			if (strcmp(ci->cores[ci->groups[g].cores[0]].fingerprint,
				   ci->cores[i].fingerprint) == 0)
				break;
		if (g == ci->ngroups) {
			grown = realloc(ci->groups, (ci->ngroups + 1) * sizeof(*grown));
			if (!grown)
				return &pc_error_nomem;
			ci->groups = grown;
			ci->groups[ci->ngroups++] = (struct ci_group){0};
		}
		members = realloc(ci->groups[g].cores,
				  (ci->groups[g].ncores + 1) * sizeof(*members));
		if (!members)
			return &pc_error_nomem;
		ci->groups[g].cores = members;
		members[ci->groups[g].ncores++] = i;
	}
	if (ci->ngroups)
		qsort(ci->groups, ci->ngroups, sizeof(*ci->groups), compare_groups);
	return NULL;
}

/* --------------------------------------------------------- descriptions */

/* One line that names the crash: "SIGSEGV at crash.py:8 in handle" or
 * "SIGSEGV in memset (no Python frame)". */
static void put_headline(FILE *out, const struct ci_core *core)
{
	fprintf(out, "%s ", core->signal);
	if (core->place) {
		fprintf(out, "at %s", core->place);
	} else if (core->nframes) {
		fputs("at an unreadable Python frame", out);
	} else {
		fprintf(out, "in %s (no Python frame)", core->native);
	}
}

static void put_traceback(FILE *out, const struct ci_core *core)
{
	size_t i;

	fprintf(out, "  Traceback of %s (most recent call first):\n", core->shown);
	for (i = 0; i < core->nframes; i++) {
		const struct ci_frame *frame = &core->frames[i];

		if (!frame->file)
			fprintf(out, "    <unreadable frame>\n");
		else if (frame->line >= 0)
			fprintf(out, "    File \"%s\", line %d, in %s\n", frame->file, frame->line,
				frame->name);
		else
			fprintf(out, "    File \"%s\", in %s\n", frame->file, frame->name);
	}
	if (core->frames_cut)
		fprintf(out, "    ...\n");
}

/* A value of a core that a group lists once however many cores have it;
 * NULL when the core has none. */
typedef const char *(*core_field)(const struct ci_core *core);

static const char *field_executable(const struct ci_core *core)
{
	return core->executable ? core->executable : "unknown";
}

static const char *field_python(const struct ci_core *core)
{
	return core->python;
}

static const char *field_place(const struct ci_core *core)
{
	return core->place;
}

/* The distinct values of FIELD over GROUP's cores, at most CI_LIST, each on
 * its own line, the first after LABEL. */
static void put_distinct(FILE *out, const struct ci *ci, const struct ci_group *group,
			 const char *label, core_field field)
{
	size_t i, j, shown = 0, more = 0;

	for (i = 0; i < group->ncores; i++) {
		const char *value = field(&ci->cores[group->cores[i]]);

		if (!value)
			continue;
		for (j = 0; j < i; j++) {
			const char *earlier = field(&ci->cores[group->cores[j]]);

			if (earlier && strcmp(earlier, value) == 0)
				break;
		}
		if (j < i)
			continue;
		if (shown == CI_LIST) {
			more++;
			continue;
		}
		fprintf(out, "  %-13s%s\n", shown ? "" : label, value);
		shown++;
	}
	if (more)
		fprintf(out, "  %-13s... and %zu more\n", "", more);
}

/* How many of GROUP's cores FROM to TO (excluded) have NOTE. */
static size_t cores_with_note(const struct ci *ci, const struct ci_group *group, size_t from,
			      size_t to, const char *note)
{
	size_t i, j, n = 0;

	for (i = from; i < to; i++) {
		const struct ci_core *core = &ci->cores[group->cores[i]];

		for (j = 0; j < core->nnotes; j++)
			if (strcmp(core->notes[j], note) == 0) {
				n++;
				break;
			}
	}
	return n;
}

/* The whole description of a group, as the text summary shows it; the
 * GitHub and JUnit reports carry it too.  NULL when out of memory. */
static char *group_text(const struct ci *ci, const struct ci_group *group)
{
	const struct ci_core *first = &ci->cores[group->cores[0]];
	char *buf = NULL;
	size_t size, i, notes = 0;
	FILE *out = open_memstream(&buf, &size);

	if (!out)
		return NULL;
	fprintf(out, "Crash %s: %zu core%s, ", first->fingerprint, group->ncores,
		group->ncores == 1 ? "" : "s");
	put_headline(out, first);
	fputc('\n', out);
	put_distinct(out, ci, group, "At:", field_place);
	fprintf(out, "  %-13s%s\n", "Native:", first->native);
	put_distinct(out, ci, group, "Python:", field_python);
	put_distinct(out, ci, group, "Executable:", field_executable);
	for (i = 0; i < group->ncores; i++) {
		if (i == CI_LIST) {
			fprintf(out, "  %-13s... and %zu more\n", "", group->ncores - CI_LIST);
			break;
		}
		fprintf(out, "  %-13s%s\n", i ? "" : "Cores:", ci->cores[group->cores[i]].shown);
	}
	for (i = 0; i < group->ncores; i++) {
		const struct ci_core *core = &ci->cores[group->cores[i]];
		size_t j;

		for (j = 0; j < core->nnotes; j++) {
			size_t having;

			if (cores_with_note(ci, group, 0, i, core->notes[j]))
				continue;
			if (notes++ == CI_LIST) {
				fprintf(out, "  %-13s... and more\n", "");
				break;
			}
			having = cores_with_note(ci, group, i, group->ncores, core->notes[j]);
			fprintf(out, "  %-13s%s", "Note:", core->notes[j]);
			if (group->ncores > 1 && having == 1)
				fprintf(out, " (%s)", core->shown);
			else if (group->ncores > 1)
				fprintf(out, " (%zu of %zu cores)", having, group->ncores);
			fputc('\n', out);
		}
		if (notes > CI_LIST)
			break;
	}
	if (first->nframes)
		put_traceback(out, first);
	return memstream_done(out, &buf);
}

/* --------------------------------------------------------------- reports */

static size_t count_failed(const struct ci *ci)
{
	size_t i, n = 0;

	for (i = 0; i < ci->ncores; i++)
		n += ci->cores[i].error != NULL;
	return n;
}

static void put_dirs(FILE *out, const struct ci *ci)
{
	size_t i;

	for (i = 0; i < ci->ndirs; i++)
		fprintf(out, "%s%s", i ? ", " : "", ci->dirs[i]);
}

static struct pc_error *report_text_summary(FILE *out, const struct ci *ci)
{
	size_t i, failed = count_failed(ci);

	if (ci->ncores == 0) {
		fprintf(out, "pycore ci: no core files under ");
		put_dirs(out, ci);
		fprintf(out, " (%zu file%s examined)\n", ci->examined, ci->examined == 1 ? "" : "s");
	} else {
		fprintf(out, "pycore ci: %zu core file%s under ", ci->ncores + ci->cores_skipped,
			ci->ncores + ci->cores_skipped == 1 ? "" : "s");
		put_dirs(out, ci);
		fprintf(out, " (%zu file%s examined): %zu distinct crash%s", ci->examined,
			ci->examined == 1 ? "" : "s", ci->ngroups, ci->ngroups == 1 ? "" : "es");
		if (failed)
			fprintf(out, ", %zu core%s not analysed", failed, failed == 1 ? "" : "s");
		fputc('\n', out);
	}
	for (i = 0; i < ci->ngroups; i++) {
		char *text = group_text(ci, &ci->groups[i]);

		if (!text)
			return &pc_error_nomem;
		fprintf(out, "\n%s", text);
		free(text);
	}
	if (failed) {
		fprintf(out, "\nNot analysed:\n");
		for (i = 0; i < ci->ncores; i++)
			if (ci->cores[i].error)
				fprintf(out, "  %s: %s\n", ci->cores[i].shown, ci->cores[i].error);
	}
	if (ci->cores_skipped || ci->files_cut || ci->depth_cut || ci->ignored)
		fputc('\n', out);
	if (ci->cores_skipped)
		fprintf(out, "Not analysed either: %zu more core%s past --max-cores=%zu\n",
			ci->cores_skipped, ci->cores_skipped == 1 ? "" : "s", ci->max_cores);
	if (ci->files_cut)
		fprintf(out, "Stopped looking after --max-files=%zu files\n", ci->max_files);
	if (ci->depth_cut)
		fprintf(out, "Directories deeper than --max-depth=%zu were not searched\n",
			ci->max_depth);
	if (ci->ignored)
		fprintf(out, "Ignored %zu file%s named like a core but not an ELF core\n",
			ci->ignored, ci->ignored == 1 ? "" : "s");
	return NULL;
}

/* GitHub workflow command escaping: DATA escapes %, CR and LF; a PROPERTY
 * value also ':' and ','. */
static void put_github(FILE *out, const char *text, bool property)
{
	for (; *text; text++) {
		switch (*text) {
		case '%':
			fputs("%25", out);
			break;
		case '\r':
			fputs("%0D", out);
			break;
		case '\n':
			fputs("%0A", out);
			break;
		case ':':
			fputs(property ? "%3A" : ":", out);
			break;
		case ',':
			fputs(property ? "%2C" : ",", out);
			break;
		default:
			fputc(*text, out);
		}
	}
}

/* The frame an annotation points at: the most recent one in the checked
 * out repository ($GITHUB_WORKSPACE), which GitHub can show in the diff;
 * else the most recent one.  *FILE is the path GitHub wants: relative to
 * the workspace when it is in it. */
static const struct ci_frame *annotated_frame(const struct ci_core *core, const char **file)
{
	const char *workspace = getenv("GITHUB_WORKSPACE");
	size_t i, len = workspace ? strlen(workspace) : 0;

	while (len > 1 && workspace[len - 1] == '/')
		len--;
	for (i = 0; len && i < core->nframes; i++) {
		const char *path = core->frames[i].file;

		if (path && strncmp(path, workspace, len) == 0 && path[len] == '/') {
			*file = path + len + 1;
			return &core->frames[i];
		}
	}
	for (i = 0; i < core->nframes; i++)
		if (core->frames[i].file) {
			*file = core->frames[i].file;
			return &core->frames[i];
		}
	return NULL;
}

static struct pc_error *report_github(FILE *out, const struct ci *ci)
{
	size_t i;

	for (i = 0; i < ci->ngroups; i++) {
		const struct ci_group *group = &ci->groups[i];
		const struct ci_core *first = &ci->cores[group->cores[0]];
		const struct ci_frame *frame;
		const char *file = NULL;
		char *text = group_text(ci, group), *title = NULL;
		size_t size;
		FILE *t;

		if (!text)
			return &pc_error_nomem;
		t = open_memstream(&title, &size);
		if (!t) {
			free(text);
			return &pc_error_nomem;
		}
		fprintf(t, "Crash %s (%zu core%s): %s", first->fingerprint, group->ncores,
			group->ncores == 1 ? "" : "s", first->signal);
		if (first->nframes && first->frames[0].file)
			fprintf(t, " in %s", first->frames[0].name);
		else
			fprintf(t, " in %s", first->native);
		if (!memstream_done(t, &title)) {
			free(text);
			return &pc_error_nomem;
		}
		fputs("::error ", out);
		frame = annotated_frame(first, &file);
		if (frame) {
			fputs("file=", out);
			put_github(out, file, true);
			if (frame->line > 0)
				fprintf(out, ",line=%d", frame->line);
			fputc(',', out);
		}
		fputs("title=", out);
		put_github(out, title, true);
		fputs("::", out);
		/* The command ends at the end of the line: no encoded newline
		 * after the last line of the text. */
		size = strlen(text);
		if (size && text[size - 1] == '\n')
			text[size - 1] = '\0';
		put_github(out, text, false);
		fputc('\n', out);
		free(title);
		free(text);
	}
	for (i = 0; i < ci->ncores; i++) {
		if (!ci->cores[i].error)
			continue;
		fputs("::error title=", out);
		put_github(out, "Core file not analysed", true);
		fputs("::", out);
		put_github(out, ci->cores[i].shown, false);
		fputs(": ", out);
		put_github(out, ci->cores[i].error, false);
		fputc('\n', out);
	}
	return NULL;
}

/* Markdown: ASCII punctuation that could start markup is backslash-escaped
 * (CommonMark allows it before any ASCII punctuation). */
static void put_markdown(FILE *out, const char *text)
{
	for (; *text; text++) {
		if (strchr("\\`*_{}[]<>()#+-.!|~&", *text))
			fputc('\\', out);
		fputc(*text == '\n' ? ' ' : *text, out);
	}
}

/* A fenced code block holding TEXT: the fence is longer than any run of
 * backticks in it, so nothing in TEXT can close it. */
static void put_code_block(FILE *out, const char *text)
{
	size_t run = 0, longest = 0, i;
	const char *p;

	for (p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		fputc('`', out);
	fprintf(out, "\n%s", text);
	if (p > text && p[-1] != '\n')
		fputc('\n', out);
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		fputc('`', out);
	fputc('\n', out);
}

static struct pc_error *report_markdown(FILE *out, const struct ci *ci)
{
	size_t i, failed = count_failed(ci);

	if (ci->ncores == 0) {
		fprintf(out, "### pycore: no core files\n\nNo core file under ");
		put_markdown(out, ci->dirs[0]);
		for (i = 1; i < ci->ndirs; i++) {
			fputs(", ", out);
			put_markdown(out, ci->dirs[i]);
		}
		fprintf(out, " (%zu file%s examined).\n\n", ci->examined,
			ci->examined == 1 ? "" : "s");
		return NULL;
	}
	fprintf(out, "### pycore: %zu crash%s in %zu core file%s\n\n", ci->ngroups,
		ci->ngroups == 1 ? "" : "es", ci->ncores + ci->cores_skipped,
		ci->ncores + ci->cores_skipped == 1 ? "" : "s");
	if (ci->ngroups) {
		fprintf(out, "| Fingerprint | Cores | Signal | Where | Executable |\n"
			     "| --- | ---: | --- | --- | --- |\n");
		for (i = 0; i < ci->ngroups; i++) {
			const struct ci_group *group = &ci->groups[i];
			const struct ci_core *first = &ci->cores[group->cores[0]];
			fprintf(out, "| %s | %zu | ", first->fingerprint, group->ncores);
			put_markdown(out, first->signal);
			fputs(" | ", out);
			if (first->place) {
				put_markdown(out, first->place);
			} else {
				put_markdown(out, first->native);
				fputs(" (no Python frame)", out);
			}
			fputs(" | ", out);
			put_markdown(out, first->executable ? first->executable : "unknown");
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
	for (i = 0; i < ci->ngroups; i++) {
		char *text = group_text(ci, &ci->groups[i]);

		if (!text)
			return &pc_error_nomem;
		fprintf(out, "<details><summary>Crash %s</summary>\n\n",
			ci->cores[ci->groups[i].cores[0]].fingerprint);
		put_code_block(out, text);
		fprintf(out, "\n</details>\n\n");
		free(text);
	}
	if (failed) {
		fprintf(out, "Not analysed:\n\n");
		for (i = 0; i < ci->ncores; i++) {
			if (!ci->cores[i].error)
				continue;
			fputs("- ", out);
			put_markdown(out, ci->cores[i].shown);
			fputs(": ", out);
			put_markdown(out, ci->cores[i].error);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	return NULL;
}

/* XML character data or an attribute value (ATTRIBUTE: whitespace as
 * character references, or a reader would normalise it to spaces).  The
 * text is clean already: no control characters, valid UTF-8. */
static void put_xml(FILE *out, const char *text, bool attribute)
{
	for (; *text; text++) {
		switch (*text) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs(attribute ? "&quot;" : "\"", out);
			break;
		case '\n':
			fputs(attribute ? "&#10;" : "\n", out);
			break;
		default:
			fputc(*text, out);
		}
	}
}

static struct pc_error *report_junit(FILE *out, const struct ci *ci)
{
	size_t i, failed = count_failed(ci), tests = ci->ngroups + failed;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out,
		"<testsuites name=\"pycore ci\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		tests ? tests : 1, tests);
	fprintf(out, "  <testsuite name=\"pycore ci\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		     "skipped=\"0\">\n",
		tests ? tests : 1, tests);
	if (!tests)
		fprintf(out, "    <testcase classname=\"pycore.ci\" name=\"no core files\"/>\n");
	for (i = 0; i < ci->ngroups; i++) {
		const struct ci_group *group = &ci->groups[i];
		const struct ci_core *first = &ci->cores[group->cores[0]];
		char *text = group_text(ci, group), *headline = NULL;
		size_t size;
		FILE *h;

		if (!text)
			return &pc_error_nomem;
		h = open_memstream(&headline, &size);
		if (!h) {
			free(text);
			return &pc_error_nomem;
		}
		put_headline(h, first);
		if (!memstream_done(h, &headline)) {
			free(text);
			return &pc_error_nomem;
		}
		fprintf(out, "    <testcase classname=\"pycore.crash\" name=\"crash %s: ",
			first->fingerprint);
		put_xml(out, headline, true);
		fputc('"', out);
		if (first->nframes && first->frames[0].file) {
			fputs(" file=\"", out);
			put_xml(out, first->frames[0].file, true);
			fputc('"', out);
			if (first->frames[0].line >= 0)
				fprintf(out, " line=\"%d\"", first->frames[0].line);
		}
		fprintf(out, ">\n      <failure type=\"");
		put_xml(out, first->signal, true);
		fprintf(out, "\" message=\"%zu core%s: ", group->ncores,
			group->ncores == 1 ? "" : "s");
		put_xml(out, headline, true);
		fputs("\">", out);
		put_xml(out, text, false);
		fputs("</failure>\n    </testcase>\n", out);
		free(headline);
		free(text);
	}
	for (i = 0; i < ci->ncores; i++) {
		if (!ci->cores[i].error)
			continue;
		fputs("    <testcase classname=\"pycore.core\" name=\"", out);
		put_xml(out, ci->cores[i].shown, true);
		fputs("\">\n      <failure type=\"not analysed\" message=\"", out);
		put_xml(out, ci->cores[i].error, true);
		fputs("\"/>\n    </testcase>\n", out);
	}
	fprintf(out, "  </testsuite>\n</testsuites>\n");
	return NULL;
}

/* Write a report into the file PATH (MODE "w" or "a"); false, with a message
 * on stderr, when it cannot be written. */
static bool write_file(const char *path, const char *mode, const struct ci *ci,
		       struct pc_error *(*report)(FILE *out, const struct ci *ci),
		       struct pc_error **err)
{
	FILE *out = fopen(path, mode);
	bool failed;

	if (!out) {
		fprintf(stderr, "pycore: cannot open '%s': %s\n", path, strerror(errno));
		return false;
	}
	*err = report(out, ci);
	failed = ferror(out);
	if (fclose(out) != 0 || failed) {
		fprintf(stderr, "pycore: cannot write '%s': %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

/* ------------------------------------------------------- command line */

enum {
	OPT_GITHUB = 256,
	OPT_JUNIT,
	OPT_SYSROOT,
	OPT_LIB_PATH,
	OPT_MAX_DEPTH,
	OPT_MAX_FILES,
	OPT_MAX_CORES,
};

static const struct option long_options[] = {
	{"github", no_argument, NULL, OPT_GITHUB},
	{"junit", required_argument, NULL, OPT_JUNIT},
	{"sysroot", required_argument, NULL, OPT_SYSROOT},
	{"lib-path", required_argument, NULL, OPT_LIB_PATH},
	{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"max-files", required_argument, NULL, OPT_MAX_FILES},
	{"max-cores", required_argument, NULL, OPT_MAX_CORES},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void ci_deinit(struct ci *ci)
{
	size_t i, j;

	for (i = 0; i < ci->ncores; i++) {
		struct ci_core *core = &ci->cores[i];

		free(core->path);
		free(core->shown);
		free(core->error);
		free(core->signal);
		free(core->executable);
		free(core->python);
		free(core->native);
		free(core->place);
		for (j = 0; j < core->nframes; j++) {
			free(core->frames[j].file);
			free(core->frames[j].name);
		}
		for (j = 0; j < core->nnotes; j++)
			free(core->notes[j]);
	}
	free(ci->cores);
	for (i = 0; i < ci->ngroups; i++)
		free(ci->groups[i].cores);
	free(ci->groups);
}

/* Everything after the options are parsed. */
static int run(struct ci *ci)
{
	struct pc_error *err;
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	bool written = true;
	size_t i;

	err = find_cores(ci);
	for (i = 0; !err && i < ci->ncores; i++)
		if (!ci->cores[i].error)
			err = analyse(ci, &ci->cores[i]);
	if (!err)
		err = group(ci);
	if (!err)
		err = report_text_summary(stdout, ci);
	if (!err && ci->github)
		err = report_github(stdout, ci);
	if (!err && ci->github && summary && summary[0])
		written = write_file(summary, "a", ci, report_markdown, &err);
	if (!err && ci->junit)
		written = write_file(ci->junit, "w", ci, report_junit, &err) && written;
	if (err) {
		fprintf(stderr, "pycore: %s\n", err->message);
		pc_error_destroy(err);
		return EXIT_INTERNAL;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("pycore: writing the summary");
		return EXIT_INTERNAL;
	}
	if (!written)
		return EXIT_INTERNAL;
	if (ci->ncores || ci->cores_skipped)
		return EXIT_CORES_FOUND;
	return ci->bad_dir ? EXIT_BAD_INPUT : EXIT_OK;
}

int cli_ci(int argc, char **argv)
{
	static char *const here[] = {".", NULL};
	const char *lib_dirs[CLI_MAX_LIB_DIRS];
	struct ci ci = {
		.max_depth = DEFAULT_MAX_DEPTH,
		.max_files = DEFAULT_MAX_FILES,
		.max_cores = DEFAULT_MAX_CORES,
	};
	int opt, status;

	cli_analysis_defaults(&ci.analysis, lib_dirs);
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_GITHUB:
			ci.github = true;
			break;
		case OPT_JUNIT:
			ci.junit = optarg;
			break;
		case OPT_SYSROOT:
			ci.analysis.paths.sysroot = optarg;
			break;
		case OPT_LIB_PATH:
			if (cli_add_lib_dir(&ci.analysis, lib_dirs, optarg) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case OPT_MAX_DEPTH:
			if (cli_parse_count(optarg, &ci.max_depth) != 0)
				return cli_usage_error("--max-depth: '%s' is not a count from 1 to 10^9",
						       optarg);
			break;
		case OPT_MAX_FILES:
			if (cli_parse_count(optarg, &ci.max_files) != 0)
				return cli_usage_error("--max-files: '%s' is not a count from 1 to 10^9",
						       optarg);
			break;
		case OPT_MAX_CORES:
			if (cli_parse_count(optarg, &ci.max_cores) != 0)
				return cli_usage_error("--max-cores: '%s' is not a count from 1 to 10^9",
						       optarg);
			break;
		case 'h':
			fputs(cli_usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("pycore %s\n", PYCORE_VERSION);
			return EXIT_OK;
		default:
			return cli_usage_error("unrecognized option or missing argument: '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc) {
		ci.dirs = argv + optind;
		ci.ndirs = (size_t)(argc - optind);
	} else {
		ci.dirs = here;
		ci.ndirs = 1;
	}
	status = run(&ci);
	ci_deinit(&ci);
	return status;
}
