/* The least loading bench/ipvs-apply's lvsd.conf costs when libconfuse
 * reads all of it: the file parsed against a table of only the options it
 * uses, as plain strings (no checking of any value, no line keeping, no
 * conversion). The time printed is the parse's; freeing the tree comes
 * after. bench/ipvs-apply times it beside directord, in the same boot, as a
 * reference: directord has libconfuse read the whole file too, each value
 * parsed by its callback and kept with its line (common/config_options.c).
 *
 *   confuse-floor FILE      prints the seconds taken, or fails */
#include <confuse.h>
#include <stdio.h>
#include <time.h>

static cfg_opt_t check_opts[] = {
	CFG_STR("type", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static cfg_opt_t real_opts[] = {
	CFG_STR("address", NULL, CFGF_NODEFAULT),
	CFG_STR("weight", "1", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t virtual_opts[] = {
	CFG_STR("address", NULL, CFGF_NODEFAULT),
	CFG_SEC("check", check_opts, CFGF_NONE),
	CFG_SEC("real", real_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	CFG_STR("reconcile-interval", "30s", CFGF_NONE),
	CFG_SEC("virtual", virtual_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double t0 = now();
	cfg_t *cfg;

	if (argc != 2) {
		fprintf(stderr, "usage: confuse-floor FILE\n");
		return 2;
	}
	cfg = cfg_init(root_opts, CFGF_NONE);
	if (!cfg || cfg_parse(cfg, argv[1]) != CFG_SUCCESS) {
		fprintf(stderr, "confuse-floor: cannot parse %s\n", argv[1]);
		return 1;
	}
	printf("%.3f\n", now() - t0);
	cfg_free(cfg);
	return 0;
}
