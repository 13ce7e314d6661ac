/* lvsd.conf: the typed result of a good file, and the exact report of bad ones.
 *
 * Fixtures live in tests/unit/fixtures: good.conf uses every construct,
 * minimal.conf only what is required, and each bad-*.conf has one problem,
 * named in its first line. Files whose mode matters (the cluster key) are made
 * at test time, since git does not keep modes. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"

#define MSEC UINT64_C(1000)
#define SEC UINT64_C(1000000)

/* ---- helpers ---- */

/* A directory of its own for each test (each runs in its own process). */
static char tmpdir[64];

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/lvsd-test-config-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	if (tmpdir[0])
		nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *tmp_path(const char *name)
{
	static char path[4][256];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text), 0644);
}

/* A key of n random-looking bytes. */
static void write_key(const char *path, size_t n, mode_t mode)
{
	char key[64];

	cr_assert_leq(n, sizeof(key));
	for (size_t i = 0; i < n; i++)
		key[i] = (char)(i * 37 + 11);
	write_file(path, key, n, mode);
}

/* Copies fixture into the test's directory as name. */
static void copy_fixture(const char *fixture, const char *name)
{
	char *text = NULL, path[512];
	size_t size = 0;
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, fixture);
	cr_assert_not_null(in = fopen(path, "r"), "%s: %s", path, strerror(errno));
	cr_assert_not_null(out = open_memstream(&text, &size));
	for (int ch; (ch = fgetc(in)) != EOF;)
		fputc(ch, out);
	fclose(in);
	fclose(out);
	write_text(tmp_path(name), text);
	free(text);
}

static struct lvsd_config *load_ok(const char *path)
{
	struct config_errors e = { 0 };
	struct lvsd_config *c = NULL;
	int r = config_load(path, &c, &e);

	for (size_t i = 0; i < e.n; i++)
		cr_log_error("%s", e.lines[i]);
	cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
	cr_assert_eq(e.n, 0);
	cr_assert_not_null(c);
	config_errors_clear(&e);
	return c;
}

/* Loads path, which must fail with exactly n problems. */
static void load_bad(const char *path, size_t n, struct config_errors *e)
{
	struct lvsd_config *c = (struct lvsd_config *)1;
	int r = config_load(path, &c, e);

	for (size_t i = 0; i < e->n; i++)
		cr_log_info("%s", e->lines[i]);
	cr_assert_eq(r, -EINVAL, "%s: %d", path, r);
	cr_assert_eq(c, (struct lvsd_config *)1, "*ret set on failure");
	cr_assert_eq(e->n, n, "%s: %zu problems, expected %zu", path, e->n, n);
}

/* "PATH:LINE: " then phrase somewhere in the message. */
static void expect_error(const char *error, const char *path, unsigned line, const char *phrase)
{
	char prefix[512];

	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, line);
	cr_expect_eq(strncmp(error, prefix, strlen(prefix)), 0, "'%s' does not start with '%s'",
		     error, prefix);
	cr_expect_not_null(strstr(error, phrase), "'%s' does not say '%s'", error, phrase);
}

static const char *addr_text(const struct lvsd_addr *a)
{
	static char buf[4][LVSD_ADDR_STRLEN];
	static unsigned next;

	return addr_format(a, buf[next++ % 4]);
}

static const char *endpoint_text(const struct lvsd_endpoint *e)
{
	static char buf[4][LVSD_ENDPOINT_STRLEN];
	static unsigned next;

	return endpoint_format(e, buf[next++ % 4]);
}

static void expect_check(const struct lvsd_check *ck, enum lvsd_check_type type, uint16_t port,
			 uint64_t interval, uint64_t timeout, unsigned rise, unsigned fall)
{
	cr_expect_eq(ck->type, type, "type %s", check_type_to_string(ck->type));
	cr_expect_eq(ck->port, port);
	cr_expect_eq(ck->interval_usec, interval);
	cr_expect_eq(ck->timeout_usec, timeout);
	cr_expect_eq(ck->rise, rise);
	cr_expect_eq(ck->fall, fall);
}

/* ---- the good file: every construct ---- */

TestSuite(good, .init = make_tmpdir, .fini = remove_tmpdir);

static struct lvsd_config *load_good(void)
{
	copy_fixture("good.conf", "lvsd.conf");
	write_key(tmp_path("cluster.key"), 32, 0600);
	write_text(tmp_path("ca.pem"), "not really a certificate\n");
	return load_ok(tmp_path("lvsd.conf"));
}

Test(good, top_level)
{
	struct lvsd_config *c = load_good();

	cr_expect_str_eq(c->path, tmp_path("lvsd.conf"));
	cr_expect_eq(c->log_level, LOG_NOTICE);
	cr_expect(c->flush_on_stop);
	cr_expect_eq(c->reconcile_interval_usec, 60 * SEC);
	config_free(c);
}

Test(good, cluster)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_cluster *k = &c->cluster;

	/* Relative to the directory of the configuration file. */
	cr_expect_str_eq(k->key_file, tmp_path("cluster.key"));
	cr_expect_eq(k->port, 695);
	cr_expect_eq(k->interval_usec, 50 * MSEC);
	cr_expect_eq(k->dead_after, 4);
	cr_expect(!k->failback);
	cr_expect_eq(k->failback_delay_usec, 5 * SEC);
	cr_assert_eq(k->n_ping, 2);
	cr_expect_str_eq(addr_text(&k->ping[0]), "192.0.2.254");
	cr_expect_str_eq(addr_text(&k->ping[1]), "2001:db8::fe");
	cr_expect(k->realtime);
	cr_expect_str_eq(addr_text(&k->multicast4), "224.0.0.94");
	cr_expect_str_eq(addr_text(&k->multicast6), "ff02::94");
	config_free(c);
}

Test(good, directors)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_director *d;

	cr_assert_eq(c->n_directors, 2);
	d = &c->directors[0];
	cr_expect_str_eq(d->name, "lb1");
	cr_expect_eq(d->line, 19);
	cr_expect_eq(d->priority, 150);
	cr_assert_eq(d->n_addresses, 2);
	cr_expect_str_eq(addr_text(&d->addresses[0]), "192.0.2.1");
	cr_expect_str_eq(addr_text(&d->addresses[1]), "198.51.100.1");
	d = &c->directors[1];
	cr_expect_str_eq(d->name, "lb2");
	cr_expect_eq(d->line, 23);
	cr_expect_eq(d->priority, 100);
	cr_assert_eq(d->n_addresses, 1);
	cr_expect_str_eq(addr_text(&d->addresses[0]), "192.0.2.2");

	cr_expect_eq(config_find_director(c, "lb2"), &c->directors[1]);
	cr_expect_null(config_find_director(c, "lb3"));
	config_free(c);
}

