#include "elf/unwind.h"

#include "elf/arch.h"
#include "elf/core.h"
#include "elf/frame_argument.h"
#include "base/deadline.h"
#include "base/error.h"
#include "base/vec.h"
#include "elf/memory.h"
#include "elf/signal_frame.h"

#include <stdlib.h>
#include <string.h>

/* libdwfl's own core attachment (dwfl_core_file_attach) finds a thread by
 * walking every note before it, and reads each stack word through
 * elf_getdata_rawchunk, which in elfutils 0.188 searches every chunk read
 * before: unwinding N threads costs N² there (7.5 s for 1,000 threads).
 * pycore gives libdwfl its threads from the notes it parsed once, by LWP,
 * and its memory through memory.c's sorted segments. */
struct lwp_index {
	pid_t lwp;
	const struct core_thread *thread;
	const struct core *core;
};

struct unwind_process {
	const struct core *core;
	struct memory *mem;
	struct lwp_index *by_lwp;	/* the core's threads, sorted by LWP */
	/* While its thread is unwound from the context a signal frame saved,
	 * that thread as it was then; else its thread is NULL. */
	struct lwp_index context;
};

static int lwp_compare(const void *a, const void *b)
{
	pid_t x = ((const struct lwp_index *)a)->lwp, y = ((const struct lwp_index *)b)->lwp;

	return (x > y) - (x < y);
}

/* The threads in LWP order: libdwfl's thread argument is their entry. */
static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_arg)
{
	const struct unwind_process *process = arg;
	const struct lwp_index *entry = *thread_arg;
	(void)dwfl;

	entry = entry ? entry + 1 : process->by_lwp;
	if (entry >= process->by_lwp + process->core->nthreads)
		return 0;
	*thread_arg = (void *)entry;
	return entry->lwp;
}

static bool get_thread(Dwfl *dwfl, pid_t lwp, void *arg, void **thread_arg)
{
	struct unwind_process *process = arg;
	struct lwp_index key = {.lwp = lwp}, *found;
	(void)dwfl;

	if (process->context.thread && process->context.lwp == lwp) {
		*thread_arg = &process->context;
		return true;
	}
	found = bsearch(&key, process->by_lwp, process->core->nthreads, sizeof(key), lwp_compare);
	if (!found)
		return false;
	*thread_arg = found;
	return true;
}

/* Pointer authentication (aarch64) signs a return address in the bits
 * above those of an address before it is saved, and libdwfl 0.188 unwinds
 * with it as read: it finds no code there, and the stack ends or repeats a
 * frame.  A word whose raw value lies in no module and whose value without
 * those bits lies in one is taken for a signed code address: libdwfl gets
 * it without them.  On x86_64 the mask is all ones and nothing changes. */
static Dwarf_Word strip_signature(Dwfl *dwfl, const struct core *core, Dwarf_Word word)
{
	Dwarf_Word stripped = word & core->code_address_mask;

	if (stripped == word || dwfl_addrmodule(dwfl, word) || !dwfl_addrmodule(dwfl, stripped))
		return word;
	return stripped;
}

static bool read_word(Dwfl *dwfl, Dwarf_Addr address, Dwarf_Word *ret, void *arg)
{
	const struct unwind_process *process = arg;
	struct pc_error *err = memory_read(process->mem, address, ret, sizeof(*ret));

	pc_error_destroy(err);
	if (err)
		return false;
	*ret = strip_signature(dwfl, process->core, *ret);
	return true;
}

/* The registers libdwfl unwinds from, in DWARF's numbering, and the pc
 * apart: on aarch64 the return address column is the link register. */
static bool set_initial_registers(Dwfl_Thread *dwfl_thread, void *thread_arg)
{
	const struct lwp_index *entry = thread_arg;
	const struct arch *arch = entry->core->arch;
	const struct core_thread *thread = entry->thread;
	Dwarf_Word regs[ARCH_MAX_REGS];
	size_t i;

	for (i = 0; i < arch->ndwarf; i++)
		regs[i] = strip_signature(dwfl_thread_dwfl(dwfl_thread), entry->core,
					  thread->regs[arch->dwarf_regs[i]]);
	if (!dwfl_thread_state_registers(dwfl_thread, 0, arch->ndwarf, regs))
		return false;
	dwfl_thread_state_register_pc(dwfl_thread, core_thread_pc(entry->core, thread));
	return true;
}

