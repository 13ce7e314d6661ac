/* IPVS sync messages: the byte layout of each field, round trips, and every
 * reason a datagram is refused for. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "sync_wire.h"

#define F_DROUTE 0x0003
#define F_INACTIVE 0x0100

/* syncid 7, one IPv4 TCP entry: 192.168.10.5:54321 -> 10.0.0.1:80 via
 * 10.0.1.2:8080, fwmark 42, SYN_SENT, INACTIVE|DROUTE, 900 s. */
static const uint8_t msg_v4[] = {
	/* 0 */ 0x00, 0x07, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x00,
	/* entry: 0 */ 0x00, 0x06, 0x00, 0x24,
	/* 4 */ 0x00, 0x00, 0x01, 0x03,
	/* 8 */ 0x00, 0x02, 0xd4, 0x31, 0x00, 0x50, 0x1f, 0x90,
	/* 16 */ 0x00, 0x00, 0x00, 0x2a,
	/* 20 */ 0x00, 0x00, 0x03, 0x84,
	/* 24 */ 192, 168, 10, 5,
	/* 28 */ 10, 0, 0, 1,
	/* 32 */ 10, 0, 1, 2,
};

/* syncid 200, one IPv6 UDP entry: [2001:db8::5]:4660 -> [2001:db8::1]:53
 * via [2001:db8:1::2]:5353, 300 s, flags 0x00010002 (NFCT, TUNNEL). */
static const uint8_t msg_v6[] = {
	/* 0 */ 0x00, 0xc8, 0x00, 0x50, 0x01, 0x01, 0x00, 0x00,
	/* entry: 0 */ 0x01, 0x11, 0x00, 0x48,
	/* 4 */ 0x00, 0x01, 0x00, 0x02,
	/* 8 */ 0x00, 0x00, 0x12, 0x34, 0x00, 0x35, 0x14, 0xe9,
	/* 16 */ 0x00, 0x00, 0x00, 0x00,
	/* 20 */ 0x00, 0x00, 0x01, 0x2c,
	/* 24 */ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05,
	/* 40 */ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	/* 56 */ 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
};

static struct lvsd_addr addr(const char *text)
{
	struct lvsd_addr a;

	memset(&a, 0, sizeof(a));
	cr_assert_eq(addr_parse(text, &a), 0, "%s", text);
	return a;
}

static struct sync_conn conn_v4(void)
{
	struct sync_conn c;

	memset(&c, 0, sizeof(c));
	c.af = AF_INET;
	c.protocol = IPPROTO_TCP;
	c.flags = F_INACTIVE | F_DROUTE;
	c.state = 2;
	c.cport = 54321;
	c.vport = 80;
	c.dport = 8080;
	c.fwmark = 42;
	c.timeout_sec = 900;
	c.caddr = addr("192.168.10.5");
	c.vaddr = addr("10.0.0.1");
	c.daddr = addr("10.0.1.2");
	return c;
}

static struct sync_conn conn_v6(void)
{
	struct sync_conn c;

	memset(&c, 0, sizeof(c));
	c.af = AF_INET6;
	c.protocol = IPPROTO_UDP;
	c.flags = 0x00010002;
	c.cport = 0x1234;
	c.vport = 53;
	c.dport = 5353;
	c.timeout_sec = 300;
	c.caddr = addr("2001:db8::5");
	c.vaddr = addr("2001:db8::1");
	c.daddr = addr("2001:db8:1::2");
	return c;
}

static struct sync_conn with_seq(struct sync_conn c)
{
	c.flags |= SYNC_F_SEQ_MASK;
	c.has_seq = true;
	c.in_seq = (struct sync_seq){ 0x01020304, 0x05060708, 0x090a0b0c };
	c.out_seq = (struct sync_seq){ 0xf1f2f3f4, 0xfffffff6, 0x80000000 };
	return c;
}

static struct sync_conn with_pe(struct sync_conn c, const char *name, const char *data)
{
	c.pe_name_len = (uint8_t)strlen(name);
	memcpy(c.pe_name, name, c.pe_name_len);
	c.pe_data_len = (uint8_t)strlen(data);
	memcpy(c.pe_data, data, c.pe_data_len);
	return c;
}

/* A fwmark persistence template: protocol 0, no ports, ASSURED. */
static struct sync_conn template_v4(void)
{
	struct sync_conn c = conn_v4();

	c.protocol = 0;
	c.flags = SYNC_F_TEMPLATE | F_DROUTE;
	c.state = 1;
	c.cport = 0;
	c.vport = 0;
	c.dport = 0;
	c.fwmark = 7;
	c.timeout_sec = 360;
	return c;
}

/* What sync_decode() handed over. */
struct seen {
	unsigned n;
	struct sync_conn c[SYNC_MAX_CONNS];
};

static int collect(const struct sync_conn *c, void *userdata)
{
	struct seen *s = userdata;

	cr_assert_lt(s->n, SYNC_MAX_CONNS);
	s->c[s->n++] = *c;
	return 0;
}

