/* Encoding of DNS health check queries and bounded decoding of replies. */
#include "dns_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DNS_HEADER_SIZE 12
#define DNS_NAME_MAX 255          /* wire form, with the root label */
#define DNS_NAME_TEXT_MAX 253     /* dotted form, without the trailing dot */
#define DNS_LABEL_MAX 63
#define DNS_CLASS_IN 1
#define DNS_TYPE_CNAME 5

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags) ((flags) & 0xf)

/* Targets strictly decrease, so pointers cannot loop; this bound only keeps a
 * long chain of them from costing more than a name of one-byte labels. */
#define DNS_POINTER_HOPS_MAX (DNS_NAME_MAX / 2)
/* CNAMEs followed from the queried name; real chains are a few links. */
#define DNS_CHAIN_MAX 8

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void set_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Dotted text to wire form. Returns the wire length or -EINVAL. */
static int encode_name(const char *name, uint8_t out[DNS_NAME_MAX])
{
	size_t n, i, start, o = 0;

	if (!name)
		return -EINVAL;
	n = strnlen(name, DNS_NAME_TEXT_MAX + 2);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_TEXT_MAX)
		return -EINVAL;
	for (start = 0; start <= n; start = i + 1) {
		for (i = start; i < n && name[i] != '.'; i++)
			;
		if (i == start || i - start > DNS_LABEL_MAX)
			return -EINVAL;
		out[o++] = (uint8_t)(i - start);
		memcpy(out + o, name + start, i - start);
		o += i - start;
	}
	out[o++] = 0;
	return (int)o;
}

int dns_build_query(const char *name, uint16_t id, uint16_t qtype, uint8_t *buf, size_t size)
{
	uint8_t wire[DNS_NAME_MAX];
	int n = encode_name(name, wire);
	size_t total;

	if (n < 0)
		return n;
	total = DNS_HEADER_SIZE + (size_t)n + 4;
	if (!buf || size < total)
		return -ENOSPC;
	memset(buf, 0, DNS_HEADER_SIZE);
	set_u16(buf, id);
	set_u16(buf + 2, DNS_FLAG_RD);
	set_u16(buf + 4, 1);
	memcpy(buf + DNS_HEADER_SIZE, wire, (size_t)n);
	set_u16(buf + DNS_HEADER_SIZE + n, qtype);
	set_u16(buf + DNS_HEADER_SIZE + n + 2, DNS_CLASS_IN);
	return (int)total;
}

/* Reads the possibly compressed name at *pos into uncompressed wire form and
 * moves *pos past it. 0 or -EBADMSG. */
static int read_name(const uint8_t *buf, size_t len, size_t *pos, uint8_t out[DNS_NAME_MAX],
		     size_t *out_len)
{
	size_t p = *pos, limit = *pos, n = 0, end = 0;
	unsigned hops = 0;

	for (;;) {
		uint8_t b;

		if (p >= len)
			return -EBADMSG;
		b = buf[p];
		if ((b & 0xc0) == 0xc0) {
			size_t target;

			if (len - p < 2)
				return -EBADMSG;
			target = (size_t)(b & 0x3f) << 8 | buf[p + 1];
			/* Before the previous target, not merely before this
			 * pointer: a pointer back into its own name's labels
			 * would otherwise loop. */
			if (target >= limit || ++hops > DNS_POINTER_HOPS_MAX)
				return -EBADMSG;
			if (hops == 1)
				end = p + 2;
			limit = p = target;
			continue;
		}
		if (b & 0xc0)
			return -EBADMSG;        /* extended and reserved label types */
		if (len - p - 1 < b || n + 1 + b > DNS_NAME_MAX)
			return -EBADMSG;
		memcpy(out + n, buf + p, 1 + (size_t)b);
		n += 1 + (size_t)b;
		p += 1 + (size_t)b;
		if (b == 0)
			break;
	}
	*pos = hops ? end : p;
	*out_len = n;
	return 0;
}

/* Label length bytes are at most 63, below every letter, so folding the
 * whole wire form compares labels case-insensitively and nothing else. */