Test(good, vips)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_vip *v;

	cr_assert_eq(c->n_vips, 2);
	v = &c->vips[0];
	cr_expect_str_eq(v->name, "www");
	cr_expect_eq(v->line, 25);
	cr_expect_str_eq(v->interface, "eth0");
	cr_expect_str_eq(v->preferred, "lb1");
	cr_expect_eq(v->garp_count, 5);
	cr_expect_eq(v->garp_interval_usec, 20 * MSEC);
	cr_expect_eq(v->garp_refresh_usec, 60 * SEC);
	cr_assert_eq(v->n_addresses, 3);
	cr_expect_str_eq(addr_text(&v->addresses[0].addr), "192.0.2.50");
	cr_expect_eq(v->addresses[0].prefixlen, 24);
	cr_expect_str_eq(v->addresses[0].dev, "eth0");
	cr_expect_str_eq(addr_text(&v->addresses[1].addr), "2001:db8::50");
	cr_expect_eq(v->addresses[1].prefixlen, 64);
	cr_expect_str_eq(v->addresses[1].dev, "eth0");
	cr_expect_str_eq(addr_text(&v->addresses[2].addr), "198.51.100.254");
	cr_expect_eq(v->addresses[2].prefixlen, 24);
	cr_expect_str_eq(v->addresses[2].dev, "eth1");

	v = &c->vips[1];
	cr_expect_str_eq(v->name, "dns");
	cr_expect_eq(v->line, 34);
	cr_expect_null(v->preferred);
	cr_expect_eq(v->garp_count, 3);
	cr_expect_eq(v->garp_interval_usec, 10 * MSEC);
	cr_expect_eq(v->garp_refresh_usec, 0);
	cr_assert_eq(v->n_addresses, 1);
	cr_expect_str_eq(v->addresses[0].dev, "eth0");

	cr_expect_eq(config_find_vip(c, "dns"), &c->vips[1]);
	cr_expect_null(config_find_vip(c, "mail"));
	config_free(c);
}

Test(good, sync)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_sync *s = &c->sync;

	cr_expect(s->enabled);
	cr_expect_str_eq(s->interface, "eth1");
	cr_expect_eq(s->id, 7);
	cr_expect_eq(s->transport, SYNC_MULTICAST);
	cr_expect_eq(s->port, 8849);
	cr_expect_str_eq(addr_text(&s->group), "224.0.0.82");
	config_free(c);
}

Test(good, virtual_with_persistence_and_fallback)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_virtual *v;

	cr_assert_eq(c->n_virtuals, 4);
	v = config_find_virtual(c, "web");
	cr_assert_eq(v, &c->virtuals[0]);
	cr_expect_eq(v->line, 46);
	cr_expect_eq(v->fwmark, 0);
	cr_expect_eq(v->family, AF_INET);
	cr_expect_str_eq(endpoint_text(&v->endpoint), "192.0.2.50:80");
	cr_expect_eq(v->protocol, PROTO_TCP);
	cr_expect_str_eq(v->scheduler, "mh");
	cr_expect_eq(v->sched_flags, LVSD_SCHED_FLAG1 | LVSD_SCHED_FLAG2);
	cr_expect_eq(v->persistent_sec, 300);
	cr_expect_eq(v->netmask_prefix, 24);
	cr_expect(!v->ops);
	cr_expect_eq(v->forward, FWD_DR);
	cr_expect(!v->quiescent);
	cr_expect(v->has_fallback);
	cr_expect_str_eq(endpoint_text(&v->fallback), "127.0.0.1:80", "the virtual's port");

	expect_check(&v->check, CHECK_HTTP, 0, 3 * SEC, 2 * SEC, 3, 1);
	cr_expect_str_eq(v->check.request, "/status#full");
	cr_expect_str_eq(v->check.receive, "OK|ready");
	cr_expect_eq(v->check.status_min, 200);
	cr_expect_eq(v->check.status_max, 200);
	cr_expect_str_eq(v->check.virtualhost, "www.example.org");
	cr_expect_eq(v->check.method, HTTP_HEAD);
	cr_expect_str_eq(v->check.ca_file, "");
	cr_expect_str_eq(v->check.command, "");
	config_free(c);
}

Test(good, reals_and_range)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_virtual *v = &c->virtuals[0];
	char name[64], address[64];

	cr_assert_eq(v->n_reals, 1 + 1 + 10 + 1);
	cr_expect_str_eq(v->reals[0].name, "web1");
	cr_expect_eq(v->reals[0].line, 68);
	cr_expect_str_eq(endpoint_text(&v->reals[0].endpoint), "192.0.2.11:80");
	cr_expect_eq(v->reals[0].weight, 1);
	cr_expect_eq(v->reals[0].forward, FWD_DR);

	cr_expect_str_eq(v->reals[1].name, "web2");
	cr_expect_eq(v->reals[1].line, 69);
	cr_expect_str_eq(endpoint_text(&v->reals[1].endpoint), "192.0.2.12:80", "the virtual's port");
	cr_expect_eq(v->reals[1].weight, 2);
	cr_expect_eq(v->reals[1].forward, FWD_NAT);

	for (unsigned i = 0; i < 10; i++) {
		const struct lvsd_real *r = &v->reals[2 + i];

		snprintf(name, sizeof(name), "pool@192.0.2.%u", 20 + i);
		snprintf(address, sizeof(address), "192.0.2.%u:8080", 20 + i);
		cr_expect_str_eq(r->name, name);
		cr_expect_str_eq(endpoint_text(&r->endpoint), address);
		cr_expect_eq(r->line, 70);
		cr_expect_eq(r->weight, 1);
		/* Each member has the virtual's check, sharing its texts. */
		expect_check(&r->check, CHECK_HTTP, 0, 3 * SEC, 2 * SEC, 3, 1);
		cr_expect_str_eq(r->check.request, "/status#full");
		cr_expect_eq(r->check.request, v->check.request);
	}
	config_free(c);
}

Test(good, real_with_own_check_and_other_family)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_real *r = &c->virtuals[0].reals[12];

	cr_expect_str_eq(r->name, "web6");
	cr_expect_eq(r->line, 72);    /* its address's */
	cr_expect_str_eq(endpoint_text(&r->endpoint), "[2001:db8::11]:80");
	cr_expect_eq(r->forward, FWD_TUN);
	/* Its own options, and the virtual's for the rest. */
	expect_check(&r->check, CHECK_HTTPS, 8443, 3 * SEC, 2 * SEC, 3, 1);
	cr_expect_str_eq(r->check.request, "/health");
	cr_expect_str_eq(r->check.ca_file, tmp_path("ca.pem"));
	cr_expect_str_eq(r->check.receive, "OK|ready");
	cr_expect_str_eq(r->check.virtualhost, "www.example.org");
	cr_expect_eq(r->check.method, HTTP_HEAD);
	cr_expect_eq(r->check.status_min, 200);
	cr_expect_eq(r->check.status_max, 200);
	config_free(c);
}

Test(good, ipv6_virtual)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_virtual *v = &c->virtuals[1];
	static const char *const members[] = { "2001:db8::1", "2001:db8::2", "2001:db8::3" };
	char name[64];

	cr_expect_str_eq(v->name, "web6");
	cr_expect_eq(v->line, 83);
	cr_expect_eq(v->family, AF_INET6);
	cr_expect_str_eq(endpoint_text(&v->endpoint), "[2001:db8::50]:443");
	cr_expect_str_eq(v->scheduler, "wlc");
	cr_expect_eq(v->persistent_sec, 300);
	cr_expect_eq(v->netmask_prefix, 64);
	cr_expect(!v->has_fallback);
	expect_check(&v->check, CHECK_TCP, 0, 2 * SEC, 1 * SEC, 2, 2);
	cr_assert_eq(v->n_reals, 3);
	for (unsigned i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "six@%s", members[i]);
		cr_expect_str_eq(v->reals[i].name, name);
		cr_expect_str_eq(addr_text(&v->reals[i].endpoint.addr), members[i]);
		cr_expect_eq(v->reals[i].endpoint.port, 443);
		cr_expect_eq(v->reals[i].line, 87);
	}
	config_free(c);
}

Test(good, udp_virtual_with_ops)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_virtual *v = config_find_virtual(c, "dns");

	cr_assert_not_null(v);
	cr_expect_eq(v->line, 90);
	cr_expect_eq(v->protocol, PROTO_UDP);
	cr_expect_str_eq(v->scheduler, "rr");
	cr_expect(v->ops);
	expect_check(&v->check, CHECK_DNS, 0, 2 * SEC, 1 * SEC, 2, 2);
	cr_expect_str_eq(v->check.request, "example.org");
	cr_assert_eq(v->n_reals, 1);
	cr_expect_str_eq(endpoint_text(&v->reals[0].endpoint), "192.0.2.31:53");
	cr_expect_eq(v->reals[0].line, 96);
	config_free(c);
}

