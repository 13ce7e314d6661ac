/* directord's life cycle: start, reload, stop. */
#include "manager.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "desired.h"
#include "log.h"
#include "owned.h"

static void apply_log_level(const struct manager *m)
{
	log_set_level(m->opts->log_level >= 0 ? m->opts->log_level : m->config->log_level);
}

/* Makes config the running configuration (ownership passes to m). The
 * desired table is the next pass's to build: it depends on the kernel. */
static int manager_set_config(struct manager *m, struct lvsd_config *config)
{
	int *errors = calloc(config->n_virtuals ? config->n_virtuals : 1, sizeof(int));

	if (!errors)
		return -ENOMEM;
	/* The services of the old configuration stay owned: those dropped
	 * from the new one are removed by the next pass. */
	ipvs_table_clear(&m->desired);
	config_free(m->config);
	free(m->virtual_errors);
	m->config = config;
	m->virtual_errors = errors;
	apply_log_level(m);
	return 0;
}

static bool has_checked_reals(const struct lvsd_config *c)
{
	for (size_t i = 0; i < c->n_virtuals; i++)
		for (size_t j = 0; j < c->virtuals[i].n_reals; j++)
			switch (c->virtuals[i].reals[j].check.type) {
			case CHECK_NONE: case CHECK_ON: case CHECK_OFF:
				break;
			default:
				return true;
			}
	return false;
}

static int on_health_pass(sd_event_source *s, void *userdata)
{
	struct manager *m = userdata;

	m->health_changed = false;
	manager_reconcile(m, "health change");
	return 0;
}

/* Changes are applied once healthd's snapshot is whole, and then in one
 * pass per loop iteration however many arrive together. */
static void on_healthd_message(const struct ipc_message *msg, void *userdata)
{
	struct manager *m = userdata;
	int r;

	if (msg->type == IPC_MSG_HEALTH) {
		r = health_map_set(&m->health, msg->health.virtual_name, msg->health.name, &msg->health.endpoint,
				   (enum ipc_health)msg->health.health);
		if (r < 0)
			log_error("cannot record the health of %s/%s: %s", msg->health.virtual_name,
				  msg->health.name, strerror(-r));
		else if (r > 0)
			m->health_changed = true;
	} else if (msg->type == IPC_MSG_END) {
		if (!m->health_synced)
			log_info("healthd: %u real servers known", msg->end.count);
		m->health_synced = true;
	}
	if (m->health_changed && m->health_synced)
		sd_event_source_set_enabled(m->health_pass, SD_EVENT_ONESHOT);
}

static void on_healthd_connection(bool connected, int error, void *userdata)
{
	struct manager *m = userdata;

	m->health_synced = false;
	if (connected) {
		log_info("subscribed to healthd");
		return;
	}
	/* What healthd last said stays: a dying health checker must not
	 * take servers out of rotation. */
	if (has_checked_reals(m->config))
		log_warning("healthd is not reachable (%s); real servers keep their current state until it is",
			    strerror(-error));
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	log_info("stopping on signal %u; %s", si->ssi_signo,
		 m->config->flush_on_stop ? "removing its virtual services (flush-on-stop)"
					  : "the IPVS table stays as it is");
	if (m->config->flush_on_stop)
		manager_flush(m);
	return sd_event_exit(m->event, 0);
}

int manager_reload(struct manager *m, char *why, size_t size)
{
	struct lvsd_config *config = NULL;
	int r = daemon_reload_load(m->opts, &config, why, size);

	if (r >= 0 && (r = manager_set_config(m, config)) < 0) {
		config_free(config);
		daemon_reload_failed(m->opts->config_path, r, why, size);
	}
	if (r >= 0) {
		log_info("configuration reloaded from %s: %zu virtual services",
			 m->opts->config_path, m->config->n_virtuals);
		manager_reconcile(m, "reload");
	}
	daemon_release_memory();
	sd_notify(0, "READY=1");
	return r;
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	char why[DAEMON_WHY_MAX];

	manager_reload(userdata, why, sizeof(why));
	return 0;
}

