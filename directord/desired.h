/* What the IPVS table should hold, computed from the configuration. */
#pragma once

#include "config.h"
#include "ipvs_table.h"

/* Builds the desired table of every virtual service in c (sorted). The
 * table's name pointers point into c, which must outlive it. Every real
 * server counts as up; a virtual with no real servers gets its fallback. */
int desired_build(const struct lvsd_config *c, struct ipvs_table *ret);

/* The kernel's view of one virtual's identity. */
void desired_service_key(const struct lvsd_virtual *v, struct ipvs_service_key *ret);
