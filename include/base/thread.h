/* Worker threads of pycore's own (decoding, compressing). */
#ifndef PYCORE_BASE_THREAD_H
#define PYCORE_BASE_THREAD_H

#include <pthread.h>

/* pthread_create(), the new thread taking no signal: the timers and stop
 * requests of the process are meant for the thread that set them up.
 * Returns pthread_create()'s result. */
int thread_start_unsignalled(pthread_t *thread, void *(*start)(void *), void *arg);

#endif
