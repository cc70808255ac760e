#include "elf/core.h"

#include "elf/arch.h"
#include "base/error.h"
#include "base/vec.h"
#include "base/warnings.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif
#ifndef NT_SIGINFO
#define NT_SIGINFO 0x53494749
#endif

/* The core has at most this many of each: real processes stay far below, and
 * a corrupted note must not make pycore allocate without bound. */
#define CORE_MAX_THREADS 100000
#define CORE_MAX_FILES 1000000
#define CORE_MAX_SEGMENTS 1000000
/* The most bytes a core can say are missing: what an int64 holds. */
#define CORE_MAX_MISSING ((uint64_t)INT64_MAX)

static int segment_compare(const void *a, const void *b)
{
	const struct core_segment *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int file_compare(const void *a, const void *b)
{
	const struct core_file_mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Where a 64-bit Linux NT_PRSTATUS keeps what pycore reads (struct
 * elf_prstatus: the siginfo header, pr_cursig, the signal sets, the ids,
 * four timevals, then the architecture's registers). */
#define PRSTATUS_CURSIG 12
#define PRSTATUS_PID 32
#define PRSTATUS_REG 112

static struct pc_error *parse_prstatus(struct core *core, const unsigned char *desc,
				       size_t size)
{
	size_t want = PRSTATUS_REG + core->arch->nregs * sizeof(uint64_t);
	struct core_thread *thread, *grown;
	int16_t cursig;
	int32_t pid;

	if (size < want)
		return pc_error_create(PC_ERR_CORRUPT, "NT_PRSTATUS note of %zu bytes, expected %zu",
				       size, want);
	if (core->nthreads >= CORE_MAX_THREADS)
		return pc_error_create(PC_ERR_LIMIT, "more than %d NT_PRSTATUS notes",
				       CORE_MAX_THREADS);
	grown = vec_grow(core->threads, &core->threads_capacity, core->nthreads + 1,
			 sizeof(*core->threads));
	if (!grown)
		return &pc_error_nomem;
	core->threads = grown;
	thread = &core->threads[core->nthreads++];
	memset(thread, 0, sizeof(*thread));
	memcpy(&cursig, desc + PRSTATUS_CURSIG, sizeof(cursig));
	memcpy(&pid, desc + PRSTATUS_PID, sizeof(pid));
	thread->lwp = pid;
	thread->signal = cursig;
	memcpy(thread->regs, desc + PRSTATUS_REG, core->arch->nregs * sizeof(uint64_t));
	if (core->arch->reg_thread_pointer >= 0)
		thread->thread_pointer = thread->regs[core->arch->reg_thread_pointer];
	return NULL;
}

/* The note that holds the thread pointer where pr_reg has none: it follows
 * its thread's NT_PRSTATUS. */
static struct pc_error *parse_tls(struct core *core, const unsigned char *desc, size_t size)
{
	if (size < sizeof(uint64_t))
		return pc_error_create(PC_ERR_CORRUPT, "thread pointer note of %zu bytes", size);
	if (core->nthreads)
		memcpy(&core->threads[core->nthreads - 1].thread_pointer, desc, sizeof(uint64_t));
	return NULL;
}

/* The arch's pac_mask_note (NT_ARM_PAC_MASK): the data mask, then the
 * instruction mask, the bits a pointer-authentication code takes in a code
 * address. */
static struct pc_error *parse_pac_mask(struct core *core, const unsigned char *desc,
				       size_t size)
{
	uint64_t insn_mask;

	if (size < 2 * sizeof(uint64_t))
		return pc_error_create(PC_ERR_CORRUPT, "NT_ARM_PAC_MASK note of %zu bytes", size);
	memcpy(&insn_mask, desc + sizeof(uint64_t), sizeof(insn_mask));
	core->code_address_mask = ~insn_mask;
	return NULL;
}

static struct pc_error *parse_prpsinfo(struct core *core, const unsigned char *desc,
				       size_t size)
{
	struct elf_prpsinfo info;

	if (size < sizeof(info))
		return pc_error_create(PC_ERR_CORRUPT, "NT_PRPSINFO note of %zu bytes, expected %zu",
				       size, sizeof(info));
	memcpy(&info, desc, sizeof(info));
	core->has_psinfo = true;
	core->psinfo.pid = info.pr_pid;
	core->psinfo.ppid = info.pr_ppid;
	core->psinfo.uid = info.pr_uid;
	core->psinfo.gid = info.pr_gid;
	core->psinfo.state = info.pr_sname;
	memcpy(core->psinfo.fname, info.pr_fname, sizeof(info.pr_fname));
	core->psinfo.fname[sizeof(info.pr_fname)] = '\0';
	memcpy(core->psinfo.args, info.pr_psargs, sizeof(info.pr_psargs));
	core->psinfo.args[sizeof(info.pr_psargs)] = '\0';
	return NULL;
}

void core_siginfo_decode(const unsigned char *bytes, struct core_siginfo *ret)
{
	int32_t words[3];
	uint64_t union_word;

	/* si_signo, si_errno, si_code, then the union at 16. */
	memcpy(words, bytes, sizeof(words));
	memcpy(&union_word, bytes + 16, sizeof(union_word));
	ret->signo = words[0];
	ret->errno_ = words[1];
	ret->code = words[2];
	ret->addr = union_word;
	ret->sender_pid = (pid_t)(uint32_t)union_word;
}

static struct pc_error *parse_siginfo(struct core *core, const unsigned char *desc,
				      size_t size)
{
	if (size < CORE_SIGINFO_SIZE)
		return pc_error_create(PC_ERR_CORRUPT, "NT_SIGINFO note of %zu bytes", size);
	core_siginfo_decode(desc, &core->siginfo);
	core->has_siginfo = true;
	return NULL;
}

static struct pc_error *parse_file_note(struct core *core, const unsigned char *desc,
					size_t size)
{
	uint64_t count, page_size;
	const unsigned char *names, *end = desc + size;
	size_t i;

	if (size < 16)
		return pc_error_create(PC_ERR_CORRUPT, "NT_FILE note of %zu bytes", size);
	memcpy(&count, desc, 8);
	memcpy(&page_size, desc + 8, 8);
	if (count > CORE_MAX_FILES || count > (size - 16) / 24)
		return pc_error_create(PC_ERR_CORRUPT, "NT_FILE note claims %llu files in %zu bytes",
				       (unsigned long long)count, size);
	core->files = calloc(count ? count : 1, sizeof(*core->files));
	if (!core->files)
		return &pc_error_nomem;
	names = desc + 16 + count * 24;
	for (i = 0; i < count; i++) {
		const unsigned char *entry = desc + 16 + i * 24;
		const unsigned char *nul;
		uint64_t page;

		if (names >= end)
			break;
		nul = memchr(names, '\0', (size_t)(end - names));
		if (!nul)
			break;
		memcpy(&core->files[i].start, entry, 8);
		memcpy(&core->files[i].end, entry + 8, 8);
		memcpy(&page, entry + 16, 8);
		core->files[i].file_offset = page * page_size;
		core->files[i].path = (const char *)names;
		names = nul + 1;
	}
	core->nfiles = i;
	if (i < count)
		return pc_error_create(PC_ERR_CORRUPT, "NT_FILE note names %zu of %llu files", i,
				       (unsigned long long)count);
	return NULL;
}

/* Parse one PT_NOTE segment.  The first error is returned, but the notes
 * that could be read are kept: a damaged note should not hide the threads. */
static struct pc_error *parse_notes(struct core *core, Elf *elf, const GElf_Phdr *phdr)
{
	struct pc_error *first = NULL, *err;
	uint64_t filesz = phdr->p_filesz;
	Elf_Data *data;
	size_t offset = 0, name_offset, desc_offset;
	GElf_Nhdr nhdr;

	if (phdr->p_offset >= core->size)
		return pc_error_create(PC_ERR_CORRUPT, "PT_NOTE at offset %#llx is past the end",
				       (unsigned long long)phdr->p_offset);
	if (filesz > core->size - phdr->p_offset)
		filesz = core->size - phdr->p_offset;
	data = elf_getdata_rawchunk(elf, (int64_t)phdr->p_offset, filesz, ELF_T_NHDR);
	if (!data)
		return pc_error_create(PC_ERR_CORRUPT, "elf_getdata_rawchunk: %s", elf_errmsg(-1));
	while (offset < data->d_size &&
	       (offset = gelf_getnote(data, offset, &nhdr, &name_offset, &desc_offset)) > 0) {
		const char *name = (const char *)data->d_buf + name_offset;
		const unsigned char *desc = (const unsigned char *)data->d_buf + desc_offset;

		if (nhdr.n_namesz == sizeof("LINUX") &&
		    memcmp(name, "LINUX", sizeof("LINUX")) == 0) {
			err = NULL;
			if (core->arch->tls_note && nhdr.n_type == core->arch->tls_note)
				err = parse_tls(core, desc, nhdr.n_descsz);
			else if (core->arch->pac_mask_note && nhdr.n_type == core->arch->pac_mask_note)
				err = parse_pac_mask(core, desc, nhdr.n_descsz);
			if (err && !first)
				first = err;
			else
				pc_error_destroy(err);
			continue;
		}
		if (nhdr.n_namesz != sizeof("CORE") || memcmp(name, "CORE", sizeof("CORE")) != 0)
			continue;
		switch (nhdr.n_type) {
		case NT_PRSTATUS:
			err = parse_prstatus(core, desc, nhdr.n_descsz);
			break;
		case NT_PRPSINFO:
			err = parse_prpsinfo(core, desc, nhdr.n_descsz);
			break;
		case NT_SIGINFO:
			err = parse_siginfo(core, desc, nhdr.n_descsz);
			break;
		case NT_AUXV:
			core->auxv = (const struct core_auxv_entry *)desc;
			core->nauxv = nhdr.n_descsz / sizeof(struct core_auxv_entry);
			err = NULL;
			break;
		case NT_FILE:
			err = core->files ? NULL : parse_file_note(core, desc, nhdr.n_descsz);
			break;
		default:
			err = NULL;
			break;
		}
		if (err && !first)
			first = err;
		else
			pc_error_destroy(err);
	}
	return first;
}

static struct pc_error *add_segment(struct core *core, const GElf_Phdr *phdr)
{
	struct core_segment *segment, *grown;
	uint64_t present = 0;

	if (core->nsegments >= CORE_MAX_SEGMENTS)
		return pc_error_create(PC_ERR_LIMIT, "more than %d PT_LOAD segments",
				       CORE_MAX_SEGMENTS);
	grown = vec_grow(core->segments, &core->segments_capacity, core->nsegments + 1,
			 sizeof(*core->segments));
	if (!grown)
		return &pc_error_nomem;
	core->segments = grown;
	if (phdr->p_offset < core->size)
		present = core->size - phdr->p_offset;
	if (present > phdr->p_filesz)
		present = phdr->p_filesz;
	/* Sizes are the core's word: a crafted one must not wrap the sum,
	 * which reports print as a signed count. */
	if (present < phdr->p_filesz) {
		uint64_t missing = phdr->p_filesz - present;

		core->truncated = true;
		core->missing_bytes = missing > CORE_MAX_MISSING - core->missing_bytes
					      ? CORE_MAX_MISSING
					      : core->missing_bytes + missing;
	}
	segment = &core->segments[core->nsegments++];
	segment->vaddr = phdr->p_vaddr;
	segment->memsz = phdr->p_memsz;
	segment->offset = phdr->p_offset;
	segment->filesz = present;
	segment->filesz_declared = phdr->p_filesz;
	segment->flags = phdr->p_flags;
	return NULL;
}

static struct pc_error *check_header(struct core *core, Elf *elf, GElf_Ehdr *ehdr)
{
	if (core->size == 0)
		return pc_error_create(PC_ERR_FORMAT, "empty file (0 bytes): a core truncated to nothing, or not a core");
	if (elf_kind(elf) != ELF_K_ELF && core->size < sizeof(Elf64_Ehdr) &&
	    memcmp(core->map, ELFMAG, core->size < SELFMAG ? core->size : SELFMAG) == 0)
		return pc_error_create(PC_ERR_FORMAT,
				       "truncated: %zu bytes, less than an ELF header (%zu)",
				       core->size, sizeof(Elf64_Ehdr));
	if (elf_kind(elf) != ELF_K_ELF)
		return pc_error_create(PC_ERR_FORMAT, "not an ELF file");
	if (!gelf_getehdr(elf, ehdr))
		return pc_error_create(PC_ERR_FORMAT, "invalid ELF header: %s", elf_errmsg(-1));
	if (ehdr->e_type != ET_CORE)
		return pc_error_create(PC_ERR_FORMAT, "ELF %s, not a core file",
				       ehdr->e_type == ET_EXEC  ? "executable"
				       : ehdr->e_type == ET_DYN ? "shared object or executable"
				       : ehdr->e_type == ET_REL ? "object file"
								: "file");
	core->arch = arch_by_machine(ehdr->e_machine);
	if (!core->arch || ehdr->e_ident[EI_CLASS] != ELFCLASS64)
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "core of another architecture (%s, ELF machine %u); "
				       "pycore reads x86_64 and aarch64 cores",
				       arch_machine_name(ehdr->e_machine), ehdr->e_machine);
	if (ehdr->e_ident[EI_DATA] != ELFDATA2LSB)
		return pc_error_create(PC_ERR_UNSUPPORTED, "big-endian core");
	core->code_address_mask = core->arch->code_address_mask;
	return NULL;
}

static struct pc_error *core_parse(struct core *core, Elf *elf)
{
	struct pc_error *notes_err = NULL, *err;
	GElf_Ehdr ehdr;
	size_t phnum, i;
	bool notes_cut = false;	/* a PT_NOTE runs past the end of the file */

	err = check_header(core, elf, &ehdr);
	if (err)
		return err;
	/* PN_XNUM says the count is in section header 0, which the kernel
	 * writes only then; without it, 0xffff is a corrupt count, and
	 * libdwfl's cost grows with the square of the program headers. */
	if (ehdr.e_phnum == PN_XNUM && ehdr.e_shoff == 0)
		return pc_error_create(PC_ERR_FORMAT,
				       "corrupt ELF header: e_phnum is PN_XNUM (0xffff) but there "
				       "is no section header 0 to hold the real count");
	if (elf_getphdrnum(elf, &phnum) != 0)
		return pc_error_create(PC_ERR_FORMAT, "cannot read program headers: %s",
				       elf_errmsg(-1));
	for (i = 0; i < phnum; i++) {
		GElf_Phdr phdr;

		if (!gelf_getphdr(elf, (int)i, &phdr)) {
			/* Program headers cut off by truncation: keep what we have. */
			core->truncated = true;
			break;
		}
		if (phdr.p_type == PT_LOAD)
			err = add_segment(core, &phdr);
		else if (phdr.p_type == PT_NOTE && !notes_err)
			notes_err = parse_notes(core, elf, &phdr);
		if (phdr.p_type == PT_NOTE && phdr.p_offset + phdr.p_filesz > core->size)
			notes_cut = true;
		if (err)
			break;
	}
	if (err) {
		pc_error_destroy(notes_err);
		return err;
	}
	if (core->nthreads == 0 && (notes_cut || core->truncated)) {
		pc_error_destroy(notes_err);
		return pc_error_create(PC_ERR_FORMAT,
				       "truncated: the file (%zu bytes) ends before its notes do, "
				       "and no thread could be read", core->size);
	}
	if (core->nthreads == 0) {
		if (!notes_err)
			return pc_error_create(PC_ERR_FORMAT, "no NT_PRSTATUS note: no thread to show");
		return pc_error_prefix(notes_err, "no thread could be read");
	}
	/* The threads are there; what was lost must still be said. */
	if (notes_err)
		warnings_add(&core->warnings, &core->nwarnings,
			     "a note of the core cannot be read: %s", notes_err->message);
	pc_error_destroy(notes_err);
	/* The kernel dumps a core for a signal and gives it to the thread that
	 * took it; gcore dumps a live process whose threads have none, and its
	 * NT_SIGINFO is only the SIGSTOP of ptrace. */
	core->live_dump = true;
	for (i = 0; i < core->nthreads; i++)
		if (core->threads[i].signal != 0)
			core->live_dump = false;
	/* A core may have no PT_LOAD or no NT_FILE: qsort must not see NULL. */
	if (core->nsegments)
		qsort(core->segments, core->nsegments, sizeof(*core->segments), segment_compare);
	if (core->nfiles)
		qsort(core->files, core->nfiles, sizeof(*core->files), file_compare);
	return NULL;
}

struct pc_error *core_open_fd(int fd, const char *name, struct core **ret)
{
	struct pc_error *err;
	struct core *core;
	struct stat st;
	Elf *elf;

	core = calloc(1, sizeof(*core));
	if (!core)
		return &pc_error_nomem;
	core->fd = -1;
	core->path = strdup(name);
	if (!core->path) {
		free(core);
		return &pc_error_nomem;
	}
	if (fstat(fd, &st) != 0) {
		err = pc_error_create(PC_ERR_IO, "%s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err = pc_error_create(PC_ERR_IO, "is a directory, not a core file");
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = pc_error_create(PC_ERR_IO, "not a regular file");
		goto fail;
	}
	core->size = (size_t)st.st_size;
	if (core->size == 0) {
		err = pc_error_create(PC_ERR_FORMAT, "empty file (0 bytes): a core truncated to nothing, or not a core");
		goto fail;
	}
	core->map = mmap(NULL, core->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (core->map == MAP_FAILED) {
		core->map = NULL;
		err = pc_error_create(PC_ERR_IO, "mmap: %s", strerror(errno));
		goto fail;
	}
	/* libelf, and libdwfl through it, read the core with pread rather than
	 * through the mapping: libdwfl looks for an ELF header at the start of
	 * every segment, and each page touched in a mapping of a core in the
	 * page cache brings up to 16 of its neighbours into the resident set
	 * (fault-around): 65 MiB for the 3,000 segments of 1,000 threads. */
	core->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (core->fd < 0) {
		err = pc_error_create(PC_ERR_IO, "dup: %s", strerror(errno));
		goto fail;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(core->fd, ELF_C_READ, NULL);
	if (!elf) {
		err = pc_error_create(PC_ERR_FORMAT, "elf_begin: %s", elf_errmsg(-1));
		goto fail;
	}
	core->elf = elf;
	err = core_parse(core, elf);
	if (err)
		goto fail;
	*ret = core;
	return NULL;

fail:
	core_close(core);
	return err;
}

struct pc_error *core_open_memory(const unsigned char *image, size_t size, const char *name,
				  struct core **ret)
{
	struct pc_error *err;
	struct core *core;
	Elf *elf;

	if (size == 0)
		return pc_error_create(PC_ERR_FORMAT, "empty file, not a core");
	core = calloc(1, sizeof(*core));
	if (!core)
		return &pc_error_nomem;
	core->fd = -1;
	core->map = image;
	core->map_borrowed = true;
	core->size = size;
	core->path = strdup(name);
	if (!core->path) {
		free(core);
		return &pc_error_nomem;
	}
	elf_version(EV_CURRENT);
	/* libelf only reads an image it is given to read. */
	elf = elf_memory((char *)image, size);
	if (!elf) {
		err = pc_error_create(PC_ERR_FORMAT, "elf_memory: %s", elf_errmsg(-1));
		core_close(core);
		return err;
	}
	core->elf = elf;
	err = core_parse(core, elf);
	if (err) {
		core_close(core);
		return err;
	}
	*ret = core;
	return NULL;
}

struct pc_error *core_open(const char *path, struct core **ret)
{
	struct pc_error *err;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return pc_error_create(PC_ERR_IO, "%s", strerror(errno));
	err = core_open_fd(fd, path, ret);
	close(fd);
	return err;
}

void core_close(struct core *core)
{
	if (!core)
		return;
	if (core->elf)
		elf_end(core->elf);
	if (core->map && !core->map_borrowed)
		munmap((void *)core->map, core->size);
	if (core->fd >= 0)
		close(core->fd);
	free(core->threads);
	free(core->segments);
	free(core->files);
	warnings_free(core->warnings, core->nwarnings);
	free(core->path);
	free(core);
}

bool core_auxv(const struct core *core, uint64_t type, uint64_t *ret)
{
	size_t i;

	for (i = 0; i < core->nauxv; i++) {
		struct core_auxv_entry entry;

		memcpy(&entry, &core->auxv[i], sizeof(entry));
		if (entry.type == type) {
			*ret = entry.value;
			return true;
		}
	}
	return false;
}

const struct core_segment *core_segment_at(const struct core *core, uint64_t address)
{
	size_t lo = 0, hi = core->nsegments;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct core_segment *segment = &core->segments[mid];

		if (address < segment->vaddr)
			hi = mid;
		else if (address - segment->vaddr >= segment->memsz)
			lo = mid + 1;
		else
			return segment;
	}
	return NULL;
}

const struct core_file_mapping *core_file_at(const struct core *core, uint64_t address)
{
	size_t lo = 0, hi = core->nfiles;

	/* Mappings do not overlap in a real process; in a corrupted note the
	 * search still ends, and finds one of the candidates or none. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct core_file_mapping *file = &core->files[mid];

		if (address < file->start)
			hi = mid;
		else if (address >= file->end)
			lo = mid + 1;
		else
			return file;
	}
	return NULL;
}

uint64_t core_thread_sp(const struct core *core, const struct core_thread *thread)
{
	return thread->regs[core->arch->reg_sp];
}

uint64_t core_thread_pc(const struct core *core, const struct core_thread *thread)
{
	return thread->regs[core->arch->reg_pc];
}

uint64_t core_thread_pthread(const struct core *core, const struct core_thread *thread)
{
	if (!thread->thread_pointer || core->arch->pthread_from_tp == ARCH_PTHREAD_UNKNOWN)
		return 0;
	return thread->thread_pointer + (uint64_t)core->arch->pthread_from_tp;
}

const char *core_main_program(const struct core *core)
{
	const struct core_file_mapping *file;
	uint64_t phdr;

	if (!core_auxv(core, AT_PHDR, &phdr) || !(file = core_file_at(core, phdr)))
		return NULL;
	return file->path;
}
