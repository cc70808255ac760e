/* pycore ci --journal: the crashes pycore handle recorded in the systemd
 * journal, read back through libsystemd's sd_journal API from the local
 * journal or from directories of journal files (systemd-journal-remote's
 * output holds many machines'), and made into the summaries the ci
 * reports render, as if each entry were a core already analyzed.
 *
 * An entry is the handler's (handle/journal.c), but whoever can write to
 * the journal can send one with its MESSAGE_ID: every field is bounded,
 * and the reports escape them as they escape a core's text. */
#include "cmd/ci.h"
#include "cmd/journal_entry.h"

#include "base/error.h"
#include "base/vec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-journal.h>

/* The value of FIELD in the current entry of J, at most CI_TEXT_MAX bytes
 * and up to its first NUL, into *RET (malloc'd; NULL when the entry has
 * none).  Errors are for out-of-memory only. */
static struct pc_error *get_field(sd_journal *j, const char *field, char **ret)
{
	size_t name_len = strlen(field), len;
	const void *data;
	const char *value;

	*ret = NULL;
	if (sd_journal_get_data(j, field, &data, &len) < 0 || len <= name_len)
		return NULL;
	value = (const char *)data + name_len + 1;
	len -= name_len + 1;
	if (len > CI_TEXT_MAX)
		len = CI_TEXT_MAX;
	*ret = strndup(value, len);
	return *ret ? NULL : &pc_error_nomem;
}

/* Parse "File \"F\", line N, in NAME" of LINE (LEN bytes, F with no '"':
 * the handler escapes it) into FRAME; false when LINE is not one. */
static bool parse_frame(const char *line, size_t len, struct ci_frame *frame, bool *nomem)
{
	static const char head[] = "File \"", mid[] = "\", line ", tail[] = ", in ";
	const char *end = line + len, *file, *file_end, *p, *name;
	long number;

	if (len < sizeof(head) - 1 || memcmp(line, head, sizeof(head) - 1) != 0)
		return false;
	file = line + sizeof(head) - 1;
	file_end = memchr(file, '"', (size_t)(end - file));
	if (!file_end || (size_t)(end - file_end) < sizeof(mid) - 1 ||
	    memcmp(file_end, mid, sizeof(mid) - 1) != 0)
		return false;
	p = file_end + sizeof(mid) - 1;
	for (number = 0; p < end && *p >= '0' && *p <= '9' && number < 100000000; p++)
		number = number * 10 + (*p - '0');
	if ((size_t)(end - p) < sizeof(tail) - 1 || memcmp(p, tail, sizeof(tail) - 1) != 0)
		return false;
	name = p + sizeof(tail) - 1;
	frame->line = (int)number;
	frame->file = strndup(file, (size_t)(file_end - file) < CI_TEXT_MAX
					    ? (size_t)(file_end - file)
					    : CI_TEXT_MAX);
	frame->name = strndup(name, (size_t)(end - name) < CI_TEXT_MAX ? (size_t)(end - name)
								      : CI_TEXT_MAX);
	*nomem = !frame->file || !frame->name;
	return true;
}

/* The frames of PYCORE_TRACEBACK into CORE: a line per frame, most recent
 * first, "<unreadable frame>", a collapsed recursion's marker
 * (repeat_marker.h: "[Previous line repeated M more times]", "[Previous N
 * frames repeated M more times]"), "..." where it is cut. */
static struct pc_error *parse_traceback(sd_journal *j, struct ci_core *core)
{
	static const char name[] = JOURNAL_TRACEBACK "=";
	const char *text, *end, *line;
	const void *data;
	size_t len;