static void assert_conn_eq(const struct sync_conn *a, const struct sync_conn *b)
{
	cr_assert_eq(a->af, b->af);
	cr_assert_eq(a->protocol, b->protocol);
	cr_assert_eq(a->flags, b->flags);
	cr_assert_eq(a->state, b->state);
	cr_assert_eq(a->cport, b->cport);
	cr_assert_eq(a->vport, b->vport);
	cr_assert_eq(a->dport, b->dport);
	cr_assert_eq(a->fwmark, b->fwmark);
	cr_assert_eq(a->timeout_sec, b->timeout_sec);
	cr_assert(addr_equal(&a->caddr, &b->caddr));
	cr_assert(addr_equal(&a->vaddr, &b->vaddr));
	cr_assert(addr_equal(&a->daddr, &b->daddr));
	cr_assert_eq(a->has_seq, b->has_seq);
	if (a->has_seq) {
		cr_assert_eq(memcmp(&a->in_seq, &b->in_seq, sizeof(a->in_seq)), 0);
		cr_assert_eq(memcmp(&a->out_seq, &b->out_seq, sizeof(a->out_seq)), 0);
	}
	cr_assert_eq(a->pe_name_len, b->pe_name_len);
	cr_assert_arr_eq(a->pe_name, b->pe_name, a->pe_name_len);
	cr_assert_eq(a->pe_data_len, b->pe_data_len);
	cr_assert_arr_eq(a->pe_data, b->pe_data, a->pe_data_len);
}

/* Decodes a copy of exactly len bytes on the heap, so that a read past the
 * end is an AddressSanitizer error. */
static int decode(const uint8_t *buf, size_t len, struct sync_message_info *info, struct seen *seen)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	cr_assert_not_null(copy);
	memcpy(copy, buf, len);
	if (seen)
		seen->n = 0;
	r = sync_decode(copy, len, info, seen ? collect : NULL, seen);
	free(copy);
	return r;
}

static void assert_refused(const uint8_t *buf, size_t len, enum sync_reason why)
{
	struct sync_message_info info;
	struct seen seen;
	int r = decode(buf, len, &info, &seen);

	cr_assert_lt(r, 0, "accepted; expected %s", sync_reason_to_string(why));
	cr_assert_eq(info.bad, why, "refused for %s, expected %s", sync_reason_to_string(info.bad),
		     sync_reason_to_string(why));
	cr_assert_eq(r, why == SYNC_BAD_VERSION || why == SYNC_BAD_ENTRY_VERSION ? -EPROTONOSUPPORT : -EBADMSG);
	cr_assert_eq(seen.n, 0, "no entry of a refused message reaches the caller");
}

/* A message as raw bytes, for the edge cases. */
struct msg {
	uint8_t b[SYNC_MESSAGE_MAX];
	size_t len;
};

static void set_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void build(struct msg *m, const struct sync_conn *conns, size_t n)
{
	struct sync_builder b;

	cr_assert_eq(sync_encode_start(&b, m->b, sizeof(m->b), 9), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(sync_encode(&b, &conns[i]), 0);
	m->len = b.len;
}

/* Appends bytes inside the last entry (which starts at entry), keeping
 * its size and the header's right. */
static void append_in_entry(struct msg *m, size_t entry, const void *data, size_t n)
{
	memcpy(m->b + m->len, data, n);
	m->len += n;
	set_u16(m->b + entry + 2, (uint16_t)(m->len - entry));
	set_u16(m->b + 2, (uint16_t)m->len);
}

/* A message of conn_v4() with the option bytes opt appended to its entry. */
static void option_after_v4(struct msg *m, const uint8_t *opt, size_t n)
{
	struct sync_conn c = conn_v4();

	build(m, &c, 1);
	append_in_entry(m, 8, opt, n);
}

static void copy_msg(struct msg *m, const uint8_t *bytes, size_t len)
{
	memcpy(m->b, bytes, len);
	m->len = len;
}

Test(sync_wire, v4_fields_at_their_offsets)
{
	struct sync_message_info info;
	struct sync_conn want = conn_v4();
	struct seen seen;

	cr_assert_eq(decode(msg_v4, sizeof(msg_v4), &info, &seen), 0);
	cr_assert_eq(info.syncid, 7);
	cr_assert_eq(info.size, 44);
	cr_assert_eq(info.nr_conns, 1);
	cr_assert_eq(info.nr_v4, 1);
	cr_assert_eq(info.nr_v6, 0);
	cr_assert(info.canonical);
	cr_assert_eq(info.bad, SYNC_OK);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.c[0].af, AF_INET);
	cr_assert_eq(seen.c[0].protocol, IPPROTO_TCP);
	cr_assert_eq(seen.c[0].flags, 0x0103);
	cr_assert_eq(seen.c[0].state, 2);
	cr_assert_eq(seen.c[0].cport, 54321);
	cr_assert_eq(seen.c[0].vport, 80);
	cr_assert_eq(seen.c[0].dport, 8080);
	cr_assert_eq(seen.c[0].fwmark, 42);
	cr_assert_eq(seen.c[0].timeout_sec, 900);
	cr_assert_eq(seen.c[0].caddr.family, AF_INET);
	cr_assert_arr_eq(&seen.c[0].caddr.in.v4, msg_v4 + 8 + 24, 4);
	cr_assert_arr_eq(&seen.c[0].vaddr.in.v4, msg_v4 + 8 + 28, 4);
	cr_assert_arr_eq(&seen.c[0].daddr.in.v4, msg_v4 + 8 + 32, 4);
	cr_assert_not(seen.c[0].has_seq);
	cr_assert_eq(seen.c[0].pe_name_len, 0);
	cr_assert_eq(seen.c[0].pe_data_len, 0);
	assert_conn_eq(&seen.c[0], &want);
}

