/* heartbeatd: authenticated heartbeats between directors; VIP takeover and release. */
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "manager.h"
#include "vip.h"

/* --release-vips: remove this host's VIP addresses and exit. The systemd
 * unit runs it after heartbeatd stopped, whatever way it stopped, so a
 * killed heartbeatd never leaves an address behind for long. */
static bool release_only;

static int release_vips(struct lvsd_config *config)
{
	struct vip_netlink *nl = NULL;
	int r = vip_netlink_open(&nl);

	for (size_t g = 0; r == 0 && g < config->n_vips; g++)
		if (vip_present(nl, &config->vips[g])) {
			log_notice("vip %s: removing its addresses", config->vips[g].name);
			r = vip_remove(nl, &config->vips[g]);
		}
	vip_netlink_close(nl);
	config_free(config);
	return r < 0 ? 1 : 0;
}

static int run(const struct daemon_options *opts, struct lvsd_config *config)
{
	struct manager *m = NULL;
	int r;

	if (release_only)
		return release_vips(config);
	if (manager_new(opts, config, &m) < 0)
		return 1;
	r = manager_run(m);
	manager_free(m);
	return r;
}

int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "--release-vips") == 0) {
			release_only = true;
			continue;
		}
		argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return daemon_main(n, argv, "heartbeatd",
			   "Moves the VIP groups of the lvsd configuration between directors "
			   "(--release-vips: remove this host's VIP addresses and exit).", run);
}
