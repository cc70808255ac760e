/* The crashed process's memory, read by virtual address.
 *
 * Bytes come from the core's PT_LOAD segments; what the kernel did not dump
 * (unchanged file-backed pages: text, read-only data; see coredump_filter in
 * core(5)) comes from the file that the core's NT_FILE note says was mapped
 * there.  The core is read with pread through a small cache of its pages
 * (memory.c says why); the files are opened once and mmapped.  Paths from
 * the core go through the sysroot and the library search path, as for the
 * native unwinder. */
#ifndef PYCORE_ELF_MEMORY_H
#define PYCORE_ELF_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct core;
struct pc_error;
struct paths;

struct memory;

struct pc_error *memory_create(const struct core *core, const struct paths *paths,
			       struct memory **ret);
void memory_destroy(struct memory *mem);

/* Read LEN bytes at ADDRESS into BUF, across segment boundaries.  A byte that
 * is neither in the core nor in a mapped file fails the whole read with a
 * PC_ERR_FAULT error naming the address. */
struct pc_error *memory_read(struct memory *mem, uint64_t address, void *buf, size_t len);

/* Where the core has no NT_FILE note (qemu-user's cores), the bytes of
 * file pages it left out are found by READER, which copies at most LEN
 * bytes of what the file mapped at ADDRESS holds into BUF and returns how
 * many (0: none). */
typedef size_t memory_file_reader(void *arg, uint64_t address, unsigned char *buf, size_t len);
void memory_set_file_reader(struct memory *mem, memory_file_reader *reader, void *arg);

/* Helpers for the common sizes. */
struct pc_error *memory_read_u64(struct memory *mem, uint64_t address, uint64_t *ret);
struct pc_error *memory_read_u32(struct memory *mem, uint64_t address, uint32_t *ret);

/* Read a NUL-terminated string of at most MAX - 1 bytes into BUF (MAX > 0).
 * A string cut at MAX - 1 bytes is returned cut, with *TRUNCATED set. */
struct pc_error *memory_read_cstring(struct memory *mem, uint64_t address, char *buf,
				     size_t max, int *truncated);

#endif
