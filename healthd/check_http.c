/* http, https: libcurl's multi interface, driven by the sd-event loop (its
 * sockets become io sources, its timeout one timer), so thousands of
 * requests share one thread and nothing blocks. A fresh connection per
 * check: a health check must see what a new client sees.
 *
 * libcurl handles are pooled: an attempt takes one, with its body buffer,
 * and gives it back when it ends, so there are as many as there are
 * attempts in flight at once, not one per probe (each costs kilobytes, and
 * a body buffer 64 KiB). A probe keeps only its URL. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_mux.h"
#include "log.h"
#include "stream.h"
#include "manager.h"

/* Bytes of a body kept for the receive regex; the transfer stops there. */
#define HTTP_BODY_MAX (64 * 1024)

struct http_slot;

struct http_engine {
	struct manager *manager;
	CURLM *multi;
	sd_event_source *timer;
	struct http_slot **idle;        /* handles not in use */
	size_t n_idle, idle_cap;
};

/* One libcurl handle and what an attempt with it needs. */
struct http_slot {
	CURL *easy;
	struct probe *probe;            /* the attempt using it, or NULL */
	char *body;                     /* HTTP_BODY_MAX + 1, once a check needs one */
	size_t len;
	size_t discarded;               /* of a body with nothing to match */
	bool body_limit;                /* stopped reading at HTTP_BODY_MAX */
	char error[CURL_ERROR_SIZE];
};

/* What a probe keeps between attempts. */
struct http_request {
	char *url;
	struct curl_slist *connect_to;  /* virtualhost: where to connect instead */
};

static void drain_done(struct http_engine *h);
static void slot_free(struct http_slot *s);

static void on_socket_ready(struct io_watch *w, int fd, uint32_t revents, void *userdata)
{
	struct http_engine *h = userdata;
	int flags = 0, running;

	if (revents & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	drain_done(h);
}

/* libcurl says which sockets to watch for what. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http_engine *h = userp;
	struct io_watch *w = socketp;
	uint32_t events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);

	if (what == CURL_POLL_REMOVE) {
		if (w) {
			io_mux_remove(h->manager->mux, w);
			free(w);
		}
		curl_multi_assign(h->multi, fd, NULL);
		return 0;
	}
	if (w)
		return io_mux_modify(h->manager->mux, w, events) < 0 ? -1 : 0;
	if (!(w = malloc(sizeof(*w))))
		return -1;
	*w = (struct io_watch)IO_WATCH_INIT;
	if (io_mux_add(h->manager->mux, w, fd, events, on_socket_ready, h) < 0) {
		free(w);
		return -1;
	}
	curl_multi_assign(h->multi, fd, w);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct http_engine *h = userdata;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain_done(h);
	return 0;
}

/* libcurl's one timeout: -1 none, 0 as soon as possible. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_engine *h = userp;
	uint64_t now = 0;

	if (timeout_ms < 0)
		return sd_event_source_set_enabled(h->timer, SD_EVENT_OFF) < 0 ? -1 : 0;
	sd_event_now(h->manager->event, CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(h->timer, now + (uint64_t)timeout_ms * 1000);
	sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT);
	return 0;
}

static int engine_get(struct manager *m, struct http_engine **ret)
{
	struct http_engine *h;
	int r;

	if (m->http) {
		*ret = m->http;
		return 0;
	}
	if (!(h = calloc(1, sizeof(*h))))
		return -ENOMEM;
	h->manager = m;
	if (!(h->multi = curl_multi_init())) {
		free(h);
		return -ENOMEM;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	r = sd_event_add_time(m->event, &h->timer, CLOCK_MONOTONIC, UINT64_MAX, 0, on_timer, h);
	if (r < 0) {
		curl_multi_cleanup(h->multi);
		free(h);
		return r;
	}
	sd_event_source_set_description(h->timer, "http-timer");
	sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
	m->http = h;
	*ret = h;
	return 0;
}

void http_engine_free(struct http_engine *h)
{
	if (!h)
		return;
	/* Attempts in flight were stopped first: every handle is idle. */
	for (size_t i = 0; i < h->n_idle; i++)
		slot_free(h->idle[i]);
	free(h->idle);
	curl_multi_cleanup(h->multi);
	sd_event_source_disable_unref(h->timer);
	free(h);
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct http_slot *op = userdata;
	size_t len = size * n, room = HTTP_BODY_MAX - op->len;

	if (!op->probe || !op->probe->has_receive) {
		/* Nothing to match: discarded, but no more of it than of a
		 * body to match, or a body that streams on (events, a large
		 * page) would keep the check until its timeout. Stopping at
		 * once would cost every check libcurl's error path. */
		op->discarded += len;
		if (op->discarded <= HTTP_BODY_MAX)
			return len;
		op->body_limit = true;
		return 0;
	}
	if (len > room) {
		/* Enough to judge by: stop the transfer here. */
		memcpy(op->body + op->len, data, room);
		op->len += room;
		op->body_limit = true;
		return 0;
	}
	memcpy(op->body + op->len, data, len);
	op->len += len;
	return len;
}

