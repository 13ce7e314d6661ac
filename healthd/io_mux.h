/* Many short-lived sockets on one sd-event source.
 *
 * sd-event dispatches one source per loop iteration and polls its epoll
 * set before each, so with a thousand check sockets ready at once (the
 * first second after start, a burst of answers) every socket dispatched
 * costs a poll of all the others, and a backlog feeds itself. The check
 * sockets live in an epoll set of their own instead, registered as one
 * source: one wake-up harvests and handles every ready socket, each once.
 * Level-triggered, as libcurl expects. */
#pragma once

#include <stdint.h>
#include <sys/epoll.h>
#include <systemd/sd-event.h>

struct io_mux;
struct io_watch;

typedef void (*io_watch_handler_t)(struct io_watch *w, int fd, uint32_t revents, void *userdata);

struct io_watch {
	int fd;
	io_watch_handler_t handler;
	void *userdata;
};

/* A watch not (or no longer) added. */
#define IO_WATCH_INIT { .fd = -1 }

int io_mux_new(sd_event *e, struct io_mux **ret);
void io_mux_free(struct io_mux *m);

/* Watches fd for events (EPOLLIN, EPOLLOUT); w must stay put until removed. */
int io_mux_add(struct io_mux *m, struct io_watch *w, int fd, uint32_t events, io_watch_handler_t handler,
	       void *userdata);
int io_mux_modify(struct io_mux *m, struct io_watch *w, uint32_t events);
/* Stops watching; safe from any handler, for any watch (a pending event of
 * a removed watch is dropped). Call before closing the fd. */
void io_mux_remove(struct io_mux *m, struct io_watch *w);
