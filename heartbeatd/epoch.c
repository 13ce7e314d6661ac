/* The epoch of a run, kept beside the control socket across restarts. */
#include "epoch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

uint64_t epoch_next(const char *path, uint64_t now_usec)
{
	char tmp[4096];
	uint64_t last = 0, epoch = now_usec;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%" SCNu64, &last) != 1)
			last = 0;
		fclose(f);
	}
	if (last >= epoch) {
		epoch = last + 1;
		log_notice("the clock is behind the previous run's start: epoch %" PRIu64 " instead of %" PRIu64,
			   epoch, now_usec);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "we")) || fprintf(f, "%" PRIu64 "\n", epoch) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		log_warning("cannot record this run's epoch in %s: %s", path, strerror(errno));
	return epoch;
}
