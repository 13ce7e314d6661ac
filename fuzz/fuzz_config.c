/* libFuzzer target: the configuration parser and validator, on any bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/lvsd-fuzz-config.XXXXXX";
	struct config_errors errors = { 0 };
	struct lvsd_config *c = NULL;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		if (config_load(path, &c, &errors) == 0)
			config_free(c);
		config_errors_clear(&errors);
	}
	close(fd);
	unlink(path);
	return 0;
}
