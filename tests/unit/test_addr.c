/* Addresses and endpoints: parsing, formatting, ordering, arithmetic. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

static struct lvsd_addr A(const char *text)
{
	struct lvsd_addr a;

	cr_assert_eq(addr_parse(text, &a), 0, "%s", text);
	return a;
}

static const char *fmt(const struct lvsd_addr *a)
{
	static char buf[LVSD_ADDR_STRLEN];

	return addr_format(a, buf);
}

static int cmp(const char *x, const char *y)
{
	struct lvsd_addr a = A(x), b = A(y);

	return addr_compare(&a, &b);
}

static int64_t span(const char *first, const char *last, uint64_t limit)
{
	struct lvsd_addr f = A(first), l = A(last);

	return addr_span(&f, &l, limit);
}

Test(addr, parse_ipv4)
{
	struct lvsd_addr a = A("192.0.2.1");

	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(memcmp(&a.in.v4, "\xc0\x00\x02\x01", 4), 0);
}

/* addr_parse() reads dotted quads itself: it must agree with inet_pton()
 * on every text, the odd ones above all. */
static void expect_as_inet_pton(const char *text)
{
	struct lvsd_addr a = { 0 };
	struct in_addr v4;
	struct in6_addr v6;
	int r = addr_parse(text, &a);

	if (inet_pton(AF_INET, text, &v4) == 1) {
		cr_assert_eq(r, 0, "'%s'", text);
		cr_assert_eq(a.family, AF_INET, "'%s'", text);
		cr_assert_eq(a.in.v4.s_addr, v4.s_addr, "'%s'", text);
	} else if (inet_pton(AF_INET6, text, &v6) != 1) {
		cr_assert_neq(r, 0, "'%s' taken", text);
	}
}

Test(addr, parse_ipv4_as_inet_pton)
{
	static const char *const odd[] = {
		"0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1.2.3.00",
		"00.1.2.3", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1234.1.1.1", "1.2.3.1000",
		"1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.+4", "0x1.2.3.4", "1.2.3.4:80", "", ".", "...",
		"999.999.999.999", "10.0.0.010", "198.51.100.7",
	};
	char text[20];

	for (size_t i = 0; i < sizeof(odd) / sizeof(*odd); i++)
		expect_as_inet_pton(odd[i]);
	/* And random texts of digits and dots, most of them near misses. */
	srand(7);
	for (int n = 0; n < 200000; n++) {
		size_t len = 1 + (size_t)rand() % 17;

		for (size_t i = 0; i < len; i++)
			text[i] = rand() % 4 == 0 ? '.' : (char)('0' + rand() % 10);
		text[len] = '\0';
		expect_as_inet_pton(text);
	}
}

Test(addr, parse_ipv6_with_and_without_brackets)
{
	struct lvsd_addr a = A("2001:db8::1"), b = A("[2001:db8::1]");

	cr_assert_eq(a.family, AF_INET6);
	cr_assert(addr_equal(&a, &b));
	cr_assert_eq(a.in.v6.s6_addr[0], 0x20);
	cr_assert_eq(a.in.v6.s6_addr[15], 0x01);
	a = A("::ffff:192.0.2.1");
	cr_assert_str_eq(fmt(&a), "::ffff:192.0.2.1");
}

Test(addr, parse_rejects)
{
	static const char *const bad[] = {
		"", "192.0.2", "192.0.2.256", "192.0.2.1/24", " 192.0.2.1", "192.0.2.1 ",
		"[192.0.2.1]", "[2001:db8::1", "2001:db8::1]", "2001:db8:::1", "localhost",
		"192.0.2.1:80", "[]",
	};
	struct lvsd_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_expect_eq(addr_parse(bad[i], &a), -EINVAL, "'%s' accepted", bad[i]);
	cr_expect_eq(addr_parse(NULL, &a), -EINVAL);
}

Test(endpoint, parse_with_port)
{
	struct lvsd_endpoint e;

	cr_assert_eq(endpoint_parse("192.0.2.1:80", false, &e), 0);
	cr_assert_str_eq(fmt(&e.addr), "192.0.2.1");
	cr_assert_eq(e.port, 80);
	cr_assert_eq(endpoint_parse("[2001:db8::1]:65535", false, &e), 0);
	cr_assert_eq(e.addr.family, AF_INET6);
	cr_assert_eq(e.port, 65535);
}

