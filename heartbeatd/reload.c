/* SIGHUP: a new configuration applied without letting go of anything that
 * stays. Everything that can fail (the key, memory, sockets, ping
 * sockets) is prepared first; only then is the running state switched,
 * so a reload that fails changes nothing.
 *
 * What carries over, matched by name: a peer's liveness, priority,
 * roles and replay window; a group's role, administrator's intent and
 * announcement timer. A held group that leaves the configuration is
 * released; a held group whose addresses changed drops the old ones and
 * announces the new ones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_key.h"
#include "log.h"
#include "manager.h"
#include "ping_nodes.h"
#include "vip.h"

/* Everything prepared for the new configuration before it is applied. */
struct next {
	struct lvsd_config *config;
	size_t self;
	struct hmac *hmac;
	struct peer *peers;
	struct group *groups;
	bool *links_up;
	struct link *links;             /* NULL: the running links stay */
	size_t n_links;
	struct ping_nodes *ping;        /* only when the ping nodes changed */
	bool new_ping;
};

/* Where a director or a VIP group of the running configuration is in
 * c, by name: its index there, or -1. */
static ssize_t director_in(const struct lvsd_config *c, const char *name)
{
	const struct lvsd_director *d = config_find_director(c, name);

	return d ? d - c->directors : -1;
}

static ssize_t vip_in(const struct lvsd_config *c, const char *name)
{
	const struct lvsd_vip *v = config_find_vip(c, name);

	return v ? v - c->vips : -1;
}

static bool same_vip_address(const struct lvsd_vip_address *a, const struct lvsd_vip_address *b)
{
	return addr_equal(&a->addr, &b->addr) && a->prefixlen == b->prefixlen && strcmp(a->dev, b->dev) == 0;
}

static bool has_vip_address(const struct lvsd_vip *g, const struct lvsd_vip_address *a)
{
	for (size_t i = 0; i < g->n_addresses; i++)
		if (same_vip_address(&g->addresses[i], a))
			return true;
	return false;
}

static bool same_addresses(const struct lvsd_vip *a, const struct lvsd_vip *b)
{
	if (a->n_addresses != b->n_addresses)
		return false;
	for (size_t i = 0; i < a->n_addresses; i++)
		if (!has_vip_address(b, &a->addresses[i]))
			return false;
	return true;
}

/* The links change when this director's heartbeat addresses, the port
 * or the multicast groups do, or when the interval crosses the line
 * between read-by-the-tick and read-when-readable. */
static bool links_change(const struct manager *m, const struct lvsd_config *c, size_t self)
{
	const struct lvsd_director *a = &m->config->directors[m->self], *b = &c->directors[self];

	if (a->n_addresses != b->n_addresses || m->config->cluster.port != c->cluster.port ||
	    !addr_equal(&m->config->cluster.multicast4, &c->cluster.multicast4) ||
	    !addr_equal(&m->config->cluster.multicast6, &c->cluster.multicast6) ||
	    (m->config->cluster.interval_usec <= LINKS_POLLED_UP_TO_USEC) !=
		    (c->cluster.interval_usec <= LINKS_POLLED_UP_TO_USEC))
		return true;
	for (size_t i = 0; i < a->n_addresses; i++)
		if (!addr_equal(&a->addresses[i], &b->addresses[i]))
			return true;
	return false;
}

static void next_free(struct next *n)
{
	if (n->groups)
		for (size_t g = 0; g < n->config->n_vips; g++)
			sd_event_source_disable_unref(n->groups[g].announce_timer);
	free(n->groups);
	free(n->links_up);
	manager_peers_free(n->peers, n->config->n_directors);
	links_close(n->links, n->n_links);
	if (n->new_ping)
		ping_nodes_free(n->ping);
	hmac_free(n->hmac);
}

static int prepare(struct manager *m, struct next *n)
{
	const struct lvsd_config *c = n->config;
	size_t groups = c->n_vips ? c->n_vips : 1;
	int r;

	if ((r = manager_find_self(m, c, &n->self)) < 0 || (r = manager_heartbeat_key(c, &n->hmac)) < 0 ||
	    (r = manager_peers_new(c, &n->peers)) < 0)
		return r;
	n->groups = calloc(groups, sizeof(*n->groups));
	n->links_up = calloc(groups, sizeof(*n->links_up));
	if (!n->groups || !n->links_up)
		return -ENOMEM;
	for (size_t g = 0; g < c->n_vips; g++) {
		ssize_t old = vip_in(m->config, c->vips[g].name);

		n->groups[g].vip = &c->vips[g];
		role_machine_init(&n->groups[g].machine);
		/* A kept group keeps its timer (taken over when applied). */
		if (old < 0 && (r = roles_announce_timer(m, &n->groups[g])) < 0)
			return r;
	}
	if (links_change(m, c, n->self) && (r = links_open(m, c, n->self, &n->links, &n->n_links)) < 0)
		return r;
	if (ping_nodes_same(&m->config->cluster, &c->cluster)) {
		n->ping = m->ping;
	} else {
		n->new_ping = true;
		if ((r = ping_nodes_new(m->event, &c->cluster, &n->ping)) < 0) {
			log_error("cannot ping the new ping nodes: %s", strerror(-r));
			return r;
		}
	}
	return 0;
}

