#include "handle/analysis_child.h"

#include "analysis/analysis.h"
#include "base/error.h"
#include "base/escape.h"
#include "cmd/cli.h"
#include "elf/core.h"
#include "elf/paths.h"
#include "handle/log.h"
#include "handle/read_only.h"
#include "handle/sandbox.h"
#include "handle/time_limit.h"
#include "input/input.h"
#include "python/probe.h"
#include "report/json.h"
#include "report/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

/* The analysis child's address space: the core is mapped in it. */
#define ANALYSIS_MEMORY (2ULL << 30)
/* Frames per thread (Python and native) in each report. */
#define REPORT_MAX_FRAMES 256

bool live_is_python(struct handle *h)
{
	struct sandbox_limits limits = {ANALYSIS_MEMORY, h->options.timeout, 0};
	int maps, wstatus;
	pid_t child;

	if (h->process.exe_fd < 0)
		return true;
	maps = live_process_maps_libpython(&h->process);
	if (maps != 0) {
		h->python_checked = maps == 1;
		return true;
	}
	child = fork();
	if (child == 0) {
		struct pc_error *err;
		unsigned walls;

		/* Nothing of the spool: not even the names in it.  The slot
		 * stays the parent's: its lock is on the open file. */
		spool_close(&h->spool);
		err = sandbox_enter(h->privilege.analysis_uid, h->privilege.analysis_gid,
				    h->privilege.keeper_uid, &limits, &walls);
		_exit(err ? 2 : python_in_elf(h->process.exe_fd) ? 0 : 1);
	}
	if (child < 0 || !time_limit_wait_child(child, true, &wstatus) || !WIFEXITED(wstatus) ||
	    WEXITSTATUS(wstatus) > 1)
		return true;
	h->python_checked = WEXITSTATUS(wstatus) == 0;
	return h->python_checked;
}

/* The walls (enum read_only_walls) that keep the analysis from writing,
 * under its seccomp filter. */
static void write_walls(FILE *out, unsigned walls)
{
	if (!walls) {
		fprintf(out, "; kept from writing by its seccomp filter alone");
		return;
	}
	fprintf(out, "; nothing writable to it: %s%s%s",
		walls & READ_ONLY_MOUNTS ? "read-only mounts" : "",
		walls == (READ_ONLY_MOUNTS | READ_ONLY_LANDLOCK) ? ", " : "",
		walls & READ_ONLY_LANDLOCK ? "Landlock" : "");
}

/* Which files the analysis reads: the crashed process's, or the paths the
 * core names; and whether it could write. */
static void write_files_line(FILE *out, const struct handle *h, unsigned walls)
{
	char exe[HANDLE_TEXT_MAX];

	if (h->process.exe_fd < 0) {
		escape_into(ESCAPE_TERMINAL, h->process.why_not, exe, sizeof(exe));
		fprintf(out, "Files:       the paths the core names, on this machine (/proc/%d not "
			     "used: %s)",
			(int)h->crash.pid, exe);
		write_walls(out, walls);
		fputc('\n', out);
		return;
	}
	escape_into(ESCAPE_TERMINAL, h->process.exe, exe, sizeof(exe));
	fprintf(out, "Files:       the crashed process's own, read through /proc/%d: its "
		     "executable %s",
		(int)h->crash.pid, exe);
	if (h->root_path[0])
		fprintf(out, ", and files under its root directory (another mount namespace or "
			     "root)");
	fprintf(out, "; read as UID %u, GID %u", (unsigned)h->privilege.analysis_uid,
		(unsigned)h->privilege.analysis_gid);
	if (h->privilege.why[0])
		fprintf(out, " (the report is root's only: %s)", h->privilege.why);
	write_walls(out, walls);
	fputc('\n', out);
}

/* The log's words for the crashing thread's innermost Python frame. */
static void summarize(const struct analysis *analysis, char *out, size_t size)
{
	const struct py_frame *frame = analysis->headline;
	char file[HANDLE_TEXT_MAX], name[HANDLE_TEXT_MAX];

	if (!analysis->python.found) {
		snprintf(out, size, "no Python interpreter in the core");
		return;
	}
	if (!frame) {
		snprintf(out, size, "no Python frame in the crashing thread");
		return;
	}
	if (frame->error) {
		snprintf(out, size, "an unreadable Python frame");
		return;
	}
	handle_log_field(frame->filename, file, sizeof(file));
	handle_log_field(frame->name, name, sizeof(name));
	snprintf(out, size, "File \"%s\", line %d, in %s", file, frame->location.line, name);
}

