/* directord's life cycle: start, reload, stop. */
#include "manager.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired.h"
#include "log.h"
#include "owned.h"

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

int manager_stop(struct manager *m, unsigned signo)
{
	log_info("stopping on signal %u; %s", signo,
		 m->config->flush_on_stop ? "removing its virtual services (flush-on-stop)"
					  : "the IPVS table stays as it is");
	if (m->config->flush_on_stop)
		manager_flush(m);
	return 0;
}

int manager_reload(struct manager *m, struct lvsd_config *config)
{
	int r = manager_set_config(m, config);

	if (r < 0)
		return r;
	log_info("configuration reloaded from %s: %zu virtual services", m->opts->config_path,
		 m->config->n_virtuals);
	manager_reconcile(m, "reload");
	return 0;
}

static int on_reconcile_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	manager_reconcile(userdata, "periodic check");
	return 0;
}

int manager_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret)
{
	const struct daemon_options *opts = &d->opts;
	struct manager *m = calloc(1, sizeof(*m));
	int r;

	if (!m) {
		config_free(config);
		return -ENOMEM;
	}
	m->opts = opts;
	m->event = d->event;
	m->ctl = d->ctl;
	if ((r = manager_set_config(m, config)) < 0) {
		config_free(config);
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
	if ((r = sd_event_add_time_relative(m->event, &m->reconcile_timer, CLOCK_MONOTONIC,
					    m->config->reconcile_interval_usec, 0, on_reconcile_timer, m)) < 0 ||
	    (r = sd_event_add_defer(m->event, &m->health_pass, on_health_pass, m)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		goto fail;
	}
	sd_event_source_set_description(m->reconcile_timer, "reconcile-timer");
	sd_event_source_set_description(m->health_pass, "health-pass");
	sd_event_source_set_enabled(m->health_pass, SD_EVENT_OFF);

	if ((r = ctl_subscription_new(m->event, opts->runtime_dir, "healthd",
				      &(struct ctl_subscription_handlers){ on_healthd_message, on_healthd_connection },
				      m, &m->healthd)) < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

void manager_start(struct manager *m)
{
	log_info("starting with %s: %zu virtual services", m->opts->config_path, m->config->n_virtuals);
	/* The table comes first: the control socket opens to group lvsd
	 * after this. */
	manager_reconcile(m, "start");
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	ctl_subscription_free(m->healthd);
	health_map_clear(&m->health);
	sd_event_source_disable_unref(m->health_pass);
	sd_event_source_disable_unref(m->reconcile_timer);
	ipvs_netlink_close(m->nl);
	ipvs_key_set_clear(&m->owned);
	ipvs_table_clear(&m->desired);
	free(m->virtual_errors);
	config_free(m->config);
	free(m);
}