Test(sync_wire, v4_encodes_to_the_layout)
{
	struct sync_conn c = conn_v4();
	struct sync_builder b;
	uint8_t buf[1472];

	cr_assert_eq(sync_encode_start(&b, buf, sizeof(buf), 7), 0);
	cr_assert_eq(b.len, SYNC_HEADER_SIZE);
	cr_assert_eq(sync_encode(&b, &c), 0);
	cr_assert_eq(b.len, sizeof(msg_v4));
	cr_assert_arr_eq(buf, msg_v4, sizeof(msg_v4));
}

Test(sync_wire, v6_fields_at_their_offsets)
{
	struct sync_message_info info;
	struct sync_conn want = conn_v6(), c = conn_v6();
	struct sync_builder b;
	struct seen seen;
	uint8_t buf[1472];

	cr_assert_eq(decode(msg_v6, sizeof(msg_v6), &info, &seen), 0);
	cr_assert_eq(info.syncid, 200);
	cr_assert_eq(info.size, 80);
	cr_assert_eq(info.nr_v6, 1);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.c[0].af, AF_INET6);
	cr_assert_eq(seen.c[0].protocol, IPPROTO_UDP);
	cr_assert_eq(seen.c[0].flags, 0x00010002);
	cr_assert_eq(seen.c[0].state, 0);
	cr_assert_eq(seen.c[0].cport, 0x1234);
	cr_assert_eq(seen.c[0].vport, 53);
	cr_assert_eq(seen.c[0].dport, 5353);
	cr_assert_eq(seen.c[0].timeout_sec, 300);
	cr_assert_eq(seen.c[0].daddr.family, AF_INET6);
	cr_assert_arr_eq(&seen.c[0].caddr.in.v6, msg_v6 + 8 + 24, 16);
	cr_assert_arr_eq(&seen.c[0].vaddr.in.v6, msg_v6 + 8 + 40, 16);
	cr_assert_arr_eq(&seen.c[0].daddr.in.v6, msg_v6 + 8 + 56, 16);
	assert_conn_eq(&seen.c[0], &want);

	cr_assert_eq(sync_encode_start(&b, buf, sizeof(buf), 200), 0);
	cr_assert_eq(sync_encode(&b, &c), 0);
	cr_assert_eq(b.len, sizeof(msg_v6));
	cr_assert_arr_eq(buf, msg_v6, sizeof(msg_v6));
}

Test(sync_wire, seq_option_layout)
{
	struct sync_conn c = with_seq(conn_v4());
	static const uint8_t opt[] = {
		0x01, 24,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
		0xf1, 0xf2, 0xf3, 0xf4, 0xff, 0xff, 0xff, 0xf6, 0x80, 0x00, 0x00, 0x00,
	};
	struct sync_message_info info;
	struct seen seen;
	struct msg m;

	build(&m, &c, 1);
	cr_assert_eq(m.len, 8 + 62);
	cr_assert_eq(m.b[8 + 3], 62, "the entry's size counts its options");
	cr_assert_eq(m.b[8 + 6], 0x07, "SEQ_MASK in the flags");
	cr_assert_arr_eq(m.b + 8 + 36, opt, sizeof(opt));
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0);
	cr_assert_eq(info.nr_seq, 1);
	cr_assert(seen.c[0].has_seq);
	cr_assert_eq(seen.c[0].in_seq.init_seq, 0x01020304);
	cr_assert_eq(seen.c[0].in_seq.previous_delta, 0x090a0b0c);
	cr_assert_eq(seen.c[0].out_seq.delta, 0xfffffff6);
	assert_conn_eq(&seen.c[0], &c);
}

Test(sync_wire, pe_options_layout)
{
	struct sync_conn c = with_pe(conn_v6(), "sip", "call-1@example");
	struct sync_message_info info;
	struct seen seen;
	struct msg m;
	size_t o = 8 + 72;

	build(&m, &c, 1);
	cr_assert_eq(m.len, o + 2 + 14 + 2 + 3);
	cr_assert_eq(m.b[o], SYNC_OPT_PE_DATA, "data before name, as the kernel sends them");
	cr_assert_eq(m.b[o + 1], 14);
	cr_assert_arr_eq(m.b + o + 2, "call-1@example", 14);
	cr_assert_eq(m.b[o + 16], SYNC_OPT_PE_NAME);
	cr_assert_eq(m.b[o + 17], 3);
	cr_assert_arr_eq(m.b + o + 18, "sip", 3);
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0);
	cr_assert_eq(info.nr_pe, 1);
	cr_assert(info.canonical);
	cr_assert_str_eq(seen.c[0].pe_name, "sip");
	assert_conn_eq(&seen.c[0], &c);
}

Test(sync_wire, all_options_in_the_kernel_order)
{
	struct sync_conn c = with_pe(with_seq(conn_v4()), "sip", "x");
	struct seen seen;
	struct msg m;

	build(&m, &c, 1);
	cr_assert_eq(m.b[8 + 36], SYNC_OPT_SEQ);
	cr_assert_eq(m.b[8 + 36 + 26], SYNC_OPT_PE_DATA);
	cr_assert_eq(m.b[8 + 36 + 26 + 3], SYNC_OPT_PE_NAME);
	cr_assert_eq(decode(m.b, m.len, NULL, &seen), 0);
	assert_conn_eq(&seen.c[0], &c);
}

