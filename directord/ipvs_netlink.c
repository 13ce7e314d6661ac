/* IPVS generic netlink: one persistent socket for the life of the daemon.
 *
 * Changes travel in batches: many requests packed into one datagram, only the
 * last one asking for an acknowledgement. The kernel handles the requests of
 * a datagram in order and answers a failed one with its error whatever the
 * flags, so each operation still gets its own verdict, at a fraction of the
 * system calls (measured by bench/ipvs-apply).
 *
 * A large change, or the reading of many services, runs in two lanes, over
 * this socket and a second one from another thread, each lane a share of
 * the services. The kernel takes one lock for IPVS changes, but parsing
 * requests and answering them runs in parallel: 10,000 destinations in two
 * lanes take about two thirds of the time of one. */
#include "ipvs_netlink.h"
#include "array.h"
#include "thread.h"

#include <errno.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Longest request an operation makes: two nested blocks of a few attributes. */
#define OP_MAX_BYTES 512
/* Bytes of requests per datagram: well under the socket's send buffer. */
#define BATCH_BYTES (48 * 1024)
/* Fewer operations, or services to read, than these go in one lane: a
 * thread would cost more. */
#define TWO_LANES_MIN_OPS 1024
#define TWO_LANES_MIN_SERVICES 32

struct ipvs_netlink {
	struct nl_sock *sock;
	struct nl_cb *cb;
	struct nl_msg *scratch;          /* each change's request, in turn */
	struct ipvs_netlink *lane;       /* the second lane's, opened when first needed */
	bool lane_failed;                /* could not be opened: one lane it is */
	int family;
	uint32_t seq;
	unsigned long requests, datagrams;
	uint8_t batch[BATCH_BYTES];
};

/* What one exchange (requests sent, answers awaited) has gathered so far.
 * Requests carry sequence numbers first_seq..last_seq. */
struct exchange {
	uint32_t first_seq, last_seq;
	bool done;
	int error;                       /* kernel's negative errno (single request) */
	int *errors;                     /* per request of a batch, or NULL */
	int (*parse)(struct nlattr **attrs, void *arg);
	void *arg;
	int parse_error;
};

static struct nla_policy service_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_PROTOCOL] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_ADDR] = { .type = NLA_UNSPEC, .minlen = sizeof(struct in_addr) },
	[IPVS_SVC_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_FWMARK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_SCHED_NAME] = { .type = NLA_STRING },
	[IPVS_SVC_ATTR_FLAGS] = { .type = NLA_UNSPEC, .minlen = sizeof(struct ip_vs_flags) },
	[IPVS_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_NETMASK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_STATS] = { .type = NLA_NESTED },
};

static struct nla_policy dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = { .type = NLA_UNSPEC, .minlen = sizeof(struct in_addr) },
	[IPVS_DEST_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_FWD_METHOD] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_INACT_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_PERSIST_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_STATS] = { .type = NLA_NESTED },
	[IPVS_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlattr *attrs[IPVS_CMD_ATTR_MAX + 1];
	int r;

	if (!x->parse)
		return NL_OK;
	r = genlmsg_parse(nlmsg_hdr(msg), 0, attrs, IPVS_CMD_ATTR_MAX, NULL);
	if (r < 0 || (r = x->parse(attrs, x->arg)) < 0) {
		if (!x->parse_error)
			x->parse_error = r < 0 ? r : -EBADMSG;
	}
	return NL_OK;
}

/* Whether seq belongs to the exchange, in modulo-2^32 arithmetic: the
 * counter wraps after enough requests. */
static bool in_exchange(const struct exchange *x, uint32_t seq)
{
	return (uint32_t)(seq - x->first_seq) <= (uint32_t)(x->last_seq - x->first_seq);
}

/* Answers to anything but the current exchange (a late reply to an
 * exchange abandoned after an error) are ignored. */