static void judge(struct http_slot *op, CURLcode result)
{
	struct probe *p = op->probe;
	const struct lvsd_check *k = p->check;
	long status = 0;

	if (result != CURLE_OK && !(result == CURLE_WRITE_ERROR && op->body_limit)) {
		probe_done(p, false, "%s", op->error[0] ? op->error : curl_easy_strerror(result));
		return;
	}
	curl_easy_getinfo(op->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status < k->status_min || status > k->status_max) {
		probe_done(p, false, "HTTP status %ld, expected %u-%u", status, k->status_min, k->status_max);
		return;
	}
	if (op->body)
		op->body[op->len] = 0;
	if (!probe_receive_matches(p, op->body ? op->body : "")) {
		probe_done(p, false, "HTTP %ld, but the body does not match \"%s\"%s", status, k->receive,
			   op->body_limit ? " in its first 64 KiB" : "");
		return;
	}
	probe_done(p, true, NULL);
}

static void drain_done(struct http_engine *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left))) {
		struct http_slot *op = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&op);
		if (op && op->probe)
			judge(op, msg->data.result);
	}
}

static void slot_free(struct http_slot *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->easy);
	free(s->body);
	free(s);
}

static int close_socket(void *clientp, curl_socket_t fd)
{
	socket_abort(fd);
	return 0;
}

/* A handle with the options every check shares. */
static struct http_slot *slot_new(void)
{
	struct http_slot *s = calloc(1, sizeof(*s));

	if (!s || !(s->easy = curl_easy_init())) {
		free(s);
		return NULL;
	}
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->error);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(s->easy, CURLOPT_FORBID_REUSE, 1L);
	/* Addresses are literals: nothing to cache, and a cache of thousands
	 * of them in libcurl's small hash table costs more than the check. */
	curl_easy_setopt(s->easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "lvsd-healthd");
	/* A check reads a status line, headers and a bounded body. */
	curl_easy_setopt(s->easy, CURLOPT_BUFFERSIZE, 4096L);
	return s;
}

static struct http_slot *slot_take(struct http_engine *h)
{
	return h->n_idle ? h->idle[--h->n_idle] : slot_new();
}

static void slot_give_back(struct http_engine *h, struct http_slot *s)
{
	s->probe = NULL;
	if (h->n_idle == h->idle_cap) {
		size_t cap = h->idle_cap ? 2 * h->idle_cap : 16;
		struct http_slot **idle = realloc(h->idle, cap * sizeof(*idle));

		if (!idle) {
			slot_free(s);
			return;
		}
		h->idle = idle;
		h->idle_cap = cap;
	}
	h->idle[h->n_idle++] = s;
}

