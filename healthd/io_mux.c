/* One epoll set, harvested in batches. */
#include "io_mux.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define IO_MUX_BATCH 512

struct io_mux {
	int epfd;
	sd_event_source *source;
	struct epoll_event batch[IO_MUX_BATCH];
	int batch_n, batch_i;           /* events harvested, next to handle */
};

static int on_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct io_mux *m = userdata;

	/* Bounded per wake-up: timers and other sources get their turn; what
	 * is left is harvested at the next one (level-triggered). */
	m->batch_n = epoll_wait(m->epfd, m->batch, IO_MUX_BATCH, 0);
	for (m->batch_i = 0; m->batch_i < m->batch_n; m->batch_i++) {
		struct io_watch *w = m->batch[m->batch_i].data.ptr;

		if (w)
			w->handler(w, w->fd, m->batch[m->batch_i].events, w->userdata);
	}
	m->batch_n = m->batch_i = 0;
	return 0;
}

int io_mux_new(sd_event *e, struct io_mux **ret)
{
	struct io_mux *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epfd < 0) {
		r = -errno;
		free(m);
		return r;
	}
	if ((r = sd_event_add_io(e, &m->source, m->epfd, EPOLLIN, on_ready, m)) < 0) {
		io_mux_free(m);
		return r;
	}
	sd_event_source_set_description(m->source, "check-sockets");
	*ret = m;
	return 0;
}

void io_mux_free(struct io_mux *m)
{
	if (!m)
		return;
	sd_event_source_disable_unref(m->source);
	if (m->epfd >= 0)
		close(m->epfd);
	free(m);
}

int io_mux_add(struct io_mux *m, struct io_watch *w, int fd, uint32_t events, io_watch_handler_t handler,
	       void *userdata)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fd = fd;
	w->handler = handler;
	w->userdata = userdata;
	return epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int io_mux_modify(struct io_mux *m, struct io_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(m->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0 ? -errno : 0;
}

void io_mux_remove(struct io_mux *m, struct io_watch *w)
{
	if (w->fd < 0)
		return;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	/* An event of w may still wait in the batch being handled. */
	for (int i = m->batch_i + 1; i < m->batch_n; i++)
		if (m->batch[i].data.ptr == w)
			m->batch[i].data.ptr = NULL;
	w->fd = -1;
}
