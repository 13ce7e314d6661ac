/* The IPVS diff: the fewest operations, foreign services untouched. */
#include <criterion/criterion.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs_diff.h"

static struct ipvs_service svc(const char *addr, uint16_t port)
{
	struct ipvs_service s = { 0 };

	cr_assert_eq(addr_parse(addr, &s.key.addr), 0);
	s.key.family = s.key.addr.family;
	s.key.protocol = IPPROTO_TCP;
	s.key.port = port;
	strcpy(s.scheduler, "wlc");
	s.netmask = 0xffffffff;
	s.name = addr;
	return s;
}

static struct ipvs_dest dst(const char *addr, uint16_t port, uint32_t weight)
{
	struct ipvs_dest d = { .port = port, .weight = weight, .fwd = IP_VS_CONN_F_DROUTE, .name = addr };

	cr_assert_eq(addr_parse(addr, &d.addr), 0);
	return d;
}

/* Tables own copies of the arrays given, so tests can build them inline. */
static struct ipvs_table table(struct ipvs_service *services, size_t n)
{
	struct ipvs_table t = { calloc(n ? n : 1, sizeof(*services)), n };

	memcpy(t.services, services, n * sizeof(*services));
	for (size_t i = 0; i < n; i++) {
		struct ipvs_dest *d = calloc(services[i].n_dests + 1, sizeof(*d));

		if (services[i].n_dests)
			memcpy(d, services[i].dests, services[i].n_dests * sizeof(*d));
		t.services[i].dests = d;
	}
	ipvs_table_sort(&t);
	return t;
}

static size_t count(const struct ipvs_op_list *l, enum ipvs_op_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->ops[i].kind == k;
	return n;
}

Test(ipvs_diff, empty_kernel_gets_everything_added)
{
	struct ipvs_dest d[] = { dst("192.0.2.11", 80, 1), dst("192.0.2.12", 80, 2) };
	struct ipvs_service s = svc("192.0.2.50", 80);
	struct ipvs_table kernel = { 0 }, desired;
	struct ipvs_key_set owned = { 0 };
	struct ipvs_op_list ops = { 0 };

	s.dests = d;
	s.n_dests = 2;
	desired = table(&s, 1);
	cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
	cr_assert_eq(ops.n, 3);
	cr_assert_eq(ops.ops[0].kind, IPVS_OP_ADD_SERVICE);
	cr_assert_eq(ops.ops[1].kind, IPVS_OP_ADD_DEST);
	cr_assert_eq(ops.ops[2].kind, IPVS_OP_ADD_DEST);
	ipvs_op_list_clear(&ops);
	ipvs_table_clear(&desired);
}

Test(ipvs_diff, identical_tables_need_nothing)
{
	struct ipvs_dest d[] = { dst("192.0.2.12", 80, 2), dst("192.0.2.11", 80, 1) };
	struct ipvs_service s = svc("192.0.2.50", 80);
	struct ipvs_table kernel, desired;
	struct ipvs_key_set owned = { 0 };
	struct ipvs_op_list ops = { 0 };

	s.dests = d;
	s.n_dests = 2;
	desired = table(&s, 1);
	/* The kernel adds HASHED and reports connection counts: no difference. */
	s.flags = IP_VS_SVC_F_HASHED;
	d[0].active = 5;
	kernel = table(&s, 1);
	cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
	cr_assert_eq(ops.n, 0);
	ipvs_table_clear(&kernel);
	ipvs_table_clear(&desired);
}

Test(ipvs_diff, one_weight_change_is_one_edit)
{
	struct ipvs_dest kd[] = { dst("192.0.2.11", 80, 1), dst("192.0.2.12", 80, 1) };
	struct ipvs_dest dd[] = { dst("192.0.2.11", 80, 1), dst("192.0.2.12", 80, 5) };
	struct ipvs_service ks = svc("192.0.2.50", 80), ds = svc("192.0.2.50", 80);
	struct ipvs_table kernel, desired;
	struct ipvs_key_set owned = { 0 };
	struct ipvs_op_list ops = { 0 };

	ks.dests = kd;
	ks.n_dests = 2;
	ds.dests = dd;
	ds.n_dests = 2;
	kernel = table(&ks, 1);
	desired = table(&ds, 1);
	cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
	cr_assert_eq(ops.n, 1);
	cr_assert_eq(ops.ops[0].kind, IPVS_OP_EDIT_DEST);
	cr_assert_eq(ops.ops[0].dest->weight, 5);
	cr_assert_eq(ops.ops[0].old_dest->weight, 1);
	ipvs_op_list_clear(&ops);
	ipvs_table_clear(&kernel);
	ipvs_table_clear(&desired);
}

