/* healthd's life cycle: start, reload, stop. */
#include "manager.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "io_mux.h"
#include "log.h"

static void apply_log_level(const struct manager *m)
{
	log_set_level(m->opts->log_level >= 0 ? m->opts->log_level : m->config->log_level);
}

static void update_status(const struct manager *m)
{
	size_t up = 0, down = 0, unknown = 0;

	for (size_t v = 0; v < m->config->n_virtuals; v++)
		for (size_t r = 0; r < m->config->virtuals[v].n_reals; r++)
			switch (engine_real_state(m, v, r)) {
			case HC_UP: up++; break;
			case HC_DOWN: down++; break;
			default: unknown++; break;
			}
	sd_notifyf(0, "STATUS=%zu checks for %zu real servers: %zu up, %zu down, %zu unknown",
		   m->probes.n, m->probes.n_reals, up, down, unknown);
}

/* Makes config the running configuration; checks that did not change
 * keep their state and schedule. Fails (config untouched, the caller's to
 * free) only before config is taken. */
static int manager_set_config(struct manager *m, struct lvsd_config *config)
{
	struct probe_set next;
	int r;

	if ((r = probe_set_build(config, &m->probes, &next)) < 0)
		return r;
	config_free(m->config);
	m->config = config;
	{
		struct probe_set old = m->probes;

		m->probes = next;
		/* config is the running configuration now, whatever this
		 * says: a check it could not schedule has been logged. */
		engine_start(m, &old);
	}
	apply_log_level(m);
	return 0;
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	log_info("stopping on signal %u", si->ssi_signo);
	return sd_event_exit(m->event, 0);
}

int manager_reload(struct manager *m, char *why, size_t size)
{
	struct lvsd_config *config = NULL;
	size_t before = m->probes.n;
	int r = daemon_reload_load(m->opts, &config, why, size);

	if (r >= 0 && (r = manager_set_config(m, config)) < 0) {
		config_free(config);
		daemon_reload_failed(m->opts->config_path, r, why, size);
	}
	if (r >= 0) {
		log_info("configuration reloaded from %s: %zu checks for %zu real servers (%zu before)",
			 m->opts->config_path, m->probes.n, m->probes.n_reals, before);
		manager_publish_all(m);
	}
	update_status(m);
	sd_notify(0, "READY=1");
	return r;
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	char why[DAEMON_WHY_MAX];

	manager_reload(userdata, why, sizeof(why));
	return 0;
}

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	update_status(userdata);
	sd_event_source_set_time(s, usec + 5 * 1000000ULL);
	return 0;
}

int manager_new(const struct daemon_options *opts, struct lvsd_config *config, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	sd_event_source *status_timer = NULL;
	sigset_t chld;
	int r;

	if (!m) {
		config_free(config);
		return -ENOMEM;
	}
	m->opts = opts;
	if (gethostname(m->hostname, sizeof(m->hostname) - 1) < 0 || !m->hostname[0])
		strcpy(m->hostname, "localhost");
	/* External checks are reaped by the event loop, which needs SIGCHLD
	 * blocked. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if ((r = sd_event_new(&m->event)) < 0 ||
	    (r = daemon_add_signals(m->event, on_stop, on_reload, m, &m->sigterm, &m->sigint, &m->sighup)) < 0 ||
	    (r = sd_event_add_time_relative(m->event, &status_timer, CLOCK_MONOTONIC, 1000000, 0,
					    on_status_timer, m)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		config_free(config);
		goto fail;
	}
	if ((r = io_mux_new(m->event, &m->mux)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		config_free(config);
		goto fail;
	}
	sd_event_source_set_enabled(status_timer, SD_EVENT_ON);
	sd_event_source_set_floating(status_timer, true);
	sd_event_source_unref(status_timer);
	sd_event_set_watchdog(m->event, true);
	if ((r = manager_set_config(m, config)) < 0) {
		log_error("cannot set up the checks: %s", strerror(-r));
		if (!m->config)
			config_free(config);
		goto fail;
	}
	if ((r = daemon_serve_control(m->event, opts, manager_on_request, m, &m->ctl)) < 0)
		goto fail;
	ctl_server_open_to_group(m->ctl);
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

int manager_run(struct manager *m)
{
	int r;

	log_info("starting with %s: %zu checks for %zu real servers", m->opts->config_path, m->probes.n,
		 m->probes.n_reals);
	daemon_release_memory();
	sd_notify(0, "READY=1");
	update_status(m);
	r = sd_event_loop(m->event);
	if (r < 0) {
		log_error("event loop failed: %s", strerror(-r));
		return 1;
	}
	return 0;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->probes.n; i++)
		engine_stop_probe(m->probes.probes[i]);
	probe_set_clear(&m->probes);
	external_reap_orphans(m);
	ctl_server_free(m->ctl);
	http_engine_free(m->http);
	ping_sockets_free(m->ping);
	io_mux_free(m->mux);
	sd_event_source_disable_unref(m->sigterm);
	sd_event_source_disable_unref(m->sigint);
	sd_event_source_disable_unref(m->sighup);
	sd_event_unref(m->event);
	config_free(m->config);
	curl_global_cleanup();
	free(m);
}
