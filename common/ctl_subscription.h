/* A long-lived subscription to another daemon's control socket, on the
 * event loop: subscribes, hands every message over, and when the daemon
 * goes away (restart, crash) keeps trying to reconnect, once a second, so
 * daemons can start and restart in any order. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "ipc.h"

struct ctl_subscription;

struct ctl_subscription_handlers {
	/* Every message received, snapshot and changes alike. */
	void (*on_message)(const struct ipc_message *m, void *userdata);
	/* Connected (error 0), or lost / not reachable (negative errno);
	 * called on every change, not on every failed retry. */
	void (*on_connection)(bool connected, int error, void *userdata);
};

/* Subscribes to daemon's control socket in runtime_dir (retrying while it
 * is not there: that is no error). Logs what failed and returns a
 * negative errno. */
int ctl_subscription_new(sd_event *e, const char *runtime_dir, const char *daemon,
			 const struct ctl_subscription_handlers *h, void *userdata, struct ctl_subscription **ret);
void ctl_subscription_free(struct ctl_subscription *s);
