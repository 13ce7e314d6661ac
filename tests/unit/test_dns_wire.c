/* DNS health check messages: the exact query bytes, and replies read whole,
 * with every malformation and every stray reply told apart. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "dns_wire.h"

#define NAME "www.example.com"
#define ID 0x1234

/* The question of the query for NAME, type A, class IN. */
#define QUESTION \
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, \
	0, 1, 0, 1

static const uint8_t query_a[] = {
	0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	QUESTION,
};

/* www.example.com CNAME web.example.com, web.example.com A 192.0.2.1. */
static const uint8_t reply_cname[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
	QUESTION,
	/* 33 */ 0xc0, 12, 0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, 6,
	/* 45 */ 3, 'w', 'e', 'b', 0xc0, 16,
	/* 51 */ 0xc0, 45, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4,
	/* 63 */ 192, 0, 2, 1,
};

/* NXDOMAIN with the zone's SOA in the authority section. */
static const uint8_t reply_nxdomain[] = {
	0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 1, 0, 0,
	QUESTION,
	/* 33 */ 0xc0, 16, 0, 6, 0, 1, 0, 0, 0x0e, 0x10, 0, 38,
	/* 45 */ 2, 'n', 's', 0xc0, 16,
	/* 50 */ 10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 16,
	/* 63 */ 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x03, 0x84, 0, 0x09, 0x3a, 0x80,
	0, 0, 0x0e, 0x10,
};

static int parse(const uint8_t *m, size_t len, struct dns_reply *r)
{
	return dns_parse_reply(m, len, NAME, ID, DNS_TYPE_A, r);
}

/* Replies the edge cases need, written field by field. */
struct msg {
	uint8_t b[4096];
	size_t len;
};

static void put(struct msg *m, const void *data, size_t n)
{
	cr_assert_leq(m->len + n, sizeof(m->b));
	memcpy(m->b + m->len, data, n);
	m->len += n;
}

static void put_u16(struct msg *m, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, b, 2);
}

static void put_header(struct msg *m, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
		       uint16_t ar)
{
	m->len = 0;
	put_u16(m, ID);
	put_u16(m, flags);
	put_u16(m, qd);
	put_u16(m, an);
	put_u16(m, ns);
	put_u16(m, ar);
}

static void put_question(struct msg *m)
{
	static const uint8_t q[] = { QUESTION };

	put(m, q, sizeof(q));
}

/* Type, class IN, TTL and rdlength, after an owner name. */
static void put_rr_fixed(struct msg *m, uint16_t type, uint16_t rdlength)
{
	put_u16(m, type);
	put_u16(m, 1);
	put_u16(m, 0);
	put_u16(m, 300);
	put_u16(m, rdlength);
}

static void put_label(struct msg *m, size_t n, char c)
{
	uint8_t b[64];

	b[0] = (uint8_t)n;
	memset(b + 1, c, n);
	put(m, b, n + 1);
}

Test(dns_wire, query_bytes)
{
	uint8_t buf[DNS_QUERY_MAX];

	cr_assert_eq(dns_build_query(NAME, ID, DNS_TYPE_A, buf, sizeof(buf)), (int)sizeof(query_a));
	cr_assert_arr_eq(buf, query_a, sizeof(query_a));
	/* The trailing dot changes nothing. */
	cr_assert_eq(dns_build_query(NAME ".", ID, DNS_TYPE_A, buf, sizeof(buf)), (int)sizeof(query_a));
	cr_assert_arr_eq(buf, query_a, sizeof(query_a));
	cr_assert_eq(dns_build_query(NAME, 0xbeef, DNS_TYPE_AAAA, buf, sizeof(buf)), (int)sizeof(query_a));
	cr_assert_eq(buf[0], 0xbe);
	cr_assert_eq(buf[1], 0xef);
	cr_assert_eq(buf[sizeof(query_a) - 3], DNS_TYPE_AAAA);
}

