/* syncd: runs the kernel's IPVS sync daemons as heartbeatd's roles ask:
 * the backup always (this director then has every peer's connections
 * before it takes a group over), the master while it holds a group. It
 * leaves them running when it stops, and adopts them when it starts. */
#include "manager.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The kernel is read again this often, repairing daemons stopped by hand;
 * after a failed pass, sooner. */
#define CHECK_USEC (5 * 1000000ULL)
#define RETRY_USEC (1 * 1000000ULL)

static void publish(struct manager *m);

static const char *describe(const struct sync_daemon *d, char *buf, size_t size)
{
	char group[LVSD_ADDR_STRLEN];

	snprintf(buf, size, "on %s, syncid %u, %s port %u", d->ifname, d->syncid, addr_format(&d->group, group),
		 d->port);
	return buf;
}

/* One daemon's step carried out: 0, or the kernel's error (logged). */
static int carry_out(struct manager *m, bool master, enum sync_step step, const struct sync_daemon *want,
		     const char *why)
{
	const char *name = master ? "master" : "backup";
	char what[128];
	int r = 0;

	if (step == SYNC_KEEP)
		return 0;
	if (step == SYNC_STOP || step == SYNC_RESTART)
		r = kernel_sync_stop(m->kernel, master);
	if (r == -ESRCH)
		r = 0;  /* stopped meanwhile */
	if (r == 0 && step != SYNC_STOP)
		r = kernel_sync_start(m->kernel, master, want);
	if (r < 0)
		log_error("cannot %s the kernel's sync %s %s: %s", sync_step_to_string(step), name,
			  describe(want, what, sizeof(what)), strerror(-r));
	else if (step == SYNC_STOP)
		log_notice("sync %s stopped (%s)", name, why);
	else
		log_notice("sync %s %s %s (%s)", name, step == SYNC_START ? "started" : "restarted",
			   describe(want, what, sizeof(what)), why);
	return r;
}

/* The index of the interface a daemon runs on, as it was when the daemon
 * was started or first found running; 0 when it does not run. Another
 * index under the same name: the interface was made anew. */
static bool interface_recreated(unsigned *started_on, const struct sync_daemon *d, unsigned now)
{
	if (!d->running)
		*started_on = 0;
	else if (!*started_on)
		*started_on = now;
	return *started_on && now && now != *started_on;
}

static bool same_daemon(const struct sync_daemon *a, const struct sync_daemon *b)
{
	return a->running == b->running && strcmp(a->ifname, b->ifname) == 0 && a->syncid == b->syncid &&
	       a->port == b->port && addr_equal(&a->group, &b->group);
}

/* Reads the kernel, decides, carries out; publishes what changed. */
static void pass(struct manager *m, const char *why)
{
	unsigned ifindex = if_nametoindex(m->config->sync.interface ? m->config->sync.interface : "");
	struct sync_kernel found, before = m->running;
	struct sync_plan plan;
	int rb, rm;

	if ((rb = kernel_sync_read(m->kernel, &found)) < 0) {
		/* What runs is unknown: the last reading stands. */
		log_error("cannot read the kernel's sync daemons: %s", strerror(-rb));
		m->failures++;
	} else {
		found.master.stale = interface_recreated(&m->master_ifindex, &found.master, ifindex);
		found.backup.stale = interface_recreated(&m->backup_ifindex, &found.backup, ifindex);
		m->running = found;
		if (found.master.stale || found.backup.stale)
			why = "its interface was made anew";
		sync_plan_decide(&m->config->sync, &m->roles, &found, &plan);
		rb = carry_out(m, false, plan.backup, &plan.want, why);
		rm = carry_out(m, true, plan.master, &plan.want, why);
		m->failures = rb < 0 || rm < 0 ? m->failures + 1 : 0;
		if (rb == 0 && (plan.backup == SYNC_START || plan.backup == SYNC_RESTART))
			m->backup_ifindex = ifindex;
		if (rm == 0 && (plan.master == SYNC_START || plan.master == SYNC_RESTART))
			m->master_ifindex = ifindex;
		if ((plan.master != SYNC_KEEP || plan.backup != SYNC_KEEP) && kernel_sync_read(m->kernel, &found) == 0)
			m->running = found;
	}
	if (!same_daemon(&before.master, &m->running.master) || !same_daemon(&before.backup, &m->running.backup))
		publish(m);
	sd_event_source_set_time_relative(m->check_timer, m->failures ? RETRY_USEC : CHECK_USEC);
	sd_event_source_set_enabled(m->check_timer, SD_EVENT_ONESHOT);
}

static int on_check_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	pass(userdata, "check");
	return 0;
}

static int on_apply_soon(sd_event_source *s, void *userdata)
{
	struct manager *m = userdata;

	pass(m, m->roles.holds_a_group ? "this director holds a VIP group" : "this director holds no VIP group");
	return 0;
}

/* heartbeatd sends a whole snapshot (its directors, its VIP groups, END)
 * at first and after every change. */
