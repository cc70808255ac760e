#include "elf/signal_frame.h"

#include "base/error.h"
#include "elf/core.h"
#include "elf/memory.h"

#include <string.h>

bool signal_frame_trampoline_at(const struct arch *arch, struct memory *mem, uint64_t pc)
{
	const struct arch_signal_frame *layout = arch->signal_frame;
	unsigned char code[16];
	struct pc_error *err;

	if (!layout || !layout->trampoline_code_size ||
	    layout->trampoline_code_size > sizeof(code))
		return false;
	err = memory_read(mem, pc, code, layout->trampoline_code_size);
	if (err) {
		pc_error_destroy(err);
		return false;
	}
	return memcmp(code, layout->trampoline_code, layout->trampoline_code_size) == 0;
}

struct pc_error *signal_frame_read(const struct arch *arch, struct memory *mem,
				   uint64_t address, const uint64_t *thread_regs,
				   struct signal_frame *ret)
{
	const struct arch_signal_frame *layout = arch->signal_frame;
	struct pc_error *err;
	size_t i;

	if (!layout || layout->size > sizeof(ret->bytes))
		return pc_error_create(PC_ERR_UNSUPPORTED, "no signal frame layout for %s",
				       arch->name);
	ret->arch = arch;
	err = memory_read(mem, address, ret->bytes, layout->size);
	if (err)
		return pc_error_prefix(err, "the signal frame at %#llx",
				       (unsigned long long)address);
	for (i = 0; i < arch->nregs; i++) {
		int16_t offset = layout->regs[i];

		ret->regs[i] = thread_regs[i];
		if (offset >= 0 && (size_t)offset + sizeof(uint64_t) <= layout->size)
			memcpy(&ret->regs[i], ret->bytes + offset, sizeof(uint64_t));
	}
	ret->pc = ret->regs[arch->reg_pc];
	ret->sp = ret->regs[arch->reg_sp];
	return NULL;
}

bool signal_frame_siginfo(const struct signal_frame *frame, int signo, struct core_siginfo *ret)
{
	const struct arch_signal_frame *layout = frame->arch->signal_frame;

	core_siginfo_decode(frame->bytes + layout->siginfo, ret);
	if (ret->signo == signo)
		return true;
	return layout->fault && layout->fault(frame->bytes, signo, ret);
}