Test(good, fwmark_virtual)
{
	struct lvsd_config *c = load_good();
	const struct lvsd_virtual *v = config_find_virtual(c, "mark");

	cr_assert_not_null(v);
	cr_expect_eq(v->line, 99);
	cr_expect_eq(v->fwmark, 0x10);
	cr_expect_eq(v->family, AF_INET6, "its reals' family");
	cr_expect_eq(v->endpoint.port, 0);
	cr_expect_str_eq(v->scheduler, "sh");
	cr_expect_eq(v->sched_flags, LVSD_SCHED_FLAG2 | LVSD_SCHED_FLAG3);
	cr_expect(v->ops);
	cr_expect_eq(v->netmask_prefix, 128);
	cr_expect_str_eq(v->check.request, "/", "http's default request");
	cr_assert_eq(v->n_reals, 2);
	/* No port on the real: it stays 0, and the http check uses 80. */
	cr_expect_str_eq(endpoint_text(&v->reals[0].endpoint), "2001:db8::31");
	cr_expect_eq(v->reals[0].check.port, 80);
	cr_expect_eq(v->reals[0].line, 105);
	cr_expect_str_eq(endpoint_text(&v->reals[1].endpoint), "[2001:db8::32]:8080");
	cr_expect_eq(v->reals[1].check.port, 0);
	cr_expect_eq(v->reals[1].weight, 0);
	config_free(c);
}

Test(good, finds)
{
	struct lvsd_config *c = load_good();

	cr_expect_eq(config_find_virtual(c, "web6"), &c->virtuals[1]);
	cr_expect_null(config_find_virtual(c, "www"));
	cr_expect_null(config_find_virtual(c, ""));
	config_free(c);
	config_free(NULL);
}

/* ---- the minimal file: every default ---- */

TestSuite(defaults, .init = make_tmpdir, .fini = remove_tmpdir);

Test(defaults, everything_left_out)
{
	struct lvsd_config *c = load_ok(FIXTURES "/minimal.conf");
	const struct lvsd_virtual *v;
	const struct lvsd_real *r;

	cr_expect_eq(c->log_level, LOG_INFO);
	cr_expect(!c->flush_on_stop);
	cr_expect_eq(c->reconcile_interval_usec, 30 * SEC);

	cr_expect_str_eq(c->cluster.key_file, "/etc/lvsd/cluster.key");
	cr_expect_eq(c->cluster.port, 694);
	cr_expect_eq(c->cluster.interval_usec, 100 * MSEC);
	cr_expect_eq(c->cluster.dead_after, 3);
	cr_expect(c->cluster.failback);
	cr_expect_eq(c->cluster.failback_delay_usec, 0);
	cr_expect_eq(c->cluster.n_ping, 0);
	cr_expect(!c->cluster.realtime);
	cr_expect_eq(c->cluster.multicast4.family, 0);
	cr_expect_eq(c->cluster.multicast6.family, 0);
	cr_expect_eq(c->n_directors, 0);
	cr_expect_eq(c->n_vips, 0);

	cr_expect(!c->sync.enabled);
	cr_expect_null(c->sync.interface);
	cr_expect_eq(c->sync.id, 1);
	cr_expect_eq(c->sync.transport, SYNC_UNICAST);
	cr_expect_eq(c->sync.port, 8848);
	cr_expect_str_eq(addr_text(&c->sync.group), "224.0.0.81");

	cr_assert_eq(c->n_virtuals, 1);
	v = &c->virtuals[0];
	cr_expect_eq(v->line, 2);
	cr_expect_eq(v->protocol, PROTO_TCP);
	cr_expect_str_eq(v->scheduler, "wlc");
	cr_expect_eq(v->sched_flags, 0);
	cr_expect_eq(v->persistent_sec, 0);
	cr_expect_eq(v->netmask_prefix, 32);
	cr_expect(!v->ops);
	cr_expect_eq(v->forward, FWD_DR);
	cr_expect(v->quiescent);
	cr_expect(!v->has_fallback);

	expect_check(&v->check, CHECK_TCP, 0, 2 * SEC, 1 * SEC, 2, 2);
	cr_expect_str_eq(v->check.request, "");
	cr_expect_str_eq(v->check.receive, "");
	cr_expect_eq(v->check.status_min, 200);
	cr_expect_eq(v->check.status_max, 399);
	cr_expect_str_eq(v->check.virtualhost, "");
	cr_expect_eq(v->check.method, HTTP_GET);
	cr_expect_str_eq(v->check.ca_file, "");
	cr_expect_str_eq(v->check.command, "");

	cr_assert_eq(v->n_reals, 1);
	r = &v->reals[0];
	cr_expect_str_eq(r->name, "web1");
	cr_expect_eq(r->line, 4);
	cr_expect_str_eq(endpoint_text(&r->endpoint), "192.0.2.11:80");
	cr_expect_eq(r->weight, 1);
	cr_expect_eq(r->forward, FWD_DR);
	expect_check(&r->check, CHECK_TCP, 0, 2 * SEC, 1 * SEC, 2, 2);
	config_free(c);
}

Test(defaults, empty_file)
{
	struct lvsd_config *c;

	write_text(tmp_path("empty.conf"), "");
	c = load_ok(tmp_path("empty.conf"));
	cr_expect_eq(c->n_virtuals, 0);
	cr_expect_eq(c->cluster.port, 694);
	config_free(c);
}

Test(defaults, fwmark_real_without_port_is_pinged)
{
	struct lvsd_config *c;

	write_text(tmp_path("fwmark.conf"),
		   "virtual mark {\n"
		   "  fwmark = 7\n"
		   "  real a { address = \"192.0.2.11\" }\n"
		   "  real b { address = \"192.0.2.12:80\" }\n"
		   "}\n");
	c = load_ok(tmp_path("fwmark.conf"));
	cr_expect_eq(c->virtuals[0].reals[0].check.type, CHECK_PING);
	cr_expect_eq(c->virtuals[0].reals[1].check.type, CHECK_TCP);
	cr_expect_eq(c->virtuals[0].reals[1].endpoint.port, 80);
	config_free(c);
}

Test(defaults, http_check_request)
{
	struct lvsd_config *c;

	write_text(tmp_path("http.conf"),
		   "virtual web {\n"
		   "  address = \"192.0.2.50:80\"\n"
		   "  check { type = http }\n"
		   "  real a { address = \"192.0.2.11\"  check { type = tcp } }\n"
		   "  real b { address = \"192.0.2.12\"  check { type = https } }\n"
		   "}\n");
	c = load_ok(tmp_path("http.conf"));
	cr_expect_str_eq(c->virtuals[0].check.request, "/");
	cr_expect_str_eq(c->virtuals[0].reals[0].check.request, "", "tcp sends nothing by default");
	cr_expect_str_eq(c->virtuals[0].reals[1].check.request, "/");
	config_free(c);
}

/* ---- bad files: one problem each ---- */

/* Inline strings: Criterion runs each case in a new process, where
 * pointers into the parent's memory would dangle. */
struct bad_case {
	char file[48];
	unsigned line;
	char phrase[128];
};