static bool names_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	size_t i;

	if (a_len != b_len)
		return false;
	for (i = 0; i < a_len; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

struct rr {
	uint8_t owner[DNS_NAME_MAX];
	size_t owner_len;
	uint16_t type, class_;
	size_t rdata, rdlength;
};

/* Reads the record at *pos and moves past it. The rdata the health check
 * looks into is checked here too, so later passes can trust it. */
static int read_rr(const uint8_t *buf, size_t len, size_t *pos, struct rr *rr)
{
	size_t p = *pos;
	int r = read_name(buf, len, &p, rr->owner, &rr->owner_len);

	if (r < 0)
		return r;
	if (len - p < 10)
		return -EBADMSG;
	rr->type = get_u16(buf + p);
	rr->class_ = get_u16(buf + p + 2);
	rr->rdlength = get_u16(buf + p + 8);
	p += 10;
	if (len - p < rr->rdlength)
		return -EBADMSG;
	rr->rdata = p;
	if (rr->class_ == DNS_CLASS_IN) {
		if ((rr->type == DNS_TYPE_A && rr->rdlength != 4) ||
		    (rr->type == DNS_TYPE_AAAA && rr->rdlength != 16))
			return -EBADMSG;
		if (rr->type == DNS_TYPE_CNAME) {
			uint8_t target[DNS_NAME_MAX];
			size_t q = p, target_len;

			if (read_name(buf, len, &q, target, &target_len) < 0 ||
			    q != p + rr->rdlength)
				return -EBADMSG;
		}
	}
	*pos = p + rr->rdlength;
	return 0;
}

static bool in_chain(uint8_t chain[][DNS_NAME_MAX], const size_t *chain_len, size_t links,
		     const uint8_t *name, size_t name_len)
{
	size_t i;

	for (i = 0; i < links; i++)
		if (names_equal(chain[i], chain_len[i], name, name_len))
			return true;
	return false;
}

/* Counts the answers to (qname, qtype), following CNAMEs from qname in
 * whatever order the server listed them. The section was read once already. */
static uint16_t count_answers(const uint8_t *buf, size_t len, size_t answers_at, uint16_t ancount,
			      const uint8_t *qname, size_t qname_len, uint16_t qtype)
{
	uint8_t chain[DNS_CHAIN_MAX + 1][DNS_NAME_MAX];
	size_t chain_len[DNS_CHAIN_MAX + 1], links = 1, pos, i;
	struct rr rr;
	uint16_t count = 0;
	bool grew = qtype != DNS_TYPE_CNAME;

	memcpy(chain[0], qname, qname_len);
	chain_len[0] = qname_len;
	while (grew && links <= DNS_CHAIN_MAX) {
		grew = false;
		for (pos = answers_at, i = 0; i < ancount && !grew; i++) {
			size_t q;

			if (read_rr(buf, len, &pos, &rr) < 0)
				return 0;
			if (rr.type != DNS_TYPE_CNAME || rr.class_ != DNS_CLASS_IN ||
			    !names_equal(rr.owner, rr.owner_len, chain[links - 1],
					 chain_len[links - 1]))
				continue;
			q = rr.rdata;
			if (read_name(buf, len, &q, chain[links], &chain_len[links]) < 0)
				return 0;
			/* A CNAME loop ends the chain, it does not extend it. */
			if (!in_chain(chain, chain_len, links, chain[links], chain_len[links]))
				grew = true;
		}
		if (grew)
			links++;
	}
	for (pos = answers_at, i = 0; i < ancount; i++) {
		if (read_rr(buf, len, &pos, &rr) < 0)
			return 0;
		if (rr.type == qtype && rr.class_ == DNS_CLASS_IN &&
		    in_chain(chain, chain_len, links, rr.owner, rr.owner_len))
			count++;
	}
	return count;
}

int dns_parse_reply(const uint8_t *buf, size_t len, const char *name, uint16_t id, uint16_t qtype,
		    struct dns_reply *ret)
{
	uint8_t qname[DNS_NAME_MAX], owner[DNS_NAME_MAX];
	size_t qname_len, owner_len, pos = DNS_HEADER_SIZE, answers_at;
	uint16_t flags, qdcount, ancount;
	uint32_t records, i;
	struct rr rr;
	bool ours;
	int r = encode_name(name, qname);

	if (r < 0)
		return r;
	qname_len = (size_t)r;
	if (!buf || len < DNS_HEADER_SIZE)
		return -EBADMSG;
	flags = get_u16(buf + 2);
	if (!(flags & DNS_FLAG_QR) || DNS_OPCODE(flags) != 0)
		return -EBADMSG;
	qdcount = get_u16(buf + 4);
	ancount = get_u16(buf + 6);
	records = (uint32_t)ancount + get_u16(buf + 8) + get_u16(buf + 10);

	/* Whose answer it is is decided only once all of it has been read. */
	ours = get_u16(buf) == id && qdcount == 1;
	for (i = 0; i < qdcount; i++) {
		if (read_name(buf, len, &pos, owner, &owner_len) < 0 || len - pos < 4)
			return -EBADMSG;
		if (!names_equal(owner, owner_len, qname, qname_len) ||
		    get_u16(buf + pos) != qtype || get_u16(buf + pos + 2) != DNS_CLASS_IN)
			ours = false;
		pos += 4;
	}
	answers_at = pos;
	for (i = 0; i < records; i++)
		if (read_rr(buf, len, &pos, &rr) < 0)
			return -EBADMSG;
	if (!ours)
		return -ESRCH;

	if (ret) {
		ret->id = id;
		ret->rcode = DNS_RCODE(flags);
		ret->truncated = flags & DNS_FLAG_TC;
		ret->answers = count_answers(buf, len, answers_at, ancount, qname, qname_len, qtype);
	}
	return 0;
}

const char *dns_rcode_to_string(uint8_t rcode)
{
	static const char *const names[] = {
		[0] = "NOERROR",
		[1] = "FORMERR",
		[2] = "SERVFAIL",
		[3] = "NXDOMAIN",
		[4] = "NOTIMP",
		[5] = "REFUSED",
	};
	static _Thread_local char other[sizeof("RCODE255")];

	if (rcode < sizeof(names) / sizeof(*names))
		return names[rcode];
	snprintf(other, sizeof(other), "RCODE%u", (unsigned)rcode);
	return other;
}