Test(dns_wire, query_space)
{
	uint8_t buf[DNS_QUERY_MAX];

	cr_assert_eq(dns_build_query(NAME, ID, DNS_TYPE_A, buf, sizeof(query_a) - 1), -ENOSPC);
	cr_assert_eq(dns_build_query(NAME, ID, DNS_TYPE_A, buf, sizeof(query_a)), (int)sizeof(query_a));
	/* A bad name is reported as such, whatever the space. */
	cr_assert_eq(dns_build_query("a..b", ID, DNS_TYPE_A, buf, 0), -EINVAL);
}

Test(dns_wire, bad_names)
{
	static const char *const bad[] = {
		"", ".", "..", ".example.com", "www..example.com", "example.com..",
	};
	uint8_t buf[DNS_QUERY_MAX];
	char name[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(dns_build_query(bad[i], ID, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL, "%s", bad[i]);
	cr_assert_eq(dns_build_query(NULL, ID, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);

	/* Labels: 63 bytes fit, 64 do not. */
	memset(name, 'a', 63);
	strcpy(name + 63, ".com");
	cr_assert_eq(dns_build_query(name, ID, DNS_TYPE_A, buf, sizeof(buf)), 12 + 63 + 6 + 4);
	memset(name, 'a', 64);
	strcpy(name + 64, ".com");
	cr_assert_eq(dns_build_query(name, ID, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);

	/* Names: 253 bytes fit (with or without the trailing dot), 254 do not. */
	memset(name, 'a', 253);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	cr_assert_eq(dns_build_query(name, ID, DNS_TYPE_A, buf, sizeof(buf)), 12 + 255 + 4);
	strcpy(name + 253, ".");
	cr_assert_eq(dns_build_query(name, ID, DNS_TYPE_A, buf, sizeof(buf)), 12 + 255 + 4);
	strcpy(name + 253, "a");
	cr_assert_eq(dns_build_query(name, ID, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);
	strcpy(name + 253, "a.");
	cr_assert_eq(dns_build_query(name, ID, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert_eq(dns_build_query(name, ID, DNS_TYPE_A, buf, sizeof(buf)), -EINVAL);

	cr_assert_eq(dns_parse_reply(reply_cname, sizeof(reply_cname), "", ID, DNS_TYPE_A, NULL), -EINVAL);
}

Test(dns_wire, reply_through_cname)
{
	uint8_t m[sizeof(reply_cname)];
	struct dns_reply r;

	cr_assert_eq(parse(reply_cname, sizeof(reply_cname), &r), 0);
	cr_assert_eq(r.id, ID);
	cr_assert_eq(r.rcode, 0);
	cr_assert_not(r.truncated);
	cr_assert_eq(r.answers, 1);

	/* The same reply read as one to a CNAME query counts the CNAME. */
	memcpy(m, reply_cname, sizeof(m));
	m[30] = 5;
	cr_assert_eq(dns_parse_reply(m, sizeof(m), NAME, ID, 5, &r), 0);
	cr_assert_eq(r.answers, 1);
}

Test(dns_wire, reply_direct_answers)
{
	struct msg m;
	struct dns_reply r;
	static const uint8_t addr[4] = { 192, 0, 2, 7 }, other[] = { 0xc0, 16 };

	put_header(&m, 0x8580, 1, 3, 0, 0);
	put_question(&m);
	put_u16(&m, 0xc00c);
	put_rr_fixed(&m, DNS_TYPE_A, 4);
	put(&m, addr, 4);
	put_u16(&m, 0xc00c);
	put_rr_fixed(&m, DNS_TYPE_A, 4);
	put(&m, addr, 4);
	/* Another name's address is no answer. */
	put(&m, other, 2);
	put_rr_fixed(&m, DNS_TYPE_A, 4);
	put(&m, addr, 4);
	cr_assert_eq(parse(m.b, m.len, &r), 0);
	cr_assert_eq(r.answers, 2);

	/* Nor are addresses of the other family. */
	m.b[30] = DNS_TYPE_AAAA;
	cr_assert_eq(dns_parse_reply(m.b, m.len, NAME, ID, DNS_TYPE_AAAA, &r), 0);
	cr_assert_eq(r.answers, 0);
}

Test(dns_wire, reply_case_insensitive)
{
	uint8_t m[sizeof(reply_cname)];
	struct dns_reply r;

	memcpy(m, reply_cname, sizeof(m));
	m[13] = 'W';
	m[17] = 'E';
	m[26] = 'O';
	cr_assert_eq(parse(m, sizeof(m), &r), 0);
	cr_assert_eq(r.answers, 1);
	cr_assert_eq(dns_parse_reply(reply_cname, sizeof(reply_cname), "WWW.Example.COM.", ID, DNS_TYPE_A, &r), 0);
}

Test(dns_wire, nxdomain)
{
	struct dns_reply r;

	cr_assert_eq(parse(reply_nxdomain, sizeof(reply_nxdomain), &r), 0);
	cr_assert_eq(r.rcode, 3);
	cr_assert_eq(r.answers, 0);
	cr_assert_str_eq(dns_rcode_to_string(r.rcode), "NXDOMAIN");
}

Test(dns_wire, truncated_bit)
{
	uint8_t m[sizeof(reply_nxdomain)];
	struct dns_reply r;

	memcpy(m, reply_nxdomain, sizeof(m));
	m[2] |= 0x02;
	m[3] = 0x82;
	cr_assert_eq(parse(m, sizeof(m), &r), 0);
	cr_assert(r.truncated);
	cr_assert_eq(r.rcode, 2);
}

Test(dns_wire, trailing_bytes_ignored)
{
	uint8_t m[sizeof(reply_cname) + 3] = { 0 };
	struct dns_reply r;

	memcpy(m, reply_cname, sizeof(reply_cname));
	cr_assert_eq(parse(m, sizeof(m), &r), 0);
	cr_assert_eq(r.answers, 1);
}

Test(dns_wire, not_ours)
{
	uint8_t m[sizeof(reply_cname)];

	cr_assert_eq(dns_parse_reply(reply_cname, sizeof(m), NAME, ID + 1, DNS_TYPE_A, NULL), -ESRCH);
	cr_assert_eq(dns_parse_reply(reply_cname, sizeof(m), NAME, ID, DNS_TYPE_AAAA, NULL), -ESRCH);
	cr_assert_eq(dns_parse_reply(reply_cname, sizeof(m), "www.example.org", ID, DNS_TYPE_A, NULL), -ESRCH);
	cr_assert_eq(dns_parse_reply(reply_cname, sizeof(m), "example.com", ID, DNS_TYPE_A, NULL), -ESRCH);

	/* Class other than IN. */
	memcpy(m, reply_cname, sizeof(m));
	m[32] = 3;
	cr_assert_eq(parse(m, sizeof(m), NULL), -ESRCH);
}

Test(dns_wire, question_count)
{
	struct msg m;

	put_header(&m, 0x8180, 0, 0, 0, 0);
	cr_assert_eq(parse(m.b, m.len, NULL), -ESRCH);
	put_header(&m, 0x8180, 2, 0, 0, 0);
	put_question(&m);
	put_question(&m);
	cr_assert_eq(parse(m.b, m.len, NULL), -ESRCH);
	/* A second question that is not there. */
	put_header(&m, 0x8180, 2, 0, 0, 0);
	put_question(&m);
	cr_assert_eq(parse(m.b, m.len, NULL), -EBADMSG);
}

/* Decided: a message that is not a response to a standard query is
 * malformed, not somebody else's; whatever echoes our query back fails. */
Test(dns_wire, not_a_response)
{
	uint8_t m[sizeof(reply_cname)];

	memcpy(m, reply_cname, sizeof(m));
	m[2] &= 0x7f;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
	cr_assert_eq(parse(query_a, sizeof(query_a), NULL), -EBADMSG);
	memcpy(m, reply_cname, sizeof(m));
	m[2] |= 0x10;   /* opcode 2, STATUS */
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
}

/* Malformed wins over not ours. */
Test(dns_wire, malformed_stray)
{
	cr_assert_eq(dns_parse_reply(reply_cname, sizeof(reply_cname) - 1, NAME, ID + 1, DNS_TYPE_A, NULL),
		     -EBADMSG);
}

Test(dns_wire, every_prefix)
{
	size_t n;

	for (n = 0; n < sizeof(reply_cname); n++)
		cr_assert_eq(parse(reply_cname, n, NULL), -EBADMSG, "length %zu", n);
	for (n = 0; n < sizeof(reply_nxdomain); n++)
		cr_assert_eq(parse(reply_nxdomain, n, NULL), -EBADMSG, "length %zu", n);
	cr_assert_eq(parse(NULL, 0, NULL), -EBADMSG);
}

Test(dns_wire, rdlength_past_end)
{
	uint8_t m[sizeof(reply_cname)];

	memcpy(m, reply_cname, sizeof(m));
	m[62] = 5;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
	memcpy(m, reply_cname, sizeof(m));
	m[61] = 0xff;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
}

Test(dns_wire, rdata_shapes)
{
	uint8_t m[sizeof(reply_cname)];
	struct msg a;
	static const uint8_t five[5] = { 0 };

	/* A CNAME whose rdata is not exactly one name. */
	memcpy(m, reply_cname, sizeof(m));
	m[44] = 5;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
	/* A name and a byte after it; without that byte, fine. */
	put_header(&a, 0x8180, 1, 1, 0, 0);
	put_question(&a);
	put_u16(&a, 0xc00c);
	put_rr_fixed(&a, 5, 3);
	put(&a, "\xc0\x10", 3);
	cr_assert_eq(parse(a.b, a.len, NULL), -EBADMSG);
	a.b[a.len - 4] = 2;
	cr_assert_eq(parse(a.b, a.len - 1, NULL), 0);

	/* An address record of the wrong size. */
	put_header(&a, 0x8180, 1, 1, 0, 0);
	put_question(&a);
	put_u16(&a, 0xc00c);
	put_rr_fixed(&a, DNS_TYPE_A, 5);
	put(&a, five, 5);
	cr_assert_eq(parse(a.b, a.len, NULL), -EBADMSG);
}

Test(dns_wire, compression_loops)
{
	uint8_t m[sizeof(reply_cname)];

	/* The question's name points at itself. */
	memcpy(m, reply_cname, sizeof(m));
	m[12] = 0xc0;
	m[13] = 12;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);

	/* Forwards. */
	memcpy(m, reply_cname, sizeof(m));
	m[34] = 51;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
	memcpy(m, reply_cname, sizeof(m));
	m[34] = 33;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);

	/* Backwards from the pointer but into its own name's labels:
	 * "web" then a pointer back to "web", forever. */
	memcpy(m, reply_cname, sizeof(m));
	m[50] = 45;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);

	/* Two names that point at each other. */
	memcpy(m, reply_cname, sizeof(m));
	m[49] = 0xc0;
	m[50] = 51;     /* web -> the second answer's owner -> web */
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
}

Test(dns_wire, label_types)
{
	uint8_t m[sizeof(reply_cname)];

	memcpy(m, reply_cname, sizeof(m));
	m[45] = 0x43;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
	m[45] = 0x83;
	cr_assert_eq(parse(m, sizeof(m), NULL), -EBADMSG);
}

/* An additional record whose owner is reached through a chain of pointers
 * laid out in an earlier record's rdata, each to the one before. */
static void pointer_chain(struct msg *m, unsigned pointers)
{
	size_t root, i;

	put_header(m, 0x8180, 1, 0, 0, 2);
	put_question(m);
	put(m, "", 1);
	put_rr_fixed(m, 16, (uint16_t)(1 + 2 * pointers));
	root = m->len;
	put(m, "", 1);
	for (i = 0; i < pointers; i++)
		put_u16(m, (uint16_t)(0xc000 | (i ? root + 1 + 2 * (i - 1) : root)));
	put_u16(m, (uint16_t)(0xc000 | (root + 1 + 2 * (pointers - 1))));
	put_rr_fixed(m, 16, 0);
}

Test(dns_wire, pointer_hops)
{
	struct msg m;

	pointer_chain(&m, 126);
	cr_assert_eq(parse(m.b, m.len, NULL), 0);
	pointer_chain(&m, 127);
	cr_assert_eq(parse(m.b, m.len, NULL), -EBADMSG);
}

Test(dns_wire, name_length)
{
	struct msg m;
	size_t at;

	/* 255 bytes in wire form, half of it through a pointer. */
	put_header(&m, 0x8180, 1, 0, 0, 2);
	put_question(&m);
	at = m.len;
	put_label(&m, 63, 'a');
	put_label(&m, 63, 'b');
	put(&m, "", 1);
	put_rr_fixed(&m, 16, 0);
	put_label(&m, 63, 'c');
	put_label(&m, 61, 'd');
	put_u16(&m, (uint16_t)(0xc000 | at));
	put_rr_fixed(&m, 16, 0);
	cr_assert_eq(parse(m.b, m.len, NULL), 0);

	/* 256. */
	put_header(&m, 0x8180, 1, 0, 0, 2);
	put_question(&m);
	at = m.len;
	put_label(&m, 63, 'a');
	put_label(&m, 63, 'b');
	put(&m, "", 1);
	put_rr_fixed(&m, 16, 0);
	put_label(&m, 63, 'c');
	put_label(&m, 62, 'd');
	put_u16(&m, (uint16_t)(0xc000 | at));
	put_rr_fixed(&m, 16, 0);
	cr_assert_eq(parse(m.b, m.len, NULL), -EBADMSG);
}

Test(dns_wire, cname_chains)
{
	struct msg m;
	struct dns_reply r;
	static const uint8_t addr[4] = { 192, 0, 2, 9 };
	size_t a, b;

	/* www -> a.example.com -> b.example.com, listed backwards, then
	 * b's address. */
	put_header(&m, 0x8180, 1, 3, 0, 0);
	put_question(&m);
	put(&m, "\1b\xc0\x10", 4);
	b = m.len - 4;
	put_rr_fixed(&m, DNS_TYPE_A, 4);
	put(&m, addr, 4);
	put(&m, "\1a\xc0\x10", 4);
	a = m.len - 4;
	put_rr_fixed(&m, 5, 2);
	put_u16(&m, (uint16_t)(0xc000 | b));
	put_u16(&m, 0xc00c);
	put_rr_fixed(&m, 5, 2);
	put_u16(&m, (uint16_t)(0xc000 | a));
	cr_assert_eq(parse(m.b, m.len, &r), 0);
	cr_assert_eq(r.answers, 1);

	/* A CNAME loop: www -> a -> www; nothing answers, nothing hangs. */
	put_header(&m, 0x8180, 1, 2, 0, 0);
	put_question(&m);
	put_u16(&m, 0xc00c);
	put_rr_fixed(&m, 5, 4);
	put(&m, "\1a\xc0\x10", 4);
	a = m.len - 4;
	put_u16(&m, (uint16_t)(0xc000 | a));
	put_rr_fixed(&m, 5, 2);
	put_u16(&m, 0xc00c);
	cr_assert_eq(parse(m.b, m.len, &r), 0);
	cr_assert_eq(r.answers, 0);
}

Test(dns_wire, rcode_names)
{
	cr_assert_str_eq(dns_rcode_to_string(0), "NOERROR");
	cr_assert_str_eq(dns_rcode_to_string(1), "FORMERR");
	cr_assert_str_eq(dns_rcode_to_string(2), "SERVFAIL");
	cr_assert_str_eq(dns_rcode_to_string(3), "NXDOMAIN");
	cr_assert_str_eq(dns_rcode_to_string(4), "NOTIMP");
	cr_assert_str_eq(dns_rcode_to_string(5), "REFUSED");
	cr_assert_str_eq(dns_rcode_to_string(9), "RCODE9");
	cr_assert_str_eq(dns_rcode_to_string(255), "RCODE255");
}
