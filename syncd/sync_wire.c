/* IPVS sync messages, version 1: strict decoding and the kernel's encoding. */
#include "sync_wire.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "big_endian.h"
#include "enum_names.h"

/* Entry offsets. */
#define E_TYPE 0
#define E_PROTOCOL 1
#define E_VER_SIZE 2
#define E_FLAGS 4
#define E_STATE 8
#define E_CPORT 10
#define E_VPORT 12
#define E_DPORT 14
#define E_FWMARK 16
#define E_TIMEOUT 20
#define E_ADDRS 24

#define TYPE_INET6 0x01
#define SIZE_MASK 0x0fff
#define VERSION_SHIFT 12
#define SYNC_VERSION 1

/* Templates have two states: NONE and ASSURED. */
#define TEMPLATE_STATES 2

static const char *const reason_names[SYNC_REASONS] = {
	[SYNC_OK] = "ok",
	[SYNC_BAD_TOO_SHORT] = "too-short",
	[SYNC_BAD_SIZE] = "size",
	[SYNC_BAD_VERSION] = "version",
	[SYNC_BAD_COUNT] = "count",
	[SYNC_BAD_ENTRY_SIZE] = "entry-size",
	[SYNC_BAD_ENTRY_VERSION] = "entry-version",
	[SYNC_BAD_TYPE] = "type",
	[SYNC_BAD_OPTION] = "option",
	[SYNC_BAD_OPTION_UNKNOWN] = "option-unknown",
	[SYNC_BAD_FLAGS] = "flags",
	[SYNC_BAD_PROTOCOL] = "protocol",
	[SYNC_BAD_STATE] = "state",
	[SYNC_BAD_PE] = "pe",
};

ENUM_NAMES_DEFINE(sync_reason, enum sync_reason, reason_names)

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* The protocols the 6.1 kernel registers (Debian's configuration builds
 * them all in), with their number of states; -1 for any other. */
static int protocol_states(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return 11;
	case IPPROTO_UDP:
		return 1;
	case IPPROTO_SCTP:
		return 14;
	case IPPROTO_AH:
	case IPPROTO_ESP:
		return 1;
	default:
		return -1;
	}
}

/* What the backup checks in an entry once its options are read, in the
 * order it checks them. */
static enum sync_reason check_conn(const struct sync_conn *c)
{
	int states;

	if (c->flags & SYNC_F_ONE_PACKET)
		return SYNC_BAD_FLAGS;
	if ((c->flags & SYNC_F_NO_CPORT) && (c->flags & SYNC_F_TEMPLATE))
		return SYNC_BAD_FLAGS;
	if (c->flags & SYNC_F_TEMPLATE) {
		/* A template's protocol is not looked at: fwmark ones carry 0. */
		if (c->state >= TEMPLATE_STATES)
			return SYNC_BAD_STATE;
	} else {
		states = protocol_states(c->protocol);
		if (states < 0)
			return SYNC_BAD_PROTOCOL;
		if (c->state >= states)
			return SYNC_BAD_STATE;
	}
	if (c->pe_data_len && !c->pe_name_len)
		return SYNC_BAD_PE;
	return SYNC_OK;
}

static size_t addr_bytes(int af)
{
	return af == AF_INET6 ? 16 : 4;
}

static void get_addr(const uint8_t *p, int af, struct lvsd_addr *a)
{
	a->family = af;
	if (af == AF_INET6)
		memcpy(&a->in.v6, p, 16);
	else
		memcpy(&a->in.v4, p, 4);
}

static void put_addr(uint8_t *p, const struct lvsd_addr *a)
{
	if (a->family == AF_INET6)
		memcpy(p, &a->in.v6, 16);
	else
		memcpy(p, &a->in.v4, 4);
}

static void get_seq(const uint8_t *p, struct sync_seq *s)
{
	s->init_seq = be_get32(p);
	s->delta = be_get32(p + 4);
	s->previous_delta = be_get32(p + 8);
}

