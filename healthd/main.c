/* healthd: checks the real servers of lvsd.conf and publishes their health. */
#include "daemon.h"
#include "manager.h"

static const struct daemon_ops healthd = {
	.name = "healthd",
	.summary = "Checks the health of the real servers of the lvsd configuration.",
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
	return daemon_main(argc, argv, &healthd);
}
