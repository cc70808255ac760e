/* The layout of _asyncio's tasks from the offsets CPython publishes for
 * out-of-process debuggers (3.14+): Py_AsyncioModuleDebugOffsets
 * _AsyncioDebug of Modules/_asynciomodule.c, put by
 * GENERATE_DEBUG_SECTION(AsyncioDebug, ...) into a section .AsyncioDebug
 * of the file that holds _asyncio (its own extension module in 3.14, the
 * interpreter in 3.15, where it is built in).  A build without debug files
 * has no DWARF of TaskObj; this is how its tasks are read.
 *
 * The struct has no cookie and no version: three groups of uint64_t, each
 * starting with its struct's size.  Its shape is the same in 3.14 and 3.15;
 * the section's size is the only check that a build has that shape, so a
 * section of another size is refused, and every value is bounded by its
 * struct's size, itself bounded: a core's copy can be corrupt.
 *
 * What the struct does not carry stays LAYOUT_ABSENT: a task's state
 * (fut_state), its loop (fut_loop) and the future it waits on
 * (task_fut_waiter).  Its task_awaited_by (who awaits the task) is not
 * needed: what a task awaits is read at the end of its coroutine chain. */
#include "base/error.h"
#include "layout/layout.h"

#include <string.h>

/* The members, in their order in the struct, 8 bytes each. */
enum member {
	TASK_SIZE,
	TASK_NAME,
	TASK_AWAITED_BY,
	TASK_IS_TASK,
	TASK_AWAITED_BY_IS_SET,
	TASK_CORO,
	TASK_NODE,
	INTERP_SIZE,
	INTERP_TASKS_HEAD,
	TSTATE_SIZE,
	TSTATE_RUNNING_LOOP,
	TSTATE_RUNNING_TASK,
	TSTATE_TASKS_HEAD,
	N_MEMBERS,
};

#define MAX_STRUCT_SIZE (1u << 20)
#define MAX_INTERP_SIZE (16u << 20)

/* A layout field, the member that gives it, the member that is its
 * struct's size, and how many bytes of the field must fit in the struct. */
struct asyncio_field {
	size_t field;
	enum member member;
	enum member size;
	unsigned width;
	const char *name;
};

#define F(field, member, size, width, name) \
	{offsetof(struct py_layout, field), member, size, width, name}

static const struct asyncio_field fields[] = {
	F(task.name, TASK_NAME, TASK_SIZE, 8, "asyncio_task_object.task_name"),
	F(task.coro, TASK_CORO, TASK_SIZE, 8, "asyncio_task_object.task_coro"),
	/* A struct llist_node: next, prev. */
	F(task.node, TASK_NODE, TASK_SIZE, 16, "asyncio_task_object.task_node"),
	F(interp.asyncio_tasks_head, INTERP_TASKS_HEAD, INTERP_SIZE, 16,
	  "asyncio_interpreter_state.asyncio_tasks_head"),
	F(tstate.asyncio_tasks_head, TSTATE_TASKS_HEAD, TSTATE_SIZE, 16,
	  "asyncio_thread_state.asyncio_tasks_head"),
	F(tstate.asyncio_running_task, TSTATE_RUNNING_TASK, TSTATE_SIZE, 8,
	  "asyncio_thread_state.asyncio_running_task"),
};

#undef F

static uint64_t member(const unsigned char *bytes, enum member which)
{
	uint64_t value;

	memcpy(&value, bytes + (size_t)which * 8, 8);
	return value;
}

static struct pc_error *checked_size(const unsigned char *bytes, enum member which,
				     const char *name, uint64_t min, uint64_t max)
{
	uint64_t size = member(bytes, which);

	if (size < min || size > max)
		return pc_error_create(PC_ERR_CORRUPT, "_AsyncioDebug %s.size is %llu", name,
				       (unsigned long long)size);
	return NULL;
}

struct pc_error *layout_asyncio_from_debug_offsets(const void *bytes, size_t size,
						   struct py_layout *ret)
{
	int64_t values[sizeof(fields) / sizeof(fields[0])];
	uint64_t header;
	struct pc_error *err;
	size_t i;

	if (ret->version_hex < PY_HEX(3, 14))
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "_asyncio publishes _AsyncioDebug from 3.14 on");
	if (size != N_MEMBERS * 8)
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "_AsyncioDebug of %zu bytes, where 3.14 and 3.15 have %u: "
				       "its shape is not known",
				       size, N_MEMBERS * 8);
	if (ret->object.ob_type == LAYOUT_ABSENT)
		return pc_error_create(PC_ERR_UNSUPPORTED, "the layout has no PyObject.ob_type");
	/* Every field of a task lies after its object header. */
	header = (uint64_t)ret->object.ob_type + 8;
	err = checked_size(bytes, TASK_SIZE, "asyncio_task_object", header + 8,
			   MAX_STRUCT_SIZE);
	if (!err)
		err = checked_size(bytes, INTERP_SIZE, "asyncio_interpreter_state", 16,
				   MAX_INTERP_SIZE);
	if (!err)
		err = checked_size(bytes, TSTATE_SIZE, "asyncio_thread_state", 16,
				   MAX_STRUCT_SIZE);
	if (err)
		return err;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t offset = member(bytes, fields[i].member);
		uint64_t limit = member(bytes, fields[i].size);
		uint64_t low = fields[i].size == TASK_SIZE ? header : 0;

		if (offset < low || offset > limit - fields[i].width)
			return pc_error_create(PC_ERR_CORRUPT,
					       "_AsyncioDebug %s is %llu, outside its struct of "
					       "%llu bytes",
					       fields[i].name, (unsigned long long)offset,
					       (unsigned long long)limit);
		values[i] = (int64_t)offset;
	}
	/* The build's own offsets replace those of the interpreter's layout,
	 * which may come from the tables of another bug-fix release. */
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		memcpy((char *)ret + fields[i].field, &values[i], sizeof(values[i]));
	/* Not in _AsyncioDebug: futureiterobject is the object header and the
	 * future, in every version of Modules/_asynciomodule.c.  pytasks.c
	 * checks it against each FutureIter's tp_basicsize. */
	ret->futureiter.future = (int64_t)header;
	return NULL;
}
