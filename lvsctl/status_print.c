/* Text and JSON renderings of lvsctl status. */
#include "status_print.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int status_view_add(struct status_view *st, const struct ipc_message *m)
{
	if (m->type == IPC_MSG_VIRTUAL) {
		struct status_virtual *v = realloc(st->virtuals, (st->n_virtuals + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->virtuals = v;
		st->virtuals[st->n_virtuals++] = (struct status_virtual){ .v = m->virtual_ };
		return 0;
	}
	if (m->type == IPC_MSG_REAL) {
		struct status_virtual *v;
		struct ipc_real *reals;

		if (st->n_virtuals == 0)
			return -EBADMSG;
		v = &st->virtuals[st->n_virtuals - 1];
		if (strcmp(v->v.name, m->real.virtual_name) != 0)
			return -EBADMSG;
		reals = realloc(v->reals, (v->n_reals + 1) * sizeof(*reals));
		if (!reals)
			return -ENOMEM;
		v->reals = reals;
		v->reals[v->n_reals++] = m->real;
		return 0;
	}
	return -EBADMSG;
}

void status_view_clear(struct status_view *st)
{
	for (size_t i = 0; i < st->n_virtuals; i++)
		free(st->virtuals[i].reals);
	free(st->virtuals);
	*st = (struct status_view){ 0 };
}

static const char *virtual_address(const struct ipc_virtual *v, char *buf, size_t size)
{
	char ep[LVSD_ENDPOINT_STRLEN];

	if (v->fwmark)
		snprintf(buf, size, "fwmark %u", v->fwmark);
	else
		snprintf(buf, size, "%s", endpoint_format(&v->endpoint, ep));
	return buf;
}

void status_print_text(FILE *f, const char *node, const struct status_view *st)
{
	fprintf(f, "node %s\n", node);
	for (size_t i = 0; i < st->n_virtuals; i++) {
		const struct status_virtual *sv = &st->virtuals[i];
		char addr[64], ep[LVSD_ENDPOINT_STRLEN];

		fprintf(f, "\nvirtual %s  %s %s  %s%s%s\n", sv->v.name,
			sv->v.fwmark ? "" : protocol_to_string(sv->v.protocol) ?: "?",
			virtual_address(&sv->v, addr, sizeof(addr)), sv->v.scheduler,
			sv->v.error ? "  error: " : "", sv->v.error ? strerror(-sv->v.error) : "");
		for (size_t j = 0; j < sv->n_reals; j++) {
			const struct ipc_real *r = &sv->reals[j];

			fprintf(f, "  real %-16s %-24s %-7s weight %-5u active %-6u inactive %u%s%s\n",
				r->name, endpoint_format(&r->endpoint, ep), ipc_health_to_string(r->health),
				r->weight, r->active, r->inactive,
				r->error ? "  error: " : "", r->error ? strerror(-r->error) : "");
		}
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void status_print_json(FILE *f, const char *node, const struct status_view *st)
{
	fputs("{\"node\": ", f);
	json_string(f, node);
	fputs(", \"peers\": [], \"vips\": [], \"virtuals\": [", f);
	for (size_t i = 0; i < st->n_virtuals; i++) {
		const struct status_virtual *sv = &st->virtuals[i];
		char ep[LVSD_ENDPOINT_STRLEN];

		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		json_string(f, sv->v.name);
		fputs(", \"address\": ", f);
		json_string(f, sv->v.fwmark ? "" : endpoint_format(&sv->v.endpoint, ep));
		fprintf(f, ", \"fwmark\": %u, \"protocol\": ", sv->v.fwmark);
		json_string(f, protocol_to_string(sv->v.protocol) ?: "?");
		fputs(", \"scheduler\": ", f);
		json_string(f, sv->v.scheduler);
		if (sv->v.error) {
			fputs(", \"error\": ", f);
			json_string(f, strerror(-sv->v.error));
		}
		fputs(", \"reals\": [", f);
		for (size_t j = 0; j < sv->n_reals; j++) {
			const struct ipc_real *r = &sv->reals[j];

			fputs(j ? ", {\"name\": " : "{\"name\": ", f);
			json_string(f, r->name);
			fputs(", \"address\": ", f);
			json_string(f, endpoint_format(&r->endpoint, ep));
			fputs(", \"health\": ", f);
			json_string(f, ipc_health_to_string(r->health) ?: "unknown");
			fprintf(f, ", \"weight\": %u, \"active\": %u, \"inactive\": %u", r->weight, r->active,
				r->inactive);
			if (r->error) {
				fputs(", \"error\": ", f);
				json_string(f, strerror(-r->error));
			}
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("], \"sync\": {\"state\": \"off\"}}\n", f);
}
