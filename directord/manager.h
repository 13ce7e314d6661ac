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
	sd_event *event;                /* the skeleton's, as opts and ctl */
	struct ctl_server *ctl;
	sd_event_source *reconcile_timer;

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
};

/* The hooks of struct daemon_ops (daemon.h). */
int manager_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret);
/* The first pass, before READY=1. */
void manager_start(struct manager *m);
/* Flushes the owned services with flush-on-stop; leaves at once. */
int manager_stop(struct manager *m, unsigned signo);
/* A new configuration, then a pass. */
int manager_reload(struct manager *m, struct lvsd_config *config);
void manager_free(struct manager *m);

/* reconcile.c: one pass (read the kernel, diff, apply); schedules the next. */
int manager_reconcile(struct manager *m, const char *why);
/* Removes every owned service from the kernel (flush-on-stop). */
void manager_flush(struct manager *m);

/* status.c: a snapshot of the kernel's table as configured, for a status
 * request; a snapshot is state, so subscribers get a whole new one after
 * every change. */
int manager_send_status(struct manager *m, struct ctl_peer *p);
void manager_publish(struct manager *m);