static void put_seq(uint8_t *p, const struct sync_seq *s)
{
	be_put32(p, s->init_seq);
	be_put32(p + 4, s->delta);
	be_put32(p + 8, s->previous_delta);
}

/* Reads the options in e[fixed..size) into c. *at is where a fault was seen. */
static enum sync_reason parse_options(const uint8_t *e, size_t fixed, size_t size, struct sync_conn *c,
				      struct sync_message_info *info, size_t *at)
{
	unsigned seen = 0, last = 0;
	size_t p = fixed;

	while (p < size) {
		uint8_t type, len, kind;
		const uint8_t *data;

		*at = p;
		if (size - p < 2)
			return SYNC_BAD_OPTION;
		type = e[p];
		len = e[p + 1];
		data = e + p + 2;
		if (len == 0 || size - p - 2 < len)
			return SYNC_BAD_OPTION;
		/* The backup masks the optional bit before it looks at the
		 * type, so a known option stays known with it set. */
		kind = type & (uint8_t)~SYNC_OPT_F_PARAM;
		switch (kind) {
		case SYNC_OPT_SEQ:
			if (len != SYNC_OPT_SEQ_LEN || (seen & 1u << kind))
				return SYNC_BAD_OPTION;
			c->has_seq = true;
			get_seq(data, &c->in_seq);
			get_seq(data + 12, &c->out_seq);
			break;
		case SYNC_OPT_PE_DATA:
			if (seen & 1u << kind)
				return SYNC_BAD_OPTION;
			c->pe_data_len = len;
			memcpy(c->pe_data, data, len);
			break;
		case SYNC_OPT_PE_NAME:
			if (len > SYNC_PE_NAME_MAX || (seen & 1u << kind))
				return SYNC_BAD_OPTION;
			c->pe_name_len = len;
			memcpy(c->pe_name, data, len);
			break;
		default:
			if (!(type & SYNC_OPT_F_PARAM))
				return SYNC_BAD_OPTION_UNKNOWN;
			info->nr_skipped++;
			info->canonical = false;
			p += 2 + (size_t)len;
			continue;
		}
		if (type != kind || kind <= last)
			info->canonical = false;
		last = kind;
		seen |= 1u << kind;
		p += 2 + (size_t)len;
	}
	return SYNC_OK;
}

/* Reads the entry e[0..size) into c; size is within the message. */
static enum sync_reason parse_entry(const uint8_t *e, size_t size, struct sync_conn *c,
				    struct sync_message_info *info, size_t *at)
{
	enum sync_reason r;
	size_t fixed, n;

	memset(c, 0, sizeof(*c));
	/* The kernel takes any odd type for IPv6; the other bits mean nothing
	 * yet, and what they might mean could not be passed on. */
	*at = E_TYPE;
	if (e[E_TYPE] == 0)
		c->af = AF_INET;
	else if (e[E_TYPE] == TYPE_INET6)
		c->af = AF_INET6;
	else
		return SYNC_BAD_TYPE;
	n = addr_bytes(c->af);
	fixed = E_ADDRS + 3 * n;
	*at = E_VER_SIZE;
	if (size < fixed)
		return SYNC_BAD_ENTRY_SIZE;
	r = parse_options(e, fixed, size, c, info, at);
	if (r != SYNC_OK)
		return r;

	c->protocol = e[E_PROTOCOL];
	c->flags = be_get32(e + E_FLAGS);
	c->state = be_get16(e + E_STATE);
	c->cport = be_get16(e + E_CPORT);
	c->vport = be_get16(e + E_VPORT);
	c->dport = be_get16(e + E_DPORT);
	c->fwmark = be_get32(e + E_FWMARK);
	c->timeout_sec = be_get32(e + E_TIMEOUT);
	get_addr(e + E_ADDRS, c->af, &c->caddr);
	get_addr(e + E_ADDRS + n, c->af, &c->vaddr);
	get_addr(e + E_ADDRS + 2 * n, c->af, &c->daddr);

