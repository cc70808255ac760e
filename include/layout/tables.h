/* The data of the built-in layouts, which scripts/gen-layout-tables
 * writes into src/layout/tables.c; layout/builtin.c reads it. */
#ifndef PYCORE_LAYOUT_TABLES_H
#define PYCORE_LAYOUT_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "layout/layout.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One field the version has, and its value. */
struct layout_entry {
	enum layout_field field;
	int64_t value;
};

/* The fields one major.minor has; the others are LAYOUT_ABSENT. */
struct layout_table {
	unsigned major, minor;
	const struct layout_entry *entries;
	size_t count;
};

extern const struct layout_table layout_tables[];	/* x86_64 (tables.c) */
extern const size_t layout_ntables;
extern const struct layout_table layout_tables_aarch64[]; /* tables_aarch64.c */
extern const size_t layout_ntables_aarch64;

/* By version, oldest first. */
extern const struct debug_offsets_shape layout_debug_offsets_shapes[];
extern const size_t layout_ndebug_offsets_shapes;

#endif
