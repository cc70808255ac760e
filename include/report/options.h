/* What a report shows of an analysis: the choices of the command line that
 * the text and JSON reports share. */
#ifndef PYCORE_REPORT_OPTIONS_H
#define PYCORE_REPORT_OPTIONS_H

#include <stdbool.h>

struct report_options {
	bool source;		/* show source lines under Python frames */
	bool native;		/* show native stacks */
	bool tasks_tree;	/* asyncio tasks as the tree of who awaits whom */
};

#endif