static void detach(Dwfl *dwfl, void *arg)
{
	struct unwind_process *process = arg;
	(void)dwfl;

	free(process->by_lwp);
	free(process);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = read_word,
	.set_initial_registers = set_initial_registers,
	.detach = detach,
};

/* Give libdwfl the core's threads, once, before the first unwind. */
static struct pc_error *attach(struct modules *modules)
{
	const struct core *core = modules->core;
	struct unwind_process *process = calloc(1, sizeof(*process));
	pid_t pid = 1;
	size_t i;

	if (!process)
		return &pc_error_nomem;
	process->core = core;
	process->mem = modules->mem;
	process->by_lwp = calloc(core->nthreads ? core->nthreads : 1, sizeof(*process->by_lwp));
	if (!process->by_lwp) {
		free(process);
		return &pc_error_nomem;
	}
	for (i = 0; i < core->nthreads; i++)
		process->by_lwp[i] =
			(struct lwp_index){core->threads[i].lwp, &core->threads[i], core};
	qsort(process->by_lwp, core->nthreads, sizeof(*process->by_lwp), lwp_compare);
	if (core->has_psinfo)
		pid = core->psinfo.pid;
	else if (core->nthreads)
		pid = core->threads[0].lwp;
	if (!dwfl_attach_state(modules->dwfl, core->elf, pid, &thread_callbacks, process)) {
		detach(modules->dwfl, process);
		if (asprintf(&modules->attach_error, "dwfl_attach_state: %s",
			     dwfl_errmsg(-1)) < 0) {
			modules->attach_error = NULL;
			return &pc_error_nomem;
		}
		return NULL;
	}
	modules->unwound = process;
	return NULL;
}

struct unwind_walk {
	struct modules *modules;
	struct native_stack *stack;
	size_t max_frames;
	struct deadline *deadline;
	bool timed_out;		/* stopped by the deadline */
	size_t capacity;
	struct pc_error *err;
};

/* Whether FRAME, the INDEXth of its stack, is the signal trampoline a
 * handler returns to.  By name where the code has symbols; else by
 * libdwfl's word: past the first frame, a frame is an activation only when
 * the CFI of its own or of its caller's code marks a signal frame, and the
 * first such frame is the trampoline (its caller, the interrupted frame, is
 * one too).  Distributions ship libc without a symbol table, and its
 * trampoline has CFI, so this finds the kernel's signal frame all the same.
 * A trampoline with neither (qemu-user's page) is known by its code. */
static bool is_signal_trampoline(struct modules *modules, const struct native_frame *frame,
				 size_t index)
{
	const struct arch *arch = modules->core->arch;

	/* An architecture whose saved context pycore does not decode has none. */
	if (!arch->signal_frame)
		return false;
	if (frame->where.symbol)
		return arch->signal_frame->trampoline_symbol &&
		       strcmp(frame->where.symbol, arch->signal_frame->trampoline_symbol) == 0;
	return (index > 0 && frame->activation) ||
	       signal_frame_trampoline_at(arch, modules->mem, frame->pc);
}

static bool is_argument_function(const struct modules *modules, const char *symbol)
{
	size_t i;

	for (i = 0; i < modules->nargument_functions; i++)
		if (strcmp(symbol, modules->argument_functions[i]) == 0)
			return true;
	return false;
}

static int frame_callback(Dwfl_Frame *state, void *arg)
{
	struct unwind_walk *walk = arg;
	struct native_stack *stack = walk->stack;
	const struct arch *arch = walk->modules->core->arch;
	struct native_frame *frame, *grown;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	pc &= walk->modules->core->code_address_mask;
	if (stack->nframes >= walk->max_frames) {
		stack->cut = true;
		return DWARF_CB_ABORT;
	}
	if (deadline_passed(walk->deadline)) {
		walk->timed_out = true;
		return DWARF_CB_ABORT;
	}
	grown = vec_grow(stack->frames, &walk->capacity, stack->nframes + 1,
			 sizeof(*stack->frames));
	if (!grown) {
		walk->err = &pc_error_nomem;
		return DWARF_CB_ABORT;
	}
	stack->frames = grown;
	frame = &stack->frames[stack->nframes++];
	frame->pc = pc;
	frame->activation = activation;
	/* A return address may be the first byte of the next function: look
	 * up the call instruction instead. */
	modules_describe(walk->modules, activation ? pc : pc - 1, &frame->where);
	if (!stack->argument && frame->where.symbol && is_argument_function(walk->modules,
									       frame->where.symbol))
		frame_argument(state, walk->modules->dwfl, activation ? pc : pc - 1,
			       walk->modules->argument_name, &stack->argument);
	if (!stack->signal_context && is_signal_trampoline(walk->modules, frame, stack->nframes - 1)) {
		Dwarf_Word sp;

		if (dwfl_frame_reg(state, arch->dwarf_sp, &sp) == 0) {
			stack->signal_context = sp;
			stack->interrupted = stack->nframes;
		}
	}
	return DWARF_CB_OK;
}

