#include "elf/frame_argument.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

/* The DWARF register a location of one operation names, or -1. */
static int location_register(const Dwarf_Op *ops, size_t nops)
{
	if (nops != 1)
		return -1;
	if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31)
		return ops[0].atom - DW_OP_reg0;
	if (ops[0].atom == DW_OP_regx)
		return (int)ops[0].number;
	return -1;
}

bool frame_argument(Dwfl_Frame *state, Dwfl *dwfl, uint64_t pc, const char *name,
		    uint64_t *ret)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	Dwarf_Die *cu, *scopes = NULL, child;
	Dwarf_Addr bias;
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t nops;
	Dwarf_Word value;
	bool found = false;
	int nscopes, reg;

	cu = mod ? dwfl_module_addrdie(mod, pc, &bias) : NULL;
	nscopes = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : -1;
	/* The innermost scope that is a function, inlined or not. */
	for (int i = 0; i < nscopes && !found; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		if (dwarf_child(&scopes[i], &child) != 0)
			break;
		do {
			const char *param = dwarf_diename(&child);

			if (dwarf_tag(&child) != DW_TAG_formal_parameter || !param ||
			    strcmp(param, name) != 0)
				continue;
			if (dwarf_attr_integrate(&child, DW_AT_location, &attr) &&
			    dwarf_getlocation_addr(&attr, pc - bias, &ops, &nops, 1) == 1 &&
			    (reg = location_register(ops, nops)) >= 0 &&
			    dwfl_frame_reg(state, (unsigned)reg, &value) == 0) {
				*ret = value;
				found = true;
			}
			break;
		} while (dwarf_siblingof(&child, &child) == 0);
		break;
	}
	free(scopes);
	return found;
}