/* A peer in both configurations keeps what it said; claims and intents
 * follow their groups by name. */
static void carry_peers(struct manager *m, struct next *n)
{
	const struct lvsd_config *c = n->config;

	for (size_t i = 0; i < c->n_directors; i++) {
		ssize_t o = director_in(m->config, c->directors[i].name);
		struct peer *to = &n->peers[i];
		const struct peer *from;

		if (o < 0 || (size_t)o == m->self || i == n->self)
			continue;
		from = &m->peers[o];
		to->alive = from->alive;
		to->fit = from->fit;
		to->leaving = from->leaving;
		to->ping_ok = from->ping_ok;
		to->last_heard_usec = from->last_heard_usec;
		to->alive_since_usec = from->alive_since_usec;
		to->seen = from->seen;
		to->priority = from->priority;
		to->interval_usec = from->interval_usec;
		for (size_t g = 0; g < c->n_vips; g++) {
			ssize_t og = vip_in(m->config, c->vips[g].name);

			if (og >= 0) {
				to->roles[g] = from->roles[og];
				to->intents[g] = from->intents[og];
			}
		}
	}
}

/* The addresses of `held` that `kept` no longer has, removed. */
static void drop_old_addresses(struct manager *m, const struct lvsd_vip *held, const struct lvsd_vip *kept)
{
	struct lvsd_vip_address gone[held->n_addresses ? held->n_addresses : 1];
	struct lvsd_vip left = *held;

	left.addresses = gone;
	left.n_addresses = 0;
	for (size_t i = 0; i < held->n_addresses; i++)
		if (!has_vip_address(kept, &held->addresses[i]))
			gone[left.n_addresses++] = held->addresses[i];
	if (left.n_addresses)
		vip_remove(m->nl, &left);
}

static void carry_groups(struct manager *m, struct next *n)
{
	const struct lvsd_config *c = n->config;

	for (size_t og = 0; og < m->config->n_vips; og++) {
		struct group *from = &m->groups[og];
		ssize_t g = vip_in(c, from->vip->name);
		struct group *to;

		if (g < 0) {
			if (from->machine.role == HB_ROLE_MASTER) {
				log_full(LOG_NOTICE, "LVSD_VIP", from->vip->name,
					 "vip %s: no longer in the configuration; removing its addresses", from->vip->name);
				vip_remove(m->nl, from->vip);
			}
			sd_event_source_disable_unref(from->announce_timer);
			from->announce_timer = NULL;
			continue;
		}
		to = &n->groups[g];
		/* The holder's name is the old configuration's: the next
		 * decision names it anew. */
		to->machine = from->machine;
		to->machine.holder = NULL;
		to->intent = from->intent;
		to->announcements_left = from->announcements_left;
		to->announce_timer = from->announce_timer;
		from->announce_timer = NULL;
		sd_event_source_set_userdata(to->announce_timer, to);
		if (from->machine.role != HB_ROLE_MASTER || same_addresses(from->vip, to->vip))
			continue;
		log_full(LOG_NOTICE, "LVSD_VIP", to->vip->name, "vip %s: its addresses changed; moving to them",
			 to->vip->name);
		drop_old_addresses(m, from->vip, to->vip);
		roles_announce_again(m, to);
	}
}

int manager_reload(struct manager *m, struct lvsd_config *config)
{
	struct next n = { .config = config };
	struct lvsd_config *old = m->config;
	bool was_realtime = old->cluster.realtime;
	uint64_t old_interval = old->cluster.interval_usec;
	int r;

	if ((r = prepare(m, &n)) < 0) {
		next_free(&n);
		return r;
	}
	/* Nothing can fail from here on. */
	carry_peers(m, &n);
	carry_groups(m, &n);
	manager_peers_free(m->peers, old->n_directors);
	free(m->groups);
	free(m->links_up);
	hmac_free(m->hmac);
	m->peers = n.peers;
	m->groups = n.groups;
	m->links_up = n.links_up;
	m->hmac = n.hmac;
	m->self = n.self;
	if (n.links) {
		links_close(m->links, m->n_links);
		m->links = n.links;
		m->n_links = n.n_links;
	}
	if (n.new_ping)
		ping_nodes_free(m->ping);
	else
		ping_nodes_rebind(n.ping, &config->cluster);
	m->ping = n.ping;
	m->config = config;
	config_free(old);

	if (config->cluster.interval_usec != old_interval && (r = manager_set_interval(m)) < 0)
		log_error("cannot set the new heartbeat interval: %s", strerror(-r));
	if (config->cluster.realtime != was_realtime)
		manager_set_realtime(config->cluster.realtime);
	links_prepare_outgoing(m);
	/* Decide on the new facts now: interfaces asked again, peers told. */
	m->links_checked_usec = 0;
	roles_evaluate(m, "reload");
	links_send(m);
	manager_publish(m);
	log_info("configuration reloaded from %s: %zu peers, %zu VIP groups, heartbeats every %llu ms, dead after %u",
		 m->opts->config_path, config->n_directors - 1, config->n_vips,
		 (unsigned long long)(config->cluster.interval_usec / 1000), config->cluster.dead_after);
	return 0;
}
