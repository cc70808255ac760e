/* libFuzzer target: the ELF core reader (core.c: header, program headers,
 * notes) and the memory reader (memory.c) on any bytes.
 *
 * The input is the core file.  When it parses, every segment, thread and
 * NT_FILE mapping it declares is read from: at its start, across its end,
 * as a string, where the registers and the auxiliary vector point.  Paths
 * in NT_FILE are opened as pycore opens them (regular files only), so a
 * file named by the input may be read: the reader must cope with whatever
 * is there. */
#include "elf/core.h"
#include "base/error.h"
#include "elf/arch.h"
#include "elf/memory.h"
#include "elf/paths.h"

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Reads per kind of object: a core may declare a million segments. */
#define READS_PER_KIND 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_at(struct memory *mem, uint64_t address, size_t len)
{
	unsigned char buf[256];
	char text[128];
	int truncated;

	pc_error_destroy(memory_read(mem, address, buf, len < sizeof(buf) ? len : sizeof(buf)));
	pc_error_destroy(memory_read_cstring(mem, address, text, sizeof(text), &truncated));
}

static void exercise(const struct core *core, struct memory *mem)
{
	uint64_t value;
	size_t i;

	for (i = 0; i < core->nsegments && i < READS_PER_KIND; i++) {
		const struct core_segment *segment = &core->segments[i];

		read_at(mem, segment->vaddr, 64);
		read_at(mem, segment->vaddr + segment->memsz - 8, 64);
		read_at(mem, segment->vaddr + segment->filesz, 16);
		core_segment_at(core, segment->vaddr + segment->memsz / 2);
	}
	for (i = 0; i < core->nthreads && i < READS_PER_KIND; i++) {
		read_at(mem, core->threads[i].regs[core->arch->reg_sp], 256);
		read_at(mem, core->threads[i].regs[core->arch->reg_pc], 16);
	}
	for (i = 0; i < core->nfiles && i < READS_PER_KIND; i++) {
		core_file_at(core, core->files[i].end - 1);
		read_at(mem, core->files[i].start, 64);
	}
	if (core_auxv(core, AT_EXECFN, &value))
		read_at(mem, value, 128);
	if (core_auxv(core, AT_PHDR, &value))
		read_at(mem, value, 56);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct paths paths = {0};
	struct memory *mem;
	struct core *core;
	struct pc_error *err;
	int fd = memfd_create("fuzz-core", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("fuzz_core: memfd");
		abort();
	}
	err = core_open_fd(fd, "fuzz-core", &core);
	close(fd);
	if (err) {
		pc_error_destroy(err);
		return 0;
	}
	err = memory_create(core, &paths, &mem);
	if (!err) {
		exercise(core, mem);
		memory_destroy(mem);
	}
	pc_error_destroy(err);
	core_close(core);
	return 0;
}
