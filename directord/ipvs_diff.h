/* From the kernel's table to the desired one with the fewest operations. */
#pragma once

#include "ipvs_table.h"

enum ipvs_op_kind {
	IPVS_OP_DEL_SERVICE,
	IPVS_OP_ADD_SERVICE,
	IPVS_OP_EDIT_SERVICE,
	IPVS_OP_DEL_DEST,
	IPVS_OP_ADD_DEST,
	IPVS_OP_EDIT_DEST,
	_IPVS_OP_MAX,
};

const char *ipvs_op_kind_to_string(enum ipvs_op_kind k);

/* One netlink request. service points into the desired table, except for
 * the deletion of a service no longer desired (kernel table); dest points
 * into the desired table for additions and edits, the kernel's for
 * deletions. */
struct ipvs_op {
	enum ipvs_op_kind kind;
	const struct ipvs_service *service;
	const struct ipvs_dest *dest;
	/* For edits: the kernel's current values, to say what changed. */
	const struct ipvs_service *old_service;
	const struct ipvs_dest *old_dest;
};

struct ipvs_op_list {
	struct ipvs_op *ops;
	size_t n, allocated;
};

/* Computes the operations that turn kernel into desired (both sorted).
 * Services of kernel that are not in desired are deleted only if owned
 * contains them; every other foreign service is left alone. Order: service
 * deletions, then per service its edit or add, destination deletions, edits,
 * additions. Returns 0 or -ENOMEM. */
int ipvs_diff(const struct ipvs_table *kernel, const struct ipvs_table *desired,
	      const struct ipvs_key_set *owned, struct ipvs_op_list *ret);

void ipvs_op_list_clear(struct ipvs_op_list *l);

/* Whether a destination read from the kernel already has the desired
 * settings (the kernel reports local destinations as LOCALNODE whatever
 * method was asked, so that method is never "different"). */
bool ipvs_dest_settings_equal(const struct ipvs_dest *kernel, const struct ipvs_dest *desired);
bool ipvs_service_settings_equal(const struct ipvs_service *kernel, const struct ipvs_service *desired);
