#include "python/frame.h"

#include "base/deadline.h"
#include "base/error.h"
#include "base/ptrset.h"
#include "base/vec.h"
#include "python/collapse.h"
#include "python/locals.h"

#include <stdlib.h>
#include <string.h>

struct frame_ref {
	uint64_t code;		/* the code object, or 0 when unreadable */
	int64_t offset;		/* bytes into the bytecode; negative: not started */
	uint64_t previous;
	int owner;		/* _PyInterpreterFrame.owner, or -1 */
	int is_entry;		/* 3.11's is_entry, or -1 */
};

static struct pc_error *frame_push(struct py_thread *thread, size_t *capacity,
				   struct py_frame **ret)
{
	struct py_frame *grown = vec_grow(thread->frames, capacity, thread->nframes + 1,
					  sizeof(*thread->frames));

	if (!grown)
		return &pc_error_nomem;
	thread->frames = grown;
	*ret = &thread->frames[thread->nframes++];
	**ret = (struct py_frame){0};
	(*ret)->location = (struct py_location){-1, -1, -1, -1};
	return NULL;
}

/* Read the fields of a PyFrameObject (2.7 - 3.10). */
static struct pc_error *read_frame_object(struct pyframe_walker *walker, uint64_t frame,
					  struct frame_ref *ret)
{
	const struct py_reader *reader = &walker->reader;
	struct pc_error *err;
	int32_t lasti;

	*ret = (struct frame_ref){.owner = -1, .is_entry = -1};
	err = py_read_ptr(reader, frame, LAYOUT_FIELD(frame, f_back), &ret->previous);
	if (err)
		return pc_error_prefix(err, "frame at %#llx", (unsigned long long)frame);
	err = py_read_ptr(reader, frame, LAYOUT_FIELD(frame, f_code), &ret->code);
	if (!err)
		err = py_read_i32(reader, frame, LAYOUT_FIELD(frame, f_lasti), &lasti);
	if (err) {
		ret->code = 0;
		return pc_error_prefix(err, "frame at %#llx", (unsigned long long)frame);
	}
	ret->offset = lasti < 0 ? -1 : (int64_t)lasti * reader->layout->lasti_unit;
	return NULL;
}

/* Read the fields of a _PyInterpreterFrame (3.11+). */
static struct pc_error *read_interpreter_frame(struct pyframe_walker *walker, uint64_t frame,
					       struct frame_ref *ret)
{
	const struct py_reader *reader = &walker->reader;
	const struct py_layout *layout = reader->layout;
	struct pc_error *err;
	uint64_t instr, bytecode = 0;
	uint8_t byte;

	*ret = (struct frame_ref){.owner = -1, .is_entry = -1};
	err = py_read_ptr(reader, frame, LAYOUT_FIELD(iframe, previous), &ret->previous);
	if (err)
		return pc_error_prefix(err, "frame at %#llx", (unsigned long long)frame);
	/* owner (3.12+) and is_entry (3.11) are each in some versions only:
	 * -1 where the build has none. */
	if (py_has_field(reader, LAYOUT_FIELD(iframe, owner))) {
		err = py_read_u8(reader, frame, LAYOUT_FIELD(iframe, owner), &byte);
		if (err)
			goto fail;
		ret->owner = byte;
	}
	if (py_has_field(reader, LAYOUT_FIELD(iframe, is_entry))) {
		err = py_read_u8(reader, frame, LAYOUT_FIELD(iframe, is_entry), &byte);
		if (err)
			goto fail;
		ret->is_entry = byte != 0;
	}
	if (layout->iframe_owner_cstack >= 0 && ret->owner >= layout->iframe_owner_cstack)
		return NULL;
	err = py_read_ptr(reader, frame, LAYOUT_FIELD(iframe, code), &ret->code);
	if (!err)
		err = py_read_ptr(reader, frame, LAYOUT_FIELD(iframe, instr), &instr);
	if (err)
		goto fail;
	/* f_executable is a _PyStackRef on 3.14+; never a tagged int. */
	ret->code &= ~layout->stackref_tag_bits;
	err = py_field_address(reader, ret->code, LAYOUT_FIELD(code, co_code_adaptive), &bytecode);
	if (err)
		goto fail;
	ret->offset = (int64_t)(instr - bytecode);
	return NULL;

fail:
	ret->code = 0;
	return pc_error_prefix(err, "frame at %#llx", (unsigned long long)frame);
}

