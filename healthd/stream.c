/* Non-blocking connect, bounded reads, queued writes. */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "manager.h"

void stream_stop(struct probe *p)
{
	struct stream *s = p->op;

	if (!s)
		return;
	sd_event_source_disable_unref(s->io);
	if (s->fd >= 0)
		close(s->fd);
	free(s->out);
	free(s);
	p->op = NULL;
}

static void update_events(struct stream *s)
{
	uint32_t events = EPOLLIN;

	if (!s->connected || s->out_sent < s->out_len)
		events |= EPOLLOUT;
	sd_event_source_set_io_events(s->io, events);
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

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
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
			return 0;
		}
		if (!(revents & EPOLLOUT))
			return 0;
		s->connected = true;
		if (!deliver(s, STREAM_CONNECTED))
			return 0;
	}
	while (s->out_sent < s->out_len) {
		ssize_t n = send(fd, s->out + s->out_sent, s->out_len - s->out_sent, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN)
				break;
			probe_done(p, false, "send: %s", strerror(errno));
			return 0;
		}
		s->out_sent += (size_t)n;
	}
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ssize_t n = recv(fd, s->in + s->in_len, STREAM_IN_MAX - 1 - s->in_len, 0);

		if (n < 0 && errno != EAGAIN) {
			probe_done(p, false, "%s", errno == ECONNRESET ? "connection reset by the server"
								: strerror(errno));
			return 0;
		}
		if (n > 0) {
			s->in_len += (size_t)n;
			s->in[s->in_len] = 0;
			if (!deliver(s, STREAM_DATA))
				return 0;
		}
		if (n == 0 || s->in_len >= STREAM_IN_MAX - 1) {
			deliver(s, STREAM_EOF);
			return 0;
		}
	}
	update_events(s);
	return 0;
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
	r = sd_event_add_io(p->manager->event, &s->io, s->fd, EPOLLOUT, on_io, s);
	if (r < 0) {
		probe_done(p, false, "event loop: %s", strerror(-r));
		return;
	}
	sd_event_source_set_description(s->io, "check-stream");
}
