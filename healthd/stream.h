/* A non-blocking TCP conversation for the tcp and smtp checks.
 *
 * Failures (refused, reset, unreachable) end the probe's attempt through
 * probe_done() with the reason; the check type only sees the conversation
 * go well: connected, data arrived, the server closed (or filled the
 * buffer, which bounds what a flooding server can make us read). The
 * stream is the probe's op: probe_done() frees it, so a callback that ends
 * the attempt must not touch the stream afterwards. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "io_mux.h"
#include "probe.h"

#define STREAM_IN_MAX 4096

enum stream_event {
	STREAM_CONNECTED,
	STREAM_DATA,      /* more bytes in in[] */
	STREAM_EOF,       /* the server closed, or in[] is full */
};

struct stream;
typedef void (*stream_handler_t)(struct stream *s, enum stream_event ev);

struct stream {
	struct probe *probe;
	stream_handler_t handler;
	int fd;
	struct io_watch watch;
	bool connected;
	int phase;                      /* the check type's conversation state */
	char in[STREAM_IN_MAX];         /* always NUL-terminated */
	size_t in_len;
	char *out;
	size_t out_len, out_sent;
};

/* Connects to p->target; becomes p->op. */
void stream_open(struct probe *p, stream_handler_t handler);
/* Queues bytes to send (copied). */
int stream_send(struct stream *s, const void *data, size_t len);
/* Drops the first n bytes of in[]. */
void stream_consume(struct stream *s, size_t n);
/* Closes a TCP socket with a reset (no TIME_WAIT left behind). */
void socket_abort(int fd);
/* The check type's stop(): frees p->op. */
void stream_stop(struct probe *p);
