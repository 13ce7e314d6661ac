/* What healthd says about each real server, by virtual and real name.
 *
 * Keyed by names, not by position in a configuration: directord and healthd
 * reload on their own schedules, and a name means the same real server in
 * both. A real server healthd never mentioned is unknown, and so is one
 * whose address is not the one healthd checked (a reload moved the name to
 * another server, and healthd has not checked that one yet). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "ipc.h"

struct health_entry {
	char *virtual_name;
	char *real_name;
	struct lvsd_endpoint endpoint;  /* what healthd checked */
	enum ipc_health health;
};

struct health_map {
	struct health_entry *entries;  /* in the order first heard of */
	size_t n, allocated;
	size_t *slots;                 /* open addressing: index + 1, 0 = empty */
	size_t n_slots;                /* a power of two, at least twice n */
};

/* Records a health; returns 1 when it changed, 0 when not, or -ENOMEM. */
int health_map_set(struct health_map *m, const char *virtual_name, const char *real_name,
		   const struct lvsd_endpoint *endpoint, enum ipc_health h);
enum ipc_health health_map_get(const struct health_map *m, const char *virtual_name, const char *real_name,
			       const struct lvsd_endpoint *endpoint);
/* Forgets everything: every real server becomes unknown. */
void health_map_clear(struct health_map *m);
