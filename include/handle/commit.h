/* The crash's entry in the spool: its reports, written by the analysis
 * child, and its core when kept, made readable by the crashing user and
 * given their names at once; then the spool pruned to --max-use, and one
 * log line for the crash that says what is still there. */
#ifndef PYCORE_HANDLE_COMMIT_H
#define PYCORE_HANDLE_COMMIT_H

#include "handle/context.h"

/* Analyze H's core into the spool, keep it when asked, prune the spool's
 * oldest cores and entries past --max-use; log the crash.  Sets
 * H->status when the spool cannot take the entry. */
void commit_crash(struct handle *h);

#endif
