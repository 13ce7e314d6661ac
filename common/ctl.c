/* Control socket server on sd-event, and a small blocking client. */
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

#define CTL_GROUP "lvsd"
/* A peer gets this long to take one whole answer (a snapshot is many
 * records), so a slow reader cannot hold the event loop. */
#define CTL_ANSWER_USEC (2 * 1000000ULL)
#define CTL_SEND_TIMEOUT_SEC 1

struct ctl_peer {
	struct ctl_server *server;
	struct ctl_peer *next;
	sd_event_source *io;
	int fd;
	bool subscribed;
	bool refused;
	bool failed;
	bool busy;                /* its request is being handled: freed after */
	uint64_t deadline;        /* CLOCK_MONOTONIC usec: the current answer's */
};

struct ctl_server {
	sd_event *event;
	sd_event_source *listener;
	int fd;
	char *path;
	gid_t group;
	bool has_group;
	bool bound;               /* the path is ours to remove */
	ctl_request_handler_t handler;
	void *userdata;
	struct ctl_peer *peers;
};

static void peer_free(struct ctl_peer *p)
{
	struct ctl_peer **pp;

	for (pp = &p->server->peers; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	sd_event_source_disable_unref(p->io);
	close(p->fd);
	free(p);
}

/* Root, or the lvsd group as primary or supplementary group. */
static bool peer_allowed(const struct ctl_server *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	if (cred.uid == 0)
		return true;
	if (!s->has_group)
		return false;
	if (cred.gid == s->group)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == s->group)
			return true;
	return false;
}

int ctl_peer_send(struct ctl_peer *p, const struct ipc_message *m)
{
	uint8_t buf[IPC_MAX_MESSAGE];
	int n = ipc_encode(m, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (p->failed)
		return -EPIPE;
	if (monotonic_usec() > p->deadline) {
		p->failed = true;
		return -ETIMEDOUT;
	}
	if (send(p->fd, buf, (size_t)n, MSG_NOSIGNAL) != n) {
		p->failed = true;
		return -errno;
	}
	return 0;
}

int ctl_peer_send_error(struct ctl_peer *p, int error, const char *fmt, ...)
{
	struct ipc_message e = { .type = IPC_MSG_ERROR, .error.error = error };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.error.text, sizeof(e.error.text), fmt, ap);
	va_end(ap);
	return ctl_peer_send(p, &e);
}

void ctl_peer_request_failed(struct ctl_peer *p, const struct ipc_message *req, int r)
{
	if (r < 0 && r != -EPIPE)
		ctl_peer_send_error(p, r, "%s request failed: %s", ipc_type_to_string(req->type) ?: "unknown",
				    strerror(-r));
}

void ctl_peer_subscribe(struct ctl_peer *p)
{
	p->subscribed = true;
}

bool ctl_server_has_subscribers(const struct ctl_server *s)
{
	for (const struct ctl_peer *p = s->peers; p; p = p->next)
		if (p->subscribed)
			return true;
	return false;
}

void ctl_server_for_each_subscriber(struct ctl_server *s, int (*fn)(struct ctl_peer *p, void *userdata),
				    void *userdata)
{
	struct ctl_peer *p, *next;

	for (p = s->peers; p; p = next) {
		next = p->next;
		if (!p->subscribed)
			continue;
		p->deadline = monotonic_usec() + CTL_ANSWER_USEC;
		if (fn(p, userdata) < 0)
			p->failed = true;
		/* A peer whose own request caused this publication (a reload
		 * it asked for) is freed once its handler returns. */
		if (p->failed && !p->busy)
			peer_free(p);
	}
}

