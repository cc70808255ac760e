#include "input/output_queue.h"

#include "base/error.h"
#include "base/thread.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One being filled, one being stored, one ready between them. */
#define QUEUE_BUFFERS 3

struct output_queue {
	output_consume_fn *consume;
	void *arg;
	unsigned char *buffers[QUEUE_BUFFERS];
	size_t lengths[QUEUE_BUFFERS];
	unsigned head;		/* the oldest buffer pushed */
	unsigned count;		/* buffers pushed, not yet consumed */
	bool done;		/* nothing more will be pushed */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_t thread;
};

static void *consume_all(void *arg)
{
	struct output_queue *q = arg;
	unsigned at;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->count == 0 && !q->done)
			pthread_cond_wait(&q->changed, &q->lock);
		if (q->count == 0)
			break;
		at = q->head;
		pthread_mutex_unlock(&q->lock);
		q->consume(q->arg, q->buffers[at], q->lengths[at]);
		pthread_mutex_lock(&q->lock);
		q->head = (q->head + 1) % QUEUE_BUFFERS;
		q->count--;
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void free_queue(struct output_queue *q)
{
	unsigned i;

	for (i = 0; i < QUEUE_BUFFERS; i++)
		free(q->buffers[i]);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->changed);
	free(q);
}

struct pc_error *output_queue_create(size_t size, output_consume_fn *consume, void *arg,
				     struct output_queue **ret)
{
	struct output_queue *q = calloc(1, sizeof(*q));
	unsigned i;
	int started;

	if (!q)
		return &pc_error_nomem;
	q->consume = consume;
	q->arg = arg;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->changed, NULL);
	for (i = 0; i < QUEUE_BUFFERS; i++)
		if (!(q->buffers[i] = malloc(size))) {
			free_queue(q);
			return &pc_error_nomem;
		}
	started = thread_start_unsignalled(&q->thread, consume_all, q);
	if (started != 0) {
		free_queue(q);
		return pc_error_create(PC_ERR_IO, "pthread_create: %s", strerror(started));
	}
	*ret = q;
	return NULL;
}

unsigned char *output_queue_buffer(struct output_queue *q)
{
	unsigned at;

	pthread_mutex_lock(&q->lock);
	while (q->count == QUEUE_BUFFERS)
		pthread_cond_wait(&q->changed, &q->lock);
	at = (q->head + q->count) % QUEUE_BUFFERS;
	pthread_mutex_unlock(&q->lock);
	return q->buffers[at];
}

void output_queue_push(struct output_queue *q, size_t len)
{
	pthread_mutex_lock(&q->lock);
	q->lengths[(q->head + q->count) % QUEUE_BUFFERS] = len;
	q->count++;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

void output_queue_destroy(struct output_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->done = true;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	free_queue(q);
}
