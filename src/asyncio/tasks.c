#include "asyncio/tasks.h"
#include "asyncio/wait.h"

#include "base/deadline.h"
#include "base/error.h"
#include "elf/memory.h"
#include "base/ptrset.h"
#include "python/frame.h"
#include "python/locals.h"
#include "python/scan.h"
#include "python/interpreters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TASK_NAME_MAX 200
/* Base classes looked at to tell a task or a future. */
#define TYPE_CHAIN_MAX 32
/* Children of a gather() listed. */
#define GATHER_MAX 1000

#define NO_TASK_LAYOUT "no DWARF or _AsyncioDebug of the _asyncio extension"

/* What an object is, for the chain and the waits. */
enum kind {
	KIND_OTHER,
	KIND_COROUTINE,		/* coroutine, generator, async generator */
	KIND_ASEND,		/* what `async for` awaits: its async generator's step */
	KIND_FUTURE_ITER,	/* what `await future` awaits (_asyncio.FutureIter) */
	KIND_C_TASK,		/* an _asyncio.Task, or a class derived from it */
	KIND_C_FUTURE,		/* an _asyncio.Future, or derived (_GatheringFuture) */
	KIND_PY_TASK,		/* asyncio.tasks.Task (no _asyncio) */
	KIND_PY_FUTURE,		/* asyncio.futures.Future (no _asyncio) */
};

struct running {
	uint64_t task;
	int64_t thread;		/* an index into run.threads, or -1 */
};

struct run {
	struct pyframe_walker *walker;
	const struct py_reader *reader;
	const struct py_thread *threads; /* the walk's thread states */
	size_t nthreads;
	struct pytasks *tasks;	/* what is found */
	size_t max_tasks;
	size_t capacity;
	struct ptrset seen;	/* tasks met */
	/* The running tasks: each loop's, from _current_tasks, and (3.14+)
	 * each thread state's, which names its thread. */
	struct running *running;
	size_t nrunning, running_capacity;
	bool nomem;
	uint64_t *index;	/* see index_tasks() */
};

/* The first error of a task (or of all tasks) is the one kept.  One that
 * says something could not be read makes the report partial; one that says
 * the layout cannot describe tasks (no DWARF for _asyncio) does not, as a
 * thread's locals the layout cannot describe do not. */
static struct pc_error *keep_error(struct pytasks *tasks, char **slot, struct pc_error *err)
{
	if (err && err != &pc_error_nomem && err->code != PC_ERR_UNSUPPORTED)
		tasks->partial = true;
	if (*slot && err != &pc_error_nomem) {
		pc_error_destroy(err);
		return NULL;
	}
	return pc_error_keep(slot, err);
}

/* The kind of the object at OBJECT and, in NAME, its type's name. */
static struct pc_error *object_kind(const struct py_reader *reader, uint64_t object,
				    enum kind *ret, char name[PYSCAN_TYPE_NAME_MAX])
{
	static const struct {
		const char *name;
		enum kind kind;
	} known[] = {
		{"coroutine", KIND_COROUTINE},
		{"generator", KIND_COROUTINE},
		{"async_generator", KIND_COROUTINE},
		{"async_generator_asend", KIND_ASEND},
		{"_asyncio.FutureIter", KIND_FUTURE_ITER},
		{"_asyncio.Task", KIND_C_TASK},
		{"_asyncio.Future", KIND_C_FUTURE},
		{"Task", KIND_PY_TASK},
		{"Future", KIND_PY_FUTURE},
	};
	char base[PYSCAN_TYPE_NAME_MAX];
	struct pc_error *err;
	uint64_t type;
	int depth;

	*ret = KIND_OTHER;
	err = pyobject_type(reader, object, &type);
	if (!err)
		err = pyscan_type_name(reader, type, name, PYSCAN_TYPE_NAME_MAX);
	if (err)
		return err;
	strcpy(base, name);
	/* The _asyncio types win over a Python class of the same short name
	 * deriving from them. */
	for (depth = 0; type && depth < TYPE_CHAIN_MAX; depth++) {
		size_t i;

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(base, known[i].name) == 0 &&
			    (*ret == KIND_OTHER || known[i].kind == KIND_C_TASK ||
			     known[i].kind == KIND_C_FUTURE))
				*ret = known[i].kind;
		if (*ret != KIND_OTHER && *ret != KIND_PY_TASK && *ret != KIND_PY_FUTURE)
			return NULL;
		/* Without tp_base, a type is known by its own name only. */
		if (!py_has_field(reader, LAYOUT_FIELD(type, tp_base)))
			break;
		err = py_read_ptr(reader, type, LAYOUT_FIELD(type, tp_base), &type);
		if (!err && type)
			err = pyscan_type_name(reader, type, base, sizeof(base));
		if (err)
			return err;
	}
	return NULL;
}

