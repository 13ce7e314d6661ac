/* lvsctl status: the daemons' snapshots gathered, then printed. */
#pragma once

#include <stdio.h>

#include "ipc.h"

struct status_virtual {
	struct ipc_virtual v;
	struct ipc_real *reals;
	size_t n_reals;
};

struct status_view {
	struct status_virtual *virtuals;
	size_t n_virtuals;
};

/* Adds one VIRTUAL or REAL message (a REAL belongs to the last VIRTUAL). */
int status_view_add(struct status_view *st, const struct ipc_message *m);
void status_view_clear(struct status_view *st);

void status_print_text(FILE *f, const char *node, const struct status_view *st);
/* The JSON object of DESIGN §4. */
void status_print_json(FILE *f, const char *node, const struct status_view *st);
