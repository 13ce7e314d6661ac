/* directord's one object: configuration, kernel socket, owned services,
 * event sources. Only directord's own files see its fields. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "ctl_subscription.h"
#include "daemon.h"
#include "health_map.h"
#include "ipvs_netlink.h"
#include "ipvs_table.h"

struct reconcile_stats {
	unsigned long ops[_IPVS_OP_MAX];
	unsigned long errors;
	uint64_t duration_usec;
};

struct manager {
	const struct daemon_options *opts;
	sd_event *event;
	sd_event_source *sigterm, *sigint, *sighup;
	sd_event_source *reconcile_timer;
	struct ctl_server *ctl;

	struct lvsd_config *config;
	struct ipvs_table desired;      /* of the last pass; points into config */

	struct ctl_subscription *healthd;
	struct health_map health;       /* what healthd said, kept while it is away */
	bool health_synced;             /* its snapshot is complete */
	bool health_changed;            /* since the last pass */
	sd_event_source *health_pass;   /* a pass for health changes, once per loop iteration */
	int *virtual_errors;            /* per config->virtuals[i]: last kernel error */

	struct ipvs_netlink *nl;
	struct ipvs_key_set owned;
	char owned_path[4096];

	struct reconcile_stats last;    /* of the last pass that did something */
	unsigned long passes, total_ops;
	unsigned retry_backoff;         /* passes in a row that met errors */
	int exit_status;
};

int manager_new(const struct daemon_options *opts, struct lvsd_config *config, struct manager **ret);
/* Runs until SIGTERM/SIGINT; returns the exit status. */
int manager_run(struct manager *m);
void manager_free(struct manager *m);

/* reconcile.c: one pass (read the kernel, diff, apply); schedules the next. */
int manager_reconcile(struct manager *m, const char *why);
/* Removes every owned service from the kernel (flush-on-stop). */
void manager_flush(struct manager *m);

/* status.c: answers control socket requests; a snapshot is state, so
 * subscribers get a whole new one after every change. */
void manager_on_request(struct ctl_peer *p, const struct ipc_message *req, void *userdata);
/* Re-reads the configuration (SIGHUP, lvsctl reload): 0, or < 0 with the
 * running one kept and why filled in. */
int manager_reload(struct manager *m, char *why, size_t size);
void manager_publish(struct manager *m);
