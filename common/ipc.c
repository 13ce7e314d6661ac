/* Encoding and exact decoding of control messages. */
#include "ipc.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "config.h"
#include "enum_names.h"

static const char *const type_names[] = {
	[IPC_REQ_STATUS] = "status",
	[IPC_REQ_SUBSCRIBE] = "subscribe",
	[IPC_REQ_TAKEOVER] = "takeover",
	[IPC_REQ_RELEASE] = "release",
	[IPC_REQ_RELOAD] = "reload",
	[IPC_MSG_ERROR] = "error",
	[IPC_MSG_VIRTUAL] = "virtual",
	[IPC_MSG_REAL] = "real",
	[IPC_MSG_END] = "end",
	[IPC_MSG_HEALTH] = "health",
	[IPC_MSG_PEER] = "peer",
	[IPC_MSG_VIP_GROUP] = "vip",
	[IPC_MSG_SYNC] = "sync",
};

const char *ipc_type_to_string(enum ipc_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(*type_names) ? type_names[t] : NULL;
}

static const char *const sync_state_names[] = { "off", "master", "backup", "both" };

const char *ipc_sync_state(bool master, bool backup)
{
	return sync_state_names[(master ? 1 : 0) | (backup ? 2 : 0)];
}

static const char *const health_names[_IPC_HEALTH_MAX] = {
	[IPC_HEALTH_UNKNOWN] = "unknown",
	[IPC_HEALTH_UP] = "up",
	[IPC_HEALTH_DOWN] = "down",
	[IPC_HEALTH_DRAIN] = "drain",
};

static const char *const role_names[_IPC_ROLE_MAX] = {
	[IPC_ROLE_BACKUP] = "backup",
	[IPC_ROLE_MASTER] = "master",
	[IPC_ROLE_FAULT] = "fault",
};

ENUM_NAMES_DEFINE(ipc_health, enum ipc_health, health_names)
ENUM_NAMES_DEFINE(ipc_role, enum ipc_role, role_names)

/* A bounded writer: the first overflow sticks, so callers check once. */
struct writer {
	uint8_t *p;
	size_t size, len;
	int error;
};

static void put(struct writer *w, const void *data, size_t n)
{
	if (w->error)
		return;
	if (w->size - w->len < n) {
		w->error = -ENOSPC;
		return;
	}
	memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void put_u8(struct writer *w, uint8_t v) { put(w, &v, 1); }
static void put_u16(struct writer *w, uint16_t v) { v = htons(v); put(w, &v, 2); }
static void put_u32(struct writer *w, uint32_t v) { v = htonl(v); put(w, &v, 4); }

static void put_str(struct writer *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n >= max) {
		w->error = -EINVAL;
		return;
	}
	put_u16(w, (uint16_t)n);
	put(w, s, n);
}

static void put_endpoint(struct writer *w, const struct lvsd_endpoint *e)
{
	uint8_t raw[16] = { 0 };

	if (e->addr.family == AF_INET)
		memcpy(raw, &e->addr.in.v4, 4);
	else if (e->addr.family == AF_INET6)
		memcpy(raw, &e->addr.in.v6, 16);
	put_u8(w, e->addr.family == AF_INET ? 4 : e->addr.family == AF_INET6 ? 6 : 0);
	put(w, raw, sizeof(raw));
	put_u16(w, e->port);
}

/* A bounded reader: every get fails once anything is short or malformed. */
struct reader {
	const uint8_t *p;
	size_t len, pos;
	int error;
};

static void get(struct reader *r, void *data, size_t n)
{
	if (r->error)
		return;
	if (r->len - r->pos < n) {
		r->error = -EBADMSG;
		memset(data, 0, n);
		return;
	}
	memcpy(data, r->p + r->pos, n);
	r->pos += n;
}

static uint8_t get_u8(struct reader *r) { uint8_t v; get(r, &v, 1); return v; }
static uint16_t get_u16(struct reader *r) { uint16_t v; get(r, &v, 2); return ntohs(v); }
static uint32_t get_u32(struct reader *r) { uint32_t v; get(r, &v, 4); return ntohl(v); }

/* Strings must fit with their NUL and hold no NUL of their own. */
static void get_str(struct reader *r, char *s, size_t max)
{
	uint16_t n = get_u16(r);

	s[0] = 0;
	if (r->error)
		return;
	if (n >= max || r->len - r->pos < n || memchr(r->p + r->pos, 0, n)) {
		r->error = -EBADMSG;
		return;
	}
	memcpy(s, r->p + r->pos, n);
	s[n] = 0;
	r->pos += n;
}

