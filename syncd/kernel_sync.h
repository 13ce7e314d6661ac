/* The kernel's IPVS sync daemons over generic netlink: which run, and
 * starting and stopping them. */
#pragma once

#include <stdbool.h>

#include "sync_plan.h"

struct kernel_sync;

/* -ENOENT when the kernel has no IPVS (the module could not be loaded). */
int kernel_sync_open(struct kernel_sync **ret);
void kernel_sync_close(struct kernel_sync *k);

/* What runs now, with the parameters the kernel reports. 0 or a negative
 * errno. */
int kernel_sync_read(struct kernel_sync *k, struct sync_kernel *ret);
/* Starts the master (sends) or the backup (receives) with d's parameters;
 * the kernel's negative errno (-EEXIST: one runs already, -ENODEV: no such
 * interface, -ENETUNREACH: a master's interface is down). */
int kernel_sync_start(struct kernel_sync *k, bool master, const struct sync_daemon *d);
/* -ESRCH when it does not run. */
int kernel_sync_stop(struct kernel_sync *k, bool master);
