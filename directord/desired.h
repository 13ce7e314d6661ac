/* What the IPVS table should hold, computed from the configuration. */
#pragma once

#include "config.h"
#include "health_map.h"
#include "ipvs_table.h"

/* Builds the desired table of every virtual service in c (sorted). The
 * table's name pointers point into c, which must outlive it.
 *
 * A real server healthd says is up gets its configured weight; one that is
 * down gets weight 0 (quiescent = yes: its connections finish) or is left
 * out; checks of type none and on count as up, off as down. One whose
 * health is unknown (healthd not heard from yet) stays as the kernel has
 * it, present or not: a restarted directord changes nothing before it
 * knows better, and a cold start adds a real server only once it passed a
 * check. While no real server of a virtual would get traffic, its fallback
 * server is added. health NULL: every real server counts as up; kernel
 * NULL: the kernel has nothing. */
int desired_build(const struct lvsd_config *c, const struct health_map *health, const struct ipvs_table *kernel,
		  struct ipvs_table *ret);

/* A real server's health as directord acts on it. */
enum ipc_health desired_real_health(const struct lvsd_virtual *v, const struct lvsd_real *r,
				    const struct health_map *health);

/* The kernel's view of one virtual's identity. */
void desired_service_key(const struct lvsd_virtual *v, struct ipvs_service_key *ret);
