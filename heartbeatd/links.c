/* Heartbeat links: one UDP socket per address of this director, each
 * talking to the peers' address of the same rank. */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "arrival.h"
#include "log.h"
#include "manager.h"
#include "ping_nodes.h"

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

/* arrival_usec: when the kernel received it (CLOCK_MONOTONIC), not when
 * it is read: the tick reads the links at most an interval later, and a
 * peer's silence must be counted from its last packet. */
static void on_packet(struct link *l, const struct lvsd_addr *from, const uint8_t *buf, size_t len,
		      uint64_t arrival_usec)
{
	struct manager *m = l->manager;
	struct hb_packet p;
	struct peer *peer = NULL;
	uint64_t now = arrival_usec;
	bool changed, restarted;
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
	/* A new epoch: the peer restarted, perhaps within a dead time, unseen
	 * as dead. Its life starts anew, as it counts it itself, or a
	 * failback-delay would be judged from its previous life here. */
	restarted = peer->seen.any && p.epoch > peer->seen.epoch;
	switch (hb_seen_check(&peer->seen, p.epoch, p.seq)) {
	case HB_SEEN_NEW:
		break;
	case HB_SEEN_RECENT:
		/* Every link carries a copy, in its own order: only the
		 * first of each counts, and the others are no replay. */
		return;
	case HB_SEEN_OLD:
		warn_drop(m, &m->drops.replayed, &m->drops.warned_replayed, from, "an old sequence number (replayed?)");
		return;
	}
	peer->last_heard_usec = now;
	/* Most heartbeats only say "still here": decide again only when
	 * something the election looks at has changed. */
	changed = !peer->alive || peer->priority != p.priority || peer->fit != !!(p.flags & HB_FLAG_FIT) ||
		  peer->leaving != !!(p.flags & HB_FLAG_LEAVING) || peer->ping_ok != !!(p.flags & HB_FLAG_PING_OK);
	if (!peer->alive) {
		peer->alive = true;
		peer->alive_since_usec = now;
		log_notice("director %s is alive (priority %u)", p.sender, p.priority);
	} else if (restarted) {
		peer->alive_since_usec = now;
		changed = true;
		log_notice("director %s restarted (priority %u)", p.sender, p.priority);
	}
	peer->priority = p.priority;
	peer->interval_usec = p.interval_usec;
	peer->fit = p.flags & HB_FLAG_FIT;
	peer->leaving = p.flags & HB_FLAG_LEAVING;
	peer->ping_ok = p.flags & HB_FLAG_PING_OK;
	for (size_t g = 0; g < m->config->n_vips; g++) {
		uint8_t role = HB_ROLE_BACKUP, intent = HB_INTENT_NONE;

		for (unsigned i = 0; i < p.n_groups; i++)
			if (strcmp(p.groups[i].name, m->config->vips[g].name) == 0) {
				role = p.groups[i].role;
				intent = p.groups[i].intent;
			}
		/* A takeover (release) told to a peer after ours was told
		 * here: the newest word goes, and ours is withdrawn. */
		if (intent != HB_INTENT_NONE && intent != peer->intents[g] && m->groups[g].intent == intent) {
			m->groups[g].intent = HB_INTENT_NONE;
			log_full(LOG_NOTICE, "LVSD_VIP", m->config->vips[g].name,
				 "vip %s: %s was told to %s it since: this director's %s is withdrawn",
				 m->config->vips[g].name, p.sender, intent == HB_INTENT_WANTS ? "take over" : "release",
				 intent == HB_INTENT_WANTS ? "takeover" : "release");
		}
		changed |= peer->roles[g] != role || peer->intents[g] != intent;
		peer->roles[g] = role;
		peer->intents[g] = intent;
	}
	/* Decided once the links are read, not here: after a stall of this
	 * process the queue holds packets of the last few intervals, and
	 * each, judged against the present, would make the peer look dead
	 * until the next one (a takeover and release per packet). */
	m->heard_news |= changed;
}

/* The kernel's receive time of a packet (CLOCK_REALTIME, SO_TIMESTAMPNS)
 * in microseconds, 0 when it carries none. */
static uint64_t receive_time(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
		}
	return 0;
}