static int on_seq_check(struct nl_msg *msg, void *arg)
{
	return in_exchange(arg, nlmsg_hdr(msg)->nlmsg_seq) ? NL_OK : NL_SKIP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	if (nlmsg_hdr(msg)->nlmsg_seq != x->last_seq)
		return NL_OK;
	x->done = true;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	x->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct exchange *x = arg;
	uint32_t seq = e->msg.nlmsg_seq;

	if (!in_exchange(x, seq))
		return NL_SKIP;
	if (x->errors)
		x->errors[seq - x->first_seq] = e->error;
	else
		x->error = e->error;
	if (seq != x->last_seq && x->errors)
		return NL_SKIP;
	x->done = true;
	return NL_STOP;
}

int ipvs_netlink_open(struct ipvs_netlink **ret)
{
	struct ipvs_netlink *nl = calloc(1, sizeof(*nl));
	int one = 1, r;

	if (!nl)
		return -ENOMEM;
	nl->sock = nl_socket_alloc();
	nl->cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl->scratch = nlmsg_alloc_size(OP_MAX_BYTES);
	if (!nl->sock || !nl->cb || !nl->scratch) {
		r = -ENOMEM;
		goto fail;
	}
	if (genl_connect(nl->sock) < 0) {
		r = -EIO;
		goto fail;
	}
	/* Large dumps of thousands of destinations arrive in bursts. */
	nl_socket_set_buffer_size(nl->sock, 4 << 20, 4 << 20);
	/* Errors need not echo the request back: the sequence number says which. */
	setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sock, IPVS_GENL_NAME);
	if (nl->family < 0) {
		r = -ENOENT;
		goto fail;
	}
	nl->seq = (uint32_t)time(NULL);
	*ret = nl;
	return 0;
fail:
	ipvs_netlink_close(nl);
	return r;
}

void ipvs_netlink_close(struct ipvs_netlink *nl)
{
	if (!nl)
		return;
	if (nl->cb)
		nl_cb_put(nl->cb);
	nlmsg_free(nl->scratch);
	ipvs_netlink_close(nl->lane);
	if (nl->sock)
		nl_socket_free(nl->sock);
	free(nl);
}

unsigned long ipvs_netlink_requests(const struct ipvs_netlink *nl)
{
	return nl->requests + (nl->lane ? nl->lane->requests : 0);
}

unsigned long ipvs_netlink_datagrams(const struct ipvs_netlink *nl)
{
	return nl->datagrams + (nl->lane ? nl->lane->datagrams : 0);
}

/* Reads answers until the exchange is complete. -EIO if the socket fails. */
static int receive(struct ipvs_netlink *nl, struct exchange *x)
{
	int r;

	nl_cb_set(nl->cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, x);
	nl_cb_set(nl->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, x);
	nl_cb_set(nl->cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, x);
	nl_cb_set(nl->cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, x);
	nl_cb_err(nl->cb, NL_CB_CUSTOM, on_error, x);
	while (!x->done) {
		r = nl_recvmsgs(nl->sock, nl->cb);
		if (r < 0 && !x->done)
			return r == -NLE_NOMEM ? -ENOBUFS : -EIO;
	}
	return 0;
}

static int send_raw(struct ipvs_netlink *nl, void *buf, size_t len)
{
	nl->datagrams++;
	return nl_sendto(nl->sock, buf, len) < 0 ? -EIO : 0;
}

/* Sends one request (msg, consumed) and reads its answer: the ack, the
 * error, or every part of a dump. Returns the kernel's errno, a parse error,
 * or -EIO. */
static int exchange(struct ipvs_netlink *nl, struct nl_msg *msg,
		    int (*parse)(struct nlattr **, void *), void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct exchange x = { .parse = parse, .arg = arg };
	int r;

	h->nlmsg_seq = x.first_seq = x.last_seq = ++nl->seq;
	h->nlmsg_flags |= NLM_F_REQUEST | (h->nlmsg_flags & NLM_F_DUMP ? 0 : NLM_F_ACK);
	nl->requests++;
	r = send_raw(nl, h, h->nlmsg_len);
	nlmsg_free(msg);
	if (r == 0)
		r = receive(nl, &x);
	if (r < 0)
		return r;
	return x.error ? x.error : x.parse_error;
}