	if (sd_journal_get_data(j, JOURNAL_TRACEBACK, &data, &len) < 0 || len < sizeof(name) - 1)
		return NULL;
	text = (const char *)data + sizeof(name) - 1;
	end = (const char *)data + len;
	for (line = text; line < end;) {
		const char *next = memchr(line, '\n', (size_t)(end - line));
		/* The line, NUL-terminated for sscanf (journal data is not). */
		char buf[2 * CI_TEXT_MAX / 4];
		size_t line_len = (size_t)((next ? next : end) - line);
		unsigned long period, count;
		bool nomem = false;

		while (line_len && *line == ' ') {
			line++;
			line_len--;
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)(line_len < sizeof(buf) ? line_len
									 : sizeof(buf) - 1),
			 line);
		period = 1;
		if (core->nframes &&
		    (sscanf(buf, "[Previous line repeated %lu more", &count) == 1 ||
		     sscanf(buf, "[Previous %lu frames repeated %lu more", &period, &count) == 2)) {
			core->frames[core->nframes - 1].repeat_period = period;
			core->frames[core->nframes - 1].repeat_count = count;
		} else if (strcmp(buf, "...") == 0) {
			core->frames_cut = true;
		} else if (buf[0] && core->nframes == CI_FRAMES) {
			core->frames_cut = true;
			break;
		} else if (strcmp(buf, "<unreadable frame>") == 0) {
			core->frames[core->nframes++] = (struct ci_frame){.line = -1};
		} else if (parse_frame(buf, strlen(buf), &core->frames[core->nframes], &nomem)) {
			core->nframes++;
			if (nomem)
				return &pc_error_nomem;
		}
		line = next ? next + 1 : end;
	}
	return NULL;
}

/* Where CORE happened, as ci_summarize() says it: "FILE:LINE in NAME" of
 * its first frame, the same without the line, and NAME. */
static struct pc_error *set_place(struct ci_core *core)
{
	const struct ci_frame *top = &core->frames[0];

	if (!core->nframes || !top->file)
		return NULL;
	if (asprintf(&core->place, "%s:%d in %s", top->file, top->line, top->name) < 0)
		core->place = NULL;
	if (asprintf(&core->place_name, "%s in %s", top->file, top->name) < 0)
		core->place_name = NULL;
	core->function = strdup(top->name);
	return core->place && core->place_name && core->function ? NULL : &pc_error_nomem;
}

/* The current entry of J into CORE. */
static struct pc_error *read_entry(sd_journal *j, struct ci_core *core)
{
	char *fingerprint = NULL, *report = NULL;
	struct pc_error *err;
	uint64_t usec;

	if (sd_journal_get_realtime_usec(j, &usec) >= 0)
		core->usec = usec;
	err = get_field(j, "_HOSTNAME", &core->host);
	if (!err && !core->host && !(core->host = strdup("?")))
		err = &pc_error_nomem;
	if (!err)
		err = get_field(j, "_MACHINE_ID", &core->machine);
	if (!err)
		err = get_field(j, JOURNAL_REPORT, &report);
	if (!err && asprintf(&core->path, "%s:%s", core->host, report ? report : "?") < 0) {
		core->path = NULL;
		err = &pc_error_nomem;
	}
	if (!err)
		err = get_field(j, JOURNAL_FINGERPRINT, &fingerprint);
	if (!err && (!fingerprint || strlen(fingerprint) != FINGERPRINT_ID_LEN ||
		     strspn(fingerprint, "0123456789abcdef") != FINGERPRINT_ID_LEN)) {
		/* The analysis failed (or the entry is not the handler's): the
		 * summary says why. */
		err = get_field(j, JOURNAL_SUMMARY, &core->error);
		if (!err && !core->error && !(core->error = strdup("no fingerprint in the entry")))
			err = &pc_error_nomem;
	}
	if (!err && !core->error) {
		memcpy(core->fingerprint, fingerprint, FINGERPRINT_ID_LEN + 1);
		err = get_field(j, JOURNAL_SIGNAL, &core->signal);
		if (!err)
			err = get_field(j, JOURNAL_EXE, &core->executable);
		if (!err)
			err = get_field(j, JOURNAL_PYTHON_VERSION, &core->python);
		if (!err)
			err = get_field(j, JOURNAL_NATIVE_FRAME, &core->native);
		if (!err && !core->signal && !(core->signal = strdup("?")))
			err = &pc_error_nomem;
		if (!err && !core->native && !(core->native = strdup("?")))
			err = &pc_error_nomem;
		if (!err)
			err = parse_traceback(j, core);
		if (!err)
			err = set_place(core);
	}
	free(fingerprint);
	free(report);
	return err;
}

