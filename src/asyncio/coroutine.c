/* What the objects of asyncio are, and the chain of coroutines a task
 * runs: from its coroutine, through each one's frame and what it awaits,
 * to the future at the end. */
#include "asyncio/coroutine.h"

#include "base/error.h"
#include "base/ptrset.h"
#include "base/vec.h"
#include "elf/memory.h"
#include "python/frame.h"
#include "python/object.h"

#include <stdlib.h>
#include <string.h>

/* Base classes looked at to tell a task or a future. */
#define TYPE_CHAIN_MAX 32

struct pc_error *coroutine_object_kind(const struct py_reader *reader, uint64_t object,
				       enum coroutine_kind *ret, char name[PYSCAN_TYPE_NAME_MAX])
{
	static const struct {
		const char *name;
		enum coroutine_kind kind;
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

bool coroutine_kind_is_task(enum coroutine_kind kind)
{
	return kind == KIND_C_TASK || kind == KIND_PY_TASK;
}

/* The frame of the generator or coroutine at GEN (0: it has finished),
 * and what it awaits now (0: nothing, or it is running). */
static struct pc_error *gen_frame(const struct py_reader *reader, uint64_t gen, uint64_t *frame,
				  uint64_t *awaited)
{
	const struct py_layout *layout = reader->layout;
	struct memory *mem = reader->mem;
	struct pc_error *err = NULL;
	uint64_t top = 0, code, bytes, bytecode = 0, instr, slots = 0;
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
	struct py_frame *grown = vec_grow(task->frames, capacity, task->nframes + 1,
					  sizeof(*task->frames));
	struct pc_error *err;

	if (!grown)
		return &pc_error_nomem;
	task->frames = grown;
	task->frames[task->nframes] = (struct py_frame){0};
	err = pyframe_describe(walker, address, &task->frames[task->nframes]);
	task->nframes++;
	return err;
}

struct pc_error *coroutine_walk_chain(struct pyframe_walker *walker, struct py_task *task,
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
		enum coroutine_kind kind;
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
		err = coroutine_object_kind(reader, object, &kind, type);
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
