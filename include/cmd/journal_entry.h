/* pycore handle's entry in the systemd journal, as handle/journal.c writes
 * it and pycore ci --journal (ci_journal.c) reads it back: the names they
 * share, in one place so that the two cannot drift.  pycore(1), "Journal
 * entries", documents every field. */
#ifndef PYCORE_CMD_JOURNAL_ENTRY_H
#define PYCORE_CMD_JOURNAL_ENTRY_H

/* pycore's own MESSAGE_ID: journalctl MESSAGE_ID=... finds its entries. */
#define JOURNAL_MESSAGE_ID "b0992e74522743eea5bc6f21b0ffd1e2"

/* The fields pycore ci reads back. */
#define JOURNAL_FINGERPRINT "PYCORE_FINGERPRINT"
#define JOURNAL_SIGNAL "PYCORE_SIGNAL"	  /* "SIGSEGV" */
#define JOURNAL_EXE "PYCORE_EXE"
#define JOURNAL_PYTHON_VERSION "PYCORE_PYTHON_VERSION"
#define JOURNAL_NATIVE_FRAME "PYCORE_NATIVE_FRAME"
#define JOURNAL_SUMMARY "PYCORE_SUMMARY"	  /* the frame, or why there is none */
/* One line per frame, most recent call first, indented by two spaces:
 * File "F", line N, in NAME (F and NAME escaped, with no '"'), a
 * collapsed recursion's marker (report/repeat_marker.h), "<unreadable
 * frame>", "[N frames omitted]", and "..." last when cut. */
#define JOURNAL_TRACEBACK "PYCORE_TRACEBACK"
#define JOURNAL_REPORT "PYCORE_REPORT"	  /* the text report's path */

#endif