/* The walk past a signal trampoline goes on from the context the kernel
 * saved in its frame, where the unwinder did not come out at that
 * context's pc: unwind info that restores only the frame record (aarch64's
 * vdso) skips the interrupted frame, and a trampoline without any
 * (qemu-user's) leaves the unwinder to guess.  A frame that cannot be
 * read, or whose pc lies in no module (not a signal frame after all),
 * leaves the stack as it was. */
static void unwind_interrupted(struct unwind_walk *walk, pid_t lwp)
{
	struct native_stack *stack = walk->stack;
	struct unwind_process *process = walk->modules->unwound;
	const struct core *core = process->core;
	struct lwp_index key = {.lwp = lwp}, *found;
	struct core_thread interrupted;
	struct signal_frame frame;
	struct pc_error *err;

	found = bsearch(&key, process->by_lwp, core->nthreads, sizeof(key), lwp_compare);
	if (!found)
		return;
	err = signal_frame_read(core->arch, process->mem, stack->signal_context,
				found->thread->regs, &frame);
	if (err) {
		pc_error_destroy(err);
		return;
	}
	frame.pc &= core->code_address_mask;
	if ((stack->interrupted < stack->nframes &&
	     stack->frames[stack->interrupted].pc == frame.pc) ||
	    !dwfl_addrmodule(walk->modules->dwfl, frame.pc))
		return;
	interrupted = *found->thread;
	memcpy(interrupted.regs, frame.regs, sizeof(interrupted.regs));
	stack->nframes = stack->interrupted;
	stack->cut = false;
	process->context = (struct lwp_index){lwp, &interrupted, core};
	dwfl_getthread_frames(walk->modules->dwfl, lwp, frame_callback, walk);
	process->context.thread = NULL;
}

struct pc_error *unwind_thread_until(struct modules *modules, pid_t lwp, size_t max_frames,
				     struct deadline *deadline, struct native_stack *ret)
{
	struct unwind_walk walk = {.modules = modules, .stack = ret, .max_frames = max_frames,
			    .deadline = deadline};
	int rc;

	*ret = (struct native_stack){0};
	if (deadline_passed(deadline)) {
		ret->error = strdup("the --timeout deadline passed before this thread");
		return ret->error ? NULL : &pc_error_nomem;
	}
	if (!modules->unwound && !modules->attach_error) {
		struct pc_error *err = attach(modules);

		if (err)
			return err;
	}
	if (!modules->unwound) {
		ret->error = strdup(modules->attach_error ? modules->attach_error
							  : "the core's threads cannot be unwound");
		return ret->error ? NULL : &pc_error_nomem;
	}
	rc = dwfl_getthread_frames(modules->dwfl, lwp, frame_callback, &walk);
	if (ret->signal_context && !walk.err && !walk.timed_out)
		unwind_interrupted(&walk, lwp);
	if (walk.err) {
		native_stack_deinit(ret);
		return walk.err;
	}
	if (walk.timed_out) {
		ret->error = strdup("the --timeout deadline passed");
		return ret->error ? NULL : &pc_error_nomem;
	}
	/* The walk ends with an error at the outermost frame too (no return
	 * address to unwind to); only an early stop is worth a word. */
	if (rc == -1 && !ret->cut && ret->nframes <= 1) {
		ret->error = strdup(dwfl_errmsg(-1));
		if (!ret->error)
			return &pc_error_nomem;
	}
	return NULL;
}

void native_stack_deinit(struct native_stack *stack)
{
	free(stack->frames);
	free(stack->error);
	*stack = (struct native_stack){0};
}

struct pc_error *unwind_thread(struct modules *modules, pid_t lwp, size_t max_frames,
			       struct native_stack *ret)
{
	return unwind_thread_until(modules, lwp, max_frames, NULL, ret);
}

void unwind_resolve_sources(struct modules *modules, struct native_stack *stack)
{
	size_t i;

	for (i = 0; i < stack->nframes; i++) {
		struct native_frame *frame = &stack->frames[i];

		modules_source(modules, frame->activation ? frame->pc : frame->pc - 1,
			       &frame->where);
	}
}
