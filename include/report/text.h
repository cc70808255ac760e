/* The report people read: a header saying what crashed, then every thread,
 * crashing thread first, with its Python traceback and native stack. */
#ifndef PYCORE_REPORT_TEXT_H
#define PYCORE_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

struct analysis;

struct report_options {
	bool source;		/* show source lines under Python frames */
	bool native;		/* show native stacks */
	bool tasks_tree;	/* asyncio tasks as the tree of who awaits whom */
};

void report_text(FILE *out, const struct analysis *analysis, const struct report_options *options);

#endif
