/* libFuzzer target: the configuration parser and validator, on any bytes.
 * Each input is loaded and described: nothing may crash, leak or read out
 * of bounds, whatever the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/lvsd-fuzz-config.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char *description = config_load_description(path);

		if (!description)
			abort();
		free(description);
	}
	close(fd);
	unlink(path);
	return 0;
}
