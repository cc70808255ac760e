/* A thread's pthread_self(), which CPython records in each thread state
 * and pycore shows and matches threads by.
 *
 * On x86_64 it is the thread pointer (fs_base), which every core has.  On
 * aarch64 glibc's struct pthread lies below the thread pointer by its own
 * size, which changes with glibc's version, and qemu-user's cores hold no
 * thread pointer at all: there an id the program recorded for the thread
 * is taken once glibc's struct at that address says it is the thread's. */
#ifndef PYCORE_ELF_PTHREAD_H
#define PYCORE_ELF_PTHREAD_H

#include <stdint.h>

struct core;
struct core_thread;
struct memory;

/* THREAD's pthread_self(): from its thread pointer where the core and its
 * architecture say it; else CANDIDATE when the tid glibc keeps in the
 * struct pthread at CANDIDATE is THREAD's LWP; else 0. */
uint64_t pthread_of_thread(const struct core *core, struct memory *mem,
			   const struct core_thread *thread, uint64_t candidate);

#endif