Test(sync_wire, round_trip_of_mixed_entries)
{
	struct sync_conn conns[] = {
		with_seq(conn_v4()),
		conn_v6(),
		with_pe(conn_v4(), "sip", "abcde"),
		template_v4(),
		with_pe(with_seq(conn_v6()), "sip", "0123456789"),
		conn_v4(),
	};
	size_t n = sizeof(conns) / sizeof(*conns);
	struct sync_message_info info;
	struct msg m, again;
	struct seen seen;

	build(&m, conns, n);
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0);
	cr_assert(info.canonical);
	cr_assert_eq(info.nr_conns, n);
	cr_assert_eq(info.nr_v4, 4);
	cr_assert_eq(info.nr_v6, 2);
	cr_assert_eq(info.nr_templates, 1);
	cr_assert_eq(info.nr_seq, 2);
	cr_assert_eq(info.nr_pe, 2);
	cr_assert_eq(info.nr_skipped, 0);
	cr_assert_eq(seen.n, n);
	for (size_t i = 0; i < n; i++)
		assert_conn_eq(&seen.c[i], &conns[i]);
	build(&again, seen.c, seen.n);
	cr_assert_eq(again.len, m.len);
	cr_assert_arr_eq(again.b, m.b, m.len);
}

Test(sync_wire, entries_start_on_4_byte_boundaries)
{
	struct sync_conn conns[] = { with_seq(conn_v4()), conn_v4(), with_pe(conn_v4(), "sip", "a"), conn_v6() };
	struct msg m;

	build(&m, conns, 4);
	/* 62 bytes + 2 of padding; 36; 36 + 3 + 5 = 44; 72. */
	cr_assert_eq(m.b[8 + 3], 62);
	cr_assert_eq(m.b[8 + 62], 0);
	cr_assert_eq(m.b[8 + 63], 0);
	cr_assert_eq(m.b[8 + 64 + 3], 36, "the second entry right after the padding");
	cr_assert_eq(m.b[8 + 100 + 3], 44);
	cr_assert_eq(m.b[8 + 144], 0x01, "the IPv6 entry, after no padding");
	cr_assert_eq(m.len, 8 + 64 + 36 + 44 + 72, "none after the last entry");
	cr_assert_eq(decode(m.b, m.len, NULL, NULL), 0);
}

Test(sync_wire, padding_the_kernel_ignores)
{
	struct sync_conn conns[] = { with_seq(conn_v4()), conn_v4() };
	struct sync_message_info info;
	struct seen seen;
	struct msg m;

	build(&m, conns, 2);
	m.b[8 + 62] = 0xaa;
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0, "padding is not read");
	cr_assert_not(info.canonical);
	assert_conn_eq(&seen.c[1], &conns[1]);

	/* After the last entry: up to where another would start. */
	build(&m, conns, 1);
	m.len += 2;
	set_u16(m.b + 2, (uint16_t)m.len);
	cr_assert_eq(decode(m.b, m.len, &info, NULL), 0);
	cr_assert_not(info.canonical);
	m.len += 1;
	set_u16(m.b + 2, (uint16_t)m.len);
	assert_refused(m.b, m.len, SYNC_BAD_COUNT);
	/* A 36-byte entry ends aligned: nothing may follow it. */
	build(&m, conns + 1, 1);
	m.len += 1;
	set_u16(m.b + 2, (uint16_t)m.len);
	assert_refused(m.b, m.len, SYNC_BAD_COUNT);
}

Test(sync_wire, empty_message)
{
	struct sync_message_info info;
	struct seen seen;
	struct msg m;

	build(&m, NULL, 0);
	cr_assert_eq(m.len, SYNC_HEADER_SIZE);
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0);
	cr_assert_eq(info.nr_conns, 0);
	cr_assert_eq(info.syncid, 9);
	cr_assert_eq(seen.n, 0);
}

Test(sync_wire, optional_unknown_option_is_skipped)
{
	struct sync_conn c = conn_v4();
	struct sync_message_info info;
	struct seen seen;
	struct msg m;

	option_after_v4(&m, (const uint8_t[]){ 0x44, 3, 'a', 'b', 'c' }, 5);
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0);
	cr_assert_eq(info.nr_skipped, 1);
	cr_assert_not(info.canonical);
	assert_conn_eq(&seen.c[0], &c);
	/* Only the optional bit is masked: 0x81 is not SEQ, 0xc1 is optional. */
	option_after_v4(&m, (const uint8_t[]){ 0xc1, 1, 0 }, 3);
	cr_assert_eq(decode(m.b, m.len, &info, NULL), 0);
	cr_assert_eq(info.nr_skipped, 1);

	/* Without the optional bit, the kernel drops the entry. */
	option_after_v4(&m, (const uint8_t[]){ 0x04, 3, 'a', 'b', 'c' }, 5);
	assert_refused(m.b, m.len, SYNC_BAD_OPTION_UNKNOWN);
	option_after_v4(&m, (const uint8_t[]){ 0x81, 1, 0 }, 3);
	assert_refused(m.b, m.len, SYNC_BAD_OPTION_UNKNOWN);
	option_after_v4(&m, (const uint8_t[]){ 0x00, 1, 0 }, 3);
	assert_refused(m.b, m.len, SYNC_BAD_OPTION_UNKNOWN);
}

