/* One reconciliation pass: kernel table -> diff -> minimal operations.
 *
 * Runs at start, on reload, every reconcile-interval (repairing drift, such
 * as a real server removed by hand), and soon after a pass that met errors. */
#include <errno.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "ipvs_diff.h"
#include "log.h"
#include "manager.h"
#include "owned.h"

/* After errors, retry soon, backing off to the normal interval. */
#define RETRY_FIRST_USEC 1000000ULL

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static const char *fwd_name(uint32_t fwd)
{
	switch (fwd & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ: return "nat";
	case IP_VS_CONN_F_TUNNEL: return "tun";
	case IP_VS_CONN_F_DROUTE: return "dr";
	case IP_VS_CONN_F_LOCALNODE: return "local";
	default: return "?";
	}
}

static int virtual_index(const struct manager *m, const char *name)
{
	for (size_t i = 0; name && i < m->config->n_virtuals; i++)
		if (strcmp(m->config->virtuals[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The kernel says ENOENT when it has no such scheduler module. */
static void log_failure(const struct ipvs_op *op, int error)
{
	const struct ipvs_service *s = op->service;
	char key[128], dest[LVSD_ENDPOINT_STRLEN];
	const char *vname = s->name ? s->name : key;

	ipvs_service_key_format(&s->key, key, sizeof(key));
	if (op->dest) {
		struct lvsd_endpoint e = { op->dest->addr, op->dest->port };

		log_virtual(LOG_ERR, vname, "virtual %s: cannot %s %s (%s) of %s: %s", vname,
			    op->kind == IPVS_OP_ADD_DEST ? "add real server" :
			    op->kind == IPVS_OP_EDIT_DEST ? "update real server" : "remove real server",
			    op->dest->name ? op->dest->name : "", endpoint_format(&e, dest), key,
			    strerror(-error));
	} else if (error == -ENOENT && op->kind != IPVS_OP_DEL_SERVICE) {
		log_virtual(LOG_ERR, vname, "virtual %s: cannot %s %s: the kernel has no scheduler \"%s\" "
			    "(no module ip_vs_%s?)", vname, op->kind == IPVS_OP_ADD_SERVICE ? "add" : "update",
			    key, s->scheduler, s->scheduler);
	} else {
		log_virtual(LOG_ERR, vname, "virtual %s: cannot %s %s: %s", vname,
			    op->kind == IPVS_OP_ADD_SERVICE ? "add" :
			    op->kind == IPVS_OP_EDIT_SERVICE ? "update" : "remove",
			    key, strerror(-error));
	}
}

/* What an applied operation changed, in an operator's words. Destinations
 * added together with their new service are summed up by the service line. */
static void log_success(const struct ipvs_op *op, bool with_new_service)
{
	const struct ipvs_service *s = op->service;
	char key[128], dest[LVSD_ENDPOINT_STRLEN];
	const char *vname = s->name ? s->name : key;
	struct lvsd_endpoint e;

	ipvs_service_key_format(&s->key, key, sizeof(key));
	if (op->dest) {
		e = (struct lvsd_endpoint){ op->dest->addr, op->dest->port };
		endpoint_format(&e, dest);
	}
	switch (op->kind) {
	case IPVS_OP_ADD_SERVICE:
		log_virtual(LOG_INFO, vname, "virtual %s: added %s (%s) with %zu real servers",
			    vname, key, s->scheduler, s->n_dests);
		break;
	case IPVS_OP_EDIT_SERVICE:
		log_virtual(LOG_INFO, vname, "virtual %s: updated %s: scheduler %s -> %s, flags 0x%x -> 0x%x, "
			    "persistence %us -> %us", vname, key, op->old_service->scheduler, s->scheduler,
			    op->old_service->flags & IPVS_MANAGED_FLAGS, s->flags & IPVS_MANAGED_FLAGS,
			    op->old_service->timeout, s->timeout);
		break;
	case IPVS_OP_DEL_SERVICE:
		log_virtual(LOG_INFO, vname, "virtual %s: removed %s", vname, key);
		break;
	case IPVS_OP_ADD_DEST:
		log_virtual(with_new_service ? LOG_DEBUG : LOG_INFO, vname,
			    "virtual %s: added real server %s (%s) weight %u %s", vname,
			    op->dest->name, dest, op->dest->weight, fwd_name(op->dest->fwd));
		break;
	case IPVS_OP_EDIT_DEST:
		log_virtual(LOG_INFO, vname, "virtual %s: real server %s (%s) weight %u -> %u, %s -> %s",
			    vname, op->dest->name, dest, op->old_dest->weight, op->dest->weight,
			    fwd_name(op->old_dest->fwd), fwd_name(op->dest->fwd));
		break;
	case IPVS_OP_DEL_DEST:
		log_virtual(LOG_INFO, vname, "virtual %s: removed real server %s, not configured", vname, dest);
		break;
	default:
		break;
	}
}

static void schedule_next(struct manager *m, bool had_errors)
{
	uint64_t next = m->config->reconcile_interval_usec;

	if (had_errors) {
		uint64_t retry = RETRY_FIRST_USEC << (m->retry_backoff < 10 ? m->retry_backoff : 10);

		m->retry_backoff++;
		if (retry < next)
			next = retry;
	} else {
		m->retry_backoff = 0;
	}
	sd_event_source_set_time_relative(m->reconcile_timer, next);
	sd_event_source_set_enabled(m->reconcile_timer, SD_EVENT_ONESHOT);
}

static void update_status(const struct manager *m)
{
	sd_notifyf(0, "STATUS=%zu virtual services, %zu real servers; last change: %lu operations, "
		   "%lu errors",
		   m->desired.n_services, ipvs_table_count_dests(&m->desired),
		   m->last.ops[IPVS_OP_ADD_SERVICE] + m->last.ops[IPVS_OP_EDIT_SERVICE] +
		   m->last.ops[IPVS_OP_DEL_SERVICE] + m->last.ops[IPVS_OP_ADD_DEST] +
		   m->last.ops[IPVS_OP_EDIT_DEST] + m->last.ops[IPVS_OP_DEL_DEST],
		   m->last.errors);
}

/* Owned = what is configured, plus what was owned and is still in the
 * kernel (it is removed by a later pass if no longer configured). The kernel
 * table is the one read before this pass's operations; the services this
 * pass removed are given apart, so no second read is needed. */
static void update_owned(struct manager *m, const struct ipvs_table *kernel,
			 const struct ipvs_key_set *removed)
{
	struct ipvs_key_set next = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < m->desired.n_services; i++)
		r = ipvs_key_set_add(&next, &m->desired.services[i].key);
	for (size_t i = 0; r == 0 && i < m->owned.n; i++)
		if (ipvs_table_find(kernel, &m->owned.keys[i]) &&
		    !ipvs_key_set_contains(removed, &m->owned.keys[i]))
			r = ipvs_key_set_add(&next, &m->owned.keys[i]);
	if (r < 0) {
		ipvs_key_set_clear(&next);
		return;
	}
	if (next.n == m->owned.n &&
	    (next.n == 0 || memcmp(next.keys, m->owned.keys, next.n * sizeof(*next.keys)) == 0)) {
		ipvs_key_set_clear(&next);
		return;
	}
	ipvs_key_set_clear(&m->owned);
	m->owned = next;
	if ((r = owned_save(m->owned_path, &m->owned)) < 0)
		log_warning("cannot write %s: %s", m->owned_path, strerror(-r));
}

int manager_reconcile(struct manager *m, const char *why)
{
	struct ipvs_table kernel = { 0 };
	struct ipvs_op_list ops = { 0 };
	struct reconcile_stats stats = { 0 };
	const struct ipvs_service *failed_service = NULL;
	struct ipvs_key_set removed = { 0 };
	uint64_t start = now_usec();
	int *errors;
	int r;

	m->passes++;
	r = ipvs_netlink_read(m->nl, &kernel);
	if (r == 0)
		r = ipvs_diff(&kernel, &m->desired, &m->owned, &ops);
	if (r < 0) {
		log_error("cannot read the kernel's IPVS table: %s", strerror(-r));
		ipvs_table_clear(&kernel);
		schedule_next(m, true);
		return r;
	}
	memset(m->virtual_errors, 0, m->config->n_virtuals * sizeof(int));

	errors = calloc(ops.n ? ops.n : 1, sizeof(*errors));
	if (!errors) {
		ipvs_table_clear(&kernel);
		ipvs_op_list_clear(&ops);
		schedule_next(m, true);
		return -ENOMEM;
	}
	ipvs_netlink_apply_batch(m->nl, ops.ops, ops.n, errors);
	for (size_t i = 0; i < ops.n; i++) {
		const struct ipvs_op *op = &ops.ops[i];

		if (errors[i] < 0) {
			int vi = virtual_index(m, op->service->name);

			/* The real servers of a service the kernel refused fail
			 * too: the service's own error says it all. */
			if (failed_service && op->service == failed_service)
				continue;
			stats.errors++;
			log_failure(op, errors[i]);
			if (vi >= 0)
				m->virtual_errors[vi] = errors[i];
			if (op->kind == IPVS_OP_ADD_SERVICE || op->kind == IPVS_OP_DEL_SERVICE)
				failed_service = op->service;
			continue;
		}
		stats.ops[op->kind]++;
		if (op->kind == IPVS_OP_DEL_SERVICE)
			ipvs_key_set_add(&removed, &op->service->key);
		log_success(op, i > 0 && ops.ops[i - 1].service == op->service &&
				  (ops.ops[i - 1].kind == IPVS_OP_ADD_SERVICE ||
				   ops.ops[i - 1].kind == IPVS_OP_ADD_DEST));
	}
	free(errors);
	stats.duration_usec = now_usec() - start;

	if (ops.n) {
		m->last = stats;
		m->total_ops += ops.n;
		log_info("%s: %zu operations (%lu services added, %lu updated, %lu removed; "
			 "%lu real servers added, %lu updated, %lu removed), %lu errors, in %.3f s",
			 why, ops.n, stats.ops[IPVS_OP_ADD_SERVICE], stats.ops[IPVS_OP_EDIT_SERVICE],
			 stats.ops[IPVS_OP_DEL_SERVICE], stats.ops[IPVS_OP_ADD_DEST],
			 stats.ops[IPVS_OP_EDIT_DEST], stats.ops[IPVS_OP_DEL_DEST], stats.errors,
			 stats.duration_usec / 1e6);
	} else {
		log_debug("%s: the kernel matches the configuration (%zu services, %zu real servers)",
			  why, m->desired.n_services, ipvs_table_count_dests(&m->desired));
	}
	update_owned(m, &kernel, &removed);
	ipvs_key_set_clear(&removed);
	update_status(m);
	schedule_next(m, stats.errors > 0);
	ipvs_table_clear(&kernel);
	ipvs_op_list_clear(&ops);
	return stats.errors ? -EIO : 0;
}

void manager_flush(struct manager *m)
{
	struct ipvs_table kernel = { 0 };
	int r;

	if ((r = ipvs_netlink_read(m->nl, &kernel)) < 0) {
		log_error("cannot read the kernel's IPVS table: %s", strerror(-r));
		return;
	}
	for (size_t i = 0; i < kernel.n_services; i++) {
		const struct ipvs_service *s = &kernel.services[i];
		struct ipvs_op op = { .kind = IPVS_OP_DEL_SERVICE, .service = s };
		const struct ipvs_service *d = ipvs_table_find(&m->desired, &s->key);

		if (!d && !ipvs_key_set_contains(&m->owned, &s->key))
			continue;
		if (d)
			kernel.services[i].name = d->name;
		if ((r = ipvs_netlink_apply(m->nl, &op)) < 0)
			log_failure(&op, r);
		else
			log_success(&op, false);
	}
	ipvs_key_set_clear(&m->owned);
	if ((r = owned_save(m->owned_path, &m->owned)) < 0)
		log_warning("cannot write %s: %s", m->owned_path, strerror(-r));
	ipvs_table_clear(&kernel);
}