ParameterizedTestParameters(bad, one_problem)
{
	static struct bad_case cases[] = {
		{ "bad-unknown-option.conf", 5, "no such option 'weigth'" },
		{ "bad-unknown-section.conf", 2, "no such option 'virtuals'" },
		{ "bad-missing-equal.conf", 3, "missing equal sign after option 'address'" },
		{ "bad-stray-brace.conf", 6, "unexpected closing brace" },
		{ "bad-unclosed-brace.conf", 2, "this '{' is never closed" },
		{ "bad-unterminated-string.conf", 3, "unterminated string" },
		{ "bad-unterminated-comment.conf", 6, "unterminated comment" },
		{ "bad-escape.conf", 4, "bad escape sequence '\\9'" },
		{ "bad-duplicate-virtual.conf", 6, "found duplicate title 'web'" },
		{ "bad-duplicate-real.conf", 5, "found duplicate title 'web1'" },
		{ "bad-option-path.conf", 5, "'real|weight': '|' makes an option path, which lvsd.conf does not use" },
		{ "bad-option-path-quoted.conf", 6, "\"real|forward\": '|' makes an option path, which lvsd.conf does not use" },
		{ "bad-duplicate-director.conf", 3, "found duplicate title 'lb1'" },
		{ "bad-duplicate-vip.conf", 3, "found duplicate title 'www'" },
		{ "bad-second-cluster.conf", 3, "a second cluster section" },
		{ "bad-second-sync.conf", 3, "a second sync section" },
		{ "bad-second-check.conf", 5, "virtual web: a second check section" },
		{ "bad-log-level.conf", 2, "log-level 'verbose': not one of error, warning, notice, info, debug" },
		{ "bad-boolean.conf", 2, "flush-on-stop 'maybe': not one of yes, no" },
		{ "bad-reconcile-zero.conf", 2, "reconcile-interval '0s': must be more than 0" },
		{ "bad-duration-unit.conf", 2, "interval '10x': not a duration" },
		{ "bad-duration-negative.conf", 2, "failback-delay '-1s': not a duration" },
		{ "bad-duration-decimal.conf", 2, "interval '1.5s': not a duration" },
		{ "bad-duration-empty.conf", 5, "garp-interval '': not a duration" },
		{ "bad-duration-overflow.conf", 2, "not a duration" },
		{ "bad-interval-zero.conf", 2, "interval '0': must be more than 0" },
		{ "bad-port-range.conf", 2, "port '70000': out of range 1..65535" },
		{ "bad-port-zero.conf", 4, "port '0': out of range 1..65535" },
		{ "bad-port-word.conf", 2, "port 'http': not a whole number" },
		{ "bad-dead-after.conf", 2, "dead-after '1': out of range 2..1000" },
		{ "bad-ping-address.conf", 2, "ping 'router': not an IPv4 or IPv6 address" },
		{ "bad-multicast-unicast.conf", 2, "cluster: multicast 192.0.2.9 is not a multicast address" },
		{ "bad-multicast-two-v4.conf", 2, "cluster: a second multicast group of the same family (224.0.0.95)" },
		{ "bad-multicast-word.conf", 2, "multicast 'all-peers': not an IPv4 or IPv6 address" },
		{ "bad-priority-high.conf", 4, "priority '255': out of range 1..254" },
		{ "bad-priority-zero.conf", 2, "priority '0': out of range 1..254" },
		{ "bad-director-address.conf", 2, "address '192.0.2.1.5': not an IPv4 or IPv6 address" },
		{ "bad-director-no-address.conf", 2, "director lb1: needs at least one address" },
		{ "bad-vip-no-prefix.conf", 3, "needs a prefix length" },
		{ "bad-vip-prefix-v4.conf", 2, "prefix length '33' is not in 0..32" },
		{ "bad-vip-prefix-v6.conf", 2, "prefix length '129' is not in 0..128" },
		{ "bad-vip-dev-syntax.conf", 2, "not ADDRESS/PREFIX optionally followed by dev IFNAME" },
		{ "bad-vip-no-interface.conf", 2, "vip www: address 192.0.2.50/24 names no dev, and the vip has no interface" },
		{ "bad-vip-interface-name.conf", 4, "interface 'eth0/1': not an interface name" },
		{ "bad-vip-no-address.conf", 2, "vip www: needs at least one address" },
		{ "bad-vip-preferred.conf", 3, "vip www: preferred director 'lb3' is not defined" },
		{ "bad-vip-garp-count.conf", 5, "garp-count '101': out of range 0..100" },
		{ "bad-vip-same-address.conf", 3, "vip api: address 192.0.2.50 is in vip www too" },
		{ "bad-sync-id.conf", 4, "id '256': out of range 0..255" },
		{ "bad-sync-transport.conf", 4, "transport 'broadcast': not one of unicast, multicast" },
		{ "bad-sync-group.conf", 2, "sync: group 192.0.2.9 is not a multicast address" },
		{ "bad-sync-no-interface.conf", 2, "sync: needs the interface of the kernel sync daemon" },
		{ "bad-virtual-address.conf", 3, "address '192.0.2.300:80': not an address with a port" },
		{ "bad-virtual-no-port.conf", 3, "address '192.0.2.50': not an address with a port" },
		{ "bad-virtual-port-zero.conf", 3, "address '[2001:db8::50]:0': port out of range 1..65535" },
		{ "bad-address-and-fwmark.conf", 2, "virtual web: has both an address and a fwmark" },
		{ "bad-no-address-no-fwmark.conf", 2, "virtual web: needs an address or a fwmark" },
		{ "bad-fwmark-zero.conf", 3, "fwmark '0': out of range 1..4294967295" },
		{ "bad-fwmark-large.conf", 3, "fwmark '0x100000000': out of range 1..4294967295" },
		{ "bad-protocol.conf", 4, "protocol 'icmp': not one of tcp, udp, sctp" },
		{ "bad-forward.conf", 4, "forward 'masq': not one of dr, nat, tun" },
		{ "bad-scheduler-name.conf", 4, "scheduler 'Round-Robin': not a scheduler name" },
		{ "bad-scheduler-long.conf", 4, "scheduler 'abcdefghijklmnop': not a scheduler name" },
		{ "bad-scheduler-flag.conf", 6, "scheduler-flags 'mh-sticky': not one of sh-fallback" },
		{ "bad-scheduler-flag-mismatch.conf", 2, "virtual web: scheduler flag sh-port needs scheduler sh, not wlc" },
		{ "bad-persistent-fraction.conf", 4, "persistent '500ms': not a whole number of seconds" },
		{ "bad-netmask-v6-zero.conf", 2, "virtual web6: netmask 0: an IPv6 prefix length is 1 to 128" },
		{ "bad-persistent-long.conf", 4, "persistent '745h': more than 31 days (2678400 s), the most the kernel keeps" },
		{ "bad-netmask-holes.conf", 4, "netmask '255.0.255.0': not a contiguous netmask" },
		{ "bad-netmask-v4-long.conf", 2, "virtual web: netmask /64 is longer than an IPv4 address (32 bits)" },
		{ "bad-netmask-v6-dotted.conf", 2, "virtual web6: netmask 255.255.255.0: an IPv6 netmask is a prefix length" },
		{ "bad-ops-tcp.conf", 2, "virtual web: ops (one-packet scheduling) needs protocol udp, not tcp" },
		{ "bad-fallback-family.conf", 2, "virtual web6: fallback 127.0.0.1:80 is IPv4 but the virtual is IPv6" },
		{ "bad-fallback-address.conf", 4, "fallback 'localhost:80': not an address with an optional port" },
		{ "bad-same-service.conf", 6, "virtual www: the same service as virtual web" },
		{ "bad-real-no-address.conf", 4, "real web1: needs an address" },
		{ "bad-real-address.conf", 4, "address '192.0.2.11:80:80': not an address with an optional port" },
		{ "bad-weight.conf", 6, "weight '65536': out of range 0..65535" },
		{ "bad-mixed-family.conf", 4, "real web6: 2001:db8::11 is IPv6 but virtual web is IPv4; mixing families needs forward = tun" },
		{ "bad-vip-name-space.conf", 2, "vip \"www frontend\": a name of 1 to 63 printable characters without spaces" },
		{ "bad-director-name-long.conf", 2, "a name of 1 to 63 printable characters without spaces, as heartbeats carry it" },
		{ "bad-vip-groups-bytes.conf", 41, "the vip groups' names take 1520 bytes of a heartbeat, more than its 1210" },
		{ "bad-mixed-family-multiline.conf", 6, "real web6: 2001:db8::11 is IPv6 but virtual web is IPv4" },
		{ "bad-fwmark-families.conf", 5, "virtual mark: real b is IPv6 but real a is IPv4" },
		{ "bad-range-reversed.conf", 4, "reversed range" },
		{ "bad-range-families.conf", 4, "range mixes IPv4 and IPv6" },
		{ "bad-range-large.conf", 4, "range too large: 4097 addresses, at most 4096" },
		{ "bad-range-start.conf", 4, "range start '192.0.2' is not an address" },
		{ "bad-range-overlap.conf", 5, "virtual web: duplicate real server address 192.0.2.25:80 (real pool@192.0.2.25 and real web1)" },
		{ "bad-check-type.conf", 4, "type 'icmp': not one of none, on, off, ping, tcp, http, https, dns, smtp, external" },
		{ "bad-check-interval-zero.conf", 5, "interval '0ms': must be more than 0" },
		{ "bad-check-timeout.conf", 4, "virtual web: check timeout 3s is longer than its interval 2s" },
		{ "bad-check-timeout-inherited.conf", 7, "real web1: check timeout 2s is longer than its interval 1s" },
		{ "bad-check-rise.conf", 4, "rise '0': out of range 1..1000" },
		{ "bad-check-status.conf", 6, "status '200-600': '600' is not an HTTP status 100..599" },
		{ "bad-check-status-reversed.conf", 4, "status '399-200': reversed range" },
		{ "bad-check-method.conf", 4, "method 'POST': not one of GET, HEAD" },
		{ "bad-check-receive.conf", 6, "receive '(ok': not an extended regular expression" },
		/* A real's own check block: at the line where it opens. */
		{ "bad-real-check-unknown.conf", 6, "no such option 'requets'" },
		{ "bad-real-check-value.conf", 8, "rise 'many': not a whole number" },
		{ "bad-check-external.conf", 4, "virtual web: check type external needs a command" },
		{ "bad-check-dns.conf", 7, "real ns1: check type dns needs a request (the name to query)" },
		{ "bad-check-no-port.conf", 4, "real a: check type tcp has no port to connect to" },
		{ "bad-check-ca-file.conf", 6, "ca-file 'no-such-ca.pem': No such file or directory" },
		{ "bad-check-port.conf", 4, "port '65536': out of range 0..65535" },
	};

	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(*cases));
}