/* The frame the thread state runs now, or 0. */
static struct pc_error *top_frame(struct pyframe_walker *walker, uint64_t tstate,
				  uint64_t *ret)
{
	const struct py_reader *reader = &walker->reader;
	struct pc_error *err;
	uint64_t cframe;

	/* 3.11 and 3.12 reach the frame through a _PyCFrame. */
	if (py_has_field(reader, LAYOUT_FIELD(tstate, cframe))) {
		err = py_read_ptr(reader, tstate, LAYOUT_FIELD(tstate, cframe), &cframe);
		if (err)
			return pc_error_prefix(err, "thread state at %#llx",
					       (unsigned long long)tstate);
		if (!cframe) {
			*ret = 0;
			return NULL;
		}
		err = py_read_ptr(reader, cframe, LAYOUT_FIELD(cframe, current_frame), ret);
		if (err)
			return pc_error_prefix(err, "_PyCFrame at %#llx", (unsigned long long)cframe);
		return NULL;
	}
	err = py_read_ptr(reader, tstate,
			  reader->layout->frame_shape == FRAME_SHAPE_OBJECT
				  ? LAYOUT_FIELD(tstate, frame)
				  : LAYOUT_FIELD(tstate, current_frame),
			  ret);
	if (err)
		return pc_error_prefix(err, "thread state at %#llx", (unsigned long long)tstate);
	return NULL;
}

/* Whether the code pointer of a 3.13+ frame is a code object: f_executable
 * may hold other objects for frames that run no bytecode. */
static bool is_code(struct pyframe_walker *walker, uint64_t code)
{
	struct pc_error *err;
	uint64_t type;

	if (!walker->code_type || walker->reader.layout->frame_shape == FRAME_SHAPE_OBJECT)
		return true;
	err = pyobject_type(&walker->reader, code, &type);
	if (err) {
		pc_error_destroy(err);
		return true;	/* decoding it will report the fault */
	}
	return type == walker->code_type;
}

static struct pc_error *describe_frame(struct pyframe_walker *walker, uint64_t address,
				       const struct frame_ref *ref, struct py_frame *frame)
{
	const struct py_code *code;
	struct pc_error *err;

	frame->address = address;
	err = pycode_get(walker->codes, ref->code, &code);
	if (!err)
		err = pycode_location(&walker->reader, code, ref->offset, &frame->location);
	if (err)
		return pc_error_keep(&frame->error, err);
	frame->filename = strdup(code->filename);
	frame->name = strdup(code->name);
	if (!frame->filename || !frame->name)
		return &pc_error_nomem;
	walker->text += strlen(frame->filename) + strlen(frame->name);
	if (walker->locals) {
		size_t i;

		err = pylocals_read(walker->locals, address, ref->code, frame);
		for (i = 0; !err && i < frame->nlocals; i++)
			walker->text += strlen(frame->locals[i].name) +
					strlen(frame->locals[i].repr);
		return err;
	}
	return NULL;
}

/* One frame of the chain, read but not yet described. */
struct link {
	uint64_t address;
	struct frame_ref ref;
	bool is_entry;
	struct pc_error *err;	/* it could not be read: why */
};

struct chain {
	struct link *links;
	size_t nlinks, capacity;
	struct frame_pick *picks;
	size_t npicks;
};

static void chain_deinit(struct chain *chain)
{
	size_t i;

	for (i = 0; i < chain->nlinks; i++)
		pc_error_destroy(chain->links[i].err);
	free(chain->links);
	free(chain->picks);
}

static struct pc_error *link_push(struct chain *chain, struct link **ret)
{
	struct link *grown = vec_grow(chain->links, &chain->capacity, chain->nlinks + 1,
				      sizeof(*chain->links));

	if (!grown)
		return &pc_error_nomem;
	chain->links = grown;
	*ret = &chain->links[chain->nlinks++];
	**ret = (struct link){0};
	return NULL;
}

/* Follow the chain from the thread state's top frame to its end (or to a
 * loop, the deadline, PYFRAME_MAX_CHAIN links), reading each frame's code
 * and position but not decoding them. */
static struct pc_error *read_chain(struct pyframe_walker *walker, uint64_t tstate,
				   struct py_thread *thread, struct chain *chain)
{
	const struct py_layout *layout = walker->reader.layout;
	struct pc_error *err, *fatal = NULL;
	struct link *link = NULL;
	struct ptrset seen;
	uint64_t address;

	err = top_frame(walker, tstate, &address);
	if (err)
		return pc_error_keep(&thread->error, err);
	ptrset_init(&seen);
	while (address && !fatal) {
		struct frame_ref ref;
		int added = ptrset_add(&seen, address);

		if (added < 0) {
			fatal = &pc_error_nomem;
			break;
		}
		if (added == 0) {
			fatal = pc_error_keep(&thread->error,
					      pc_error_create(PC_ERR_CORRUPT,
							      "the frame chain loops back to %#llx",
							      (unsigned long long)address));
			break;
		}
		if (deadline_passed(walker->deadline)) {
			fatal = pc_error_keep(&thread->error,
					      pc_error_create(PC_ERR_LIMIT,
							      "the --timeout deadline passed at the "
							      "frame at %#llx",
							      (unsigned long long)address));
			break;
		}
		err = layout->frame_shape == FRAME_SHAPE_OBJECT
			      ? read_frame_object(walker, address, &ref)
			      : read_interpreter_frame(walker, address, &ref);
		if (!err && layout->iframe_owner_cstack >= 0 &&
		    ref.owner >= layout->iframe_owner_cstack) {
			/* A shim: the frame below it was the entry frame. */
			if (link)
				link->is_entry = true;
			address = ref.previous;
			continue;
		}
		if (!err && ref.code && !is_code(walker, ref.code)) {
			address = ref.previous;
			continue;
		}
		if (chain->nlinks >= PYFRAME_MAX_CHAIN) {
			pc_error_destroy(err);
			thread->cut = true;
			break;
		}
		fatal = link_push(chain, &link);
		if (fatal) {
			pc_error_destroy(err);
			break;
		}
		link->address = address;
		link->ref = ref;
		link->is_entry = ref.is_entry == 1;
		link->err = err;
		/* Not even the link to the caller could be read. */
		if (err && !ref.code && !ref.previous)
			break;
		address = ref.previous;
	}
	ptrset_deinit(&seen);
	return fatal;
}

