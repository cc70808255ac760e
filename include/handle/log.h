/* What pycore handle says: the kernel shows its standard error to no one,
 * so every line goes to syslog too. */
#ifndef PYCORE_HANDLE_LOG_H
#define PYCORE_HANDLE_LOG_H

#include <stddef.h>

/* One line to syslog (which the journal collects, where there is one) and
 * to standard error, for whoever runs pycore handle by hand.  PRIORITY is
 * syslog's. */
void handle_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* LINE on standard error only: the journal has it (journal.h). */
void handle_log_stderr(const char *line);

/* TEXT, which the crashed process chose (its name, executable, a file or
 * function name), as a field of a log line, into OUT (SIZE > 3 bytes):
 * escaped as base/escape.h's LINE, and the line's own delimiters too, '"'
 * as \x22 and ';' as \x3b, so that no field can close the quotes around a
 * file name or add a "; report" naming another entry.  Cut where an
 * escape ends, with "...", when it does not fit. */
void handle_log_field(const char *text, char *out, size_t size);

#endif
