/* Errors that carry their context (file, struct, address) up to main.c.
 *
 * A function that can fail returns a struct pc_error * : NULL means success.
 * The caller either handles the error and releases it with pc_error_destroy(),
 * or returns it (possibly wrapped with pc_error_prefix()) to its own caller.
 * Out of memory is a static object, never an allocation. */
#ifndef PYCORE_ERROR_H
#define PYCORE_ERROR_H

#include <stdint.h>

/* Code, then the words main.c uses when it has nothing better to say. */
#define PC_ERROR_CODES(X)                                         \
	X(PC_ERR_NOMEM, "out of memory")                          \
	X(PC_ERR_IO, "input/output error")                        \
	X(PC_ERR_FORMAT, "invalid format")                        \
	X(PC_ERR_UNSUPPORTED, "unsupported")                      \
	X(PC_ERR_FAULT, "memory not readable in the core")        \
	X(PC_ERR_CORRUPT, "corrupted data")                       \
	X(PC_ERR_LIMIT, "limit reached")                          \
	X(PC_ERR_NOT_FOUND, "not found")                          \
	X(PC_ERR_LIBRARY, "library error")

enum pc_error_code {
#define PC_X(code, text) code,
	PC_ERROR_CODES(PC_X)
#undef PC_X
};

struct pc_error {
	enum pc_error_code code;
	uint64_t address;	/* the faulting address for PC_ERR_FAULT, else 0 */
	char message[512];
};

/* The static error returned when an allocation fails; destroy ignores it. */
extern struct pc_error pc_error_nomem;

struct pc_error *pc_error_create(enum pc_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A read of ADDRESS failed; the message should say why. */
struct pc_error *pc_error_fault(uint64_t address, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Put "PREFIX: " in front of ERR's message, for context; returns ERR. */
struct pc_error *pc_error_prefix(struct pc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *pc_error_code_text(enum pc_error_code code);

void pc_error_destroy(struct pc_error *err);

#endif