Test(sync_wire, known_option_with_the_optional_bit)
{
	struct sync_conn c = with_seq(conn_v4());
	struct sync_message_info info;
	struct seen seen;
	struct msg m;

	build(&m, &c, 1);
	m.b[8 + 36] |= SYNC_OPT_F_PARAM;
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0, "still the SEQ option, as the kernel reads it");
	cr_assert_not(info.canonical);
	cr_assert_eq(info.nr_skipped, 0);
	assert_conn_eq(&seen.c[0], &c);
}

Test(sync_wire, options_out_of_order_and_name_alone)
{
	struct sync_message_info info;
	struct seen seen;
	struct msg m;

	option_after_v4(&m, (const uint8_t[]){ 0x03, 3, 's', 'i', 'p', 0x02, 2, 'i', 'd' }, 9);
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0);
	cr_assert_not(info.canonical);
	cr_assert_eq(seen.c[0].pe_data_len, 2);
	cr_assert_str_eq(seen.c[0].pe_name, "sip");

	/* A name without data: taken (and unused) by the kernel. */
	option_after_v4(&m, (const uint8_t[]){ 0x03, 3, 's', 'i', 'p' }, 5);
	cr_assert_eq(decode(m.b, m.len, &info, &seen), 0);
	cr_assert(info.canonical);
	cr_assert_eq(info.nr_pe, 0);
	cr_assert_eq(seen.c[0].pe_name_len, 3);
}

Test(sync_wire, refused_header)
{
	struct msg m;

	for (size_t len = 0; len < SYNC_HEADER_SIZE; len++)
		assert_refused(msg_v4, len, SYNC_BAD_TOO_SHORT);

	copy_msg(&m, msg_v4, sizeof(msg_v4));
	set_u16(m.b + 2, 45);
	assert_refused(m.b, m.len, SYNC_BAD_SIZE);
	set_u16(m.b + 2, 43);
	assert_refused(m.b, m.len, SYNC_BAD_SIZE);

	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[5] = 0;
	assert_refused(m.b, m.len, SYNC_BAD_VERSION);
	m.b[5] = 2;
	assert_refused(m.b, m.len, SYNC_BAD_VERSION);
	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[0] = 1;
	assert_refused(m.b, m.len, SYNC_BAD_VERSION);
	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[7] = 1;
	assert_refused(m.b, m.len, SYNC_BAD_VERSION);
	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[6] = 0x80;
	assert_refused(m.b, m.len, SYNC_BAD_VERSION);
}

Test(sync_wire, version_0_is_refused)
{
	/* A v0 message: nr_conns 1, syncid 7, size 28, one 24-byte entry. */
	static const uint8_t v0[] = {
		1, 7, 0, 28,
		0, 6, 0xd4, 0x31, 0, 80, 0x1f, 0x90,
		192, 168, 10, 5, 10, 0, 0, 1, 10, 0, 1, 2,
		0x01, 0x03, 0, 2,
	};

	assert_refused(v0, sizeof(v0), SYNC_BAD_VERSION);
}

Test(sync_wire, refused_count)
{
	struct sync_conn conns[] = { conn_v4(), conn_v6() };
	struct sync_message_info info;
	struct msg m;

	build(&m, conns, 2);
	m.b[4] = 3;
	assert_refused(m.b, m.len, SYNC_BAD_COUNT);
	decode(m.b, m.len, &info, NULL);
	cr_assert_eq(info.bad_entry, 2);
	m.b[4] = 1;
	assert_refused(m.b, m.len, SYNC_BAD_COUNT);
	m.b[4] = 0;
	assert_refused(m.b, m.len, SYNC_BAD_COUNT);
	copy_msg(&m, msg_v4, SYNC_HEADER_SIZE);
	set_u16(m.b + 2, SYNC_HEADER_SIZE);
	assert_refused(m.b, m.len, SYNC_BAD_COUNT);
}

Test(sync_wire, refused_entry_size)
{
	struct sync_conn conns[] = { conn_v4(), conn_v6() };
	struct msg m;

	/* Room for less than an IPv4 entry. */
	build(&m, conns, 1);
	m.b[4] = 2;
	memset(m.b + m.len, 0, 35);
	m.len += 35;
	set_u16(m.b + 2, (uint16_t)m.len);
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_SIZE);

	/* An entry larger than the message. */
	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[8 + 3] = 37;
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_SIZE);
	set_u16(m.b + 8 + 2, 0x0fff);
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_SIZE);

	/* Smaller than its addresses. */
	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[8 + 3] = 35;
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_SIZE);
	m.b[8 + 3] = 0;
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_SIZE);
	copy_msg(&m, msg_v6, sizeof(msg_v6));
	m.b[8 + 3] = 36;
	m.len = 8 + 36;
	set_u16(m.b + 2, (uint16_t)m.len);
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_SIZE);
	copy_msg(&m, msg_v6, sizeof(msg_v6));
	m.b[8 + 3] = 71;
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_SIZE);
}