/* The core as the parent read it: its copy in memory or in the spool, or,
 * past the memory budget with --keep-core, the kept file KEPT_FD read in
 * place; R->core_note says why, when it had to be decompressed whole. */
static struct pc_error *open_core(struct handle *h, int kept_fd, struct child_report *r,
				  struct core **ret)
{
	struct input_options options = {.max_size = h->options.max_core_size,
					.memory_budget = h->options.memory_budget};
	struct input *input = h->input, *kept;
	struct pc_error *err;

	if (input->fd < 0 && !input_bytes(input) && kept_fd < 0)
		return pc_error_create(PC_ERR_IO, "the core was neither copied nor kept");
	if (input->fd < 0 && !input_bytes(input)) {
		err = input_open_file(kept_fd, input->name, &options, &kept);
		if (err)
			return pc_error_prefix(err, "the kept core");
		if (kept->note)
			handle_log_field(kept->note, r->core_note, sizeof(r->core_note));
		input->image = kept->image;
		input->fd = kept->fd;
		input->size = kept->size;
		kept->image = NULL;
		kept->fd = -1;
		input_close(kept);
	}
	if (input_bytes(input))
		return core_open_memory(input_bytes(input), (size_t)input->size, input->name, ret);
	return core_open_fd(input->fd, input->name, ret);
}

/* Flush OUT; PROBLEM (SIZE bytes) receives why it could not be written. */
static void finish_file(FILE *out, char *problem, size_t size)
{
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		snprintf(problem, size, "%s", errno ? strerror(errno) : "write error");
}

/* The analysis child: drop root, then read the core into the reports.
 * Returns its exit status (CHILD_EXIT_NOT_PYTHON: no report to keep). */
