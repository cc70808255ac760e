/* What pycore handle holds of one crash, from its start to its end: the
 * kernel's arguments, the options, and what it opened for the crash. */
#ifndef PYCORE_HANDLE_CONTEXT_H
#define PYCORE_HANDLE_CONTEXT_H

#include "handle/live_process.h"
#include "handle/options.h"
#include "handle/privilege.h"
#include "handle/spool.h"

#include <stdbool.h>
#include <stdint.h>

/* Bytes of a name from the core, escaped, in a line. */
#define HANDLE_TEXT_MAX 400
/* The most bytes of each report file. */
#define HANDLE_REPORT_MAX_BYTES (16ULL << 20)
/* What the temporary copy of the core leaves above --keep-free (when it is
 * not 0), so that the reports can be written. */
#define HANDLE_REPORTS_ROOM (1ULL << 20)

struct input;

struct handle {
	struct crash crash;
	struct handle_options options;
	struct spool spool;
	struct live_process process;
	struct privilege privilege;	/* the user's entry or root's, analyzed as whom */
	bool python_checked;	/* /proc showed it is a Python process */
	struct input *input;	/* the core, read from standard input */
	struct spool_file core_file; /* --keep-core: the kept core, written as
				      * it is read; fd -1 when none */
	char exe_path[32];	/* /proc/self/fd/N of the live executable */
	char root_path[32];	/* /proc/self/fd/N of the live root, when not ours */
	int status;		/* the exit status */
	uint64_t report_max;	/* the most bytes of each report: at most
				 * HANDLE_REPORT_MAX_BYTES, a quarter of the room
				 * above --keep-free */
};

#endif
