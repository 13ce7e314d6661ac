/* libFuzzer target: the configuration parser and validator, on any bytes.
 * Each input is loaded twice, with the fast path for plain reals and with
 * libconfuse alone: result, report and configuration must be the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/lvsd-fuzz-config.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char *fast = config_load_description(path, false);
		char *plain = config_load_description(path, true);

		if (!fast || !plain)
			abort();
		if (strcmp(fast, plain) != 0) {
			fprintf(stderr, "the fast path differs from libconfuse:\n--- fast\n%s--- libconfuse\n%s",
				fast, plain);
			abort();
		}
		free(fast);
		free(plain);
	}
	close(fd);
	unlink(path);
	return 0;
}