static bool is_task(enum kind kind)
{
	return kind == KIND_C_TASK || kind == KIND_PY_TASK;
}

/* ------------------------------------------------------ finding tasks */

static struct pc_error *add_task(struct run *run, uint64_t address, int64_t interp_index)
{
	struct pytasks *tasks = run->tasks;
	int added;

	if (!address)
		return NULL;
	added = ptrset_add(&run->seen, address);
	if (added < 0)
		return &pc_error_nomem;
	if (added == 0)
		return NULL;
	if (tasks->ntasks >= run->max_tasks) {
		tasks->cut = true;
		return NULL;
	}
	if (tasks->ntasks == run->capacity) {
		size_t capacity = run->capacity ? run->capacity * 2 : 16;
		void *grown = realloc(tasks->tasks, capacity * sizeof(*tasks->tasks));

		if (!grown)
			return &pc_error_nomem;
		tasks->tasks = grown;
		run->capacity = capacity;
	}
	tasks->tasks[tasks->ntasks++] = (struct py_task){.address = address,
							   .interp_index = interp_index,
							   .thread = -1,
							   .state = PY_TASK_UNKNOWN};
	return NULL;
}

struct collect {
	struct run *run;
	int64_t interp_index;
	bool weak;		/* the items are weak references to the tasks */
	struct pc_error *err;
};

static bool collect_item(void *ctx, uint64_t key, uint64_t value)
{
	struct collect *collect = ctx;
	const struct py_reader *reader = collect->run->reader;
	uint64_t task = value;

	(void)key;
	if (collect->weak) {
		/* A layout without weak references reads none of them. */
		collect->err = py_require(reader, LAYOUT_FIELD(weakref, wr_object));
		if (collect->err)
			return false;
		/* One weak reference that cannot be read loses its task,
		 * not the others. */
		collect->err = py_read_ptr(reader, value, LAYOUT_FIELD(weakref, wr_object), &task);
		if (collect->err) {
			collect->err = keep_error(collect->run->tasks,
						  &collect->run->tasks->error,
						  pc_error_prefix(collect->err,
								  "weak reference at %#llx",
								  (unsigned long long)value));
			return !collect->err;
		}
	}
	if (collect->weak) {
		char name[PYSCAN_TYPE_NAME_MAX];
		struct pc_error *err;
		enum kind kind;

		/* A dead weak reference points at None.  An object whose
		 * type cannot be read is kept as a task: reading it says why
		 * it cannot be read. */
		err = object_kind(reader, task, &kind, name);
		pc_error_destroy(err);
		if (!err && strcmp(name, "NoneType") == 0)
			return true;
	}
	collect->err = add_task(collect->run, task, collect->interp_index);
	return !collect->err && !collect->run->tasks->cut;
}

/* The tasks in the WeakSet (WEAK) or set at SET. */
static struct pc_error *collect_set(struct run *run, uint64_t set, bool weak,
				    int64_t interp_index)
{
	struct collect collect = {.run = run, .interp_index = interp_index, .weak = weak};
	struct pc_error *err;
	bool cut = false;

	if (weak) {
		err = pyscan_attr(run->reader, set, "data", &set);
		if (err || !set)
			return err;
	}
	err = pyscan_set(run->reader, set, collect_item, &collect, &cut);
	if (!err && cut)
		run->tasks->cut = true;
	return err ? err : collect.err;
}

static bool add_running(struct run *run, uint64_t task, int64_t thread)
{
	if (run->nrunning == run->running_capacity) {
		size_t capacity = run->running_capacity ? run->running_capacity * 2 : 8;
		void *grown = realloc(run->running, capacity * sizeof(*run->running));

		if (!grown) {
			run->nomem = true;
			return false;
		}
		run->running = grown;
		run->running_capacity = capacity;
	}
	run->running[run->nrunning++] = (struct running){.task = task, .thread = thread};
	return run->nrunning < 1024;
}

/* An item of _current_tasks: a loop and its running task. */
static bool running_item(void *ctx, uint64_t key, uint64_t value)
{
	(void)key;
	return add_running(ctx, value, -1);
}

/* The error for a field of _asyncio's objects the layout lacks. */
static struct pc_error *no_task_field(enum layout_field field)
{
	return pc_error_create(PC_ERR_UNSUPPORTED, "the layout has no %s (" NO_TASK_LAYOUT ")",
			       layout_field_name(field));
}

/* 3.14+: the tasks linked into the list whose head (a struct llist_node:
 * next, prev) is at HEAD, each by its TaskObj's task_node. */
static struct pc_error *list_tasks(struct run *run, uint64_t head, int64_t index)
{
	struct pc_error *err;
	struct ptrset seen;
	int64_t node_offset;
	uint64_t node;

