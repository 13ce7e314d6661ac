/* Parsers of single lvsd.conf values, and the enums' string tables. */
#include "config_internal.h"
#include "enum_names.h"
#include "log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)
/* The kernel keeps the timeout in jiffies in 32 bits: beyond 49 days at
 * HZ=1000 it wraps, and every comparison with the table would differ. 31
 * days fits any HZ up to 1600. */
#define PERSISTENT_MAX_SEC 2678400u     /* 31 days */

static const char *const protocol_table[] = {
	[PROTO_TCP] = "tcp",
	[PROTO_UDP] = "udp",
	[PROTO_SCTP] = "sctp",
};

static const char *const forward_table[] = {
	[FWD_DR] = "dr",
	[FWD_NAT] = "nat",
	[FWD_TUN] = "tun",
};

static const char *const check_type_table[] = {
	[CHECK_NONE] = "none",
	[CHECK_ON] = "on",
	[CHECK_OFF] = "off",
	[CHECK_PING] = "ping",
	[CHECK_TCP] = "tcp",
	[CHECK_HTTP] = "http",
	[CHECK_HTTPS] = "https",
	[CHECK_DNS] = "dns",
	[CHECK_SMTP] = "smtp",
	[CHECK_EXTERNAL] = "external",
};

static const char *const sync_transport_table[] = {
	[SYNC_UNICAST] = "unicast",
	[SYNC_MULTICAST] = "multicast",
};

static const char *const http_method_table[] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
};


ENUM_NAMES_DEFINE(protocol, enum lvsd_protocol, protocol_table)
ENUM_NAMES_DEFINE(forward, enum lvsd_forward, forward_table)
ENUM_NAMES_DEFINE(check_type, enum lvsd_check_type, check_type_table)
ENUM_NAMES_DEFINE(sync_transport, enum lvsd_sync_transport, sync_transport_table)
ENUM_NAMES_DEFINE(http_method, enum lvsd_http_method, http_method_table)

__attribute__((format(printf, 2, 3)))
static int fail(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, CONFIG_WHY_MAX, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal, or hexadecimal after "0x" (firewall marks are often written so).
 * strtoull() alone would also take signs, spaces and octal. */
static int uint_parse(const char *text, uint64_t *ret)
{
	const char *digits = text;
	char *end;
	int base = 10;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		digits = text + 2;
	}
	if (base == 16 ? !isxdigit((unsigned char)digits[0]) : !is_digit(digits[0]))
		return -EINVAL;
	errno = 0;
	*ret = strtoull(digits, &end, base);
	if (*end)
		return -EINVAL;
	return errno == ERANGE ? -ERANGE : 0;
}

int config_uint_parse(const char *text, uint64_t min, uint64_t max, uint64_t *ret, char *why)
{
	uint64_t v;
	int r = uint_parse(text, &v);

	if (r == -EINVAL)
		return fail(why, "not a whole number");
	if (r < 0 || v < min || v > max)
		return fail(why, "out of range %" PRIu64 "..%" PRIu64, min, max);
	*ret = v;
	return 0;
}

int duration_parse(const char *text, uint64_t *ret_usec)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} units[] = {
		{ "", USEC_PER_SEC },
		{ "ms", USEC_PER_MSEC },
		{ "s", USEC_PER_SEC },
		{ "m", 60 * USEC_PER_SEC },
		{ "h", 3600 * USEC_PER_SEC },
	};
	unsigned long long v;
	char *end;

	/* Whole numbers only: "1.5s" is better written "1500ms" than rounded. */
	if (!text || !is_digit(text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(units); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].usec)
			return -EINVAL;
		*ret_usec = v * units[i].usec;
		return 0;
	}
	return -EINVAL;
}

int config_duration_parse(const char *text, bool positive, uint64_t *ret_usec, char *why)
{
	uint64_t usec;

	if (duration_parse(text, &usec) < 0)
		return fail(why, "not a duration (a whole number with unit ms, s, m or h)");
	if (positive && usec == 0)
		return fail(why, "must be more than 0");
	*ret_usec = usec;
	return 0;
}

int config_persistent_parse(const char *text, uint32_t *ret_sec, char *why)
{
	uint64_t usec = 0;
	int r = config_duration_parse(text, false, &usec, why);

	if (r < 0)
		return r;
	/* IPVS keeps persistence timeouts in whole seconds. */
	if (usec % USEC_PER_SEC != 0)
		return fail(why, "not a whole number of seconds");
	if (usec / USEC_PER_SEC > PERSISTENT_MAX_SEC)
		return fail(why, "more than 31 days (%u s), the most the kernel keeps", PERSISTENT_MAX_SEC);
	*ret_sec = (uint32_t)(usec / USEC_PER_SEC);
	return 0;
}

