/* One reconciliation pass: kernel table -> diff -> minimal operations.
 *
 * Runs at start, on reload, every reconcile-interval (repairing drift, such
 * as a real server removed by hand), and at once after a pass that met errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "desired.h"
#include "ipvs_diff.h"
#include "log.h"
#include "manager.h"
#include "owned.h"

/* After errors, retry at once, then after 1 s, 2 s, ... up to the interval. */
#define RETRY_FIRST_USEC 1000000ULL


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

		log_real(LOG_ERR, vname, op->dest->name, "virtual %s: cannot %s %s (%s) of %s: %s", vname,
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

/* The destination an operation removes is a configured real server (taken
 * out for its health), not a leftover. */
static bool is_configured_real(const struct manager *m, const struct ipvs_op *op)
{
	int vi = virtual_index(m, op->service->name);
	const struct lvsd_virtual *v;

	if (vi < 0)
		return false;
	v = &m->config->virtuals[vi];
	for (size_t i = 0; i < v->n_reals; i++)
		if (addr_equal(&v->reals[i].endpoint.addr, &op->dest->addr) &&
		    v->reals[i].endpoint.port == op->dest->port)
			return true;
	return false;
}

/* IPVS keeps an IPv4 persistence netmask as a mask, an IPv6 one as a
 * prefix length. */
static const char *netmask_text(int family, uint32_t netmask, char buf[static INET_ADDRSTRLEN])
{
	struct in_addr a = { .s_addr = netmask };

	if (family == AF_INET)
		return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
	snprintf(buf, INET_ADDRSTRLEN, "/%u", netmask);
	return buf;
}

/* What an applied operation changed, in an operator's words. Destinations
 * added together with their new service are summed up by the service line. */
static void log_success(const struct ipvs_op *op, bool with_new_service, bool configured)
{
	const struct ipvs_service *s = op->service;
	char key[128], dest[LVSD_ENDPOINT_STRLEN], mask_old[INET_ADDRSTRLEN], mask_new[INET_ADDRSTRLEN];
	const char *vname = s->name ? s->name : key;
	struct lvsd_endpoint e;

	/* A new service's thousands of real servers are summed up by its own
	 * line; their debug lines are not worth formatting otherwise. */
	if (op->kind == IPVS_OP_ADD_DEST && with_new_service && log_get_level() < LOG_DEBUG)
		return;
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
			    "persistence %us -> %us, netmask %s -> %s", vname, key,
			    op->old_service->scheduler, s->scheduler,
			    op->old_service->flags & IPVS_MANAGED_FLAGS, s->flags & IPVS_MANAGED_FLAGS,
			    op->old_service->timeout, s->timeout,
			    netmask_text(s->key.family, op->old_service->netmask, mask_old),
			    netmask_text(s->key.family, s->netmask, mask_new));
		break;
	case IPVS_OP_DEL_SERVICE:
		if (s->name)
			log_virtual(LOG_INFO, vname, "virtual %s: removed %s", vname, key);
		else
			log_info("removed %s: no longer configured", key);
		break;
	case IPVS_OP_ADD_DEST:
		log_real(with_new_service ? LOG_DEBUG : LOG_INFO, vname, op->dest->name,
			 "virtual %s: added real server %s (%s) weight %u %s", vname,
			    op->dest->name, dest, op->dest->weight, fwd_name(op->dest->fwd));
		break;
	case IPVS_OP_EDIT_DEST:
		if ((op->old_dest->fwd & IP_VS_CONN_F_FWD_MASK) == (op->dest->fwd & IP_VS_CONN_F_FWD_MASK))
			log_real(LOG_INFO, vname, op->dest->name, "virtual %s: real server %s (%s) weight %u -> %u",
				 vname, op->dest->name, dest, op->old_dest->weight, op->dest->weight);
		else
			log_real(LOG_INFO, vname, op->dest->name, "virtual %s: real server %s (%s) weight %u -> %u, %s -> %s",
				 vname, op->dest->name, dest, op->old_dest->weight, op->dest->weight,
				 fwd_name(op->old_dest->fwd), fwd_name(op->dest->fwd));
		break;
	case IPVS_OP_DEL_DEST:
		log_real(LOG_INFO, vname, op->dest->name, "virtual %s: removed real server %s%s", vname, dest,
			 configured ? " while it is down" : ", not configured");
		break;
	default:
		break;
	}
}

