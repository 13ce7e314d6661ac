/* syncd's plan: which kernel sync daemons run, from the configuration,
 * heartbeatd's roles and what the kernel runs. */
#include <criterion/criterion.h>
#include <string.h>

#include "sync_plan.h"

static struct lvsd_sync config(void)
{
	struct lvsd_sync s = { .enabled = true, .interface = "eth1", .id = 7, .transport = SYNC_MULTICAST,
			       .port = 8848 };

	addr_parse("224.0.0.81", &s.group);
	return s;
}

static struct sync_daemon running(const struct lvsd_sync *cfg)
{
	struct sync_daemon d;

	sync_daemon_from_config(cfg, &d);
	return d;
}

Test(sync_plan, a_backup_always_and_a_master_while_holding_a_group)
{
	struct lvsd_sync cfg = config();
	struct sync_kernel k = { 0 };
	struct sync_roles roles = { .known = true, .holds_a_group = false };
	struct sync_plan p;

	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.backup, SYNC_START);
	cr_assert_eq(p.master, SYNC_KEEP, "a backup of every group sends nothing");
	cr_assert_str_eq(p.want.ifname, "eth1");
	cr_assert_eq(p.want.syncid, 7);

	roles.holds_a_group = true;
	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_START);
	cr_assert_eq(p.backup, SYNC_START, "and it still receives, as peers may hold other groups");
}

Test(sync_plan, a_master_that_lets_go_of_its_last_group_stops_sending)
{
	struct lvsd_sync cfg = config();
	struct sync_kernel k = { .master = running(&cfg), .backup = running(&cfg) };
	struct sync_roles roles = { .known = true, .holds_a_group = false };
	struct sync_plan p;

	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_STOP);
	cr_assert_eq(p.backup, SYNC_KEEP);
}

Test(sync_plan, daemons_found_running_as_configured_are_adopted)
{
	struct lvsd_sync cfg = config();
	struct sync_kernel k = { .master = running(&cfg), .backup = running(&cfg) };
	struct sync_roles roles = { .known = true, .holds_a_group = true };
	struct sync_plan p;

	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_KEEP, "a restarted syncd does not restart them");
	cr_assert_eq(p.backup, SYNC_KEEP);
}

Test(sync_plan, while_heartbeatd_is_away_the_master_stays_as_found)
{
	struct lvsd_sync cfg = config();
	struct sync_kernel k = { .master = running(&cfg), .backup = running(&cfg) };
	struct sync_roles roles = { .known = false };
	struct sync_plan p;

	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_KEEP);
	k.master.running = false;
	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_KEEP, "nor started without knowing it holds a group");
	cr_assert_eq(p.backup, SYNC_KEEP);
}

Test(sync_plan, other_parameters_mean_a_restart)
{
	struct lvsd_sync cfg = config();
	struct sync_kernel k = { .master = running(&cfg), .backup = running(&cfg) };
	struct sync_roles roles = { .known = true, .holds_a_group = true };
	struct sync_plan p;

	k.backup.syncid = 8;
	snprintf(k.master.ifname, sizeof(k.master.ifname), "eth2");
	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.backup, SYNC_RESTART);
	cr_assert_eq(p.master, SYNC_RESTART);
	k = (struct sync_kernel){ .master = running(&cfg), .backup = running(&cfg) };
	k.backup.port = 8849;
	addr_parse("224.0.0.82", &k.master.group);
	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.backup, SYNC_RESTART);
	cr_assert_eq(p.master, SYNC_RESTART);
}

Test(sync_plan, without_a_sync_block_nothing_is_touched)
{
	struct lvsd_sync cfg = { .enabled = false };
	struct lvsd_sync other = config();
	struct sync_kernel k = { .master = running(&other) };
	struct sync_roles roles = { .known = true, .holds_a_group = false };
	struct sync_plan p;

	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_KEEP);
	cr_assert_eq(p.backup, SYNC_KEEP);
}

Test(sync_plan, the_kernel_state_and_step_names)
{
	struct lvsd_sync cfg = config();
	struct sync_kernel k = { 0 };

	cr_assert_str_eq(sync_kernel_state(&k), "off");
	k.backup = running(&cfg);
	cr_assert_str_eq(sync_kernel_state(&k), "backup");
	k.master = running(&cfg);
	cr_assert_str_eq(sync_kernel_state(&k), "both");
	k.backup.running = false;
	cr_assert_str_eq(sync_kernel_state(&k), "master");
	cr_assert_str_eq(sync_step_to_string(SYNC_RESTART), "restart");
	cr_assert_str_eq(sync_step_to_string((enum sync_step)42), "?");
}

Test(sync_plan, daemons_on_a_recreated_interface_are_restarted)
{
	struct lvsd_sync cfg = config();
	struct sync_kernel k = { .master = running(&cfg), .backup = running(&cfg) };
	struct sync_roles roles = { .known = true, .holds_a_group = true };
	struct sync_plan p;

	k.backup.stale = true;
	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_KEEP, "each daemon by its own interface");
	cr_assert_eq(p.backup, SYNC_RESTART);
	k.master.stale = true;
	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_RESTART);
	cr_assert_eq(p.backup, SYNC_RESTART);
	roles.holds_a_group = false;
	sync_plan_decide(&cfg, &roles, &k, &p);
	cr_assert_eq(p.master, SYNC_STOP, "one not wanted is only stopped");
	cr_assert_eq(p.backup, SYNC_RESTART);
}
