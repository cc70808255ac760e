#include "report_json.h"

#include "analysis.h"
#include "core.h"
#include "fingerprint.h"
#include "modules.h"
#include "report_text.h"
#include "signals.h"
#include "source.h"
#include "utf8.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

/* Deeper than the document goes: report, threads, thread, stack, frames,
 * frame. */
#define JSON_MAX_DEPTH 16	/* the deepest: root, threads, thread, python, frames, frame, locals, variables, variable */
/* Long enough for the hex of a 64-byte build-id. */
#define BUILD_ID_HEX_MAX 129

/* A pretty-printing writer: one member or element per line, indented by
 * two spaces a level.  It only tracks where commas and newlines go. */
struct json {
	FILE *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH]; /* the open container has a member already */
	bool after_key;			/* a key was written: its value comes next */
};

static void json_separate(struct json *j)
{
	int i;

	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->has_items[j->depth - 1])
		fputc(',', j->out);
	j->has_items[j->depth - 1] = true;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

static void json_open(struct json *j, char bracket)
{
	json_separate(j);
	fputc(bracket, j->out);
	assert(j->depth < JSON_MAX_DEPTH);
	j->has_items[j->depth++] = false;
}

static void json_close(struct json *j, char bracket)
{
	int i;

	if (j->depth > 0 && j->has_items[--j->depth]) {
		fputc('\n', j->out);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(bracket, j->out);
}

/* RFC 8259 string: quotes, backslashes and control characters escaped,
 * well-formed UTF-8 kept as it is, anything else U+FFFD. */
static void json_put_string(FILE *out, const char *text, size_t len)
{
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		uint32_t cp;
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
			i++;
		} else if (c == '\n') {
			fputs("\\n", out);
			i++;
		} else if (c == '\t') {
			fputs("\\t", out);
			i++;
		} else if (c < 0x20) {
			fprintf(out, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc(c, out);
			i++;
		} else {
			n = utf8_decode(text + i, len - i, &cp);
			if (cp == UTF8_REPLACEMENT && n == 1)
				fputs("\\ufffd", out);
			else
				fwrite(text + i, 1, n, out);
			i += n;
		}
	}
	fputc('"', out);
}

static void json_key(struct json *j, const char *key)
{
	json_separate(j);
	json_put_string(j->out, key, strlen(key));
	fputs(": ", j->out);
	j->after_key = true;
}

static void json_string_n(struct json *j, const char *text, size_t len)
{
	json_separate(j);
	json_put_string(j->out, text, len);
}

/* TEXT, or null when it is NULL. */
static void json_string(struct json *j, const char *text)
{
	json_separate(j);
	if (text)
		json_put_string(j->out, text, strlen(text));
	else
		fputs("null", j->out);
}

static void json_null(struct json *j)
{
	json_separate(j);
	fputs("null", j->out);
}

static void json_bool(struct json *j, bool value)
{
	json_separate(j);
	fputs(value ? "true" : "false", j->out);
}

static void json_int(struct json *j, int64_t value)
{
	json_separate(j);
	fprintf(j->out, "%" PRId64, value);
}

/* Addresses are strings: JSON numbers past 2^53 lose digits in many
 * readers. */
