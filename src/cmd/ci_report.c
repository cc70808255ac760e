/* What pycore ci reports: each core summarized, the cores grouped by
 * fingerprint, and the groups described for a CI log, GitHub Actions
 * (annotations and the job summary) and JUnit viewers. */
#include "cmd/ci.h"

#include "base/error.h"
#include "base/escape.h"
#include "base/vec.h"
#include "elf/modules.h"
#include "report/repeat_marker.h"

#include <stdlib.h>
#include <string.h>

/* The string an open_memstream() stream built; NULL when out of memory. */
static char *memstream_done(FILE *stream, char **buf)
{
	if (fclose(stream) != 0) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

/* Text from a core or a file name in the text summary. */
static void put_text(FILE *out, const char *text)
{
	escape_puts(out, ESCAPE_TERMINAL, text);
}

/* TEXT, at most CI_TEXT_MAX bytes of it; NULL when out of memory. */
static char *copy(const char *text)
{
	size_t len = strlen(text);
	char *kept;

	if (len > CI_TEXT_MAX)
		len = CI_TEXT_MAX;
	kept = malloc(len + 1);

	if (kept) {
		memcpy(kept, text, len);
		kept[len] = '\0';
	}
	return kept;
}

static struct pc_error *add_note(struct ci_core *core, const char *text)
{
	if (core->nnotes == CI_NOTES)
		return NULL;
	core->notes[core->nnotes] = copy(text);
	if (!core->notes[core->nnotes])
		return &pc_error_nomem;
	core->nnotes++;
	return NULL;
}

struct pc_error *ci_failed(struct pc_error *err, struct ci_core *core)
{
	if (err == &pc_error_nomem)
		return err;
	core->error = copy(err->message);
	pc_error_destroy(err);
	return core->error ? NULL : &pc_error_nomem;
}

/* PLACES "FILE:LINE in NAME" (with LINES) or "FILE in NAME" of the N frames,
 * "; " between them, into *RET. */
static struct pc_error *describe_places(const struct py_frame *const *frames, size_t n,
					bool lines, char **ret)
{
	char *buf = NULL;
	size_t size, i;
	FILE *out = open_memstream(&buf, &size);

	if (!out)
		return &pc_error_nomem;
	for (i = 0; i < n && i < CI_LIST; i++) {
		fprintf(out, "%s%s", i ? "; " : "", frames[i]->filename);
		if (lines && frames[i]->location.line >= 0)
			fprintf(out, ":%d", frames[i]->location.line);
		fprintf(out, " in %s", frames[i]->name);
	}
	if (n > CI_LIST)
		fprintf(out, "; and %zu more", n - CI_LIST);
	*ret = memstream_done(out, &buf);
	if (*ret && strlen(*ret) > CI_TEXT_MAX)
		(*ret)[CI_TEXT_MAX] = '\0';
	return *ret ? NULL : &pc_error_nomem;
}

/* Where CORE happened, as ci_core's place says. */
static struct pc_error *summarize_place(const struct analysis *analysis, struct ci_core *core)
{
	const struct py_frame *top = analysis->own_frame ? analysis->own_frame
							  : analysis->headline;
	const struct py_frame *const *frames = analysis->nblocked ? analysis->blocked : &top;
	size_t n = analysis->nblocked ? analysis->nblocked : 1;
	struct pc_error *err;

	if (!analysis->nblocked && (!top || top->error || !top->filename || !top->name))
		return NULL;
	err = describe_places(frames, n, true, &core->place);
	if (!err)
		err = describe_places(frames, n, false, &core->place_name);
	if (!err && !(core->function = copy(frames[0]->name)))
		err = &pc_error_nomem;
	return err;
}

struct pc_error *ci_summarize(const struct analysis *analysis, struct ci_core *core)
{
	const struct python *python = &analysis->python;
	const struct py_thread *thread = analysis->threads[0].python;
	const char *executable = analysis->modules->executable;
	struct pc_error *err;
	size_t i;

	memcpy(core->fingerprint, analysis->fingerprint.id, sizeof(core->fingerprint));
	core->unique = analysis->fingerprint.unique;
	core->signal = copy(analysis->signal.headline);
	core->native = copy(analysis->fingerprint.native);
	if (!core->signal || !core->native)
		return &pc_error_nomem;
	if (executable && !(core->executable = copy(executable)))
		return &pc_error_nomem;
	if (python->found && python->version[0] && !(core->python = copy(python->version)))
		return &pc_error_nomem;
	for (i = 0; thread && i < thread->nframes && i < CI_FRAMES; i++) {
		const struct py_frame *frame = &thread->frames[i];
		struct ci_frame *kept = &core->frames[core->nframes];

		kept->line = frame->error ? -1 : frame->location.line;
		kept->repeat_period = frame->repeat_period;
		kept->repeat_count = frame->repeat_count;
		if (!frame->error && frame->filename && frame->name) {
			kept->file = copy(frame->filename);
			kept->name = copy(frame->name);
			if (!kept->file || !kept->name) {
				free(kept->file);
				free(kept->name);
				return &pc_error_nomem;
			}
		}
		core->nframes++;
	}
	core->frames_cut = thread && (thread->nframes > CI_FRAMES || thread->cut);
	err = summarize_place(analysis, core);
	if (err)
		return err;
	/* The analysis's notes, warnings or not: the summary has no other
	 * place for what the reports show on lines of their own. */
	for (i = 0; !err && i < analysis->nnotes; i++)
		err = add_note(core, analysis->notes[i].text);
	return err;
}

static int compare_groups(const void *a, const void *b)
{
	const struct ci_group *x = a, *y = b;

	if (x->ncores != y->ncores)
		return x->ncores > y->ncores ? -1 : 1;
	return x->cores[0] < y->cores[0] ? -1 : x->cores[0] > y->cores[0];
}

struct pc_error *ci_group(struct ci *ci)
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
			grown = vec_grow(ci->groups, &ci->groups_capacity, ci->ngroups + 1,
					 sizeof(*grown));
			if (!grown)
				return &pc_error_nomem;
			ci->groups = grown;
			ci->groups[ci->ngroups++] = (struct ci_group){0};
		}
		members = vec_grow(ci->groups[g].cores, &ci->groups[g].cores_capacity,
				   ci->groups[g].ncores + 1, sizeof(*members));
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
	put_text(out, core->signal);
	fputc(' ', out);
	if (core->place) {
		fputs("at ", out);
		put_text(out, core->place);
	} else if (core->nframes) {
		fputs("at an unreadable Python frame", out);
	} else {
		fputs("in ", out);
		put_text(out, core->native);
		fputs(core->unique ? " (no Python frame; nothing readable to group it by)"
				   : " (no Python frame)", out);
	}
}