/* Reads what is there on fd, up to a bound, a batch per system call. */
static void drain(struct link *l, int fd)
{
	struct links_inbox *in = &l->manager->inbox;

	/* Up to 512 packets: what a stall of this process of half a second
	 * queues at 1 ms from one peer, all of it needed to judge the peer by
	 * its newest heartbeat; a flood beyond waits for the next tick. */
	uint64_t *empty_since = fd == l->mfd ? &l->mfd_empty_usec : &l->fd_empty_usec;

	for (int round = 0; round < 64; round++) {
		uint64_t before = monotonic_usec(), mono, real;
		int n;

		for (int i = 0; i < LINKS_BATCH; i++) {
			in->iov[i] = (struct iovec){ in->bufs[i], sizeof(in->bufs[i]) };
			in->msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &in->from[i],
								      .msg_namelen = sizeof(in->from[i]),
								      .msg_iov = &in->iov[i], .msg_iovlen = 1,
								      .msg_control = in->control[i].buf,
								      .msg_controllen = sizeof(in->control[i].buf) } };
		}
		n = recvmmsg(fd, in->msgs, LINKS_BATCH, MSG_DONTWAIT, NULL);
		mono = monotonic_usec();
		real = realtime_usec();
		for (int i = 0; i < n; i++) {
			struct lvsd_addr addr;

			addr_from_sockaddr(&in->from[i], &addr);
			on_packet(l, &addr, in->bufs[i], in->msgs[i].msg_len,
				  hb_arrival_usec(receive_time(&in->msgs[i].msg_hdr), real, mono, *empty_since));
		}
		if (n < LINKS_BATCH) {
			/* Emptied: what comes next arrived after this call began. */
			*empty_since = before;
			break;
		}
	}
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct link *l = userdata;

	l->manager->woke_usec = monotonic_usec();
	drain(l, fd);
	if (l->manager->heard_news) {
		l->manager->heard_news = false;
		roles_evaluate(l->manager, "heartbeat");
	}
	l->manager->woke_usec = 0;
	return 0;
}

/* With a group, only the group's socket carries heartbeats. */
static int receiving_fd(const struct link *l)
{
	return l->mfd >= 0 ? l->mfd : l->fd;
}

void links_receive(struct manager *m)
{
	for (size_t i = 0; i < m->n_links; i++)
		drain(&m->links[i], receiving_fd(&m->links[i]));
}

/* What every heartbeat says whatever happens: who sends, its priority,
 * the names of the groups (their roles are filled in per packet). */
void links_prepare_outgoing(struct manager *m)
{
	const struct lvsd_director *self = &m->config->directors[m->self];

	m->outgoing = (struct hb_packet){ .type = HB_ALIVE, .priority = (uint8_t)self->priority };
	snprintf(m->outgoing.sender, sizeof(m->outgoing.sender), "%s", self->name);
	for (size_t g = 0; g < m->config->n_vips && g < HB_MAX_GROUPS; g++)
		snprintf(m->outgoing.groups[m->outgoing.n_groups++].name, sizeof(m->outgoing.groups[0].name), "%s",
			 m->config->vips[g].name);
}

/* The interface that has address a, 0 if none has. */
static unsigned interface_of(const struct lvsd_addr *a)
{
	struct ifaddrs *list, *i;
	unsigned index = 0;

	if (getifaddrs(&list) < 0)
		return 0;
	for (i = list; i && !index; i = i->ifa_next) {
		struct lvsd_addr have;

		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		addr_from_sockaddr((const struct sockaddr_storage *)(const void *)i->ifa_addr, &have);
		if (addr_equal(&have, a))
			index = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(list);
	return index;
}

static int watch(struct manager *m, const struct lvsd_config *c, struct link *l)
{
	int r;

	/* At the fastest intervals the heartbeat tick reads the links
	 * itself: one wake-up per interval instead of one more per packet,
	 * for at most an interval of delay. */
	if (c->cluster.interval_usec <= LINKS_POLLED_UP_TO_USEC)
		return 0;
	if ((r = sd_event_add_io(m->event, &l->io, receiving_fd(l), EPOLLIN, on_readable, l)) < 0)
		return r;
	sd_event_source_set_description(l->io, "heartbeat-link");
	return sd_event_source_set_priority(l->io, SD_EVENT_PRIORITY_IMPORTANT);
}

static int bound_socket(const struct lvsd_endpoint *at, unsigned scope, int *ret)
{
	struct sockaddr_storage sa;
	socklen_t salen = endpoint_to_sockaddr(at, &sa);
	int one = 1, fd = socket(at->addr.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char text[LVSD_ENDPOINT_STRLEN];

	if (fd < 0)
		return -errno;
	*ret = fd;
	if (at->addr.family == AF_INET6)
		((struct sockaddr_in6 *)&sa)->sin6_scope_id = scope;
	/* Also lets a reload bind the address again before the old link
	 * closes, and the links of one family share their group's port. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	/* Heartbeats go first on a busy host. */
	setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &(int){ 6 }, sizeof(int));
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0) {
		int r = -errno;

		log_error("cannot listen for heartbeats on %s: %s", endpoint_format(at, text), strerror(-r));
		return r;
	}
	return 0;
}

/* Sending to the group from the link's own socket (so the source is the
 * director's address, as the peers check), out of the link's interface,
 * one hop, not looped back; hearing it on a socket bound to the group
 * that joined it on that interface only. */
