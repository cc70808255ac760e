/* What pycore handle says: the kernel shows its standard error to no one,
 * so every line goes to syslog too. */
#ifndef PYCORE_HANDLE_LOG_H
#define PYCORE_HANDLE_LOG_H

/* One line to syslog (which the journal collects, where there is one) and
 * to standard error, for whoever runs pycore handle by hand.  PRIORITY is
 * syslog's. */
void handle_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
