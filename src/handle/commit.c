#include "handle/commit.h"

#include "analysis/signals.h"
#include "base/error.h"
#include "base/escape.h"
#include "cmd/cli.h"
#include "handle/analysis_child.h"
#include "handle/journal.h"
#include "handle/keep_core.h"
#include "handle/log.h"
#include "handle/time_limit.h"
#include "input/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>

/* The report's first line: what only the handler knows, from the kernel's
 * arguments.  Written by the parent: a report the analysis never wrote a
 * line of still says which crash it is.  Returns 0, or an errno. */
static int write_crash_line(int fd, const struct crash *crash)
{
	char host[HANDLE_TEXT_MAX], when[64];
	const char *name = signal_name(crash->signo);
	time_t t = (time_t)crash->time;
	struct tm tm;

	escape_into(ESCAPE_TERMINAL, crash->host, host, sizeof(host));
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(when, sizeof(when), "%lld", crash->time);
	if (dprintf(fd, "Crash:       PID %d on host %s, UID %u, GID %u, signal %d%s%s%s, at %s\n",
		    (int)crash->pid, host, (unsigned)crash->uid, (unsigned)crash->gid, crash->signo,
		    name ? " (" : "", name ? name : "", name ? ")" : "", when) < 0)
		return errno;
	return 0;
}

/* A name for the entry: time, PID, NONCE and the process's name COMM, in
 * characters that are safe in any file name.  Anyone may pass through the
 * spool (0751) and sees the time, PID and name of every process in ps: the
 * nonce keeps them from telling by a name whether a crash was reported. */
static void entry_stem(const struct crash *crash, const char *nonce, const char *comm, char *out,
		       size_t size)
{
	char clean[17];
	size_t i;

	for (i = 0; comm[i] && i < sizeof(clean) - 1; i++)
		clean[i] = (comm[i] >= 'a' && comm[i] <= 'z') || (comm[i] >= 'A' && comm[i] <= 'Z') ||
					   (comm[i] >= '0' && comm[i] <= '9') || comm[i] == '-' ||
					   comm[i] == '_'
				   ? comm[i]
				   : '_';
	clean[i] = '\0';
	snprintf(out, size, "%lld.%d.%s.%s", crash->time, (int)crash->pid, nonce,
		 i ? clean : "unknown");
}

static uint64_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static const char *signal_words(int signo)
{
	return signal_name(signo) ? signal_name(signo) : "unknown signal";
}

/* Add "pycore handle: NOTE" to the text report; false when it cannot. */
static bool add_note(struct handle *h, struct spool_file *text, const char *note)
{
	if (dprintf(text->fd, "\npycore handle: %s\n", note) >= 0)
		return true;
	handle_log(LOG_ERR, "PID %d: the note \"%s\" is not in the report: %s", (int)h->crash.pid,
		   note, strerror(errno));
	return false;
}

/* The note that ends the text report (NOTE, SIZE bytes; "" for none): why
 * the analysis or the reading of the core stopped short, and where the
 * report is cut (REPORT_CUT). */
static void build_note(const struct handle *h, const struct analysis_child *child,
		       bool report_cut, char *note, size_t size)
{
	note[0] = '\0';
	if (child->pid < 0)
		snprintf(note, size, "not analyzed: fork: %s", strerror(child->fork_errno));
	else if (!child->exited)
		snprintf(note, size, "the analysis was stopped at the time limit "
				     "(--timeout=%u): the report above is what was ready",
			 h->options.timeout);
	else if (!WIFEXITED(child->wstatus))
		snprintf(note, size, "the analysis failed: pycore was killed by signal %d",
			 WTERMSIG(child->wstatus));
	if (h->input->stopped)
		snprintf(note + strlen(note), size - strlen(note),
			 "%sreading the core stopped at the time limit (--timeout=%u) after %llu "
			 "bytes, which ended the kernel's dump",
			 note[0] ? "; " : "", h->options.timeout, (unsigned long long)h->input->read);
	if (report_cut)
		snprintf(note + strlen(note), size - strlen(note),
			 "%sthe report is cut at %llu bytes, %s", note[0] ? "; " : "",
			 (unsigned long long)h->report_max,
			 h->report_max < HANDLE_REPORT_MAX_BYTES
				 ? "a quarter of the spool's room above --keep-free"
				 : "the most a report of pycore handle holds");
}

