/* The daemon skeleton, run on a daemon of the test's own: which hooks it
 * calls, in what order, and the exit status it returns. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"

struct manager {
	char log[256];                  /* one letter a hook, in call order */
	const struct daemon *daemon;
	struct lvsd_config *config;
	unsigned stop_signal;
};

/* One daemon a test process: the hooks keep what they saw here. */
static struct manager seen;

static void note(struct manager *m, char c)
{
	size_t n = strlen(m->log);

	if (n + 1 < sizeof(m->log))
		m->log[n] = c;
}

static int fake_new(const struct daemon *d, struct lvsd_config *config, struct manager **ret)
{
	note(&seen, 'n');
	seen.daemon = d;
	seen.config = config;
	cr_assert_not_null(d->event);
	cr_assert_not_null(d->ctl);
	*ret = &seen;
	return 0;
}

/* Asks for a reload first; the reload asks to stop. */
static void fake_start(struct manager *m)
{
	note(m, 's');
	raise(SIGHUP);
}

static int fake_reload(struct manager *m, struct lvsd_config *config)
{
	note(m, 'r');
	config_free(m->config);
	m->config = config;
	raise(SIGTERM);
	return 0;
}

static int leave(sd_event_source *s, uint64_t usec, void *userdata)
{
	note(&seen, 'l');
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Leaves later, as heartbeatd does once its groups are handed over; a
 * SIGINT meanwhile is not passed on. */
static int fake_stop(struct manager *m, unsigned signo)
{
	note(m, 'x');
	m->stop_signal = signo;
	cr_assert_geq(sd_event_add_time_relative(m->daemon->event, NULL, CLOCK_MONOTONIC, 50000, 0, leave, NULL), 0);
	raise(SIGINT);
	return 1;
}

static int fake_status(struct manager *m, struct ctl_peer *p)
{
	return -EOPNOTSUPP;
}

static void fake_free(struct manager *m)
{
	note(m, 'f');
	config_free(m->config);
	m->config = NULL;
}

static int fake_flag(const struct daemon_options *opts, struct lvsd_config *config)
{
	note(&seen, 'F');
	config_free(config);
	return 7;
}

static const struct daemon_flag flags[] = {
	{ "only-this", fake_flag },
	{ 0 },
};

static const struct daemon_ops fake = {
	.name = "faked",
	.summary = "A daemon for the skeleton's tests.",
	.flags = flags,
	.new = fake_new,
	.start = fake_start,
	.stop = fake_stop,
	.reload = fake_reload,
	.status = fake_status,
	.free = fake_free,
};

static char runtime_dir[] = "/tmp/lvsd-test-daemon.XXXXXX";

static void make_runtime_dir(void)
{
	cr_assert_not_null(mkdtemp(runtime_dir));
}

/* Empty again: the skeleton removes its socket when it stops. */
static void remove_runtime_dir(void)
{
	cr_assert_eq(rmdir(runtime_dir), 0);
}

TestSuite(daemon, .init = make_runtime_dir, .fini = remove_runtime_dir);

static int run(const char *extra)
{
	char *argv[] = { "faked", "-f", FIXTURES "/minimal.conf", "-R", runtime_dir, (char *)extra, NULL };

	return daemon_main(extra ? 6 : 5, argv, &fake);
}

Test(daemon, hooks_run_in_order_and_a_second_stop_signal_is_not_passed_on)
{
	cr_assert_eq(run(NULL), 0);
	cr_assert_str_eq(seen.log, "nsrxlf");
	cr_assert_eq(seen.stop_signal, SIGTERM);
	cr_assert_null(seen.config);
}

Test(daemon, a_daemon_flag_runs_instead_of_the_daemon)
{
	cr_assert_eq(run("--only-this"), 7);
	cr_assert_str_eq(seen.log, "F");
}

Test(daemon, test_config_and_usage_errors_never_start_it)
{
	cr_assert_eq(run("-t"), 0);
	cr_assert_eq(run("--no-such-option"), 2);
	cr_assert_str_eq(seen.log, "");
}
