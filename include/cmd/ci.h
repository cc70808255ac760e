/* pycore ci: the core files a test run left behind, found (ci_find.c),
 * summarized and grouped by crash fingerprint, and reported for a CI log,
 * GitHub Actions and JUnit viewers (ci_report.c).  cli_ci.c holds the
 * options and the flow. */
#ifndef PYCORE_CMD_CI_H
#define PYCORE_CMD_CI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/analysis.h"
#include "analysis/fingerprint.h"

#define CI_DEFAULT_MAX_DEPTH 12
#define CI_DEFAULT_MAX_FILES 100000
#define CI_DEFAULT_MAX_CORES 100
#define CI_FRAMES 10		/* Python frames of the crashing thread kept per core */
#define CI_NOTES 16		/* notes kept per core */
#define CI_LIST 5		/* executables, places, cores, notes listed per group */
#define CI_TEXT_MAX 4096	/* bytes kept of any string from a core or a file name */

struct ci_frame {
	char *file;		/* NULL: unreadable frame */
	char *name;
	int line;		/* -1: unknown */
	size_t repeat_period;	/* as struct py_frame's: a collapsed recursion */
	size_t repeat_count;	/* ends here */
};

/* One core file, summarized.  The strings are as the core or the file
 * system gave them, at most CI_TEXT_MAX bytes: each report escapes them
 * its own way (escape.h). */
struct ci_core {
	char *path;		/* as found */
	char *error;		/* the core could not be analyzed: why */
	char fingerprint[FINGERPRINT_ID_LEN + 1];
	char *signal;		/* "SIGSEGV", "killed by SIGABRT from PID 42 (a hang?)" */
	char *executable;	/* NULL: the core names none */
	char *python;		/* the Python version, or NULL */
	char *native;		/* the native function the fingerprint names */
	bool unique;		/* nothing readable to group by (fingerprint.h) */
	/* Where it happened: "FILE:LINE in NAME" of the crashing thread's most
	 * recent frame of the program's own code (else its most recent
	 * frame), or of each blocked thread of a hang, "; " between them;
	 * NULL: no Python frame */
	char *place;
	char *place_name;	/* ... the same without line numbers, for names that
				 * must not change when a line moves */
	char *function;		/* NAME of that frame, for titles */
	struct ci_frame frames[CI_FRAMES]; /* crashing thread, most recent call first */
	size_t nframes;
	bool frames_cut;	/* the thread has more */
	char *notes[CI_NOTES];	/* what was missing or unreadable */
	size_t nnotes;
	/* An entry of the journal (--journal), not a core file: */
	char *host;		/* the machine's _HOSTNAME, or NULL: a core file */
	char *machine;		/* its _MACHINE_ID */
	uint64_t usec;		/* when, in microseconds since the epoch */
};

struct ci_group {
	size_t *cores;		/* indices in ci.cores, in the order found */
	size_t ncores, cores_capacity;
};

struct ci {
	struct analysis_options analysis; /* core_path is set per core */
	size_t max_depth, max_files, max_cores;
	bool github;
	const char *junit;
	char *const *dirs;
	size_t ndirs;
	bool journal;		/* dirs are journal directories; none: the local journal */
	bool json;		/* --format json */
	uint64_t since, until;	/* --since, --until in microseconds; default 0 and
				 * UINT64_MAX */

	struct ci_core *cores;
	size_t ncores, cores_capacity;
	size_t cores_skipped;	/* found past --max-cores */
	size_t examined;	/* regular files looked at */
	size_t ignored;		/* named like a core, but not one */
	bool files_cut;		/* stopped at --max-files */
	bool depth_cut;		/* directories past --max-depth were left out */
	bool bad_dir;		/* a DIR could not be read */
	struct ci_group *groups; /* the analyzed cores, most cores first */
	size_t ngroups, groups_capacity;
};

/* Walk every DIR in name order, without following symbolic links (but a
 * DIR that is one is followed), to --max-depth, looking at no more than
 * --max-files files and at no more than the first bytes of each; add the
 * cores found to CI->cores.  Errors are for out-of-memory and fts. */
struct pc_error *ci_find_cores(struct ci *ci);

/* pycore ci --journal: the entries pycore handle wrote (its MESSAGE_ID)
 * into the journal files of every DIR (none: the local journal), between
 * --since and --until, added to CI->cores as cores already summarized, at
 * most --max-cores of them (ci_journal.c).  Errors are for out-of-memory
 * and a journal that cannot be opened; a DIR with no journal files is
 * CI->bad_dir. */
struct pc_error *ci_read_journal(struct ci *ci);

/* How many machines GROUP's journal entries came from: by machine ID,
 * which two hosts of one name do not share. */
size_t ci_count_hosts(const struct ci *ci, const struct ci_group *group);

/* "First:" and "Last:", the times of GROUP's first and last journal
 * entries, as lines of the text summary. */
void ci_put_times(FILE *out, const struct ci *ci, const struct ci_group *group);

/* What the reports need of ANALYSIS, copied into CORE; ERR instead when
 * the core could not be analyzed (ERR is consumed).  Errors returned are
 * for out-of-memory only. */
struct pc_error *ci_summarize(const struct analysis *analysis, struct ci_core *core);
struct pc_error *ci_failed(struct pc_error *err, struct ci_core *core);

/* Put the analyzed cores in groups by fingerprint, most cores first. */
struct pc_error *ci_group(struct ci *ci);

/* The reports: the text summary, GitHub's ::error lines, the Markdown job
 * summary, JUnit XML.  Errors are for out-of-memory only; the caller checks
 * OUT. */
struct pc_error *ci_report_text(FILE *out, const struct ci *ci);
struct pc_error *ci_report_github(FILE *out, const struct ci *ci);
struct pc_error *ci_report_markdown(FILE *out, const struct ci *ci);
struct pc_error *ci_report_junit(FILE *out, const struct ci *ci);
/* --format json: the summary as one JSON document (ci_json.c). */
struct pc_error *ci_report_json(FILE *out, const struct ci *ci);

void ci_deinit(struct ci *ci);

#endif