static struct nl_msg *new_request(struct ipvs_netlink *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd, IPVS_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* IPVS addresses travel as a 16-byte union nf_inet_addr. */
static int put_addr(struct nl_msg *msg, int attr, const struct lvsd_addr *a)
{
	unsigned char raw[16] = { 0 };

	if (a->family == AF_INET)
		memcpy(raw, &a->in.v4, 4);
	else
		memcpy(raw, &a->in.v6, 16);
	return nla_put(msg, attr, sizeof(raw), raw);
}

static void get_addr(struct nlattr *attr, int family, struct lvsd_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == AF_INET)
		memcpy(&a->in.v4, nla_data(attr), 4);
	else if (nla_len(attr) >= 16)
		memcpy(&a->in.v6, nla_data(attr), 16);
}

static int put_service(struct nl_msg *msg, const struct ipvs_service *s, bool full)
{
	struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_SERVICE);
	const struct ipvs_service_key *k = &s->key;

	if (!nest)
		return -ENOMEM;
	NLA_PUT_U16(msg, IPVS_SVC_ATTR_AF, k->family);
	if (k->fwmark) {
		NLA_PUT_U32(msg, IPVS_SVC_ATTR_FWMARK, k->fwmark);
	} else {
		NLA_PUT_U16(msg, IPVS_SVC_ATTR_PROTOCOL, k->protocol);
		if (put_addr(msg, IPVS_SVC_ATTR_ADDR, &k->addr) < 0)
			goto nla_put_failure;
		NLA_PUT_U16(msg, IPVS_SVC_ATTR_PORT, htons(k->port));
	}
	if (full) {
		struct ip_vs_flags flags = { .flags = s->flags, .mask = ~0u };

		NLA_PUT_STRING(msg, IPVS_SVC_ATTR_SCHED_NAME, s->scheduler);
		NLA_PUT(msg, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags);
		NLA_PUT_U32(msg, IPVS_SVC_ATTR_TIMEOUT, s->timeout);
		NLA_PUT_U32(msg, IPVS_SVC_ATTR_NETMASK, s->netmask);
	}
	nla_nest_end(msg, nest);
	return 0;
nla_put_failure:
	return -ENOMEM;
}

static int put_dest(struct nl_msg *msg, const struct ipvs_dest *d, bool full)
{
	struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_DEST);

	if (!nest)
		return -ENOMEM;
	if (put_addr(msg, IPVS_DEST_ATTR_ADDR, &d->addr) < 0)
		goto nla_put_failure;
	NLA_PUT_U16(msg, IPVS_DEST_ATTR_PORT, htons(d->port));
	NLA_PUT_U16(msg, IPVS_DEST_ATTR_ADDR_FAMILY, d->addr.family);
	if (full) {
		NLA_PUT_U32(msg, IPVS_DEST_ATTR_FWD_METHOD, d->fwd);
		NLA_PUT_U32(msg, IPVS_DEST_ATTR_WEIGHT, d->weight);
		NLA_PUT_U32(msg, IPVS_DEST_ATTR_U_THRESH, d->u_threshold);
		NLA_PUT_U32(msg, IPVS_DEST_ATTR_L_THRESH, d->l_threshold);
	}
	nla_nest_end(msg, nest);
	return 0;
nla_put_failure:
	return -ENOMEM;
}

static const uint8_t op_command[_IPVS_OP_MAX] = {
	[IPVS_OP_DEL_SERVICE] = IPVS_CMD_DEL_SERVICE,
	[IPVS_OP_ADD_SERVICE] = IPVS_CMD_NEW_SERVICE,
	[IPVS_OP_EDIT_SERVICE] = IPVS_CMD_SET_SERVICE,
	[IPVS_OP_DEL_DEST] = IPVS_CMD_DEL_DEST,
	[IPVS_OP_ADD_DEST] = IPVS_CMD_NEW_DEST,
	[IPVS_OP_EDIT_DEST] = IPVS_CMD_SET_DEST,
};

