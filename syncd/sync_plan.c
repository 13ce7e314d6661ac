/* Which kernel sync daemons to run, apart from any I/O. */
#include "sync_plan.h"

#include <stdio.h>
#include <string.h>

#include "enum_names.h"
#include "ipc.h"

static const char *const step_names[] = {
	[SYNC_KEEP] = "keep",
	[SYNC_START] = "start",
	[SYNC_STOP] = "stop",
	[SYNC_RESTART] = "restart",
};

const char *sync_step_to_string(enum sync_step s)
{
	return enum_name(step_names, _SYNC_STEP_MAX, s);
}

void sync_daemon_from_config(const struct lvsd_sync *cfg, struct sync_daemon *ret)
{
	*ret = (struct sync_daemon){ .running = true, .syncid = cfg->id, .group = cfg->group, .port = cfg->port };
	snprintf(ret->ifname, sizeof(ret->ifname), "%s", cfg->interface ? cfg->interface : "");
}

static bool same_parameters(const struct sync_daemon *a, const struct sync_daemon *b)
{
	return strcmp(a->ifname, b->ifname) == 0 && a->syncid == b->syncid && a->port == b->port &&
	       addr_equal(&a->group, &b->group);
}

static enum sync_step step(bool want, const struct sync_daemon *wanted, const struct sync_daemon *found)
{
	if (!want)
		return found->running ? SYNC_STOP : SYNC_KEEP;
	if (!found->running)
		return SYNC_START;
	return same_parameters(wanted, found) && !found->stale ? SYNC_KEEP : SYNC_RESTART;
}

void sync_plan_decide(const struct lvsd_sync *cfg, const struct sync_roles *roles, const struct sync_kernel *kernel,
		      struct sync_plan *ret)
{
	*ret = (struct sync_plan){ .master = SYNC_KEEP, .backup = SYNC_KEEP };
	if (!cfg->enabled)
		return;
	sync_daemon_from_config(cfg, &ret->want);
	ret->backup = step(true, &ret->want, &kernel->backup);
	ret->master = step(roles->known ? roles->holds_a_group : kernel->master.running, &ret->want,
			   &kernel->master);
}

const char *sync_kernel_state(const struct sync_kernel *k)
{
	return ipc_sync_state(k->master.running, k->backup.running);
}
