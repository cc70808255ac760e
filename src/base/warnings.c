#include "base/warnings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void warnings_add(char ***list, size_t *count, const char *fmt, ...)
{
	char **grown;
	char *text;
	va_list ap;
	int n;

	if (*count >= WARNINGS_MAX)
		return;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grown = realloc(*list, (*count + 1) * sizeof(*grown));
	if (!grown) {
		free(text);
		return;
	}
	*list = grown;
	grown[(*count)++] = text;
}

void warnings_free(char **list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(list[i]);
	free(list);
}