ParameterizedTest(struct bad_case *bc, bad, one_problem)
{
	struct config_errors e = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, bc->file);
	load_bad(path, 1, &e);
	expect_error(e.lines[0], path, bc->line, bc->phrase);
	config_errors_clear(&e);
	cr_expect_eq(e.n, 0);
	cr_expect_null(e.lines);
}

Test(bad, all_problems_in_file_order)
{
	static const struct {
		unsigned line;
		const char *phrase;
	} expected[] = {
		{ 2, "log-level 'chatty': not one of" },
		{ 3, "interval '0': must be more than 0" },
		{ 5, "priority '300': out of range 1..254" },
		{ 7, "vip www: address 192.0.2.50/24 names no dev" },
		{ 9, "virtual web: ops (one-packet scheduling) needs protocol udp" },
		{ 13, "scheduler 'WLC': not a scheduler name" },
		{ 14, "virtual web: check type external needs a command" },
		{ 15, "weight '-1': not a whole number" },
		{ 16, "real web2: 2001:db8::12 is IPv6 but virtual web is IPv4" },
		{ 21, "real a: check type tcp has no port to connect to" },
	};
	const char *path = FIXTURES "/many-errors.conf";
	struct config_errors e = { 0 };

	load_bad(path, sizeof(expected) / sizeof(*expected), &e);
	for (size_t i = 0; i < e.n; i++)
		expect_error(e.lines[i], path, expected[i].line, expected[i].phrase);
	config_errors_clear(&e);
}

Test(bad, value_errors_before_a_syntax_error)
{
	const char *path = FIXTURES "/value-then-syntax.conf";
	struct config_errors e = { 0 };

	load_bad(path, 2, &e);
	expect_error(e.lines[0], path, 2, "port '0': out of range 1..65535");
	expect_error(e.lines[1], path, 5, "no such option 'protocol:'");
	config_errors_clear(&e);
}

/* ---- warnings: valid, but likely a mistake ---- */

TestSuite(warning, .init = make_tmpdir, .fini = remove_tmpdir);

Test(warning, unknown_scheduler_loads_and_is_told_at_its_line)
{
	const char *path = FIXTURES "/warn-scheduler-unknown.conf";
	struct config_errors e = { 0 };
	struct lvsd_config *c = NULL;

	cr_assert_eq(config_load(path, &c, &e), 0, "a module of one's own may provide any name");
	cr_assert_eq(e.n, 1);
	cr_expect_eq(e.n_warnings, 1);
	cr_expect(e.warning[0]);
	expect_error(e.lines[0], path, 4,
		     "warning: scheduler 'wrrr' is none of the kernel's (rr, wrr, lc, wlc, lblc, lblcr, dh, sh, "
		     "sed, nq, fo, ovf, mh, twos): it loads only from a module of its own");
	cr_expect_str_eq(c->virtuals[0].scheduler, "wrrr");
	config_errors_clear(&e);
	cr_expect_eq(e.n_warnings, 0);
	cr_expect_null(e.warning);
	config_free(c);
}

Test(warning, told_beside_the_errors_of_a_file_that_fails)
{
	const char *path = FIXTURES "/warn-scheduler-and-error.conf";
	struct config_errors e = { 0 };

	load_bad(path, 2, &e);
	cr_expect_eq(e.n_warnings, 1);
	cr_expect(e.warning[0]);
	expect_error(e.lines[0], path, 4, "warning: scheduler 'roundrobin' is none of the kernel's");
	cr_expect_not(e.warning[1]);
	expect_error(e.lines[1], path, 5, "weight 'heavy': not a whole number");
	config_errors_clear(&e);
}

Test(warning, none_for_the_schedulers_linux_ships)
{
	static const char *const known[] = { "rr", "wrr", "lc",  "wlc", "lblc", "lblcr", "dh",
					     "sh", "sed", "nq", "fo",  "ovf",  "mh",    "twos" };
	/* Near misses: a prefix, an extension, the list's separator. */
	static const char *const unknown[] = { "w", "wl", "wlcc", "rr_", "sh2", "twoss" };
	char text[256];

	for (size_t i = 0; i < sizeof(known) / sizeof(*known) + sizeof(unknown) / sizeof(*unknown); i++) {
		bool is_known = i < sizeof(known) / sizeof(*known);
		const char *name = is_known ? known[i] : unknown[i - sizeof(known) / sizeof(*known)];
		struct config_errors e = { 0 };
		struct lvsd_config *c = NULL;

		snprintf(text, sizeof(text), "virtual web {\n  address = \"192.0.2.50:80\"\n  scheduler = %s\n}\n",
			 name);
		write_text(tmp_path("sched.conf"), text);
		cr_assert_eq(config_load(tmp_path("sched.conf"), &c, &e), 0, "%s", name);
		cr_expect_eq(e.n_warnings, is_known ? 0 : 1, "%s", name);
		cr_expect_eq(e.n, e.n_warnings, "%s", name);
		config_errors_clear(&e);
		config_free(c);
	}
}