	r = check_conn(c);
	switch (r) {
	case SYNC_BAD_FLAGS:
		*at = E_FLAGS;
		break;
	case SYNC_BAD_PROTOCOL:
		*at = E_PROTOCOL;
		break;
	case SYNC_BAD_STATE:
		*at = E_STATE;
		break;
	default:
		*at = fixed;
		break;
	}
	return r;
}

static int fail(struct sync_message_info *info, enum sync_reason r, unsigned entry, size_t at)
{
	info->bad = r;
	info->bad_entry = entry;
	info->bad_offset = at;
	return r == SYNC_BAD_VERSION || r == SYNC_BAD_ENTRY_VERSION ? -EPROTONOSUPPORT : -EBADMSG;
}

/* One pass over the message: all checks, and each (if any) on every entry. */
static int walk(const uint8_t *buf, size_t len, struct sync_message_info *info, sync_conn_fn each,
		void *userdata)
{
	size_t start = SYNC_HEADER_SIZE, end = SYNC_HEADER_SIZE;
	struct sync_conn c;

	memset(info, 0, sizeof(*info));
	info->canonical = true;
	if (len < SYNC_HEADER_SIZE)
		return fail(info, SYNC_BAD_TOO_SHORT, 0, 0);
	info->syncid = buf[1];
	info->size = be_get16(buf + 2);
	info->nr_conns = buf[4];
	if (info->size != len)
		return fail(info, SYNC_BAD_SIZE, 0, 2);
	/* Anything else the kernel reads as version 0, which carries neither
	 * IPv6 nor fwmarks nor timeouts: not relayed. */
	if (buf[0] != 0 || buf[5] != SYNC_VERSION || buf[6] != 0 || buf[7] != 0)
		return fail(info, SYNC_BAD_VERSION, 0, buf[0] != 0 ? 0 : buf[5] != SYNC_VERSION ? 5 : 6);

	for (unsigned i = 0; i < info->nr_conns; i++) {
		enum sync_reason r;
		size_t size, at;
		uint16_t ver_size;
		int ret;

		/* The kernel ignores padding; the encoder writes zeros. */
		for (size_t k = end; k < start && k < len; k++)
			if (buf[k] != 0)
				info->canonical = false;
		if (start >= len)
			return fail(info, SYNC_BAD_COUNT, i, len);
		if (len - start < SYNC_ENTRY_V4_SIZE)
			return fail(info, SYNC_BAD_ENTRY_SIZE, i, start);
		ver_size = be_get16(buf + start + E_VER_SIZE);
		size = ver_size & SIZE_MASK;
		if (size > len - start)
			return fail(info, SYNC_BAD_ENTRY_SIZE, i, start + E_VER_SIZE);
		if (ver_size >> VERSION_SHIFT)
			return fail(info, SYNC_BAD_ENTRY_VERSION, i, start + E_VER_SIZE);
		r = parse_entry(buf + start, size, &c, info, &at);
		if (r != SYNC_OK)
			return fail(info, r, i, start + at);
		if (c.af == AF_INET)
			info->nr_v4++;
		else
			info->nr_v6++;
		info->nr_templates += !!(c.flags & SYNC_F_TEMPLATE);
		info->nr_seq += c.has_seq;
		info->nr_pe += c.pe_data_len > 0;
		if (each) {
			ret = each(&c, userdata);
			if (ret < 0)
				return ret;
		}
		end = start + size;
		start += align4(size);
	}
	/* Padding after the last entry is tolerated as the kernel does, but
	 * nothing past where another entry would start. */
	if (len > start)
		return fail(info, SYNC_BAD_COUNT, info->nr_conns, start);
	if (len > end)
		info->canonical = false;
	return 0;
}

