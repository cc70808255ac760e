#include "base/thread.h"

#include <signal.h>

int thread_start_unsignalled(pthread_t *thread, void *(*start)(void *), void *arg)
{
	sigset_t all, old;
	int started;

	/* The new thread inherits the mask in force when it is made. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = pthread_create(thread, NULL, start, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}
