/* The report people read: a header saying what crashed, then every thread,
 * crashing thread first, with its Python traceback and native stack. */
#ifndef PYCORE_REPORT_TEXT_H
#define PYCORE_REPORT_TEXT_H

#include <stdio.h>

#include "report/options.h"

struct analysis;

void report_text(FILE *out, const struct analysis *analysis, const struct report_options *options);

#endif
