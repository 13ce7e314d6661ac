/* The probes a configuration asks for: one per distinct check, and for
 * every real server the probe that decides its health. */
#pragma once

#include <stddef.h>

#include "config.h"
#include "probe.h"

struct probe_set {
	struct probe **probes;    /* sorted by key */
	size_t n;
	/* assigned[first[v] + r]: the probe of real r of virtual v, NULL when
	 * its check type runs nothing (none, on, off). */
	struct probe **assigned;
	size_t *first;
	size_t n_reals;
};

/* Builds the probes of c. A probe of old with the same key is moved over,
 * state, schedule and all (its slot in old becomes NULL), so a reload
 * leaves unchanged checks alone; what stays in old is for the caller to
 * stop and free. New probes have no timer yet. */
int probe_set_build(const struct lvsd_config *c, struct probe_set *old, struct probe_set *ret);

/* The probe of a real server, or NULL. */
struct probe *probe_set_lookup(const struct probe_set *s, size_t virtual_index, size_t real_index);

/* Frees the set's arrays and every probe still in it (they must be idle:
 * no timer, nothing in flight). */
void probe_set_clear(struct probe_set *s);

/* The state of a real whose check type runs nothing. */
enum hc_state probe_fixed_state(enum lvsd_check_type t);