static void json_hex(struct json *j, uint64_t value)
{
	json_separate(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", value);
}

/* A line or column: -1 means unknown, which is null. */
static void json_position(struct json *j, int value)
{
	if (value < 0)
		json_null(j);
	else
		json_int(j, value);
}

static const char *layout_source_id(enum layout_source source)
{
	switch (source) {
	case LAYOUT_SOURCE_DWARF:
		return "dwarf";
	case LAYOUT_SOURCE_DEBUG_OFFSETS:
		return "debug-offsets";
	case LAYOUT_SOURCE_TABLES:
		return "tables";
	case LAYOUT_SOURCE_NONE:
		break;
	}
	return NULL;
}

static void write_process(struct json *j, const struct core *core)
{
	size_t len;

	if (!core->has_psinfo) {
		json_null(j);
		return;
	}
	len = strlen(core->psinfo.args);
	/* The kernel pads pr_psargs with a space after the last argument. */
	while (len && core->psinfo.args[len - 1] == ' ')
		len--;
	json_open(j, '{');
	json_key(j, "name");
	json_string(j, core->psinfo.fname);
	json_key(j, "command");
	json_string_n(j, core->psinfo.args, len);
	json_key(j, "pid");
	json_int(j, core->psinfo.pid);
	json_key(j, "ppid");
	json_int(j, core->psinfo.ppid);
	json_key(j, "uid");
	json_int(j, core->psinfo.uid);
	json_key(j, "gid");
	json_int(j, core->psinfo.gid);
	json_close(j, '}');
}

static void write_signal(struct json *j, const struct core *core)
{
	int signo = core->has_siginfo ? core->siginfo.signo : core->threads[0].signal;
	const char *code_name = NULL, *code_meaning = NULL;

	if (core->has_siginfo)
		signal_code(signo, core->siginfo.code, &code_name, &code_meaning);
	json_open(j, '{');
	json_key(j, "number");
	json_int(j, signo);
	json_key(j, "name");
	json_string(j, signal_name(signo));
	json_key(j, "meaning");
	json_string(j, signal_meaning(signo));
	json_key(j, "code");
	if (core->has_siginfo)
		json_int(j, core->siginfo.code);
	else
		json_null(j);
	json_key(j, "code_name");
	json_string(j, code_name);
	json_key(j, "code_meaning");
	json_string(j, code_meaning);
	/* As the text report: si_addr is the fault address of a fault raised
	 * by the kernel (code > 0); a signal sent by a process has a sender. */
	json_key(j, "fault_address");
	if (core->has_siginfo && core->siginfo.code > 0 && signal_has_address(signo))
		json_hex(j, core->siginfo.addr);
	else
		json_null(j);
	json_key(j, "sender_pid");
	if (core->has_siginfo && core->siginfo.code <= 0)
		json_int(j, core->siginfo.sender_pid);
	else
		json_null(j);
	json_close(j, '}');
}

static void write_python_summary(struct json *j, const struct python *python)
{
	json_open(j, '{');
	json_key(j, "found");
	json_bool(j, python->found);
	json_key(j, "version");
	json_string(j, python->found && python->version[0] ? python->version : NULL);
	json_key(j, "module");
	json_string(j, python->found ? python->module_path : NULL);
	json_key(j, "layout");
	if (python->found && python->layout_detail && layout_source_id(python->layout.source)) {
		json_open(j, '{');
		json_key(j, "source");
		json_string(j, layout_source_id(python->layout.source));
		json_key(j, "detail");
		json_string(j, python->layout_detail);
		json_close(j, '}');
	} else {
		json_null(j);
	}
	json_key(j, "gc_collecting");
	json_bool(j, python->gc_collecting);
	json_key(j, "interpreters");
	json_int(j, (int64_t)python->ninterpreters);
	json_key(j, "threads_cut");
	json_bool(j, python->threads_cut);
	json_key(j, "error");
	json_string(j, python->found ? python->error : NULL);
	json_close(j, '}');
}

static void write_warnings(struct json *j, const struct analysis *analysis)
{
	const struct modules *modules = analysis->modules;
	const struct python *python = &analysis->python;
	size_t i;

	json_open(j, '[');
	for (i = 0; i < analysis->core->nwarnings; i++)
		json_string(j, analysis->core->warnings[i]);
	for (i = 0; i < modules->nwarnings; i++)
		json_string(j, modules->warnings[i]);
	for (i = 0; i < python->nwarnings; i++)
		json_string(j, python->warnings[i]);
	json_close(j, ']');
}

/* null without --locals; else the variables, and why they stop if they do. */
static void write_locals(struct json *j, const struct py_frame *frame, bool with_locals)
{
	static const char *const kinds[] = {
		[PY_LOCAL_PLAIN] = "local", [PY_LOCAL_CELL] = "cell", [PY_LOCAL_FREE] = "free",
	};
	size_t i;

	if (!with_locals) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, "variables");
	json_open(j, '[');
	for (i = 0; i < frame->nlocals; i++) {
		json_open(j, '{');
		json_key(j, "name");
		json_string(j, frame->locals[i].name);
		json_key(j, "repr");
		json_string(j, frame->locals[i].repr);
		json_key(j, "kind");
		json_string(j, kinds[frame->locals[i].kind]);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, frame->locals_cut);
	json_key(j, "error");
	json_string(j, frame->locals_error);
	json_close(j, '}');
}

static void write_py_frame(struct json *j, const struct py_frame *frame,
			   struct source_cache *sources, bool with_locals)
{
	const struct py_location *loc = &frame->location;
	const char *line = NULL;
	size_t len = 0;

	if (sources && !frame->error && frame->filename)
		line = source_line(sources, frame->filename, loc->line, &len);
	json_open(j, '{');
	json_key(j, "address");
	json_hex(j, frame->address);
	json_key(j, "file");
	json_string(j, frame->error ? NULL : frame->filename);
	json_key(j, "name");
	json_string(j, frame->error ? NULL : frame->name);
	json_key(j, "line");
	json_position(j, frame->error ? -1 : loc->line);
	json_key(j, "end_line");
	json_position(j, frame->error ? -1 : loc->end_line);
	json_key(j, "column");
	json_position(j, frame->error ? -1 : loc->column);
	json_key(j, "end_column");
	json_position(j, frame->error ? -1 : loc->end_column);
	json_key(j, "is_entry");
	json_bool(j, frame->is_entry);
	json_key(j, "source");
	if (line)
		json_string_n(j, line, len);
	else
		json_null(j);
	json_key(j, "error");
	json_string(j, frame->error);
	json_key(j, "locals");
	write_locals(j, frame, with_locals);
	json_close(j, '}');
}