/* The headline without line numbers, for names that must stay when a
 * line moves. */
static void put_headline_name(FILE *out, const struct ci_core *core)
{
	if (!core->place_name) {
		put_headline(out, core);
		return;
	}
	put_text(out, core->signal);
	fputs(" at ", out);
	put_text(out, core->place_name);
}

static void put_traceback(FILE *out, const struct ci_core *core)
{
	char marker[REPEAT_MARKER_MAX];
	size_t i;

	fputs("  Traceback of ", out);
	put_text(out, core->path);
	fputs(" (most recent call first):\n", out);
	for (i = 0; i < core->nframes; i++) {
		const struct ci_frame *frame = &core->frames[i];

		if (!frame->file) {
			fprintf(out, "    <unreadable frame>\n");
			continue;
		}
		fputs("    File \"", out);
		put_text(out, frame->file);
		if (frame->line >= 0)
			fprintf(out, "\", line %d, in ", frame->line);
		else
			fputs("\", in ", out);
		put_text(out, frame->name);
		fputc('\n', out);
		if (repeat_marker(frame->repeat_period, frame->repeat_count, marker,
				  sizeof(marker)))
			fprintf(out, "    %s\n", marker);
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

static const char *field_host(const struct ci_core *core)
{
	return core->host;
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
		fprintf(out, "  %-13s", shown ? "" : label);
		put_text(out, value);
		fputc('\n', out);
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

/* What PUT writes about GROUP (whose first core is FIRST) as a string;
 * NULL when out of memory. */
typedef void put_fn(FILE *out, const struct ci_group *group, const struct ci_core *first);

static char *group_string(put_fn *put, const struct ci *ci, const struct ci_group *group)
{
	char *buf = NULL;
	size_t size;
	FILE *out = open_memstream(&buf, &size);

	if (!out)
		return NULL;
	put(out, group, &ci->cores[group->cores[0]]);
	return memstream_done(out, &buf);
}

static void put_group_headline(FILE *out, const struct ci_group *group,
			       const struct ci_core *first)
{
	(void)group;
	put_headline_name(out, first);
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
	if (first->host) {
		size_t hosts = ci_count_hosts(ci, group);

		fprintf(out, "Crash %s: %zu crash%s on %zu host%s, ", first->fingerprint,
			group->ncores, group->ncores == 1 ? "" : "es", hosts, hosts == 1 ? "" : "s");
	} else {
		fprintf(out, "Crash %s: %zu core%s, ", first->fingerprint, group->ncores,
			group->ncores == 1 ? "" : "s");
	}
	put_headline(out, first);
	fputc('\n', out);
	put_distinct(out, ci, group, "At:", field_place);
	fprintf(out, "  %-13s", "Native:");
	put_text(out, first->native);
	fputc('\n', out);
	put_distinct(out, ci, group, "Python:", field_python);
	put_distinct(out, ci, group, "Executable:", field_executable);
	if (first->host) {
		put_distinct(out, ci, group, "Hosts:", field_host);
		ci_put_times(out, ci, group);
	}
	for (i = 0; i < group->ncores; i++) {
		if (i == CI_LIST) {
			fprintf(out, "  %-13s... and %zu more\n", "", group->ncores - CI_LIST);
			break;
		}
		fprintf(out, "  %-13s", i ? "" : first->host ? "Reports:" : "Cores:");
		put_text(out, ci->cores[group->cores[i]].path);
		fputc('\n', out);
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
			fprintf(out, "  %-13s", "Note:");
			put_text(out, core->notes[j]);
			if (group->ncores > 1 && having == 1) {
				fputs(" (", out);
				put_text(out, core->path);
				fputc(')', out);
			} else if (group->ncores > 1) {
				fprintf(out, " (%zu of %zu cores)", having, group->ncores);
			}
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

	if (ci->journal && !ci->ndirs)
		fputs("the local journal", out);
	for (i = 0; i < ci->ndirs; i++) {
		fprintf(out, "%s", i ? ", " : "");
		put_text(out, ci->dirs[i]);
	}
}

struct pc_error *ci_report_text(FILE *out, const struct ci *ci)
{
	size_t i, failed = count_failed(ci);

	if (ci->journal) {
		fprintf(out, "pycore ci: %zu crash%s of pycore handle in ", ci->ncores + ci->cores_skipped,
			ci->ncores + ci->cores_skipped == 1 ? "" : "es");
		put_dirs(out, ci);
		fprintf(out, ": %zu distinct crash%s", ci->ngroups, ci->ngroups == 1 ? "" : "es");
		if (failed)
			fprintf(out, ", %zu not analyzed", failed);
		fputc('\n', out);
	} else if (ci->ncores == 0) {
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
			fprintf(out, ", %zu core%s not analyzed", failed, failed == 1 ? "" : "s");
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
		fprintf(out, "\nNot analyzed:\n");
		for (i = 0; i < ci->ncores; i++) {
			if (!ci->cores[i].error)
				continue;
			fputs("  ", out);
			put_text(out, ci->cores[i].path);
			fputs(": ", out);
			put_text(out, ci->cores[i].error);
			fputc('\n', out);
		}
	}
	if (ci->cores_skipped || ci->files_cut || ci->depth_cut || ci->ignored)
		fputc('\n', out);
	if (ci->cores_skipped)
		fprintf(out, "Not analyzed either: %zu more core%s past --max-cores=%zu\n",
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

/* The title of GROUP's annotation. */
static void put_title(FILE *out, const struct ci_group *group, const struct ci_core *first)
{
	fprintf(out, "Crash %s (%zu core%s): %s in %s", first->fingerprint, group->ncores,
		group->ncores == 1 ? "" : "s", first->signal,
		first->function ? first->function : first->native);
}

struct pc_error *ci_report_github(FILE *out, const struct ci *ci)
{
	size_t i;

	for (i = 0; i < ci->ngroups; i++) {
		const struct ci_group *group = &ci->groups[i];
		const struct ci_core *first = &ci->cores[group->cores[0]];
		const struct ci_frame *frame;
		const char *file = NULL;
		char *text = group_text(ci, group), *title = group_string(put_title, ci, group);
		size_t size;

		if (!text || !title) {
			free(text);
			free(title);
			return &pc_error_nomem;
		}
		fputs("::error ", out);
		frame = annotated_frame(first, &file);
		if (frame) {
			fputs("file=", out);
			escape_puts(out, ESCAPE_GITHUB_PROPERTY, file);
			if (frame->line > 0)
				fprintf(out, ",line=%d", frame->line);
			fputc(',', out);
		}
		fputs("title=", out);
		escape_puts(out, ESCAPE_GITHUB_PROPERTY, title);
		fputs("::", out);
		/* The command ends at the end of the line: no encoded newline
		 * after the last line of the text. */
		size = strlen(text);
		if (size && text[size - 1] == '\n')
			text[size - 1] = '\0';
		escape_puts(out, ESCAPE_GITHUB, text);
		fputc('\n', out);
		free(title);
		free(text);
	}
	for (i = 0; i < ci->ncores; i++) {
		if (!ci->cores[i].error)
			continue;
		fputs("::error title=", out);
		escape_puts(out, ESCAPE_GITHUB_PROPERTY, "Core file not analyzed");
		fputs("::", out);
		escape_puts(out, ESCAPE_GITHUB, ci->cores[i].path);
		fputs(": ", out);
		escape_puts(out, ESCAPE_GITHUB, ci->cores[i].error);
		fputc('\n', out);
	}
	return NULL;
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

struct pc_error *ci_report_markdown(FILE *out, const struct ci *ci)
{
	size_t i, failed = count_failed(ci);

	if (ci->ncores == 0) {
		fprintf(out, "### pycore: no core files\n\nNo core file under ");
		escape_puts(out, ESCAPE_MARKDOWN, ci->dirs[0]);
		for (i = 1; i < ci->ndirs; i++) {
			fputs(", ", out);
			escape_puts(out, ESCAPE_MARKDOWN, ci->dirs[i]);
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
			escape_puts(out, ESCAPE_MARKDOWN, first->signal);
			fputs(" | ", out);
			if (first->place) {
				escape_puts(out, ESCAPE_MARKDOWN, first->place);
			} else {
				escape_puts(out, ESCAPE_MARKDOWN, first->native);
				fputs(" (no Python frame)", out);
			}
			fputs(" | ", out);
			escape_puts(out, ESCAPE_MARKDOWN,
				    first->executable ? first->executable : "unknown");
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
		fprintf(out, "Not analyzed:\n\n");
		for (i = 0; i < ci->ncores; i++) {
			if (!ci->cores[i].error)
				continue;
			fputs("- ", out);
			escape_puts(out, ESCAPE_MARKDOWN, ci->cores[i].path);
			fputs(": ", out);
			escape_puts(out, ESCAPE_MARKDOWN, ci->cores[i].error);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	return NULL;
}

struct pc_error *ci_report_junit(FILE *out, const struct ci *ci)
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
		char *text = group_text(ci, group);
		char *headline = group_string(put_group_headline, ci, group);

		if (!text || !headline) {
			free(text);
			free(headline);
			return &pc_error_nomem;
		}
		fprintf(out, "    <testcase classname=\"pycore.crash\" name=\"crash %s: ",
			first->fingerprint);
		escape_puts(out, ESCAPE_XML_ATTRIBUTE, headline);
		fputc('"', out);
		if (first->nframes && first->frames[0].file) {
			const char *file;
			const struct ci_frame *frame = annotated_frame(first, &file);

			fputs(" file=\"", out);
			escape_puts(out, ESCAPE_XML_ATTRIBUTE, frame->file);
			fputc('"', out);
			if (frame->line >= 0)
				fprintf(out, " line=\"%d\"", frame->line);
		}
		fprintf(out, ">\n      <failure type=\"");
		escape_puts(out, ESCAPE_XML_ATTRIBUTE, first->signal);
		fprintf(out, "\" message=\"%zu core%s: ", group->ncores,
			group->ncores == 1 ? "" : "s");
		escape_puts(out, ESCAPE_XML_ATTRIBUTE, headline);
		fputs("\">", out);
		escape_puts(out, ESCAPE_XML, text);
		fputs("</failure>\n    </testcase>\n", out);
		free(headline);
		free(text);
	}
	for (i = 0; i < ci->ncores; i++) {
		if (!ci->cores[i].error)
			continue;
		fputs("    <testcase classname=\"pycore.core\" name=\"", out);
		escape_puts(out, ESCAPE_XML_ATTRIBUTE, ci->cores[i].path);
		fputs("\">\n      <failure type=\"not analyzed\" message=\"", out);
		escape_puts(out, ESCAPE_XML_ATTRIBUTE, ci->cores[i].error);
		fputs("\"/>\n    </testcase>\n", out);
	}
	fprintf(out, "  </testsuite>\n</testsuites>\n");
	return NULL;
}

/* Write a report into the file PATH (MODE "w" or "a"); false, with a message
 * on stderr, when it cannot be written. */

void ci_deinit(struct ci *ci)
{
	size_t i, j;

	for (i = 0; i < ci->ncores; i++) {
		struct ci_core *core = &ci->cores[i];

		free(core->path);
		free(core->error);
		free(core->signal);
		free(core->executable);
		free(core->python);
		free(core->native);
		free(core->place);
		free(core->place_name);
		free(core->function);
		free(core->host);
		free(core->machine);
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
