/* Addresses and endpoints as lvsd.conf writes them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

/* Dotted-quad IPv4, the common case, without inet_pton's generality (a
 * configuration holds thousands). Takes only what inet_pton() takes, to the
 * same value: four decimal parts of 0..255 without a leading zero. */
static bool ipv4_parse(const char *text, struct in_addr *ret)
{
	uint32_t a = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0 && *text++ != '.')
			return false;
		for (; *text >= '0' && *text <= '9' && digits < 3; text++, digits++)
			v = v * 10 + (unsigned)(*text - '0');
		if (digits == 0 || v > 255 || (digits > 1 && text[-(int)digits] == '0'))
			return false;
		a = a << 8 | v;
	}
	if (*text)
		return false;
	ret->s_addr = htonl(a);
	return true;
}

int addr_parse(const char *text, struct lvsd_addr *ret)
{
	char buf[INET6_ADDRSTRLEN];
	size_t len;
	struct lvsd_addr a = { 0 };

	if (!text)
		return -EINVAL;

	len = strlen(text);
	/* Brackets are IPv6's way of standing apart from a port, so only an
	 * IPv6 address may wear them. */
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		if (len - 2 >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, text + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &a.in.v6) != 1)
			return -EINVAL;
		a.family = AF_INET6;
	} else if (ipv4_parse(text, &a.in.v4) || inet_pton(AF_INET, text, &a.in.v4) == 1) {
		a.family = AF_INET;
	} else if (inet_pton(AF_INET6, text, &a.in.v6) == 1) {
		a.family = AF_INET6;
	} else {
		return -EINVAL;
	}

	*ret = a;
	return 0;
}

/* Decimal digits only: strtoul() would take signs, spaces and "0x". A port
 * that is written must be usable, so 0 is out of range like 65536. */
static int port_parse(const char *text, uint16_t *ret)
{
	unsigned long v = 0;

	if (!*text)
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -ERANGE;
	*ret = (uint16_t)v;
	return 0;
}

int endpoint_parse(const char *text, bool port_optional, struct lvsd_endpoint *ret)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon;
	size_t host_len;
	struct lvsd_endpoint e = { 0 };
	int r;

	if (!text)
		return -EINVAL;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return -EINVAL;
		host_len = (size_t)(close - text) + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return -EINVAL;
	} else if ((colon = strchr(text, ':')) && !strchr(colon + 1, ':')) {
		/* Exactly one colon: IPv4 address and port. */
		host_len = (size_t)(colon - text);
		port = colon + 1;
	} else {
		/* No colon, or a bare IPv6 address (which cannot carry a port). */
		host_len = strlen(text);
	}

	if (host_len >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	r = addr_parse(host, &e.addr);
	if (r < 0)
		return r;

	if (port) {
		r = port_parse(port, &e.port);
		if (r < 0)
			return r;
	} else if (!port_optional) {
		return -EINVAL;
	}

	*ret = e;
	return 0;
}

