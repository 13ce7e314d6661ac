/* Which kernel sync daemons this director runs, apart from any I/O: the
 * configuration, the roles heartbeatd publishes and what the kernel runs
 * in, what to start, stop or restart out. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

/* One kernel sync daemon (master: sends, backup: receives), as the kernel
 * reports it or as it should be. */
struct sync_daemon {
	bool running;
	char ifname[IFNAMSIZ];
	unsigned syncid;              /* 0..255 */
	struct lvsd_addr group;       /* multicast group */
	uint16_t port;
	/* Running on an interface deleted and made again since it started:
	 * the kernel still says it runs, but it sends or hears nothing
	 * there until started anew. */
	bool stale;
};

struct sync_kernel {
	struct sync_daemon master, backup;
};

/* What heartbeatd says of this director: known once a snapshot of it has
 * come in since syncd started; holding at least one VIP group. */
struct sync_roles {
	bool known;
	bool holds_a_group;
};

enum sync_step {
	SYNC_KEEP,                    /* as it is (running or not) */
	SYNC_START,
	SYNC_STOP,
	SYNC_RESTART,                 /* running with other parameters */
	_SYNC_STEP_MAX,
};

const char *sync_step_to_string(enum sync_step s);

struct sync_plan {
	enum sync_step master, backup;
	struct sync_daemon want;      /* the parameters to start with */
};

/* The daemon's parameters as cfg asks for them (multicast transport). */
void sync_daemon_from_config(const struct lvsd_sync *cfg, struct sync_daemon *ret);

/* The steps that bring kernel to what cfg and roles ask for (a stale
 * daemon is restarted):
 *   - no sync block: nothing is touched;
 *   - the backup runs always, so this director has the connections of
 *     whoever holds a group before it takes one over;
 *   - the master runs while this director holds a group; while roles are
 *     not known (heartbeatd away since syncd started), it stays as found:
 *     a restart of either daemon alone loses no sync. */
void sync_plan_decide(const struct lvsd_sync *cfg, const struct sync_roles *roles, const struct sync_kernel *kernel,
		      struct sync_plan *ret);

/* What the kernel runs, as "off", "master", "backup" or "both". */
const char *sync_kernel_state(const struct sync_kernel *k);