static void write_py_stack(struct json *j, const struct py_thread *thread,
			   struct source_cache *sources, bool with_locals)
{
	size_t i;

	json_open(j, '{');
	json_key(j, "frames");
	json_open(j, '[');
	for (i = 0; i < thread->nframes; i++)
		write_py_frame(j, &thread->frames[i], sources, with_locals);
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, thread->cut);
	json_key(j, "error");
	json_string(j, thread->error);
	json_key(j, "exception");
	if (thread->exception.type || thread->exception_error) {
		json_open(j, '{');
		json_key(j, "type");
		json_string(j, thread->exception.type);
		json_key(j, "message");
		json_string(j, thread->exception.message);
		json_key(j, "error");
		json_string(j, thread->exception_error);
		json_close(j, '}');
	} else {
		json_null(j);
	}
	json_close(j, '}');
}

static void write_native_stack(struct json *j, struct modules *modules,
			       const struct native_stack *stack)
{
	char build_id[BUILD_ID_HEX_MAX];
	size_t i;

	json_open(j, '{');
	json_key(j, "frames");
	json_open(j, '[');
	for (i = 0; i < stack->nframes; i++) {
		const struct native_frame *frame = &stack->frames[i];
		const struct native_symbol *where = &frame->where;

		json_open(j, '{');
		json_key(j, "pc");
		json_hex(j, frame->pc);
		json_key(j, "symbol");
		json_string(j, where->symbol);
		json_key(j, "offset");
		if (where->symbol)
			json_int(j, (int64_t)where->offset);
		else
			json_null(j);
		json_key(j, "module");
		json_string(j, where->module);
		json_key(j, "build_id");
		json_string(j, modules_build_id(modules, frame->pc, build_id, sizeof(build_id))
				       ? build_id
				       : NULL);
		json_key(j, "src_file");
		json_string(j, where->src_file);
		json_key(j, "src_line");
		if (where->src_file)
			json_int(j, where->src_line);
		else
			json_null(j);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, stack->cut);
	json_key(j, "error");
	json_string(j, stack->error);
	json_close(j, '}');
}

/* With --native: the call order of the frames above, as references into
 * "native" and "python", or why they could not be interleaved. */
static void write_interleaved(struct json *j, const struct analysis *analysis,
			      const struct thread_view *view)
{
	const struct mixed_stack *mixed = &view->mixed;
	size_t i;

	if (!analysis->options->mixed) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, "order");
	json_open(j, '[');
	for (i = 0; i < mixed->nentries; i++) {
		json_open(j, '{');
		json_key(j, "kind");
		json_string(j, mixed->entries[i].kind == MIXED_NATIVE ? "native" : "python");
		json_key(j, "index");
		json_int(j, (int64_t)mixed->entries[i].index);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_key(j, "error");
	json_string(j, mixed->error);
	json_close(j, '}');
}

static void write_thread(struct json *j, const struct analysis *analysis,
			 const struct thread_view *view, struct source_cache *sources,
			 const struct report_options *options)
{
	const struct py_thread *python = view->python;

	json_open(j, '{');
	json_key(j, "number");
	json_int(j, (int64_t)view->number);
	json_key(j, "lwp");
	json_int(j, view->core_thread->lwp);
	json_key(j, "pthread_id");
	json_hex(j, view->pthread_id);
	json_key(j, "name");
	if (python && python->name)
		json_string(j, python->name);
	else
		json_null(j);
	json_key(j, "daemon");
	if (python && python->name)
		json_bool(j, python->daemon);
	else
		json_null(j);
	json_key(j, "crashed");
	json_bool(j, view->crashed);
	json_key(j, "holds_gil");
	json_bool(j, python && python->holds_gil);
	json_key(j, "interpreter");
	if (python)
		json_int(j, python->interp_index);
	else
		json_null(j);
	json_key(j, "thread_state");
	if (python)
		json_hex(j, python->tstate);
	else
		json_null(j);
	json_key(j, "python");
	if (python)
		write_py_stack(j, python, sources, analysis->options->python.locals);
	else
		json_null(j);
	json_key(j, "native");
	if (options->native)
		write_native_stack(j, analysis->modules, &view->native);
	else
		json_null(j);
	json_key(j, "interleaved");
	write_interleaved(j, analysis, view);
	json_close(j, '}');
}