Test(sync_wire, refused_entry_version_and_type)
{
	struct msg m;

	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[8 + 2] = 0x10;
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_VERSION);
	m.b[8 + 2] = 0xf0;
	assert_refused(m.b, m.len, SYNC_BAD_ENTRY_VERSION);

	for (unsigned t = 2; t < 256; t++) {
		copy_msg(&m, t & 1 ? msg_v6 : msg_v4, t & 1 ? sizeof(msg_v6) : sizeof(msg_v4));
		m.b[8] = (uint8_t)t;
		assert_refused(m.b, m.len, SYNC_BAD_TYPE);
	}
}

static void refuse_with_option(const uint8_t *opt, size_t n, enum sync_reason why)
{
	struct msg m;

	option_after_v4(&m, opt, n);
	assert_refused(m.b, m.len, why);
}

Test(sync_wire, refused_options)
{
	uint8_t seq[2 + 24] = { 0x01, 24 }, twice[2 * 26], op[300];
	struct seen seen;
	struct msg m;

	/* Cut short: a type without a length; a length past the entry. */
	refuse_with_option((const uint8_t[]){ 0x02 }, 1, SYNC_BAD_OPTION);
	refuse_with_option((const uint8_t[]){ 0x02, 3, 'a', 'b' }, 4, SYNC_BAD_OPTION);
	refuse_with_option((const uint8_t[]){ 0x44, 2, 'a' }, 3, SYNC_BAD_OPTION);
	/* Empty, even an optional one. */
	refuse_with_option((const uint8_t[]){ 0x02, 0 }, 2, SYNC_BAD_OPTION);
	refuse_with_option((const uint8_t[]){ 0x44, 0 }, 2, SYNC_BAD_OPTION);
	/* SEQ of any other length. */
	seq[1] = 23;
	refuse_with_option(seq, 2 + 23, SYNC_BAD_OPTION);
	memset(op, 0, sizeof(op));
	op[0] = 0x01;
	op[1] = 25;
	refuse_with_option(op, 2 + 25, SYNC_BAD_OPTION);
	/* Twice, with or without the optional bit. */
	seq[1] = 24;
	memcpy(twice, seq, 26);
	memcpy(twice + 26, seq, 26);
	refuse_with_option(twice, sizeof(twice), SYNC_BAD_OPTION);
	twice[26] = 0x41;
	refuse_with_option(twice, sizeof(twice), SYNC_BAD_OPTION);
	refuse_with_option((const uint8_t[]){ 0x03, 1, 'a', 0x02, 1, 'b', 0x43, 1, 'c' }, 9, SYNC_BAD_OPTION);
	refuse_with_option((const uint8_t[]){ 0x03, 1, 'a', 0x02, 1, 'b', 0x02, 1, 'c' }, 9, SYNC_BAD_OPTION);
	/* A PE name over 16 bytes. */
	op[0] = 0x03;
	op[1] = 17;
	memset(op + 2, 'n', 17);
	refuse_with_option(op, 2 + 17, SYNC_BAD_OPTION);
	op[1] = 16;
	option_after_v4(&m, op, 2 + 16);
	cr_assert_eq(decode(m.b, m.len, NULL, &seen), 0, "16 bytes is the limit");
	cr_assert_eq(seen.c[0].pe_name_len, 16);
	cr_assert_eq(strlen(seen.c[0].pe_name), 16);
	/* PE data of 255 bytes is fine. */
	op[0] = 0x02;
	op[1] = 255;
	memset(op + 2, 'd', 255);
	memcpy(op + 257, "\x03\x03sip", 5);
	option_after_v4(&m, op, 262);
	cr_assert_eq(decode(m.b, m.len, NULL, &seen), 0);
	cr_assert_eq(seen.c[0].pe_data_len, 255);
}

Test(sync_wire, refused_flags)
{
	static const uint32_t bad[] = {
		SYNC_F_ONE_PACKET,
		SYNC_F_ONE_PACKET | F_DROUTE,
		SYNC_F_NO_CPORT | SYNC_F_TEMPLATE,
		SYNC_F_NO_CPORT | SYNC_F_TEMPLATE | F_INACTIVE,
	};
	struct sync_builder b;
	uint8_t buf[1472];
	struct msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct sync_conn c = conn_v4();

		copy_msg(&m, msg_v4, sizeof(msg_v4));
		m.b[8 + 4] = (uint8_t)(bad[i] >> 24);
		m.b[8 + 5] = (uint8_t)(bad[i] >> 16);
		m.b[8 + 6] = (uint8_t)(bad[i] >> 8);
		m.b[8 + 7] = (uint8_t)bad[i];
		m.b[8 + 9] = 1;
		assert_refused(m.b, m.len, SYNC_BAD_FLAGS);
		c.flags = bad[i];
		c.state = 1;
		cr_assert_eq(sync_encode_start(&b, buf, sizeof(buf), 1), 0);
		cr_assert_eq(sync_encode(&b, &c), -EINVAL);
	}
	/* Each alone is fine; so are the bits the backup masks off. */
	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[8 + 6] = 0x08;
	cr_assert_eq(decode(m.b, m.len, NULL, NULL), 0, "NO_CPORT");
	m.b[8 + 4] = 0xff;
	m.b[8 + 5] = 0xff;
	m.b[8 + 7] = 0x40;
	cr_assert_eq(decode(m.b, m.len, NULL, NULL), 0, "high and HASHED bits");
}