static void http_stop(struct probe *p)
{
	struct http_slot *s = p->op;

	if (!s)
		return;
	curl_multi_remove_handle(p->manager->http->multi, s->easy);
	slot_give_back(p->manager->http, s);
	p->op = NULL;
}

static void http_release(struct probe *p)
{
	struct http_request *req = p->state;

	if (!req)
		return;
	free(req->url);
	curl_slist_free_all(req->connect_to);
	free(req);
	p->state = NULL;
}

/* The request, worked out once per probe. */
static int http_prepare(struct probe *p, struct http_request **ret)
{
	const struct lvsd_check *k = p->check;
	struct http_request *req = calloc(1, sizeof(*req));
	char url[1024], host[LVSD_ADDR_STRLEN + 2], addr[LVSD_ADDR_STRLEN];
	const char *path = k->request && k->request[0] ? k->request : "/";
	const char *scheme = k->type == CHECK_HTTPS ? "https" : "http";
	bool vhost = k->virtualhost && k->virtualhost[0];

	if (!req)
		return -ENOMEM;
	p->state = req;
	addr_format(&p->target.addr, addr);
	snprintf(host, sizeof(host), p->target.addr.family == AF_INET6 ? "[%s]" : "%s", addr);
	snprintf(url, sizeof(url), "%s://%s:%u%s%s", scheme, vhost ? k->virtualhost : host,
		 p->target.port, path[0] == '/' ? "" : "/", path);
	if (!(req->url = strdup(url)))
		return -ENOMEM;
	if (vhost) {
		/* Ask for the virtual host by name (Host and SNI) but connect
		 * to this real server, without any name lookup. */
		char to[600];

		snprintf(to, sizeof(to), "%s:%u:%s:%u", k->virtualhost, p->target.port, host, p->target.port);
		if (!(req->connect_to = curl_slist_append(NULL, to)))
			return -ENOMEM;
	}
	*ret = req;
	return 0;
}

/* The options that differ from one check to another: all of them, every
 * time, as the handle last served another probe. */
static int slot_set_up(struct http_slot *s, struct probe *p, const struct http_request *req)
{
	const struct lvsd_check *k = p->check;
	bool verify = k->type == CHECK_HTTPS && k->ca_file && k->ca_file[0];

	if (p->has_receive && !s->body && !(s->body = malloc(HTTP_BODY_MAX + 1)))
		return -ENOMEM;
	s->probe = p;
	s->len = s->discarded = 0;
	s->body_limit = false;
	s->error[0] = 0;
	curl_easy_setopt(s->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(s->easy, CURLOPT_CONNECT_TO, req->connect_to);
	if (k->method == HTTP_HEAD)
		curl_easy_setopt(s->easy, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
	/* The engine's own timer ends the attempt; this is only a backstop. */
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (long)(k->timeout_usec / 1000 + 1000));
	curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	curl_easy_setopt(s->easy, CURLOPT_CAINFO, verify ? k->ca_file : NULL);
	/* That CA alone: not also the system's (libcurl's default CAPATH). */
	curl_easy_setopt(s->easy, CURLOPT_CAPATH, NULL);
	return 0;
}

static void http_start(struct probe *p)
{
	struct http_engine *h;
	struct http_request *req = p->state;
	struct http_slot *s;
	int r;

	if ((r = engine_get(p->manager, &h)) < 0 || (!req && (r = http_prepare(p, &req)) < 0)) {
		probe_done(p, false, "cannot set up libcurl: %s", strerror(-r));
		return;
	}
	if (!(s = slot_take(h)) || slot_set_up(s, p, req) < 0) {
		if (s)
			slot_give_back(h, s);
		probe_done(p, false, "cannot set up libcurl: %s", strerror(ENOMEM));
		return;
	}
	p->op = s;
	if (curl_multi_add_handle(h->multi, s->easy) != CURLM_OK)
		probe_done(p, false, "libcurl refused the request");
}

const struct check_ops check_http_ops = {
	.start = http_start,
	.stop = http_stop,
	.release = http_release,
};