/* Writes op's request into nl->scratch, emptied first: one message serves
 * every change, where a fresh one cost each a page-sized allocation (a
 * measurable part of programming 10,000 destinations). NULL if it does not
 * fit, which OP_MAX_BYTES rules out. */
static struct nlmsghdr *op_request(struct ipvs_netlink *nl, const struct ipvs_op *op)
{
	bool is_dest = op->kind == IPVS_OP_DEL_DEST || op->kind == IPVS_OP_ADD_DEST ||
		       op->kind == IPVS_OP_EDIT_DEST;
	bool full_service = op->kind == IPVS_OP_ADD_SERVICE || op->kind == IPVS_OP_EDIT_SERVICE;
	struct nl_msg *msg = nl->scratch;

	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0, op_command[op->kind],
			 IPVS_GENL_VERSION) ||
	    put_service(msg, op->service, full_service) < 0 ||
	    (is_dest && put_dest(msg, op->dest, op->kind != IPVS_OP_DEL_DEST) < 0))
		return NULL;
	return nlmsg_hdr(msg);
}

/* Sends ops[0..n) as one datagram and collects their verdicts. */
static int apply_datagram(struct ipvs_netlink *nl, const struct ipvs_op *ops, size_t n, int *errors)
{
	struct exchange x = { .errors = errors };
	size_t len = 0;
	int r;

	x.first_seq = nl->seq + 1;
	for (size_t i = 0; i < n; i++) {
		struct nlmsghdr *h = op_request(nl, &ops[i]);

		if (!h)
			return -ENOMEM;
		h->nlmsg_seq = ++nl->seq;
		h->nlmsg_flags = NLM_F_REQUEST | (i == n - 1 ? NLM_F_ACK : 0);
		memcpy(nl->batch + len, h, h->nlmsg_len);
		len += NLMSG_ALIGN(h->nlmsg_len);
	}
	x.last_seq = nl->seq;
	nl->requests += n;
	if ((r = send_raw(nl, nl->batch, len)) < 0)
		return r;
	return receive(nl, &x);
}

/* One lane: ops in order, as many per datagram as fit. */
static int apply_lane(struct ipvs_netlink *nl, const struct ipvs_op *ops, size_t n, int *errors)
{
	size_t per_datagram = BATCH_BYTES / OP_MAX_BYTES;
	int r;

	for (size_t i = 0; i < n; i += per_datagram) {
		size_t k = n - i < per_datagram ? n - i : per_datagram;

		if ((r = apply_datagram(nl, ops + i, k, errors + i)) < 0) {
			/* Out of memory or the socket failed: what became of
			 * the rest is unknown. */
			for (size_t j = i; j < n; j++)
				errors[j] = r;
			return r;
		}
	}
	return 0;
}

/* The second lane's share: changes to make, or services whose
 * destinations to read. */
struct lane {
	struct ipvs_netlink *nl;
	const struct ipvs_op *ops;
	int *errors;
	struct ipvs_service *services;
	size_t n;
	int result;
};

static int read_dests(struct ipvs_netlink *nl, struct ipvs_service *services, size_t n);

static void *run_lane(void *arg)
{
	struct lane *lane = arg;

	lane->result = lane->ops ? apply_lane(lane->nl, lane->ops, lane->n, lane->errors)
				 : read_dests(lane->nl, lane->services, lane->n);
	return NULL;
}

static bool same_service_key(const struct ipvs_op *a, const struct ipvs_op *b)
{
	return ipvs_service_key_compare(&a->service->key, &b->service->key) == 0;
}

/* Where the second lane starts: at the first change of a service from the
 * middle on, so that each service's changes stay in order in one lane. n
 * when there is no such place. */
static size_t second_lane_start(const struct ipvs_op *ops, size_t n)
{
	size_t i = n / 2;

	while (i > 0 && i < n && same_service_key(&ops[i - 1], &ops[i]))
		i++;
	return i;
}

/* Runs the second lane's share from another thread. false if it cannot
 * start. */
