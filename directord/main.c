/* directord: keeps the kernel's IPVS table in step with lvsd.conf. */
#include "daemon.h"
#include "manager.h"

static const struct daemon_ops directord = {
	.name = "directord",
	.summary = "Programs the kernel's IPVS table from the lvsd configuration.",
	.new = manager_new,
	.start = manager_start,
	.stop = manager_stop,
	.reload = manager_reload,
	.status = manager_send_status,
	.free = manager_free,
};

int main(int argc, char **argv)
{
	return daemon_main(argc, argv, &directord);
}
