/* Decoded output handed from the decoding thread to a thread that stores
 * it, so that decompressing a core and writing its copy overlap on two
 * processors: the copy's writes (page allocation in the kernel) cost as
 * much as decompressing does.  A few buffers go round; the decoder fills
 * one while the other thread stores the one before, in order. */
#ifndef PYCORE_INPUT_OUTPUT_QUEUE_H
#define PYCORE_INPUT_OUTPUT_QUEUE_H

#include <stddef.h>

struct pc_error;
struct output_queue;

/* Called, in order, on the queue's own thread, with each buffer pushed. */
typedef void output_consume_fn(void *arg, const unsigned char *buf, size_t len);

/* A queue of buffers of SIZE bytes whose contents CONSUME(ARG, ...) gets.
 * An error when the thread or the buffers cannot be had: the caller then
 * stores in its own thread. */
struct pc_error *output_queue_create(size_t size, output_consume_fn *consume, void *arg,
				     struct output_queue **ret);

/* The buffer to fill next, once the consumer has freed one. */
unsigned char *output_queue_buffer(struct output_queue *q);

/* Hand the buffer output_queue_buffer() gave, with LEN bytes in it. */
void output_queue_push(struct output_queue *q, size_t len);

/* Wait for every buffer pushed to be consumed, then free the queue. */
void output_queue_destroy(struct output_queue *q);

#endif
