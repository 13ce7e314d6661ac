/* The messages lvsd's daemons and lvsctl exchange on control sockets.
 *
 * Every message: an 8-byte header (version, type, reserved, payload length;
 * network byte order) and a payload of fixed-order fields. Strings are a
 * 16-bit length and bytes, addresses a family byte and 16 address bytes.
 * Decoding checks every length exactly: a message is accepted whole or not
 * at all. One SOCK_SEQPACKET record carries one message. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define IPC_VERSION 1
#define IPC_HEADER_SIZE 8
#define IPC_MAX_MESSAGE 4096
#define IPC_NAME_MAX 128

enum ipc_type {
	/* Requests: client -> daemon. */
	IPC_REQ_STATUS = 1,       /* snapshot of the daemon's state, then END */
	IPC_REQ_SUBSCRIBE = 2,    /* snapshot, END, then every change */
	IPC_REQ_TAKEOVER = 3,     /* heartbeatd: hold this VIP group ("" all), END */
	IPC_REQ_RELEASE = 4,      /* heartbeatd: hand it to a peer ("" all), END */
	IPC_REQ_RELOAD = 5,       /* re-read the configuration: END, or ERROR saying why not */

	/* Answers and publications: daemon -> client. */
	IPC_MSG_ERROR = 64,       /* the request failed: errno and text */
	IPC_MSG_VIRTUAL = 65,     /* one virtual service */
	IPC_MSG_REAL = 66,        /* one real server of the last VIRTUAL */
	IPC_MSG_END = 67,         /* end of a snapshot */
	IPC_MSG_HEALTH = 68,      /* healthd: one real server's health */
	IPC_MSG_PEER = 69,        /* heartbeatd: one director */
	IPC_MSG_VIP_GROUP = 70,   /* heartbeatd: one VIP group */
	IPC_MSG_SYNC = 71,        /* syncd: the kernel's sync daemons here */
};

const char *ipc_type_to_string(enum ipc_type t);

enum ipc_health {
	IPC_HEALTH_UNKNOWN,
	IPC_HEALTH_UP,
	IPC_HEALTH_DOWN,
	IPC_HEALTH_DRAIN,
	_IPC_HEALTH_MAX,
};

/* A real server's health, or a VIP group's role, by name: a value
 * outside the enum prints as "?", never as another value's name;
 * from_string returns the value or -EINVAL. */
const char *ipc_health_to_string(enum ipc_health h);
int ipc_health_from_string(const char *s);

/* A director's role in a VIP group. heartbeatd's enum hb_role, which its
 * heartbeats carry, has the same values. */
enum ipc_role {
	IPC_ROLE_BACKUP,
	IPC_ROLE_MASTER,
	IPC_ROLE_FAULT,
	_IPC_ROLE_MAX,
};

const char *ipc_role_to_string(enum ipc_role r);
int ipc_role_from_string(const char *s);

struct ipc_virtual {
	char name[IPC_NAME_MAX];
	struct lvsd_endpoint endpoint;  /* zero for fwmark services */
	uint32_t fwmark;
	uint8_t protocol;               /* enum lvsd_protocol */
	char scheduler[16];
	int32_t error;                  /* last kernel error on it, 0 = none */
};

struct ipc_real {
	char virtual_name[IPC_NAME_MAX];
	char name[IPC_NAME_MAX];
	struct lvsd_endpoint endpoint;
	uint8_t health;                 /* enum ipc_health */
	uint8_t forward;                /* enum lvsd_forward */
	uint32_t weight;                /* as in the kernel */
	uint32_t active, inactive;
	int32_t error;
};

/* A real server's health as healthd sees it. A snapshot holds one per
 * configured real server; a subscriber then gets one per change. */
struct ipc_health_report {
	char virtual_name[IPC_NAME_MAX];
	char name[IPC_NAME_MAX];
	struct lvsd_endpoint endpoint;
	uint8_t health;                 /* enum ipc_health: unknown, up, down */
	uint8_t check;                  /* enum lvsd_check_type */
	uint8_t last_ok;                /* result of the last check: 1 passed */
	uint32_t latency_usec;          /* of the last check */
	uint32_t checks;                /* checks run since healthd started */
	char reason[IPC_NAME_MAX];      /* why the last check failed, or "" */
};

/* A director as heartbeatd sees it (itself included). */
struct ipc_peer {
	char name[IPC_NAME_MAX];
	uint8_t alive;
	uint8_t self;
	uint8_t priority;
};

/* A VIP group: this director's role in it and who holds it. */
struct ipc_vip_group {
	char name[IPC_NAME_MAX];
	uint8_t role;                   /* enum ipc_role */
	char holder[IPC_NAME_MAX];      /* "" when nobody */
	char addresses[512];            /* "192.0.2.50/24 2001:db8::50/64" */
};

/* The kernel's sync daemons on this director, as syncd runs them. */
struct ipc_sync {
	uint8_t master, backup;         /* running: 1 */
	uint8_t transport;              /* enum lvsd_sync_transport */
	char interface[16];
	uint8_t syncid;
	uint8_t roles_known;            /* heartbeatd has told syncd the roles */
};

/* What a director's kernel sync daemons do, as DESIGN's "sync" state:
 * "off", "master" (sends), "backup" (receives) or "both". */
const char *ipc_sync_state(bool master, bool backup);

/* The VIP group a TAKEOVER or RELEASE is about; "" for every group. */
struct ipc_group_request {
	char name[IPC_NAME_MAX];
};

struct ipc_error {
	int32_t error;                  /* negative errno */
	char text[256];
};

struct ipc_end {
	uint32_t count;                 /* messages in the snapshot */
};

struct ipc_message {
	enum ipc_type type;
	union {
		struct ipc_virtual virtual_;
		struct ipc_real real;
		struct ipc_error error;
		struct ipc_end end;
		struct ipc_health_report health;
		struct ipc_peer peer;
		struct ipc_vip_group vip;
		struct ipc_sync sync;
		struct ipc_group_request group;
	};
};

/* Encodes m into buf; returns the length or -ENOSPC / -EINVAL. */
int ipc_encode(const struct ipc_message *m, uint8_t *buf, size_t size);

/* Decodes exactly len bytes; returns 0 or -EBADMSG (-EPROTONOSUPPORT for
 * another version). Never reads past len, never aborts. */
int ipc_decode(const uint8_t *buf, size_t len, struct ipc_message *ret);