	if (!py_has_field(run->reader, LAYOUT_FIELD(task, node)))
		return no_task_field(LAYOUT_FIELD(task, node));
	err = py_field_value(run->reader, LAYOUT_FIELD(task, node), &node_offset);
	if (err)
		return err;
	ptrset_init(&seen);
	err = memory_read_u64(run->reader->mem, head, &node);
	while (!err && node && node != head && !run->tasks->cut) {
		int added = ptrset_add(&seen, node);

		if (added < 0)
			err = &pc_error_nomem;
		else if (added == 0)
			err = pc_error_create(PC_ERR_CORRUPT, "the task list loops back to %#llx",
					      (unsigned long long)node);
		/* The task holds its node: it starts that far before it. */
		if (!err)
			err = add_task(run, node - (uint64_t)node_offset, index);
		if (!err)
			err = memory_read_u64(run->reader->mem, node, &node);
	}
	ptrset_deinit(&seen);
	return err;
}

/* 3.14+: each thread state's list of tasks and running task, and the
 * interpreter's list of the tasks of threads that ended. */
static struct pc_error *thread_lists(struct run *run, uint64_t interp, int64_t index)
{
	const struct py_reader *reader = run->reader;
	struct pc_error *err = NULL;
	uint64_t head;
	size_t i;

	/* Builds without the lists keep their tasks in asyncio's sets only. */
	if (!reader->layout->task_lists ||
	    !py_has_field(reader, LAYOUT_FIELD(tstate, asyncio_tasks_head)))
		return NULL;
	for (i = 0; !err && i < run->nthreads; i++) {
		uint64_t tstate = run->threads[i].tstate, task = 0;

		if (run->threads[i].interp != interp)
			continue;
		err = py_field_address(reader, tstate, LAYOUT_FIELD(tstate, asyncio_tasks_head),
				       &head);
		if (!err)
			err = list_tasks(run, head, index);
		if (!err && py_has_field(reader, LAYOUT_FIELD(tstate, asyncio_running_task)))
			err = py_read_ptr(reader, tstate, LAYOUT_FIELD(tstate, asyncio_running_task),
					  &task);
		if (!err && task && !add_running(run, task, (int64_t)i) && run->nomem)
			err = &pc_error_nomem;
		if (err && err != &pc_error_nomem)
			err = pc_error_prefix(err, "tasks of thread state %#llx",
					      (unsigned long long)tstate);
	}
	if (err || !py_has_field(reader, LAYOUT_FIELD(interp, asyncio_tasks_head)))
		return err;
	err = py_field_address(reader, interp, LAYOUT_FIELD(interp, asyncio_tasks_head), &head);
	return err ? err : list_tasks(run, head, index);
}

static struct pc_error *interpreter_tasks(struct run *run, uint64_t interp, int64_t index)
{
	static const char *const weak_sets[] = {"_all_tasks", "_scheduled_tasks"};
	const struct py_reader *reader = run->reader;
	uint64_t module, object;
	struct pc_error *err;
	size_t i;

	err = pyscan_module(reader, interp, "asyncio.tasks", &module);
	if (err || !module)
		return err;
	run->tasks->asyncio = true;
	/* Tasks that are no _asyncio.Task (3.14+) stay in the sets below. */
	err = thread_lists(run, interp, index);
	if (err)
		return err;
	for (i = 0; i < sizeof(weak_sets) / sizeof(weak_sets[0]); i++) {
		err = pyscan_module_global(reader, module, weak_sets[i], &object);
		if (!err && object)
			err = collect_set(run, object, true, index);
		if (err)
			return pc_error_prefix(err, "asyncio.tasks.%s", weak_sets[i]);
	}
	err = pyscan_module_global(reader, module, "_eager_tasks", &object);
	if (!err && object)
		err = collect_set(run, object, false, index);
	if (err)
		return pc_error_prefix(err, "asyncio.tasks._eager_tasks");
	/* A running task is in these sets too; adding it again changes nothing. */
	err = pyscan_module_global(reader, module, "_current_tasks", &object);
	if (!err && object)
		err = pyscan_dict(reader, object, running_item, run, NULL);
	if (!err && run->nomem)
		err = &pc_error_nomem;
	for (i = 0; !err && i < run->nrunning; i++)
		err = add_task(run, run->running[i].task, index);
	if (err)
		return pc_error_prefix(err, "asyncio.tasks._current_tasks");
	return NULL;
}

/* ------------------------------------------------------ reading a task */

static enum py_task_state state_of_text(const char *text)
{
	if (strcmp(text, "PENDING") == 0)
		return PY_TASK_PENDING;
	if (strcmp(text, "CANCELLED") == 0)
		return PY_TASK_CANCELLED;
	if (strcmp(text, "FINISHED") == 0)
		return PY_TASK_DONE;
	return PY_TASK_UNKNOWN;
}

/* The name of a task, from the object its name field holds: a str, or
 * (3.12+, until someone asks for it) the number N of "Task-N". */
