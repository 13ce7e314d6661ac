/* Configuration -> desired IPVS table. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "desired.h"

static struct lvsd_config *load(const char *text)
{
	char path[] = "/tmp/test-desired.XXXXXX";
	struct config_errors errors = { 0 };
	struct lvsd_config *c = NULL;
	int fd = mkstemp(path);
	int r;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	r = config_load(path, &c, &errors);
	for (size_t i = 0; i < errors.n; i++)
		cr_log_error("%s", errors.lines[i]);
	cr_assert_eq(r, 0);
	config_errors_clear(&errors);
	unlink(path);
	return c;
}

static const struct ipvs_service *find(const struct ipvs_table *t, const struct lvsd_config *c, const char *name)
{
	struct ipvs_service_key k;

	desired_service_key(config_find_virtual(c, name), &k);
	return ipvs_table_find(t, &k);
}

Test(desired, services_flags_and_destinations)
{
	struct lvsd_config *c = load(
		"virtual web {\n"
		"  address = \"192.0.2.50:80\"\n"
		"  persistent = 300s\n"
		"  netmask = \"255.255.255.0\"\n"
		"  real web1 { address = \"192.0.2.11\" weight = 3 }\n"
		"  real web2 { address = \"192.0.2.12:8080\" forward = nat }\n"
		"}\n"
		"virtual dns {\n"
		"  address = \"[2001:db8::53]:53\"\n"
		"  protocol = udp\n"
		"  scheduler = mh\n"
		"  scheduler-flags = { \"mh-port\" }\n"
		"  ops = yes\n"
		"  real ns { address = \"[2001:db8::1]->[2001:db8::3]\" forward = tun }\n"
		"}\n");
	struct ipvs_table t;
	const struct ipvs_service *web, *dns;

	cr_assert_eq(desired_build(c, NULL, NULL, &t), 0);
	cr_assert_eq(t.n_services, 2);
	web = find(&t, c, "web");
	cr_assert_not_null(web);
	cr_assert_str_eq(web->scheduler, "wlc");
	cr_assert_eq(web->key.protocol, IPPROTO_TCP);
	cr_assert_eq(web->key.port, 80);
	cr_assert_eq(web->flags, IP_VS_SVC_F_PERSISTENT);
	cr_assert_eq(web->timeout, 300);
	cr_assert_eq(web->netmask, htonl(0xffffff00));
	cr_assert_eq(web->n_dests, 2);
	cr_assert_eq(web->dests[0].port, 80);
	cr_assert_eq(web->dests[0].weight, 3);
	cr_assert_eq(web->dests[0].fwd, IP_VS_CONN_F_DROUTE);
	cr_assert_eq(web->dests[1].port, 8080);
	cr_assert_eq(web->dests[1].fwd, IP_VS_CONN_F_MASQ);

	dns = find(&t, c, "dns");
	cr_assert_not_null(dns);
	cr_assert_eq(dns->key.family, AF_INET6);
	cr_assert_eq(dns->key.protocol, IPPROTO_UDP);
	cr_assert_eq(dns->flags, IP_VS_SVC_F_ONEPACKET | IP_VS_SVC_F_SCHED2);
	cr_assert_eq(dns->netmask, 128);
	cr_assert_eq(dns->n_dests, 3);
	cr_assert_eq(dns->dests[2].fwd, IP_VS_CONN_F_TUNNEL);
	cr_assert_eq(dns->dests[2].port, 53);
	ipvs_table_clear(&t);
	config_free(c);
}

Test(desired, fwmark_service_takes_its_reals_family)
{
	struct lvsd_config *c = load(
		"virtual m {\n"
		"  fwmark = 9\n"
		"  real a { address = \"2001:db8::7\" }\n"
		"}\n");
	struct ipvs_table t;

	cr_assert_eq(desired_build(c, NULL, NULL, &t), 0);
	cr_assert_eq(t.services[0].key.fwmark, 9);
	cr_assert_eq(t.services[0].key.family, AF_INET6);
	cr_assert_eq(t.services[0].key.protocol, 0);
	cr_assert_eq(t.services[0].dests[0].port, 0);
	ipvs_table_clear(&t);
	config_free(c);
}

Test(desired, fallback_only_when_no_real_server)
{
	struct lvsd_config *c = load(
		"virtual a {\n"
		"  address = \"192.0.2.50:80\"\n"
		"  fallback = \"127.0.0.1:8080\"\n"
		"}\n"
		"virtual b {\n"
		"  address = \"192.0.2.51:80\"\n"
		"  fallback = \"127.0.0.1:8080\"\n"
		"  real r { address = \"192.0.2.11\" }\n"
		"}\n");
	struct ipvs_table t;
	const struct ipvs_service *a, *b;

	cr_assert_eq(desired_build(c, NULL, NULL, &t), 0);
	a = find(&t, c, "a");
	b = find(&t, c, "b");
	cr_assert_eq(a->n_dests, 1);
	cr_assert_eq(a->dests[0].port, 8080);
	cr_assert_str_eq(a->dests[0].name, "fallback");
	cr_assert_eq(b->n_dests, 1);
	cr_assert_str_eq(b->dests[0].name, "r");
	ipvs_table_clear(&t);
	config_free(c);
}

static const char *health_conf =
	"virtual q {\n"
	"  address = \"192.0.2.50:80\"\n"
	"  fallback = \"192.0.2.99:80\"\n"
	"  real a { address = \"192.0.2.11\" weight = 3 }\n"
	"  real b { address = \"192.0.2.12\" weight = 2 }\n"
	"  real always { address = \"192.0.2.13\" check { type = none } }\n"
	"}\n"
	"virtual r {\n"
	"  address = \"192.0.2.51:80\"\n"
	"  quiescent = no\n"
	"  fallback = \"192.0.2.99:80\"\n"
	"  real a { address = \"192.0.2.11\" weight = 3 }\n"
	"  real b { address = \"192.0.2.12\" weight = 2 }\n"
	"}\n";

static const struct ipvs_dest *dest(const struct ipvs_service *s, const char *addr)
{
	struct lvsd_addr a;

	cr_assert_eq(addr_parse(addr, &a), 0);
	return ipvs_service_find_dest(s, &a, 80);
}

/* What healthd would say of real rname of virtual vname: with its address. */
static void set_health(struct health_map *h, const struct lvsd_config *c, const char *vname, const char *rname,
		       enum ipc_health health)
{
	const struct lvsd_virtual *v = config_find_virtual(c, vname);

