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

	cr_assert_eq(desired_build(c, &t), 0);
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

	cr_assert_eq(desired_build(c, &t), 0);
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

	cr_assert_eq(desired_build(c, &t), 0);
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
