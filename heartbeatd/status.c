/* heartbeatd's control socket: the directors and the VIP groups, and for
 * subscribers a new snapshot after every change. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "manager.h"

_Static_assert((int)HB_ROLE_BACKUP == (int)IPC_ROLE_BACKUP && (int)HB_ROLE_MASTER == (int)IPC_ROLE_MASTER &&
	       (int)HB_ROLE_FAULT == (int)IPC_ROLE_FAULT,
	       "a role is the same number in heartbeats and in VIP_GROUP messages");

const char *hb_role_to_string(enum hb_role r)
{
	return ipc_role_to_string((enum ipc_role)r);
}

static void vip_addresses(const struct lvsd_vip *v, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < v->n_addresses && len < size; i++) {
		char a[LVSD_ADDR_STRLEN];

		len += (size_t)snprintf(buf + len, size - len, "%s%s/%u", i ? " " : "",
					addr_format(&v->addresses[i].addr, a), v->addresses[i].prefixlen);
	}
}

int manager_send_status(struct manager *m, struct ctl_peer *p)
{
	struct ipc_message msg;
	uint32_t count = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < m->config->n_directors; i++, count++) {
		msg = (struct ipc_message){ .type = IPC_MSG_PEER };
		snprintf(msg.peer.name, sizeof(msg.peer.name), "%s", m->config->directors[i].name);
		msg.peer.self = i == m->self;
		msg.peer.alive = i == m->self || m->peers[i].alive;
		msg.peer.priority = (uint8_t)m->config->directors[i].priority;
		r = ctl_peer_send(p, &msg);
	}
	for (size_t g = 0; r == 0 && g < m->config->n_vips; g++, count++) {
		msg = (struct ipc_message){ .type = IPC_MSG_VIP_GROUP };
		snprintf(msg.vip.name, sizeof(msg.vip.name), "%s", m->config->vips[g].name);
		msg.vip.role = (uint8_t)m->groups[g].machine.role;
		snprintf(msg.vip.holder, sizeof(msg.vip.holder), "%s", m->groups[g].machine.holder ?: "");
		vip_addresses(&m->config->vips[g], msg.vip.addresses, sizeof(msg.vip.addresses));
		r = ctl_peer_send(p, &msg);
	}
	if (r == 0) {
		msg = (struct ipc_message){ .type = IPC_MSG_END, .end.count = count };
		r = ctl_peer_send(p, &msg);
	}
	return r;
}

static int publish_to(struct ctl_peer *p, void *userdata)
{
	return manager_send_status(userdata, p);
}

void manager_publish(struct manager *m)
{
	if (m->ctl && ctl_server_has_subscribers(m->ctl))
		ctl_server_for_each_subscriber(m->ctl, publish_to, m);
}

/* Can a peer hold the groups instead of this director? */
static bool a_peer_can_hold(const struct manager *m)
{
	for (size_t i = 0; i < m->config->n_directors; i++)
		if (i != m->self && m->peers[i].alive && m->peers[i].fit && !m->peers[i].leaving)
			return true;
	return false;
}

/* lvsctl takeover / release: the intent travels in the heartbeats, so
 * every director's election sees it; it stays until the opposite command,
 * a restart, or the same command told to another director since. */
static int set_intent(struct manager *m, const char *name, enum hb_intent intent, struct ctl_peer *p)
{
	struct ipc_message end = { .type = IPC_MSG_END };
	size_t matched = 0;

	if (intent == HB_INTENT_YIELDS && !a_peer_can_hold(m))
		return ctl_peer_send_error(p, -EHOSTUNREACH, "no peer is alive and fit to take over: keeping it");
	for (size_t g = 0; g < m->config->n_vips; g++) {
		if (name[0] && strcmp(name, m->config->vips[g].name) != 0)
			continue;
		matched++;
		if (m->groups[g].intent != intent)
			log_full(LOG_NOTICE, "LVSD_VIP", m->config->vips[g].name, "vip %s: %s by the administrator",
				 m->config->vips[g].name, intent == HB_INTENT_WANTS ? "takeover" : "release");
		m->groups[g].intent = intent;
	}
	if (!matched)
		return ctl_peer_send_error(p, -ENOENT, "no VIP group \"%s\"", name);
	links_send(m);
	roles_evaluate(m, intent == HB_INTENT_WANTS ? "takeover asked" : "release asked");
	return ctl_peer_send(p, &end);
}

int manager_request(struct manager *m, struct ctl_peer *p, const struct ipc_message *req)
{
	switch (req->type) {
	case IPC_REQ_TAKEOVER:
	case IPC_REQ_RELEASE:
		return set_intent(m, req->group.name,
				  req->type == IPC_REQ_TAKEOVER ? HB_INTENT_WANTS : HB_INTENT_YIELDS, p);
	default:
		return -EOPNOTSUPP;
	}
}
