/* directord's answers on its control socket: every virtual service with
 * its real servers as the kernel holds them now. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "desired.h"
#include "log.h"
#include "manager.h"

static int send_real(struct ctl_peer *p, const struct lvsd_virtual *v, const char *name,
		     const struct lvsd_endpoint *e, enum lvsd_forward fwd, enum ipc_health health,
		     const struct ipvs_service *ks)
{
	const struct ipvs_dest *d = ipvs_service_find_dest(ks, &e->addr, e->port);
	struct ipc_message m = { .type = IPC_MSG_REAL };

	snprintf(m.real.virtual_name, sizeof(m.real.virtual_name), "%s", v->name);
	snprintf(m.real.name, sizeof(m.real.name), "%s", name);
	m.real.endpoint = *e;
	m.real.forward = fwd;
	m.real.health = health;
	if (d) {
		m.real.weight = d->weight;
		m.real.active = d->active;
		m.real.inactive = d->inactive;
	} else if (health == IPC_HEALTH_UP) {
		/* Up but not in the kernel: the last pass failed on it. */
		m.real.error = -ENOENT;
	}
	return ctl_peer_send(p, &m);
}

/* Every configured virtual service and real server as kernel holds them,
 * then END. */
static int send_snapshot(struct manager *m, const struct ipvs_table *kernel, struct ctl_peer *p)
{
	uint32_t count = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < m->config->n_virtuals; i++) {
		const struct lvsd_virtual *v = &m->config->virtuals[i];
		struct ipvs_service_key key;
		const struct ipvs_service *ks;
		struct ipc_message vm = { .type = IPC_MSG_VIRTUAL };

		desired_service_key(v, &key);
		ks = ipvs_table_find(kernel, &key);
		snprintf(vm.virtual_.name, sizeof(vm.virtual_.name), "%s", v->name);
		vm.virtual_.endpoint = v->endpoint;
		vm.virtual_.fwmark = v->fwmark;
		vm.virtual_.protocol = v->protocol;
		snprintf(vm.virtual_.scheduler, sizeof(vm.virtual_.scheduler), "%s", v->scheduler);
		vm.virtual_.error = m->virtual_errors[i] ? m->virtual_errors[i] : ks ? 0 : -ENOENT;
		r = ctl_peer_send(p, &vm);
		count++;
		for (size_t j = 0; r == 0 && j < v->n_reals; j++, count++)
			r = send_real(p, v, v->reals[j].name, &v->reals[j].endpoint, v->reals[j].forward,
				      desired_real_health(v, &v->reals[j], &m->health), ks);
		/* The fallback, while it serves. */
		if (r == 0 && v->has_fallback && ipvs_service_find_dest(ks, &v->fallback.addr, v->fallback.port)) {
			r = send_real(p, v, "fallback", &v->fallback, v->forward, IPC_HEALTH_UP, ks);
			count++;
		}
	}
	if (r == 0) {
		struct ipc_message end = { .type = IPC_MSG_END, .end.count = count };

		r = ctl_peer_send(p, &end);
	}
	return r;
}

int manager_send_status(struct manager *m, struct ctl_peer *p)
{
	struct ipvs_table kernel = { 0 };
	int r = ipvs_netlink_read(m->nl, &kernel);

	if (r == 0)
		r = send_snapshot(m, &kernel, p);
	ipvs_table_clear(&kernel);
	return r;
}

struct publication {
	struct manager *manager;
	const struct ipvs_table *kernel;
};

static int publish_to(struct ctl_peer *p, void *userdata)
{
	struct publication *pub = userdata;

	return send_snapshot(pub->manager, pub->kernel, p);
}

void manager_publish(struct manager *m)
{
	struct ipvs_table kernel = { 0 };
	struct publication pub = { m, &kernel };

	/* Reading thousands of destinations is not free: only for someone. */
	if (!ctl_server_has_subscribers(m->ctl) || ipvs_netlink_read(m->nl, &kernel) < 0)
		return;  /* the next change publishes again */
	ctl_server_for_each_subscriber(m->ctl, publish_to, &pub);
	ipvs_table_clear(&kernel);
}
