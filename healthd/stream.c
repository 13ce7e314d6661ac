/* Non-blocking connect, bounded reads, queued writes. */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "manager.h"

/* Closes with a reset instead of the FIN handshake: a check needs nothing
 * more from the connection, and thousands of checks a second would
 * otherwise leave tens of thousands of sockets in TIME_WAIT on this host,
 * which every new connect must search. */
void socket_abort(int fd)
{
	struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
	close(fd);
}

void stream_stop(struct probe *p)
{
	struct stream *s = p->op;

	if (!s)
		return;
	io_mux_remove(p->manager->mux, &s->watch);
	if (s->fd >= 0)
		socket_abort(s->fd);
	free(s->out);
	free(s);
	p->op = NULL;
}

static void update_events(struct stream *s)
{
	uint32_t events = EPOLLIN;

	if (!s->connected || s->out_sent < s->out_len)
		events |= EPOLLOUT;
	io_mux_modify(s->probe->manager->mux, &s->watch, events);
}

int stream_send(struct stream *s, const void *data, size_t len)
{
	char *out = realloc(s->out, s->out_len + len);

	if (!out)
		return -ENOMEM;
	memcpy(out + s->out_len, data, len);
	s->out = out;
	s->out_len += len;
	return 0;
}

void stream_consume(struct stream *s, size_t n)
{
	if (n > s->in_len)
		n = s->in_len;
	memmove(s->in, s->in + n, s->in_len - n);
	s->in_len -= n;
	s->in[s->in_len] = 0;
}

/* Calls the handler; false when it ended the attempt (s is gone). */
static bool deliver(struct stream *s, enum stream_event ev)
{
	struct probe *p = s->probe;

	s->handler(s, ev);
	return p->op == s;
}

static void on_io(struct io_watch *w, int fd, uint32_t revents, void *userdata)
{
	struct stream *s = userdata;
	struct probe *p = s->probe;

	if (!s->connected) {
		int error = 0;
		socklen_t len = sizeof(error);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
			error = errno;
		if (error) {
			probe_done(p, false, "connect: %s", strerror(error));
			return;
		}
		if (!(revents & EPOLLOUT))
			return;
		s->connected = true;
		if (!deliver(s, STREAM_CONNECTED))
			return;
	}
	while (s->out_sent < s->out_len) {
		ssize_t n = send(fd, s->out + s->out_sent, s->out_len - s->out_sent, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN)
				break;
			probe_done(p, false, "send: %s", strerror(errno));
			return;
		}
		s->out_sent += (size_t)n;
	}
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ssize_t n = recv(fd, s->in + s->in_len, STREAM_IN_MAX - 1 - s->in_len, 0);

		if (n < 0 && errno != EAGAIN) {
			probe_done(p, false, "%s", errno == ECONNRESET ? "connection reset by the server"
								: strerror(errno));
			return;
		}
		if (n > 0) {
			s->in_len += (size_t)n;
			s->in[s->in_len] = 0;
			if (!deliver(s, STREAM_DATA))
				return;
		}
		if (n == 0 || s->in_len >= STREAM_IN_MAX - 1) {
			deliver(s, STREAM_EOF);
			return;
		}
	}
	update_events(s);
}

void stream_open(struct probe *p, stream_handler_t handler)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct sockaddr_storage sa;
	socklen_t salen;
	int r;

	if (!s) {
		probe_done(p, false, "out of memory");
		return;
	}
	s->probe = p;
	s->handler = handler;
	s->watch = (struct io_watch)IO_WATCH_INIT;
	s->fd = socket(p->target.addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	p->op = s;
	if (s->fd < 0) {
		probe_done(p, false, "socket: %s", strerror(errno));
		return;
	}
	salen = endpoint_to_sockaddr(&p->target, &sa);
	if (connect(s->fd, (struct sockaddr *)&sa, salen) < 0 && errno != EINPROGRESS) {
		probe_done(p, false, "connect: %s", strerror(errno));
		return;
	}
	if ((r = io_mux_add(p->manager->mux, &s->watch, s->fd, EPOLLOUT, on_io, s)) < 0)
		probe_done(p, false, "epoll: %s", strerror(-r));
}
