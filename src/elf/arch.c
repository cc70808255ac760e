#include "elf/arch.h"

#include <elf.h>
#include <stddef.h>

static const struct arch *const arches[] = {&arch_x86_64, &arch_aarch64};

const struct arch *arch_by_machine(unsigned machine)
{
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->machine == machine)
			return arches[i];
	return NULL;
}

const char *arch_machine_name(unsigned machine)
{
	const struct arch *arch = arch_by_machine(machine);

	if (arch)
		return arch->name;
	switch (machine) {
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	case EM_RISCV:
		return "riscv";
	default:
		return "unknown";
	}
}
