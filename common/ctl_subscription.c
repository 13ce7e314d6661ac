/* Subscriber side of the control sockets. */
#include "ctl_subscription.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"
#include "log.h"

#define RETRY_USEC 1000000ULL

struct ctl_subscription {
	sd_event *event;
	char *path;
	struct ctl_subscription_handlers h;
	void *userdata;
	int fd;
	bool connected;
	bool ever_tried;
	sd_event_source *io, *retry;
};

static void try_connect(struct ctl_subscription *s);

static void drop(struct ctl_subscription *s, int error)
{
	s->io = sd_event_source_disable_unref(s->io);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->connected || !s->ever_tried) {
		s->connected = false;
		s->ever_tried = true;
		s->h.on_connection(false, error, s->userdata);
	}
	sd_event_source_set_time_relative(s->retry, RETRY_USEC);
	sd_event_source_set_enabled(s->retry, SD_EVENT_ONESHOT);
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct ctl_subscription *s = userdata;
	uint8_t buf[IPC_MAX_MESSAGE];

	/* A bounded batch per wake-up: a snapshot of thousands of records
	 * must not starve the rest of the loop. */
	for (int i = 0; i < 1024; i++) {
		struct ipc_message m;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		int r;

		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			drop(s, n == 0 ? -ECONNRESET : -errno);
			return 0;
		}
		if ((r = ipc_decode(buf, (size_t)n, &m)) < 0) {
			/* One daemon, one version: a bad record means the
			 * stream cannot be trusted; start over. */
			drop(s, r);
			return 0;
		}
		s->h.on_message(&m, s->userdata);
		if (s->fd != fd)
			return 0;
	}
	return 0;
}

static void try_connect(struct ctl_subscription *s)
{
	struct ipc_message req = { .type = IPC_REQ_SUBSCRIBE };
	int r;

	if ((r = ctl_connect(s->path, &s->fd)) < 0) {
		s->fd = -1;
		drop(s, r);
		return;
	}
	fcntl(s->fd, F_SETFL, O_NONBLOCK);
	if ((r = ctl_send(s->fd, &req)) < 0 ||
	    (r = sd_event_add_io(s->event, &s->io, s->fd, EPOLLIN, on_readable, s)) < 0) {
		drop(s, r);
		return;
	}
	sd_event_source_set_description(s->io, "subscription");
	s->connected = s->ever_tried = true;
	s->h.on_connection(true, 0, s->userdata);
}

static int on_retry(sd_event_source *src, uint64_t usec, void *userdata)
{
	try_connect(userdata);
	return 0;
}

int ctl_subscription_new(sd_event *e, const char *runtime_dir, const char *daemon,
			 const struct ctl_subscription_handlers *h, void *userdata, struct ctl_subscription **ret)
{
	struct ctl_subscription *s = NULL;
	char path[4096];
	int r;

	if ((r = daemon_socket_path(runtime_dir, daemon, path, sizeof(path))) < 0) {
		log_error("cannot subscribe to %s in %s: %s", daemon, runtime_dir, strerror(-r));
		return r;
	}
	if (!(s = calloc(1, sizeof(*s)))) {
		r = -ENOMEM;
		goto fail;
	}
	s->fd = -1;
	s->event = sd_event_ref(e);
	s->h = *h;
	s->userdata = userdata;
	if (!(s->path = strdup(path))) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = sd_event_add_time_relative(e, &s->retry, CLOCK_MONOTONIC, 0, 0, on_retry, s)) < 0)
		goto fail;
	sd_event_source_set_description(s->retry, "subscription-retry");
	sd_event_source_set_enabled(s->retry, SD_EVENT_OFF);
	try_connect(s);
	*ret = s;
	return 0;
fail:
	log_error("cannot subscribe to %s at %s: %s", daemon, path, strerror(-r));
	ctl_subscription_free(s);
	return r;
}

void ctl_subscription_free(struct ctl_subscription *s)
{
	if (!s)
		return;
	sd_event_source_disable_unref(s->io);
	sd_event_source_disable_unref(s->retry);
	if (s->fd >= 0)
		close(s->fd);
	sd_event_unref(s->event);
	free(s->path);
	free(s);
}
