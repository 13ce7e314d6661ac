/* libFuzzer target: the configuration parser and validator, on any bytes.
 * Each input is loaded twice, with the fast path for plain reals and with
 * libconfuse alone: result, report and configuration must be the same. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char *describe(const char *path, bool libconfuse_only)
{
	struct config_errors errors = { 0 };
	struct lvsd_config *c = NULL;
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int r = libconfuse_only ? config_load_with_libconfuse_only(path, &c, &errors)
				: config_load(path, &c, &errors);

	if (!f)
		abort();
	fprintf(f, "result %d\n", r);
	for (size_t i = 0; i < errors.n; i++)
		fprintf(f, "%s\n", errors.lines[i]);
	if (r == 0)
		config_dump(c, f);
	fclose(f);
	config_free(c);
	config_errors_clear(&errors);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/lvsd-fuzz-config.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char *fast = describe(path, false), *plain = describe(path, true);

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