Test(ipvs_diff, added_removed_and_changed_reals)
{
	struct ipvs_dest kd[] = { dst("192.0.2.11", 80, 1), dst("192.0.2.13", 80, 1) };
	struct ipvs_dest dd[] = { dst("192.0.2.12", 80, 1), dst("192.0.2.13", 80, 1) };
	struct ipvs_service ks = svc("192.0.2.50", 80), ds = svc("192.0.2.50", 80);
	struct ipvs_table kernel, desired;
	struct ipvs_key_set owned = { 0 };
	struct ipvs_op_list ops = { 0 };

	dd[1].fwd = IP_VS_CONN_F_MASQ;
	ks.dests = kd;
	ks.n_dests = 2;
	ds.dests = dd;
	ds.n_dests = 2;
	strcpy(ds.scheduler, "rr");
	kernel = table(&ks, 1);
	desired = table(&ds, 1);
	cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
	cr_assert_eq(ops.n, 4);
	cr_assert_eq(ops.ops[0].kind, IPVS_OP_EDIT_SERVICE);
	cr_assert_eq(count(&ops, IPVS_OP_ADD_DEST), 1);
	cr_assert_eq(count(&ops, IPVS_OP_EDIT_DEST), 1);
	cr_assert_eq(ops.ops[3].kind, IPVS_OP_DEL_DEST, "deletions last");
	cr_assert_eq(ops.ops[3].dest->addr.in.v4.s_addr, kd[0].addr.in.v4.s_addr);
	ipvs_op_list_clear(&ops);
	ipvs_table_clear(&kernel);
	ipvs_table_clear(&desired);
}

/* Replays ops on a copy of one service's destinations, counting how many it
 * has after each: the least it ever had. */
static size_t fewest_dests_during(const struct ipvs_op_list *ops, size_t n_before)
{
	size_t n = n_before, fewest = n_before;

	for (size_t i = 0; i < ops->n; i++) {
		n += ops->ops[i].kind == IPVS_OP_ADD_DEST;
		n -= ops->ops[i].kind == IPVS_OP_DEL_DEST;
		if (n < fewest)
			fewest = n;
	}
	return fewest;
}

Test(ipvs_diff, a_service_whose_every_destination_is_replaced_never_passes_through_empty)
{
	/* The fallback giving way to two recovered real servers, then back. */
	struct ipvs_dest fallback[] = { dst("127.0.0.1", 80, 1) };
	struct ipvs_dest reals[] = { dst("192.0.2.11", 80, 1), dst("192.0.2.12", 80, 1) };
	struct ipvs_service a = svc("192.0.2.50", 80), b = svc("192.0.2.50", 80);
	struct ipvs_key_set owned = { 0 };

	a.dests = fallback;
	a.n_dests = 1;
	b.dests = reals;
	b.n_dests = 2;
	for (int back = 0; back < 2; back++) {
		struct ipvs_table kernel = table(back ? &b : &a, 1), desired = table(back ? &a : &b, 1);
		struct ipvs_op_list ops = { 0 };

		cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
		cr_assert_eq(ops.n, 3);
		cr_expect_gt(fewest_dests_during(&ops, back ? 2 : 1), 0, "%s: the service went empty",
			     back ? "reals -> fallback" : "fallback -> reals");
		ipvs_op_list_clear(&ops);
		ipvs_table_clear(&kernel);
		ipvs_table_clear(&desired);
	}
}

Test(ipvs_diff, foreign_services_are_left_alone_owned_ones_removed)
{
	struct ipvs_service k[] = { svc("192.0.2.60", 80), svc("192.0.2.61", 80), svc("192.0.2.50", 80) };
	struct ipvs_service d = svc("192.0.2.50", 80);
	struct ipvs_table kernel = table(k, 3), desired = table(&d, 1);
	struct ipvs_key_set owned = { 0 };
	struct ipvs_op_list ops = { 0 };

	cr_assert_eq(ipvs_key_set_add(&owned, &k[1].key), 0);
	cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
	cr_assert_eq(ops.n, 1);
	cr_assert_eq(ops.ops[0].kind, IPVS_OP_DEL_SERVICE);
	cr_assert_eq(ipvs_service_key_compare(&ops.ops[0].service->key, &k[1].key), 0);
	ipvs_op_list_clear(&ops);
	ipvs_key_set_clear(&owned);
	ipvs_table_clear(&kernel);
	ipvs_table_clear(&desired);
}

Test(ipvs_diff, localnode_reported_by_the_kernel_is_not_a_change)
{
	struct ipvs_dest k = dst("127.0.0.1", 80, 1), d = dst("127.0.0.1", 80, 1);

	k.fwd = IP_VS_CONN_F_LOCALNODE;
	cr_assert(ipvs_dest_settings_equal(&k, &d));
	k.weight = 0;
	cr_assert_not(ipvs_dest_settings_equal(&k, &d));
}