/* The log line's words for the kept core (WORDS, SIZE bytes): none, or
 * that it is kept, and cut at its core size LIMIT when it was.  The input
 * is already cut at --max-core-size: only %c cuts more. */
static void build_core_words(const struct handle *h, bool core_kept, uint64_t limit, char *words,
			     size_t size)
{
	if (core_kept && h->input->size > limit)
		snprintf(words, size, ", core kept (its first %llu bytes: its core size "
				      "limit)",
			 (unsigned long long)limit);
	else
		snprintf(words, size, "%s", core_kept ? ", core kept" : "");
}

/* Commit the entry of the crash that CHILD analyzed into FILES: note in the
 * text report what stopped short, drop a JSON report that is not whole,
 * let the crashing user read the files and name them.  Returns whether
 * it is committed, FINAL_STEM (SIZE bytes) its stem. */
static bool commit_entry(struct handle *h, struct spool_file files[SPOOL_NKINDS],
			 struct analysis_child *child, char *final_stem, size_t size)
{
	static const char *const kind_names[SPOOL_NKINDS] = {"text report", "JSON report", "core"};
	struct child_report *r = &child->report;
	char stem[128], note[512], nonce[SPOOL_NONCE_SIZE];
	bool report_cut = file_size(files[SPOOL_TEXT].fd) >= h->report_max;
	bool analyzed = child->exited && WIFEXITED(child->wstatus) &&
			WEXITSTATUS(child->wstatus) != EXIT_BAD_INPUT &&
			WEXITSTATUS(child->wstatus) != EXIT_INTERNAL;
	struct pc_error *err;
	int i;

	build_note(h, child, report_cut, note, sizeof(note));
	if (report_cut)
		r->text_problem[0] = '\0';
	if (r->text_problem[0]) {
		handle_log(LOG_ERR, "PID %d (%s): not reported: the text report cannot be written "
				    "into %s: %s",
			   (int)h->crash.pid, r->executable, h->spool.path, r->text_problem);
		h->status = EXIT_BAD_INPUT;
		return false;
	}
	if (note[0] && !add_note(h, &files[SPOOL_TEXT], note)) {
		h->status = EXIT_BAD_INPUT;
		return false;
	}
	if (!r->summary[0] && note[0])
		snprintf(r->summary, sizeof(r->summary), "%.*s", (int)sizeof(r->summary) - 1, note);
	/* A JSON document cut short is no document. */
	if (files[SPOOL_JSON].fd >= 0 && file_size(files[SPOOL_JSON].fd) >= h->report_max)
		handle_log(LOG_ERR, "PID %d: the JSON report is not kept: larger than %llu bytes",
			   (int)h->crash.pid, (unsigned long long)h->report_max);
	else if (analyzed && r->json_problem[0])
		handle_log(LOG_ERR, "PID %d: the JSON report is not kept: %s", (int)h->crash.pid,
			   r->json_problem);
	if (!analyzed || r->json_problem[0] ||
	    file_size(files[SPOOL_JSON].fd) >= h->report_max)
		spool_discard(&h->spool, &files[SPOOL_JSON]);
	/* The crashing user's own crash: theirs to read, nobody else's;
	 * a privileged process's, root's only (privilege.h). */
	for (i = 0; i < SPOOL_NKINDS; i++) {
		if (files[i].fd < 0 || !h->privilege.user_may_read ||
		    (h->crash.uid != 0 && strcmp(r->secure, "0") != 0))
			continue;
		err = spool_grant_read(&h->spool, &files[i], h->crash.uid);
		if (err) {
			handle_log(LOG_ERR, "PID %d: the %s is readable by root only: %s",
				   (int)h->crash.pid, kind_names[i], err->message);
			pc_error_destroy(err);
		}
	}
	err = spool_nonce(nonce);
	if (!err) {
		entry_stem(&h->crash, nonce, r->comm, stem, sizeof(stem));
		err = spool_commit(&h->spool, files, stem, final_stem, size);
	}
	if (err) {
		handle_log(LOG_ERR, "PID %d: not reported: %s", (int)h->crash.pid, err->message);
		h->status = EXIT_BAD_INPUT;
		pc_error_destroy(err);
		return false;
	}
	return true;
}

/* The crash's log line, for its entry STEM, once --max-use has pruned:
 * the core is said to be kept only when it still is. */
