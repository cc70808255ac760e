/* What a thread's Python thread states other than the one it runs say:
 * the name the program gave a thread that now runs a subinterpreter, the
 * frames it runs further down its stack, and the parent process that the
 * states a child inherited through fork() name.  Functions over the walk's
 * thread states and the ones no thread runs now (UNMATCHED). */
#ifndef PYCORE_ANALYSIS_THREAD_STATES_H
#define PYCORE_ANALYSIS_THREAD_STATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct core;
struct pc_error;
struct python;
struct py_frame;
struct py_thread;

/* The state whose name thread NUMBER (1-based), running RUNS, goes by: a
 * state of the main interpreter it keeps while it runs a subinterpreter,
 * else RUNS. */
const struct py_thread *thread_states_named(const struct python *python, size_t number,
					    const struct py_thread *runs);

/* For thread NUMBER running RUNS in a subinterpreter: *RET, RUNS with the
 * frames of its other states after its own (shallow copies; RET->frames
 * is allocated, NULL when there are none).  Errors are for out-of-memory. */
struct pc_error *thread_states_stack(const struct py_thread *const *unmatched, size_t nunmatched,
				     size_t number, const struct py_thread *runs,
				     struct py_thread *ret);

/* The frame at INDEX of what thread_states_stack() stacked: *STATE is -1
 * for one of RUNS, else the index in UNMATCHED of its state, *FRAME its
 * index there. */
const struct py_frame *thread_states_frame(const struct py_thread *const *unmatched,
					   size_t nunmatched, size_t number,
					   const struct py_thread *runs, size_t index,
					   int64_t *state, size_t *frame);

/* The parent process of CORE: pr_ppid, unless the main thread state the
 * child inherited through fork() names another (pr_ppid is then the
 * parent's thread that forked: *FORKING_THREAD, else 0); *INHERITED: that
 * state is there. */
void thread_states_parent(const struct core *core, const struct py_thread *const *unmatched,
			  size_t nunmatched, int *parent_pid, int *forking_thread,
			  bool *inherited);

#endif
