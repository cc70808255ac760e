#include "elf/pthread.h"

#include "base/error.h"
#include "elf/arch.h"
#include "elf/core.h"
#include "elf/memory.h"

uint64_t pthread_of_thread(const struct core *core, struct memory *mem,
			   const struct core_thread *thread, uint64_t candidate)
{
	uint64_t known = core_thread_pthread(core, thread);
	struct pc_error *err;
	uint32_t tid;

	if (known || !candidate)
		return known;
	err = memory_read_u32(mem, candidate + core->arch->pthread_tid_offset, &tid);
	pc_error_destroy(err);
	return !err && (pid_t)tid == thread->lwp ? candidate : 0;
}
