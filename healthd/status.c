/* healthd's control socket: a snapshot of every real server's health, and
 * for subscribers every change after it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "manager.h"

static const enum ipc_health to_ipc[_HC_STATE_MAX] = {
	[HC_UNKNOWN] = IPC_HEALTH_UNKNOWN,
	[HC_UP] = IPC_HEALTH_UP,
	[HC_DOWN] = IPC_HEALTH_DOWN,
};

static void report(const struct manager *m, size_t vi, size_t ri, struct ipc_message *msg)
{
	const struct lvsd_virtual *v = &m->config->virtuals[vi];
	const struct lvsd_real *r = &v->reals[ri];
	const struct probe *p = probe_set_lookup(&m->probes, vi, ri);

	*msg = (struct ipc_message){ .type = IPC_MSG_HEALTH };
	snprintf(msg->health.virtual_name, sizeof(msg->health.virtual_name), "%s", v->name);
	snprintf(msg->health.name, sizeof(msg->health.name), "%s", r->name);
	msg->health.endpoint = r->endpoint;
	msg->health.health = to_ipc[engine_real_state(m, vi, ri)];
	msg->health.check = (uint8_t)r->check.type;
	msg->health.last_ok = p ? p->last_ok : r->check.type != CHECK_OFF;
	if (p) {
		msg->health.latency_usec = p->latency_usec;
		msg->health.checks = p->checks;
		snprintf(msg->health.reason, sizeof(msg->health.reason), "%s", p->reason);
	}
}

int manager_send_status(struct manager *m, struct ctl_peer *peer)
{
	struct ipc_message msg;
	uint32_t count = 0;
	int r = 0;

	for (size_t vi = 0; r == 0 && vi < m->config->n_virtuals; vi++)
		for (size_t ri = 0; r == 0 && ri < m->config->virtuals[vi].n_reals; ri++, count++) {
			report(m, vi, ri, &msg);
			r = ctl_peer_send(peer, &msg);
		}
	if (r == 0) {
		msg = (struct ipc_message){ .type = IPC_MSG_END, .end.count = count };
		r = ctl_peer_send(peer, &msg);
	}
	return r;
}

struct change {
	struct manager *manager;
	const struct probe *probe;
};

static int send_change(struct ctl_peer *peer, void *userdata)
{
	struct change *c = userdata;
	struct ipc_message msg;
	int r = 0;

	for (size_t i = 0; r == 0 && i < c->probe->n_users; i++) {
		report(c->manager, c->probe->users[i].virtual_index, c->probe->users[i].real_index, &msg);
		r = ctl_peer_send(peer, &msg);
	}
	return r;
}

void manager_publish_probe(struct manager *m, const struct probe *p)
{
	struct change c = { m, p };

	if (m->ctl && ctl_server_has_subscribers(m->ctl))
		ctl_server_for_each_subscriber(m->ctl, send_change, &c);
}

/* A reload changes the set of real servers: subscribers start over from a
 * new snapshot. */
static int send_snapshot_to(struct ctl_peer *peer, void *userdata)
{
	return manager_send_status(userdata, peer);
}

void manager_publish_all(struct manager *m)
{
	if (m->ctl && ctl_server_has_subscribers(m->ctl))
		ctl_server_for_each_subscriber(m->ctl, send_snapshot_to, m);
}