static int join_group(struct link *l, const struct lvsd_config *c)
{
	struct lvsd_endpoint at = { l->group, c->cluster.port };
	unsigned ifindex = interface_of(&l->local);
	int zero = 0, one = 1, r;
	char text[LVSD_ADDR_STRLEN], local[LVSD_ADDR_STRLEN];

	if (!ifindex) {
		log_error("heartbeat multicast: no interface has the address %s", addr_format(&l->local, text));
		return -ENODEV;
	}
	if ((r = bound_socket(&at, ifindex, &l->mfd)) < 0)
		return r;
	if (l->group.family == AF_INET) {
		struct ip_mreqn mr = { .imr_multiaddr = l->group.in.v4, .imr_address = l->local.in.v4,
				       .imr_ifindex = (int)ifindex };

		if (setsockopt(l->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0 ||
		    setsockopt(l->fd, IPPROTO_IP, IP_MULTICAST_TTL, &one, sizeof(one)) < 0 ||
		    setsockopt(l->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		    setsockopt(l->mfd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
		    setsockopt(l->mfd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			r = -errno;
	} else {
		struct ipv6_mreq mr = { .ipv6mr_multiaddr = l->group.in.v6, .ipv6mr_interface = ifindex };

		if (setsockopt(l->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
		    setsockopt(l->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one, sizeof(one)) < 0 ||
		    setsockopt(l->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		    setsockopt(l->mfd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
		    setsockopt(l->mfd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0)
			r = -errno;
	}
	if (r < 0)
		log_error("heartbeat multicast: cannot join %s on the interface of %s: %s",
			  addr_format(&l->group, text), addr_format(&l->local, local),
			  strerror(-r));
	return r;
}

static int link_open(struct manager *m, const struct lvsd_config *c, const struct lvsd_addr *address,
		     struct link *l)
{
	struct lvsd_endpoint local = { *address, c->cluster.port };
	const struct lvsd_addr *group = address->family == AF_INET6 ? &c->cluster.multicast6 : &c->cluster.multicast4;
	int r;

	l->manager = m;
	l->local = *address;
	l->fd = l->mfd = -1;
	if ((r = bound_socket(&local, 0, &l->fd)) < 0)
		return r;
	if (group->family) {
		l->group = *group;
		if ((r = join_group(l, c)) < 0)
			return r;
	}
	return watch(m, c, l);
}

int links_open(struct manager *m, const struct lvsd_config *c, size_t self, struct link **ret, size_t *n_ret)
{
	const struct lvsd_director *d = &c->directors[self];
	struct link *links = calloc(d->n_addresses ? d->n_addresses : 1, sizeof(*links));
	size_t n = 0;
	int r = 0;

	if (!links)
		return -ENOMEM;
	for (; n < d->n_addresses; n++) {
		links[n].index = (unsigned)n;
		if ((r = link_open(m, c, &d->addresses[n], &links[n])) < 0) {
			n++;
			break;
		}
	}
	if (r < 0) {
		links_close(links, n);
		return r;
	}
	*ret = links;
	*n_ret = n;
	return 0;
}

void links_close(struct link *links, size_t n)
{
	for (size_t i = 0; links && i < n; i++) {
		sd_event_source_disable_unref(links[i].io);
		if (links[i].fd >= 0)
			close(links[i].fd);
		if (links[i].mfd >= 0)
			close(links[i].mfd);
	}
	free(links);
}

static void send_to(const struct link *l, const struct lvsd_addr *a, uint16_t port, const uint8_t *buf, size_t len)
{
	struct lvsd_endpoint to = { *a, port };
	struct sockaddr_storage sa;
	socklen_t salen = endpoint_to_sockaddr(&to, &sa);

	sendto(l->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sa, salen);
}

void links_send(struct manager *m)
{
	struct hb_packet *p = &m->outgoing;
	uint8_t buf[HB_PACKET_MAX];
	int n;

	/* Names are filled in once (links_prepare_outgoing); what changes is set here. */
	p->epoch = m->epoch;
	p->seq = ++m->seq;
	/* Beyond 71 minutes the exact figure no longer matters. */
	p->interval_usec = m->config->cluster.interval_usec > UINT32_MAX ? UINT32_MAX
									 : (uint32_t)m->config->cluster.interval_usec;
	/* Still listening after start: not ready to hold anything, so the
	 * holder keeps the groups until this director can take them. A group
	 * whose interfaces are down here says so by its role, FAULT: the
	 * others are judged apart. */
	p->flags = (m->leaving ? HB_FLAG_LEAVING : 0) | (m->settled ? HB_FLAG_FIT : 0) |
		   (ping_nodes_reachable(m->ping, monotonic_usec()) ? HB_FLAG_PING_OK : 0);
	for (size_t g = 0; g < p->n_groups; g++) {
		p->groups[g].role = (uint8_t)m->groups[g].machine.role;
		p->groups[g].intent = (uint8_t)m->groups[g].intent;
	}
	if ((n = hb_encode(p, m->hmac, buf, sizeof(buf))) < 0) {
		log_error("cannot encode a heartbeat: %s", strerror(-n));
		return;
	}
	for (size_t i = 0; i < m->n_links; i++) {
		const struct link *l = &m->links[i];

		/* A peer or link that is down is the normal case this daemon
		 * exists for: no error worth a log line. */
		if (l->group.family) {
			send_to(l, &l->group, m->config->cluster.port, buf, (size_t)n);
			continue;
		}
		for (size_t d = 0; d < m->config->n_directors; d++) {
			const struct lvsd_director *peer = &m->config->directors[d];

			if (d != m->self && i < peer->n_addresses)
				send_to(l, &peer->addresses[i], m->config->cluster.port, buf, (size_t)n);
		}
	}
}