/* ---- files that cannot be read ---- */

TestSuite(file, .init = make_tmpdir, .fini = remove_tmpdir);

Test(file, missing)
{
	struct config_errors e = { 0 };
	struct lvsd_config *c = NULL;
	const char *path = tmp_path("no-such.conf");
	char expected[512];

	cr_assert_eq(config_load(path, &c, &e), -ENOENT);
	cr_assert_null(c);
	cr_assert_eq(e.n, 1);
	snprintf(expected, sizeof(expected), "%s: cannot open: No such file or directory", path);
	cr_expect_str_eq(e.lines[0], expected);
	config_errors_clear(&e);
}

Test(file, directory)
{
	struct config_errors e = { 0 };
	struct lvsd_config *c = NULL;
	char expected[512];

	cr_assert_eq(config_load(tmpdir, &c, &e), -EISDIR);
	cr_assert_eq(e.n, 1);
	snprintf(expected, sizeof(expected), "%s: cannot read: Is a directory", tmpdir);
	cr_expect_str_eq(e.lines[0], expected);
	config_errors_clear(&e);
}

Test(file, nul_byte)
{
	struct config_errors e = { 0 };

	write_file(tmp_path("nul.conf"), "log-level = info\n\nx\0y\n", 22, 0644);
	load_bad(tmp_path("nul.conf"), 1, &e);
	expect_error(e.lines[0], tmp_path("nul.conf"), 3, "a NUL byte");
	config_errors_clear(&e);
}

Test(file, errors_may_be_null)
{
	struct lvsd_config *c = NULL;

	cr_expect_eq(config_load(FIXTURES "/bad-weight.conf", &c, NULL), -EINVAL);
	cr_expect_null(c);
}

Test(file, errors_are_appended)
{
	struct config_errors e = { 0 };
	struct lvsd_config *c = NULL;

	cr_assert_eq(config_load(FIXTURES "/bad-weight.conf", &c, &e), -EINVAL);
	cr_assert_eq(config_load(FIXTURES "/bad-protocol.conf", &c, &e), -EINVAL);
	cr_assert_eq(e.n, 2);
	cr_expect_not_null(strstr(e.lines[0], "bad-weight.conf:6: "));
	cr_expect_not_null(strstr(e.lines[1], "bad-protocol.conf:4: "));
	config_errors_clear(&e);
}

/* libconfuse's lexer keeps its state between files; a string left open
 * must not spill into the next load (a reload). */
Test(file, reload_after_broken_strings)
{
	static const char *const broken[] = {
		"bad-unterminated-string.conf", "bad-escape.conf", "bad-unterminated-comment.conf",
	};
	char path[512];

	for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++) {
		struct lvsd_config *c = NULL;

		snprintf(path, sizeof(path), "%s/%s", FIXTURES, broken[i]);
		cr_assert_eq(config_load(path, &c, NULL), -EINVAL, "%s", broken[i]);
		config_free(load_ok(FIXTURES "/minimal.conf"));
	}
}

Test(file, comments_and_strings)
{
	struct lvsd_config *c;

	write_text(tmp_path("c.conf"),
		   "/* a block\n"
		   "   comment */ # and a line\n"
		   "// and another\n"
		   "virtual web {       # comment\n"
		   "  address = '192.0.2.50:80' // comment\n"
		   "  scheduler-flags = { # comment in a list\n"
		   "  }\n"
		   "  check {\n"
		   "    type = http\n"
		   "    request = /a//b#c\n"
		   "    receive = \"x\\\"#y\\101\"\n"
		   "  }\n"
		   "  real web1 { address = \"192.0.2.11\" }\n"
		   "}\n");
	c = load_ok(tmp_path("c.conf"));
	cr_expect_eq(c->virtuals[0].line, 4);
	cr_expect_eq(c->virtuals[0].reals[0].line, 13);
	/* '//' inside a word is part of it; '#' ends it. */
	cr_expect_str_eq(c->virtuals[0].check.request, "/a//b");
	cr_expect_str_eq(c->virtuals[0].check.receive, "x\"#yA");
	config_free(c);
}

/* ---- the cluster key ---- */

TestSuite(key, .init = make_tmpdir, .fini = remove_tmpdir);

/* Two directors, the key named in a cluster section (at line 2) or not. */
static const char *write_cluster(bool cluster_section)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "# two directors need a key\n"
		 "%s"
		 "director lb1 { address = { \"192.0.2.1\" } }\n"
		 "director lb2 { address = { \"192.0.2.2\" } }\n",
		 cluster_section ? "cluster { key-file = \"cluster.key\" }\n" : "");
	write_text(tmp_path("lvsd.conf"), text);
	return tmp_path("lvsd.conf");
}

static void expect_key_error(unsigned line, const char *phrase)
{
	struct config_errors e = { 0 };
	const char *path = tmp_path("lvsd.conf");
	char expected[512];

	load_bad(path, 1, &e);
	snprintf(expected, sizeof(expected), "%s: %s", tmp_path("cluster.key"), phrase);
	expect_error(e.lines[0], path, line, expected);
	config_errors_clear(&e);
}

Test(key, good_modes)
{
	struct lvsd_config *c;

	write_cluster(true);
	write_key(tmp_path("cluster.key"), 32, 0600);
	c = load_ok(tmp_path("lvsd.conf"));
	cr_expect_str_eq(c->cluster.key_file, tmp_path("cluster.key"));
	config_free(c);
	cr_assert_eq(chmod(tmp_path("cluster.key"), 0400), 0);
	config_free(load_ok(tmp_path("lvsd.conf")));
}

Test(key, missing)
{
	write_cluster(true);
	expect_key_error(2, "No such file or directory (a cluster key is required with two or more directors)");
}

Test(key, too_open)
{
	write_cluster(true);
	write_key(tmp_path("cluster.key"), 32, 0644);
	expect_key_error(2, "mode 0644 is too open, need 0600 or 0400");
}

Test(key, group_readable)
{
	write_cluster(true);
	write_key(tmp_path("cluster.key"), 48, 0640);
	expect_key_error(2, "mode 0640 is too open, need 0600 or 0400");
}

Test(key, wrong_mode)
{
	write_cluster(true);
	write_key(tmp_path("cluster.key"), 32, 0700);
	expect_key_error(2, "mode 0700 is wrong, need 0600 or 0400");
}

Test(key, too_short)
{
	write_cluster(true);
	write_key(tmp_path("cluster.key"), 31, 0600);
	expect_key_error(2, "31 bytes, a cluster key needs at least 32");
}

Test(key, not_a_file)
{
	write_cluster(true);
	cr_assert_eq(mkdir(tmp_path("cluster.key"), 0700), 0);
	expect_key_error(2, "not a regular file");
}

Test(key, without_cluster_section)
{
	struct config_errors e = { 0 };

	/* The default key does not exist here: reported at the second director. */
	write_cluster(false);
	load_bad(tmp_path("lvsd.conf"), 1, &e);
	expect_error(e.lines[0], tmp_path("lvsd.conf"), 3, "/etc/lvsd/cluster.key: ");
	config_errors_clear(&e);
}

Test(key, not_needed_by_one_director)
{
	write_text(tmp_path("lvsd.conf"),
		   "cluster { key-file = \"missing.key\" }\n"
		   "director lb1 { address = { \"192.0.2.1\" } }\n");
	config_free(load_ok(tmp_path("lvsd.conf")));
}