static int analysis_child_main(struct handle *h, const struct spool_file files[SPOOL_NKINDS],
			       int report_fd)
{
	const struct sandbox_limits limits = {
		.address_space = h->input->size + ANALYSIS_MEMORY,
		.cpu_seconds = h->options.timeout,
		.file_size = h->report_max,
	};
	const struct report_options report = {.source = true, .native = true};
	char message[CHILD_SUMMARY_MAX / 2], problem[CHILD_SUMMARY_MAX / 4];
	struct child_report r;
	struct analysis_options options;
	struct analysis *analysis = NULL;
	struct paths paths = {0};
	struct core *core = NULL;
	struct pc_error *err;
	const char *main_program;
	uint64_t secure;
	unsigned walls;
	FILE *text, *json;
	int status = EXIT_OK;

	memset(&r, 0, sizeof(r));
	/* Nothing of the spool but the files to write. */
	spool_close(&h->spool);
	err = sandbox_enter(h->privilege.analysis_uid, h->privilege.analysis_gid,
			    h->privilege.keeper_uid, &limits, &walls);
	text = fdopen(files[SPOOL_TEXT].fd, "w");
	json = fdopen(files[SPOOL_JSON].fd, "w");
	if (!text || !json)
		return EXIT_INTERNAL;
	/* Line by line: what a killed analysis printed is in the file. */
	setvbuf(text, NULL, _IOLBF, 0);
	if (err) {
		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		fprintf(text, "Error:       %s\n", message);
		snprintf(r.summary, sizeof(r.summary), "not analyzed: %s", message);
		pc_error_destroy(err);
		status = EXIT_INTERNAL;
		goto out;
	}
	err = open_core(h, files[SPOOL_CORE].fd, &r, &core);
	if (err) {
		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		escape_into(ESCAPE_LINE, h->input->error ? h->input->error : "", problem, sizeof(problem));
		fprintf(text, "Error:       the core cannot be read: %s%s%s\n", message,
			problem[0] ? "; " : "", problem);
		snprintf(r.summary, sizeof(r.summary), "the core cannot be read: %.400s%s%.200s", message,
			 problem[0] ? "; " : "", problem);
		pc_error_destroy(err);
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (core->has_psinfo)
		escape_into(ESCAPE_LINE, core->psinfo.fname, r.comm, sizeof(r.comm));
	if (core_auxv(core, AT_SECURE, &secure))
		snprintf(r.secure, sizeof(r.secure), "%d", secure != 0);
	live_process_check_core(&h->process, core);
	if (h->process.exe_fd >= 0) {
		snprintf(h->exe_path, sizeof(h->exe_path), "/proc/self/fd/%d", h->process.exe_fd);
		if (h->process.other_root)
			snprintf(h->root_path, sizeof(h->root_path), "/proc/self/fd/%d",
				 h->process.root_fd);
	} else {
		h->python_checked = false;
	}
	/* The log names what the report names: /proc's file or the core's. */
	main_program = core_main_program(core);
	handle_log_field(h->process.exe_fd >= 0 ? h->process.exe
			 : main_program	       ? main_program
			 : core->has_psinfo    ? core->psinfo.fname
					       : "?",
			 r.executable, sizeof(r.executable));
	write_files_line(text, h, walls);
	paths.sysroot = h->root_path[0] ? h->root_path : NULL;
	if (!h->options.all && !h->python_checked &&
	    !python_in_core(core, h->process.exe_fd, &paths)) {
		status = CHILD_EXIT_NOT_PYTHON;
		goto out;
	}

	analysis_options_init(&options, NULL);
	options.core_input = h->input;
	options.executable = h->exe_path[0] ? h->exe_path : NULL;
	options.executable_name = h->exe_path[0] && h->process.exe[0] ? h->process.exe : NULL;
	options.paths.sysroot = paths.sysroot;
	options.python.max_frames = REPORT_MAX_FRAMES;
	options.max_native_frames = REPORT_MAX_FRAMES;
	/* Stop in time to write what was read before the parent kills. */
	if (options.timeout > h->options.timeout / 2.0)
		options.timeout = h->options.timeout / 2.0;
	err = analysis_run(&options, &analysis);
	if (err) {
		escape_into(ESCAPE_LINE, err->message, message, sizeof(message));
		fprintf(text, "Error:       the core cannot be analyzed: %s\n", message);
		snprintf(r.summary, sizeof(r.summary), "the core cannot be analyzed: %s", message);
		status = cli_error_status(err);
		pc_error_destroy(err);
	} else {
		report_text(text, analysis, &report);
		report_json(json, analysis, &report);
		summarize(analysis, r.summary, sizeof(r.summary));
		child_report_describe(analysis, &r);
		status = cli_report_status(analysis);
	}
out:
	finish_file(text, r.text_problem, sizeof(r.text_problem));
	finish_file(json, r.json_problem, sizeof(r.json_problem));
	child_report_send(report_fd, &r);
	analysis_destroy(analysis);
	core_close(core);
	return status;
}

struct pc_error *analysis_child_start(struct handle *h, const struct spool_file files[SPOOL_NKINDS],
				      struct analysis_child *ret)
{
	int report_pipe[2];

	*ret = (struct analysis_child){.pid = -1, .report_fd = -1};
	if (pipe2(report_pipe, O_CLOEXEC) != 0)
		return pc_error_create(PC_ERR_IO, "pipe: %s", strerror(errno));
	ret->pid = fork();
	if (ret->pid == 0) {
		close(report_pipe[0]);
		_exit(analysis_child_main(h, files, report_pipe[1]));
	}
	if (ret->pid < 0)
		ret->fork_errno = errno;
	close(report_pipe[1]);
	ret->report_fd = report_pipe[0];
	return NULL;
}

void analysis_child_wait(const struct handle *h, struct analysis_child *child)
{
	struct child_report *r = &child->report;

	child->exited = child->pid > 0 && time_limit_wait_child(child->pid, true, &child->wstatus);
	child_report_read(child->report_fd, r);
	close(child->report_fd);
	child->report_fd = -1;
	if (!r->executable[0])
		handle_log_field(h->process.exe[0] ? h->process.exe : "?", r->executable,
				 sizeof(r->executable));
	if (!r->comm[0])
		snprintf(r->comm, sizeof(r->comm), "%s", h->process.comm);
}