static bool start_lane(struct ipvs_netlink *nl, struct lane *lane, pthread_t *thread)
{
	if (!nl->lane && !nl->lane_failed && ipvs_netlink_open(&nl->lane) < 0)
		nl->lane_failed = true;
	if (!nl->lane)
		return false;
	lane->nl = nl->lane;
	return thread_start_without_signals(thread, NULL, run_lane, lane) == 0;
}

int ipvs_netlink_apply_batch(struct ipvs_netlink *nl, const struct ipvs_op *ops, size_t n, int *errors)
{
	size_t removals = 0, split;
	struct lane second;
	pthread_t thread;
	int r;

	memset(errors, 0, n * sizeof(*errors));
	/* Removals of services lead the list and go before anything else:
	 * they make room. */
	while (removals < n && ops[removals].kind == IPVS_OP_DEL_SERVICE)
		removals++;
	if (removals && (r = apply_lane(nl, ops, removals, errors)) < 0) {
		for (size_t j = removals; j < n; j++)
			errors[j] = r;
		return r;
	}
	ops += removals;
	errors += removals;
	n -= removals;

	split = n >= TWO_LANES_MIN_OPS ? second_lane_start(ops, n) : n;
	second = (struct lane){ .ops = ops + split, .n = n - split, .errors = errors + split };
	if (split == n || !start_lane(nl, &second, &thread))
		return apply_lane(nl, ops, n, errors);
	r = apply_lane(nl, ops, split, errors);
	pthread_join(thread, NULL);
	return r < 0 ? r : second.result;
}

/* Parsing of dumps. */

struct service_list {
	struct ipvs_service *items;
	size_t n, allocated;
};

static int parse_service(struct nlattr **attrs, void *arg)
{
	struct service_list *l = arg;
	struct nlattr *a[IPVS_SVC_ATTR_MAX + 1];
	struct ipvs_service s = { 0 };

	if (!attrs[IPVS_CMD_ATTR_SERVICE] ||
	    nla_parse_nested(a, IPVS_SVC_ATTR_MAX, attrs[IPVS_CMD_ATTR_SERVICE], service_policy) < 0 ||
	    !a[IPVS_SVC_ATTR_AF] || !a[IPVS_SVC_ATTR_SCHED_NAME] || !a[IPVS_SVC_ATTR_FLAGS] ||
	    !a[IPVS_SVC_ATTR_TIMEOUT] || !a[IPVS_SVC_ATTR_NETMASK])
		return -EBADMSG;
	s.key.family = nla_get_u16(a[IPVS_SVC_ATTR_AF]);
	if (s.key.family != AF_INET && s.key.family != AF_INET6)
		return 0;  /* nothing lvsd could own */
	if (a[IPVS_SVC_ATTR_FWMARK] && nla_get_u32(a[IPVS_SVC_ATTR_FWMARK])) {
		s.key.fwmark = nla_get_u32(a[IPVS_SVC_ATTR_FWMARK]);
	} else {
		if (!a[IPVS_SVC_ATTR_PROTOCOL] || !a[IPVS_SVC_ATTR_ADDR] || !a[IPVS_SVC_ATTR_PORT])
			return -EBADMSG;
		s.key.protocol = nla_get_u16(a[IPVS_SVC_ATTR_PROTOCOL]);
		get_addr(a[IPVS_SVC_ATTR_ADDR], s.key.family, &s.key.addr);
		s.key.port = ntohs(nla_get_u16(a[IPVS_SVC_ATTR_PORT]));
	}
	nla_strlcpy(s.scheduler, a[IPVS_SVC_ATTR_SCHED_NAME], sizeof(s.scheduler));
	s.flags = ((struct ip_vs_flags *)nla_data(a[IPVS_SVC_ATTR_FLAGS]))->flags;
	s.timeout = nla_get_u32(a[IPVS_SVC_ATTR_TIMEOUT]);
	s.netmask = nla_get_u32(a[IPVS_SVC_ATTR_NETMASK]);

	if (array_grow((void **)&l->items, l->n, &l->allocated, sizeof(*l->items), 32) < 0)
		return -ENOMEM;
	l->items[l->n++] = s;
	return 0;
}

