/* bench/healthcheck: lets keepalived's checker process run on a kernel
 * without IPVS. keepalived refuses to start its checkers unless it can
 * program IPVS; this machine's kernel has none, and what is measured is
 * the checking, not the table. Preloaded into keepalived only, it answers
 * the IPVS socket options (level IPPROTO_IP, 1152..1167) itself: changes
 * succeed without effect, queries return an empty table. keepalived
 * touches IPVS at start, on a state change and at exit, never in the
 * steady state being measured; IPVS_STUB_LOG=FILE records every call so
 * the benchmark can show that. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IPVS_FIRST 1152
#define IPVS_SET_LAST 1167
#define IPVS_GET_LAST 1159
#define IPVS_GET_VERSION 1152
#define IPVS_GET_INFO 1153
#define IPVS_GET_SERVICE 1155
#define IPVS_GET_TIMEOUT 1158

static void record(const char *what, int opt)
{
	static int fd = -2;
	char line[32];
	int n;

	if (fd == -2) {
		const char *path = getenv("IPVS_STUB_LOG");

		fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
	}
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s %d\n", what, opt);
	if (write(fd, line, (size_t)n) < 0)
		return;
}

int setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
	static int (*next)(int, int, int, const void *, socklen_t);

	if (level == IPPROTO_IP && opt >= IPVS_FIRST && opt <= IPVS_SET_LAST) {
		record("set", opt);
		return 0;
	}
	if (!next)
		next = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	return next(fd, level, opt, val, len);
}

int getsockopt(int fd, int level, int opt, void *val, socklen_t *len)
{
	static int (*next)(int, int, int, void *, socklen_t *);

	if (level == IPPROTO_IP && opt >= IPVS_FIRST && opt <= IPVS_GET_LAST) {
		record("get", opt);
		if (opt == IPVS_GET_SERVICE) {
			errno = ESRCH;
			return -1;
		}
		if (!val || !len)
			return 0;
		memset(val, 0, *len);
		if (opt == IPVS_GET_VERSION)
			snprintf(val, *len, "IP Virtual Server version 1.2.1 (size=4096)");
		else if (opt == IPVS_GET_INFO && *len >= 12)
			((unsigned *)val)[0] = 0x010201, ((unsigned *)val)[1] = 4096;
		else if (opt == IPVS_GET_TIMEOUT && *len >= 12)
			((int *)val)[0] = 900, ((int *)val)[1] = 120, ((int *)val)[2] = 300;
		return 0;
	}
	if (!next)
		next = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
	return next(fd, level, opt, val, len);
}
