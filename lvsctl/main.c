/* lvsctl: the administrator's command. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "daemon.h"
#include "status_print.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

#define REPLY_TIMEOUT_MS 10000

struct options {
	const char *runtime_dir;
	const char *config_path;
	char node[256];
	bool node_given;          /* -N; else heartbeatd's name for itself, else the host's */
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lvsctl [-R DIR] [-f FILE] [-N NODE] [--json] COMMAND\n"
		"\n"
		"Commands:\n"
		"  status               peers, VIP groups, virtual services and real servers\n"
		"  takeover [VIP]       this director takes the VIP group (all without VIP) now\n"
		"  release [VIP]        this director hands the VIP group over to a peer\n"
		"  reload               every daemon running here re-reads the configuration\n"
		"  check-config [FILE]  check a configuration file, print its problems\n"
		"\n"
		"  -R, --runtime-dir DIR   where the daemons' sockets are (default %s/lvsd)\n"
		"  -f, --config FILE       configuration (default %s)\n"
		"  -N, --node NAME         which director this is (default: the host name)\n"
		"      --json              machine-readable output\n"
		"  -h, --help              this help\n",
		RUNSTATEDIR, LVSD_DEFAULT_CONFIG);
}

static int cmd_check_config(const char *path)
{
	struct config_errors errors = { 0 };
	struct lvsd_config *c = NULL;
	int r = config_load(path, &c, &errors);

	config_print_verdict(path, r, &errors);
	config_errors_clear(&errors);
	config_free(c);
	return r < 0 ? EXIT_REFUSED : 0;
}

/* Connects to a daemon's control socket: 0 and *fd, or -EHOSTUNREACH
 * after saying why (not when quiet_absent and the daemon is simply not
 * running: an optional one). */
static int reach(const struct options *o, const char *daemon, bool quiet_absent, int *fd)
{
	char path[4096];
	int r;

	if ((r = daemon_socket_path(o->runtime_dir, daemon, path, sizeof(path))) < 0)
		return r;
	if ((r = ctl_connect(path, fd)) < 0) {
		if (!quiet_absent || (r != -ENOENT && r != -ECONNREFUSED))
			fprintf(stderr, "lvsctl: cannot reach %s at %s: %s\n", daemon, path, strerror(-r));
		return -EHOSTUNREACH;
	}
	return 0;
}

/* One request, one answer into *answer: 0, or -EHOSTUNREACH (said why,
 * as reach()), or the error of a daemon that did not answer (said too). */
static int ask(const struct options *o, const char *daemon, bool quiet_absent, const struct ipc_message *req,
	       struct ipc_message *answer)
{
	int fd, r;

	if ((r = reach(o, daemon, quiet_absent, &fd)) < 0)
		return r;
	r = ctl_send(fd, req);
	if (r == 0)
		r = ctl_recv(fd, answer, REPLY_TIMEOUT_MS);
	close(fd);
	if (r < 0)
		fprintf(stderr, "lvsctl: %s did not answer: %s\n", daemon, strerror(-r));
	return r;
}

/* Reads one daemon's snapshot into st: -EHOSTUNREACH when it is not
 * there (quiet when quiet_absent: an optional daemon). */
static int fetch(const struct options *o, const char *daemon, bool quiet_absent, struct status_view *st)
{
	struct ipc_message req = { .type = IPC_REQ_STATUS }, m;
	int fd, r;

	if ((r = reach(o, daemon, quiet_absent, &fd)) < 0)
		return r;
	/* A daemon that refuses us says why and hangs up, perhaps before our
	 * request is even sent: read its answer either way. */
	if (ctl_send(fd, &req) < 0)
		r = 0;
	while (r == 0) {
		r = ctl_recv(fd, &m, REPLY_TIMEOUT_MS);
		if (r < 0)
			break;
		if (m.type == IPC_MSG_END)
			break;
		if (m.type == IPC_MSG_ERROR) {
			fprintf(stderr, "lvsctl: %s: %s\n", daemon, m.error.text);
			r = m.error.error < 0 ? m.error.error : -EIO;
			break;
		}
		r = status_view_add(st, &m);
	}
	close(fd);
	if (r < 0 && r != -ENOMEM)
		fprintf(stderr, "lvsctl: reading %s's status: %s\n", daemon, strerror(-r));
	return r < 0 ? (r == -ETIMEDOUT || r == -ECONNRESET ? -EHOSTUNREACH : r) : 0;
}

/* A real server with a check that healthd runs. */
static bool has_checks(const struct lvsd_config *c)
{
	for (size_t i = 0; i < c->n_virtuals; i++)
		for (size_t j = 0; j < c->virtuals[i].n_reals; j++) {
			enum lvsd_check_type t = c->virtuals[i].reals[j].check.type;

			if (t != CHECK_NONE && t != CHECK_ON && t != CHECK_OFF)
				return true;
		}
	return false;
}

/* An optional daemon's fetch result r: its absence is fine unless the
 * configuration has work for it. */
static int optional_absent(const struct options *o, const char *daemon, bool has_work, const char *missing,
			   int r)
{
	if (r != -EHOSTUNREACH)
		return r;
	if (!has_work)
		return 0;
	fprintf(stderr, "lvsctl: %s is not running at %s, though %s has work for it: %s\n", daemon,
		o->runtime_dir, o->config_path, missing);
	return r;
}

