/* ping: ICMP / ICMPv6 echo. One socket per family serves every ping probe;
 * replies are matched to probes by identifier and sequence number, and
 * must come from the probe's target. Raw sockets when allowed (CAP_NET_RAW),
 * else the kernel's ping sockets (net.ipv4.ping_group_range). */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

#define PING_SEQ_SLOTS 65536

struct ping_family {
	int fd;
	bool raw;                 /* raw socket: replies carry our identifier */
	sd_event_source *io;
};

struct ping_sockets {
	struct ping_family v4, v6;
	uint16_t ident;
	uint16_t next_seq;
	struct probe *by_seq[PING_SEQ_SLOTS];
};

struct ping_op {
	uint16_t seq;
};

struct echo {
	uint8_t type, code;
	uint16_t checksum;
	uint16_t ident, seq;
	uint8_t payload[16];
};

void ping_sockets_free(struct ping_sockets *s)
{
	if (!s)
		return;
	sd_event_source_disable_unref(s->v4.io);
	sd_event_source_disable_unref(s->v6.io);
	if (s->v4.fd >= 0)
		close(s->v4.fd);
	if (s->v6.fd >= 0)
		close(s->v6.fd);
	free(s);
}

static void on_reply(struct ping_sockets *s, const struct lvsd_addr *from, bool raw,
		     const uint8_t *icmp, size_t len, uint8_t reply_type)
{
	struct echo e;
	struct probe *p;

	if (len < 8)
		return;
	memcpy(&e, icmp, 8);
	if (e.type != reply_type || e.code != 0)
		return;
	/* A ping socket's identifier is the kernel's to choose. */
	if (raw && ntohs(e.ident) != s->ident)
		return;
	p = s->by_seq[ntohs(e.seq)];
	if (!p || !addr_equal(from, &p->target.addr))
		return;  /* late, or someone else's */
	probe_done(p, true, NULL);
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct ping_sockets *s = userdata;
	bool v6 = src == s->v6.io;
	const struct ping_family *f = v6 ? &s->v6 : &s->v4;
	uint8_t buf[1500];

	for (int budget = 0; budget < 256; budget++) {
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		struct lvsd_addr from;
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sa, &salen);
		size_t skip = 0;

		if (n < 0)
			break;
		addr_from_sockaddr(&sa, &from);
		/* A raw IPv4 socket hands over the IP header too. */
		if (!v6 && f->raw) {
			if (n < 20)
				continue;
			skip = (size_t)(buf[0] & 0x0f) * 4;
			if (skip < 20 || skip > (size_t)n)
				continue;
		}
		on_reply(s, &from, f->raw, buf + skip, (size_t)n - skip, v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY);
	}
	return 0;
}

static int open_family(struct manager *m, struct ping_sockets *s, int family)
{
	struct ping_family *f = family == AF_INET6 ? &s->v6 : &s->v4;
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int r;

	if (f->fd >= 0)
		return 0;
	f->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	f->raw = f->fd >= 0;
	if (f->fd < 0 && (errno == EPERM || errno == EACCES))
		f->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (f->fd < 0)
		return -errno;
	if (f->raw && family == AF_INET6) {
		struct icmp6_filter filter;

		/* Thousands of probes: let the kernel drop what is not ours. */
		ICMP6_FILTER_SETBLOCKALL(&filter);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
		setsockopt(f->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
	}
	if ((r = sd_event_add_io(m->event, &f->io, f->fd, EPOLLIN, on_readable, s)) < 0)
		return r;
	sd_event_source_set_description(f->io, family == AF_INET6 ? "ping6" : "ping4");
	log_debug("ping: %s %s socket", family == AF_INET6 ? "ICMPv6" : "ICMP", f->raw ? "raw" : "ping");
	return 0;
}

static int sockets_get(struct manager *m, struct ping_sockets **ret)
{
	if (!m->ping) {
		struct ping_sockets *s = calloc(1, sizeof(*s));

		if (!s)
			return -ENOMEM;
		s->v4.fd = s->v6.fd = -1;
		if (getrandom(&s->ident, sizeof(s->ident), GRND_NONBLOCK) != sizeof(s->ident))
			s->ident = (uint16_t)getpid();
		m->ping = s;
	}
	*ret = m->ping;
	return 0;
}

static void ping_stop(struct probe *p)
{
	struct ping_op *op = p->op;

	if (!op)
		return;
	if (p->manager->ping->by_seq[op->seq] == p)
		p->manager->ping->by_seq[op->seq] = NULL;
	free(op);
	p->op = NULL;
}

static void ping_start(struct probe *p)
{
	struct manager *m = p->manager;
	int family = p->target.addr.family;
	struct ping_sockets *s;
	struct ping_op *op;
	struct echo e = { 0 };
	struct lvsd_endpoint to = { p->target.addr, 0 };
	struct sockaddr_storage sa;
	socklen_t salen;
	int r;

	if ((r = sockets_get(m, &s)) < 0 || (r = open_family(m, s, family)) < 0) {
		probe_done(p, false, "cannot open an ICMP socket: %s", strerror(-r));
		return;
	}
	if (!(op = calloc(1, sizeof(*op)))) {
		probe_done(p, false, "out of memory");
		return;
	}
	/* The next free sequence number: a slow reply to an abandoned
	 * attempt must not be taken for another probe's. */
	for (unsigned tries = 0; tries < PING_SEQ_SLOTS && s->by_seq[s->next_seq]; tries++)
		s->next_seq++;
	op->seq = s->next_seq++;
	s->by_seq[op->seq] = p;
	p->op = op;

	e.type = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	e.ident = htons(s->ident);
	e.seq = htons(op->seq);
	memcpy(e.payload, "lvsd-healthd....", sizeof(e.payload));
	if (family == AF_INET)
		e.checksum = inet_checksum(&e, sizeof(e));  /* ICMPv6's is the kernel's */
	salen = endpoint_to_sockaddr(&to, &sa);
	if (sendto(family == AF_INET6 ? s->v6.fd : s->v4.fd, &e, sizeof(e), 0,
		   (struct sockaddr *)&sa, salen) < 0)
		probe_done(p, false, "cannot send an echo request: %s", strerror(errno));
}

const struct check_ops check_ping_ops = {
	.start = ping_start,
	.stop = ping_stop,
};
