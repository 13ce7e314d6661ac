/* heartbeatd's life cycle: start (listen a dead time, drop VIPs left
 * behind), heartbeat every interval, hand over and stop. */
#include "manager.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cluster_key.h"
#include "epoch.h"
#include "log.h"
#include "ping_nodes.h"
#include "vip.h"

#define HEARTBEAT_KEY_PURPOSE "lvsd heartbeat v1"
/* The heartbeat is a periodic timerfd of its own: the kernel keeps the
 * cadence (no re-arming, no drift, no slack), and a tick costs one read. */
static int on_tick(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return 0;
	/* Half a dead time of ticks missed: this process was not scheduled
	 * for a while, and the heartbeats of that while may not all be in
	 * the sockets. (A tick or two late is common and harmless.) */
	m->woke_usec = monotonic_usec();
	if (expirations > m->config->cluster.dead_after / 2)
		m->resumed_usec = m->woke_usec;

	/* What arrived first, also where the links have io sources of
	 * their own (one may be pending behind this tick): a peer is judged
	 * by its newest heartbeat. */
	links_receive(m);
	links_send(m);
	roles_evaluate(m, m->heard_news ? "heartbeat" : "heartbeat timer");
	m->heard_news = false;
	m->woke_usec = 0;
	if (m->leaving) {
		/* Stop once the groups are handed over, or after two dead
		 * times whatever happens. */
		if (roles_hold_nothing(m) || monotonic_usec() - m->leaving_since_usec > 2 * manager_dead_usec(m)) {
			roles_release_all(m);
			links_send(m);
			return sd_event_exit(m->event, 0);
		}
	}
	return 0;
}

int manager_set_interval(struct manager *m)
{
	uint64_t i = m->config->cluster.interval_usec;
	struct itimerspec its = {
		.it_interval = { .tv_sec = (time_t)(i / 1000000), .tv_nsec = (long)(i % 1000000) * 1000 },
		.it_value = { .tv_sec = 0, .tv_nsec = 1 },
	};

	return timerfd_settime(m->tick_fd, 0, &its, NULL) < 0 ? -errno : 0;
}

static int heartbeat_timer(struct manager *m)
{
	int r;

	m->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (m->tick_fd < 0)
		return -errno;
	if ((r = manager_set_interval(m)) < 0)
		return r;
	if ((r = sd_event_add_io(m->event, &m->tick, m->tick_fd, EPOLLIN, on_tick, m)) < 0)
		return r;
	sd_event_source_set_description(m->tick, "heartbeat");
	return sd_event_source_set_priority(m->tick, SD_EVENT_PRIORITY_IMPORTANT);
}

int manager_stop(struct manager *m, unsigned signo)
{
	log_info("stopping on signal %u: handing the VIP groups over first", signo);
	m->leaving = true;
	m->leaving_since_usec = monotonic_usec();
	links_send(m);
	roles_evaluate(m, "stopping");
	/* Else the tick leaves once the groups are handed over. */
	return roles_hold_nothing(m) ? 0 : 1;
}

void manager_status_line(const struct manager *m, bool reloaded, char *buf, size_t size)
{
	snprintf(buf, size, "%s", reloaded ? "Running" : "Listening for peers");
}

int manager_find_self(const struct manager *m, const struct lvsd_config *config, size_t *ret)
{
	const struct lvsd_director *self = config_find_director(config, m->opts->node);

	if (self) {
		*ret = (size_t)(self - config->directors);
		return 0;
	}
	log_error("this director, \"%s\", is not in %s (set -N to one of its directors)", m->opts->node,
		  config->path);
	return -ENOENT;
}

int manager_heartbeat_key(const struct lvsd_config *config, struct hmac **ret)
{
	uint8_t key[DERIVED_KEY_SIZE];
	int r = cluster_key_derive(config->cluster.key_file, HEARTBEAT_KEY_PURPOSE, key);

	if (r < 0) {
		log_error("cannot use the cluster key %s: %s", config->cluster.key_file,
			  r == -EPERM ? "it must be a regular file of mode 0600 or 0400" :
			  r == -EINVAL ? "it must hold 32 to 4096 bytes" : strerror(-r));
		return r;
	}
	r = hmac_new(key, ret);
	memset(key, 0, sizeof(key));
	return r;
}

int manager_peers_new(const struct lvsd_config *config, struct peer **ret)
{
	size_t groups = config->n_vips ? config->n_vips : 1;
	struct peer *peers = calloc(config->n_directors, sizeof(*peers));

	if (!peers)
		return -ENOMEM;
	for (size_t i = 0; i < config->n_directors; i++) {
		peers[i].director = &config->directors[i];
		peers[i].roles = calloc(groups, 1);
		peers[i].intents = calloc(groups, 1);
		if (!peers[i].roles || !peers[i].intents) {
			manager_peers_free(peers, config->n_directors);
			return -ENOMEM;
		}
	}
	*ret = peers;
	return 0;
}

