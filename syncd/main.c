/* syncd: runs the kernel's IPVS connection-sync daemons as the roles
 * heartbeatd publishes ask. */
#include "daemon.h"
#include "manager.h"

static const struct daemon_ops syncd = {
	.name = "syncd",
	.summary = "Runs the kernel's IPVS connection sync daemons as this director's VIP roles ask.",
	.new = manager_new,
	.start = manager_start,
	.stop = manager_stop,
	.reload = manager_reload,
	.status = manager_send_status,
	.ready_status = manager_status_line,
	.free = manager_free,
};

int main(int argc, char **argv)
{
	return daemon_main(argc, argv, &syncd);
}
