/* What every lvsd daemon shares: its command line and its life under systemd. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "ctl.h"

struct daemon_options {
	const char *name;         /* program name, e.g. "directord" */
	const char *config_path;
	char node[256];
	const char *runtime_dir;
	bool test_config;
	int log_level;            /* -1: take the configuration's */
};

/* Parses the common command line of DESIGN §3. Returns 0 to run, 1 when the
 * program should exit successfully (--help, --version), or -EINVAL after
 * printing a usage error. */
int daemon_parse_args(int argc, char **argv, const char *name, const char *summary,
		      struct daemon_options *ret);

struct lvsd_config;
/* A daemon's main(): parses the command line, opens the log, loads the
 * configuration (printing its problems), answers -t, then calls run (which
 * owns config from then on) and returns its exit status. */
int daemon_main(int argc, char **argv, const char *name, const char *summary,
		int (*run)(const struct daemon_options *opts, struct lvsd_config *config));

/* Blocks signals and adds sd-event sources for SIGTERM, SIGINT and SIGHUP;
 * the caller keeps the sources (may be NULL to ignore a signal). */
int daemon_add_signals(sd_event *e, sd_event_signal_handler_t on_stop,
		       sd_event_signal_handler_t on_reload, void *userdata,
		       sd_event_source **ret_term, sd_event_source **ret_int,
		       sd_event_source **ret_hup);

/* Loading a large configuration makes hundreds of thousands of small
 * allocations: grow the heap in large steps (far fewer system calls and page
 * faults, measured 20% off loading 10,000 real servers) and keep it until
 * daemon_release_memory() hands what is free back after the load and
 * returns to the default steps. */
void daemon_tune_memory(void);
void daemon_release_memory(void);

/* "<runtime_dir>/<name>.sock" into buf. */
int daemon_socket_path(const char *runtime_dir, const char *name, char *buf, size_t size);

/* Creates the runtime directory (mode 0750) if missing. */
int daemon_make_runtime_dir(const char *dir);

/* Serves the daemon's control socket, "<runtime_dir>/<name>.sock",
 * creating the runtime directory if needed; logs what went wrong (another
 * instance serving there included) and returns a negative errno. */
int daemon_serve_control(sd_event *e, const struct daemon_options *opts, ctl_request_handler_t handler,
			 void *userdata, struct ctl_server **ret);

/* Reloading, the parts every daemon shares (SIGHUP and lvsctl reload).
 * daemon_reload_load() loads the configuration: on errors it logs them,
 * says why in why (the first error, for lvsctl) and returns < 0, the
 * running configuration to be kept. daemon_reload_failed() logs and says
 * why when applying a loaded one failed. daemon_answer_reload() answers an
 * IPC_REQ_RELOAD: END, or ERROR with why. */
#define DAEMON_WHY_MAX 256
int daemon_reload_load(const struct daemon_options *opts, struct lvsd_config **ret, char *why, size_t size);
void daemon_reload_failed(const char *what, int error, char *why, size_t size);
void daemon_answer_reload(struct ctl_peer *p, int r, const char *why);
