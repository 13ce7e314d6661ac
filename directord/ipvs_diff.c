/* The minimal set of IPVS operations from one table to another.
 *
 * A merge of two sorted lists, at service level and then per service at
 * destination level: O(n) after sorting, no I/O. */
#include "ipvs_diff.h"

#include <errno.h>
#include <linux/ip_vs.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

static const char *const op_kind_names[_IPVS_OP_MAX] = {
	[IPVS_OP_DEL_SERVICE] = "delete-service",
	[IPVS_OP_ADD_SERVICE] = "add-service",
	[IPVS_OP_EDIT_SERVICE] = "edit-service",
	[IPVS_OP_DEL_DEST] = "delete-real",
	[IPVS_OP_ADD_DEST] = "add-real",
	[IPVS_OP_EDIT_DEST] = "edit-real",
};

const char *ipvs_op_kind_to_string(enum ipvs_op_kind k)
{
	return (unsigned)k < _IPVS_OP_MAX ? op_kind_names[k] : NULL;
}

static int push(struct ipvs_op_list *l, enum ipvs_op_kind kind,
		const struct ipvs_service *service, const struct ipvs_dest *dest,
		const struct ipvs_service *old_service, const struct ipvs_dest *old_dest)
{
	if (array_grow((void **)&l->ops, l->n, &l->allocated, sizeof(*l->ops), 64) < 0)
		return -ENOMEM;
	l->ops[l->n++] = (struct ipvs_op){ kind, service, dest, old_service, old_dest };
	return 0;
}

bool ipvs_dest_settings_equal(const struct ipvs_dest *kernel, const struct ipvs_dest *desired)
{
	uint32_t fwd = kernel->fwd & IP_VS_CONN_F_FWD_MASK;

	return (fwd == desired->fwd || fwd == IP_VS_CONN_F_LOCALNODE) &&
	       kernel->weight == desired->weight &&
	       kernel->u_threshold == desired->u_threshold &&
	       kernel->l_threshold == desired->l_threshold;
}

bool ipvs_service_settings_equal(const struct ipvs_service *kernel, const struct ipvs_service *desired)
{
	return strcmp(kernel->scheduler, desired->scheduler) == 0 &&
	       (kernel->flags & IPVS_MANAGED_FLAGS) == (desired->flags & IPVS_MANAGED_FLAGS) &&
	       kernel->timeout == desired->timeout &&
	       kernel->netmask == desired->netmask;
}

/* Destinations of one service present on both sides. Additions and edits
 * come before deletions: a service whose every destination is replaced (the
 * fallback giving way to recovered real servers, or taking their place)
 * must not pass through empty, when IPVS drops new connections' first
 * packets and clients wait for their retransmission. */
static int diff_dests(const struct ipvs_service *k, const struct ipvs_service *d, struct ipvs_op_list *ret)
{
	size_t i = 0, j = 0;
	int r;

	for (i = 0, j = 0; j < d->n_dests;) {
		int c = i < k->n_dests ? ipvs_dest_compare(&k->dests[i], &d->dests[j]) : 1;

		if (c < 0) {
			i++;
		} else if (c > 0) {
			if ((r = push(ret, IPVS_OP_ADD_DEST, d, &d->dests[j], NULL, NULL)) < 0)
				return r;
			j++;
		} else {
			if (!ipvs_dest_settings_equal(&k->dests[i], &d->dests[j]) &&
			    (r = push(ret, IPVS_OP_EDIT_DEST, d, &d->dests[j], k, &k->dests[i])) < 0)
				return r;
			i++;
			j++;
		}
	}
	for (i = 0, j = 0; i < k->n_dests;) {
		int c = j < d->n_dests ? ipvs_dest_compare(&k->dests[i], &d->dests[j]) : -1;

		if (c < 0) {
			/* The desired service (same key) gives messages its name. */
			if ((r = push(ret, IPVS_OP_DEL_DEST, d, &k->dests[i], k, NULL)) < 0)
				return r;
			i++;
		} else if (c > 0) {
			j++;
		} else {
			i++;
			j++;
		}
	}
	return 0;
}

static int add_service(const struct ipvs_service *d, struct ipvs_op_list *ret)
{
	int r = push(ret, IPVS_OP_ADD_SERVICE, d, NULL, NULL, NULL);

	for (size_t j = 0; r == 0 && j < d->n_dests; j++)
		r = push(ret, IPVS_OP_ADD_DEST, d, &d->dests[j], NULL, NULL);
	return r;
}

int ipvs_diff(const struct ipvs_table *kernel, const struct ipvs_table *desired,
	      const struct ipvs_key_set *owned, struct ipvs_op_list *ret)
{
	size_t i, j;
	int r;

	/* Owned services that are no longer wanted go first. */
	for (i = 0; i < kernel->n_services; i++) {
		const struct ipvs_service *k = &kernel->services[i];

		if (!ipvs_table_find(desired, &k->key) && ipvs_key_set_contains(owned, &k->key) &&
		    (r = push(ret, IPVS_OP_DEL_SERVICE, k, NULL, NULL, NULL)) < 0)
			return r;
	}

	for (i = 0, j = 0; j < desired->n_services;) {
		const struct ipvs_service *d = &desired->services[j];
		int c = i < kernel->n_services ? ipvs_service_key_compare(&kernel->services[i].key, &d->key) : 1;

		if (c < 0) {
			i++;
			continue;
		}
		if (c > 0) {
			r = add_service(d, ret);
		} else {
			const struct ipvs_service *k = &kernel->services[i];

			r = 0;
			if (!ipvs_service_settings_equal(k, d))
				r = push(ret, IPVS_OP_EDIT_SERVICE, d, NULL, k, NULL);
			if (r == 0)
				r = diff_dests(k, d, ret);
			i++;
		}
		if (r < 0)
			return r;
		j++;
	}
	return 0;
}

void ipvs_op_list_clear(struct ipvs_op_list *l)
{
	free(l->ops);
	*l = (struct ipvs_op_list){ 0 };
}
