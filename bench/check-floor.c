/* The least a check that opens a connection can cost: the same servers at
 * the same rate as bench/healthcheck's checkers, with nothing but the
 * system calls such a check cannot do without. One epoll loop, a timerfd
 * pacing the starts evenly over each second, non-blocking sockets; tcp
 * connects and closes with a reset (as healthd does), http also sends a GET
 * and reads the whole answer (status line, headers, Content-Length bytes of
 * body) before closing. No timeouts, no logging, no parsing beyond finding
 * the end of the answer.
 *
 *   check-floor tcp|http ADDRESS-FILE PORT SECONDS
 *
 * Checks every address of ADDRESS-FILE (IPv4, one a line) once a second for
 * SECONDS after a second of warm-up, and prints "CHECKS CPU-SECONDS
 * MICROSECONDS-PER-CHECK" for that window. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define TICK_US 1000
#define ANSWER_MAX 4096

struct conn {
	int fd;
	bool connected;
	size_t got;
	char answer[ANSWER_MAX];
};

static struct sockaddr_in *targets;
static size_t n_targets;
static bool http;
static char request[256];
static size_t request_len;
static int ep;
static unsigned long done;

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void finish(struct conn *c)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	close(c->fd);
	free(c);
	done++;
}

static void start(const struct sockaddr_in *to)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = { .events = EPOLLOUT };

	if (!c)
		return;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || (connect(c->fd, (const struct sockaddr *)to, sizeof(*to)) < 0 && errno != EINPROGRESS)) {
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return;
	}
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Whether the answer in c is whole: headers, and as much body as they say. */
static bool answer_whole(struct conn *c)
{
	const char *end, *length;

	c->answer[c->got] = 0;
	end = strstr(c->answer, "\r\n\r\n");
	if (!end)
		return c->got == ANSWER_MAX - 1;
	length = strcasestr(c->answer, "\r\nContent-Length:");
	if (!length || length > end)
		return true;
	return c->got >= (size_t)(end + 4 - c->answer) + strtoul(length + 17, NULL, 10);
}

static void on_ready(struct conn *c, uint32_t events)
{
	if (!c->connected) {
		int error = 0;
		socklen_t len = sizeof(error);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
		if (error || !http) {
			finish(c);
			return;
		}
		c->connected = true;
		send(c->fd, request, request_len, MSG_NOSIGNAL);
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ssize_t n = recv(c->fd, c->answer + c->got, ANSWER_MAX - 1 - c->got, 0);

		if (n <= 0 || (c->got += (size_t)n, answer_whole(c)))
			finish(c);
	}
}

static int load_targets(const char *path, int port)
{
	FILE *f = fopen(path, "r");
	char line[64];
	size_t cap = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

		line[strcspn(line, "\n")] = 0;
		if (inet_pton(AF_INET, line, &a.sin_addr) != 1)
			continue;
		if (n_targets == cap) {
			struct sockaddr_in *t = realloc(targets, (cap = cap ? 2 * cap : 1024) * sizeof(*t));

			if (!t)
				break;
			targets = t;
		}
		targets[n_targets++] = a;
	}
	fclose(f);
	return n_targets ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct itimerspec tick = { .it_interval = { 0, TICK_US * 1000 }, .it_value = { 0, TICK_US * 1000 } };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	long ticks_per_second = 1000000 / TICK_US, warmup, total;
	unsigned long done0 = 0;
	double cpu0 = 0;
	char host[INET_ADDRSTRLEN];
	size_t next = 0;
	int tfd;

	if (argc != 5 || (strcmp(argv[1], "tcp") != 0 && strcmp(argv[1], "http") != 0) ||
	    load_targets(argv[2], atoi(argv[3])) < 0 || atoi(argv[4]) <= 0) {
		fprintf(stderr, "usage: check-floor tcp|http ADDRESS-FILE PORT SECONDS\n");
		return 2;
	}
	http = strcmp(argv[1], "http") == 0;
	/* The first target's address stands for all in Host: the same length. */
	inet_ntop(AF_INET, &targets[0].sin_addr, host, sizeof(host));
	request_len = (size_t)snprintf(request, sizeof(request),
				       "GET /health HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n\r\n", host);
	warmup = ticks_per_second;
	total = warmup + ticks_per_second * atol(argv[4]);
	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ep < 0 || tfd < 0 || timerfd_settime(tfd, 0, &tick, NULL) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) < 0) {
		perror("check-floor");
		return 1;
	}

	for (long t = 0; t < total;) {
		struct epoll_event events[64];
		int n = epoll_wait(ep, events, 64, -1);

		for (int i = 0; i < n; i++) {
			uint64_t expirations;

			if (events[i].data.ptr) {
				on_ready(events[i].data.ptr, events[i].events);
				continue;
			}
			if (read(tfd, &expirations, sizeof(expirations)) != sizeof(expirations))
				continue;
			for (; expirations > 0 && t < total; expirations--, t++) {
				/* Every target once a second, spread evenly. */
				size_t until = (size_t)((t % ticks_per_second + 1) * (long)n_targets / ticks_per_second);

				if (t == warmup) {
					done0 = done;
					cpu0 = cpu_seconds();
				}
				for (; next < until; next++)
					start(&targets[next]);
				if (next == n_targets)
					next = 0;
			}
		}
	}
	printf("%lu %.2f %.1f\n", done - done0, cpu_seconds() - cpu0,
	       done > done0 ? (cpu_seconds() - cpu0) * 1e6 / (double)(done - done0) : 0.0);
	return 0;
}
