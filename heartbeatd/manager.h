/* heartbeatd's one object: configuration, heartbeat links, what each peer
 * said, the role of this director in every VIP group, event sources. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <systemd/sd-event.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "daemon.h"
#include "hb_wire.h"
#include "role_fsm.h"

struct vip_netlink;
struct ping_nodes;

struct peer {
	const struct lvsd_director *director;
	bool alive;
	bool fit, leaving, ping_ok;
	uint64_t last_heard_usec, alive_since_usec;
	struct hb_seen seen;
	uint8_t priority;
	uint64_t interval_usec;         /* its own, as its heartbeats say */
	uint8_t *roles;                 /* per VIP group: the role it says it has
	                                 * (enum hb_role; FAULT: its interfaces for
	                                 * the group are down) */
	uint8_t *intents;               /* per VIP group: enum hb_intent */
};

struct group {
	const struct lvsd_vip *vip;
	struct role_machine machine;    /* this director's role in it */
	enum hb_intent intent;          /* lvsctl takeover / release on this director */
	unsigned announcements_left;
	sd_event_source *announce_timer;
};

struct link {
	int fd;                         /* bound to the local address: sends, hears unicast */
	sd_event_source *io;            /* on the socket that hears (above 10 ms) */
	struct lvsd_addr local;
	struct manager *manager;
	unsigned index;
	/* With a multicast group of the link's family: heartbeats go to the
	 * group, and mfd (bound to it, joined on the local address's
	 * interface) hears them. mfd is -1 and group.family 0 otherwise. */
	struct lvsd_addr group;
	int mfd;
	/* When each socket was last read empty (CLOCK_MONOTONIC usec): the
	 * earliest a packet still in it can have arrived. */
	uint64_t fd_empty_usec, mfd_empty_usec;
};

/* Where links.c reads heartbeats into, a batch per system call; one for
 * every link, as they are read one at a time. */
#define LINKS_BATCH 8
struct links_inbox {
	uint8_t bufs[LINKS_BATCH][HB_PACKET_MAX + 1];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} control[LINKS_BATCH];
	struct sockaddr_storage from[LINKS_BATCH];
	struct iovec iov[LINKS_BATCH];
	struct mmsghdr msgs[LINKS_BATCH];
};

struct drop_counters {
	unsigned long bad_mac, unknown_sender, replayed, malformed;
	/* Warnings are rate-limited per kind of drop. */
	uint64_t warned_bad_mac, warned_unknown_sender, warned_replayed, warned_malformed;
};

struct manager {
	const struct daemon_options *opts;
	sd_event *event;                /* the skeleton's, as opts and ctl */
	struct ctl_server *ctl;
	sd_event_source *tick;
	int tick_fd;

	struct lvsd_config *config;
	size_t self;                    /* index of this director */
	struct hmac *hmac;
	struct link *links;
	size_t n_links;
	struct peer *peers;             /* indexed like config->directors */
	struct group *groups;           /* indexed like config->vips */
	struct vip_netlink *nl;
	struct ping_nodes *ping;        /* NULL without ping nodes */

	uint64_t epoch, seq;
	struct hb_packet outgoing;      /* the next heartbeat */
	uint64_t started_usec;
	bool settled;                   /* waited a dead time after start */
	bool heard_news;                /* a peer said something new: decide again */
	/* When this process last resumed after missing half a dead time of
	 * ticks (not scheduled for a while): the heartbeats of that while
	 * may be lost to a full socket, so silence is counted from here. */
	uint64_t resumed_usec;
	/* When the handler that reads the links began (0 outside one): a
	 * stall after it read its timer or its socket shows as the time
	 * since, and counts as a resumption too. */
	uint64_t woke_usec;
	bool leaving;                   /* stopping: handing the groups over */
	uint64_t links_checked_usec;    /* interfaces' state, asked at most every 10 ms */
	uint64_t addresses_checked_usec;  /* held addresses, checked every second */
	bool *links_up;                 /* per VIP group, as last asked */
	uint64_t leaving_since_usec;
	struct drop_counters drops;
	struct links_inbox inbox;
};

/* The hooks of struct daemon_ops (daemon.h). */
int manager_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret);
/* Drops addresses an earlier run left, starts listening for peers. */
void manager_start(struct manager *m);
/* Hands the groups over before leaving. */
int manager_stop(struct manager *m, unsigned signo);
void manager_status_line(const struct manager *m, bool reloaded, char *buf, size_t size);
void manager_free(struct manager *m);

/* Pieces of the start shared with a reload, each for a given config. */
int manager_find_self(const struct manager *m, const struct lvsd_config *config, size_t *ret);
int manager_heartbeat_key(const struct lvsd_config *config, struct hmac **ret);
int manager_peers_new(const struct lvsd_config *config, struct peer **ret);
void manager_peers_free(struct peer *peers, size_t n);
/* (Re)arms the heartbeat timer at the configuration's interval. */
int manager_set_interval(struct manager *m);
void manager_set_realtime(bool on);

/* reload.c: a new configuration, valid and loaded, applied in place:
 * held groups stay held, peers keep what they said. Returns < 0 with
 * nothing changed (the caller keeps config) or 0 (config is taken). */
int manager_reload(struct manager *m, struct lvsd_config *config);

/* links.c: heartbeats out and in. */
#define LINKS_POLLED_UP_TO_USEC 10000
/* A link per address of director `self` of c. */
int links_open(struct manager *m, const struct lvsd_config *c, size_t self, struct link **ret, size_t *n_ret);
void links_close(struct link *links, size_t n);
void links_prepare_outgoing(struct manager *m);
/* Reads every link now, without deciding (sets heard_news): the tick
 * does before each heartbeat. */
void links_receive(struct manager *m);
void links_send(struct manager *m);

/* roles.c: the election's answer carried out. */
void roles_evaluate(struct manager *m, const char *why);
void roles_release_all(struct manager *m);
bool roles_hold_nothing(const struct manager *m);
int roles_announce_timer(struct manager *m, struct group *g);
/* A held group's addresses (re)added and announced from the start. */
void roles_announce_again(struct manager *m, struct group *g);

/* status.c */
const char *hb_role_to_string(enum hb_role r);
/* The directors and the VIP groups, END included. */
int manager_send_status(struct manager *m, struct ctl_peer *p);
/* lvsctl takeover and release. */
int manager_request(struct manager *m, struct ctl_peer *p, const struct ipc_message *req);
void manager_publish(struct manager *m);

uint64_t manager_dead_usec(const struct manager *m);
/* When a peer is dead: dead-after of the longer of our interval and the
 * one its heartbeats announce (a rolled-out reload may differ for a while). */
uint64_t manager_peer_dead_usec(const struct manager *m, const struct peer *p);
