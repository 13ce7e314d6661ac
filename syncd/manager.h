/* syncd's one object: configuration, the kernel's sync daemons, what
 * heartbeatd says of this director's roles, event sources. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "ctl_subscription.h"
#include "daemon.h"
#include "kernel_sync.h"
#include "sync_plan.h"

struct manager {
	const struct daemon_options *opts;
	sd_event *event;                /* the skeleton's, as opts and ctl */
	struct ctl_server *ctl;
	sd_event_source *check_timer;   /* the kernel read again: repairs drift */
	sd_event_source *apply_soon;    /* a pass once per loop iteration */

	struct lvsd_config *config;
	struct kernel_sync *kernel;
	struct sync_kernel running;     /* as last read */
	/* The sync interface's index when each daemon was started or found
	 * running: another one means it was deleted and made again. */
	unsigned master_ifindex, backup_ifindex;

	struct ctl_subscription *heartbeatd;
	struct sync_roles roles;
	bool snapshot_holds;            /* of the snapshot coming in */
	bool snapshot_open;             /* messages came since the last END */
	unsigned failures;              /* passes in a row that met an error */
};

/* The hooks of struct daemon_ops (daemon.h). */
int manager_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret);
void manager_start(struct manager *m);
int manager_stop(struct manager *m, unsigned signo);
int manager_reload(struct manager *m, struct lvsd_config *config);
int manager_send_status(struct manager *m, struct ctl_peer *p);
void manager_status_line(const struct manager *m, bool reloaded, char *buf, size_t size);
void manager_free(struct manager *m);
