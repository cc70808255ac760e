#include "elf/arch.h"

#include <elf.h>

/* user_regs_struct (sys/user.h): r15, r14, r13, r12, rbp, rbx, r11, r10,
 * r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss,
 * fs_base, gs_base, ds, es, fs, gs. */
enum { RBP = 4, RIP = 16, RSP = 19, FS_BASE = 21, NREGS = 27 };

/* DWARF's registers 0-16: rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp, r8-r15,
 * and rip as the return address column. */
static const unsigned char dwarf_regs[17] = {
	10, 12, 11, 5, 13, 14, RBP, RSP, 9, 8, 7, 6, 3, 2, 1, 0, RIP,
};

const struct arch arch_x86_64 = {
	.name = "x86_64",
	.machine = EM_X86_64,
	.nregs = NREGS,
	.reg_pc = RIP,
	.reg_sp = RSP,
	.reg_thread_pointer = FS_BASE,
	/* The thread pointer is the struct pthread, which starts with the
	 * TCB the ABI puts there (tcbhead_t); the tid is after its list. */
	.pthread_from_tp = 0,
	.pthread_tid_offset = 0x2d0,
	.dwarf_regs = dwarf_regs,
	.ndwarf = sizeof(dwarf_regs),
	.dwarf_sp = 7,
	.code_address_mask = UINT64_MAX,
	/* glibc's sa_restorer. */
	.signal_trampoline = "__restore_rt",
};
