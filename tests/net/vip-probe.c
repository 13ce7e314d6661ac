/* The client's view of a failover: an ICMP echo to ADDRESS every
 * millisecond, on schedule whatever the replies do, for SECONDS; prints
 * "LONGEST-GAP-MS LOST SENT". The gap is the longest time without a reply
 * (an outage still going on at the end counts up to the end).
 *
 * Not ping(8): with a reply outstanding and the next probe due within a
 * jiffy, iputils ping sleeps 10 ms, so every outage it sees grows to the
 * next multiple of about 10 ms.
 *
 *   vip-probe ADDRESS SECONDS      (as root: a raw ICMP socket)
 *
 * Built by the scripts that use it: cc -I common tests/net/vip-probe.c common/addr.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"

#define PERIOD_NSEC 1000000LL

static int64_t now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void send_echo(int fd, const struct sockaddr_in *to, uint16_t id, uint16_t seq)
{
	struct icmphdr h = { .type = ICMP_ECHO };

	h.un.echo.id = htons(id);
	h.un.echo.sequence = htons(seq);
	h.checksum = inet_checksum(&h, sizeof(h));
	/* A lost send is a lost probe: the gap shows it. */
	(void)sendto(fd, &h, sizeof(h), MSG_DONTWAIT, (const struct sockaddr *)to, sizeof(*to));
}

/* 1: an echo reply to this prober from the address probed, 0: another
 * packet, -1: nothing left to read. */
static int read_reply(int fd, const struct sockaddr_in *to, uint16_t id)
{
	uint8_t buf[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	const struct iphdr *ip = (const void *)buf;
	const struct icmphdr *h;

	if (n < 0)
		return -1;
	if (n < (ssize_t)sizeof(*ip) || n < (ssize_t)(ip->ihl * 4 + sizeof(*h)) ||
	    from.sin_addr.s_addr != to->sin_addr.s_addr)
		return 0;
	h = (const void *)(buf + ip->ihl * 4);
	return h->type == ICMP_ECHOREPLY && ntohs(h->un.echo.id) == id;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int64_t start, end, next, last_reply, gap = 0;
	long sent = 0, received = 0;
	uint16_t id = (uint16_t)getpid();
	int fd;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 || atof(argv[2]) <= 0) {
		fprintf(stderr, "usage: vip-probe IPV4-ADDRESS SECONDS\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP)) < 0) {
		fprintf(stderr, "vip-probe: raw ICMP socket: %s\n", strerror(errno));
		return 1;
	}
	start = last_reply = next = now_nsec();
	end = start + (int64_t)(atof(argv[2]) * 1e9);
	for (;;) {
		int64_t now = now_nsec(), wait;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec ts;

		if (now >= end)
			break;
		if (now >= next) {
			send_echo(fd, &to, id, (uint16_t)sent++);
			next += PERIOD_NSEC;
			if (next < now)  /* fell behind: keep the cadence from here */
				next = now + PERIOD_NSEC;
		}
		wait = next - now;
		ts = (struct timespec){ .tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL };
		if (ppoll(&pfd, 1, &ts, NULL) <= 0)
			continue;
		for (int r; (r = read_reply(fd, &to, id)) >= 0;) {
			if (r == 0)
				continue;
			now = now_nsec();
			if (now - last_reply > gap)
				gap = now - last_reply;
			last_reply = now;
			received++;
		}
	}
	if (end - last_reply > gap)
		gap = end - last_reply;
	printf("%.1f %ld %ld\n", (double)gap / 1e6, sent > received ? sent - received : 0, sent);
	return 0;
}
