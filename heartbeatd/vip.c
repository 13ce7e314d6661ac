/* VIP addresses with libnl-route; announcements on packet and ICMPv6 sockets. */
#include "vip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

struct vip_netlink {
	struct nl_sock *sock;
	int ioctl_fd;             /* interfaces' flags, asked every heartbeat */
};

int vip_netlink_open(struct vip_netlink **ret)
{
	struct vip_netlink *v = calloc(1, sizeof(*v));
	int r;

	if (!v || !(v->sock = nl_socket_alloc())) {
		free(v);
		return -ENOMEM;
	}
	if ((v->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		r = -errno;
		nl_socket_free(v->sock);
		free(v);
		return r;
	}
	if ((r = nl_connect(v->sock, NETLINK_ROUTE)) < 0) {
		vip_netlink_close(v);
		return -ECONNREFUSED;
	}
	*ret = v;
	return 0;
}

void vip_netlink_close(struct vip_netlink *v)
{
	if (!v)
		return;
	nl_socket_free(v->sock);
	close(v->ioctl_fd);
	free(v);
}

static struct rtnl_addr *make_addr(const struct lvsd_vip_address *a, int ifindex)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local;
	int family = a->addr.family;

	if (!ra)
		return NULL;
	local = nl_addr_build(family, &a->addr.in, family == AF_INET6 ? 16 : 4);
	if (!local) {
		rtnl_addr_put(ra);
		return NULL;
	}
	nl_addr_set_prefixlen(local, (int)a->prefixlen);
	rtnl_addr_set_local(ra, local);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, family);
	rtnl_addr_set_prefixlen(ra, (int)a->prefixlen);
	/* No duplicate address detection: the address must work at once,
	 * and a failover is the very moment it is already known elsewhere. */
	if (family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	nl_addr_put(local);
	return ra;
}

static const char *describe(const struct lvsd_vip_address *a, char *buf, size_t size)
{
	char text[LVSD_ADDR_STRLEN];

	snprintf(buf, size, "%s/%u dev %s", addr_format(&a->addr, text), a->prefixlen, a->dev);
	return buf;
}

/* Adds (add) or removes one address; what is already so is no error (an
 * interface that is gone has no address to remove). Logs what failed. */
static int change_one(struct vip_netlink *v, const struct lvsd_vip *g, const struct lvsd_vip_address *a, bool add)
{
	int ifindex = (int)if_nametoindex(a->dev);
	const char *why = NULL;
	struct rtnl_addr *ra;
	char what[128];
	int r = 0;

	if (!ifindex) {
		if (!add)
			return 0;
		why = "no such interface";
		r = -ENODEV;
	} else if (!(ra = make_addr(a, ifindex))) {
		why = "out of memory";
		r = -ENOMEM;
	} else {
		r = add ? rtnl_addr_add(v->sock, ra, NLM_F_REPLACE) : rtnl_addr_delete(v->sock, ra, 0);
		rtnl_addr_put(ra);
		if (r == -NLE_EXIST || (!add && (r == -NLE_NOADDR || r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV)))
			r = 0;
		if (r < 0) {
			why = nl_geterror(r);
			r = -EIO;
		}
	}
	if (r < 0)
		log_full(LOG_ERR, "LVSD_VIP", g->name, "vip %s: cannot %s %s: %s", g->name, add ? "add" : "remove",
			 describe(a, what, sizeof(what)), why);
	return r;
}

static int change(struct vip_netlink *v, const struct lvsd_vip *g, bool add)
{
	int first = 0;

	for (size_t i = 0; i < g->n_addresses; i++) {
		int r = change_one(v, g, &g->addresses[i], add);

		first = first ?: r;
	}
	return first;
}

int vip_add(struct vip_netlink *v, const struct lvsd_vip *g)
{
	return change(v, g, true);
}

int vip_remove(struct vip_netlink *v, const struct lvsd_vip *g)
{
	return change(v, g, false);
}

struct presence {
	const struct lvsd_vip *g;
	bool found;
	size_t n_found;
};

static void check_one(struct nl_object *obj, void *arg)
{
	struct presence *p = arg;
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	struct nl_addr *local = rtnl_addr_get_local(ra);

	for (size_t i = 0; local && i < p->g->n_addresses; i++) {
		const struct lvsd_vip_address *a = &p->g->addresses[i];

		if (nl_addr_get_family(local) == a->addr.family &&
		    nl_addr_get_len(local) == (a->addr.family == AF_INET6 ? 16u : 4u) &&
		    memcmp(nl_addr_get_binary_addr(local), &a->addr.in, nl_addr_get_len(local)) == 0 &&
		    rtnl_addr_get_ifindex(ra) == (int)if_nametoindex(a->dev)) {
			p->found = true;
			p->n_found++;
		}
	}
}

