/* dns: a UDP query for `request` (type A); up when a well-formed answer to
 * that very query arrives with NOERROR or NXDOMAIN (the server works; the
 * name's existence is the zone's business). SERVFAIL, REFUSED and the like
 * mean the server cannot serve. Stray or spoofed datagrams are ignored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns_wire.h"
#include "io_mux.h"
#include "manager.h"

struct dns_op {
	int fd;
	struct io_watch watch;
	uint16_t id;
};

static void dns_stop(struct probe *p)
{
	struct dns_op *op = p->op;

	if (!op)
		return;
	io_mux_remove(p->manager->mux, &op->watch);
	if (op->fd >= 0)
		close(op->fd);
	free(op);
	p->op = NULL;
}

static void on_readable(struct io_watch *w, int fd, uint32_t revents, void *userdata)
{
	struct probe *p = userdata;
	struct dns_op *op = p->op;
	uint8_t buf[4096];

	for (;;) {
		struct dns_reply reply;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int r;

		if (n < 0) {
			if (errno != EAGAIN)
				probe_done(p, false, "%s", errno == ECONNREFUSED ? "port unreachable: no DNS server"
									 : strerror(errno));
			return;
		}
		r = dns_parse_reply(buf, (size_t)n, p->check->request, op->id, DNS_TYPE_A, &reply);
		if (r == -ESRCH)
			continue;
		if (r < 0) {
			probe_done(p, false, "malformed DNS answer (%zd bytes)", n);
			return;
		}
		if (reply.rcode == 0 || reply.rcode == 3)
			probe_done(p, true, NULL);
		else
			probe_done(p, false, "the server answered %s", dns_rcode_to_string(reply.rcode));
		return;
	}
}

static void dns_start(struct probe *p)
{
	struct dns_op *op = calloc(1, sizeof(*op));
	struct sockaddr_storage sa;
	socklen_t salen;
	uint8_t query[DNS_QUERY_MAX];
	int len, r;

	if (!op) {
		probe_done(p, false, "out of memory");
		return;
	}
	p->op = op;
	op->fd = -1;
	op->watch = (struct io_watch)IO_WATCH_INIT;
	if (getrandom(&op->id, sizeof(op->id), GRND_NONBLOCK) != sizeof(op->id))
		op->id = (uint16_t)rand();
	len = dns_build_query(p->check->request, op->id, DNS_TYPE_A, query, sizeof(query));
	if (len < 0) {
		probe_done(p, false, "cannot query \"%s\": %s", p->check->request, strerror(-len));
		return;
	}
	/* A connected socket per query: the kernel drops datagrams from
	 * anyone but the server, and reports its port unreachable. */
	op->fd = socket(p->target.addr.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	salen = endpoint_to_sockaddr(&p->target, &sa);
	if (op->fd < 0 || connect(op->fd, (struct sockaddr *)&sa, salen) < 0 ||
	    send(op->fd, query, (size_t)len, 0) < 0) {
		probe_done(p, false, "cannot send the query: %s", strerror(errno));
		return;
	}
	if ((r = io_mux_add(p->manager->mux, &op->watch, op->fd, EPOLLIN, on_readable, p)) < 0)
		probe_done(p, false, "epoll: %s", strerror(-r));
}

const struct check_ops check_dns_ops = {
	.start = dns_start,
	.stop = dns_stop,
};
