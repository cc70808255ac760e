/* Errors that carry their context (file, struct, address) up to main.c.
 *
 * A function that can fail returns a struct pc_error * : NULL means success.
 * The caller either handles the error and releases it with pc_error_destroy(),
 * or returns it (possibly wrapped with pc_error_prefix()) to its own caller.
 * Out of memory is a static object, never an allocation. */
#ifndef PYCORE_BASE_ERROR_H
#define PYCORE_BASE_ERROR_H

/* What went wrong, in kinds the callers act on: cli.c maps them to exit
 * statuses; the message says the rest. */
enum pc_error_code {
	PC_ERR_NOMEM,		/* out of memory */
	PC_ERR_IO,		/* input/output error */
	PC_ERR_FORMAT,		/* not the format expected */
	PC_ERR_UNSUPPORTED,
	PC_ERR_FAULT,		/* memory not readable in the core */
	PC_ERR_CORRUPT,		/* data that contradicts itself */
	PC_ERR_LIMIT,		/* a cap was reached */
	PC_ERR_NOT_FOUND,
	PC_ERR_LIBRARY,		/* a library failed */
};

struct pc_error {
	enum pc_error_code code;
	char message[512];
};

/* The static error returned when an allocation fails; destroy ignores it. */
extern struct pc_error pc_error_nomem;

struct pc_error *pc_error_create(enum pc_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A read of the core's memory failed; the message says where and why. */
struct pc_error *pc_error_fault(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Put "PREFIX: " in front of ERR's message, for context; returns ERR. */
struct pc_error *pc_error_prefix(struct pc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Keep ERR's message in *SLOT (freeing what *SLOT held) and release ERR,
 * for a result that records what could not be read and goes on.  Returns
 * NULL, or the out-of-memory error, which is never kept. */
struct pc_error *pc_error_keep(char **slot, struct pc_error *err);

void pc_error_destroy(struct pc_error *err);

#endif
