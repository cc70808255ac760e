/* What the analysis child tells the parent, through a pipe, one escaped
 * line each: the process's name (for the entry's name), its executable
 * and crashing frame (for the log), what could not be written, and the
 * facts of the crash the journal's entry holds, the crashing thread's
 * Python traceback last, one line per frame.  The parent trusts none of
 * it: the child has parsed the core. */
#ifndef PYCORE_HANDLE_CHILD_REPORT_H
#define PYCORE_HANDLE_CHILD_REPORT_H

#include "analysis/fingerprint.h"
#include "handle/context.h"

#include <stdbool.h>

#define CHILD_SUMMARY_MAX 1024	/* the crashing frame, as the child sends it */
/* The traceback's bytes: a frame's line is at most two names of
 * HANDLE_TEXT_MAX, and 16 KiB holds the twenty frames of even long names
 * a reader of the journal wants, and far more of the usual. */
#define CHILD_TRACEBACK_MAX 16384
/* The child's exit status when the core is not a Python process's: the
 * entry is dropped. */
#define CHILD_EXIT_NOT_PYTHON 10

struct analysis;

struct child_report {
	char comm[HANDLE_TEXT_MAX];
	char executable[HANDLE_TEXT_MAX];
	char summary[CHILD_SUMMARY_MAX];
	char text_problem[HANDLE_TEXT_MAX]; /* the text report could not be written: why */
	char json_problem[HANDLE_TEXT_MAX]; /* nor the JSON */
	char secure[4];		/* the core's AT_SECURE: "0", "1", "" unknown */
	char fingerprint[FINGERPRINT_ID_LEN + 1];
	char python_version[32];
	char signal[256];	/* the signal in words: its code, address, sender */
	char command[HANDLE_TEXT_MAX];
	char frame[CHILD_SUMMARY_MAX]; /* the headline frame; "" when none was read */
	char native[HANDLE_TEXT_MAX]; /* the native function the fingerprint names */
	char core_note[HANDLE_TEXT_MAX]; /* how the kept core was read, when not in
					  * place as it should be: why */
	/* "  File \"F\", line N, in NAME" per frame, most recent call first,
	 * F and NAME as handle_log_field() writes them. */
	char traceback[CHILD_TRACEBACK_MAX];
};

/* The journal's facts of ANALYSIS into R, each escaped and cut to fit. */
void child_report_describe(const struct analysis *analysis, struct child_report *r);

/* Send R to the parent on FD, one line per field (every field is
 * escaped), the traceback last. */
void child_report_send(int fd, const struct child_report *r);

/* What the child sent on FD, read to its end (the child is gone), at most
 * a struct's worth: every field cut to fit, empty when not sent. */
void child_report_read(int fd, struct child_report *r);

#endif
