/* lvsd.conf as typed, immutable structs.
 *
 * config_load() parses and validates the whole file; nothing else in lvsd sees
 * libconfuse. A loaded config is never modified: a reload loads a new one,
 * compares, and swaps. Durations are in microseconds (the unit of sd-event). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define LVSD_DEFAULT_CONFIG "/etc/lvsd/lvsd.conf"
#define LVSD_DEFAULT_KEY_FILE "/etc/lvsd/cluster.key"

/* Largest "first->last" real-server range accepted. */
#define LVSD_MAX_RANGE 4096
/* What a heartbeat can carry (heartbeatd/hb_wire.h): director and vip
 * names of at most LVSD_HB_NAME_MAX printable bytes without spaces, at most
 * LVSD_HB_MAX_GROUPS vip groups, whose names and 3 bytes each fit in
 * LVSD_HB_GROUP_BYTES (a datagram of 1400 bytes less the rest). */
#define LVSD_HB_NAME_MAX 63
#define LVSD_HB_MAX_GROUPS 64
#define LVSD_HB_GROUP_BYTES 1210

/* A name a heartbeat carries: the n bytes at s, 1 to LVSD_HB_NAME_MAX of
 * them, printable, no spaces. The configuration and the wire's decoder
 * judge by this one rule. */
static inline bool lvsd_heartbeat_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > LVSD_HB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

enum lvsd_protocol { PROTO_TCP, PROTO_UDP, PROTO_SCTP };
enum lvsd_forward { FWD_DR, FWD_NAT, FWD_TUN };
enum lvsd_sync_transport { SYNC_UNICAST, SYNC_MULTICAST };
enum lvsd_http_method { HTTP_GET, HTTP_HEAD };

enum lvsd_check_type {
	CHECK_NONE,     /* no health management: always in the table */
	CHECK_ON,       /* always up, no check runs */
	CHECK_OFF,      /* always down, no check runs */
	CHECK_PING,
	CHECK_TCP,
	CHECK_HTTP,
	CHECK_HTTPS,
	CHECK_DNS,
	CHECK_SMTP,
	CHECK_EXTERNAL,
};

/* Scheduler flag bits, numerically IPVS's IP_VS_SVC_F_SCHED1..3. */
#define LVSD_SCHED_FLAG1 0x0008u
#define LVSD_SCHED_FLAG2 0x0010u
#define LVSD_SCHED_FLAG3 0x0020u

/* Names of the configuration's enums (string tables in config_values.c over
 * enum_names.h): an out-of-range value prints as "?"; from_string gives
 * the value or -EINVAL. */
const char *protocol_to_string(enum lvsd_protocol p);
int protocol_from_string(const char *s);
const char *forward_to_string(enum lvsd_forward f);
int forward_from_string(const char *s);
const char *check_type_to_string(enum lvsd_check_type t);
int check_type_from_string(const char *s);
const char *sync_transport_to_string(enum lvsd_sync_transport t);
int sync_transport_from_string(const char *s);
const char *http_method_to_string(enum lvsd_http_method m);
int http_method_from_string(const char *s);

struct string_pool;

struct lvsd_check {
	enum lvsd_check_type type;
	uint16_t port;            /* 0: the real server's port */
	uint64_t interval_usec;
	uint64_t timeout_usec;
	unsigned rise, fall;
	const char *request;
	const char *receive;      /* extended regex, "" = any */
	uint16_t status_min, status_max;
	const char *virtualhost;
	enum lvsd_http_method method;
	const char *ca_file;
	const char *command;
};

struct lvsd_real {
	const char *name;         /* a range's members: "pool@192.0.2.21" */
	struct lvsd_endpoint endpoint;  /* port resolved from the virtual if absent */
	unsigned weight;          /* 0..65535 */
	enum lvsd_forward forward;
	struct lvsd_check check;  /* own check block, else the virtual's */
	unsigned line;            /* of its address */
};