Test(ipvs_diff, persistence_and_flags_compare_only_managed_bits)
{
	struct ipvs_service k = svc("192.0.2.50", 80), d = svc("192.0.2.50", 80);

	k.flags = IP_VS_SVC_F_HASHED;
	cr_assert(ipvs_service_settings_equal(&k, &d));
	d.flags = IP_VS_SVC_F_PERSISTENT;
	d.timeout = 300;
	cr_assert_not(ipvs_service_settings_equal(&k, &d));
	k.flags |= IP_VS_SVC_F_PERSISTENT;
	k.timeout = 300;
	cr_assert(ipvs_service_settings_equal(&k, &d));
	d.netmask = htonl(0xffffff00);
	cr_assert_not(ipvs_service_settings_equal(&k, &d));
}

/* A persistent service whose timeout alone changed is edited: the flags
 * being the same must not hide it. */
Test(ipvs_diff, a_persistence_timeout_change_alone_is_one_service_edit)
{
	struct ipvs_service ks = svc("192.0.2.50", 80), ds = svc("192.0.2.50", 80);
	struct ipvs_table kernel, desired;
	struct ipvs_key_set owned = { 0 };
	struct ipvs_op_list ops = { 0 };

	ks.flags = ds.flags = IP_VS_SVC_F_PERSISTENT;
	ks.timeout = 300;
	ds.timeout = 600;
	cr_assert_not(ipvs_service_settings_equal(&ks, &ds));
	kernel = table(&ks, 1);
	desired = table(&ds, 1);
	cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
	cr_assert_eq(ops.n, 1);
	cr_assert_eq(ops.ops[0].kind, IPVS_OP_EDIT_SERVICE);
	ipvs_op_list_clear(&ops);
	ipvs_table_clear(&kernel);
	ipvs_table_clear(&desired);
}

Test(ipvs_diff, fwmark_and_ipv6_services_are_distinct_keys)
{
	struct ipvs_service_key a = { .family = AF_INET, .fwmark = 7 };
	struct ipvs_service_key b = { .family = AF_INET6, .fwmark = 7 };
	struct ipvs_service_key c = { .family = AF_INET, .fwmark = 8 };

	cr_assert_neq(ipvs_service_key_compare(&a, &b), 0);
	cr_assert_lt(ipvs_service_key_compare(&a, &c), 0);
}

/* 200 x 50 in the kernel, one real server's weight changed: one operation. */
Test(ipvs_diff, large_table_one_line_change)
{
	enum { S = 200, D = 50 };
	struct ipvs_service *k = calloc(S, sizeof(*k));
	struct ipvs_table kernel, desired;
	struct ipvs_key_set owned = { 0 };
	struct ipvs_op_list ops = { 0 };
	char addr[32];

	for (int i = 0; i < S; i++) {
		snprintf(addr, sizeof(addr), "198.18.%d.%d", i / 250, i % 250 + 1);
		k[i] = svc(addr, 80);
		k[i].name = NULL;
		k[i].dests = calloc(D, sizeof(struct ipvs_dest));
		k[i].n_dests = D;
		for (int j = 0; j < D; j++) {
			snprintf(addr, sizeof(addr), "198.19.%d.%d", i, j + 1);
			k[i].dests[j] = dst(addr, 8080, 1);
			k[i].dests[j].name = NULL;
		}
	}
	kernel = table(k, S);
	k[123].dests[7].weight = 9;
	desired = table(k, S);
	cr_assert_eq(ipvs_table_count_dests(&desired), S * D);
	cr_assert_eq(ipvs_diff(&kernel, &desired, &owned, &ops), 0);
	cr_assert_eq(ops.n, 1);
	cr_assert_eq(ops.ops[0].kind, IPVS_OP_EDIT_DEST);
	cr_assert_eq(ops.ops[0].dest->weight, 9);
	for (int i = 0; i < S; i++)
		free(k[i].dests);
	free(k);
	ipvs_op_list_clear(&ops);
	ipvs_table_clear(&kernel);
	ipvs_table_clear(&desired);
}

Test(ipvs_key_set, add_contains_remove)
{
	struct ipvs_key_set s = { 0 };
	struct ipvs_service a = svc("192.0.2.1", 80), b = svc("192.0.2.2", 80);

	cr_assert_eq(ipvs_key_set_add(&s, &b.key), 0);
	cr_assert_eq(ipvs_key_set_add(&s, &a.key), 0);
	cr_assert_eq(ipvs_key_set_add(&s, &a.key), 0);
	cr_assert_eq(s.n, 2);
	cr_assert(ipvs_key_set_contains(&s, &a.key));
	ipvs_key_set_remove(&s, &a.key);
	cr_assert_not(ipvs_key_set_contains(&s, &a.key));
	cr_assert(ipvs_key_set_contains(&s, &b.key));
	ipvs_key_set_clear(&s);
}
