/* heartbeatd: authenticated heartbeats between directors; VIP takeover and release. */
#include "daemon.h"
#include "log.h"
#include "manager.h"
#include "vip.h"

/* --release-vips: remove this host's VIP addresses and exit. The systemd
 * unit runs it after heartbeatd stopped, whatever way it stopped, so a
 * killed heartbeatd never leaves an address behind for long. */
static int release_vips(const struct daemon_options *opts, struct lvsd_config *config)
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

static const struct daemon_flag flags[] = {
	{ "release-vips", release_vips },
	{ 0 },
};

static const struct daemon_ops heartbeatd = {
	.name = "heartbeatd",
	.summary = "Moves the VIP groups of the lvsd configuration between directors "
		   "(--release-vips: remove this host's VIP addresses and exit).",
	.flags = flags,
	.new = manager_new,
	.start = manager_start,
	.stop = manager_stop,
	.reload = manager_reload,
	.status = manager_send_status,
	.request = manager_request,
	.ready_status = manager_status_line,
	.stopping_status = "Handing the VIP groups over",
	.free = manager_free,
};

int main(int argc, char **argv)
{
	return daemon_main(argc, argv, &heartbeatd);
}
