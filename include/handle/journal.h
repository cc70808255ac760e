/* The crash's entry in the systemd journal: where an administrator looks
 * first, and what journald's own tools (systemd-journal-upload and
 * -remote) ship to a central store.  One structured entry per crash
 * reported, sent through libsystemd when the journal's socket exists, as
 * systemd-coredump sends its own; the syslog line otherwise. */
#ifndef PYCORE_HANDLE_JOURNAL_H
#define PYCORE_HANDLE_JOURNAL_H

#include "cmd/journal_entry.h"
#include "handle/child_report.h"
#include "handle/context.h"

#include <stdbool.h>

/* The most bytes of the JSON report the entry holds; a larger one is left
 * out, the report's path is in the entry. */
#define JOURNAL_JSON_MAX (256U << 10)

/* Log the crash H whose analysis child sent R and whose entry in the
 * spool is STEM (its core kept when CORE_KEPT): LINE on standard error,
 * and as the MESSAGE of the journal's entry with the crash's fields; to
 * syslog instead when there is no journal, --no-journal, or it refuses
 * the entry (which is logged too). */
void journal_log_crash(const struct handle *h, const struct child_report *r, const char *line,
		       const char *stem, bool core_kept);

#endif