Test(sync_wire, refused_protocol_and_state)
{
	static const struct {
		uint8_t protocol;
		uint16_t states;
	} known[] = {
		{ IPPROTO_TCP, 11 }, { IPPROTO_UDP, 1 }, { IPPROTO_SCTP, 14 }, { IPPROTO_AH, 1 }, { IPPROTO_ESP, 1 },
	};
	struct msg m;

	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
		copy_msg(&m, msg_v4, sizeof(msg_v4));
		m.b[8 + 1] = known[i].protocol;
		set_u16(m.b + 8 + 8, (uint16_t)(known[i].states - 1));
		cr_assert_eq(decode(m.b, m.len, NULL, NULL), 0, "protocol %u", known[i].protocol);
		set_u16(m.b + 8 + 8, known[i].states);
		assert_refused(m.b, m.len, SYNC_BAD_STATE);
		set_u16(m.b + 8 + 8, 0xffff);
		assert_refused(m.b, m.len, SYNC_BAD_STATE);
	}
	copy_msg(&m, msg_v4, sizeof(msg_v4));
	m.b[8 + 1] = IPPROTO_ICMP;
	assert_refused(m.b, m.len, SYNC_BAD_PROTOCOL);
	m.b[8 + 1] = 0;
	assert_refused(m.b, m.len, SYNC_BAD_PROTOCOL);

	/* Templates: any protocol, NONE or ASSURED. */
	{
		struct sync_conn t = template_v4();
		struct sync_builder b;

		build(&m, &t, 1);
		cr_assert_eq(decode(m.b, m.len, NULL, NULL), 0);
		m.b[8 + 1] = 253;
		cr_assert_eq(decode(m.b, m.len, NULL, NULL), 0);
		set_u16(m.b + 8 + 8, 2);
		assert_refused(m.b, m.len, SYNC_BAD_STATE);
		t.state = 2;
		cr_assert_eq(sync_encode_start(&b, m.b, sizeof(m.b), 1), 0);
		cr_assert_eq(sync_encode(&b, &t), -EINVAL);
	}
}

Test(sync_wire, refused_pe_data_without_name)
{
	static const uint8_t data_only[] = { 0x02, 3, 'a', 'b', 'c' };
	struct sync_conn c = with_pe(conn_v4(), "", "abc");
	struct sync_builder b;
	uint8_t buf[1472];

	refuse_with_option(data_only, sizeof(data_only), SYNC_BAD_PE);
	cr_assert_eq(sync_encode_start(&b, buf, sizeof(buf), 1), 0);
	cr_assert_eq(sync_encode(&b, &c), -EINVAL);
}

Test(sync_wire, a_bad_entry_anywhere_refuses_all)
{
	struct sync_conn conns[] = { conn_v4(), conn_v6(), conn_v4() };
	struct sync_message_info info;
	struct seen seen;
	struct msg m;

	build(&m, conns, 3);
	m.b[8 + 36 + 72 + 1] = IPPROTO_ICMP;
	cr_assert_eq(decode(m.b, m.len, &info, &seen), -EBADMSG);
	cr_assert_eq(info.bad, SYNC_BAD_PROTOCOL);
	cr_assert_eq(info.bad_entry, 2);
	cr_assert_eq(info.bad_offset, 8 + 36 + 72 + 1);
	cr_assert_eq(seen.n, 0, "the good entries before it are not handed over either");
}

static int stop_after_one(const struct sync_conn *c, void *userdata)
{
	unsigned *calls = userdata;

	return ++*calls == 1 ? 0 : -ECANCELED;
}

Test(sync_wire, callback_ends_the_walk)
{
	struct sync_conn conns[] = { conn_v4(), conn_v6(), conn_v4() };
	unsigned calls = 0;
	struct msg m;

	build(&m, conns, 3);
	cr_assert_eq(sync_decode(m.b, m.len, NULL, stop_after_one, &calls), -ECANCELED);
	cr_assert_eq(calls, 2);
}

Test(sync_wire, every_truncation_is_refused)
{
	struct sync_conn conns[] = {
		with_seq(conn_v4()),
		with_pe(conn_v6(), "sip", "abcdefg"),
		template_v4(),
		conn_v4(),
	};
	struct sync_message_info info;
	struct msg m, cut;

	build(&m, conns, 4);
	for (size_t len = 0; len < m.len; len++) {
		cr_assert_lt(decode(m.b, len, &info, NULL), 0, "%zu bytes", len);
		cr_assert_eq(info.bad, len < SYNC_HEADER_SIZE ? SYNC_BAD_TOO_SHORT : SYNC_BAD_SIZE);
		/* With the size saying so, the entries are judged. */
		copy_msg(&cut, m.b, len);
		if (len >= SYNC_HEADER_SIZE)
			set_u16(cut.b + 2, (uint16_t)len);
		cr_assert_lt(decode(cut.b, cut.len, &info, NULL), 0, "%zu bytes, size fixed up", len);
		cr_assert_neq(info.bad, SYNC_OK);
	}
	cr_assert_eq(decode(m.b, m.len, NULL, NULL), 0);
}