struct lvsd_virtual {
	const char *name;
	uint32_t fwmark;          /* non-zero: firewall-mark service, no endpoint */
	int family;               /* AF_INET/AF_INET6 (fwmark: from its reals) */
	struct lvsd_endpoint endpoint;
	enum lvsd_protocol protocol;
	const char *scheduler;
	uint32_t sched_flags;     /* LVSD_SCHED_FLAG* */
	uint32_t persistent_sec;  /* 0 = off */
	unsigned netmask_prefix;  /* persistence granularity, prefix length */
	bool ops;
	enum lvsd_forward forward;
	bool quiescent;
	bool has_fallback;
	struct lvsd_endpoint fallback;
	struct lvsd_check check;
	struct lvsd_real *reals;  /* ranges expanded, file order */
	size_t n_reals;
	unsigned line;
};

struct lvsd_cluster {
	const char *key_file;
	uint16_t port;
	uint64_t interval_usec;
	unsigned dead_after;
	bool failback;
	uint64_t failback_delay_usec;
	struct lvsd_addr *ping;
	size_t n_ping;
	bool realtime;
	/* Heartbeat groups; family 0 when unset (unicast to each peer). */
	struct lvsd_addr multicast4, multicast6;
};

struct lvsd_director {
	const char *name;
	struct lvsd_addr *addresses;
	size_t n_addresses;
	unsigned priority;        /* 1..254 */
	unsigned line;
};

struct lvsd_vip_address {
	struct lvsd_addr addr;
	unsigned prefixlen;
	const char *dev;          /* the vip's interface unless "dev X" was given */
};

struct lvsd_vip {
	const char *name;
	struct lvsd_vip_address *addresses;
	size_t n_addresses;
	const char *interface;
	const char *preferred;    /* NULL or a director's name */
	unsigned garp_count;
	uint64_t garp_interval_usec;
	uint64_t garp_refresh_usec;
	unsigned line;
};

struct lvsd_sync {
	bool enabled;             /* a sync { } block is present */
	const char *interface;
	unsigned id;              /* 0..255 */
	enum lvsd_sync_transport transport;
	uint16_t port;
	struct lvsd_addr group;
};

struct lvsd_config {
	/* Every string of the configuration lives here, shared where equal
	 * (a real's check texts are its virtual's); freed by config_free(). */
	struct string_pool *strings;
	const char *path;
	int log_level;            /* LOG_DEBUG..LOG_ERR */
	bool flush_on_stop;
	uint64_t reconcile_interval_usec;
	struct lvsd_cluster cluster;
	struct lvsd_director *directors;
	size_t n_directors;
	struct lvsd_vip *vips;
	size_t n_vips;
	struct lvsd_sync sync;
	struct lvsd_virtual *virtuals;
	size_t n_virtuals;
};

/* Problems found in a file, each "FILE:LINE: message", in file order. Of
 * them, n_warnings are warnings, "FILE:LINE: warning: message": valid, but
 * likely a mistake (a scheduler no kernel ships, say). */
struct config_errors {
	char **lines;
	bool *warning;            /* whether lines[i] is a warning */
	size_t n;
	size_t n_warnings;
};

/* Parses and validates path. On success returns 0 and *ret (free with
 * config_free); errors then holds its warnings, if any. On failure returns
 * -EINVAL (errors describes every problem found, warnings included) or
 * another negative errno (file unreadable: described in errors too). */
int config_load(const char *path, struct lvsd_config **ret, struct config_errors *errors);
void config_free(struct lvsd_config *c);
/* Every field of every virtual and real, as text. */
void config_dump(const struct lvsd_config *c, FILE *f);
/* All a loading of path gives, as text: its result, its report, and the
 * configuration's config_dump(). NULL when out of memory; free() it. */
char *config_load_description(const char *path);
void config_errors_clear(struct config_errors *e);
/* What -t and lvsctl check-config print of config_load()'s r and errors:
 * every problem on stderr, then, if it loaded, "PATH: configuration OK" on
 * stdout (with the number of warnings, if any). */
void config_print_verdict(const char *path, int r, const struct config_errors *errors);

const struct lvsd_virtual *config_find_virtual(const struct lvsd_config *c, const char *name);
const struct lvsd_director *config_find_director(const struct lvsd_config *c, const char *name);
const struct lvsd_vip *config_find_vip(const struct lvsd_config *c, const char *name);

/* Parses "100ms", "2s", "1m", "1h", or a bare number of seconds; -EINVAL. */
int duration_parse(const char *text, uint64_t *ret_usec);
