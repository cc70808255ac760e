/* Warnings collected for the report's header: a list of strings, capped so
 * that a core full of surprises cannot grow it without bound. */
#ifndef PYCORE_BASE_WARNINGS_H
#define PYCORE_BASE_WARNINGS_H

#include <stddef.h>

#define WARNINGS_MAX 64

/* Append a formatted warning to *LIST (*COUNT of them).  Past WARNINGS_MAX,
 * or when memory runs out, the warning is dropped: warnings are advice. */
void warnings_add(char ***list, size_t *count, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void warnings_free(char **list, size_t count);

#endif