const char *addr_format(const struct lvsd_addr *a, char *buf)
{
	if (!inet_ntop(a->family, &a->in, buf, LVSD_ADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *endpoint_format(const struct lvsd_endpoint *e, char *buf)
{
	char a[LVSD_ADDR_STRLEN];

	addr_format(&e->addr, a);
	if (e->port == 0)
		snprintf(buf, LVSD_ENDPOINT_STRLEN, "%s", a);
	else if (e->addr.family == AF_INET6)
		snprintf(buf, LVSD_ENDPOINT_STRLEN, "[%s]:%u", a, e->port);
	else
		snprintf(buf, LVSD_ENDPOINT_STRLEN, "%s:%u", a, e->port);
	return buf;
}

size_t addr_len(const struct lvsd_addr *a)
{
	return a->family == AF_INET6 ? sizeof(a->in.v6) : sizeof(a->in.v4);
}

bool addr_is_multicast(const struct lvsd_addr *a)
{
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&a->in.v6);
	return (ntohl(a->in.v4.s_addr) & 0xf0000000u) == 0xe0000000u;
}

bool addr_equal(const struct lvsd_addr *a, const struct lvsd_addr *b)
{
	return addr_compare(a, b) == 0;
}

int addr_compare(const struct lvsd_addr *a, const struct lvsd_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	/* Network byte order: bytewise order is numeric order. */
	return memcmp(&a->in, &b->in, addr_len(a));
}

int endpoint_compare(const struct lvsd_endpoint *a, const struct lvsd_endpoint *b)
{
	int r = addr_compare(&a->addr, &b->addr);

	if (r != 0)
		return r;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

/* An address as a 128-bit big number: hi:lo (IPv4 lives in lo). */
struct u128 {
	uint64_t hi, lo;
};

static struct u128 addr_to_u128(const struct lvsd_addr *a)
{
	struct u128 v = { 0, 0 };
	const uint8_t *b = (const uint8_t *)&a->in;

	if (a->family == AF_INET6) {
		for (int i = 0; i < 8; i++)
			v.hi = v.hi << 8 | b[i];
		for (int i = 8; i < 16; i++)
			v.lo = v.lo << 8 | b[i];
	} else {
		v.lo = ntohl(a->in.v4.s_addr);
	}
	return v;
}

static void addr_from_u128(struct lvsd_addr *a, struct u128 v)
{
	uint8_t *b = (uint8_t *)&a->in;

	if (a->family == AF_INET6) {
		for (int i = 7; i >= 0; i--, v.hi >>= 8)
			b[i] = (uint8_t)v.hi;
		for (int i = 15; i >= 8; i--, v.lo >>= 8)
			b[i] = (uint8_t)v.lo;
	} else {
		a->in.v4.s_addr = htonl((uint32_t)v.lo);
	}
}

int addr_add(struct lvsd_addr *a, uint64_t n)
{
	struct u128 v = addr_to_u128(a);
	uint64_t lo = v.lo + n;

	if (a->family == AF_INET6) {
		if (lo < v.lo) {
			if (v.hi == UINT64_MAX)
				return -ERANGE;
			v.hi++;
		}
	} else if (n > UINT32_MAX || lo > UINT32_MAX) {
		return -ERANGE;
	}
	v.lo = lo;
	addr_from_u128(a, v);
	return 0;
}

int64_t addr_span(const struct lvsd_addr *first, const struct lvsd_addr *last, uint64_t limit)
{
	struct u128 f, l;
	uint64_t diff;

	if (first->family != last->family || addr_compare(first, last) > 0)
		return -1;

	f = addr_to_u128(first);
	l = addr_to_u128(last);
	/* last >= first, so the high halves differ by 0 or (with a borrow) 1. */
	if (l.hi != f.hi && !(l.hi - f.hi == 1 && l.lo < f.lo))
		return -1;
	diff = l.lo - f.lo;
	/* diff + 1 addresses; the result must also fit int64_t. */
	if (diff >= limit || diff >= (uint64_t)INT64_MAX)
		return -1;
	return (int64_t)diff + 1;
}

unsigned endpoint_to_sockaddr(const struct lvsd_endpoint *e, struct sockaddr_storage *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (e->addr.family == AF_INET6) {
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)ret;

		sa->sin6_family = AF_INET6;
		sa->sin6_addr = e->addr.in.v6;
		sa->sin6_port = htons(e->port);
		return sizeof(*sa);
	}
	struct sockaddr_in *sa = (struct sockaddr_in *)ret;

	sa->sin_family = AF_INET;
	sa->sin_addr = e->addr.in.v4;
	sa->sin_port = htons(e->port);
	return sizeof(*sa);
}

void addr_from_sockaddr(const struct sockaddr_storage *sa, struct lvsd_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = sa->ss_family;
	if (sa->ss_family == AF_INET6)
		ret->in.v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	else
		ret->in.v4 = ((const struct sockaddr_in *)sa)->sin_addr;
}

uint16_t inet_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}
