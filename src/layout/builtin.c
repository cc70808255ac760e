/* The built-in layouts: which of the generated tables (tables.c for x86_64,
 * tables_aarch64.c) serves a version on an architecture. */
#include "base/error.h"
#include "layout/layout.h"
#include "layout/tables.h"

#include <elf.h>

const struct debug_offsets_shape *layout_debug_offsets_shape(unsigned version_hex)
{
	const struct debug_offsets_shape *newest;

	for (size_t i = 0; i < layout_ndebug_offsets_shapes; i++) {
		const struct debug_offsets_shape *shape = &layout_debug_offsets_shapes[i];

		if (PY_HEX(shape->major, shape->minor) == (version_hex & 0xffff0000u))
			return shape;
	}
	/* A newer version is read in the newest known shape, and checked. */
	if (!layout_ndebug_offsets_shapes)
		return NULL;
	newest = &layout_debug_offsets_shapes[layout_ndebug_offsets_shapes - 1];
	return version_hex > PY_HEX(newest->major, newest->minor) ? newest : NULL;
}

unsigned layout_newest_version(void)
{
	unsigned newest = 0;

	for (size_t i = 0; i < layout_ntables; i++) {
		unsigned version = PY_HEX(layout_tables[i].major, layout_tables[i].minor);

		if (version > newest)
			newest = version;
	}
	return newest;
}

/* The tables of each architecture, by ELF machine; an error names the
 * architecture unless it is the one most cores come from. */
static const struct {
	unsigned machine;
	const char *in_message;
	const struct layout_table *tables;
	const size_t *ntables;
} arch_tables[] = {
	{EM_X86_64, "", layout_tables, &layout_ntables},
	{EM_AARCH64, " on aarch64", layout_tables_aarch64, &layout_ntables_aarch64},
};

struct pc_error *layout_from_arch_tables(unsigned machine, unsigned version_hex,
					 struct py_layout *ret)
{
	unsigned major = version_hex >> 24, minor = (version_hex >> 16) & 0xff;
	size_t arch = 0;

	while (arch < sizeof(arch_tables) / sizeof(arch_tables[0]) &&
	       arch_tables[arch].machine != machine)
		arch++;
	if (arch == sizeof(arch_tables) / sizeof(arch_tables[0]))
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "no built-in layouts for ELF machine %u", machine);
	for (size_t i = 0; i < *arch_tables[arch].ntables; i++) {
		const struct layout_table *table = &arch_tables[arch].tables[i];

		if (table->major != major || table->minor != minor)
			continue;
		layout_init(ret, version_hex);
		for (size_t j = 0; j < table->count; j++)
			ret->offset[table->entries[j].field] = table->entries[j].value;
		ret->source = LAYOUT_SOURCE_TABLES;
		return NULL;
	}
	return pc_error_create(PC_ERR_UNSUPPORTED, "no built-in layout for Python %u.%u%s",
			       major, minor, arch_tables[arch].in_message);
}

struct pc_error *layout_from_tables(unsigned version_hex, struct py_layout *ret)
{
	return layout_from_arch_tables(EM_X86_64, version_hex, ret);
}