struct pc_error *pyframe_describe(struct pyframe_walker *walker, uint64_t address,
				  struct py_frame *frame)
{
	struct frame_ref ref;
	struct pc_error *err;

	frame->address = address;
	frame->location = (struct py_location){-1, -1, -1, -1};
	err = walker->reader.layout->frame_shape == FRAME_SHAPE_OBJECT
		      ? read_frame_object(walker, address, &ref)
		      : read_interpreter_frame(walker, address, &ref);
	if (err)
		return pc_error_keep(&frame->error, err);
	return describe_frame(walker, address, &ref, frame);
}

/* The links to describe, in order: every link, or with COLLAPSE each
 * repeated block once (collapse.h). */
static struct pc_error *pick_links(struct chain *chain, bool collapse)
{
	struct frame_place *places;
	size_t i;

	places = calloc(chain->nlinks ? chain->nlinks : 1, sizeof(*places));
	chain->picks = calloc(chain->nlinks ? chain->nlinks : 1, sizeof(*chain->picks));
	if (!places || !chain->picks) {
		free(places);
		return &pc_error_nomem;
	}
	for (i = 0; i < chain->nlinks; i++)
		places[i] = (struct frame_place){.code = chain->links[i].ref.code,
						 .offset = chain->links[i].ref.offset,
						 .unreadable = chain->links[i].err != NULL};
	chain->npicks = frame_collapse(places, chain->nlinks, collapse, chain->picks);
	free(places);
	return NULL;
}

static struct pc_error *frame_from_pick(struct pyframe_walker *walker, struct py_thread *thread,
					size_t *capacity, struct chain *chain,
					const struct frame_pick *pick)
{
	struct link *link = &chain->links[pick->index];
	struct py_frame *frame;
	struct pc_error *err;

	err = frame_push(thread, capacity, &frame);
	if (err)
		return err;
	frame->address = link->address;
	frame->is_entry = link->is_entry;
	frame->repeat_period = pick->period;
	frame->repeat_count = pick->repeats;
	if (link->err) {
		err = link->err;
		link->err = NULL;
		return pc_error_keep(&frame->error, err);
	}
	return describe_frame(walker, link->address, &link->ref, frame);
}

struct pc_error *pyframe_walk(struct pyframe_walker *walker, uint64_t tstate,
			      struct py_thread *thread)
{
	struct chain chain = {0};
	struct pc_error *fatal;
	size_t capacity = 0, keep, head, tail, i, kept_links = 0;

	fatal = read_chain(walker, tstate, thread, &chain);
	if (!fatal)
		fatal = pick_links(&chain, walker->collapse);
	if (fatal)
		goto out;
	thread->total_frames = chain.nlinks;
	keep = walker->max_frames > PYFRAME_MIN_FRAMES ? walker->max_frames : PYFRAME_MIN_FRAMES;
	frame_cut(chain.npicks, keep, walker->collapse, &head, &tail);
	for (i = 0; i < chain.npicks && !fatal; i++) {
		const struct frame_pick *pick = &chain.picks[i];

		if (i >= head && i < chain.npicks - tail)
			continue;
		if (walker->text > PYFRAME_MAX_TEXT) {
			fatal = pc_error_keep(&thread->error,
					      pc_error_create(PC_ERR_LIMIT,
							      "the frames read hold more than %u MiB of "
							      "names and values: no more are read",
							      PYFRAME_MAX_TEXT >> 20));
			break;
		}
		fatal = frame_from_pick(walker, thread, &capacity, &chain, pick);
		kept_links += 1 + pick->period * pick->repeats;
		if (i + 1 == head)
			thread->nhead = thread->nframes;
	}
	if (i == chain.npicks && head < chain.npicks) {
		thread->omitted = chain.nlinks - kept_links;
		thread->cut = true;
	}
	if (thread->nhead == 0 || thread->nhead > thread->nframes)
		thread->nhead = thread->nframes;
out:
	chain_deinit(&chain);
	return fatal;
}
