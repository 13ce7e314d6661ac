/* Configuration -> desired IPVS table. */
#include "desired.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t ip_protocol(enum lvsd_protocol p)
{
	switch (p) {
	case PROTO_UDP: return IPPROTO_UDP;
	case PROTO_SCTP: return IPPROTO_SCTP;
	case PROTO_TCP: default: return IPPROTO_TCP;
	}
}

static uint32_t fwd_method(enum lvsd_forward f)
{
	switch (f) {
	case FWD_NAT: return IP_VS_CONN_F_MASQ;
	case FWD_TUN: return IP_VS_CONN_F_TUNNEL;
	case FWD_DR: default: return IP_VS_CONN_F_DROUTE;
	}
}

/* IPVS keeps an IPv4 persistence mask as a mask, an IPv6 one as a length. */
static uint32_t netmask_value(int family, unsigned prefix)
{
	if (family == AF_INET6)
		return prefix;
	return htonl(prefix == 0 ? 0 : 0xffffffffu << (32 - prefix));
}

void desired_service_key(const struct lvsd_virtual *v, struct ipvs_service_key *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = v->family;
	if (v->fwmark) {
		ret->fwmark = v->fwmark;
		return;
	}
	ret->protocol = ip_protocol(v->protocol);
	ret->addr = v->endpoint.addr;
	ret->port = v->endpoint.port;
}

enum ipc_health desired_real_health(const struct lvsd_virtual *v, const struct lvsd_real *r,
				    const struct health_map *health)
{
	switch (r->check.type) {
	case CHECK_NONE:
	case CHECK_ON:
		return IPC_HEALTH_UP;
	case CHECK_OFF:
		return IPC_HEALTH_DOWN;
	default:
		return health ? health_map_get(health, v->name, r->name, &r->endpoint) : IPC_HEALTH_UP;
	}
}

/* Linear: the service's destinations are not sorted yet. */
static bool has_dest(const struct ipvs_service *s, const struct lvsd_endpoint *e)
{
	for (size_t i = 0; i < s->n_dests; i++)
		if (addr_equal(&s->dests[i].addr, &e->addr) && s->dests[i].port == e->port)
			return true;
	return false;
}

static int build_service(const struct lvsd_virtual *v, const struct health_map *health,
			 const struct ipvs_table *kernel, struct ipvs_service *s)
{
	const struct ipvs_service *ks;
	bool serving = false;

	memset(s, 0, sizeof(*s));
	desired_service_key(v, &s->key);
	s->name = v->name;
	snprintf(s->scheduler, sizeof(s->scheduler), "%s", v->scheduler);
	s->flags = v->sched_flags;
	if (v->persistent_sec)
		s->flags |= IP_VS_SVC_F_PERSISTENT;
	if (v->ops)
		s->flags |= IP_VS_SVC_F_ONEPACKET;
	s->timeout = v->persistent_sec;
	s->netmask = netmask_value(v->family, v->netmask_prefix);
	ks = kernel ? ipvs_table_find(kernel, &s->key) : NULL;

	/* Room for every real and the fallback. */
	s->dests = calloc(v->n_reals + 1, sizeof(*s->dests));
	if (!s->dests)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_reals; i++) {
		const struct lvsd_real *r = &v->reals[i];
		const struct ipvs_dest *kd;
		struct ipvs_dest d = {
			.addr = r->endpoint.addr,
			.port = r->endpoint.port,
			.fwd = fwd_method(r->forward),
			.weight = r->weight,
			.name = r->name,
		};

		switch (desired_real_health(v, r, health)) {
		case IPC_HEALTH_UP:
			break;
		case IPC_HEALTH_DOWN:
		case IPC_HEALTH_DRAIN:
			if (!v->quiescent)
				continue;
			d.weight = 0;
			break;
		case IPC_HEALTH_UNKNOWN:
		default:
			if (!(kd = ipvs_service_find_dest(ks, &d.addr, d.port)))
				continue;
			d.weight = kd->weight;
			break;
		}
		serving |= d.weight > 0;
		s->dests[s->n_dests++] = d;
	}
	if (!serving && v->has_fallback && !has_dest(s, &v->fallback))
		s->dests[s->n_dests++] = (struct ipvs_dest){
			.addr = v->fallback.addr,
			.port = v->fallback.port,
			.fwd = fwd_method(v->forward),
			.weight = 1,
			.name = "fallback",
		};
	return 0;
}

int desired_build(const struct lvsd_config *c, const struct health_map *health, const struct ipvs_table *kernel,
		  struct ipvs_table *ret)
{
	struct ipvs_table t = { 0 };
	int r;

	if (c->n_virtuals) {
		t.services = calloc(c->n_virtuals, sizeof(*t.services));
		if (!t.services)
			return -ENOMEM;
	}
	for (size_t i = 0; i < c->n_virtuals; i++) {
		if ((r = build_service(&c->virtuals[i], health, kernel, &t.services[i])) < 0) {
			ipvs_table_clear(&t);
			return r;
		}
		t.n_services++;
	}
	ipvs_table_sort(&t);
	*ret = t;
	return 0;
}
