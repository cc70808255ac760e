/* Reading a Linux ELF core file of an architecture elf/arch.h knows:
 * program headers and notes.
 *
 * The file is mmapped, never read whole; every offset and size taken from it
 * is checked against the mapping before use. */
#ifndef PYCORE_ELF_CORE_H
#define PYCORE_ELF_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pc_error;

#include "elf/arch.h"

struct core_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;	/* in the core file */
	uint64_t filesz;	/* bytes present in the file (after truncation) */
	uint64_t filesz_declared; /* p_filesz as written */
	uint32_t flags;		/* PF_R | PF_W | PF_X */
};

struct core_thread {
	pid_t lwp;
	int signal;		/* pr_cursig */
	uint64_t regs[ARCH_MAX_REGS]; /* NT_PRSTATUS's pr_reg: the core's arch says which */
	uint64_t thread_pointer;	/* fs_base, tpidr_el0; 0: the core does not say */
};

struct core_file_mapping {
	uint64_t start;
	uint64_t end;
	uint64_t file_offset;	/* in bytes */
	const char *path;	/* points into the mapped note */
};

/* A siginfo_t as a report needs it. */
struct core_siginfo {
	int signo;
	int code;
	int errno_;
	uint64_t addr;		/* si_addr for SIGSEGV, SIGBUS, SIGILL, SIGFPE */
	pid_t sender_pid;	/* si_pid for signals sent by a process */
};

/* The siginfo_t kernels write (NT_SIGINFO, a signal frame): this many
 * bytes are read of it. */
#define CORE_SIGINFO_SIZE 24

/* Decode the first CORE_SIGINFO_SIZE bytes of a 64-bit Linux siginfo_t. */
void core_siginfo_decode(const unsigned char *bytes, struct core_siginfo *ret);

struct core_auxv_entry {
	uint64_t type;
	uint64_t value;
};

struct core {
	char *path;		/* the name shown: the file, or what it came from */
	struct Elf *elf;	/* libelf's view of the mapping, for libdwfl */
	const struct arch *arch;	/* of the crashed machine */
	uint64_t code_address_mask; /* the address bits of a return address */
	const unsigned char *map;
	size_t size;
	bool map_borrowed;	/* map is the caller's (core_open_memory) */
	int fd;			/* the core's own descriptor: libelf and memory.c pread it;
				 * -1: they read map */
	bool truncated;		/* the file ends before what its headers promise */
	uint64_t missing_bytes;	/* how much is cut off when truncated */

	struct core_segment *segments;	/* sorted by vaddr */
	size_t nsegments, segments_capacity;
	struct core_thread *threads;	/* in note order: the first got the signal */
	size_t nthreads, threads_capacity;
	struct core_file_mapping *files; /* NT_FILE, sorted by start */
	size_t nfiles;
	const struct core_auxv_entry *auxv; /* points into the mapped note */
	size_t nauxv;
	char **warnings;	/* notes that could not be read (warnings.h) */
	size_t nwarnings;
	bool live_dump;		/* no thread has a signal: dumped from a live process
				 * (gcore), not by a crash */

	bool has_psinfo;
	struct {
		pid_t pid;
		pid_t ppid;
		uint32_t uid;
		uint32_t gid;
		char state;
		char fname[17];
		char args[81];	/* pr_psargs, NUL-terminated */
	} psinfo;

	bool has_siginfo;
	struct core_siginfo siginfo;
};

/* Open PATH, mmap it, check that it is an ELF core of an architecture
 * elf/arch.h knows and parse it. */
struct pc_error *core_open(const char *path, struct core **ret);
/* The same for the regular file open on FD (which stays the caller's: the
 * core keeps a duplicate), shown as NAME. */
struct pc_error *core_open_fd(int fd, const char *name, struct core **ret);
/* The same for the SIZE bytes of core at IMAGE (which stay the caller's
 * and must outlive the core), shown as NAME. */
struct pc_error *core_open_memory(const unsigned char *image, size_t size, const char *name,
				  struct core **ret);
void core_close(struct core *core);

/* The auxv value for TYPE (AT_*), or false when the core has none. */
bool core_auxv(const struct core *core, uint64_t type, uint64_t *ret);

/* The NT_FILE mapping that contains ADDRESS, or NULL. */
const struct core_file_mapping *core_file_at(const struct core *core, uint64_t address);

/* The main program's path as the core names it: the NT_FILE mapping that
 * holds the program headers (where AT_PHDR points).  NULL when the core has
 * none. */
const char *core_main_program(const struct core *core);

/* THREAD's stack pointer and program counter. */
uint64_t core_thread_sp(const struct core *core, const struct core_thread *thread);
uint64_t core_thread_pc(const struct core *core, const struct core_thread *thread);

/* THREAD's pthread_self(), when its thread pointer says it; else 0. */
uint64_t core_thread_pthread(const struct core *core, const struct core_thread *thread);

/* The segment that contains ADDRESS, or NULL. */
const struct core_segment *core_segment_at(const struct core *core, uint64_t address);

#endif
