/* healthd's one object: configuration, probes, the sockets and engines
 * the check types share, event sources. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "ctl.h"
#include "daemon.h"
#include "probe_set.h"

struct io_mux;
struct ping_sockets;
struct http_engine;
struct external_run;

struct manager {
	const struct daemon_options *opts;
	sd_event *event;                /* the skeleton's, as opts and ctl */
	struct ctl_server *ctl;

	struct lvsd_config *config;
	struct probe_set probes;

	struct io_mux *mux;             /* the check sockets */
	struct ping_sockets *ping;      /* opened with the first ping probe */
	struct http_engine *http;       /* libcurl multi on the event loop */
	char hostname[256];             /* for SMTP's EHLO */
	struct external_run *external_orphans;  /* external checks killed at their timeout, not reaped yet */
	unsigned long transitions;
};

/* The hooks of struct daemon_ops (daemon.h). */
int manager_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret);
void manager_start(struct manager *m);
int manager_stop(struct manager *m, unsigned signo);
/* New checks started, the unchanged ones kept; subscribers start over. */
int manager_reload(struct manager *m, struct lvsd_config *config);
/* "N checks for N real servers: N up, N down, N unknown" */
void manager_status_line(const struct manager *m, bool reloaded, char *buf, size_t size);
void manager_free(struct manager *m);

/* engine.c: schedules probes and folds their results. engine_start()
 * schedules the new probes and stops and frees old's; a probe it could not
 * schedule is logged, and its error returned, the rest done regardless. */
int engine_start(struct manager *m, struct probe_set *old);
void engine_stop_probe(struct probe *p);
/* The health a real server has now. */
enum hc_state engine_real_state(const struct manager *m, size_t virtual_index, size_t real_index);

/* status.c: the control socket; subscribers get every change. A snapshot
 * of every real server's health, END included. */
int manager_send_status(struct manager *m, struct ctl_peer *p);
void manager_publish_probe(struct manager *m, const struct probe *p);
void manager_publish_all(struct manager *m);

/* check_ping.c / check_http.c: shared resources, freed with the manager. */
void ping_sockets_free(struct ping_sockets *s);
void http_engine_free(struct http_engine *h);
/* check_external.c: reaps and frees the external checks still running. */
void external_reap_orphans(struct manager *m);
