/* Text and JSON renderings of lvsctl status. */
#include "status_print.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "config.h"

static struct status_virtual *add_virtual(struct status_view *st, const struct ipc_virtual *v)
{
	if (array_grow((void **)&st->virtuals, st->n_virtuals, &st->allocated_virtuals, sizeof(*st->virtuals), 16) < 0)
		return NULL;
	st->virtuals[st->n_virtuals] = (struct status_virtual){ .v = *v };
	return &st->virtuals[st->n_virtuals++];
}

static struct status_real *add_real(struct status_virtual *v, const struct ipc_real *r)
{
	if (array_grow((void **)&v->reals, v->n_reals, &v->allocated_reals, sizeof(*v->reals), 16) < 0)
		return NULL;
	v->reals[v->n_reals] = (struct status_real){ .real = *r };
	return &v->reals[v->n_reals++];
}

static int add_health(struct status_view *st, const struct ipc_health_report *h)
{
	struct status_virtual *v = NULL;
	struct status_real *r = NULL;

	for (size_t i = 0; !v && i < st->n_virtuals; i++)
		if (strcmp(st->virtuals[i].v.name, h->virtual_name) == 0)
			v = &st->virtuals[i];
	if (!v) {
		struct ipc_virtual iv = { 0 };

		snprintf(iv.name, sizeof(iv.name), "%s", h->virtual_name);
		if (!(v = add_virtual(st, &iv)))
			return -ENOMEM;
	}
	for (size_t i = 0; !r && i < v->n_reals; i++)
		if (strcmp(v->reals[i].real.name, h->name) == 0)
			r = &v->reals[i];
	if (!r) {
		/* Known to healthd only: its health is all there is. */
		struct ipc_real ir = { .endpoint = h->endpoint, .health = h->health };

		snprintf(ir.virtual_name, sizeof(ir.virtual_name), "%s", h->virtual_name);
		snprintf(ir.name, sizeof(ir.name), "%s", h->name);
		if (!(r = add_real(v, &ir)))
			return -ENOMEM;
	}
	r->checked = true;
	r->check = *h;
	return 0;
}

int status_view_add(struct status_view *st, const struct ipc_message *m)
{
	struct status_virtual *v;

	switch (m->type) {
	case IPC_MSG_VIRTUAL:
		return add_virtual(st, &m->virtual_) ? 0 : -ENOMEM;
	case IPC_MSG_REAL:
		if (st->n_virtuals == 0)
			return -EBADMSG;
		v = &st->virtuals[st->n_virtuals - 1];
		if (strcmp(v->v.name, m->real.virtual_name) != 0)
			return -EBADMSG;
		return add_real(v, &m->real) ? 0 : -ENOMEM;
	case IPC_MSG_HEALTH:
		return add_health(st, &m->health);
	case IPC_MSG_PEER:
		if (array_grow((void **)&st->peers, st->n_peers, &st->allocated_peers, sizeof(*st->peers), 4) < 0)
			return -ENOMEM;
		st->peers[st->n_peers++] = m->peer;
		return 0;
	case IPC_MSG_VIP_GROUP:
		if (array_grow((void **)&st->vips, st->n_vips, &st->allocated_vips, sizeof(*st->vips), 4) < 0)
			return -ENOMEM;
		st->vips[st->n_vips++] = m->vip;
		return 0;
	case IPC_MSG_SYNC:
		st->has_sync = true;
		st->sync = m->sync;
		return 0;
	default:
		return -EBADMSG;
	}
}