static void schedule_next(struct manager *m, bool had_errors)
{
	uint64_t next = m->config->reconcile_interval_usec;

	if (had_errors) {
		/* At once first: the error may be drift the next read repairs
		 * (a real server added by hand meanwhile); then back off. */
		uint64_t retry = m->retry_backoff == 0 ? 0 :
				 RETRY_FIRST_USEC << (m->retry_backoff < 11 ? m->retry_backoff - 1 : 10);

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

static bool key_sets_equal(const struct ipvs_key_set *a, const struct ipvs_key_set *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (ipvs_service_key_compare(&a->keys[i], &b->keys[i]) != 0)
			return false;
	return true;
}

/* Owned = what is configured, plus what was owned and is still in the
 * kernel (it is removed by a later pass if no longer configured), less what
 * this pass removed (NULL: nothing yet). kernel is the table read at the
 * start of the pass, so no second read is needed. Saved when it changed. */
static void remember_owned(struct manager *m, const struct ipvs_table *kernel,
			   const struct ipvs_key_set *removed)
{
	struct ipvs_key_set next = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < m->desired.n_services; i++)
		r = ipvs_key_set_add(&next, &m->desired.services[i].key);
	for (size_t i = 0; r == 0 && i < m->owned.n; i++)
		if (ipvs_table_find(kernel, &m->owned.keys[i]) &&
		    !(removed && ipvs_key_set_contains(removed, &m->owned.keys[i])))
			r = ipvs_key_set_add(&next, &m->owned.keys[i]);
	if (r < 0 || key_sets_equal(&next, &m->owned)) {
		ipvs_key_set_clear(&next);
		return;
	}
	ipvs_key_set_clear(&m->owned);
	m->owned = next;
	if ((r = owned_save(m->owned_path, &m->owned)) < 0)
		log_warning("cannot write %s: %s", m->owned_path, strerror(-r));
}

/* Desired = configuration + health + what the kernel holds of reals whose
 * health is not known yet. */
static int rebuild_desired(struct manager *m, const struct ipvs_table *kernel)
{
	struct ipvs_table desired;
	int r = desired_build(m->config, &m->health, kernel, &desired);

	if (r < 0)
		return r;
	ipvs_table_clear(&m->desired);
	m->desired = desired;
	return 0;
}

int manager_reconcile(struct manager *m, const char *why)
{
	struct ipvs_table kernel = { 0 };
	struct ipvs_op_list ops = { 0 };
	struct reconcile_stats stats = { 0 };
	const struct ipvs_service *failed_service = NULL, *added_service = NULL;
	struct ipvs_key_set removed = { 0 };
	uint64_t start = monotonic_usec();
	unsigned long datagrams = ipvs_netlink_datagrams(m->nl);
	int *errors;
	int r;

	m->passes++;
	if ((r = ipvs_netlink_read(m->nl, &kernel)) < 0)
		log_error("cannot read the kernel's IPVS table: %s", strerror(-r));
	else if ((r = rebuild_desired(m, &kernel)) < 0)
		log_error("cannot compute the desired IPVS table: %s", strerror(-r));
	else if ((r = ipvs_diff(&kernel, &m->desired, &m->owned, &ops)) < 0)
		log_error("cannot compare the kernel's IPVS table with the configuration: %s", strerror(-r));
	if (r < 0)
		goto fail;
	/* Own what is about to be created before creating it: a crash right
	 * after must not leave services nobody would remove. */
	remember_owned(m, &kernel, NULL);
	memset(m->virtual_errors, 0, m->config->n_virtuals * sizeof(int));

	errors = calloc(ops.n ? ops.n : 1, sizeof(*errors));
	if (!errors) {
		r = -ENOMEM;
		goto fail;
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
		if (op->kind == IPVS_OP_ADD_SERVICE)
			added_service = op->service;
		log_success(op, op->service == added_service,
			    op->kind == IPVS_OP_DEL_DEST && is_configured_real(m, op));
	}
	free(errors);
	stats.duration_usec = monotonic_usec() - start;

	if (ops.n) {
		m->last = stats;
		m->total_ops += ops.n;
		log_info("%s: %zu operations (%lu services added, %lu updated, %lu removed; "
			 "%lu real servers added, %lu updated, %lu removed), %lu errors, in %.3f s "
			 "(%lu netlink datagrams)",
			 why, ops.n, stats.ops[IPVS_OP_ADD_SERVICE], stats.ops[IPVS_OP_EDIT_SERVICE],
			 stats.ops[IPVS_OP_DEL_SERVICE], stats.ops[IPVS_OP_ADD_DEST],
			 stats.ops[IPVS_OP_EDIT_DEST], stats.ops[IPVS_OP_DEL_DEST], stats.errors,
			 stats.duration_usec / 1e6, ipvs_netlink_datagrams(m->nl) - datagrams);
	} else {
		log_debug("%s: the kernel matches the configuration (%zu services, %zu real servers)",
			  why, m->desired.n_services, ipvs_table_count_dests(&m->desired));
	}
	remember_owned(m, &kernel, &removed);
	if (ops.n && m->ctl)
		manager_publish(m);
	ipvs_key_set_clear(&removed);
	update_status(m);
	schedule_next(m, stats.errors > 0);
	ipvs_table_clear(&kernel);
	ipvs_op_list_clear(&ops);
	return stats.errors ? -EIO : 0;
fail:
	ipvs_table_clear(&kernel);
	ipvs_op_list_clear(&ops);
	schedule_next(m, true);
	return r;
}

void manager_flush(struct manager *m)
{
	struct ipvs_table kernel = { 0 };
	struct ipvs_op *ops = NULL;
	int *errors = NULL;
	size_t n = 0;
	int r;

	if ((r = ipvs_netlink_read(m->nl, &kernel)) < 0) {
		log_error("cannot read the kernel's IPVS table: %s", strerror(-r));
		return;
	}
	ops = calloc(kernel.n_services ? kernel.n_services : 1, sizeof(*ops));
	errors = calloc(kernel.n_services ? kernel.n_services : 1, sizeof(*errors));
	if (!ops || !errors) {
		log_error("cannot remove the virtual services: %s", strerror(ENOMEM));
		goto done;
	}
	/* Removing a service removes its destinations: one request each, all
	 * in as few datagrams as the batch allows. */
	for (size_t i = 0; i < kernel.n_services; i++) {
		struct ipvs_service *s = &kernel.services[i];
		const struct ipvs_service *d = ipvs_table_find(&m->desired, &s->key);

		if (!d && !ipvs_key_set_contains(&m->owned, &s->key))
			continue;
		if (d)
			s->name = d->name;
		ops[n++] = (struct ipvs_op){ .kind = IPVS_OP_DEL_SERVICE, .service = s };
	}
	ipvs_netlink_apply_batch(m->nl, ops, n, errors);
	for (size_t i = 0; i < n; i++) {
		/* A service that could not be removed stays owned, so a
		 * later start removes it if it is no longer configured. */
		if (errors[i] < 0 && errors[i] != -ESRCH) {
			log_failure(&ops[i], errors[i]);
			continue;
		}
		log_success(&ops[i], false, false);
		ipvs_key_set_remove(&m->owned, &ops[i].service->key);
	}
	if ((r = owned_save(m->owned_path, &m->owned)) < 0)
		log_warning("cannot write %s: %s", m->owned_path, strerror(-r));
done:
	free(ops);
	free(errors);
	ipvs_table_clear(&kernel);
}