/* Bytes an address does not use must be zero: one meaning, one encoding. */
static const uint8_t zero[16];

static void get_endpoint(struct reader *r, struct lvsd_endpoint *e)
{
	uint8_t family = get_u8(r);
	uint8_t raw[16];

	get(r, raw, sizeof(raw));
	memset(e, 0, sizeof(*e));
	e->port = get_u16(r);
	if (family == 4 && memcmp(raw + 4, zero, 12) == 0) {
		e->addr.family = AF_INET;
		memcpy(&e->addr.in.v4, raw, 4);
	} else if (family == 6) {
		e->addr.family = AF_INET6;
		memcpy(&e->addr.in.v6, raw, 16);
	} else if (family != 0 || memcmp(raw, zero, 16) != 0) {
		r->error = -EBADMSG;
	}
}

static void encode_payload(struct writer *w, const struct ipc_message *m)
{
	switch (m->type) {
	case IPC_REQ_STATUS:
	case IPC_REQ_SUBSCRIBE:
	case IPC_REQ_RELOAD:
		break;
	case IPC_REQ_TAKEOVER:
	case IPC_REQ_RELEASE:
		put_str(w, m->group.name, sizeof(m->group.name));
		break;
	case IPC_MSG_ERROR:
		put_u32(w, (uint32_t)m->error.error);
		put_str(w, m->error.text, sizeof(m->error.text));
		break;
	case IPC_MSG_VIRTUAL:
		put_str(w, m->virtual_.name, sizeof(m->virtual_.name));
		put_endpoint(w, &m->virtual_.endpoint);
		put_u32(w, m->virtual_.fwmark);
		put_u8(w, m->virtual_.protocol);
		put_str(w, m->virtual_.scheduler, sizeof(m->virtual_.scheduler));
		put_u32(w, (uint32_t)m->virtual_.error);
		break;
	case IPC_MSG_REAL:
		put_str(w, m->real.virtual_name, sizeof(m->real.virtual_name));
		put_str(w, m->real.name, sizeof(m->real.name));
		put_endpoint(w, &m->real.endpoint);
		put_u8(w, m->real.health);
		put_u8(w, m->real.forward);
		put_u32(w, m->real.weight);
		put_u32(w, m->real.active);
		put_u32(w, m->real.inactive);
		put_u32(w, (uint32_t)m->real.error);
		break;
	case IPC_MSG_END:
		put_u32(w, m->end.count);
		break;
	case IPC_MSG_HEALTH:
		put_str(w, m->health.virtual_name, sizeof(m->health.virtual_name));
		put_str(w, m->health.name, sizeof(m->health.name));
		put_endpoint(w, &m->health.endpoint);
		put_u8(w, m->health.health);
		put_u8(w, m->health.check);
		put_u8(w, m->health.last_ok);
		put_u32(w, m->health.latency_usec);
		put_u32(w, m->health.checks);
		put_str(w, m->health.reason, sizeof(m->health.reason));
		break;
	case IPC_MSG_PEER:
		put_str(w, m->peer.name, sizeof(m->peer.name));
		put_u8(w, m->peer.alive);
		put_u8(w, m->peer.self);
		put_u8(w, m->peer.priority);
		break;
	case IPC_MSG_VIP_GROUP:
		put_str(w, m->vip.name, sizeof(m->vip.name));
		put_u8(w, m->vip.role);
		put_str(w, m->vip.holder, sizeof(m->vip.holder));
		put_str(w, m->vip.addresses, sizeof(m->vip.addresses));
		break;
	case IPC_MSG_SYNC:
		put_u8(w, m->sync.master);
		put_u8(w, m->sync.backup);
		put_u8(w, m->sync.transport);
		put_str(w, m->sync.interface, sizeof(m->sync.interface));
		put_u8(w, m->sync.syncid);
		put_u8(w, m->sync.roles_known);
		break;
	default:
		w->error = -EINVAL;
	}
}

int ipc_encode(const struct ipc_message *m, uint8_t *buf, size_t size)
{
	struct writer w = { .p = buf, .size = size };
	size_t payload;

	put_u8(&w, IPC_VERSION);
	put_u8(&w, (uint8_t)m->type);
	put_u16(&w, 0);
	put_u32(&w, 0);  /* length, filled in below */
	encode_payload(&w, m);
	if (w.error)
		return w.error;
	payload = w.len - IPC_HEADER_SIZE;
	buf[4] = (uint8_t)(payload >> 24);
	buf[5] = (uint8_t)(payload >> 16);
	buf[6] = (uint8_t)(payload >> 8);
	buf[7] = (uint8_t)payload;
	return (int)w.len;
}

