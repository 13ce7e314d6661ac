/* The least a heartbeat can cost: a periodic timerfd and one UDP datagram
 * of a heartbeat's size per tick, nothing else (no MAC, no receiving, no
 * event library). bench/failover runs it beside heartbeatd to show how
 * much of heartbeatd's CPU any sender at that rate pays on this host.
 *
 *   send-floor send ADDRESS PORT INTERVAL-US SECONDS   prints "CPU-PERCENT"
 *   send-floor sink PORT SECONDS                        binds, never reads */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define HEARTBEAT_BYTES 69

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int sink(int port, unsigned seconds)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("send-floor: sink");
		return 1;
	}
	sleep(seconds);
	return 0;
}

static int send_loop(const char *address, int port, long interval_us, double seconds)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct itimerspec its = {
		.it_interval = { interval_us / 1000000, (interval_us % 1000000) * 1000 },
		.it_value = { interval_us / 1000000, (interval_us % 1000000) * 1000 },
	};
	char packet[HEARTBEAT_BYTES];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	long ticks = (long)(seconds * 1e6 / (double)interval_us);
	struct timespec t0, t1;
	double c0;

	if (inet_pton(AF_INET, address, &to.sin_addr) != 1 || fd < 0 || tfd < 0 ||
	    timerfd_settime(tfd, 0, &its, NULL) < 0) {
		fprintf(stderr, "send-floor: cannot set up\n");
		return 1;
	}
	memset(packet, 0x5a, sizeof(packet));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c0 = cpu_seconds();
	for (long i = 0; i < ticks; i++) {
		uint64_t expirations;

		if (read(tfd, &expirations, sizeof(expirations)) != sizeof(expirations))
			break;
		sendto(fd, packet, sizeof(packet), 0, (struct sockaddr *)&to, sizeof(to));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.2f\n", 100 * (cpu_seconds() - c0) /
				 ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		return sink(atoi(argv[2]), (unsigned)atoi(argv[3]));
	if (argc == 6 && strcmp(argv[1], "send") == 0 && atol(argv[4]) > 0)
		return send_loop(argv[2], atoi(argv[3]), atol(argv[4]), atof(argv[5]));
	fprintf(stderr, "usage: send-floor send ADDRESS PORT INTERVAL-US SECONDS | sink PORT SECONDS\n");
	return 2;
}