static void log_entry(struct handle *h, const struct analysis_child *child, const char *stem,
		      uint64_t limit)
{
	char core_name[192], core_words[128], line[2048];
	struct stat st;
	bool core_kept;

	snprintf(core_name, sizeof(core_name), "%s%s", stem, spool_suffix(SPOOL_CORE));
	core_kept = fstatat(h->spool.dirfd, core_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode);
	build_core_words(h, core_kept, limit, core_words, sizeof(core_words));
	snprintf(line, sizeof(line), "PID %d (%s), %s: %s; report %s/%s%s%s", (int)h->crash.pid,
		 child->report.executable, signal_words(h->crash.signo), child->report.summary,
		 h->spool.path, stem, spool_suffix(SPOOL_TEXT), core_words);
	journal_log_crash(h, &child->report, line, stem, core_kept);
}

/* --max-use: delete cores, then the oldest entries, and say so. */
static void prune(struct handle *h)
{
	size_t removed, cores_removed;
	struct pc_error *err;

	if (!h->options.max_use)
		return;
	/* A quarter of --max-use for one user: past it, its own go first. */
	err = spool_prune(&h->spool, h->options.max_use, h->crash.uid,
			  h->crash.uid ? h->options.max_use / 4 : 0, &removed, &cores_removed);
	if (err)
		handle_log(LOG_ERR, "--max-use: %s", err->message);
	if (!err && cores_removed)
		handle_log(LOG_INFO, "--max-use=%llu: removed %zu core%s of %s, oldest first",
			   (unsigned long long)h->options.max_use, cores_removed,
			   cores_removed == 1 ? "" : "s", h->spool.path);
	if (!err && removed)
		handle_log(LOG_INFO, "--max-use=%llu: removed %zu entr%s of %s, oldest first",
			   (unsigned long long)h->options.max_use, removed, removed == 1 ? "y" : "ies",
			   h->spool.path);
	pc_error_destroy(err);
}

void commit_crash(struct handle *h)
{
	struct spool_file files[SPOOL_NKINDS] = {{.fd = -1}, {.fd = -1}, {.fd = -1}};
	uint64_t limit = keep_core_limit(h);
	struct analysis_child child;
	struct pc_error *err = NULL;
	char stem[160];
	bool committed = false;
	int i;

	/* One reserve for every write: the reports' share of the room the
	 * temporary copy left; the kept core, what they leave. */
	h->report_max = spool_room(&h->spool, h->options.keep_free) / 4;
	if (h->report_max > HANDLE_REPORT_MAX_BYTES)
		h->report_max = HANDLE_REPORT_MAX_BYTES;
	/* The kept core, written while the core was read, is the entry's. */
	files[SPOOL_CORE] = h->core_file;
	h->core_file.fd = -1;
	for (i = 0; i < SPOOL_NKINDS && !err; i++)
		if (i != SPOOL_CORE)
			err = spool_create(&h->spool, &files[i]);
	if (!err && (i = write_crash_line(files[SPOOL_TEXT].fd, &h->crash)) != 0)
		err = pc_error_create(PC_ERR_IO, "%s", strerror(i));
	if (!err)
		err = analysis_child_start(h, files, &child);
	if (err) {
		handle_log(LOG_ERR, "PID %d: not reported: cannot write into the spool: %s",
			   (int)h->crash.pid, err->message);
		h->status = EXIT_BAD_INPUT;
		pc_error_destroy(err);
		goto out;
	}
	analysis_child_wait(h, &child);
	if (child.report.core_note[0])
		handle_log(LOG_WARNING, "PID %d: %s", (int)h->crash.pid, child.report.core_note);
	if (child.exited && WIFEXITED(child.wstatus) &&
	    WEXITSTATUS(child.wstatus) == CHILD_EXIT_NOT_PYTHON) {
		handle_log(LOG_INFO, "PID %d (%s), %s: not a Python process, skipped",
			   (int)h->crash.pid, child.report.executable, signal_words(h->crash.signo));
		goto out;
	}
	committed = commit_entry(h, files, &child, stem, sizeof(stem));
out:
	for (i = 0; i < SPOOL_NKINDS; i++)
		spool_discard(&h->spool, &files[i]);
	prune(h);
	if (committed)
		log_entry(h, &child, stem, limit);
}
