#include "asyncio/tasks.h"
#include "asyncio/coroutine.h"
#include "asyncio/wait.h"

#include "base/deadline.h"
#include "base/error.h"
#include "elf/memory.h"
#include "base/ptrset.h"
#include "base/vec.h"
#include "python/frame.h"
#include "python/locals.h"
#include "python/scan.h"
#include "python/interpreters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TASK_NAME_MAX 200
/* Children of a gather() listed. */
#define GATHER_MAX 1000

#define NO_TASK_LAYOUT "no DWARF or _AsyncioDebug of the _asyncio extension"

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

/* ------------------------------------------------------ finding tasks */

static struct pc_error *add_task(struct run *run, uint64_t address, int64_t interp_index)
{
	struct pytasks *tasks = run->tasks;
	struct py_task *grown;
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
	grown = vec_grow(tasks->tasks, &run->capacity, tasks->ntasks + 1, sizeof(*tasks->tasks));
	if (!grown)
		return &pc_error_nomem;
	tasks->tasks = grown;
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
		enum coroutine_kind kind;

		/* A dead weak reference points at None.  An object whose
		 * type cannot be read is kept as a task: reading it says why
		 * it cannot be read. */
		err = coroutine_object_kind(reader, task, &kind, name);
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
	struct running *grown = vec_grow(run->running, &run->running_capacity, run->nrunning + 1,
					 sizeof(*run->running));

	if (!grown) {
		run->nomem = true;
		return false;
	}
	run->running = grown;
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
	uint64_t head = 0;
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
	if (err)
		run->tasks->unknown = true;
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
	enum coroutine_kind kind;
	int64_t number;

	if (!object)
		return NULL;
	err = coroutine_object_kind(reader, object, &kind, type);
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
				    enum coroutine_kind kind, uint64_t *coro)
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

static struct pc_error *read_task(struct run *run, struct py_task *task)
{
	const struct py_reader *reader = run->reader;
	char type[PYSCAN_TYPE_NAME_MAX];
	struct pc_error *err;
	uint64_t coro = 0, leaf = 0;
	enum coroutine_kind kind;
	size_t i;

	for (i = 0; i < run->nrunning; i++)
		if (run->running[i].task == task->address) {
			task->running = true;
			if (run->running[i].thread >= 0)
				task->thread = run->running[i].thread;
		}
	err = coroutine_object_kind(reader, task->address, &kind, type);
	if (!err && !coroutine_kind_is_task(kind))
		err = pc_error_create(PC_ERR_CORRUPT, "a %s is no task", type);
	if (!err)
		err = task_fields(reader, task, kind, &coro);
	if (!err && coro)
		err = coroutine_walk_chain(run->walker, task, coro, &leaf);
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
	enum coroutine_kind kind;
	int index;

	if (!task->waiter)
		return NULL;
	err = coroutine_object_kind(run->reader, task->waiter, &kind, type);
	if (err)
		return keep_error(run->tasks, &task->error,
				  pc_error_prefix(err, "the future it awaits"));
	task->waiter_type = strdup(type);
	if (!task->waiter_type)
		return &pc_error_nomem;
	task->wait = wait_classify(coroutine_kind_is_task(kind), type, task->frames, task->nframes);
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
