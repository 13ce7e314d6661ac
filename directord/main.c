/* directord: keeps the kernel's IPVS table in step with lvsd.conf. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "manager.h"

int main(int argc, char **argv)
{
	struct daemon_options opts;
	struct config_errors errors = { 0 };
	struct lvsd_config *config = NULL;
	struct manager *m = NULL;
	int r;

	r = daemon_parse_args(argc, argv, "directord",
			      "Programs the kernel's IPVS table from the lvsd configuration.", &opts);
	if (r != 0)
		return r > 0 ? 0 : 2;
	log_open("directord");
	daemon_tune_memory();
	if (opts.log_level >= 0)
		log_set_level(opts.log_level);

	r = config_load(opts.config_path, &config, &errors);
	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "%s\n", errors.lines[i]);
	config_errors_clear(&errors);
	if (opts.test_config) {
		if (r == 0)
			printf("%s: configuration OK\n", opts.config_path);
		config_free(config);
		return r == 0 ? 0 : 1;
	}
	if (r < 0)
		return 1;

	if (manager_new(&opts, config, &m) < 0)
		return 1;
	r = manager_run(m);
	manager_free(m);
	return r;
}