Test(sync_wire, message_of_exactly_the_maximum)
{
	struct sync_conn c = conn_v4(), s = with_seq(conn_v4());
	struct sync_builder b;
	uint8_t buf[1472];
	int r;

	/* 8 + 40 * 36 = 1448: the 41st does not fit in 1472. */
	cr_assert_eq(sync_encode_start(&b, buf, sizeof(buf), 1), 0);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(sync_encode(&b, &c), 0);
	cr_assert_eq(sync_encode(&b, &c), -ENOSPC);
	cr_assert_eq(b.len, 1448);
	cr_assert_eq(b.nr_conns, 40);

	cr_assert_eq(sync_encode_start(&b, buf, 1448, 1), 0);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(sync_encode(&b, &c), 0);
	cr_assert_eq(b.len, 1448, "filled to the last byte");
	cr_assert_eq(decode(buf, b.len, NULL, NULL), 0);

	/* Padding counts: 8 + 64 + 62 = 134 holds two SEQ entries. */
	cr_assert_eq(sync_encode_start(&b, buf, 134, 1), 0);
	cr_assert_eq(sync_encode(&b, &s), 0);
	cr_assert_eq(sync_encode(&b, &s), 0);
	cr_assert_eq(b.len, 134);
	cr_assert_eq(decode(buf, b.len, NULL, NULL), 0);
	cr_assert_eq(sync_encode_start(&b, buf, 133, 1), 0);
	cr_assert_eq(sync_encode(&b, &s), 0);
	r = sync_encode(&b, &s);
	cr_assert_eq(r, -ENOSPC);
	cr_assert_eq(b.len, 70, "unchanged by the entry that did not fit");
	cr_assert_eq(buf[4], 1);
	cr_assert_eq(decode(buf, b.len, NULL, NULL), 0);
}

Test(sync_wire, entry_too_large_for_any_message)
{
	struct sync_conn c = conn_v6();
	struct sync_builder b;
	uint8_t buf[80];

	cr_assert_eq(sync_encode_start(&b, buf, 79, 1), 0);
	cr_assert_eq(sync_encode(&b, &c), -EMSGSIZE);
	cr_assert_eq(sync_encode_start(&b, buf, 80, 1), 0);
	cr_assert_eq(sync_encode(&b, &c), 0);
	cr_assert_eq(sync_encode_start(&b, buf, 7, 1), -EINVAL);
}

Test(sync_wire, at_most_255_entries)
{
	static struct msg m;
	struct sync_conn c = template_v4();
	struct sync_message_info info;
	struct sync_builder b;
	static struct seen seen;

	cr_assert_eq(sync_encode_start(&b, m.b, sizeof(m.b), 3), 0);
	for (int i = 0; i < SYNC_MAX_CONNS; i++) {
		c.fwmark = (uint32_t)i;
		cr_assert_eq(sync_encode(&b, &c), 0);
	}
	cr_assert_eq(sync_encode(&b, &c), -ENOSPC, "nr_conns is one byte");
	cr_assert_eq(b.len, 8 + 255 * 36);
	cr_assert_eq(decode(m.b, b.len, &info, &seen), 0);
	cr_assert_eq(info.nr_conns, 255);
	cr_assert_eq(info.nr_templates, 255);
	cr_assert_eq(seen.n, 255);
	cr_assert_eq(seen.c[254].fwmark, 254);
}

Test(sync_wire, encoder_refuses_what_the_kernel_would)
{
	struct sync_builder b;
	uint8_t buf[1472];
	struct sync_conn c;

	cr_assert_eq(sync_encode_start(&b, buf, sizeof(buf), 1), 0);
	c = conn_v4();
	c.af = AF_UNIX;
	cr_assert_eq(sync_encode(&b, &c), -EINVAL);
	c = conn_v4();
	c.daddr = addr("2001:db8::1");
	cr_assert_eq(sync_encode(&b, &c), -EINVAL, "addresses of another family");
	c = conn_v6();
	c.caddr = addr("192.0.2.1");
	cr_assert_eq(sync_encode(&b, &c), -EINVAL);
	c = conn_v4();
	c.protocol = IPPROTO_ICMP;
	cr_assert_eq(sync_encode(&b, &c), -EINVAL);
	c = conn_v4();
	c.state = 11;
	cr_assert_eq(sync_encode(&b, &c), -EINVAL);
	c = with_pe(conn_v4(), "sip", "x");
	c.pe_name_len = 17;
	cr_assert_eq(sync_encode(&b, &c), -EINVAL);
	cr_assert_eq(b.len, SYNC_HEADER_SIZE);
	cr_assert_eq(b.nr_conns, 0);
}

Test(sync_wire, reason_names)
{
	for (int r = 0; r < SYNC_REASONS; r++) {
		const char *s = sync_reason_to_string((enum sync_reason)r);

		cr_assert_str_neq(s, "?", "reason %d has no name", r);
		cr_assert_eq(sync_reason_from_string(s), r);
	}
	cr_assert_str_eq(sync_reason_to_string(SYNC_BAD_COUNT), "count");
	cr_assert_str_eq(sync_reason_to_string(SYNC_REASONS), "?");
	cr_assert_eq(sync_reason_from_string("nope"), -EINVAL);
}