Test(key, directors_sharing_an_address)
{
	struct config_errors e = { 0 };

	write_key(tmp_path("cluster.key"), 32, 0600);
	write_text(tmp_path("lvsd.conf"),
		   "cluster { key-file = \"cluster.key\" }\n"
		   "director lb1 { address = { \"192.0.2.1\" } }\n"
		   "director lb2 { address = { \"192.0.2.2\", \"192.0.2.1\" } }\n");
	load_bad(tmp_path("lvsd.conf"), 1, &e);
	expect_error(e.lines[0], tmp_path("lvsd.conf"), 3, "director lb2: address 192.0.2.1 is director lb1's too");
	config_errors_clear(&e);
}

/* ---- durations and string tables ---- */

Test(duration, parse)
{
	static const struct {
		const char *text;
		uint64_t usec;
	} good[] = {
		{ "0", 0 }, { "0s", 0 }, { "100ms", 100 * MSEC }, { "2s", 2 * SEC }, { "2", 2 * SEC },
		{ "1m", 60 * SEC }, { "1h", 3600 * SEC }, { "007s", 7 * SEC },
		{ "18446744073709551ms", UINT64_C(18446744073709551) * MSEC },
		{ "5124095576h", UINT64_C(5124095576) * 3600 * SEC },
	};
	static const char *const bad[] = {
		"", "s", "ms", "10x", "-1s", "+1s", " 1s", "1s ", "1 s", "1.5s", "1e3", "1S", "1min",
		"1d", "0x10", "18446744073709552ms", "5124095577h", "99999999999999999999",
	};
	uint64_t usec;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		cr_expect_eq(duration_parse(good[i].text, &usec), 0, "%s", good[i].text);
		cr_expect_eq(usec, good[i].usec, "%s", good[i].text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_expect_eq(duration_parse(bad[i], &usec), -EINVAL, "'%s' accepted", bad[i]);
	cr_expect_eq(duration_parse(NULL, &usec), -EINVAL);
}

Test(tables, round_trip)
{
	for (int i = PROTO_TCP; i <= PROTO_SCTP; i++)
		cr_expect_eq(protocol_from_string(protocol_to_string(i)), i);
	for (int i = FWD_DR; i <= FWD_TUN; i++)
		cr_expect_eq(forward_from_string(forward_to_string(i)), i);
	for (int i = CHECK_NONE; i <= CHECK_EXTERNAL; i++)
		cr_expect_eq(check_type_from_string(check_type_to_string(i)), i);
	for (int i = SYNC_UNICAST; i <= SYNC_MULTICAST; i++)
		cr_expect_eq(sync_transport_from_string(sync_transport_to_string(i)), i);
	for (int i = HTTP_GET; i <= HTTP_HEAD; i++)
		cr_expect_eq(http_method_from_string(http_method_to_string(i)), i);

	cr_expect_str_eq(protocol_to_string(PROTO_SCTP), "sctp");
	cr_expect_str_eq(forward_to_string(FWD_TUN), "tun");
	cr_expect_str_eq(check_type_to_string(CHECK_EXTERNAL), "external");
	cr_expect_str_eq(http_method_to_string(HTTP_HEAD), "HEAD");
	/* Out of the enum: no value's name. */
	cr_expect_str_eq(protocol_to_string((enum lvsd_protocol)99), "?");
	cr_expect_str_eq(check_type_to_string((enum lvsd_check_type)-1), "?");
	cr_expect_eq(protocol_from_string("TCP"), -EINVAL);
	cr_expect_eq(forward_from_string(""), -EINVAL);
	cr_expect_eq(check_type_from_string(NULL), -EINVAL);
}

/* ---- reals in every shape ---- */

TestSuite(reals, .init = make_tmpdir, .fini = remove_tmpdir);

Test(reals, every_shape_in_file_order)
{
	static const char *const names[] = {
		"a", "b", "c", "d", "e", "f", "g", "pool@192.0.2.20", "pool@192.0.2.21", "pool@192.0.2.22",
		"h", "i", "j", "k", "l", "m",
	};
	struct lvsd_config *c = load_ok(FIXTURES "/reals.conf");
	const struct lvsd_virtual *v = config_find_virtual(c, "web");

	cr_assert_not_null(v);
	cr_assert_eq(v->n_reals, (sizeof(names) / sizeof(names[0])));
	for (size_t i = 0; i < (sizeof(names) / sizeof(names[0])); i++)
		cr_expect_str_eq(v->reals[i].name, names[i]);
	cr_expect_eq(v->reals[0].weight, 2);
	cr_expect_eq(v->reals[1].forward, FWD_NAT);
	cr_expect_eq(v->reals[2].check.type, CHECK_TCP, "c's own check block");
	cr_expect_str_eq(endpoint_text(&v->reals[3].endpoint), "192.0.2.14:8080");
	cr_expect_eq(v->reals[4].line, 11, "e: the line of its address");
	cr_expect_eq(v->reals[4].weight, 4);
	cr_expect_eq(v->reals[14].weight, 6, "l: the last weight given, as libconfuse has it");
	cr_expect_eq(v->reals[15].forward, FWD_TUN);
	cr_expect_not_null(config_find_virtual(c, "quoted title"));
	config_free(c);
}

Test(reals, line_of_the_address)
{
	struct lvsd_config *c;
	const struct lvsd_virtual *v;

	write_text(tmp_path("reals.conf"),
		   "virtual web {\n"
		   "  address = \"192.0.2.50:80\"\n"
		   "  real a { address = \"192.0.2.11:80\" weight = 2 }\n"
		   "  real c { address = \"192.0.2.13\" check { type = tcp } }\n"
		   "  real f { address = \"192.0.2.16\" } real g { address = \"192.0.2.17\" }\n"
		   "  real l { address = \"192.0.2.31\" weight = 5 weight = 6 }\n"
		   "  real o { address = \"192.0.\\062.34\" }\n"
		   "  real e {\n"
		   "    weight = 3\n"
		   "\n"
		   "    address = 192.0.2.15 forward = nat\n"
		   "  }\n"
		   "  check { type = none }\n"
		   "  real q { address = \"192.0.2.36\" }\n"
		   "}\n");
	c = load_ok(tmp_path("reals.conf"));
	v = &c->virtuals[0];
	cr_assert_eq(v->n_reals, 8);
	cr_expect_eq(v->reals[0].line, 3);
	cr_expect_eq(v->reals[1].line, 4);
	cr_expect_eq(v->reals[2].line, 5);
	cr_expect_eq(v->reals[3].line, 5);
	cr_expect_eq(v->reals[4].weight, 6);
	cr_expect_str_eq(endpoint_text(&v->reals[5].endpoint), "192.0.2.34:80", "an octal escape");
	cr_expect_str_eq(v->reals[6].name, "e");
	cr_expect_eq(v->reals[6].line, 11);
	cr_expect_eq(v->reals[6].weight, 3);
	cr_expect_eq(v->reals[6].forward, FWD_NAT);
	cr_expect_eq(v->reals[6].check.type, CHECK_NONE, "the virtual's check, written after it");
	cr_expect_str_eq(v->reals[7].name, "q");
	cr_expect_eq(v->reals[7].line, 14);
	config_free(c);
}

/* ---- environment variables: libconfuse expands ${NAME} and ${NAME:-default} ---- */

Test(env_variable, spanning_lines)
{
	struct lvsd_config *c = load_ok(FIXTURES "/env-variable.conf");
	const struct lvsd_virtual *v = &c->virtuals[0];

	cr_expect_eq(c->log_level, LOG_INFO, "the default of an unset variable");
	/* The variable's newlines are not counted: lines after it are
	 * libconfuse's, three short. */
	cr_expect_eq(v->line, 4);
	cr_assert_eq(v->n_reals, 2);
	cr_expect_eq(v->reals[0].line, 7);
	cr_expect_eq(v->reals[1].line, 8);
	cr_expect_eq(v->reals[1].check.type, CHECK_TCP);
	config_free(c);
}

Test(env_variable, quote_in_a_default_opens_a_string)
{
	const char *path = FIXTURES "/env-variable-quote.conf";
	struct config_errors e = { 0 };

	load_bad(path, 1, &e);
	expect_error(e.lines[0], path, 9, "ping '\n}\nvirtual web {\nreal a { address = 192.0.2.11 }\n}\n': "
		     "not an IPv4 or IPv6 address");
	config_errors_clear(&e);
}

Test(env_variable, expanded_in_values)
{
	struct lvsd_config *c;

	cr_assert_eq(setenv("LVSD_TEST_REAL", "192.0.2.11", 1), 0);
	write_text(tmp_path("env.conf"),
		   "virtual web {\n"
		   "  address = \"192.0.2.50:80\"\n"
		   "  real a { address = ${LVSD_TEST_REAL} }\n"
		   "  real b { address = \"${LVSD_TEST_REAL}:8080\" }\n"
		   "  real c { address = \"${LVSD_TEST_UNSET:-192.0.2.13}\" }\n"
		   "}\n");
	c = load_ok(tmp_path("env.conf"));
	cr_assert_eq(c->virtuals[0].n_reals, 3);
	cr_expect_str_eq(endpoint_text(&c->virtuals[0].reals[0].endpoint), "192.0.2.11:80");
	cr_expect_str_eq(endpoint_text(&c->virtuals[0].reals[1].endpoint), "192.0.2.11:8080");
	cr_expect_str_eq(endpoint_text(&c->virtuals[0].reals[2].endpoint), "192.0.2.13:80");
	config_free(c);
}

/* ---- what libconfuse 3.3 gets wrong, and lvsd works around ----
 *
 * Each test fails without its workaround (config_text.c, config_options.c). */

TestSuite(libconfuse, .init = make_tmpdir, .fini = remove_tmpdir);

/* Loads text, which must fail with one problem at line, saying phrase. */
static void expect_one_problem(const char *text, unsigned line, const char *phrase)
{
	struct config_errors e = { 0 };

	write_text(tmp_path("lvsd.conf"), text);
	load_bad(tmp_path("lvsd.conf"), 1, &e);
	expect_error(e.lines[0], tmp_path("lvsd.conf"), line, phrase);
	config_errors_clear(&e);
}

/* libconfuse counts a '#' or '//' comment line three times, a block
 * comment one line too many. */
Test(libconfuse, comment_lines_counted_once)
{
	expect_one_problem("# one\n"
			   "// two\n"
			   "/* three\n"
			   "   four */\n"
			   "log-level = loud   # five\n",
			   5, "log-level 'loud': not one of");
}

/* libconfuse refuses a comment anywhere but where an option may start. */
Test(libconfuse, comments_between_tokens)
{
	struct lvsd_config *c;

	write_text(tmp_path("lvsd.conf"),
		   "virtual web /* the site */ {\n"
		   "  address = # the service\n"
		   "    \"192.0.2.50:80\"\n"
		   "  scheduler-flags = { // none\n"
		   "  }\n"
		   "}\n");
	c = load_ok(tmp_path("lvsd.conf"));
	cr_expect_str_eq(endpoint_text(&c->virtuals[0].endpoint), "192.0.2.50:80");
	config_free(c);
}

/* libconfuse takes a file ending inside a section for a complete one. */
Test(libconfuse, file_ending_inside_a_section)
{
	expect_one_problem("virtual web {\n"
			   "  address = \"192.0.2.50:80\"\n",
			   1, "this '{' is never closed");
}

/* ... inside a block comment ... */
Test(libconfuse, file_ending_inside_a_comment)
{
	expect_one_problem("log-level = info\n"
			   "/* to be continued\n",
			   2, "unterminated comment");
}

/* ... and inside a string, where an option may start. */
Test(libconfuse, file_ending_inside_a_string)
{
	expect_one_problem("log-level = info\n"
			   "\"flush-on-stop = yes\n",
			   2, "unterminated string");
}

/* libconfuse reads "real|weight" as the weight of the first real, and hands
 * the value's callback the virtual's section. */
Test(libconfuse, option_path)
{
	expect_one_problem("virtual web {\n"
			   "  address = \"192.0.2.50:80\"\n"
			   "  real a { address = \"192.0.2.11\" }\n"
			   "  real|weight = 70000\n"
			   "}\n",
			   4, "'real|weight': '|' makes an option path, which lvsd.conf does not use");
}

/* libconfuse finds bad escapes itself; lvsd words its complaints. A bad
 * escape stops libconfuse like any syntax error, after the values before
 * it. */
Test(libconfuse, escapes_in_lvsd_words)
{
	struct config_errors e = { 0 };

	expect_one_problem("log-level = \"\\777\"\n", 1, "invalid octal escape '\\777' in a string");
	write_text(tmp_path("lvsd.conf"), "cluster { port = 0 }\nlog-level = \"in\\9fo\"\n");
	load_bad(tmp_path("lvsd.conf"), 2, &e);
	expect_error(e.lines[0], tmp_path("lvsd.conf"), 1, "port '0': out of range 1..65535");
	expect_error(e.lines[1], tmp_path("lvsd.conf"), 2, "bad escape sequence '\\9' in a string");
	config_errors_clear(&e);
}

/* libconfuse complains of every option of a free-form section (a real's
 * check block) before it accepts it. */
Test(libconfuse, real_check_block_options)
{
	struct lvsd_config *c;

	write_text(tmp_path("lvsd.conf"),
		   "virtual web {\n"
		   "  address = \"192.0.2.50:80\"\n"
		   "  real a { address = \"192.0.2.11\" check { type = http request = \"/up\" } }\n"
		   "}\n");
	c = load_ok(tmp_path("lvsd.conf"));
	cr_expect_eq(c->virtuals[0].reals[0].check.type, CHECK_HTTP);
	cr_expect_str_eq(c->virtuals[0].reals[0].check.request, "/up");
	config_free(c);
}

/* libconfuse's boolean parsing stops at the first bad one. */
Test(libconfuse, every_bad_boolean_reported)
{
	struct config_errors e = { 0 };

	write_text(tmp_path("lvsd.conf"), "flush-on-stop = maybe\ncluster { realtime = sometimes }\n");
	load_bad(tmp_path("lvsd.conf"), 2, &e);
	expect_error(e.lines[0], tmp_path("lvsd.conf"), 1, "flush-on-stop 'maybe': not one of yes, no");
	expect_error(e.lines[1], tmp_path("lvsd.conf"), 2, "realtime 'sometimes': not one of yes, no");
	config_errors_clear(&e);
}

/* libconfuse keeps the line where a section closes, not where it opens. */
Test(libconfuse, opening_lines)
{
	struct lvsd_config *c;

	write_text(tmp_path("lvsd.conf"),
		   "director lb1 {\n"
		   "  address = { \"192.0.2.1\" }\n"
		   "}\n"
		   "virtual web {\n"
		   "  address = \"192.0.2.50:80\"\n"
		   "  real a {\n"
		   "    address = \"192.0.2.11\"\n"
		   "  }\n"
		   "}\n");
	c = load_ok(tmp_path("lvsd.conf"));
	cr_expect_eq(c->directors[0].line, 1);
	cr_expect_eq(c->virtuals[0].line, 4);
	cr_expect_eq(c->virtuals[0].reals[0].line, 7, "a real: the line of its address");
	config_free(c);
}
