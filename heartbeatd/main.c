/* heartbeatd: authenticated heartbeats between directors; VIP takeover and release. */
#include "daemon.h"
#include "manager.h"

static int run(const struct daemon_options *opts, struct lvsd_config *config)
{
	struct manager *m = NULL;
	int r;

	if (manager_new(opts, config, &m) < 0)
		return 1;
	r = manager_run(m);
	manager_free(m);
	return r;
}

int main(int argc, char **argv)
{
	return daemon_main(argc, argv, "heartbeatd",
			   "Moves the VIP groups of the lvsd configuration between directors.", run);
}