/* Thread states whose thread is not in the core (it exited, or the state
 * is stale): the text report lists them after the threads. */
static void write_unmatched(struct json *j, const struct py_thread *thread,
			    struct source_cache *sources, bool with_locals)
{
	json_open(j, '{');
	json_key(j, "thread_state");
	json_hex(j, thread->tstate);
	json_key(j, "pthread_id");
	json_hex(j, thread->thread_id);
	json_key(j, "lwp");
	if (thread->native_thread_id)
		json_int(j, (int64_t)thread->native_thread_id);
	else
		json_null(j);
	json_key(j, "name");
	if (thread->name)
		json_string(j, thread->name);
	else
		json_null(j);
	json_key(j, "holds_gil");
	json_bool(j, thread->holds_gil);
	json_key(j, "interpreter");
	json_int(j, thread->interp_index);
	json_key(j, "python");
	write_py_stack(j, thread, sources, with_locals);
	json_close(j, '}');
}

void report_json(FILE *out, const struct analysis *analysis, const struct report_options *options)
{
	const struct core *core = analysis->core;
	const struct modules *modules = analysis->modules;
	struct source_cache *sources = options->source
					       ? source_cache_create(&analysis->options->paths)
					       : NULL;
	struct json j = {.out = out};
	struct fingerprint fingerprint;
	size_t i;

	fingerprint_compute(analysis, &fingerprint);
	json_open(&j, '{');
	json_key(&j, "schema_version");
	json_int(&j, REPORT_JSON_SCHEMA_VERSION);
	json_key(&j, "pycore_version");
	json_string(&j, PYCORE_VERSION);

	json_key(&j, "core");
	json_open(&j, '{');
	json_key(&j, "path");
	json_string(&j, core->path);
	json_key(&j, "compression");
	json_string(&j, analysis->input->format);
	json_key(&j, "input_error");
	json_string(&j, analysis->input->error);
	json_key(&j, "size");
	json_int(&j, (int64_t)analysis->input->size);
	json_key(&j, "truncated");
	json_bool(&j, core->truncated);
	json_key(&j, "missing_bytes");
	json_int(&j, core->truncated ? (int64_t)core->missing_bytes : 0);
	json_close(&j, '}');

	json_key(&j, "executable");
	json_open(&j, '{');
	json_key(&j, "path");
	json_string(&j, modules->executable);
	json_key(&j, "origin");
	json_string(&j, modules->executable ? modules->executable_origin : NULL);
	json_close(&j, '}');

	json_key(&j, "process");
	write_process(&j, core);
	json_key(&j, "signal");
	write_signal(&j, core);
	json_key(&j, "python");
	write_python_summary(&j, &analysis->python);

	json_key(&j, "fatal_error");
	json_string(&j, analysis->fatal_error);

	json_key(&j, "fingerprint");
	json_open(&j, '{');
	json_key(&j, "id");
	json_string(&j, fingerprint.id);
	json_key(&j, "canonical");
	json_string_n(&j, fingerprint.canonical, fingerprint.canonical_len);
	json_close(&j, '}');

	json_key(&j, "crashing_thread");
	json_open(&j, '{');
	json_key(&j, "number");
	json_int(&j, 1);
	json_key(&j, "lwp");
	json_int(&j, core->threads[0].lwp);
	json_close(&j, '}');

	json_key(&j, "partial");
	json_bool(&j, analysis->partial);
	json_key(&j, "warnings");
	write_warnings(&j, analysis);
	json_key(&j, "limits");
	json_open(&j, '{');
	json_key(&j, "max_python_frames");
	json_int(&j, (int64_t)analysis->options->python.max_frames);
	json_key(&j, "max_native_frames");
	json_int(&j, (int64_t)analysis->options->max_native_frames);
	json_key(&j, "max_threads");
	json_int(&j, (int64_t)analysis->options->python.max_threads);
	json_key(&j, "timeout");
	json_separate(&j);
	fprintf(j.out, "%g", analysis->deadline.seconds); /* may have a fraction */
	json_key(&j, "timed_out");
	json_bool(&j, analysis->deadline.passed);
	json_close(&j, '}');

	json_key(&j, "threads");
	json_open(&j, '[');
	for (i = 0; i < analysis->nthreads; i++)
		write_thread(&j, analysis, &analysis->threads[i], sources, options);
	json_close(&j, ']');
	json_key(&j, "unmatched_thread_states");
	json_open(&j, '[');
	for (i = 0; i < analysis->nunmatched; i++)
		write_unmatched(&j, analysis->unmatched[i], sources,
					analysis->options->python.locals);
	json_close(&j, ']');
	json_close(&j, '}');
	fputc('\n', out);
	source_cache_destroy(sources);
}