void status_view_clear(struct status_view *st)
{
	for (size_t i = 0; i < st->n_virtuals; i++)
		free(st->virtuals[i].reals);
	free(st->virtuals);
	free(st->peers);
	free(st->vips);
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
	for (size_t i = 0; i < st->n_peers; i++)
		if (!st->peers[i].self)
			fprintf(f, "peer %-16s %-5s priority %u\n", st->peers[i].name,
				st->peers[i].alive ? "alive" : "dead", st->peers[i].priority);
	for (size_t i = 0; i < st->n_vips; i++)
		fprintf(f, "vip %-17s %-6s holder %-16s %s\n", st->vips[i].name,
			ipc_role_to_string(st->vips[i].role),
			st->vips[i].holder[0] ? st->vips[i].holder : "-", st->vips[i].addresses);
	if (st->has_sync && st->sync.interface[0])
		fprintf(f, "sync %-6s %s on %s, syncid %u%s\n", ipc_sync_state(st->sync.master, st->sync.backup),
			sync_transport_to_string(st->sync.transport), st->sync.interface, st->sync.syncid,
			st->sync.roles_known ? "" : " (roles unknown: heartbeatd not heard)");
	for (size_t i = 0; i < st->n_virtuals; i++) {
		const struct status_virtual *sv = &st->virtuals[i];
		char addr[64], ep[LVSD_ENDPOINT_STRLEN];

		fprintf(f, "\nvirtual %s  %s %s  %s%s%s\n", sv->v.name,
			sv->v.fwmark ? "" : protocol_to_string(sv->v.protocol),
			virtual_address(&sv->v, addr, sizeof(addr)), sv->v.scheduler,
			sv->v.error ? "  error: " : "", sv->v.error ? strerror(-sv->v.error) : "");
		for (size_t j = 0; j < sv->n_reals; j++) {
			const struct status_real *sr = &sv->reals[j];
			const struct ipc_real *r = &sr->real;

			fprintf(f, "  real %-16s %-24s %-7s weight %-5u active %-6u inactive %u%s%s",
				r->name, endpoint_format(&r->endpoint, ep), ipc_health_to_string(r->health),
				r->weight, r->active, r->inactive,
				r->error ? "  error: " : "", r->error ? strerror(-r->error) : "");
			if (sr->checked && sr->check.reason[0])
				fprintf(f, "  (%s: %s)", check_type_to_string(sr->check.check),
					sr->check.reason);
			fputc('\n', f);
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
	fputs(", \"peers\": [", f);
	for (size_t i = 0, n = 0; i < st->n_peers; i++) {
		if (st->peers[i].self)
			continue;
		fputs(n++ ? ", {\"name\": " : "{\"name\": ", f);
		json_string(f, st->peers[i].name);
		fprintf(f, ", \"alive\": %s, \"priority\": %u}", st->peers[i].alive ? "true" : "false",
			st->peers[i].priority);
	}
	fputs("], \"vips\": [", f);
	for (size_t i = 0; i < st->n_vips; i++) {
		const struct ipc_vip_group *v = &st->vips[i];
		char addrs[sizeof(v->addresses)], *save = NULL;
		int n = 0;

		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		json_string(f, v->name);
		fputs(", \"state\": ", f);
		json_string(f, ipc_role_to_string(v->role));
		fputs(", \"holder\": ", f);
		json_string(f, v->holder);
		fputs(", \"addresses\": [", f);
		snprintf(addrs, sizeof(addrs), "%s", v->addresses);
		for (char *a = strtok_r(addrs, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
			fputs(n++ ? ", " : "", f);
			json_string(f, a);
		}
		fputs("]}", f);
	}
	fputs("], \"virtuals\": [", f);
	for (size_t i = 0; i < st->n_virtuals; i++) {
		const struct status_virtual *sv = &st->virtuals[i];
		char ep[LVSD_ENDPOINT_STRLEN];

		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		json_string(f, sv->v.name);
		fputs(", \"address\": ", f);
		json_string(f, sv->v.fwmark || !sv->v.endpoint.addr.family ? "" : endpoint_format(&sv->v.endpoint, ep));
		fprintf(f, ", \"fwmark\": %u, \"protocol\": ", sv->v.fwmark);
		json_string(f, protocol_to_string(sv->v.protocol));
		fputs(", \"scheduler\": ", f);
		json_string(f, sv->v.scheduler);
		if (sv->v.error) {
			fputs(", \"error\": ", f);
			json_string(f, strerror(-sv->v.error));
		}
		fputs(", \"reals\": [", f);
		for (size_t j = 0; j < sv->n_reals; j++) {
			const struct status_real *sr = &sv->reals[j];
			const struct ipc_real *r = &sr->real;

			fputs(j ? ", {\"name\": " : "{\"name\": ", f);
			json_string(f, r->name);
			fputs(", \"address\": ", f);
			json_string(f, endpoint_format(&r->endpoint, ep));
			fputs(", \"health\": ", f);
			json_string(f, ipc_health_to_string(r->health));
			fprintf(f, ", \"weight\": %u, \"active\": %u, \"inactive\": %u", r->weight, r->active,
				r->inactive);
			if (r->error) {
				fputs(", \"error\": ", f);
				json_string(f, strerror(-r->error));
			}
			if (sr->checked) {
				fputs(", \"check\": {\"type\": ", f);
				json_string(f, check_type_to_string(sr->check.check));
				fputs(", \"health\": ", f);
				json_string(f, ipc_health_to_string(sr->check.health));
				fprintf(f, ", \"last\": \"%s\", \"checks\": %u, \"latency_ms\": %.3f, \"reason\": ",
					sr->check.checks == 0 ? "none" : sr->check.last_ok ? "passed" : "failed",
					sr->check.checks, sr->check.latency_usec / 1000.0);
				json_string(f, sr->check.reason);
				fputc('}', f);
			}
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("], \"sync\": {\"state\": ", f);
	json_string(f, ipc_sync_state(st->sync.master, st->sync.backup));
	if (st->has_sync) {
		fputs(", \"transport\": ", f);
		json_string(f, sync_transport_to_string(st->sync.transport));
		fputs(", \"interface\": ", f);
		json_string(f, st->sync.interface);
		fprintf(f, ", \"syncid\": %u, \"roles_known\": %s", st->sync.syncid,
			st->sync.roles_known ? "true" : "false");
	}
	fputs("}}\n", f);
}