int sync_decode(const uint8_t *buf, size_t len, struct sync_message_info *info, sync_conn_fn each,
		void *userdata)
{
	struct sync_message_info scratch;
	int r;

	if (!info)
		info = &scratch;
	/* The whole message is judged before the caller sees any entry. */
	r = walk(buf, len, info, NULL, NULL);
	if (r < 0 || !each)
		return r;
	return walk(buf, len, &scratch, each, userdata);
}

int sync_encode_start(struct sync_builder *b, uint8_t *buf, size_t max, uint8_t syncid)
{
	if (max < SYNC_HEADER_SIZE)
		return -EINVAL;
	b->buf = buf;
	b->max = max > SYNC_MESSAGE_MAX ? SYNC_MESSAGE_MAX : max;
	b->len = SYNC_HEADER_SIZE;
	b->nr_conns = 0;
	memset(buf, 0, SYNC_HEADER_SIZE);
	buf[1] = syncid;
	be_put16(buf + 2, SYNC_HEADER_SIZE);
	buf[5] = SYNC_VERSION;
	return 0;
}

static uint8_t *put_option(uint8_t *p, uint8_t type, const void *data, uint8_t len)
{
	p[0] = type;
	p[1] = len;
	memcpy(p + 2, data, len);
	return p + 2 + len;
}

int sync_encode(struct sync_builder *b, const struct sync_conn *c)
{
	size_t n, size, pad;
	uint8_t *e, *p;

	if (c->af != AF_INET && c->af != AF_INET6)
		return -EINVAL;
	if (c->caddr.family != c->af || c->vaddr.family != c->af || c->daddr.family != c->af)
		return -EINVAL;
	if (c->pe_name_len > SYNC_PE_NAME_MAX || check_conn(c) != SYNC_OK)
		return -EINVAL;
	n = addr_bytes(c->af);
	size = E_ADDRS + 3 * n;
	if (c->has_seq)
		size += 2 + SYNC_OPT_SEQ_LEN;
	if (c->pe_data_len)
		size += 2 + (size_t)c->pe_data_len;
	if (c->pe_name_len)
		size += 2 + (size_t)c->pe_name_len;
	if (SYNC_HEADER_SIZE + size > b->max)
		return -EMSGSIZE;
	pad = align4(b->len) - b->len;
	if (b->nr_conns >= SYNC_MAX_CONNS || pad + size > b->max - b->len)
		return -ENOSPC;

	memset(b->buf + b->len, 0, pad);
	e = b->buf + b->len + pad;
	e[E_TYPE] = c->af == AF_INET6 ? TYPE_INET6 : 0;
	e[E_PROTOCOL] = c->protocol;
	be_put16(e + E_VER_SIZE, (uint16_t)size);
	be_put32(e + E_FLAGS, c->flags);
	be_put16(e + E_STATE, c->state);
	be_put16(e + E_CPORT, c->cport);
	be_put16(e + E_VPORT, c->vport);
	be_put16(e + E_DPORT, c->dport);
	be_put32(e + E_FWMARK, c->fwmark);
	be_put32(e + E_TIMEOUT, c->timeout_sec);
	put_addr(e + E_ADDRS, &c->caddr);
	put_addr(e + E_ADDRS + n, &c->vaddr);
	put_addr(e + E_ADDRS + 2 * n, &c->daddr);
	p = e + E_ADDRS + 3 * n;
	if (c->has_seq) {
		uint8_t seq[SYNC_OPT_SEQ_LEN];

		put_seq(seq, &c->in_seq);
		put_seq(seq + 12, &c->out_seq);
		p = put_option(p, SYNC_OPT_SEQ, seq, sizeof(seq));
	}
	if (c->pe_data_len)
		p = put_option(p, SYNC_OPT_PE_DATA, c->pe_data, c->pe_data_len);
	if (c->pe_name_len)
		put_option(p, SYNC_OPT_PE_NAME, c->pe_name, c->pe_name_len);

	b->len += pad + size;
	b->nr_conns++;
	be_put16(b->buf + 2, (uint16_t)b->len);
	b->buf[4] = (uint8_t)b->nr_conns;
	return 0;
}
