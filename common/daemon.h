/* The skeleton every lvsd daemon fills in: its command line, its life
 * under systemd (signals, sd_notify, the watchdog), its control socket and
 * its reloads. A daemon brings a manager and a table of hooks; its main()
 * is daemon_main(argc, argv, &ops). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "ctl.h"

struct lvsd_config;
/* Each daemon's one object, defined by that daemon alone. */
struct manager;

struct daemon_options;

/* A long option of one daemon's own, without an argument, that makes the
 * program do one thing instead of running (heartbeatd --release-vips). */
struct daemon_flag {
	const char *name;
	/* Runs with the loaded configuration, which it takes; returns the
	 * exit status. */
	int (*run)(const struct daemon_options *opts, struct lvsd_config *config);
};

struct daemon_options {
	const char *name;         /* program name, e.g. "directord" */
	const char *config_path;
	char node[256];
	const char *runtime_dir;
	bool test_config;
	int log_level;            /* -1: take the configuration's */
	const struct daemon_flag *flag;  /* the daemon's own flag given, or NULL */
};

/* What the skeleton gives a manager to borrow for its whole life: the
 * options, the event loop and the control server (subscribers are
 * published to through it). */
struct daemon {
	struct daemon_options opts;
	sd_event *event;
	struct ctl_server *ctl;
};

/* A daemon, as the skeleton calls it. Hooks run on the event loop; those
 * that may be NULL say so. */
struct daemon_ops {
	const char *name;
	const char *summary;                    /* for --help */
	const struct daemon_flag *flags;        /* up to { NULL }, or NULL */
	/* Builds the manager from the loaded configuration, which it takes
	 * whatever happens; the runtime directory exists and the control
	 * socket is served (to root only, nothing answered yet). Logs what
	 * failed and returns a negative errno. */
	int (*new)(const struct daemon *d, struct lvsd_config *config, struct manager **ret);
	/* Once built, before READY=1: says it starts and does its first work.
	 * May be NULL. */
	void (*start)(struct manager *m);
	/* First SIGTERM or SIGINT, after STOPPING=1: says it stops. 0 to leave
	 * the event loop now; 1 when it leaves it itself later, with
	 * sd_event_exit(event, 0). Further signals are not passed on. */
	int (*stop)(struct manager *m, unsigned signo);
	/* SIGHUP or lvsctl reload: makes config, valid and loaded, the running
	 * configuration and says so. 0 with config taken, or a negative errno
	 * with nothing changed and config still the caller's. */
	int (*reload)(struct manager *m, struct lvsd_config *config);
	/* A snapshot for STATUS and SUBSCRIBE requests, END included: 0 or a
	 * negative errno. */
	int (*status)(struct manager *m, struct ctl_peer *p);
	/* Any other request: 0 when answered, or a negative errno that the
	 * peer is told (-EOPNOTSUPP for what it does not know). May be NULL. */
	int (*request)(struct manager *m, struct ctl_peer *p, const struct ipc_message *req);
	/* The STATUS= sent with READY=1 after the start (reloaded false) and
	 * after every reload, taken or not; "" for none. May be NULL. */
	void (*ready_status)(const struct manager *m, bool reloaded, char *buf, size_t size);
	/* The STATUS= sent with STOPPING=1; NULL for "Stopping". */
	const char *stopping_status;
	void (*free)(struct manager *m);
};

/* A daemon's main(): parses the command line, opens the log, loads the
 * configuration (printing its problems), answers -t or runs the flag
 * given, else runs the daemon until it stops. Returns the exit status:
 * 0, 1 when it could not start or its event loop failed, 2 for a usage
 * error. */
int daemon_main(int argc, char **argv, const struct daemon_ops *ops);

/* "<runtime_dir>/<name>.sock" into buf. */
int daemon_socket_path(const char *runtime_dir, const char *name, char *buf, size_t size);
