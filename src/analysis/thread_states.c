#include "analysis/thread_states.h"

#include "base/error.h"
#include "elf/core.h"
#include "python/python.h"

#include <stdlib.h>
#include <string.h>

const struct py_thread *thread_states_named(const struct python *python, size_t number,
					    const struct py_thread *runs)
{
	size_t j;

	for (j = 0; runs && runs->interp_index > 0 && j < python->nthreads; j++)
		if (python->threads[j].owner == number && python->threads[j].interp_index == 0 &&
		    python->threads[j].name)
			return &python->threads[j];
	return runs;
}

struct pc_error *thread_states_stack(const struct py_thread *const *unmatched, size_t nunmatched,
				     size_t number, const struct py_thread *runs,
				     struct py_thread *ret)
{
	size_t i, n;

	*ret = (struct py_thread){0};
	if (!runs || runs->interp_index == 0)
		return NULL;
	n = runs->nframes;
	for (i = 0; i < nunmatched; i++)
		if (unmatched[i]->owner == number)
			n += unmatched[i]->nframes;
	if (n == runs->nframes)
		return NULL;
	*ret = *runs;
	ret->frames = calloc(n, sizeof(*ret->frames));
	if (!ret->frames)
		return &pc_error_nomem;
	memcpy(ret->frames, runs->frames, runs->nframes * sizeof(*ret->frames));
	n = runs->nframes;
	for (i = 0; i < nunmatched; i++) {
		if (unmatched[i]->owner != number)
			continue;
		memcpy(ret->frames + n, unmatched[i]->frames,
		       unmatched[i]->nframes * sizeof(*ret->frames));
		n += unmatched[i]->nframes;
		ret->cut |= unmatched[i]->cut;
	}
	ret->nframes = n;
	return NULL;
}

const struct py_frame *thread_states_frame(const struct py_thread *const *unmatched,
					   size_t nunmatched, size_t number,
					   const struct py_thread *runs, size_t index,
					   int64_t *state, size_t *frame)
{
	size_t i;

	*state = -1;
	*frame = index;
	if (index < runs->nframes)
		return &runs->frames[index];
	index -= runs->nframes;
	for (i = 0; i < nunmatched; i++) {
		if (unmatched[i]->owner != number)
			continue;
		if (index < unmatched[i]->nframes) {
			*state = (int64_t)i;
			*frame = index;
			return &unmatched[i]->frames[index];
		}
		index -= unmatched[i]->nframes;
	}
	return NULL;
}

void thread_states_parent(const struct core *core, const struct py_thread *const *unmatched,
			  size_t nunmatched, int *parent_pid, int *forking_thread,
			  bool *inherited)
{
	size_t i;

	*parent_pid = core->psinfo.ppid;
	*forking_thread = 0;
	*inherited = false;
	for (i = 0; core->has_psinfo && i < nunmatched; i++) {
		const struct py_thread *state = unmatched[i];

		if (state->owner || state->interp_index != 0 || !state->name ||
		    strcmp(state->name, "MainThread") != 0 || !state->native_thread_id ||
		    state->native_thread_id > INT32_MAX)
			continue;
		*inherited = true;
		if ((int)state->native_thread_id != core->psinfo.ppid) {
			*parent_pid = (int)state->native_thread_id;
			*forking_thread = core->psinfo.ppid;
		}
	}
}
