/* lvsctl status: the daemons' snapshots gathered, then printed. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "ipc.h"

struct status_real {
	struct ipc_real real;             /* directord's view: weight, counters */
	bool checked;                     /* healthd reported on it */
	struct ipc_health_report check;
};

struct status_virtual {
	struct ipc_virtual v;
	struct status_real *reals;
	size_t n_reals, allocated_reals;
};

struct status_view {
	struct status_virtual *virtuals;
	size_t n_virtuals, allocated_virtuals;
	struct ipc_peer *peers;           /* heartbeatd's, itself included */
	size_t n_peers, allocated_peers;
	struct ipc_vip_group *vips;
	size_t n_vips, allocated_vips;
	bool has_sync;                    /* syncd answered */
	struct ipc_sync sync;
};

/* Adds one of directord's VIRTUAL or REAL messages (a REAL belongs to the
 * last VIRTUAL), or one of healthd's HEALTH messages, which is joined to
 * its real server by name (and adds it if directord did not report it). */
int status_view_add(struct status_view *st, const struct ipc_message *m);
void status_view_clear(struct status_view *st);

void status_print_text(FILE *f, const char *node, const struct status_view *st);
/* The JSON object of DESIGN §4. */
void status_print_json(FILE *f, const char *node, const struct status_view *st);
