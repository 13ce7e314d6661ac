/* The heartbeat packet: what one director tells the others, every interval,
 * on every heartbeat link.
 *
 *   0  "LVHB"   4  version (2)   5  type   6  flags (16 bits)
 *   8  epoch (64 bits: the sender's start, microseconds since 1970)
 *  16  sequence (64 bits, from 1 in each epoch)
 *  24  priority
 *  25  interval (32 bits, microseconds: when the next heartbeat is due)
 *  29  sender name (length byte + bytes)
 *      group count, then per VIP group: name (length byte + bytes), role,
 *      intent
 *      handover target (length byte + bytes; HB_HANDOVER only)
 *  ... HMAC-SHA256 of all the bytes before it (32 bytes)
 *
 * Network byte order. A packet is accepted whole or not at all: the MAC is
 * checked before anything is parsed, then every length exactly. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster_key.h"

#define HB_MAGIC "LVHB"
#define HB_VERSION 2
#define HB_NAME_MAX 63
#define HB_MAX_GROUPS 64
#define HB_PACKET_MAX 1400   /* one datagram on any link */

enum hb_type {
	HB_ALIVE = 1,        /* I am here, with these roles */
	HB_HANDOVER = 2,     /* I am leaving: target, take my groups now */
};

enum hb_role {
	HB_ROLE_BACKUP = 0,
	HB_ROLE_MASTER = 1,
	HB_ROLE_FAULT = 2,
};

/* What an administrator asked of a director for a group (lvsctl). */
enum hb_intent {
	HB_INTENT_NONE = 0,
	HB_INTENT_WANTS = 1,        /* takeover: hold it, ahead of preferred */
	HB_INTENT_YIELDS = 2,       /* release: do not hold it */
};

#define HB_FLAG_FIT 0x0001      /* ready to hold groups: started (a group whose
                                 * interfaces are down: its role is FAULT) */
#define HB_FLAG_LEAVING 0x0002  /* stopping: do not count on me */
#define HB_FLAG_PING_OK 0x0004  /* reaches a ping node (or the cluster has none) */

struct hb_group {
	char name[HB_NAME_MAX + 1];
	uint8_t role;               /* enum hb_role */
	uint8_t intent;             /* enum hb_intent */
};

struct hb_packet {
	uint8_t type;
	uint16_t flags;
	uint64_t epoch, seq;
	uint8_t priority;
	/* The sender's own interval: a receiver whose configuration is not
	 * (yet) the same, as during a reload rolled out director by director,
	 * still knows when to expect the next one. */
	uint32_t interval_usec;
	char sender[HB_NAME_MAX + 1];
	uint8_t n_groups;
	struct hb_group groups[HB_MAX_GROUPS];
	char target[HB_NAME_MAX + 1];  /* HB_HANDOVER: who takes over */
};

struct hmac;

/* Encodes and signs p into buf; returns the length, -ENOSPC or -EINVAL. */
int hb_encode(const struct hb_packet *p, struct hmac *key, uint8_t *buf, size_t size);

/* Checks and decodes exactly len bytes: 0, -EBADMSG (malformed),
 * -EPERM (MAC mismatch: wrong key or forged), -EPROTONOSUPPORT (another
 * version). Never reads past len. */
int hb_decode(const uint8_t *buf, size_t len, struct hmac *key, struct hb_packet *ret);

/* Replay protection: the newest (epoch, sequence) seen from one sender,
 * and which of the HB_SEEN_WINDOW sequence numbers before it were seen
 * too (bit i: seq - i), as the same heartbeat comes once per link and
 * links may deliver out of order. */
#define HB_SEEN_WINDOW 64
struct hb_seen {
	bool any;
	uint64_t epoch, seq;
	uint64_t window;
};

enum hb_seen_verdict {
	HB_SEEN_NEW,     /* newer than anything seen: recorded, to be used */
	HB_SEEN_RECENT,  /* a copy, or a late one within the window: nothing new */
	HB_SEEN_OLD,     /* an earlier epoch, or older than the window: a replay */
};

/* New: a later epoch (the sender restarted) or a later sequence in the
 * same one. */
enum hb_seen_verdict hb_seen_check(struct hb_seen *s, uint64_t epoch, uint64_t seq);
