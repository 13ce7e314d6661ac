/* A VIP group's addresses on this host: added on takeover and announced
 * (gratuitous ARP, unsolicited neighbour advertisement), removed on
 * release, over rtnetlink. */
#pragma once

#include <stdbool.h>

#include "config.h"

struct vip_netlink;

int vip_netlink_open(struct vip_netlink **ret);
void vip_netlink_close(struct vip_netlink *v);

/* Adds every address of g (already present counts as added). Each
 * failure is logged here, with the address it concerns: callers log
 * nothing more. Returns 0, or the first error (for an exit status). */
int vip_add(struct vip_netlink *v, const struct lvsd_vip *g);
/* Removes every address of g that is present; failures as vip_add(). */
int vip_remove(struct vip_netlink *v, const struct lvsd_vip *g);
/* Whether any address of g is on its interface now. */
bool vip_present(struct vip_netlink *v, const struct lvsd_vip *g);
/* Whether every address of g is. */
bool vip_present_all(struct vip_netlink *v, const struct lvsd_vip *g);
/* Whether every interface of g is up (has its carrier). */
bool vip_links_up(struct vip_netlink *v, const struct lvsd_vip *g);

/* One announcement of every address of g: a gratuitous ARP request for
 * IPv4 (RFC 5227's announcement: sender and target the VIP), an
 * unsolicited neighbour advertisement with the override flag for IPv6
 * (RFC 4861), from the interface's own MAC address. */
void vip_announce(const struct lvsd_vip *g);