static struct pc_error *task_name(const struct py_reader *reader, uint64_t object, char **ret)
{
	char type[PYSCAN_TYPE_NAME_MAX];
	struct pc_error *err;
	enum kind kind;
	int64_t number;

	if (!object)
		return NULL;
	err = object_kind(reader, object, &kind, type);
	if (err)
		return err;
	if (strcmp(type, "NoneType") == 0)
		return NULL;
	if (strcmp(type, "int") == 0) {
		err = pyscan_int(reader, object, &number);
		if (!err && asprintf(ret, "Task-%lld", (long long)number) < 0) {
			*ret = NULL;
			return &pc_error_nomem;
		}
		return err;
	}
	return pyobject_text(reader, object, TASK_NAME_MAX, ret);
}

/* The fields of the task at ADDRESS that everything else follows. */
static struct pc_error *task_fields(const struct py_reader *reader, struct py_task *task,
				    enum kind kind, uint64_t *coro)
{
	uint64_t name = 0, state_text = 0;
	struct pc_error *err;
	int32_t state;

	if (kind == KIND_C_TASK) {
		/* _AsyncioDebug gives no state, loop or awaited future: the
		 * state is told from the coroutine (read_task()), the running
		 * task's thread comes from its thread state, and what it
		 * awaits from the end of its coroutine chain. */
		err = py_has_field(reader, LAYOUT_FIELD(task, coro))
			      ? py_read_ptr(reader, task->address, LAYOUT_FIELD(task, coro), coro)
			      : no_task_field(LAYOUT_FIELD(task, coro));
		if (!err && py_has_field(reader, LAYOUT_FIELD(future, state))) {
			err = py_read_i32(reader, task->address, LAYOUT_FIELD(future, state), &state);
			if (!err)
				task->state = state >= 0 && state <= 2 ? (enum py_task_state)state
								       : PY_TASK_UNKNOWN;
		}
		if (!err && py_has_field(reader, LAYOUT_FIELD(future, loop)))
			err = py_read_ptr(reader, task->address, LAYOUT_FIELD(future, loop),
					  &task->loop);
		if (!err && py_has_field(reader, LAYOUT_FIELD(task, fut_waiter)))
			err = py_read_ptr(reader, task->address, LAYOUT_FIELD(task, fut_waiter),
					  &task->waiter);
		if (!err && py_has_field(reader, LAYOUT_FIELD(task, name)))
			err = py_read_ptr(reader, task->address, LAYOUT_FIELD(task, name), &name);
	} else {
		/* Future sets _state on its instances when it changes; until
		 * then its class attribute says PENDING. */
		task->state = PY_TASK_PENDING;
		err = pyscan_attr(reader, task->address, "_state", &state_text);
		if (!err && state_text) {
			char *text;

			err = pyobject_text(reader, state_text, 16, &text);
			if (!err) {
				task->state = state_of_text(text);
				free(text);
			}
		}
		if (!err)
			err = pyscan_attr(reader, task->address, "_loop", &task->loop);
		if (!err)
			err = pyscan_attr(reader, task->address, "_coro", coro);
		if (!err)
			err = pyscan_attr(reader, task->address, "_fut_waiter", &task->waiter);
		if (!err)
			err = pyscan_attr(reader, task->address, "_name", &name);
	}
	if (!err)
		err = task_name(reader, name, &task->name);
	return err;
}

/* The frame of the generator or coroutine at GEN (0: it has finished),
 * and what it awaits now (0: nothing, or it is running). */
