/* Carrying out the role machines' steps (role_fsm.c): addresses,
 * announcements, telling the peers and the subscribers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "election.h"
#include "log.h"
#include "manager.h"
#include "ping_nodes.h"
#include "role_fsm.h"
#include "vip.h"

#define LINK_CHECK_USEC 10000
#define ADDRESS_CHECK_USEC 1000000

uint64_t manager_dead_usec(const struct manager *m)
{
	return (uint64_t)m->config->cluster.dead_after * m->config->cluster.interval_usec;
}

uint64_t manager_peer_dead_usec(const struct manager *m, const struct peer *p)
{
	uint64_t interval = m->config->cluster.interval_usec;

	return (uint64_t)m->config->cluster.dead_after * (p->interval_usec > interval ? p->interval_usec : interval);
}

static int on_announce(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct group *g = userdata;
	uint64_t next;

	if (g->machine.role != HB_ROLE_MASTER)
		return 0;
	vip_announce(g->vip);
	if (g->announcements_left > 0)
		g->announcements_left--;
	next = g->announcements_left > 0 ? g->vip->garp_interval_usec : g->vip->garp_refresh_usec;
	if (next == 0)
		return sd_event_source_set_enabled(s, SD_EVENT_OFF);
	sd_event_source_set_time(s, usec + next);
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

/* The first announcement at once, the others at garp-interval. */
static void start_announcing(struct manager *m, struct group *g)
{
	uint64_t now = 0;

	vip_announce(g->vip);
	g->announcements_left = g->vip->garp_count > 1 ? g->vip->garp_count - 1 : 0;
	if (g->announcements_left || g->vip->garp_refresh_usec) {
		sd_event_now(m->event, CLOCK_MONOTONIC, &now);
		sd_event_source_set_time(g->announce_timer,
					 now + (g->announcements_left ? g->vip->garp_interval_usec
								      : g->vip->garp_refresh_usec));
		sd_event_source_set_enabled(g->announce_timer, SD_EVENT_ONESHOT);
	}
}

/* The one choke point of every step of a group's machine: logs it
 * (old -> new (reason) when the role changes) and carries out its actions. */
static void carry_out(struct manager *m, struct group *g, const struct role_step *s)
{
	const char *name = g->vip->name;

	if (s->actions & ROLE_REMOVE) {
		sd_event_source_set_enabled(g->announce_timer, SD_EVENT_OFF);
		vip_remove(m->nl, g->vip);
	}
	if (s->actions & ROLE_ADD)
		vip_add(m->nl, g->vip);
	if (s->from != s->to)
		log_full(s->from == HB_ROLE_MASTER || s->to == HB_ROLE_MASTER ? LOG_NOTICE : LOG_INFO, "LVSD_VIP",
			 name, "vip %s: %s -> %s (%s)", name, hb_role_to_string(s->from), hb_role_to_string(s->to),
			 s->reason);
	else if (s->reason[0])
		log_full(s->actions & ROLE_ANNOUNCE ? LOG_NOTICE : LOG_INFO, "LVSD_VIP", name, "vip %s: %s", name,
			 s->reason);
	if (s->actions & ROLE_ANNOUNCE)
		start_announcing(m, g);
	if (s->actions & ROLE_PUBLISH)
		manager_publish(m);
	if (s->actions & ROLE_TELL_PEERS)
		links_send(m);
}

void roles_announce_again(struct manager *m, struct group *g)
{
	vip_add(m->nl, g->vip);
	start_announcing(m, g);
}

static void update_liveness(struct manager *m, uint64_t now)
{
	for (size_t i = 0; i < m->config->n_directors; i++) {
		struct peer *p = &m->peers[i];

		/* After a stall of this process, a peer's silence counts from
		 * when it resumed: what the peer sent meanwhile may be lost to
		 * a full socket. A peer that died during the stall is seen dead
		 * a dead time after the resumption. */
		uint64_t since = p->last_heard_usec > m->resumed_usec ? p->last_heard_usec : m->resumed_usec;

		if (i == m->self || !p->alive || now - since <= manager_peer_dead_usec(m, p))
			continue;
		p->alive = false;
		memset(p->roles, HB_ROLE_BACKUP, m->config->n_vips * sizeof(*p->roles));
		log_warning("director %s is dead: no heartbeat for %llu ms", p->director->name,
			    (unsigned long long)((now - p->last_heard_usec) / 1000));
		manager_publish(m);
	}
}

/* How long a holder that should let go keeps the group while the winner
 * has not said it holds it: a dead time, but at least 100 ms, as at the
 * fastest intervals a heartbeat's way there and the answer's way back
 * (each read at a tick) can take most of a dead time. Waiting longer
 * costs nothing: the group is held meanwhile. */
static uint64_t handover_patience_usec(const struct manager *m)
{
	uint64_t dead = manager_dead_usec(m);

	return dead > 100000 ? dead : 100000;
}

/* What the election of group gi looks at, from this director's view, and
 * the step of its machine. */