Test(endpoint, port_optional)
{
	struct lvsd_endpoint e;

	cr_assert_eq(endpoint_parse("192.0.2.1", true, &e), 0);
	cr_assert_eq(e.port, 0);
	cr_assert_eq(endpoint_parse("[2001:db8::1]", true, &e), 0);
	cr_assert_eq(e.port, 0);
	/* Without brackets an IPv6 address cannot carry a port: all address. */
	cr_assert_eq(endpoint_parse("2001:db8::1:80", true, &e), 0);
	cr_assert_str_eq(fmt(&e.addr), "2001:db8::1:80");
	cr_assert_eq(e.port, 0);

	cr_assert_eq(endpoint_parse("192.0.2.1", false, &e), -EINVAL);
	cr_assert_eq(endpoint_parse("[2001:db8::1]", false, &e), -EINVAL);
	cr_assert_eq(endpoint_parse("2001:db8::1", false, &e), -EINVAL);
}

Test(endpoint, port_range)
{
	struct lvsd_endpoint e;

	cr_assert_eq(endpoint_parse("192.0.2.1:0", true, &e), -ERANGE);
	cr_assert_eq(endpoint_parse("192.0.2.1:65536", false, &e), -ERANGE);
	cr_assert_eq(endpoint_parse("[2001:db8::1]:0", false, &e), -ERANGE);
	cr_assert_eq(endpoint_parse("192.0.2.1:99999999999999999999999", false, &e), -ERANGE);
	cr_assert_eq(endpoint_parse("192.0.2.1:1", false, &e), 0);
	cr_assert_eq(e.port, 1);
}

Test(endpoint, parse_rejects)
{
	static const char *const bad[] = {
		"", ":80", "192.0.2.1:", "192.0.2.1:http", "192.0.2.1:+80", "192.0.2.1:-1",
		"192.0.2.1: 80", "192.0.2.1:80x", "[2001:db8::1]x", "[2001:db8::1]:",
		"[2001:db8::1", "[192.0.2.1]:80", "192.0.2.300:80", "host:80",
	};
	struct lvsd_endpoint e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_expect_eq(endpoint_parse(bad[i], true, &e), -EINVAL, "'%s' accepted", bad[i]);
}

Test(endpoint, format)
{
	char buf[LVSD_ENDPOINT_STRLEN];
	struct lvsd_endpoint e = { A("192.0.2.1"), 80 };

	cr_assert_str_eq(endpoint_format(&e, buf), "192.0.2.1:80");
	e.addr = A("2001:db8::1");
	cr_assert_str_eq(endpoint_format(&e, buf), "[2001:db8::1]:80");
	e.port = 0;
	cr_assert_str_eq(endpoint_format(&e, buf), "2001:db8::1");
	e.addr = A("192.0.2.1");
	cr_assert_str_eq(endpoint_format(&e, buf), "192.0.2.1");
}