static struct pc_error *gen_frame(const struct py_reader *reader, uint64_t gen, uint64_t *frame,
				  uint64_t *awaited)
{
	const struct py_layout *layout = reader->layout;
	struct memory *mem = reader->mem;
	struct pc_error *err = NULL;
	uint64_t top = 0, code, bytes, bytecode, instr, slots;
	int8_t state = 0;

	*frame = *awaited = 0;
	if (layout->await_shape == AWAIT_SHAPE_YIELD_FROM) {
		int32_t lasti, depth;
		uint8_t opcode;

		err = py_require(reader, LAYOUT_FIELD(gen, gi_frame), LAYOUT_FIELD(code, co_code));
		if (!err)
			err = py_read_ptr(reader, gen, LAYOUT_FIELD(gen, gi_frame), frame);
		if (err || !*frame)
			return err;
		err = py_read_i32(reader, *frame, LAYOUT_FIELD(frame, f_lasti), &lasti);
		if (err || lasti < 0)
			return err;
		err = py_read_ptr(reader, *frame, LAYOUT_FIELD(frame, f_code), &code);
		if (!err)
			err = py_read_ptr(reader, code, LAYOUT_FIELD(code, co_code), &bytes);
		if (!err)
			err = py_field_address(reader, bytes, LAYOUT_FIELD(bytes, ob_sval), &bytecode);
		if (!err)
			err = memory_read(mem,
					  bytecode + (uint64_t)lasti * (uint64_t)layout->lasti_unit + 2,
					  &opcode, 1);
		if (err || opcode != layout->opcode_yield_from)
			return err;
		/* ≤3.9 keeps the top of the value stack, 3.10 its depth: where
		 * the build has neither, what the frame awaits is not read. */
		if (py_has_field(reader, LAYOUT_FIELD(frame, f_stacktop))) {
			/* NULL while the frame runs. */
			err = py_read_ptr(reader, *frame, LAYOUT_FIELD(frame, f_stacktop), &top);
			if (!err && top)
				err = memory_read_u64(mem, top - 8, awaited);
		} else if (py_has_field(reader, LAYOUT_FIELD(frame, f_stackdepth)) &&
			   py_has_field(reader, LAYOUT_FIELD(frame, f_valuestack))) {
			/* -1 while the frame runs. */
			err = py_read_i32(reader, *frame, LAYOUT_FIELD(frame, f_stackdepth), &depth);
			if (!err && depth > 0)
				err = py_read_ptr(reader, *frame, LAYOUT_FIELD(frame, f_valuestack),
						  &top);
			if (!err && depth > 0)
				err = memory_read_u64(mem, top + ((uint64_t)depth - 1) * 8, awaited);
		}
		return err;
	}
	err = py_require(reader, LAYOUT_FIELD(gen, gi_iframe), LAYOUT_FIELD(gen, gi_frame_state));
	if (!err)
		err = py_read_i8(reader, gen, LAYOUT_FIELD(gen, gi_frame_state), &state);
	if (err)
		return err;
	if (state >= layout->frame_state_finished)
		return NULL;
	err = py_field_address(reader, gen, LAYOUT_FIELD(gen, gi_iframe), frame);
	if (err)
		return err;
	if (layout->await_shape == AWAIT_SHAPE_RESUME) {
		uint8_t next[2];

		if (state != layout->frame_state_suspended)
			return NULL;
		err = py_read_ptr(reader, *frame, LAYOUT_FIELD(iframe, instr), &instr);
		if (!err)
			err = memory_read(mem, instr + 2, next, 2);
		if (err || (next[0] != layout->opcode_resume[0] &&
			    next[0] != layout->opcode_resume[1]) || next[1] < 2)
			return err;
	} else if (state != layout->frame_state_suspended_yield_from &&
		   state != layout->frame_state_suspended_yield_from_locked) {
		return NULL;
	}
	/* 3.14+ points at the top of the stack, 3.11 - 3.13 count its
	 * depth: where the build has neither, what the frame awaits is not
	 * read. */
	if (py_has_field(reader, LAYOUT_FIELD(iframe, stackpointer))) {
		err = py_read_ptr(reader, *frame, LAYOUT_FIELD(iframe, stackpointer), &top);
		if (!err && top)
			err = memory_read_u64(mem, top - 8 * (uint64_t)layout->await_stack_depth,
					      awaited);
	} else if (py_has_field(reader, LAYOUT_FIELD(iframe, stacktop))) {
		int32_t stacktop;

		err = py_read_i32(reader, *frame, LAYOUT_FIELD(iframe, stacktop), &stacktop);
		if (!err && stacktop > 0)
			err = py_field_address(reader, *frame, LAYOUT_FIELD(iframe, localsplus),
					       &slots);
		if (!err && stacktop > 0)
			err = memory_read_u64(mem, slots + ((uint64_t)stacktop - 1) * 8, awaited);
	}
	*awaited &= ~layout->stackref_tag_bits;
	return err;
}

/* Whether the build has the pointer FIELD and it lies inside the object
 * at OBJECT, as its type's tp_basicsize says (a check of offsets that are
 * not the build's own, such as futureiter.future beside _AsyncioDebug);
 * without tp_basicsize, it is taken to. */
static struct pc_error *field_inside(const struct py_reader *reader, uint64_t object,
				     enum layout_field field, bool *ret)
{
	uint64_t type, size;
	struct pc_error *err;
	int64_t offset;

	*ret = false;
	if (!py_has_field(reader, field))
		return NULL;
	if (!py_has_field(reader, LAYOUT_FIELD(type, tp_basicsize))) {
		*ret = true;
		return NULL;
	}
	err = py_field_value(reader, field, &offset);
	if (!err)
		err = pyobject_type(reader, object, &type);
	if (!err)
		err = py_read_u64(reader, type, LAYOUT_FIELD(type, tp_basicsize), &size);
	if (!err)
		*ret = offset >= 0 && (uint64_t)offset + 8 <= size;
	return err;
}

