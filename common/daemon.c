/* Command line and systemd integration common to the daemons. */
#include "daemon.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "log.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

static void usage(FILE *f, const char *name, const char *summary)
{
	fprintf(f,
		"Usage: %s [-f FILE] [-N NODE] [-R DIR] [-t] [-l LEVEL] [-V] [-h]\n"
		"%s\n\n"
		"  -f, --config FILE       configuration (default %s)\n"
		"  -N, --node NAME         which director this is (default: the host name)\n"
		"  -R, --runtime-dir DIR   sockets and state (default %s/lvsd)\n"
		"  -t, --test-config       check the configuration, print problems, exit 0 or 1\n"
		"  -l, --log-level LEVEL   debug|info|notice|warning|error\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n",
		name, summary, LVSD_DEFAULT_CONFIG, RUNSTATEDIR);
}

int daemon_parse_args(int argc, char **argv, const char *name, const char *summary,
		      struct daemon_options *ret)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'N' },
		{ "runtime-dir", required_argument, NULL, 'R' },
		{ "test-config", no_argument, NULL, 't' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*ret = (struct daemon_options){
		.name = name,
		.config_path = LVSD_DEFAULT_CONFIG,
		.runtime_dir = RUNSTATEDIR "/lvsd",
		.log_level = -1,
	};
	if (gethostname(ret->node, sizeof(ret->node) - 1) < 0)
		snprintf(ret->node, sizeof(ret->node), "localhost");

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:N:R:tl:Vh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			ret->config_path = optarg;
			break;
		case 'N':
			snprintf(ret->node, sizeof(ret->node), "%s", optarg);
			break;
		case 'R':
			ret->runtime_dir = optarg;
			break;
		case 't':
			ret->test_config = true;
			break;
		case 'l':
			ret->log_level = log_level_from_string(optarg);
			if (ret->log_level < 0) {
				fprintf(stderr, "%s: unknown log level \"%s\" (debug|info|notice|warning|error)\n",
					name, optarg);
				return -EINVAL;
			}
			break;
		case 'V':
			printf("%s (lvsd) %s\n", name, PACKAGE_VERSION);
			return 1;
		case 'h':
			usage(stdout, name, summary);
			return 1;
		default:
			usage(stderr, name, summary);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", name, argv[optind]);
		usage(stderr, name, summary);
		return -EINVAL;
	}
	return 0;
}

int daemon_add_signals(sd_event *e, sd_event_signal_handler_t on_stop,
		       sd_event_signal_handler_t on_reload, void *userdata,
		       sd_event_source **ret_term, sd_event_source **ret_int,
		       sd_event_source **ret_hup)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	/* A peer closing a control connection must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);

	if ((r = sd_event_add_signal(e, ret_term, SIGTERM, on_stop, userdata)) < 0 ||
	    (r = sd_event_add_signal(e, ret_int, SIGINT, on_stop, userdata)) < 0 ||
	    (r = sd_event_add_signal(e, ret_hup, SIGHUP, on_reload, userdata)) < 0)
		return r;
	sd_event_source_set_description(*ret_term, "sigterm");
	sd_event_source_set_description(*ret_int, "sigint");
	sd_event_source_set_description(*ret_hup, "sighup");
	return 0;
}

void daemon_tune_memory(void)
{
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

void daemon_release_memory(void)
{
	/* Back to glibc's defaults (DEFAULT_TOP_PAD, DEFAULT_TRIM_THRESHOLD):
	 * a long-running daemon's steady churn must not keep 64 MiB steps. */
	mallopt(M_TOP_PAD, 128 << 10);
	mallopt(M_TRIM_THRESHOLD, 128 << 10);
	malloc_trim(0);
}

int daemon_socket_path(const char *runtime_dir, const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s.sock", runtime_dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int daemon_make_runtime_dir(const char *dir)
{
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int daemon_main(int argc, char **argv, const char *name, const char *summary,
		int (*run)(const struct daemon_options *opts, struct lvsd_config *config))
{
	struct daemon_options opts;
	struct config_errors errors = { 0 };
	struct lvsd_config *config = NULL;
	int r;

	r = daemon_parse_args(argc, argv, name, summary, &opts);
	if (r != 0)
		return r > 0 ? 0 : 2;
	log_open(name);
	daemon_tune_memory();
	if (opts.log_level >= 0)
		log_set_level(opts.log_level);

	r = config_load(opts.config_path, &config, &errors);
	if (opts.test_config) {
		config_print_verdict(opts.config_path, r, &errors);
		config_errors_clear(&errors);
		config_free(config);
		return r == 0 ? 0 : 1;
	}
	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "%s\n", errors.lines[i]);
	config_errors_clear(&errors);
	if (r < 0)
		return 1;
	return run(&opts, config);
}

int daemon_serve_control(sd_event *e, const struct daemon_options *opts, ctl_request_handler_t handler,
			 void *userdata, struct ctl_server **ret)
{
	char path[4096];
	int r;

	if ((r = daemon_make_runtime_dir(opts->runtime_dir)) < 0) {
		log_error("cannot create runtime directory %s: %s", opts->runtime_dir, strerror(-r));
		return r;
	}
	if ((r = daemon_socket_path(opts->runtime_dir, opts->name, path, sizeof(path))) < 0 ||
	    (r = ctl_server_new(e, path, handler, userdata, ret)) < 0) {
		if (r == -EADDRINUSE)
			log_error("cannot serve the control socket %s: another %s is running there", path, opts->name);
		else
			log_error("cannot serve the control socket of %s in %s: %s", opts->name, opts->runtime_dir,
				  strerror(-r));
	}
	return r;
}

int daemon_reload_load(const struct daemon_options *opts, struct lvsd_config **ret, char *why, size_t size)
{
	struct config_errors errors = { 0 };
	int r;

	sd_notify(0, "RELOADING=1\nSTATUS=Reloading the configuration");
	r = config_load(opts->config_path, ret, &errors);
	for (size_t i = 0; i < errors.n; i++)
		if (errors.warning[i])
			log_warning("%s", errors.lines[i]);
		else
			log_error("%s", errors.lines[i]);
	if (r < 0) {
		size_t n_errors = errors.n - errors.n_warnings, first = 0;

		while (first < errors.n && errors.warning[first])
			first++;
		log_error("reload rejected: %s has %zu error%s; keeping the running configuration",
			  opts->config_path, n_errors, n_errors == 1 ? "" : "s");
		if (first < errors.n)
			snprintf(why, size, "reload rejected, the running configuration kept: %s%s",
				 errors.lines[first], errors.n > 1 ? " (and more: see the log)" : "");
		else
			snprintf(why, size, "reload rejected: %s: %s", opts->config_path, strerror(-r));
	}
	config_errors_clear(&errors);
	return r;
}

void daemon_reload_failed(const char *what, int error, char *why, size_t size)
{
	log_error("reload failed: %s: %s; keeping the running configuration", what, strerror(-error));
	snprintf(why, size, "reload failed, the running configuration kept: %s: %s", what, strerror(-error));
}

void daemon_answer_reload(struct ctl_peer *p, int r, const char *why)
{
	struct ipc_message end = { .type = IPC_MSG_END };

	if (r < 0)
		ctl_peer_send_error(p, r, "%s", why);
	else
		ctl_peer_send(p, &end);
}