int config_enum_parse(const char *option, const char *text, int *ret, char *why)
{
	static const struct {
		const char *option;
		const char *const *table;
		size_t n;
	} enums[] = {
		{ "protocol", protocol_table, ELEMENTSOF(protocol_table) },
		{ "forward", forward_table, ELEMENTSOF(forward_table) },
		{ "type", check_type_table, ELEMENTSOF(check_type_table) },
		{ "method", http_method_table, ELEMENTSOF(http_method_table) },
		{ "transport", sync_transport_table, ELEMENTSOF(sync_transport_table) },
		{ "log-level", log_level_names, ELEMENTSOF(log_level_names) },
	};

	for (size_t i = 0; i < ELEMENTSOF(enums); i++) {
		const char *sep = " ";
		size_t len;
		int v;

		if (strcmp(enums[i].option, option) != 0)
			continue;
		v = enum_value(enums[i].table, enums[i].n, text);
		if (v >= 0) {
			*ret = v;
			return 0;
		}
		/* Every table is short enough for why. */
		len = (size_t)snprintf(why, CONFIG_WHY_MAX, "not one of");
		for (size_t j = 0; j < enums[i].n; j++) {
			if (!enums[i].table[j])
				continue;
			len += (size_t)snprintf(why + len, CONFIG_WHY_MAX - len, "%s%s", sep, enums[i].table[j]);
			sep = ", ";
		}
		return -EINVAL;
	}
	return fail(why, "no such enumeration");
}

int config_address_parse(const char *text, struct lvsd_addr *ret, char *why)
{
	if (addr_parse(text, ret) < 0)
		return fail(why, "not an IPv4 or IPv6 address");
	return 0;
}

int config_endpoint_parse(const char *text, bool port_optional, struct lvsd_endpoint *ret, char *why)
{
	int r = endpoint_parse(text, port_optional, ret);

	if (r == -ERANGE)
		return fail(why, "port out of range 1..65535");
	if (r < 0)
		return fail(why, port_optional
			    ? "not an address with an optional port, such as 192.0.2.1:80 or [2001:db8::1]:80"
			    : "not an address with a port, such as 192.0.2.1:80 or [2001:db8::1]:80");
	return 0;
}

int config_real_address_parse(const char *text, struct config_real_address *ret, char *why)
{
	char first[INET6_ADDRSTRLEN + 2];
	const char *arrow = strstr(text, "->");
	struct lvsd_endpoint last;
	int64_t n;
	int r;

	if (!arrow) {
		r = config_endpoint_parse(text, true, &last, why);
		if (r < 0)
			return r;
		*ret = (struct config_real_address){ last.addr, last.port, 1, false };
		return 0;
	}

	if ((size_t)(arrow - text) >= sizeof(first))
		return fail(why, "range start is not an address");
	memcpy(first, text, (size_t)(arrow - text));
	first[arrow - text] = '\0';
	if (addr_parse(first, &ret->first) < 0)
		return fail(why, "range start '%s' is not an address", first);
	r = config_endpoint_parse(arrow + 2, true, &last, why);
	if (r < 0)
		return r;
	if (ret->first.family != last.addr.family)
		return fail(why, "range mixes IPv4 and IPv6");
	if (addr_compare(&ret->first, &last.addr) > 0)
		return fail(why, "reversed range: the first address is above the last");
	n = addr_span(&ret->first, &last.addr, INT64_MAX);
	if (n < 0)
		return fail(why, "range too large: more than %" PRId64 " addresses, at most %d",
			    INT64_MAX, LVSD_MAX_RANGE);
	if (n > LVSD_MAX_RANGE)
		return fail(why, "range too large: %" PRId64 " addresses, at most %d", n, LVSD_MAX_RANGE);
	ret->port = last.port;
	ret->count = (unsigned)n;
	ret->range = true;
	return 0;
}

int config_ifname_check(const char *text, char *why)
{
	size_t len = strlen(text);

	/* The kernel's dev_valid_name(). */
	if (len == 0 || len >= IFNAMSIZ || strcmp(text, ".") == 0 || strcmp(text, "..") == 0 ||
	    strpbrk(text, "/: \t\n"))
		return fail(why, "not an interface name (1 to %d characters, no '/', ':' or blanks)",
			    IFNAMSIZ - 1);
	return 0;
}

static int prefix_parse(const char *text, int family, unsigned *ret, char *why)
{
	unsigned max = family == AF_INET6 ? 128 : 32;
	uint64_t v;

	if (config_uint_parse(text, 0, max, &v, why) < 0)
		return fail(why, "prefix length '%s' is not in 0..%u", text, max);
	*ret = (unsigned)v;
	return 0;
}

int config_vip_address_parse(const char *text, struct config_vip_address *ret, char *why)
{
	char buf[128], *words[4], *save = NULL, *slash;
	size_t n = 0;

	if (strlen(text) >= sizeof(buf))
		return fail(why, "too long");
	strcpy(buf, text);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == ELEMENTSOF(words))
			break;
		words[n++] = w;
	}
	if (n != 1 && !(n == 3 && strcmp(words[1], "dev") == 0))
		return fail(why, "not ADDRESS/PREFIX optionally followed by dev IFNAME");

	slash = strchr(words[0], '/');
	if (!slash)
		return fail(why, "needs a prefix length, such as 192.0.2.50/24 or 2001:db8::50/64");
	*slash = '\0';
	if (config_address_parse(words[0], &ret->addr, why) < 0)
		return -EINVAL;
	if (prefix_parse(slash + 1, ret->addr.family, &ret->prefixlen, why) < 0)
		return -EINVAL;

	ret->dev[0] = '\0';
	if (n == 3) {
		if (config_ifname_check(words[2], why) < 0)
			return -EINVAL;
		strcpy(ret->dev, words[2]);
	}
	return 0;
}