	cr_assert_not_null(v);
	for (size_t i = 0; i < v->n_reals; i++)
		if (strcmp(v->reals[i].name, rname) == 0) {
			health_map_set(h, vname, rname, &v->reals[i].endpoint, health);
			return;
		}
	cr_assert_fail("no real %s in virtual %s", rname, vname);
}

Test(desired, health_of_another_address_is_unknown)
{
	/* A reload gave real a another address, and healthd's word is still
	 * about the old one: the new server is not put in on its strength. */
	struct lvsd_config *c = load(health_conf);
	struct health_map h = { 0 };
	struct lvsd_endpoint old;
	struct ipvs_table t;

	cr_assert_eq(endpoint_parse("192.0.2.77:80", false, &old), 0);
	health_map_set(&h, "r", "a", &old, IPC_HEALTH_UP);
	set_health(&h, c, "r", "b", IPC_HEALTH_UP);
	cr_assert_eq(desired_build(c, &h, NULL, &t), 0);
	cr_assert_null(dest(find(&t, c, "r"), "192.0.2.11"), "unknown, and not in the kernel: left out");
	cr_assert_not_null(dest(find(&t, c, "r"), "192.0.2.12"));
	ipvs_table_clear(&t);
	health_map_clear(&h);
	config_free(c);
}

Test(desired, down_is_weight_zero_when_quiescent_and_absent_otherwise)
{
	struct lvsd_config *c = load(health_conf);
	struct health_map h = { 0 };
	struct ipvs_table t;
	const struct ipvs_service *q, *r;

	set_health(&h, c, "q", "a", IPC_HEALTH_UP);
	set_health(&h, c, "q", "b", IPC_HEALTH_DOWN);
	set_health(&h, c, "r", "a", IPC_HEALTH_UP);
	set_health(&h, c, "r", "b", IPC_HEALTH_DOWN);
	cr_assert_eq(desired_build(c, &h, NULL, &t), 0);
	q = find(&t, c, "q");
	r = find(&t, c, "r");
	cr_assert_eq(dest(q, "192.0.2.11")->weight, 3);
	cr_assert_eq(dest(q, "192.0.2.12")->weight, 0);
	cr_assert_eq(dest(q, "192.0.2.13")->weight, 1, "type none is always in");
	cr_assert_null(dest(q, "192.0.2.99"), "no fallback while a real serves");
	cr_assert_eq(r->n_dests, 1);
	cr_assert_eq(dest(r, "192.0.2.11")->weight, 3);
	ipvs_table_clear(&t);
	health_map_clear(&h);
	config_free(c);
}