static struct pc_error *push_frame(struct pyframe_walker *walker, struct py_task *task,
				   size_t *capacity, uint64_t address)
{
	struct pc_error *err;

	if (task->nframes == *capacity) {
		size_t grown_capacity = *capacity ? *capacity * 2 : 8;
		void *grown = realloc(task->frames, grown_capacity * sizeof(*task->frames));

		if (!grown)
			return &pc_error_nomem;
		task->frames = grown;
		*capacity = grown_capacity;
	}
	task->frames[task->nframes] = (struct py_frame){0};
	err = pyframe_describe(walker, address, &task->frames[task->nframes]);
	task->nframes++;
	return err;
}

/* Follow the coroutine chain from CORO, outermost first; *LEAF is the
 * object at its end that is no coroutine (the future awaited), or 0. */
static struct pc_error *walk_chain(struct pyframe_walker *walker, struct py_task *task,
				   uint64_t coro, uint64_t *leaf)
{
	const struct py_reader *reader = &walker->reader;
	struct pc_error *err = NULL;
	size_t capacity = 0;
	struct ptrset seen;
	uint64_t object = coro;

	*leaf = 0;
	ptrset_init(&seen);
	while (object && !err) {
		char type[PYSCAN_TYPE_NAME_MAX];
		uint64_t frame, awaited;
		enum kind kind;
		int added = ptrset_add(&seen, object);

		if (added < 0) {
			err = &pc_error_nomem;
			break;
		}
		if (added == 0) {
			err = pc_error_create(PC_ERR_CORRUPT, "the await chain loops back to %#llx",
					      (unsigned long long)object);
			break;
		}
		err = object_kind(reader, object, &kind, type);
		if (err)
			break;
		if (kind == KIND_ASEND) {
			err = py_read_ptr(reader, object, LAYOUT_FIELD(asend, ags_gen), &object);
			continue;
		}
		if (kind == KIND_FUTURE_ITER) {
			bool inside = false;

			err = field_inside(reader, object, LAYOUT_FIELD(futureiter, future), &inside);
			if (!err && inside)
				err = py_read_ptr(reader, object, LAYOUT_FIELD(futureiter, future), leaf);
			if (err || inside)
				break;
		}
		if (kind != KIND_COROUTINE) {
			*leaf = object;
			break;
		}
		err = gen_frame(reader, object, &frame, &awaited);
		if (err || !frame)
			break;
		if (task->nframes >= walker->max_frames) {
			task->cut = true;
			break;
		}
		err = push_frame(walker, task, &capacity, frame);
		object = awaited;
	}
	ptrset_deinit(&seen);
	if (err && err != &pc_error_nomem)
		err = pc_error_prefix(err, "coroutine chain");
	return err;
}

static struct pc_error *read_task(struct run *run, struct py_task *task)
{
	const struct py_reader *reader = run->reader;
	char type[PYSCAN_TYPE_NAME_MAX];
	struct pc_error *err;
	uint64_t coro = 0, leaf = 0;
	enum kind kind;
	size_t i;

	for (i = 0; i < run->nrunning; i++)
		if (run->running[i].task == task->address) {
			task->running = true;
			if (run->running[i].thread >= 0)
				task->thread = run->running[i].thread;
		}
	err = object_kind(reader, task->address, &kind, type);
	if (!err && !is_task(kind))
		err = pc_error_create(PC_ERR_CORRUPT, "a %s is no task", type);
	if (!err)
		err = task_fields(reader, task, kind, &coro);
	if (!err && coro)
		err = walk_chain(run->walker, task, coro, &leaf);
	/* Without fut_state (_AsyncioDebug has none): a task is done or
	 * cancelled only once its coroutine has ended, so one whose coroutine
	 * still has a frame is pending. */
	if (!err && kind == KIND_C_TASK && !py_has_field(reader, LAYOUT_FIELD(future, state)) &&
	    task->nframes)
		task->state = PY_TASK_PENDING;
	if (!err && !task->waiter)
		task->waiter = leaf;
	if (err)
		return keep_error(run->tasks, &task->error,
				  pc_error_prefix(err, "task at %#llx",
						  (unsigned long long)task->address));
	return NULL;
}

/* ---------------------------------------------------- what tasks await */

