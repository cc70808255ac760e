#include "handle/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

void handle_log(int priority, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	syslog(priority, "%s", line);
	fprintf(stderr, "pycore: %s\n", line);
}