Test(desired, fallback_while_nothing_serves_and_gone_when_one_is_back)
{
	struct lvsd_config *c = load(health_conf);
	struct health_map h = { 0 };
	struct ipvs_table t;
	const struct ipvs_service *r;

	set_health(&h, c, "r", "a", IPC_HEALTH_DOWN);
	set_health(&h, c, "r", "b", IPC_HEALTH_DOWN);
	cr_assert_eq(desired_build(c, &h, NULL, &t), 0);
	r = find(&t, c, "r");
	cr_assert_eq(r->n_dests, 1);
	cr_assert_eq(dest(r, "192.0.2.99")->weight, 1);
	ipvs_table_clear(&t);

	set_health(&h, c, "r", "b", IPC_HEALTH_UP);
	cr_assert_eq(desired_build(c, &h, NULL, &t), 0);
	r = find(&t, c, "r");
	cr_assert_eq(r->n_dests, 1);
	cr_assert_eq(dest(r, "192.0.2.12")->weight, 2);
	ipvs_table_clear(&t);
	health_map_clear(&h);
	config_free(c);
}

Test(desired, unknown_leaves_the_kernel_as_it_is)
{
	struct lvsd_config *c = load(health_conf);
	struct ipvs_table cold, kernel, t;
	struct health_map empty = { 0 };
	const struct ipvs_service *r;

	/* Cold start, nothing heard from healthd: no real server yet, the
	 * fallback serves meanwhile. */
	cr_assert_eq(desired_build(c, &empty, NULL, &cold), 0);
	r = find(&cold, c, "r");
	cr_assert_eq(r->n_dests, 1);
	cr_assert_not_null(dest(r, "192.0.2.99"));
	ipvs_table_clear(&cold);

	/* A restart finds a (hand-edited) table: unknown reals keep exactly
	 * what the kernel has, so nothing flaps before healthd answers. */
	cr_assert_eq(desired_build(c, NULL, NULL, &kernel), 0);
	kernel.services[1].dests[0].weight = 7;  /* r/a, sorted first */
	cr_assert_eq(desired_build(c, &empty, &kernel, &t), 0);
	r = find(&t, c, "r");
	cr_assert_eq(r->n_dests, 2);
	cr_assert_eq(dest(r, "192.0.2.11")->weight, 7);
	cr_assert_eq(dest(r, "192.0.2.12")->weight, 2);
	ipvs_table_clear(&t);
	ipvs_table_clear(&kernel);
	config_free(c);
}

Test(desired, health_map_by_name_and_address)
{
	struct health_map h = { 0 };
	struct lvsd_endpoint e, other;
	char v[32], r[32];

	cr_assert_eq(endpoint_parse("192.0.2.11:80", false, &e), 0);
	cr_assert_eq(endpoint_parse("192.0.2.21:80", false, &other), 0);
	cr_assert_eq(health_map_set(&h, "web", "a", &e, IPC_HEALTH_UP), 1);
	cr_assert_eq(health_map_set(&h, "web", "a", &e, IPC_HEALTH_UP), 0);
	cr_assert_eq(health_map_set(&h, "web", "a", &e, IPC_HEALTH_DOWN), 1);
	/* The separator between the names matters. */
	cr_assert_eq(health_map_get(&h, "we", "ba", &e), IPC_HEALTH_UNKNOWN);
	/* The same name at another address is another server. */
	cr_assert_eq(health_map_get(&h, "web", "a", &other), IPC_HEALTH_UNKNOWN);
	for (int i = 0; i < 5000; i++) {
		snprintf(v, sizeof(v), "v%d", i % 100);
		snprintf(r, sizeof(r), "r%d", i);
		cr_assert_eq(health_map_set(&h, v, r, &e, i % 2 ? IPC_HEALTH_UP : IPC_HEALTH_DOWN), 1);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(v, sizeof(v), "v%d", i % 100);
		snprintf(r, sizeof(r), "r%d", i);
		cr_assert_eq(health_map_get(&h, v, r, &e), i % 2 ? IPC_HEALTH_UP : IPC_HEALTH_DOWN);
	}
	cr_assert_eq(health_map_get(&h, "web", "a", &e), IPC_HEALTH_DOWN);
	/* healthd now checks it at the other address. */
	cr_assert_eq(health_map_set(&h, "web", "a", &other, IPC_HEALTH_DOWN), 1);
	cr_assert_eq(health_map_get(&h, "web", "a", &other), IPC_HEALTH_DOWN);
	cr_assert_eq(health_map_get(&h, "web", "a", &e), IPC_HEALTH_UNKNOWN);
	health_map_clear(&h);
}