static int presence(struct vip_netlink *v, const struct lvsd_vip *g, struct presence *p)
{
	struct nl_cache *cache = NULL;

	*p = (struct presence){ .g = g };
	if (rtnl_addr_alloc_cache(v->sock, &cache) < 0)
		return -EIO;
	nl_cache_foreach(cache, check_one, p);
	nl_cache_free(cache);
	return 0;
}

bool vip_present(struct vip_netlink *v, const struct lvsd_vip *g)
{
	struct presence p;

	return presence(v, g, &p) == 0 && p.found;
}

bool vip_present_all(struct vip_netlink *v, const struct lvsd_vip *g)
{
	struct presence p;

	/* A dump that failed proves nothing missing. */
	return presence(v, g, &p) < 0 || p.n_found >= g->n_addresses;
}

static bool link_up(struct vip_netlink *v, const char *dev)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(v->ioctl_fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

bool vip_links_up(struct vip_netlink *v, const struct lvsd_vip *g)
{
	for (size_t i = 0; i < g->n_addresses; i++)
		if (!link_up(v, g->addresses[i].dev))
			return false;
	return true;
}

static int interface_mac(const char *dev, uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		r = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return r;
}

struct arp_announcement {
	struct arphdr h;
	uint8_t sender_mac[ETH_ALEN];
	uint8_t sender_ip[4];
	uint8_t target_mac[ETH_ALEN];
	uint8_t target_ip[4];
} __attribute__((packed));

static void announce_ipv4(const struct lvsd_vip *g, const struct lvsd_vip_address *a, const uint8_t mac[ETH_ALEN])
{
	struct arp_announcement p = {
		.h = { .ar_hrd = htons(ARPHRD_ETHER), .ar_pro = htons(ETH_P_IP), .ar_hln = ETH_ALEN, .ar_pln = 4,
		       .ar_op = htons(ARPOP_REQUEST) },
	};
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				  .sll_ifindex = (int)if_nametoindex(a->dev), .sll_halen = ETH_ALEN };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));

	if (fd < 0) {
		log_full(LOG_WARNING, "LVSD_VIP", g->name, "vip %s: cannot announce on %s: %s", g->name, a->dev,
			 strerror(errno));
		return;
	}
	memcpy(p.sender_mac, mac, ETH_ALEN);
	memcpy(p.sender_ip, &a->addr.in.v4, 4);
	memcpy(p.target_ip, &a->addr.in.v4, 4);
	memset(to.sll_addr, 0xff, ETH_ALEN);
	if (sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		log_full(LOG_WARNING, "LVSD_VIP", g->name, "vip %s: gratuitous ARP on %s: %s", g->name, a->dev,
			 strerror(errno));
	close(fd);
}

/* Whether this host forwards IPv6 on dev: its advertisements then say it is
 * a router (RFC 4861, 4.4), or neighbours would take it for a host and
 * stop routing through it (a VIP that is a NAT gateway). */
static bool forwards_ipv6(const char *dev)
{
	char path[128], value[4] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding", dev);
	if (!(f = fopen(path, "re")))
		return false;
	if (!fgets(value, sizeof(value), f))
		value[0] = 0;
	fclose(f);
	return value[0] == '1';
}

struct neighbour_advert {
	struct nd_neighbor_advert na;
	struct nd_opt_hdr opt;
	uint8_t mac[ETH_ALEN];
} __attribute__((packed));

static void announce_ipv6(const struct lvsd_vip *g, const struct lvsd_vip_address *a, const uint8_t mac[ETH_ALEN])
{
	struct neighbour_advert p = { 0 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	unsigned ifindex = if_nametoindex(a->dev);
	int hops = 255;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);

	if (fd < 0) {
		log_full(LOG_WARNING, "LVSD_VIP", g->name, "vip %s: cannot announce on %s: %s", g->name, a->dev,
			 strerror(errno));
		return;
	}
	p.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	p.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE | (forwards_ipv6(a->dev) ? ND_NA_FLAG_ROUTER : 0);
	p.na.nd_na_target = a->addr.in.v6;
	p.opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	p.opt.nd_opt_len = 1;  /* in units of 8 bytes */
	memcpy(p.mac, mac, ETH_ALEN);
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	to.sin6_scope_id = ifindex;
	/* RFC 4861: neighbour discovery is only believed with hop limit 255. */
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
	if (sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		log_full(LOG_WARNING, "LVSD_VIP", g->name, "vip %s: neighbour advertisement on %s: %s", g->name,
			 a->dev, strerror(errno));
	close(fd);
}

void vip_announce(const struct lvsd_vip *g)
{
	for (size_t i = 0; i < g->n_addresses; i++) {
		const struct lvsd_vip_address *a = &g->addresses[i];
		uint8_t mac[ETH_ALEN];

		if (interface_mac(a->dev, mac) < 0)
			continue;
		if (a->addr.family == AF_INET)
			announce_ipv4(g, a, mac);
		else
			announce_ipv6(g, a, mac);
	}
}
