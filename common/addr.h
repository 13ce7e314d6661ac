/* Addresses and endpoints as lvsd.conf writes them. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; family is AF_INET or AF_INET6. */
struct lvsd_addr {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} in;
};

/* Address plus port (host byte order); port 0 = "not given". */
struct lvsd_endpoint {
	struct lvsd_addr addr;
	uint16_t port;
};

/* Longest text addr_format()/endpoint_format() produce, with the NUL. */
#define LVSD_ADDR_STRLEN (INET6_ADDRSTRLEN + 1)
#define LVSD_ENDPOINT_STRLEN (INET6_ADDRSTRLEN + 9)

/* "192.0.2.1" or "2001:db8::1" (brackets accepted). 0 or -EINVAL. */
int addr_parse(const char *text, struct lvsd_addr *ret);

/* "192.0.2.1:80", "[2001:db8::1]:80", or without ":port" (port 0) when
 * port_optional. 0, -EINVAL (bad syntax/address) or -ERANGE (port). */
int endpoint_parse(const char *text, bool port_optional, struct lvsd_endpoint *ret);

/* Formats into buf (LVSD_ADDR_STRLEN / LVSD_ENDPOINT_STRLEN bytes) and returns it. */
const char *addr_format(const struct lvsd_addr *a, char *buf);
const char *endpoint_format(const struct lvsd_endpoint *e, char *buf);

/* The address of a socket address (AF_INET or AF_INET6). */
void addr_from_sockaddr(const struct sockaddr_storage *sa, struct lvsd_addr *ret);

/* The Internet checksum (RFC 1071) of data, in network byte order: ICMP's. */
uint16_t inet_checksum(const void *data, size_t len);

/* The socket address of e (port included); returns its length. */
struct sockaddr_storage;
unsigned endpoint_to_sockaddr(const struct lvsd_endpoint *e, struct sockaddr_storage *ret);

bool addr_equal(const struct lvsd_addr *a, const struct lvsd_addr *b);
bool addr_is_multicast(const struct lvsd_addr *a);
/* The bytes of a's address that addr_compare() compares: 4 or 16. */
size_t addr_len(const struct lvsd_addr *a);
int addr_compare(const struct lvsd_addr *a, const struct lvsd_addr *b);
int endpoint_compare(const struct lvsd_endpoint *a, const struct lvsd_endpoint *b);

/* Adds n to the address (carrying across bytes); -ERANGE on overflow. */
int addr_add(struct lvsd_addr *a, uint64_t n);

/* Number of addresses from first to last inclusive, or -1 if last < first,
 * the families differ, or the span exceeds limit. */
int64_t addr_span(const struct lvsd_addr *first, const struct lvsd_addr *last, uint64_t limit);
