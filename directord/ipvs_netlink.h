/* The kernel's IPVS table over generic netlink (libnl-genl-3). */
#pragma once

#include "ipvs_diff.h"
#include "ipvs_table.h"

struct ipvs_netlink;

/* Opens one netlink socket for the life of the daemon and resolves the IPVS
 * family. -ENOENT: the kernel has no IPVS (module not loaded). */
int ipvs_netlink_open(struct ipvs_netlink **ret);
void ipvs_netlink_close(struct ipvs_netlink *nl);

/* Reads every service and its destinations into ret (sorted). */
int ipvs_netlink_read(struct ipvs_netlink *nl, struct ipvs_table *ret);

/* Carries out ops[0..n) in order, many requests per datagram; errors[i]
 * receives the kernel's answer to ops[i] (0 or its negative errno). Returns
 * 0, or a negative errno if the socket itself failed (the operations not
 * answered then carry that error). */
int ipvs_netlink_apply_batch(struct ipvs_netlink *nl, const struct ipvs_op *ops, size_t n, int *errors);

/* Requests sent since open (a dump counts one), and the datagrams that
 * carried them (reads included). */
unsigned long ipvs_netlink_requests(const struct ipvs_netlink *nl);
unsigned long ipvs_netlink_datagrams(const struct ipvs_netlink *nl);
