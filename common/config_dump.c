/* A configuration and its loading as text: every field of every real, for
 * tests and the fuzzer to look at. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static void dump_check(const struct lvsd_check *k, FILE *f)
{
	fprintf(f, " check %d port %u every %" PRIu64 " timeout %" PRIu64 " rise %u fall %u"
		   " request \"%s\" receive \"%s\" status %u-%u host \"%s\" method %d ca \"%s\" command \"%s\"\n",
		(int)k->type, k->port, k->interval_usec, k->timeout_usec, k->rise, k->fall, k->request,
		k->receive, k->status_min, k->status_max, k->virtualhost, (int)k->method, k->ca_file, k->command);
}

void config_dump(const struct lvsd_config *c, FILE *f)
{
	char buf[LVSD_ENDPOINT_STRLEN];

	for (size_t i = 0; i < c->n_virtuals; i++) {
		const struct lvsd_virtual *v = &c->virtuals[i];

		fprintf(f, "virtual %s line %u fwmark %u family %d %s protocol %d scheduler %s flags %u"
			   " persistent %u netmask %u ops %d forward %d quiescent %d",
			v->name, v->line, v->fwmark, v->family, endpoint_format(&v->endpoint, buf), (int)v->protocol,
			v->scheduler, v->sched_flags, v->persistent_sec, v->netmask_prefix, v->ops, (int)v->forward,
			v->quiescent);
		fprintf(f, " fallback %s\n", v->has_fallback ? endpoint_format(&v->fallback, buf) : "-");
		dump_check(&v->check, f);
		for (size_t j = 0; j < v->n_reals; j++) {
			const struct lvsd_real *r = &v->reals[j];

			fprintf(f, "  real %s line %u %s weight %u forward %d\n", r->name, r->line,
				endpoint_format(&r->endpoint, buf), r->weight, (int)r->forward);
			dump_check(&r->check, f);
		}
	}
}

char *config_load_description(const char *path)
{
	struct config_errors errors = { 0 };
	struct lvsd_config *c = NULL;
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int r = config_load(path, &c, &errors);

	if (f) {
		fprintf(f, "result %d\n", r);
		for (size_t i = 0; i < errors.n; i++)
			fprintf(f, "%s\n", errors.lines[i]);
		if (r == 0)
			config_dump(c, f);
		fclose(f);
	}
	config_free(c);
	config_errors_clear(&errors);
	return text;
}