struct dest_list {
	struct ipvs_service *service;
	size_t allocated;
};

static int parse_dest(struct nlattr **attrs, void *arg)
{
	struct dest_list *l = arg;
	struct ipvs_service *s = l->service;
	struct nlattr *a[IPVS_DEST_ATTR_MAX + 1];
	struct ipvs_dest d = { 0 };
	int family = s->key.family;

	if (!attrs[IPVS_CMD_ATTR_DEST] ||
	    nla_parse_nested(a, IPVS_DEST_ATTR_MAX, attrs[IPVS_CMD_ATTR_DEST], dest_policy) < 0 ||
	    !a[IPVS_DEST_ATTR_ADDR] || !a[IPVS_DEST_ATTR_PORT] || !a[IPVS_DEST_ATTR_FWD_METHOD] ||
	    !a[IPVS_DEST_ATTR_WEIGHT])
		return -EBADMSG;
	if (a[IPVS_DEST_ATTR_ADDR_FAMILY])
		family = nla_get_u16(a[IPVS_DEST_ATTR_ADDR_FAMILY]);
	get_addr(a[IPVS_DEST_ATTR_ADDR], family, &d.addr);
	d.port = ntohs(nla_get_u16(a[IPVS_DEST_ATTR_PORT]));
	d.fwd = nla_get_u32(a[IPVS_DEST_ATTR_FWD_METHOD]) & IP_VS_CONN_F_FWD_MASK;
	d.weight = nla_get_u32(a[IPVS_DEST_ATTR_WEIGHT]);
	if (a[IPVS_DEST_ATTR_U_THRESH])
		d.u_threshold = nla_get_u32(a[IPVS_DEST_ATTR_U_THRESH]);
	if (a[IPVS_DEST_ATTR_L_THRESH])
		d.l_threshold = nla_get_u32(a[IPVS_DEST_ATTR_L_THRESH]);
	if (a[IPVS_DEST_ATTR_ACTIVE_CONNS])
		d.active = nla_get_u32(a[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	if (a[IPVS_DEST_ATTR_INACT_CONNS])
		d.inactive = nla_get_u32(a[IPVS_DEST_ATTR_INACT_CONNS]);

	if (array_grow((void **)&s->dests, s->n_dests, &l->allocated, sizeof(*s->dests), 16) < 0)
		return -ENOMEM;
	s->dests[s->n_dests++] = d;
	return 0;
}

/* Reads the destinations of services[0..n), a dump each. */
static int read_dests(struct ipvs_netlink *nl, struct ipvs_service *services, size_t n)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		struct dest_list dests = { .service = &services[i] };
		struct nl_msg *msg = new_request(nl, IPVS_CMD_GET_DEST, NLM_F_DUMP);

		if (!msg || put_service(msg, &services[i], false) < 0) {
			nlmsg_free(msg);
			return -ENOMEM;
		}
		r = exchange(nl, msg, parse_dest, &dests);
		/* A service deleted by someone else between the two dumps. */
		if (r == -ESRCH || r == -ENOENT)
			r = 0;
	}
	return r;
}

int ipvs_netlink_read(struct ipvs_netlink *nl, struct ipvs_table *ret)
{
	struct service_list services = { 0 };
	struct nl_msg *msg;
	int r;

	msg = new_request(nl, IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	r = exchange(nl, msg, parse_service, &services);
	if (r == 0) {
		/* Many services: the second lane reads half of them. */
		size_t half = services.n >= TWO_LANES_MIN_SERVICES ? services.n / 2 : services.n;
		struct lane second = { .services = services.items + half, .n = services.n - half };
		pthread_t thread;

		if (half == services.n || !start_lane(nl, &second, &thread)) {
			r = read_dests(nl, services.items, services.n);
		} else {
			r = read_dests(nl, services.items, half);
			pthread_join(thread, NULL);
			if (r == 0)
				r = second.result;
		}
	}
	*ret = (struct ipvs_table){ services.items, services.n };
	if (r < 0) {
		ipvs_table_clear(ret);
		return r;
	}
	ipvs_table_sort(ret);
	return 0;
}
