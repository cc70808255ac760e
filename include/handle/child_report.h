/* What the analysis child tells the parent, through a pipe, one escaped
 * line each: the process's name (for the entry's name), its executable
 * and crashing frame (for the log), and what could not be written.  The
 * parent trusts none of it: the child has parsed the core. */
#ifndef PYCORE_HANDLE_CHILD_REPORT_H
#define PYCORE_HANDLE_CHILD_REPORT_H

#include "handle/context.h"

#include <stdbool.h>

#define CHILD_SUMMARY_MAX 1024	/* the crashing frame, as the child sends it */
/* The child's exit status when the core is not a Python process's: the
 * entry is dropped. */
#define CHILD_EXIT_NOT_PYTHON 10

struct child_report {
	char comm[HANDLE_TEXT_MAX];
	char executable[HANDLE_TEXT_MAX];
	char summary[CHILD_SUMMARY_MAX];
	char text_problem[HANDLE_TEXT_MAX]; /* the text report could not be written: why */
	char json_problem[HANDLE_TEXT_MAX]; /* nor the JSON */
	char secure[4];		/* the core's AT_SECURE: "0", "1", "" unknown */
};

/* Send R to the parent on FD, one line per field (every field is
 * escaped). */
void child_report_send(int fd, const struct child_report *r);

/* What the child sent on FD, read to its end (the child is gone), at most
 * a struct's worth: every field cut to fit, empty when not sent. */
void child_report_read(int fd, struct child_report *r);

#endif
