/* What programming bench/ipvs-apply's table costs over generic netlink with
 * one socket and nothing else: the same services and destinations added
 * from a flat list, no configuration, no reading of the kernel's table, no
 * diff, no logging. Requests are built in one reused libnl message and sent
 * 96 to a datagram, only the last of each asking for an acknowledgement.
 * bench/ipvs-apply runs it in the same boot as directord, on an empty table.
 *
 *   netlink-floor SERVICES REALS     prints the seconds taken, or fails */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_DATAGRAM 96

static struct nl_sock *sock;
static struct nl_msg *msg;
static int family;
static unsigned char datagram[PER_DATAGRAM * 512];
static size_t used, queued;
static unsigned seq = 1;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	(void)who;
	(void)arg;
	fprintf(stderr, "netlink-floor: request %u: %s\n", e->msg.nlmsg_seq, strerror(-e->error));
	exit(1);
}

static void flush(void)
{
	if (!queued)
		return;
	if (nl_sendto(sock, datagram, used) < 0 || nl_wait_for_ack(sock) < 0) {
		fprintf(stderr, "netlink-floor: send failed\n");
		exit(1);
	}
	used = queued = 0;
}

/* Starts a request in the reused message. */
static void begin(uint8_t cmd)
{
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, IPVS_GENL_VERSION);
}

/* Appends the request to the datagram; the batch's last asks for an ack. */
static void queue(void)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	h->nlmsg_seq = seq++;
	h->nlmsg_flags = NLM_F_REQUEST | (queued + 1 == PER_DATAGRAM ? NLM_F_ACK : 0);
	memcpy(datagram + used, h, h->nlmsg_len);
	used += NLMSG_ALIGN(h->nlmsg_len);
	if (++queued == PER_DATAGRAM)
		flush();
}

static void put_service(uint32_t vip, int full)
{
	struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_SERVICE);
	unsigned char addr[16] = { 0 };
	struct ip_vs_flags flags = { 0, ~0u };

	memcpy(addr, &vip, 4);
	nla_put_u16(msg, IPVS_SVC_ATTR_AF, AF_INET);
	nla_put_u16(msg, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	nla_put(msg, IPVS_SVC_ATTR_ADDR, sizeof(addr), addr);
	nla_put_u16(msg, IPVS_SVC_ATTR_PORT, htons(80));
	if (full) {
		nla_put_string(msg, IPVS_SVC_ATTR_SCHED_NAME, "wlc");
		nla_put(msg, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags);
		nla_put_u32(msg, IPVS_SVC_ATTR_TIMEOUT, 0);
		nla_put_u32(msg, IPVS_SVC_ATTR_NETMASK, ~0u);
	}
	nla_nest_end(msg, nest);
}

int main(int argc, char **argv)
{
	int services, reals;
	double t0;

	if (argc != 3 || (services = atoi(argv[1])) <= 0 || (reals = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: netlink-floor SERVICES REALS\n");
		return 2;
	}
	t0 = now();
	sock = nl_socket_alloc();
	msg = nlmsg_alloc_size(512);
	if (!sock || !msg || genl_connect(sock) < 0 || (family = genl_ctrl_resolve(sock, IPVS_GENL_NAME)) < 0) {
		fprintf(stderr, "netlink-floor: no IPVS over generic netlink\n");
		return 1;
	}
	nl_socket_disable_seq_check(sock);
	nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, on_error, NULL);
	/* The addresses of bench/ipvs-apply's table. */
	for (int i = 0; i < services; i++) {
		uint32_t vip = htonl((198u << 24) | (18u << 16) | ((unsigned)(i / 250) << 8) | (unsigned)(i % 250 + 1));

		begin(IPVS_CMD_NEW_SERVICE);
		put_service(vip, 1);
		queue();
		for (int j = 0; j < reals; j++) {
			uint32_t rip = htonl((198u << 24) | (19u << 16) | ((unsigned)i << 8) | (unsigned)(j + 1));
			unsigned char addr[16] = { 0 };
			struct nlattr *nest;

			begin(IPVS_CMD_NEW_DEST);
			put_service(vip, 0);
			nest = nla_nest_start(msg, IPVS_CMD_ATTR_DEST);
			memcpy(addr, &rip, 4);
			nla_put(msg, IPVS_DEST_ATTR_ADDR, sizeof(addr), addr);
			nla_put_u16(msg, IPVS_DEST_ATTR_PORT, htons(80));
			nla_put_u16(msg, IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
			nla_put_u32(msg, IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_DROUTE);
			nla_put_u32(msg, IPVS_DEST_ATTR_WEIGHT, 1);
			nla_put_u32(msg, IPVS_DEST_ATTR_U_THRESH, 0);
			nla_put_u32(msg, IPVS_DEST_ATTR_L_THRESH, 0);
			nla_nest_end(msg, nest);
			queue();
		}
	}
	/* The last datagram's last request asks for the ack. */
	if (queued) {
		struct nlmsghdr *h = (struct nlmsghdr *)datagram;
		size_t off = 0;

		for (size_t k = 1; k < queued; k++) {
			off += NLMSG_ALIGN(h->nlmsg_len);
			h = (struct nlmsghdr *)(datagram + off);
		}
		h->nlmsg_flags |= NLM_F_ACK;
		flush();
	}
	printf("%.3f\n", now() - t0);
	return 0;
}
