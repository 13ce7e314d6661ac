/* The kernel's sync daemons over IPVS generic netlink (libnl-genl). */
#include "kernel_sync.h"

#include <errno.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kernel_sync {
	struct nl_sock *sock;
	int family;
};

/* One request's outcome, gathered by the callbacks. */
struct answer {
	int error;                /* the kernel's negative errno, 0 */
	bool done;
	struct sync_kernel *daemons;  /* a dump's, or NULL */
};

static struct nla_policy daemon_policy[IPVS_DAEMON_ATTR_MAX + 1] = {
	[IPVS_DAEMON_ATTR_STATE] = { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_IFN] = { .type = NLA_STRING },
	[IPVS_DAEMON_ATTR_SYNC_ID] = { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_SYNC_MAXLEN] = { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP] = { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP6] = { .minlen = 16 },
	[IPVS_DAEMON_ATTR_MCAST_PORT] = { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_TTL] = { .type = NLA_U8 },
};

int kernel_sync_open(struct kernel_sync **ret)
{
	struct kernel_sync *k = calloc(1, sizeof(*k));
	int r;

	if (!k || !(k->sock = nl_socket_alloc())) {
		free(k);
		return -ENOMEM;
	}
	if ((r = genl_connect(k->sock)) < 0) {
		kernel_sync_close(k);
		return -ECONNREFUSED;
	}
	/* Resolving the family loads the ip_vs module if need be. */
	if ((k->family = genl_ctrl_resolve(k->sock, IPVS_GENL_NAME)) < 0) {
		kernel_sync_close(k);
		return -ENOENT;
	}
	*ret = k;
	return 0;
}

void kernel_sync_close(struct kernel_sync *k)
{
	if (!k)
		return;
	nl_socket_free(k->sock);
	free(k);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct answer *a = arg;

	a->error = e->error < 0 ? e->error : -e->error;
	a->done = true;
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	((struct answer *)arg)->done = true;
	return NL_STOP;
}

static void parse_daemon(struct nlattr **d, struct sync_kernel *k)
{
	struct sync_daemon *sd;
	uint32_t state;

	if (!d[IPVS_DAEMON_ATTR_STATE])
		return;
	state = nla_get_u32(d[IPVS_DAEMON_ATTR_STATE]);
	if (state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP)
		return;
	sd = state == IP_VS_STATE_MASTER ? &k->master : &k->backup;
	*sd = (struct sync_daemon){ .running = true, .port = 8848 };
	if (d[IPVS_DAEMON_ATTR_MCAST_IFN])
		snprintf(sd->ifname, sizeof(sd->ifname), "%s", nla_get_string(d[IPVS_DAEMON_ATTR_MCAST_IFN]));
	if (d[IPVS_DAEMON_ATTR_SYNC_ID])
		sd->syncid = nla_get_u32(d[IPVS_DAEMON_ATTR_SYNC_ID]);
	if (d[IPVS_DAEMON_ATTR_MCAST_PORT])
		sd->port = nla_get_u16(d[IPVS_DAEMON_ATTR_MCAST_PORT]);
	if (d[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
		sd->group.family = AF_INET;
		memcpy(&sd->group.in.v4, nla_data(d[IPVS_DAEMON_ATTR_MCAST_GROUP]), 4);
	} else if (d[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
		sd->group.family = AF_INET6;
		memcpy(&sd->group.in.v6, nla_data(d[IPVS_DAEMON_ATTR_MCAST_GROUP6]), 16);
	}
}

/* A dump's message: one running daemon (its command says NEW_DAEMON). */
static int on_valid(struct nl_msg *msg, void *arg)
{
	struct answer *a = arg;
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1], *d[IPVS_DAEMON_ATTR_MAX + 1];

	if (!a->daemons || genlmsg_parse(nlmsg_hdr(msg), 0, attrs, IPVS_CMD_ATTR_MAX, NULL) < 0 ||
	    !attrs[IPVS_CMD_ATTR_DAEMON] ||
	    nla_parse_nested(d, IPVS_DAEMON_ATTR_MAX, attrs[IPVS_CMD_ATTR_DAEMON], daemon_policy) < 0)
		return NL_SKIP;
	parse_daemon(d, a->daemons);
	return NL_OK;
}

/* Sends msg (taken) and waits for its acknowledgement, error or, for a
 * dump, its end. */
static int exchange(struct kernel_sync *k, struct nl_msg *msg, struct answer *a)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, a);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, a);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, a);
	r = nl_send_auto(k->sock, msg);
	nlmsg_free(msg);
	while (r >= 0 && !a->done)
		r = nl_recvmsgs(k->sock, cb);
	nl_cb_put(cb);
	/* An error answer stops the reading with a libnl code of its own:
	 * the kernel's errno is the one to tell. */
	if (a->done && a->error)
		return a->error;
	return r < 0 ? -EIO : 0;
}

static struct nl_msg *request(struct kernel_sync *k, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0, flags | NLM_F_ACK, cmd,
				IPVS_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int kernel_sync_read(struct kernel_sync *k, struct sync_kernel *ret)
{
	struct nl_msg *msg = request(k, IPVS_CMD_GET_DAEMON, NLM_F_DUMP);
	struct answer a = { .daemons = ret };

	*ret = (struct sync_kernel){ 0 };
	if (!msg)
		return -ENOMEM;
	return exchange(k, msg, &a);
}

int kernel_sync_start(struct kernel_sync *k, bool master, const struct sync_daemon *d)
{
	struct nl_msg *msg = request(k, IPVS_CMD_NEW_DAEMON, 0);
	struct answer a = { 0 };
	struct nlattr *nest;

	if (!msg)
		return -ENOMEM;
	if (!(nest = nla_nest_start(msg, IPVS_CMD_ATTR_DAEMON)) ||
	    nla_put_u32(msg, IPVS_DAEMON_ATTR_STATE, master ? IP_VS_STATE_MASTER : IP_VS_STATE_BACKUP) < 0 ||
	    nla_put_string(msg, IPVS_DAEMON_ATTR_MCAST_IFN, d->ifname) < 0 ||
	    nla_put_u32(msg, IPVS_DAEMON_ATTR_SYNC_ID, d->syncid) < 0 ||
	    nla_put_u16(msg, IPVS_DAEMON_ATTR_MCAST_PORT, d->port) < 0 ||
	    (d->group.family == AF_INET && nla_put(msg, IPVS_DAEMON_ATTR_MCAST_GROUP, 4, &d->group.in.v4) < 0) ||
	    (d->group.family == AF_INET6 && nla_put(msg, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, &d->group.in.v6) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, nest);
	return exchange(k, msg, &a);
}

int kernel_sync_stop(struct kernel_sync *k, bool master)
{
	struct nl_msg *msg = request(k, IPVS_CMD_DEL_DAEMON, 0);
	struct answer a = { 0 };
	struct nlattr *nest;

	if (!msg)
		return -ENOMEM;
	if (!(nest = nla_nest_start(msg, IPVS_CMD_ATTR_DAEMON)) ||
	    nla_put_u32(msg, IPVS_DAEMON_ATTR_STATE, master ? IP_VS_STATE_MASTER : IP_VS_STATE_BACKUP) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, nest);
	return exchange(k, msg, &a);
}