Test(endpoint, format_longest)
{
	char buf[LVSD_ENDPOINT_STRLEN];
	struct lvsd_endpoint e = { A("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), 65535 };

	/* inet_ntop() writes no address longer than eight full groups. */
	cr_assert_str_eq(endpoint_format(&e, buf), "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

Test(endpoint, format_parse_round_trip)
{
	static const char *const texts[] = {
		"192.0.2.1:80", "[2001:db8::1]:443", "198.51.100.7", "2001:db8::50",
	};
	char buf[LVSD_ENDPOINT_STRLEN];
	struct lvsd_endpoint e;

	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		cr_assert_eq(endpoint_parse(texts[i], true, &e), 0);
		cr_assert_str_eq(endpoint_format(&e, buf), texts[i]);
	}
}

Test(addr, compare_family_first_then_bytes)
{
	struct lvsd_addr v4_high = A("255.255.255.255"), v6_low = A("::");
	struct lvsd_addr a = A("192.0.2.9"), b = A("192.0.2.10");

	cr_assert_lt(addr_compare(&v4_high, &v6_low), 0);
	cr_assert_gt(addr_compare(&v6_low, &v4_high), 0);
	/* Numeric, not textual, order. */
	cr_assert_lt(addr_compare(&a, &b), 0);
	cr_assert_gt(addr_compare(&b, &a), 0);
	cr_assert_eq(addr_compare(&a, &a), 0);
	cr_assert_lt(cmp("2001:db8::9", "2001:db8::a"), 0);
	cr_assert_gt(cmp("2001:db8::1:0", "2001:db8::ffff"), 0);
	cr_assert_eq(cmp("2001:db8::1", "[2001:db8::1]"), 0);
	cr_assert(!addr_equal(&a, &b));
	b = A("192.0.2.9");
	cr_assert(addr_equal(&a, &b));
}

Test(endpoint, compare_address_then_port)
{
	struct lvsd_endpoint a = { A("192.0.2.1"), 443 }, b = { A("192.0.2.2"), 80 };
	struct lvsd_endpoint c = { A("192.0.2.1"), 80 };

	cr_assert_lt(endpoint_compare(&a, &b), 0);
	cr_assert_gt(endpoint_compare(&a, &c), 0);
	cr_assert_lt(endpoint_compare(&c, &a), 0);
	c.port = 443;
	cr_assert_eq(endpoint_compare(&a, &c), 0);
}

Test(addr, add_carries)
{
	struct lvsd_addr a = A("192.0.2.255");

	cr_assert_eq(addr_add(&a, 1), 0);
	cr_assert_str_eq(fmt(&a), "192.0.3.0");
	cr_assert_eq(addr_add(&a, 0), 0);
	cr_assert_str_eq(fmt(&a), "192.0.3.0");
	cr_assert_eq(addr_add(&a, 65536), 0);
	cr_assert_str_eq(fmt(&a), "192.1.3.0");

	a = A("2001:db8::ffff:ffff:ffff:ffff");
	cr_assert_eq(addr_add(&a, 1), 0);
	cr_assert_str_eq(fmt(&a), "2001:db8:0:1::");
	a = A("2001:db8::ffff");
	cr_assert_eq(addr_add(&a, UINT64_MAX), 0);
	cr_assert_str_eq(fmt(&a), "2001:db8:0:1::fffe");
}

Test(addr, add_overflow)
{
	struct lvsd_addr a = A("255.255.255.255");

	cr_assert_eq(addr_add(&a, 1), -ERANGE);
	cr_assert_str_eq(fmt(&a), "255.255.255.255", "changed on overflow");
	a = A("0.0.0.1");
	cr_assert_eq(addr_add(&a, UINT32_MAX), -ERANGE);
	cr_assert_eq(addr_add(&a, UINT64_MAX), -ERANGE);
	cr_assert_eq(addr_add(&a, UINT32_MAX - 1), 0);
	cr_assert_str_eq(fmt(&a), "255.255.255.255");

	a = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	cr_assert_eq(addr_add(&a, 1), -ERANGE);
	cr_assert_str_eq(fmt(&a), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	a = A("ffff:ffff:ffff:ffff::1");
	cr_assert_eq(addr_add(&a, UINT64_MAX), -ERANGE);
}

Test(addr, span)
{
	struct lvsd_addr f = A("192.0.2.20"), l = A("192.0.2.29");

	cr_assert_eq(addr_span(&f, &l, 4096), 10);
	cr_assert_eq(addr_span(&f, &f, 4096), 1);
	cr_assert_eq(addr_span(&f, &l, 10), 10);
	cr_assert_eq(addr_span(&f, &l, 9), -1, "over the limit");
	cr_assert_eq(addr_span(&f, &l, 0), -1);
	cr_assert_eq(addr_span(&l, &f, 4096), -1, "reversed");
	cr_assert_eq(span("192.0.2.1", "2001:db8::1", 4096), -1, "families differ");
	cr_assert_eq(span("0.0.0.0", "255.255.255.255", UINT64_MAX), INT64_C(1) << 32);
}

Test(addr, span_ipv6)
{
	cr_assert_eq(span("2001:db8::1", "2001:db8::20", 4096), 32);
	/* Across the two 64-bit halves. */
	cr_assert_eq(span("2001:db8::ffff:ffff:ffff:fffe", "2001:db8:0:1::1", 4096), 4);
	cr_assert_eq(span("2001:db8::", "2001:db8:0:1::", UINT64_MAX), -1,
		     "2^64 + 1 addresses do not fit");
	cr_assert_eq(span("2001:db8::", "2001:db9::", UINT64_MAX), -1);
	cr_assert_eq(span("::", "::7fff:ffff:ffff:fffe", UINT64_MAX), INT64_MAX);
	cr_assert_eq(span("::", "::7fff:ffff:ffff:ffff", UINT64_MAX), -1, "does not fit int64_t");
	cr_assert_eq(span("2001:db8::2", "2001:db8::1", UINT64_MAX), -1, "reversed");
}
