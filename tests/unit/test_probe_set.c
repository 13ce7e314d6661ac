/* Probes from a configuration: one per distinct check, kept across reloads. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "probe_set.h"

/* The check types' I/O is not under test here. */
const struct check_ops check_ping_ops, check_tcp_ops, check_http_ops, check_dns_ops, check_smtp_ops,
	check_external_ops;

static struct lvsd_config *load(const char *name)
{
	struct lvsd_config *c = NULL;
	struct config_errors e = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	cr_assert_eq(config_load(path, &c, &e), 0, "%s: %s", name, e.n ? e.lines[0] : "");
	config_errors_clear(&e);
	return c;
}

Test(probe_set, identical_checks_run_once)
{
	struct lvsd_config *c = load("shared-checks.conf");
	struct probe_set s;

	cr_assert_eq(probe_set_build(c, NULL, &s), 0);
	/* web1 and web2 /health (shared by two virtuals), web1 /other, one
	 * ping of 192.0.2.11 whatever the port; "spare" is off: no probe. */
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.n_reals, 8);
	cr_assert_eq(probe_set_lookup(&s, 0, 0), probe_set_lookup(&s, 1, 0));
	cr_assert_eq(probe_set_lookup(&s, 0, 1), probe_set_lookup(&s, 1, 1));
	cr_assert_neq(probe_set_lookup(&s, 0, 0), probe_set_lookup(&s, 0, 1));
	cr_assert_neq(probe_set_lookup(&s, 0, 0), probe_set_lookup(&s, 2, 0));
	cr_assert_null(probe_set_lookup(&s, 0, 2));
	cr_assert_eq(probe_set_lookup(&s, 3, 0), probe_set_lookup(&s, 3, 1));
	cr_assert_eq(probe_set_lookup(&s, 0, 0)->n_users, 2);
	cr_assert_eq(probe_set_lookup(&s, 0, 0)->target.port, 80);
	cr_assert_eq(probe_set_lookup(&s, 3, 0)->n_users, 2);
	cr_assert_eq(probe_fixed_state(CHECK_OFF), HC_DOWN);
	cr_assert_eq(probe_fixed_state(CHECK_NONE), HC_UP);
	probe_set_clear(&s);
	config_free(c);
}

Test(probe_set, a_reload_keeps_unchanged_probes_and_their_state)
{
	struct lvsd_config *c = load("shared-checks.conf"), *c2 = load("shared-checks.conf");
	struct probe_set old, next;
	struct probe *web1;

	cr_assert_eq(probe_set_build(c, NULL, &old), 0);
	web1 = probe_set_lookup(&old, 0, 0);
	web1->hc.state = HC_DOWN;
	web1->checks = 7;

	cr_assert_eq(probe_set_build(c2, &old, &next), 0);
	/* The same object, state and all, now pointing into the new config. */
	cr_assert_eq(probe_set_lookup(&next, 0, 0), web1);
	cr_assert_eq(web1->hc.state, HC_DOWN);
	cr_assert_eq(web1->checks, 7);
	cr_assert_eq(web1->check, &c2->virtuals[0].reals[0].check);
	cr_assert_eq(web1->n_users, 2);
	/* Every probe moved over: nothing left to stop in the old set. */
	for (size_t i = 0; i < old.n; i++)
		cr_assert_null(old.probes[i]);
	probe_set_clear(&old);
	config_free(c);
	probe_set_clear(&next);
	config_free(c2);
}

Test(probe_set, a_changed_check_is_a_new_probe)
{
	struct lvsd_config *c = load("shared-checks.conf"), *c2 = load("minimal.conf");
	struct probe_set old, next;
	size_t left = 0;

	cr_assert_eq(probe_set_build(c, NULL, &old), 0);
	cr_assert_eq(probe_set_build(c2, &old, &next), 0);
	/* minimal.conf checks with its defaults: nothing in common. */
	for (size_t i = 0; i < old.n; i++)
		left += old.probes[i] != NULL;
	cr_assert_eq(left, 4);
	probe_set_clear(&old);
	probe_set_clear(&next);
	config_free(c);
	config_free(c2);
}