static void decide(struct manager *m, size_t gi, uint64_t now, const char *why)
{
	struct group *g = &m->groups[gi];
	size_t n = m->config->n_directors;
	struct election_member members[n ? n : 1];
	bool claims[n ? n : 1];
	bool links_up = m->links_up[gi];
	struct role_facts f = {
		.members = members,
		.claims = claims,
		.n = n,
		.self = m->self,
		.preferred = g->vip->preferred,
		.failback = m->config->cluster.failback,
		.failback_delay_usec = m->config->cluster.failback_delay_usec,
		.patience_usec = handover_patience_usec(m),
		.now_usec = now,
		.why = why,
	};
	struct role_step step;

	for (size_t i = 0; i < n; i++) {
		const struct peer *p = &m->peers[i];
		bool self = i == m->self;

		members[i] = (struct election_member){
			.name = m->config->directors[i].name,
			.priority = self ? m->config->directors[i].priority : p->priority,
			.alive = self || p->alive,
			/* Judged per group, as each director judges itself:
			 * a peer with one group's interface down is still
			 * fit for the others. */
			.links_up = self ? links_up : p->fit && p->roles[gi] != HB_ROLE_FAULT,
			.ping_ok = self ? ping_nodes_reachable(m->ping, now) : p->ping_ok,
			.leaving = self ? m->leaving : p->leaving,
			.wants = (self ? g->intent : p->intents[gi]) == HB_INTENT_WANTS,
			.yields = (self ? g->intent : p->intents[gi]) == HB_INTENT_YIELDS,
			.alive_since_usec = self ? m->started_usec : p->alive_since_usec,
		};
		claims[i] = !self && p->alive && p->roles[gi] == HB_ROLE_MASTER;
	}
	role_decide(&g->machine, &f, &step);
	carry_out(m, g, &step);
}

/* A held group whose addresses went away (removed by hand, an interface
 * reset) is put back and announced again, checked every second. */
static void repair_addresses(struct manager *m, uint64_t now)
{
	if (m->addresses_checked_usec && now - m->addresses_checked_usec < ADDRESS_CHECK_USEC)
		return;
	m->addresses_checked_usec = now;
	for (size_t g = 0; g < m->config->n_vips; g++) {
		struct group *gr = &m->groups[g];

		if (gr->machine.role != HB_ROLE_MASTER || vip_present_all(m->nl, gr->vip))
			continue;
		log_full(LOG_WARNING, "LVSD_VIP", gr->vip->name, "vip %s: an address of the group is missing here; "
			 "adding it again", gr->vip->name);
		vip_add(m->nl, gr->vip);
		vip_announce(gr->vip);
	}
}

void roles_evaluate(struct manager *m, const char *why)
{
	uint64_t now = monotonic_usec();

	/* Stopped after the tick read its timer (the count of expirations
	 * saw nothing amiss) and before now: what the links just gave is as
	 * old as the stall, and the peers' newer heartbeats are still to be
	 * read. Judged dead now, a live peer would be taken over from. */
	if (m->woke_usec && now - m->woke_usec > manager_dead_usec(m) / 2)
		m->resumed_usec = now;
	update_liveness(m, now);
	/* An ioctl per interface per heartbeat is most of the cost at 1 ms:
	 * the interfaces' state is asked at most every 10 ms. */
	if (!m->links_checked_usec || now - m->links_checked_usec >= LINK_CHECK_USEC) {
		m->links_checked_usec = now;
		for (size_t g = 0; g < m->config->n_vips; g++)
			m->links_up[g] = vip_links_up(m->nl, &m->config->vips[g]);
	}
	if (!m->settled) {
		/* Hear the peers for a dead time before claiming anything:
		 * a restarted director must not grab a group someone holds. */
		if (now - m->started_usec < manager_dead_usec(m))
			return;
		m->settled = true;
		log_info("listened for a dead time: deciding roles");
	}
	for (size_t g = 0; g < m->config->n_vips; g++)
		decide(m, g, now, why);
	repair_addresses(m, now);
}

void roles_release_all(struct manager *m)
{
	for (size_t g = 0; g < m->config->n_vips; g++) {
		struct role_step step;

		role_stop(&m->groups[g].machine, &step);
		carry_out(m, &m->groups[g], &step);
	}
}

bool roles_hold_nothing(const struct manager *m)
{
	for (size_t g = 0; g < m->config->n_vips; g++)
		if (m->groups[g].machine.role == HB_ROLE_MASTER)
			return false;
	return true;
}

int roles_announce_timer(struct manager *m, struct group *g)
{
	int r = sd_event_add_time(m->event, &g->announce_timer, CLOCK_MONOTONIC, UINT64_MAX, 1, on_announce, g);

	if (r >= 0) {
		sd_event_source_set_enabled(g->announce_timer, SD_EVENT_OFF);
		sd_event_source_set_description(g->announce_timer, "announce");
	}
	return r;
}
