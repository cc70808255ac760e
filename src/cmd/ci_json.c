/* pycore ci --format json: the summary as one JSON document, for a program
 * that collects crashes (a dashboard, a bot that files issues): the same
 * groups, counts and tracebacks as the text summary, each value once. */
#include "cmd/ci.h"

#include "base/error.h"
#include "base/json.h"

#include <string.h>
#include <time.h>

/* USEC as "2026-12-04T18:30:00Z". */
static void put_time(struct json *j, uint64_t usec)
{
	time_t t = (time_t)(usec / 1000000);
	char text[32];
	struct tm tm;

	if (gmtime_r(&t, &tm) && strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm))
		json_string(j, text);
	else
		json_null(j);
}

typedef const char *(*field_fn)(const struct ci_core *core);

static const char *field_python(const struct ci_core *core)
{
	return core->python;
}

static const char *field_executable(const struct ci_core *core)
{
	return core->executable;
}

static const char *field_host(const struct ci_core *core)
{
	return core->host;
}

static const char *field_place(const struct ci_core *core)
{
	return core->place;
}

/* The distinct values of FIELD over GROUP's cores, in the order found, as
 * an array. */
static void put_distinct(struct json *j, const struct ci *ci, const struct ci_group *group,
			 field_fn field)
{
	size_t i, k;

	json_open(j, '[');
	for (i = 0; i < group->ncores; i++) {
		const char *value = field(&ci->cores[group->cores[i]]);

		if (!value)
			continue;
		for (k = 0; k < i; k++) {
			const char *earlier = field(&ci->cores[group->cores[k]]);

			if (earlier && strcmp(earlier, value) == 0)
				break;
		}
		if (k == i)
			json_string(j, value);
	}
	json_close(j, ']');
}

static void put_traceback(struct json *j, const struct ci_core *core)
{
	size_t i;

	json_open(j, '[');
	for (i = 0; i < core->nframes; i++) {
		const struct ci_frame *frame = &core->frames[i];

		json_open(j, '{');
		json_key(j, "file");
		json_string(j, frame->file);
		json_key(j, "line");
		json_position(j, frame->line);
		json_key(j, "function");
		json_string(j, frame->name);
		json_key(j, "repeated");
		json_int_pair(j, frame->repeat_period != 0, "frames", (int64_t)frame->repeat_period,
			      "times", (int64_t)frame->repeat_count);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void put_group(struct json *j, const struct ci *ci, const struct ci_group *group)
{
	const struct ci_core *first = &ci->cores[group->cores[0]];
	uint64_t earliest = UINT64_MAX, latest = 0;
	size_t i;

	json_open(j, '{');
	json_key(j, "fingerprint");
	json_string(j, first->fingerprint);
	json_key(j, "count");
	json_int(j, (int64_t)group->ncores);
	json_key(j, "signal");
	json_string(j, first->signal);
	json_key(j, "native");
	json_string(j, first->native);
	json_key(j, "places");
	put_distinct(j, ci, group, field_place);
	json_key(j, "python");
	put_distinct(j, ci, group, field_python);
	json_key(j, "executables");
	put_distinct(j, ci, group, field_executable);
	if (ci->journal) {
		for (i = 0; i < group->ncores; i++) {
			uint64_t usec = ci->cores[group->cores[i]].usec;

			earliest = usec < earliest ? usec : earliest;
			latest = usec > latest ? usec : latest;
		}
		json_key(j, "hosts");
		json_int(j, (int64_t)ci_count_hosts(ci, group));
		json_key(j, "host_names");
		put_distinct(j, ci, group, field_host);
		json_key(j, "first");
		put_time(j, earliest);
		json_key(j, "last");
		put_time(j, latest);
	}
	json_key(j, ci->journal ? "reports" : "cores");
	json_open(j, '[');
	for (i = 0; i < group->ncores; i++)
		json_string(j, ci->cores[group->cores[i]].path);
	json_close(j, ']');
	json_key(j, "notes");
	json_open(j, '[');
	for (i = 0; i < first->nnotes; i++)
		json_string(j, first->notes[i]);
	json_close(j, ']');
	json_key(j, "traceback");
	put_traceback(j, first);
	json_key(j, "traceback_cut");
	json_bool(j, first->frames_cut);
	json_close(j, '}');
}

struct pc_error *ci_report_json(FILE *out, const struct ci *ci)
{
	struct json j = {.out = out};
	size_t i;

	json_open(&j, '{');
	json_key(&j, "source");
	json_string(&j, ci->journal ? "journal" : "cores");
	json_key(&j, "dirs");
	json_open(&j, '[');
	for (i = 0; i < ci->ndirs; i++)
		json_string(&j, ci->dirs[i]);
	json_close(&j, ']');
	json_key(&j, "found");
	json_int(&j, (int64_t)(ci->ncores + ci->cores_skipped));
	json_key(&j, "not_read");
	json_int(&j, (int64_t)ci->cores_skipped);
	json_key(&j, "crashes");
	json_open(&j, '[');
	for (i = 0; i < ci->ngroups; i++)
		put_group(&j, ci, &ci->groups[i]);
	json_close(&j, ']');
	json_key(&j, "not_analyzed");
	json_open(&j, '[');
	for (i = 0; i < ci->ncores; i++) {
		if (!ci->cores[i].error)
			continue;
		json_open(&j, '{');
		json_key(&j, ci->journal ? "report" : "core");
		json_string(&j, ci->cores[i].path);
		json_key(&j, "error");
		json_string(&j, ci->cores[i].error);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_key(&j, "files_cut");
	json_bool(&j, ci->files_cut);
	json_key(&j, "depth_cut");
	json_bool(&j, ci->depth_cut);
	json_close(&j, '}');
	fputc('\n', out);
	return NULL;
}
