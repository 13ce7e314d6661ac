/* Ping nodes: can this director still reach the world? An ICMP echo to
 * every `ping` address of the cluster every PING_NODES_PERIOD; the
 * director reaches them while any answered within PING_NODES_WINDOW. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"

#define PING_NODES_PERIOD_USEC 200000ULL
#define PING_NODES_WINDOW_USEC 1000000ULL

struct ping_nodes;

/* NULL and 0 when the cluster has no ping nodes (then always reachable). */
int ping_nodes_new(sd_event *e, const struct lvsd_cluster *c, struct ping_nodes **ret);
void ping_nodes_free(struct ping_nodes *p);
/* The same ping nodes in a reloaded configuration: keeps what was heard. */
void ping_nodes_rebind(struct ping_nodes *p, const struct lvsd_cluster *c);
/* Whether a and b ping the same addresses. */
bool ping_nodes_same(const struct lvsd_cluster *a, const struct lvsd_cluster *b);
bool ping_nodes_reachable(const struct ping_nodes *p, uint64_t now_usec);