/* Tasks by address, for the waits: pairs (address, index), sorted. */
static int compare_pairs(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct pc_error *index_tasks(struct run *run)
{
	size_t i;

	run->index = malloc(run->tasks->ntasks * 2 * sizeof(*run->index) + 1);
	if (!run->index)
		return &pc_error_nomem;
	for (i = 0; i < run->tasks->ntasks; i++) {
		run->index[i * 2] = run->tasks->tasks[i].address;
		run->index[i * 2 + 1] = i;
	}
	qsort(run->index, run->tasks->ntasks, 2 * sizeof(*run->index), compare_pairs);
	return NULL;
}

static int task_index(const struct run *run, uint64_t address)
{
	const uint64_t *found = bsearch(&address, run->index, run->tasks->ntasks,
					2 * sizeof(*run->index), compare_pairs);

	return found ? (int)found[1] : -1;
}

static struct pc_error *add_await(struct py_task *task, size_t index)
{
	size_t *grown;

	if (task->nawaits >= GATHER_MAX) {
		task->awaits_cut = true;
		return NULL;
	}
	grown = realloc(task->awaits, (task->nawaits + 1) * sizeof(*grown));
	if (!grown)
		return &pc_error_nomem;
	task->awaits = grown;
	task->awaits[task->nawaits++] = index;
	return NULL;
}

struct children {
	struct run *run;
	struct py_task *task;
	struct pc_error *err;
};

static bool child_item(void *ctx, uint64_t key, uint64_t value)
{
	struct children *children = ctx;
	int index = task_index(children->run, value);

	(void)key;
	if (index >= 0)
		children->err = add_await(children->task, (size_t)index);
	return !children->err && !children->task->awaits_cut;
}

/* The tasks of a gather() (its _children, a list) or TaskGroup (its
 * _tasks, a set). */
static struct pc_error *gather_children(struct run *run, struct py_task *task, uint64_t gather)
{
	const struct py_reader *reader = run->reader;
	struct children children = {.run = run, .task = task};
	uint64_t list, size, items, i;
	struct pc_error *err;

	err = pyscan_attr(reader, gather, "_children", &list);
	if (err || !list)
		return err;
	/* Without the fields of lists, a gather() shows no children. */
	if (!py_has_field(reader, LAYOUT_FIELD(var, ob_size)) ||
	    !py_has_field(reader, LAYOUT_FIELD(list, ob_item)))
		return NULL;
	err = py_read_u64(reader, list, LAYOUT_FIELD(var, ob_size), &size);
	if (!err)
		err = py_read_ptr(reader, list, LAYOUT_FIELD(list, ob_item), &items);
	for (i = 0; !err && i < size && !task->awaits_cut; i++) {
		uint64_t child;

		if (i == GATHER_MAX) {
			task->awaits_cut = true;
			break;
		}
		err = memory_read_u64(reader->mem, items + i * 8, &child);
		if (!err && !child_item(&children, 0, child))
			err = children.err;
	}
	return err;
}

/* The tasks of the TaskGroup whose __aexit__ is the task's innermost frame:
 * its first variable, self, keeps them in _tasks, a set (3.11+). */
static struct pc_error *group_children(struct run *run, struct py_task *task)
{
	const struct py_reader *reader = run->reader;
	struct children children = {.run = run, .task = task};
	uint64_t group, tasks;
	struct pc_error *err;
	bool cut = false;

	/* Without localsplus (PyFrameObject builds, before TaskGroup), no
	 * children. */
	if (!task->nframes || !py_has_field(reader, LAYOUT_FIELD(iframe, localsplus)))
		return NULL;
	err = py_read_ptr(reader,
			  task->frames[wait_frames(task->frames, task->nframes) - 1].address,
			  LAYOUT_FIELD(iframe, localsplus), &group);
	if (!err && group)
		err = pyscan_attr(reader, group, "_tasks", &tasks);
	else
		tasks = 0;
	if (!err && tasks)
		err = pyscan_set(reader, tasks, child_item, &children, &cut);
	if (!err && cut)
		task->awaits_cut = true;
	return err ? err : children.err;
}

static struct pc_error *classify_wait(struct run *run, struct py_task *task)
{
	char type[PYSCAN_TYPE_NAME_MAX];
	struct pc_error *err;
	enum kind kind;
	int index;

	if (!task->waiter)
		return NULL;
	err = object_kind(run->reader, task->waiter, &kind, type);
	if (err)
		return keep_error(run->tasks, &task->error,
				  pc_error_prefix(err, "the future it awaits"));
	task->waiter_type = strdup(type);
	if (!task->waiter_type)
		return &pc_error_nomem;
	task->wait = wait_classify(is_task(kind), type, task->frames, task->nframes);
	if (task->wait == PY_WAIT_TASK) {
		index = task_index(run, task->waiter);
		return index >= 0 ? add_await(task, (size_t)index) : NULL;
	}
	if (task->wait == PY_WAIT_GATHER) {
		err = gather_children(run, task, task->waiter);
		return err ? keep_error(run->tasks, &task->error, pc_error_prefix(err, "gather()"))
			   : NULL;
	}
	if (task->wait == PY_WAIT_TASK_GROUP) {
		err = group_children(run, task);
		if (err)
			return keep_error(run->tasks, &task->error,
					  pc_error_prefix(err, "task group"));
	}
	return NULL;
}

/* A running task's loop runs in the thread whose ident is its _thread_id. */
static void find_thread(struct run *run, struct py_task *task)
{
	struct pc_error *err;
	uint64_t ident_object = 0;
	int64_t ident;
	size_t i;

	err = pyscan_attr(run->reader, task->loop, "_thread_id", &ident_object);
	if (!err && ident_object)
		err = pyscan_int(run->reader, ident_object, &ident);
	if (err || !ident_object) {
		pc_error_destroy(err);
		return;
	}
	for (i = 0; i < run->nthreads; i++)
		if (run->threads[i].thread_id == (uint64_t)ident &&
		    run->threads[i].interp_index == task->interp_index)
			task->thread = (int64_t)i;
}

bool pytasks_imported(const struct py_reader *reader, const struct py_thread *threads,
		      size_t nthreads)
{
	size_t i;

	for (i = 0; i < nthreads; i++) {
		uint64_t module = 0;
		struct pc_error *err;

		if (!py_first_of_interpreter(threads, i))
			continue;
		err = pyscan_module(reader, threads[i].interp, "asyncio.tasks", &module);
		pc_error_destroy(err);
		if (err || module)
			return true;
	}
	return false;
}

struct pc_error *pytasks_read(struct pyframe_walker *walker, const struct py_thread *threads,
			      size_t nthreads, size_t max_tasks, struct pytasks *ret)
{
	struct run run = {.walker = walker, .reader = &walker->reader, .threads = threads,
			  .nthreads = nthreads, .tasks = ret, .max_tasks = max_tasks};
	struct pc_error *err = NULL;
	size_t i;

	ptrset_init(&run.seen);
	for (i = 0; i < nthreads && !err; i++) {
		if (!py_first_of_interpreter(threads, i))
			continue;
		err = interpreter_tasks(&run, threads[i].interp, threads[i].interp_index);
		if (err)
			err = keep_error(ret, &ret->error, err);
	}
	for (i = 0; i < ret->ntasks && !err; i++) {
		if (deadline_passed(walker->deadline)) {
			err = keep_error(ret, &ret->error,
					 pc_error_create(PC_ERR_LIMIT,
							 "the --timeout deadline passed before "
							 "task %zu of %zu",
							 i + 1, ret->ntasks));
			ret->ntasks = i;
			break;
		}
		err = read_task(&run, &ret->tasks[i]);
	}
	if (!err)
		err = index_tasks(&run);
	for (i = 0; i < ret->ntasks && !err; i++) {
		if (deadline_passed(walker->deadline)) {
			err = keep_error(ret, &ret->tasks[i].error,
					 pc_error_create(PC_ERR_LIMIT,
							 "the --timeout deadline passed before what "
							 "it waits on was read"));
			continue;
		}
		err = classify_wait(&run, &ret->tasks[i]);
		if (!err && ret->tasks[i].running && ret->tasks[i].thread < 0 &&
		    ret->tasks[i].loop)
			find_thread(&run, &ret->tasks[i]);
	}
	ptrset_deinit(&run.seen);
	free(run.running);
	free(run.index);
	return err;
}

void pytasks_deinit(struct pytasks *tasks)
{
	size_t i, j;

	for (i = 0; i < tasks->ntasks; i++) {
		struct py_task *task = &tasks->tasks[i];

		for (j = 0; j < task->nframes; j++) {
			free(task->frames[j].filename);
			free(task->frames[j].name);
			free(task->frames[j].error);
			pylocals_deinit(&task->frames[j]);
		}
		free(task->frames);
		free(task->name);
		free(task->error);
		free(task->waiter_type);
		free(task->awaits);
	}
	free(tasks->tasks);
	free(tasks->error);
	free(tasks->note);
	*tasks = (struct pytasks){0};
}

const char *pytasks_state_name(int state)
{
	static const char *const names[] = {
		[PY_TASK_PENDING] = "pending",
		[PY_TASK_CANCELLED] = "cancelled",
		[PY_TASK_DONE] = "done",
		[PY_TASK_UNKNOWN] = "unknown",
	};

	return state >= 0 && state <= PY_TASK_UNKNOWN ? names[state] : "unknown";
}

const char *pytasks_wait_name(int wait)
{
	static const char *const names[] = {
		[PY_WAIT_NOTHING] = "nothing",
		[PY_WAIT_TASK] = "task",
		[PY_WAIT_GATHER] = "gather",
		[PY_WAIT_TASK_GROUP] = "task group",
		[PY_WAIT_SLEEP] = "sleep",
		[PY_WAIT_LOCK] = "lock",
		[PY_WAIT_SEMAPHORE] = "semaphore",
		[PY_WAIT_EVENT] = "event",
		[PY_WAIT_CONDITION] = "condition",
		[PY_WAIT_QUEUE] = "queue",
		[PY_WAIT_FUTURE] = "future",
	};

	return wait >= 0 && wait <= PY_WAIT_FUTURE ? names[wait] : "future";
}