static int on_peer_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct ctl_peer *p = userdata;
	uint8_t buf[IPC_MAX_MESSAGE];
	struct ipc_message m;
	ssize_t n;
	int r;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		peer_free(p);
		return 0;
	}
	if ((size_t)n > sizeof(buf))
		r = -EMSGSIZE;
	else
		r = ipc_decode(buf, (size_t)n, &m);
	if (p->refused)
		r = -EACCES;
	else if (r == 0 && m.type >= IPC_MSG_ERROR)
		r = -EOPNOTSUPP;  /* a daemon's message, not a request */
	if (r < 0) {
		p->deadline = monotonic_usec() + CTL_ANSWER_USEC;
		if (r == -EACCES)
			ctl_peer_send_error(p, r, "permission denied: only root and group %s", CTL_GROUP);
		else
			ctl_peer_send_error(p, r, "invalid request: %s", strerror(-r));
		peer_free(p);
		return 0;
	}
	p->deadline = monotonic_usec() + CTL_ANSWER_USEC;
	p->busy = true;
	p->server->handler(p, &m, p->server->userdata);
	p->busy = false;
	if (p->failed)
		peer_free(p);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct ctl_server *s = userdata;
	struct timeval tv = { .tv_sec = CTL_SEND_TIMEOUT_SEC };
	struct ctl_peer *p;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	/* Answers are sent blocking, but a peer that stops reading is dropped
	 * after a bounded wait rather than stalling the daemon. */
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(cfd);
		return 0;
	}
	*p = (struct ctl_peer){ .server = s, .fd = cfd, .next = s->peers };
	/* A refused peer still gets its request read and answered with the
	 * reason: hanging up on unread data would only show it a reset. */
	if (!peer_allowed(s, cfd)) {
		log_warning("control socket %s: refused a peer that is neither root nor in group %s",
			    s->path, CTL_GROUP);
		p->refused = true;
	}
	r = sd_event_add_io(s->event, &p->io, cfd, EPOLLIN, on_peer_io, p);
	if (r < 0) {
		close(cfd);
		free(p);
		return 0;
	}
	sd_event_source_set_description(p->io, "control-peer");
	s->peers = p;
	return 0;
}

int ctl_server_new(sd_event *e, const char *path, ctl_request_handler_t handler, void *userdata,
		   struct ctl_server **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *s;
	mode_t old_umask;
	int other, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->event = sd_event_ref(e);
	s->handler = handler;
	s->userdata = userdata;
	s->fd = -1;
	s->path = strdup(path);
	strcpy(sa.sun_path, path);

	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0 || !s->path) {
		r = s->path ? -errno : -ENOMEM;
		goto fail;
	}
	/* A socket left by a daemon that was killed would block bind(); one
	 * that still answers belongs to a running instance. */
	if (ctl_connect(path, &other) == 0) {
		close(other);
		r = -EADDRINUSE;
		goto fail;
	}
	unlink(path);
	old_umask = umask(0117);
	r = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	s->bound = r == 0;
	if (r < 0 || listen(s->fd, 16) < 0) {
		r = -errno;
		goto fail;
	}
	if ((r = sd_event_add_io(e, &s->listener, s->fd, EPOLLIN, on_accept, s)) < 0)
		goto fail;
	sd_event_source_set_description(s->listener, "control-socket");
	*ret = s;
	return 0;
fail:
	ctl_server_free(s);
	return r;
}

void ctl_server_open_to_group(struct ctl_server *s)
{
	struct group *g = getgrnam(CTL_GROUP);

	if (!g)
		return;
	s->group = g->gr_gid;
	s->has_group = true;
	if (chown(s->path, 0, s->group) < 0)
		log_warning("control socket %s: cannot give it to group %s: %m", s->path, CTL_GROUP);
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->peers)
		peer_free(s->peers);
	sd_event_source_disable_unref(s->listener);
	if (s->fd >= 0)
		close(s->fd);
	if (s->bound)
		unlink(s->path);
	sd_event_unref(s->event);
	free(s->path);
	free(s);
}

int ctl_connect(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int ctl_send(int fd, const struct ipc_message *m)
{
	uint8_t buf[IPC_MAX_MESSAGE];
	int n = ipc_encode(m, buf, sizeof(buf));

	if (n < 0)
		return n;
	return send(fd, buf, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -errno;
}

int ctl_recv(int fd, struct ipc_message *m, int timeout_ms)
{
	uint8_t buf[IPC_MAX_MESSAGE];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n > sizeof(buf))
		return -EMSGSIZE;
	return ipc_decode(buf, (size_t)n, m);
}