void manager_peers_free(struct peer *peers, size_t n)
{
	for (size_t i = 0; peers && i < n; i++) {
		free(peers[i].roles);
		free(peers[i].intents);
	}
	free(peers);
}

/* SCHED_FIFO and locked memory for the tightest intervals: a heartbeat
 * must not wait behind a busy host or a page fault. */
void manager_set_realtime(bool on)
{
	struct sched_param sp = { .sched_priority = on ? 50 : 0 };

	if (sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &sp) < 0)
		log_warning("realtime: cannot use %s: %s", on ? "SCHED_FIFO" : "SCHED_OTHER", strerror(errno));
	/* Pages locked as they are touched, not every page of every mapping
	 * at once: that was some 78 MB and tens of milliseconds at start, for
	 * library code a heartbeat never runs. */
	if ((on ? mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) : munlockall()) < 0)
		log_warning("realtime: cannot %s memory: %s", on ? "lock" : "unlock", strerror(errno));
}

int manager_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	int r;

	if (!m) {
		config_free(config);
		return -ENOMEM;
	}
	m->opts = &d->opts;
	m->event = d->event;
	m->ctl = d->ctl;
	m->config = config;
	m->tick_fd = -1;
	if ((r = manager_find_self(m, config, &m->self)) < 0 || (r = manager_heartbeat_key(config, &m->hmac)) < 0 ||
	    (r = manager_peers_new(config, &m->peers)) < 0)
		goto fail;
	m->groups = calloc(config->n_vips ? config->n_vips : 1, sizeof(*m->groups));
	m->links_up = calloc(config->n_vips ? config->n_vips : 1, sizeof(*m->links_up));
	if (!m->groups || !m->links_up) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = vip_netlink_open(&m->nl)) < 0) {
		log_error("cannot open the sockets that manage VIP addresses: %s", strerror(-r));
		goto fail;
	}
	if ((r = heartbeat_timer(m)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		goto fail;
	}
	for (size_t g = 0; g < config->n_vips; g++) {
		m->groups[g].vip = &config->vips[g];
		role_machine_init(&m->groups[g].machine);
		if ((r = roles_announce_timer(m, &m->groups[g])) < 0)
			goto fail;
	}
	if ((r = links_open(m, config, m->self, &m->links, &m->n_links)) < 0)
		goto fail;
	links_prepare_outgoing(m);
	if ((r = ping_nodes_new(m->event, &config->cluster, &m->ping)) < 0) {
		log_error("cannot ping the ping nodes: %s", strerror(-r));
		goto fail;
	}
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

void manager_start(struct manager *m)
{
	char epoch_path[4096];

	if (m->config->cluster.realtime)
		manager_set_realtime(true);
	/* A heartbeatd killed while holding a group left its addresses: a
	 * new one holds nothing until the election says so. */
	for (size_t g = 0; g < m->config->n_vips; g++)
		if (vip_present(m->nl, &m->config->vips[g])) {
			log_notice("vip %s: removing addresses left behind by an earlier run", m->config->vips[g].name);
			vip_remove(m->nl, &m->config->vips[g]);
		}
	snprintf(epoch_path, sizeof(epoch_path), "%s/heartbeatd.epoch", m->opts->runtime_dir);
	m->epoch = epoch_next(epoch_path, realtime_usec());
	m->started_usec = monotonic_usec();
	log_info("director %s (priority %u): %zu peers, %zu VIP groups, heartbeats every %llu ms, dead after %u",
		 m->config->directors[m->self].name, m->config->directors[m->self].priority,
		 m->config->n_directors - 1, m->config->n_vips,
		 (unsigned long long)(m->config->cluster.interval_usec / 1000), m->config->cluster.dead_after);
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	links_close(m->links, m->n_links);
	for (size_t g = 0; m->groups && m->config && g < m->config->n_vips; g++)
		sd_event_source_disable_unref(m->groups[g].announce_timer);
	if (m->config)
		manager_peers_free(m->peers, m->config->n_directors);
	free(m->groups);
	free(m->links_up);
	sd_event_source_disable_unref(m->tick);
	if (m->tick_fd >= 0)
		close(m->tick_fd);
	vip_netlink_close(m->nl);
	ping_nodes_free(m->ping);
	hmac_free(m->hmac);
	config_free(m->config);
	free(m);
}
