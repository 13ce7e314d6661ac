/* Control sockets: RUNTIME_DIR/<daemon>.sock, AF_UNIX SOCK_SEQPACKET, one
 * ipc message per record. Only root and members of the "lvsd" group may
 * connect (checked with SO_PEERCRED / SO_PEERGROUPS at accept). */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "ipc.h"

struct ctl_server;
struct ctl_peer;

/* Called for every valid request. The handler answers with ctl_peer_send();
 * a send failure closes the peer once the handler returns. */
typedef void (*ctl_request_handler_t)(struct ctl_peer *p, const struct ipc_message *m, void *userdata);

/* Serves path to root only, until ctl_server_open_to_group(). */
int ctl_server_new(sd_event *e, const char *path, ctl_request_handler_t handler, void *userdata,
		   struct ctl_server **ret);
/* Lets the members of group lvsd in as well, when the group exists. Its
 * lookup goes through NSS, which may load modules and ask other services:
 * directord does it once its first pass has programmed the kernel. */
void ctl_server_open_to_group(struct ctl_server *s);
void ctl_server_free(struct ctl_server *s);

/* -EADDRINUSE from ctl_server_new: another live process serves path. */

int ctl_peer_send(struct ctl_peer *p, const struct ipc_message *m);
/* Answers with an ERROR message: error (negative errno) and its text. */
int ctl_peer_send_error(struct ctl_peer *p, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A handler's last word: when answering req failed with r (other than the
 * peer hanging up), tells the peer "<request> request failed: <why>". */
void ctl_peer_request_failed(struct ctl_peer *p, const struct ipc_message *req, int r);
/* Marks the peer as a subscriber of the daemon's changes. */
void ctl_peer_subscribe(struct ctl_peer *p);
bool ctl_server_has_subscribers(const struct ctl_server *s);
/* Calls fn for every subscriber, which sends it what changed; a subscriber
 * fn fails for, or that cannot keep up, is dropped. */
void ctl_server_for_each_subscriber(struct ctl_server *s, int (*fn)(struct ctl_peer *p, void *userdata),
				    void *userdata);

/* Client side, blocking with a timeout: for lvsctl and for tests. */
int ctl_connect(const char *path, int *ret_fd);
int ctl_send(int fd, const struct ipc_message *m);
/* Waits up to timeout_ms for one message; -ETIMEDOUT, -ECONNRESET at EOF. */
int ctl_recv(int fd, struct ipc_message *m, int timeout_ms);
