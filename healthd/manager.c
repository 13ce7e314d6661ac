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

void manager_status_line(const struct manager *m, bool reloaded, char *buf, size_t size)
{
	size_t up = 0, down = 0, unknown = 0;

	for (size_t v = 0; v < m->config->n_virtuals; v++)
		for (size_t r = 0; r < m->config->virtuals[v].n_reals; r++)
			switch (engine_real_state(m, v, r)) {
			case HC_UP: up++; break;
			case HC_DOWN: down++; break;
			default: unknown++; break;
			}
	snprintf(buf, size, "%zu checks for %zu real servers: %zu up, %zu down, %zu unknown", m->probes.n,
		 m->probes.n_reals, up, down, unknown);
}

static void update_status(const struct manager *m)
{
	char status[256];

	manager_status_line(m, false, status, sizeof(status));
	sd_notifyf(0, "STATUS=%s", status);
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
	return 0;
}

int manager_stop(struct manager *m, unsigned signo)
{
	log_info("stopping on signal %u", signo);
	return 0;
}

int manager_reload(struct manager *m, struct lvsd_config *config)
{
	size_t before = m->probes.n;
	int r = manager_set_config(m, config);

	if (r < 0)
		return r;
	log_info("configuration reloaded from %s: %zu checks for %zu real servers (%zu before)",
		 m->opts->config_path, m->probes.n, m->probes.n_reals, before);
	manager_publish_all(m);
	return 0;
}

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	update_status(userdata);
	sd_event_source_set_time(s, usec + 5 * 1000000ULL);
	return 0;
}

int manager_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	sd_event_source *status_timer = NULL;
	sigset_t chld;
	int r;

	if (!m) {
		config_free(config);
		return -ENOMEM;
	}
	m->opts = &d->opts;
	m->event = d->event;
	m->ctl = d->ctl;
	if (gethostname(m->hostname, sizeof(m->hostname) - 1) < 0 || !m->hostname[0])
		strcpy(m->hostname, "localhost");
	/* External checks are reaped by the event loop, which needs SIGCHLD
	 * blocked. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if ((r = sd_event_add_time_relative(m->event, &status_timer, CLOCK_MONOTONIC, 1000000, 0,
					    on_status_timer, m)) < 0 ||
	    (r = io_mux_new(m->event, &m->mux)) < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		config_free(config);
		goto fail;
	}
	sd_event_source_set_enabled(status_timer, SD_EVENT_ON);
	sd_event_source_set_floating(status_timer, true);
	sd_event_source_unref(status_timer);
	if ((r = manager_set_config(m, config)) < 0) {
		log_error("cannot set up the checks: %s", strerror(-r));
		if (!m->config)
			config_free(config);
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
	log_info("starting with %s: %zu checks for %zu real servers", m->opts->config_path, m->probes.n,
		 m->probes.n_reals);
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->probes.n; i++)
		engine_stop_probe(m->probes.probes[i]);
	probe_set_clear(&m->probes);
	external_reap_orphans(m);
	http_engine_free(m->http);
	ping_sockets_free(m->ping);
	io_mux_free(m->mux);
	config_free(m->config);
	curl_global_cleanup();
	free(m);
}