int ipc_decode(const uint8_t *buf, size_t len, struct ipc_message *ret)
{
	struct reader r = { .p = buf, .len = len };
	uint8_t version, type;
	uint16_t reserved;
	uint32_t length;

	memset(ret, 0, sizeof(*ret));
	version = get_u8(&r);
	type = get_u8(&r);
	reserved = get_u16(&r);
	length = get_u32(&r);
	if (r.error || reserved != 0)
		return -EBADMSG;
	if (version != IPC_VERSION)
		return -EPROTONOSUPPORT;
	if (length != len - IPC_HEADER_SIZE)
		return -EBADMSG;

	ret->type = type;
	switch (type) {
	case IPC_REQ_STATUS:
	case IPC_REQ_SUBSCRIBE:
	case IPC_REQ_RELOAD:
		break;
	case IPC_REQ_TAKEOVER:
	case IPC_REQ_RELEASE:
		get_str(&r, ret->group.name, sizeof(ret->group.name));
		break;
	case IPC_MSG_ERROR:
		ret->error.error = (int32_t)get_u32(&r);
		get_str(&r, ret->error.text, sizeof(ret->error.text));
		break;
	case IPC_MSG_VIRTUAL:
		get_str(&r, ret->virtual_.name, sizeof(ret->virtual_.name));
		get_endpoint(&r, &ret->virtual_.endpoint);
		ret->virtual_.fwmark = get_u32(&r);
		ret->virtual_.protocol = get_u8(&r);
		get_str(&r, ret->virtual_.scheduler, sizeof(ret->virtual_.scheduler));
		ret->virtual_.error = (int32_t)get_u32(&r);
		break;
	case IPC_MSG_REAL:
		get_str(&r, ret->real.virtual_name, sizeof(ret->real.virtual_name));
		get_str(&r, ret->real.name, sizeof(ret->real.name));
		get_endpoint(&r, &ret->real.endpoint);
		ret->real.health = get_u8(&r);
		ret->real.forward = get_u8(&r);
		ret->real.weight = get_u32(&r);
		ret->real.active = get_u32(&r);
		ret->real.inactive = get_u32(&r);
		ret->real.error = (int32_t)get_u32(&r);
		if (ret->real.health >= _IPC_HEALTH_MAX)
			r.error = -EBADMSG;
		break;
	case IPC_MSG_END:
		ret->end.count = get_u32(&r);
		break;
	case IPC_MSG_HEALTH:
		get_str(&r, ret->health.virtual_name, sizeof(ret->health.virtual_name));
		get_str(&r, ret->health.name, sizeof(ret->health.name));
		get_endpoint(&r, &ret->health.endpoint);
		ret->health.health = get_u8(&r);
		ret->health.check = get_u8(&r);
		ret->health.last_ok = get_u8(&r);
		ret->health.latency_usec = get_u32(&r);
		ret->health.checks = get_u32(&r);
		get_str(&r, ret->health.reason, sizeof(ret->health.reason));
		if (ret->health.health >= _IPC_HEALTH_MAX || ret->health.last_ok > 1)
			r.error = -EBADMSG;
		break;
	case IPC_MSG_PEER:
		get_str(&r, ret->peer.name, sizeof(ret->peer.name));
		ret->peer.alive = get_u8(&r);
		ret->peer.self = get_u8(&r);
		ret->peer.priority = get_u8(&r);
		if (ret->peer.alive > 1 || ret->peer.self > 1)
			r.error = -EBADMSG;
		break;
	case IPC_MSG_VIP_GROUP:
		get_str(&r, ret->vip.name, sizeof(ret->vip.name));
		ret->vip.role = get_u8(&r);
		get_str(&r, ret->vip.holder, sizeof(ret->vip.holder));
		get_str(&r, ret->vip.addresses, sizeof(ret->vip.addresses));
		if (ret->vip.role >= _IPC_ROLE_MAX)
			r.error = -EBADMSG;
		break;
	case IPC_MSG_SYNC:
		ret->sync.master = get_u8(&r);
		ret->sync.backup = get_u8(&r);
		ret->sync.transport = get_u8(&r);
		get_str(&r, ret->sync.interface, sizeof(ret->sync.interface));
		ret->sync.syncid = get_u8(&r);
		ret->sync.roles_known = get_u8(&r);
		if (ret->sync.master > 1 || ret->sync.backup > 1 || ret->sync.roles_known > 1 ||
		    ret->sync.transport > SYNC_MULTICAST)
			r.error = -EBADMSG;
		break;
	default:
		return -EBADMSG;
	}
	if (r.error || r.pos != len)
		return -EBADMSG;
	return 0;
}
