/* The aarch64 notes a kernel core has and qemu's have not: the thread
 * pointer in NT_ARM_TLS and the pointer-authentication mask in
 * NT_ARM_PAC_MASK, and pthread_self() found through glibc's struct pthread.
 *
 * qemu-user writes its own cores, without those notes (tests/integration/
 * test-aarch64 reads them); real kernel cores are fixtures that
 * tests/integration/test-aarch64-kernel-cores reads.  The core here is
 * written as the kernel lays it out (fs/binfmt_elf.c:
 * NT_PRSTATUS then the regsets of that thread, struct user_pt_regs,
 * arch/arm64/kernel/ptrace.c for the two notes), with one PT_LOAD segment
 * that holds a struct pthread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "elf/arch.h"
#include "elf/core.h"
#include "elf/memory.h"
#include "elf/paths.h"
#include "elf/pthread.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LWP 4242
#define SEGMENT 0x5500000000ULL	/* the one PT_LOAD */
#define SEGMENT_SIZE 0x1000
#define PTHREAD (SEGMENT + 0x200)	/* glibc's struct pthread of the thread */
#define THREAD_POINTER (PTHREAD + 0x700)
#define STACK_POINTER (SEGMENT + 0x800)
#define PC 0x5500400123ULL
#define INSN_MASK 0x007f000000000000ULL	/* bits 48-54, as the kernel gives them */
#define PRSTATUS_SIZE 392		/* struct elf_prstatus of arm64 */

static char path[] = "/tmp/pycore-test-arch-XXXXXX";

/* Append a note (NAME, TYPE, DESC of SIZE bytes) at *AT in BUF. */
static void put_note(unsigned char *buf, size_t *at, const char *name, uint32_t type,
		     const void *desc, uint32_t size)
{
	Elf64_Nhdr nhdr = {.n_namesz = (uint32_t)strlen(name) + 1, .n_descsz = size,
			   .n_type = type};

	memcpy(buf + *at, &nhdr, sizeof(nhdr));
	*at += sizeof(nhdr);
	memcpy(buf + *at, name, nhdr.n_namesz);
	*at += (nhdr.n_namesz + 3) & ~3u;
	memcpy(buf + *at, desc, size);
	*at += (size + 3) & ~3u;
}

static int write_core(void **state)
{
	static unsigned char buf[8192];
	unsigned char prstatus[PRSTATUS_SIZE] = {0};
	uint64_t tls = THREAD_POINTER, pac[2] = {INSN_MASK, INSN_MASK};
	uint64_t regs[34] = {0};
	int16_t cursig = 11;
	int32_t pid = LWP, tid = LWP;
	size_t notes = 64 + 2 * sizeof(Elf64_Phdr), at = notes, load;
	Elf64_Ehdr ehdr = {
		.e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
			    EV_CURRENT},
		.e_type = ET_CORE, .e_machine = EM_AARCH64, .e_version = EV_CURRENT,
		.e_phoff = 64, .e_ehsize = 64, .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2,
	};
	Elf64_Phdr phdr[2] = {{.p_type = PT_NOTE, .p_offset = notes, .p_align = 4},
			      {.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = SEGMENT,
			       .p_filesz = SEGMENT_SIZE, .p_memsz = SEGMENT_SIZE,
			       .p_align = 0x1000}};
	int fd;

	(void)state;
	regs[29] = STACK_POINTER + 0x40;	/* x29, the frame pointer */
	regs[31] = STACK_POINTER;
	regs[32] = PC;
	memcpy(prstatus + 12, &cursig, sizeof(cursig));
	memcpy(prstatus + 32, &pid, sizeof(pid));
	memcpy(prstatus + 112, regs, sizeof(regs));
	put_note(buf, &at, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	put_note(buf, &at, "LINUX", 0x401 /* NT_ARM_TLS */, &tls, sizeof(tls));
	put_note(buf, &at, "LINUX", 0x406 /* NT_ARM_PAC_MASK */, pac, sizeof(pac));
	phdr[0].p_filesz = at - notes;
	load = (at + 0xfff) & ~(size_t)0xfff;
	phdr[1].p_offset = load;
	/* glibc keeps the thread's tid 0xd0 into its struct pthread. */
	memcpy(buf + load + (PTHREAD - SEGMENT) + 0xd0, &tid, sizeof(tid));
	memcpy(buf, &ehdr, sizeof(ehdr));
	memcpy(buf + 64, phdr, sizeof(phdr));
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, buf, load + SEGMENT_SIZE) != (ssize_t)(load + SEGMENT_SIZE)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int remove_core(void **state)
{
	(void)state;
	return unlink(path);
}

static void test_registers_and_notes(void **state)
{
	struct core *core;

	(void)state;
	assert_null(core_open(path, &core));
	assert_ptr_equal(core->arch, &arch_aarch64);
	assert_int_equal(core->nthreads, 1);
	assert_int_equal(core->threads[0].lwp, LWP);
	assert_int_equal(core->threads[0].signal, 11);
	assert_int_equal(core_thread_sp(core, &core->threads[0]), STACK_POINTER);
	assert_int_equal(core_thread_pc(core, &core->threads[0]), PC);
	assert_int_equal(core->threads[0].thread_pointer, THREAD_POINTER);
	/* A return address signed in bits 48-54 is its low bits again. */
	assert_int_equal((PC | (0x2aULL << 48)) & core->code_address_mask, PC);
	/* glibc's struct pthread size is its own: the thread pointer alone
	 * does not give pthread_self() on aarch64. */
	assert_int_equal(core_thread_pthread(core, &core->threads[0]), 0);
	core_close(core);
}

static void test_pthread_by_tid(void **state)
{
	struct paths paths = {0};
	struct memory *mem;
	struct core *core;

	(void)state;
	assert_null(core_open(path, &core));
	assert_null(memory_create(core, &paths, &mem));
	assert_int_equal(pthread_of_thread(core, mem, &core->threads[0], PTHREAD), PTHREAD);
	assert_int_equal(pthread_of_thread(core, mem, &core->threads[0], PTHREAD + 8), 0);
	assert_int_equal(pthread_of_thread(core, mem, &core->threads[0], 0x10), 0);
	assert_int_equal(pthread_of_thread(core, mem, &core->threads[0], 0), 0);
	memory_destroy(mem);
	core_close(core);
}

/* x86_64's thread pointer is pthread_self() itself. */
static void test_x86_64_table(void **state)
{
	const struct arch *arch = arch_by_machine(EM_X86_64);

	(void)state;
	assert_ptr_equal(arch, &arch_x86_64);
	assert_int_equal(arch->pthread_from_tp, 0);
	assert_true(arch->reg_thread_pointer >= 0);
	assert_ptr_equal(arch_by_machine(EM_AARCH64), &arch_aarch64);
	assert_null(arch_by_machine(EM_RISCV));
	assert_string_equal(arch_machine_name(EM_RISCV), "riscv");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers_and_notes),
		cmocka_unit_test(test_pthread_by_tid),
		cmocka_unit_test(test_x86_64_table),
	};

	return cmocka_run_group_tests(tests, write_core, remove_core);
}
