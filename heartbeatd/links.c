/* Heartbeat links: one UDP socket per address of this director, each
 * talking to the peers' address of the same rank. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

/* At most one warning about dropped packets per source kind this often. */
#define DROP_WARNING_USEC (10 * 1000000ULL)

static void warn_drop(struct manager *m, unsigned long *counter, uint64_t *warned, const struct lvsd_addr *from,
		      const char *what)
{
	uint64_t now = monotonic_usec();
	char text[LVSD_ADDR_STRLEN];

	(*counter)++;
	if (*warned && now - *warned < DROP_WARNING_USEC)
		return;
	*warned = now;
	log_warning("dropped a heartbeat from %s: %s (so far: %lu bad MAC, %lu unknown sender, %lu replayed, "
		    "%lu malformed)", addr_format(from, text), what, m->drops.bad_mac,
		    m->drops.unknown_sender, m->drops.replayed, m->drops.malformed);
}

static void on_packet(struct link *l, const struct lvsd_addr *from, const uint8_t *buf, size_t len)
{
	struct manager *m = l->manager;
	struct hb_packet p;
	struct peer *peer = NULL;
	uint64_t now = monotonic_usec();
	int r = hb_decode(buf, len, m->hmac, &p);

	if (r == -EPERM) {
		warn_drop(m, &m->drops.bad_mac, &m->drops.warned_bad_mac, from, "its MAC does not match (another cluster key?)");
		return;
	}
	if (r < 0) {
		warn_drop(m, &m->drops.malformed, &m->drops.warned_malformed, from, r == -EPROTONOSUPPORT ? "another protocol version"
									   : "malformed");
		return;
	}
	/* The sender must be a director of the configuration, speaking from
	 * its own address on this link. */
	for (size_t i = 0; i < m->config->n_directors; i++) {
		const struct lvsd_director *d = &m->config->directors[i];

		if (i != m->self && strcmp(d->name, p.sender) == 0 && l->index < d->n_addresses &&
		    addr_equal(&d->addresses[l->index], from))
			peer = &m->peers[i];
	}
	if (!peer) {
		warn_drop(m, &m->drops.unknown_sender, &m->drops.warned_unknown_sender, from, "not a peer of this cluster on this link");
		return;
	}
	if (!hb_seen_accept(&peer->seen, p.epoch, p.seq)) {
		/* Every link carries a copy: only the first counts, and a
		 * copy is no replay. Older sequences are. */
		if (!(p.epoch == peer->seen.epoch && p.seq == peer->seen.seq))
			warn_drop(m, &m->drops.replayed, &m->drops.warned_replayed, from, "an old sequence number (replayed?)");
		return;
	}
	if (!peer->alive) {
		peer->alive = true;
		peer->alive_since_usec = now;
		log_notice("director %s is alive (priority %u)", p.sender, p.priority);
	}
	peer->last_heard_usec = now;
	peer->priority = p.priority;
	peer->fit = p.flags & HB_FLAG_FIT;
	peer->leaving = p.flags & HB_FLAG_LEAVING;
	for (size_t g = 0; g < m->config->n_vips; g++) {
		peer->claims[g] = false;
		for (unsigned i = 0; i < p.n_groups; i++)
			if (strcmp(p.groups[i].name, m->config->vips[g].name) == 0)
				peer->claims[g] = p.groups[i].role == HB_ROLE_MASTER;
	}
	roles_evaluate(m, "heartbeat");
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct link *l = userdata;
	uint8_t buf[HB_PACKET_MAX + 1];

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		struct lvsd_addr from = { 0 };
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sa, &salen);

		if (n < 0)
			break;
		from.family = sa.ss_family;
		if (sa.ss_family == AF_INET)
			from.in.v4 = ((struct sockaddr_in *)&sa)->sin_addr;
		else
			from.in.v6 = ((struct sockaddr_in6 *)&sa)->sin6_addr;
		on_packet(l, &from, buf, (size_t)n);
	}
	return 0;
}

int links_open(struct manager *m)
{
	const struct lvsd_director *self = &m->config->directors[m->self];
	int r;

	m->links = calloc(self->n_addresses ? self->n_addresses : 1, sizeof(*m->links));
	if (!m->links)
		return -ENOMEM;
	for (size_t i = 0; i < self->n_addresses; i++) {
		struct link *l = &m->links[m->n_links++];
		struct lvsd_endpoint local = { self->addresses[i], m->config->cluster.port };
		struct sockaddr_storage sa;
		socklen_t salen = endpoint_to_sockaddr(&local, &sa);
		int one = 1;
		char text[LVSD_ENDPOINT_STRLEN];

		l->manager = m;
		l->index = (unsigned)i;
		l->local = self->addresses[i];
		l->fd = socket(local.addr.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (l->fd < 0)
			return -errno;
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* Heartbeats go first on a busy host. */
		setsockopt(l->fd, SOL_SOCKET, SO_PRIORITY, &(int){ 6 }, sizeof(int));
		if (bind(l->fd, (struct sockaddr *)&sa, salen) < 0) {
			r = -errno;
			log_error("cannot listen for heartbeats on %s: %s", endpoint_format(&local, text), strerror(-r));
			return r;
		}
		if ((r = sd_event_add_io(m->event, &l->io, l->fd, EPOLLIN, on_readable, l)) < 0)
			return r;
		sd_event_source_set_description(l->io, "heartbeat-link");
	}
	return 0;
}

void links_close(struct manager *m)
{
	for (size_t i = 0; i < m->n_links; i++) {
		sd_event_source_disable_unref(m->links[i].io);
		if (m->links[i].fd >= 0)
			close(m->links[i].fd);
	}
	free(m->links);
	m->links = NULL;
	m->n_links = 0;
}

void links_send(struct manager *m)
{
	const struct lvsd_director *self = &m->config->directors[m->self];
	struct hb_packet p = { .type = HB_ALIVE, .epoch = m->epoch, .seq = ++m->seq,
			       .priority = (uint8_t)self->priority };
	uint8_t buf[HB_PACKET_MAX];
	int n;

	snprintf(p.sender, sizeof(p.sender), "%s", self->name);
	/* Still listening after start: not ready to hold anything, so the
	 * holder keeps the groups until this director can take them. */
	p.flags = (m->leaving ? HB_FLAG_LEAVING : 0) | (m->settled ? HB_FLAG_FIT : 0);
	for (size_t g = 0; g < m->config->n_vips && p.n_groups < HB_MAX_GROUPS; g++) {
		snprintf(p.groups[p.n_groups].name, sizeof(p.groups[p.n_groups].name), "%s", m->config->vips[g].name);
		p.groups[p.n_groups++].role = (uint8_t)m->groups[g].role;
	}
	if ((n = hb_encode(&p, m->hmac, buf, sizeof(buf))) < 0) {
		log_error("cannot encode a heartbeat: %s", strerror(-n));
		return;
	}
	for (size_t i = 0; i < m->n_links; i++)
		for (size_t d = 0; d < m->config->n_directors; d++) {
			const struct lvsd_director *peer = &m->config->directors[d];
			struct lvsd_endpoint to;
			struct sockaddr_storage sa;
			socklen_t salen;

			if (d == m->self || i >= peer->n_addresses)
				continue;
			to = (struct lvsd_endpoint){ peer->addresses[i], m->config->cluster.port };
			salen = endpoint_to_sockaddr(&to, &sa);
			/* A peer or link that is down is the normal case this
			 * daemon exists for: no error worth a log line. */
			sendto(m->links[i].fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&sa, salen);
		}
}
