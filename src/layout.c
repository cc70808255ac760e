#include "layout.h"

void layout_shape_for_version(struct py_layout *layout, unsigned version_hex)
{
	layout->version_hex = version_hex;
	if (version_hex < PY_HEX(3, 0))
		layout->line_table = LINE_TABLE_LNOTAB_UNSIGNED;
	else if (version_hex < PY_HEX(3, 10))
		layout->line_table = LINE_TABLE_LNOTAB_SIGNED;
	else if (version_hex < PY_HEX(3, 11))
		layout->line_table = LINE_TABLE_LINETABLE_310;
	else
		layout->line_table = LINE_TABLE_LOCATIONS;
	layout->frame_shape = version_hex < PY_HEX(3, 11) ? FRAME_SHAPE_OBJECT
							 : FRAME_SHAPE_INTERPRETER;
	layout->unicode_shape = version_hex < PY_HEX(3, 0) ? UNICODE_SHAPE_PY2
							   : UNICODE_SHAPE_PEP393;
	layout->lasti_unit = version_hex >= PY_HEX(3, 10) ? 2 : 1;
	layout->has_runtime = version_hex >= PY_HEX(3, 7);
	/* FRAME_OWNED_BY_CSTACK appeared with the shim frames of 3.12. */
	layout->iframe_owner_cstack = version_hex >= PY_HEX(3, 12) ? 3 : -1;
	layout->iframe_code_tag_mask = version_hex >= PY_HEX(3, 14) ? 7 : 0;
	layout->eval_function = version_hex >= PY_HEX(3, 0) ? "_PyEval_EvalFrameDefault"
							     : "PyEval_EvalFrameEx";
}

void layout_init(struct py_layout *layout, unsigned version_hex)
{
	int64_t *field = &layout->runtime.interpreters_head;
	int64_t *end = (int64_t *)(layout + 1);

	*layout = (struct py_layout){0};
	while (field < end)
		*field++ = LAYOUT_ABSENT;
	layout_shape_for_version(layout, version_hex);
}

const char *layout_source_name(enum layout_source source)
{
	switch (source) {
	case LAYOUT_SOURCE_DWARF:
		return "DWARF";
	case LAYOUT_SOURCE_DEBUG_OFFSETS:
		return "_Py_DebugOffsets";
	case LAYOUT_SOURCE_TABLES:
		return "built-in tables";
	case LAYOUT_SOURCE_NONE:
		break;
	}
	return "none";
}
