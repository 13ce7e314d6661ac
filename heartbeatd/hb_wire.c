/* Heartbeat packets: encoding, authentication, strict decoding. */
#include "hb_wire.h"

#include "big_endian.h"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define HEADER_SIZE 29

/* The configuration refuses names and groups heartbeats cannot carry. */
_Static_assert(HB_NAME_MAX == LVSD_HB_NAME_MAX, "name limits differ");
_Static_assert(HB_MAX_GROUPS == LVSD_HB_MAX_GROUPS, "group limits differ");
_Static_assert(HB_PACKET_MAX - HEADER_SIZE - 2 * (1 + HB_NAME_MAX) - 1 - HMAC_SIZE == LVSD_HB_GROUP_BYTES,
	       "the groups' room differs");

/* Names: 1..HB_NAME_MAX printable bytes, no spaces (they appear in logs). */
static bool name_ok(const uint8_t *s, size_t n, bool may_be_empty)
{
	return n == 0 ? may_be_empty : lvsd_heartbeat_name_ok((const char *)s, n);
}

static int put_name(uint8_t *buf, size_t size, size_t *pos, const char *name, bool may_be_empty)
{
	size_t n = strnlen(name, HB_NAME_MAX + 1);

	if (!name_ok((const uint8_t *)name, n, may_be_empty))
		return -EINVAL;
	if (size - *pos < n + 1)
		return -ENOSPC;
	buf[(*pos)++] = (uint8_t)n;
	memcpy(buf + *pos, name, n);
	*pos += n;
	return 0;
}

int hb_encode(const struct hb_packet *p, struct hmac *key, uint8_t *buf, size_t size)
{
	size_t pos = HEADER_SIZE;
	int r;

	if (size > HB_PACKET_MAX)
		size = HB_PACKET_MAX;
	if (size < HEADER_SIZE + HMAC_SIZE)
		return -ENOSPC;
	if ((p->type != HB_ALIVE && p->type != HB_HANDOVER) || p->n_groups > HB_MAX_GROUPS || !p->interval_usec)
		return -EINVAL;
	memcpy(buf, HB_MAGIC, 4);
	buf[4] = HB_VERSION;
	buf[5] = p->type;
	be_put16(buf + 6, p->flags);
	be_put64(buf + 8, p->epoch);
	be_put64(buf + 16, p->seq);
	buf[24] = p->priority;
	be_put32(buf + 25, p->interval_usec);
	if ((r = put_name(buf, size, &pos, p->sender, false)) < 0)
		return r;
	if (pos == size)
		return -ENOSPC;
	buf[pos++] = p->n_groups;
	for (unsigned i = 0; i < p->n_groups; i++) {
		if ((r = put_name(buf, size, &pos, p->groups[i].name, false)) < 0)
			return r;
		if (size - pos < 2)
			return -ENOSPC;
		if (p->groups[i].role > HB_ROLE_FAULT || p->groups[i].intent > HB_INTENT_YIELDS)
			return -EINVAL;
		buf[pos++] = p->groups[i].role;
		buf[pos++] = p->groups[i].intent;
	}
	if ((r = put_name(buf, size, &pos, p->type == HB_HANDOVER ? p->target : "", p->type != HB_HANDOVER)) < 0)
		return r;
	if (size - pos < HMAC_SIZE)
		return -ENOSPC;
	if ((r = hmac_compute(key, buf, pos, buf + pos)) < 0)
		return r;
	return (int)(pos + HMAC_SIZE);
}

static int get_name(const uint8_t *buf, size_t end, size_t *pos, char *out, bool may_be_empty)
{
	size_t n;

	if (*pos >= end)
		return -EBADMSG;
	n = buf[(*pos)++];
	if (end - *pos < n || !name_ok(buf + *pos, n, may_be_empty))
		return -EBADMSG;
	memcpy(out, buf + *pos, n);
	out[n] = 0;
	*pos += n;
	return 0;
}

int hb_decode(const uint8_t *buf, size_t len, struct hmac *key, struct hb_packet *ret)
{
	size_t end, pos = HEADER_SIZE;

	memset(ret, 0, sizeof(*ret));
	if (len < HEADER_SIZE + HMAC_SIZE || len > HB_PACKET_MAX || memcmp(buf, HB_MAGIC, 4) != 0)
		return -EBADMSG;
	if (buf[4] != HB_VERSION)
		return -EPROTONOSUPPORT;
	end = len - HMAC_SIZE;
	/* Nothing from an unauthenticated packet is looked at further. */
	if (hmac_verify(key, buf, end, buf + end) < 0)
		return -EPERM;

	ret->type = buf[5];
	ret->flags = be_get16(buf + 6);
	ret->epoch = be_get64(buf + 8);
	ret->seq = be_get64(buf + 16);
	ret->priority = buf[24];
	ret->interval_usec = be_get32(buf + 25);
	if ((ret->type != HB_ALIVE && ret->type != HB_HANDOVER) || !ret->interval_usec)
		return -EBADMSG;
	if (get_name(buf, end, &pos, ret->sender, false) < 0 || pos >= end)
		return -EBADMSG;
	ret->n_groups = buf[pos++];
	if (ret->n_groups > HB_MAX_GROUPS)
		return -EBADMSG;
	for (unsigned i = 0; i < ret->n_groups; i++) {
		if (get_name(buf, end, &pos, ret->groups[i].name, false) < 0 || end - pos < 2)
			return -EBADMSG;
		ret->groups[i].role = buf[pos++];
		ret->groups[i].intent = buf[pos++];
		if (ret->groups[i].role > HB_ROLE_FAULT || ret->groups[i].intent > HB_INTENT_YIELDS)
			return -EBADMSG;
	}
	if (get_name(buf, end, &pos, ret->target, ret->type != HB_HANDOVER) < 0)
		return -EBADMSG;
	if (ret->type == HB_ALIVE && ret->target[0])
		return -EBADMSG;
	return pos == end ? 0 : -EBADMSG;
}

enum hb_seen_verdict hb_seen_check(struct hb_seen *s, uint64_t epoch, uint64_t seq)
{
	uint64_t age, bit;

	if (!s->any || epoch > s->epoch) {
		*s = (struct hb_seen){ .any = true, .epoch = epoch, .seq = seq, .window = 1 };
		return HB_SEEN_NEW;
	}
	if (epoch < s->epoch)
		return HB_SEEN_OLD;
	if (seq > s->seq) {
		uint64_t ahead = seq - s->seq;

		s->window = ahead >= HB_SEEN_WINDOW ? 1 : s->window << ahead | 1;
		s->seq = seq;
		return HB_SEEN_NEW;
	}
	age = s->seq - seq;
	if (age >= HB_SEEN_WINDOW)
		return HB_SEEN_OLD;
	bit = 1ULL << age;
	s->window |= bit;
	return HB_SEEN_RECENT;
}