static int on_reconcile_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	manager_reconcile(userdata, "periodic check");
	return 0;
}

int manager_new(const struct daemon_options *opts, struct lvsd_config *config, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	char path[4096];
	int r;

	if (!m) {
		config_free(config);
		return -ENOMEM;
	}
	m->opts = opts;
	if ((r = manager_set_config(m, config)) < 0) {
		config_free(config);
		goto fail;
	}
	if ((r = daemon_make_runtime_dir(opts->runtime_dir)) < 0) {
		log_error("cannot create runtime directory %s: %s", opts->runtime_dir, strerror(-r));
		goto fail;
	}
	snprintf(m->owned_path, sizeof(m->owned_path), "%s/directord.owned", opts->runtime_dir);
	if ((r = owned_load(m->owned_path, &m->owned)) < 0)
		log_warning("cannot read %s: %s; owning only the configured services",
			    m->owned_path, strerror(-r));

	if ((r = ipvs_netlink_open(&m->nl)) < 0) {
		log_error("cannot talk to the kernel's IPVS: %s",
			  r == -ENOENT ? "no IPVS in this kernel (is the ip_vs module loaded?)" : strerror(-r));
		goto fail;
	}
	if ((r = sd_event_new(&m->event)) < 0 ||
	    (r = daemon_add_signals(m->event, on_stop, on_reload, m, &m->sigterm, &m->sigint, &m->sighup)) < 0 ||
	    (r = sd_event_add_time_relative(m->event, &m->reconcile_timer, CLOCK_MONOTONIC,
					    m->config->reconcile_interval_usec, 0, on_reconcile_timer, m)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		goto fail;
	}
	sd_event_source_set_description(m->reconcile_timer, "reconcile-timer");
	if ((r = sd_event_add_defer(m->event, &m->health_pass, on_health_pass, m)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		goto fail;
	}
	sd_event_source_set_description(m->health_pass, "health-pass");
	sd_event_source_set_enabled(m->health_pass, SD_EVENT_OFF);
	sd_event_set_watchdog(m->event, true);

	if ((r = daemon_serve_control(m->event, opts, manager_on_request, m, &m->ctl)) < 0)
		goto fail;
	if ((r = daemon_socket_path(opts->runtime_dir, "healthd", path, sizeof(path))) < 0 ||
	    (r = ctl_subscription_new(m->event, path,
				      &(struct ctl_subscription_handlers){ on_healthd_message, on_healthd_connection },
				      m, &m->healthd)) < 0) {
		log_error("cannot subscribe to healthd at %s: %s", path, strerror(-r));
		goto fail;
	}
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

int manager_run(struct manager *m)
{
	int r;

	log_info("starting with %s: %zu virtual services", m->opts->config_path, m->config->n_virtuals);
	manager_reconcile(m, "start");
	/* Not before: looking the group up takes a while, and the table
	 * comes first. Nobody is answered before the event loop runs. */
	ctl_server_open_to_group(m->ctl);
	daemon_release_memory();
	sd_notify(0, "READY=1");
	r = sd_event_loop(m->event);
	if (r < 0) {
		log_error("event loop failed: %s", strerror(-r));
		return 1;
	}
	return m->exit_status;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	ctl_server_free(m->ctl);
	ctl_subscription_free(m->healthd);
	health_map_clear(&m->health);
	sd_event_source_disable_unref(m->health_pass);
	sd_event_source_disable_unref(m->reconcile_timer);
	sd_event_source_disable_unref(m->sigterm);
	sd_event_source_disable_unref(m->sigint);
	sd_event_source_disable_unref(m->sighup);
	sd_event_unref(m->event);
	ipvs_netlink_close(m->nl);
	ipvs_key_set_clear(&m->owned);
	ipvs_table_clear(&m->desired);
	free(m->virtual_errors);
	config_free(m->config);
	free(m);
}