int config_netmask_parse(const char *text, unsigned *ret_prefix, bool *ret_dotted, char *why)
{
	struct in_addr mask;
	uint32_t m, inverse;

	if (strchr(text, '.')) {
		if (inet_pton(AF_INET, text, &mask) != 1)
			return fail(why, "not a netmask such as 255.255.255.0 or a prefix length such as 24");
		m = ntohl(mask.s_addr);
		inverse = ~m;
		/* Contiguous: the host part is 2^k - 1. */
		if (inverse & (inverse + 1))
			return fail(why, "not a contiguous netmask");
		*ret_prefix = (unsigned)__builtin_popcount(m);
		*ret_dotted = true;
		return 0;
	}
	if (prefix_parse(text[0] == '/' ? text + 1 : text, AF_INET6, ret_prefix, why) < 0)
		return fail(why, "not a netmask such as 255.255.255.0 or a prefix length such as 24");
	*ret_dotted = false;
	return 0;
}

static int status_code_parse(const char *text, uint16_t *ret, char *why)
{
	uint64_t v;

	if (config_uint_parse(text, 100, 599, &v, why) < 0)
		return fail(why, "'%s' is not an HTTP status 100..599", text);
	*ret = (uint16_t)v;
	return 0;
}

int config_status_parse(const char *text, uint16_t *ret_min, uint16_t *ret_max, char *why)
{
	char buf[16];
	const char *dash = strchr(text, '-');

	if (!dash) {
		if (status_code_parse(text, ret_min, why) < 0)
			return -EINVAL;
		*ret_max = *ret_min;
		return 0;
	}
	if ((size_t)(dash - text) >= sizeof(buf))
		return fail(why, "not a status such as 200 or a range such as 200-399");
	memcpy(buf, text, (size_t)(dash - text));
	buf[dash - text] = '\0';
	if (status_code_parse(buf, ret_min, why) < 0 || status_code_parse(dash + 1, ret_max, why) < 0)
		return -EINVAL;
	if (*ret_min > *ret_max)
		return fail(why, "reversed range");
	return 0;
}

const char config_known_schedulers[] = "rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos";

bool config_scheduler_is_known(const char *text)
{
	size_t len = strlen(text);

	for (const char *k = config_known_schedulers; *k; k += strcspn(k, ","), k += strspn(k, ", "))
		if (strncmp(k, text, len) == 0 && (k[len] == ',' || k[len] == '\0'))
			return true;
	return false;
}

int config_scheduler_check(const char *text, char *why)
{
	size_t len = strlen(text);

	/* IP_VS_SCHEDNAME_MAXLEN is 16 with the NUL. */
	if (len == 0 || len > 15 || strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_") != len)
		return fail(why, "not a scheduler name (1 to 15 of a-z, 0-9 and _)");
	return 0;
}

const struct config_sched_flag *config_sched_flag_find(const char *text, char *why)
{
	/* sh and mh read IPVS's generic flags 1 and 2 as fallback and port. */
	static const struct config_sched_flag flags[] = {
		{ "sh-fallback", LVSD_SCHED_FLAG1, "sh" },
		{ "sh-port", LVSD_SCHED_FLAG2, "sh" },
		{ "mh-fallback", LVSD_SCHED_FLAG1, "mh" },
		{ "mh-port", LVSD_SCHED_FLAG2, "mh" },
		{ "flag-1", LVSD_SCHED_FLAG1, NULL },
		{ "flag-2", LVSD_SCHED_FLAG2, NULL },
		{ "flag-3", LVSD_SCHED_FLAG3, NULL },
	};

	for (size_t i = 0; i < ELEMENTSOF(flags); i++)
		if (strcmp(flags[i].name, text) == 0)
			return &flags[i];
	fail(why, "not one of sh-fallback, sh-port, mh-fallback, mh-port, flag-1, flag-2, flag-3");
	return NULL;
}

int config_regex_check(const char *text, char *why)
{
	regex_t re;
	char err[CONFIG_WHY_MAX - 32];
	int r;

	if (!*text)
		return 0;
	r = regcomp(&re, text, REG_EXTENDED | REG_NOSUB);
	if (r != 0) {
		regerror(r, &re, err, sizeof(err));
		return fail(why, "not an extended regular expression: %s", err);
	}
	regfree(&re);
	return 0;
}

char *config_resolve_path(const char *config_path, const char *path)
{
	const char *slash = strrchr(config_path, '/');
	char *ret;

	if (path[0] == '/' || !slash)
		return strdup(path);
	if (asprintf(&ret, "%.*s/%s", (int)(slash - config_path), config_path, path) < 0)
		return NULL;
	return ret;
}