/* Add J's entries of pycore, from --since to --until, to CI. */
static struct pc_error *read_journal(struct ci *ci, sd_journal *j)
{
	struct pc_error *err;
	int r;

	r = sd_journal_add_match(j, "MESSAGE_ID=" JOURNAL_MESSAGE_ID, 0);
	if (r < 0)
		return pc_error_create(PC_ERR_LIBRARY, "sd_journal_add_match: %s", strerror(-r));
	r = ci->since ? sd_journal_seek_realtime_usec(j, ci->since) : sd_journal_seek_head(j);
	if (r < 0)
		return pc_error_create(PC_ERR_LIBRARY, "sd_journal_seek: %s", strerror(-r));
	while ((r = sd_journal_next(j)) > 0) {
		struct ci_core *grown;
		uint64_t usec;

		if (sd_journal_get_realtime_usec(j, &usec) >= 0 &&
		    (usec < ci->since || usec > ci->until))
			continue;
		if (ci->ncores == ci->max_cores) {
			ci->cores_skipped++;
			continue;
		}
		grown = vec_grow(ci->cores, &ci->cores_capacity, ci->ncores + 1, sizeof(*grown));
		if (!grown)
			return &pc_error_nomem;
		ci->cores = grown;
		ci->cores[ci->ncores] = (struct ci_core){0};
		err = read_entry(j, &ci->cores[ci->ncores++]);
		if (err)
			return err;
		ci->examined++;
	}
	if (r < 0)
		return pc_error_create(PC_ERR_LIBRARY, "sd_journal_next: %s", strerror(-r));
	return NULL;
}

struct pc_error *ci_read_journal(struct ci *ci)
{
	struct pc_error *err = NULL;
	sd_journal *j;
	size_t i;
	int r;

	if (!ci->ndirs) {
		r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
		if (r < 0)
			return pc_error_create(PC_ERR_IO, "sd_journal_open: %s", strerror(-r));
		err = read_journal(ci, j);
		sd_journal_close(j);
		return err;
	}
	for (i = 0; !err && i < ci->ndirs; i++) {
		r = sd_journal_open_directory(&j, ci->dirs[i], 0);
		if (r < 0) {
			fprintf(stderr, "pycore: sd_journal_open_directory '%s': %s\n", ci->dirs[i],
				strerror(-r));
			ci->bad_dir = true;
			continue;
		}
		err = read_journal(ci, j);
		sd_journal_close(j);
	}
	return err;
}

/* How many machines GROUP's journal entries came from: by machine ID,
 * which two hosts of one name do not share. */
size_t ci_count_hosts(const struct ci *ci, const struct ci_group *group)
{
	size_t i, j, n = 0;

	for (i = 0; i < group->ncores; i++) {
		const struct ci_core *core = &ci->cores[group->cores[i]];
		const char *id = core->machine ? core->machine : core->host;

		for (j = 0; j < i; j++) {
			const struct ci_core *earlier = &ci->cores[group->cores[j]];

			if (strcmp(earlier->machine ? earlier->machine : earlier->host, id) == 0)
				break;
		}
		n += j == i;
	}
	return n;
}

/* The first and last time of GROUP's journal entries. */
void ci_put_times(FILE *out, const struct ci *ci, const struct ci_group *group)
{
	uint64_t first = UINT64_MAX, last = 0;
	char text[64];
	struct tm tm;
	time_t t;
	size_t i;

	for (i = 0; i < group->ncores; i++) {
		uint64_t usec = ci->cores[group->cores[i]].usec;

		first = usec < first ? usec : first;
		last = usec > last ? usec : last;
	}
	t = (time_t)(first / 1000000);
	if (gmtime_r(&t, &tm) && strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm))
		fprintf(out, "  %-13s%s\n", "First:", text);
	t = (time_t)(last / 1000000);
	if (gmtime_r(&t, &tm) && strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm))
		fprintf(out, "  %-13s%s\n", "Last:", text);
}
