/* libFuzzer target: the line-table decoders (linetable.c) of every format.
 *
 * Input: one byte of format (enum line_table_format, modulo the count), a
 * little-endian int32 co_firstlineno, a little-endian uint64 offset into the
 * bytecode, then the table's bytes.  fuzz/make-seeds writes real tables of
 * 2.7, 3.8, 3.10 and 3.12 in this form.  The table is copied into a buffer
 * of its exact size, so that ASan sees any read past its end. */
#include "base/error.h"
#include "python/linetable.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEADER 13

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct py_location location;
	struct pc_error *err;
	int32_t firstlineno;
	uint64_t offset;
	uint8_t *table;

	if (size < HEADER)
		return 0;
	memcpy(&firstlineno, data + 1, sizeof(firstlineno));
	memcpy(&offset, data + 5, sizeof(offset));
	table = size > HEADER ? malloc(size - HEADER) : NULL;
	if (table)
		memcpy(table, data + HEADER, size - HEADER);
	else if (size > HEADER)
		abort();
	err = linetable_lookup((enum line_table_format)(data[0] % (LINE_TABLE_LOCATIONS + 1)),
			       table, size - HEADER, firstlineno, offset, &location);
	/* The contract: after an error, -1 everywhere; a line is never negative. */
	if (err ? location.line != -1 || location.end_line != -1 || location.column != -1 ||
			  location.end_column != -1
		: location.line < -1 || location.end_line < -1)
		abort();
	pc_error_destroy(err);
	free(table);
	return 0;
}
