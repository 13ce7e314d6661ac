/* ICMP echo to the ping nodes over raw sockets, matched by identifier. */
#include "ping_nodes.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

struct ping_nodes {
	const struct lvsd_cluster *cluster;
	int fd4, fd6;
	sd_event_source *io4, *io6, *timer;
	uint16_t ident, seq;
	uint64_t last_reply_usec;
	bool reported_unreachable;
};

static int on_reply(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct ping_nodes *p = userdata;
	bool v6 = fd == p->fd6;
	uint8_t buf[1500];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		size_t skip = v6 ? 0 : (size_t)(buf[0] & 0x0f) * 4;  /* raw IPv4 brings its header */
		const uint8_t *icmp = buf + skip;
		uint16_t ident;

		if ((size_t)n < skip + 8 || icmp[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
			continue;
		memcpy(&ident, icmp + 4, 2);
		if (ntohs(ident) != p->ident)
			continue;
		p->last_reply_usec = monotonic_usec();
		if (p->reported_unreachable) {
			p->reported_unreachable = false;
			log_notice("ping nodes reachable again");
		}
	}
	return 0;
}

static int on_period(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct ping_nodes *p = userdata;
	uint8_t echo[16] = { 0 };

	p->seq++;
	for (size_t i = 0; i < p->cluster->n_ping; i++) {
		const struct lvsd_addr *a = &p->cluster->ping[i];
		struct lvsd_endpoint to = { *a, 0 };
		struct sockaddr_storage sa;
		socklen_t salen = endpoint_to_sockaddr(&to, &sa);
		uint16_t ident = htons(p->ident), seq = htons(p->seq);
		int fd = a->family == AF_INET6 ? p->fd6 : p->fd4;

		echo[0] = a->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		echo[2] = echo[3] = 0;
		memcpy(echo + 4, &ident, 2);
		memcpy(echo + 6, &seq, 2);
		if (a->family == AF_INET) {
			uint16_t sum = inet_checksum(echo, sizeof(echo));

			memcpy(echo + 2, &sum, 2);
		}
		if (fd >= 0)
			sendto(fd, echo, sizeof(echo), MSG_DONTWAIT, (struct sockaddr *)&sa, salen);
	}
	if (!ping_nodes_reachable(p, monotonic_usec()) && !p->reported_unreachable) {
		p->reported_unreachable = true;
		log_warning("no ping node answered for %llu ms: this director is unfit to hold VIPs while a peer "
			    "reaches one", PING_NODES_WINDOW_USEC / 1000);
	}
	sd_event_source_set_time(s, usec + PING_NODES_PERIOD_USEC);
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

int ping_nodes_new(sd_event *e, const struct lvsd_cluster *c, struct ping_nodes **ret)
{
	struct ping_nodes *p;
	int r;

	*ret = NULL;
	if (c->n_ping == 0)
		return 0;
	if (!(p = calloc(1, sizeof(*p))))
		return -ENOMEM;
	p->cluster = c;
	p->fd4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	p->fd6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (getrandom(&p->ident, sizeof(p->ident), GRND_NONBLOCK) != sizeof(p->ident))
		p->ident = (uint16_t)getpid();
	/* Until a first answer could have come, count the nodes reachable. */
	p->last_reply_usec = monotonic_usec();
	if ((p->fd4 >= 0 && (r = sd_event_add_io(e, &p->io4, p->fd4, EPOLLIN, on_reply, p)) < 0) ||
	    (p->fd6 >= 0 && (r = sd_event_add_io(e, &p->io6, p->fd6, EPOLLIN, on_reply, p)) < 0) ||
	    (r = sd_event_add_time_relative(e, &p->timer, CLOCK_MONOTONIC, 0, 1000, on_period, p)) < 0) {
		ping_nodes_free(p);
		return r;
	}
	if (p->fd4 < 0 && p->fd6 < 0) {
		ping_nodes_free(p);
		return -EPERM;
	}
	*ret = p;
	return 0;
}

void ping_nodes_free(struct ping_nodes *p)
{
	if (!p)
		return;
	sd_event_source_disable_unref(p->io4);
	sd_event_source_disable_unref(p->io6);
	sd_event_source_disable_unref(p->timer);
	if (p->fd4 >= 0)
		close(p->fd4);
	if (p->fd6 >= 0)
		close(p->fd6);
	free(p);
}

bool ping_nodes_reachable(const struct ping_nodes *p, uint64_t now_usec)
{
	return !p || now_usec - p->last_reply_usec <= PING_NODES_WINDOW_USEC;
}

void ping_nodes_rebind(struct ping_nodes *p, const struct lvsd_cluster *c)
{
	if (p)
		p->cluster = c;
}

bool ping_nodes_same(const struct lvsd_cluster *a, const struct lvsd_cluster *b)
{
	if (a->n_ping != b->n_ping)
		return false;
	for (size_t i = 0; i < a->n_ping; i++)
		if (!addr_equal(&a->ping[i], &b->ping[i]))
			return false;
	return true;
}