/* directord's table, with healthd's verdicts joined in, and heartbeatd's
 * peers and VIP groups. Without directord the others alone are shown, and
 * the exit status says directord is away; likewise for healthd and
 * heartbeatd when the configuration has work for them. */
static int cmd_status(const struct options *o)
{
	struct status_view st = { 0 };
	int r = fetch(o, "directord", false, &st);
	int h = fetch(o, "healthd", true, &st);
	int b = fetch(o, "heartbeatd", true, &st);
	int s = fetch(o, "syncd", true, &st);

	if (r == 0 || h == 0 || b == 0 || s == 0) {
		const char *node = o->node;

		for (size_t i = 0; i < st.n_peers && !o->node_given; i++)
			if (st.peers[i].self)
				node = st.peers[i].name;
		if (o->json)
			status_print_json(stdout, node, &st);
		else
			status_print_text(stdout, node, &st);
	}
	status_view_clear(&st);
	if (h == -EHOSTUNREACH || b == -EHOSTUNREACH || s == -EHOSTUNREACH) {
		/* Is the absence a fault? A single director runs without VIPs,
		 * and one with no checks without healthd. */
		struct config_errors errors = { 0 };
		struct lvsd_config *c = NULL;

		/* Unreadable here: nothing can be told, no fault said. */
		if (config_load(o->config_path, &c, &errors) < 0)
			c = NULL;
		h = optional_absent(o, "healthd", c && has_checks(c), "no health shown", h);
		b = optional_absent(o, "heartbeatd", c && c->n_vips > 0, "no peers or VIP groups shown", b);
		s = optional_absent(o, "syncd", c && c->sync.enabled, "no sync state shown", s);
		config_free(c);
		config_errors_clear(&errors);
	}
	if (r == 0)
		r = h;
	if (r == 0)
		r = b;
	if (r == 0)
		r = s;
	return r == 0 ? 0 : r == -EHOSTUNREACH ? EXIT_UNREACHABLE : EXIT_REFUSED;
}

/* takeover / release: heartbeatd answers END when done, or ERROR. */
static int cmd_group(const struct options *o, enum ipc_type type, const char *group)
{
	struct ipc_message req = { .type = type }, m;

	snprintf(req.group.name, sizeof(req.group.name), "%s", group ? group : "");
	if (ask(o, "heartbeatd", false, &req, &m) < 0)
		return EXIT_UNREACHABLE;
	if (m.type == IPC_MSG_ERROR) {
		fprintf(stderr, "lvsctl: heartbeatd: %s\n", m.error.text);
		return EXIT_REFUSED;
	}
	return 0;
}

/* reload: every daemon running here re-reads the configuration; each
 * says whether it took it. */
static int cmd_reload(const struct options *o)
{
	static const char *const daemons[] = { "directord", "healthd", "heartbeatd", "syncd" };
	bool reached = false, refused = false, unanswered = false;

	for (size_t i = 0; i < sizeof(daemons) / sizeof(*daemons); i++) {
		struct ipc_message req = { .type = IPC_REQ_RELOAD }, m;
		int r = ask(o, daemons[i], true, &req, &m);

		if (r == -EHOSTUNREACH)
			continue;  /* not running here */
		reached = true;
		if (r < 0) {
			/* Running, but whether it took the file is unknown. */
			unanswered = true;
		} else if (m.type == IPC_MSG_ERROR) {
			fprintf(stderr, "%s: %s\n", daemons[i], m.error.text);
			refused = true;
		} else {
			printf("%s: configuration reloaded\n", daemons[i]);
		}
	}
	if (!reached) {
		fprintf(stderr, "lvsctl: no lvsd daemon is running at %s\n", o->runtime_dir);
		return EXIT_UNREACHABLE;
	}
	return unanswered ? EXIT_UNREACHABLE : refused ? EXIT_REFUSED : 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "runtime-dir", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct options o = { .runtime_dir = RUNSTATEDIR "/lvsd", .config_path = LVSD_DEFAULT_CONFIG };
	const char *cmd;
	int c;

	if (gethostname(o.node, sizeof(o.node) - 1) < 0)
		strcpy(o.node, "localhost");
	while ((c = getopt_long(argc, argv, "+R:f:N:h", options, NULL)) != -1) {
		switch (c) {
		case 'R': o.runtime_dir = optarg; break;
		case 'f': o.config_path = optarg; break;
		case 'N': snprintf(o.node, sizeof(o.node), "%s", optarg); o.node_given = true; break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	if (strcmp(cmd, "status") == 0 && optind == argc)
		return cmd_status(&o);
	if ((strcmp(cmd, "takeover") == 0 || strcmp(cmd, "release") == 0) && argc - optind <= 1)
		return cmd_group(&o, cmd[0] == 't' ? IPC_REQ_TAKEOVER : IPC_REQ_RELEASE,
				 optind < argc ? argv[optind] : NULL);
	if (strcmp(cmd, "reload") == 0 && optind == argc)
		return cmd_reload(&o);
	if (strcmp(cmd, "check-config") == 0 && argc - optind <= 1)
		return cmd_check_config(optind < argc ? argv[optind] : o.config_path);
	fprintf(stderr, "lvsctl: unknown command or wrong arguments: %s\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
