/* A probe: one check of one target, shared by every real server (of any
 * virtual service) configured with the same target and parameters, so each
 * distinct check runs once however often it is configured.
 *
 * The engine (engine.c) runs a probe every interval: it starts an attempt
 * through the check type's ops, arms the timeout, and folds the result into
 * rise/fall. A check type reports the end of an attempt with probe_done()
 * exactly once, possibly from inside start(). */
#pragma once

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "rise_fall.h"

struct manager;
struct probe;

struct check_ops {
	/* Begins an attempt; its state goes into p->op. */
	void (*start)(struct probe *p);
	/* Abandons the attempt in flight (timeout, removal): frees p->op
	 * without reporting. */
	void (*stop)(struct probe *p);
	/* Optional: frees p->state, what the type keeps between attempts,
	 * when the probe goes away. */
	void (*release)(struct probe *p);
};

/* The real servers a probe decides for: indexes into the configuration. */
struct probe_user {
	unsigned virtual_index, real_index;
};

struct probe {
	struct manager *manager;
	const struct check_ops *ops;
	const struct lvsd_check *check;  /* points into the running config */
	struct lvsd_endpoint target;     /* address and port checked */
	struct lvsd_endpoint vip;        /* external: passed to the command */
	char *key;                       /* what makes two probes the same */
	char label[96];                  /* "192.0.2.11:80 http", for logs */

	regex_t receive;                 /* compiled check->receive */
	bool has_receive;

	struct probe_user *users;
	size_t n_users;

	struct hc_counter hc;
	bool last_ok;
	char reason[128];                /* why the last check failed */
	uint32_t latency_usec;
	uint32_t checks;

	sd_event_source *timer;          /* next attempt, or its timeout */
	bool running;
	uint64_t started_usec;
	void *op;                        /* the check type's attempt state */
	void *state;                     /* ... and what it keeps between attempts */
};

/* Ends the attempt: passed, or failed for the printf-style reason. */
void probe_done(struct probe *p, bool passed, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The receive regex matches text (true when none is configured). */
bool probe_receive_matches(const struct probe *p, const char *text);

extern const struct check_ops check_ping_ops;
extern const struct check_ops check_tcp_ops;
extern const struct check_ops check_http_ops;
extern const struct check_ops check_dns_ops;
extern const struct check_ops check_smtp_ops;
extern const struct check_ops check_external_ops;