static void on_heartbeatd_message(const struct ipc_message *msg, void *userdata)
{
	struct manager *m = userdata;

	if (!m->snapshot_open) {
		m->snapshot_open = true;
		m->snapshot_holds = false;
	}
	if (msg->type == IPC_MSG_VIP_GROUP && msg->vip.role == IPC_ROLE_MASTER)
		m->snapshot_holds = true;
	if (msg->type != IPC_MSG_END)
		return;
	m->snapshot_open = false;
	if (m->roles.known && m->roles.holds_a_group == m->snapshot_holds)
		return;
	if (!m->roles.known)
		log_info("heartbeatd: this director holds %s", m->snapshot_holds ? "a VIP group" : "no VIP group");
	m->roles = (struct sync_roles){ .known = true, .holds_a_group = m->snapshot_holds };
	publish(m);
	sd_event_source_set_enabled(m->apply_soon, SD_EVENT_ONESHOT);
}

static void on_heartbeatd_connection(bool connected, int error, void *userdata)
{
	struct manager *m = userdata;

	m->snapshot_open = false;
	if (connected) {
		log_info("subscribed to heartbeatd");
		return;
	}
	/* What runs stays: a restarting heartbeatd must not stop the
	 * sync of the connections this director forwards. */
	if (m->roles.known)
		log_warning("heartbeatd is not reachable (%s); the sync daemons stay as they are until it is",
			    strerror(-error));
	m->roles.known = false;
	publish(m);
}

static int check_config(const struct lvsd_config *c)
{
	if (c->sync.enabled && c->sync.transport == SYNC_UNICAST) {
		log_error("%s: sync: transport = unicast is not available in this version of syncd; "
			  "set transport = multicast", c->path);
		return -EOPNOTSUPP;
	}
	return 0;
}

int manager_reload(struct manager *m, struct lvsd_config *config)
{
	int r = check_config(config);

	if (r < 0)
		return r;
	config_free(m->config);
	m->config = config;
	log_info("configuration reloaded from %s", m->opts->config_path);
	pass(m, "reload");
	return 0;
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
	if ((r = check_config(config)) < 0)
		goto fail;
	if ((r = kernel_sync_open(&m->kernel)) < 0) {
		log_error("cannot reach the kernel's IPVS over generic netlink: %s",
			  r == -ENOENT ? "the kernel has no IPVS (module ip_vs)" : strerror(-r));
		goto fail;
	}
	if ((r = sd_event_add_time_relative(m->event, &m->check_timer, CLOCK_MONOTONIC, CHECK_USEC, 0,
					    on_check_timer, m)) < 0 ||
	    (r = sd_event_add_defer(m->event, &m->apply_soon, on_apply_soon, m)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		goto fail;
	}
	sd_event_source_set_description(m->check_timer, "check-timer");
	sd_event_source_set_description(m->apply_soon, "apply-soon");
	sd_event_source_set_enabled(m->apply_soon, SD_EVENT_OFF);
	if ((r = ctl_subscription_new(m->event, m->opts->runtime_dir, "heartbeatd",
				      &(struct ctl_subscription_handlers){ on_heartbeatd_message,
									   on_heartbeatd_connection },
				      m, &m->heartbeatd)) < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

void manager_start(struct manager *m)
{
	if (!m->config->sync.enabled) {
		log_notice("%s has no sync block: the kernel's sync daemons are left as they are",
			   m->opts->config_path);
		return;
	}
	log_info("starting with %s: transport multicast on %s", m->opts->config_path, m->config->sync.interface);
	pass(m, "start");
}

int manager_stop(struct manager *m, unsigned signo)
{
	log_info("stopping on signal %u; the kernel's sync daemons keep running", signo);
	return 0;
}

void manager_status_line(const struct manager *m, bool reloaded, char *buf, size_t size)
{
	snprintf(buf, size, "Kernel sync daemons: %s", sync_kernel_state(&m->running));
}

int manager_send_status(struct manager *m, struct ctl_peer *p)
{
	struct ipc_message msg = { .type = IPC_MSG_SYNC };
	int r;

	msg.sync.master = m->running.master.running;
	msg.sync.backup = m->running.backup.running;
	msg.sync.transport = (uint8_t)m->config->sync.transport;
	snprintf(msg.sync.interface, sizeof(msg.sync.interface), "%s",
		 m->config->sync.interface ? m->config->sync.interface : "");
	msg.sync.syncid = (uint8_t)m->config->sync.id;
	msg.sync.roles_known = m->roles.known;
	if ((r = ctl_peer_send(p, &msg)) < 0)
		return r;
	msg = (struct ipc_message){ .type = IPC_MSG_END, .end.count = 1 };
	return ctl_peer_send(p, &msg);
}

static int publish_to(struct ctl_peer *p, void *userdata)
{
	return manager_send_status(userdata, p);
}

static void publish(struct manager *m)
{
	if (m->ctl && ctl_server_has_subscribers(m->ctl))
		ctl_server_for_each_subscriber(m->ctl, publish_to, m);
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	ctl_subscription_free(m->heartbeatd);
	sd_event_source_disable_unref(m->check_timer);
	sd_event_source_disable_unref(m->apply_soon);
	kernel_sync_close(m->kernel);
	config_free(m->config);
	free(m);
}
