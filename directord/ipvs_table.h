/* The IPVS table as plain data: what the kernel holds, or what it should hold.
 *
 * Both sides of a reconciliation use these structs, so the diff is a pure
 * function (ipvs_diff.c) that never touches a socket. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* What identifies a service in the kernel: (family, fwmark) for firewall-mark
 * services, (family, protocol, address, port) for the others. */
struct ipvs_service_key {
	int family;
	uint16_t protocol;        /* IPPROTO_*; 0 for fwmark services */
	struct lvsd_addr addr;    /* zero for fwmark services */
	uint16_t port;
	uint32_t fwmark;
};

struct ipvs_dest {
	struct lvsd_addr addr;    /* family may differ from the service's (tun) */
	uint16_t port;
	uint32_t fwd;             /* IP_VS_CONN_F_MASQ/TUNNEL/DROUTE (LOCALNODE read back) */
	uint32_t weight;
	uint32_t u_threshold, l_threshold;
	/* Read back from the kernel only. */
	uint32_t active, inactive;
	/* Desired side only: the real server's name, for messages. */
	const char *name;
};

struct ipvs_service {
	struct ipvs_service_key key;
	char scheduler[16];
	uint32_t flags;           /* only IPVS_MANAGED_FLAGS are compared */
	uint32_t timeout;         /* persistence, seconds */
	uint32_t netmask;         /* IPv4: mask in network order; IPv6: prefix length */
	struct ipvs_dest *dests;  /* sorted by ipvs_dest_compare */
	size_t n_dests;
	/* Desired side only: the virtual's name, for messages. */
	const char *name;
};

struct ipvs_table {
	struct ipvs_service *services;  /* sorted by ipvs_service_key_compare */
	size_t n_services;
};

/* The service flags lvsd sets; HASHED and friends are the kernel's own. */
#define IPVS_MANAGED_FLAGS 0x003du  /* PERSISTENT|ONEPACKET|SCHED1|SCHED2|SCHED3 */

int ipvs_service_key_compare(const struct ipvs_service_key *a, const struct ipvs_service_key *b);
int ipvs_dest_compare(const struct ipvs_dest *a, const struct ipvs_dest *b);

/* Sorts services and each service's destinations into canonical order. */
void ipvs_table_sort(struct ipvs_table *t);
void ipvs_table_clear(struct ipvs_table *t);

/* Finds a service by key in a sorted table, or NULL. */
const struct ipvs_service *ipvs_table_find(const struct ipvs_table *t, const struct ipvs_service_key *key);
/* Finds a destination of a sorted service (s may be NULL), or NULL. */
const struct ipvs_dest *ipvs_service_find_dest(const struct ipvs_service *s, const struct lvsd_addr *addr,
					       uint16_t port);
size_t ipvs_table_count_dests(const struct ipvs_table *t);

/* "tcp 192.0.2.50:80", "fwmark 7 (IPv6)" */
const char *ipvs_service_key_format(const struct ipvs_service_key *k, char *buf, size_t size);

/* A set of service keys, kept sorted: the services this directord owns. */
struct ipvs_key_set {
	struct ipvs_service_key *keys;
	size_t n;
};

bool ipvs_key_set_contains(const struct ipvs_key_set *s, const struct ipvs_service_key *k);
int ipvs_key_set_add(struct ipvs_key_set *s, const struct ipvs_service_key *k);
void ipvs_key_set_remove(struct ipvs_key_set *s, const struct ipvs_service_key *k);
void ipvs_key_set_clear(struct ipvs_key_set *s);
