#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pc_error pc_error_nomem = {
	.code = PC_ERR_NOMEM,
	.message = "out of memory",
};

static struct pc_error *error_vcreate(enum pc_error_code code, const char *fmt, va_list ap)
{
	struct pc_error *err = malloc(sizeof(*err));

	if (!err)
		return &pc_error_nomem;
	err->code = code;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return err;
}

struct pc_error *pc_error_create(enum pc_error_code code, const char *fmt, ...)
{
	struct pc_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct pc_error *pc_error_fault(const char *fmt, ...)
{
	struct pc_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = error_vcreate(PC_ERR_FAULT, fmt, ap);
	va_end(ap);
	return err;
}

struct pc_error *pc_error_prefix(struct pc_error *err, const char *fmt, ...)
{
	char joined[sizeof(err->message)];
	size_t used;
	va_list ap;

	if (err == &pc_error_nomem)
		return err;
	va_start(ap, fmt);
	vsnprintf(joined, sizeof(joined), fmt, ap);
	va_end(ap);
	used = strlen(joined);
	if (used + 2 < sizeof(joined)) {
		size_t room = sizeof(joined) - used - 3, len = strlen(err->message);

		memcpy(joined + used, ": ", 2);
		used += 2;
		if (len > room)
			len = room;
		memcpy(joined + used, err->message, len);
		joined[used + len] = '\0';
	}
	memcpy(err->message, joined, sizeof(joined));
	return err;
}

struct pc_error *pc_error_keep(char **slot, struct pc_error *err)
{
	char *text;

	if (err == &pc_error_nomem)
		return err;
	text = strdup(err->message);
	pc_error_destroy(err);
	if (!text)
		return &pc_error_nomem;
	free(*slot);
	*slot = text;
	return NULL;
}

void pc_error_destroy(struct pc_error *err)
{
	if (err && err != &pc_error_nomem)
		free(err);
}
