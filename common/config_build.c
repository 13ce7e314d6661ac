/* lvsd.conf, stage 3: the parsed tree -> the structs of config.h; here the
 * top level, the cluster, directors, vips and sync (virtuals are
 * config_build_virtuals.c's).
 *
 * Values come typed from their callbacks. A bad one has been reported
 * already (at its own line), so it reads as 0 and the checks depending on it
 * are skipped rather than repeating the complaint. What involves several
 * values is checked here and reported at the line where the section
 * concerned opens. */
#include "config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>

#define KEY_MIN_BYTES 32

const char *config_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

const char *config_strdup(struct loader *l, const char *s)
{
	const char *d = string_pool_dup(l->strings, s);

	if (!d)
		l->oom = true;
	return d;
}

static const char *resolve_path(struct loader *l, const char *path)
{
	char *r = config_resolve_path(l->path, path);
	const char *d = r ? config_strdup(l, r) : NULL;

	if (!r)
		l->oom = true;
	free(r);
	return d;
}

/* A good value's number, else 0. */
static uint64_t number_of(const struct config_value *v)
{
	return v && v->ok ? v->number : 0;
}

/* A good value's text, else NULL. */
static const char *text_of(const struct config_value *v)
{
	return v && v->ok ? v->text : NULL;
}

cfg_t *config_first_section(struct loader *l, cfg_t *parent, const char *name, const char *where)
{
	unsigned n = cfg_size(parent, name);

	for (unsigned i = 1; i < n; i++)
		config_report(l, config_opening_line(cfg_getnsec(parent, name, i)), "%s%sa second %s section",
			      where, *where ? ": " : "", name);
	return n ? cfg_getnsec(parent, name, 0) : NULL;
}

/* cluster {} and sync {} may be left out; an absent one is created empty so
 * that libconfuse fills in the defaults, which then live only in the option
 * tables. */
static cfg_t *single_section(struct loader *l, cfg_t *root, const char *name, bool *given)
{
	cfg_t *sec = config_first_section(l, root, name, "");

	*given = sec != NULL;
	if (!sec && cfg_setopt(root, cfg_getopt(root, name), NULL))
		sec = cfg_getsec(root, name);
	if (!sec)
		l->oom = true;
	return sec;
}

/* The good addresses of list option in sec, into *ret (n of them). */
static int addresses_of(cfg_t *sec, const char *option, struct lvsd_addr **ret, size_t *n)
{
	unsigned size = cfg_size(sec, option);

	*n = 0;
	*ret = calloc(size ? size : 1, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	for (unsigned i = 0; i < size; i++) {
		const struct config_value *v = config_getn(sec, option, i);

		if (v->ok)
			(*ret)[(*n)++] = v->addr;
	}
	return 0;
}

/* A director's or vip group's name goes into every heartbeat. */
static void check_heartbeat_name(struct loader *l, unsigned line, const char *kind, const char *name)
{
	if (!lvsd_heartbeat_name_ok(name, strlen(name)))
		config_report(l, line, "%s \"%s\": a name of 1 to %d printable characters without spaces, "
			      "as heartbeats carry it", kind, name, LVSD_HB_NAME_MAX);
}

static int build_director(struct loader *l, cfg_t *ds, struct lvsd_director *d)
{
	d->name = config_strdup(l, cfg_title(ds));
	if (!d->name)
		return -ENOMEM;
	d->line = config_opening_line(ds);
	check_heartbeat_name(l, d->line, "director", d->name);
	d->priority = (unsigned)number_of(config_get(ds, "priority"));
	if (cfg_size(ds, "address") == 0) {
		config_report(l, d->line, "director %s: needs at least one address", cfg_title(ds));
		return 0;
	}
	return addresses_of(ds, "address", &d->addresses, &d->n_addresses);
}

static int build_directors(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	unsigned n = cfg_size(cfg, "director");
	char a[LVSD_ADDR_STRLEN];

	c->directors = calloc(n ? n : 1, sizeof(*c->directors));
	if (!c->directors)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		int r = build_director(l, cfg_getnsec(cfg, "director", i), &c->directors[i]);

		c->n_directors++;
		if (r < 0)
			return r;
	}
	/* Heartbeats tell directors apart by their addresses. */
	for (size_t i = 0; i < c->n_directors; i++)
		for (size_t j = 0; j < i; j++)
			for (size_t x = 0; x < c->directors[i].n_addresses; x++)
				for (size_t y = 0; y < c->directors[j].n_addresses; y++)
					if (addr_equal(&c->directors[i].addresses[x], &c->directors[j].addresses[y]))
						config_report(l, c->directors[i].line,
							      "director %s: address %s is director %s's too",
							      c->directors[i].name,
							      addr_format(&c->directors[i].addresses[x], a),
							      c->directors[j].name);
	return 0;
}

/* The cluster key authenticates heartbeats and encrypts sync traffic. */
static void check_key_file(struct loader *l, const char *path, unsigned line)
{
	struct stat st;
	unsigned mode;

	if (stat(path, &st) < 0) {
		config_report(l, line, "%s: %s (a cluster key is required with two or more directors)",
			      path, strerror(errno));
		return;
	}
	mode = st.st_mode & 07777;
	if (!S_ISREG(st.st_mode))
		config_report(l, line, "%s: not a regular file (the cluster key)", path);
	else if (st.st_size < KEY_MIN_BYTES)
		config_report(l, line, "%s: %lld bytes, a cluster key needs at least %d",
			      path, (long long)st.st_size, KEY_MIN_BYTES);
	else if (mode != 0600 && mode != 0400)
		config_report(l, line, "%s: mode %04o is %s, need 0600 or 0400", path, mode,
			      mode & 077 ? "too open" : "wrong");
}

static int build_cluster(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	struct lvsd_cluster *k = &c->cluster;
	const char *key_file;
	bool given;
	cfg_t *cs = single_section(l, cfg, "cluster", &given);

	if (!cs)
		return -ENOMEM;
	key_file = text_of(config_get(cs, "key-file"));
	k->key_file = key_file ? resolve_path(l, key_file) : NULL;
	k->port = (uint16_t)number_of(config_get(cs, "port"));
	k->interval_usec = number_of(config_get(cs, "interval"));
	k->dead_after = (unsigned)number_of(config_get(cs, "dead-after"));
	k->failback = cfg_getbool(cs, "failback");
	k->failback_delay_usec = number_of(config_get(cs, "failback-delay"));
	k->realtime = cfg_getbool(cs, "realtime");
	if (addresses_of(cs, "ping", &k->ping, &k->n_ping) < 0)
		return -ENOMEM;

	/* Heartbeats to a group instead of to each peer: one per family,
	 * used by the links of that family. */
	for (unsigned i = 0; i < cfg_size(cs, "multicast"); i++) {
		const struct config_value *group = config_getn(cs, "multicast", i);
		struct lvsd_addr *slot;
		char text[LVSD_ADDR_STRLEN];

		if (!group->ok)
			continue;
		slot = group->addr.family == AF_INET6 ? &k->multicast6 : &k->multicast4;
		if (!addr_is_multicast(&group->addr))
			config_report(l, config_opening_line(cs), "cluster: multicast %s is not a multicast address",
				      addr_format(&group->addr, text));
		else if (slot->family)
			config_report(l, config_opening_line(cs), "cluster: a second multicast group of the same "
				      "family (%s): one per family", addr_format(&group->addr, text));
		else
			*slot = group->addr;
	}

	if (c->n_directors >= 2 && k->key_file)
		check_key_file(l, k->key_file, given ? config_opening_line(cs) : c->directors[1].line);
	return 0;
}

static int build_vip(struct loader *l, cfg_t *vs, const struct lvsd_config *c, struct lvsd_vip *v)
{
	const char *name = cfg_title(vs);
	const struct config_value *interface = config_get(vs, "interface");
	const struct config_value *preferred = config_get(vs, "preferred");
	unsigned n = cfg_size(vs, "address");

	v->name = config_strdup(l, name);
	if (!v->name)
		return -ENOMEM;
	v->line = config_opening_line(vs);
	check_heartbeat_name(l, v->line, "vip", name);
	v->interface = interface ? config_strdup(l, interface->text) : NULL;
	v->preferred = preferred ? config_strdup(l, preferred->text) : NULL;
	v->garp_count = (unsigned)number_of(config_get(vs, "garp-count"));
	v->garp_interval_usec = number_of(config_get(vs, "garp-interval"));
	v->garp_refresh_usec = number_of(config_get(vs, "garp-refresh"));
	if (preferred && !config_find_director(c, preferred->text))
		config_report(l, v->line, "vip %s: preferred director '%s' is not defined", name, preferred->text);
	if (n == 0) {
		config_report(l, v->line, "vip %s: needs at least one address", name);
		return 0;
	}

	v->addresses = calloc(n, sizeof(*v->addresses));
	if (!v->addresses)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct config_value *va = config_getn(vs, "address", i);
		struct lvsd_vip_address *a = &v->addresses[v->n_addresses];

		if (!va->ok)
			continue;
		if (!va->vip.dev[0] && !interface) {
			config_report(l, v->line, "vip %s: address %s names no dev, and the vip has no interface",
				      name, va->text);
			continue;
		}
		a->addr = va->vip.addr;
		a->prefixlen = va->vip.prefixlen;
		a->dev = config_strdup(l, va->vip.dev[0] ? va->vip.dev : interface->text);
		v->n_addresses++;
	}
	return 0;
}

static int build_vips(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	unsigned n = cfg_size(cfg, "vip");
	size_t wire_bytes = 0;     /* the groups' part of a heartbeat */
	char a[LVSD_ADDR_STRLEN];

	c->vips = calloc(n ? n : 1, sizeof(*c->vips));
	if (!c->vips)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		int r = build_vip(l, cfg_getnsec(cfg, "vip", i), c, &c->vips[i]);

		c->n_vips++;
		if (r < 0)
			return r;
		wire_bytes += strlen(c->vips[i].name) + 3;
	}
	if (n > LVSD_HB_MAX_GROUPS)
		config_report(l, c->vips[LVSD_HB_MAX_GROUPS].line, "vip %s: more than %d vip groups, as many as "
			      "heartbeats carry", c->vips[LVSD_HB_MAX_GROUPS].name, LVSD_HB_MAX_GROUPS);
	else if (wire_bytes > LVSD_HB_GROUP_BYTES)
		config_report(l, c->vips[n - 1].line, "the vip groups' names take %zu bytes of a heartbeat, more than "
			      "its %d: shorter names or fewer groups", wire_bytes, LVSD_HB_GROUP_BYTES);
	/* An address held by two groups would move with either. */
	for (size_t i = 0; i < c->n_vips; i++)
		for (size_t j = 0; j < i; j++)
			for (size_t x = 0; x < c->vips[i].n_addresses; x++)
				for (size_t y = 0; y < c->vips[j].n_addresses; y++)
					if (addr_equal(&c->vips[i].addresses[x].addr, &c->vips[j].addresses[y].addr))
						config_report(l, c->vips[i].line, "vip %s: address %s is in vip %s too",
							      c->vips[i].name, addr_format(&c->vips[i].addresses[x].addr, a),
							      c->vips[j].name);
	return 0;
}

static int build_sync(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	struct lvsd_sync *s = &c->sync;
	const struct config_value *interface, *group, *transport;
	bool given;
	unsigned line;
	cfg_t *ss = single_section(l, cfg, "sync", &given);

	if (!ss)
		return -ENOMEM;
	interface = config_get(ss, "interface");
	group = config_get(ss, "group");
	transport = config_get(ss, "transport");
	line = config_opening_line(ss);
	s->enabled = given;
	s->interface = interface ? config_strdup(l, interface->text) : NULL;
	s->id = (unsigned)number_of(config_get(ss, "id"));
	s->transport = transport && transport->ok ? (enum lvsd_sync_transport)transport->choice : SYNC_UNICAST;
	s->port = (uint16_t)number_of(config_get(ss, "port"));
	if (group && group->ok)
		s->group = group->addr;
	if (!given)
		return 0;
	/* The kernel's sync daemon sends and listens on one interface. */
	if (!interface)
		config_report(l, line, "sync: needs the interface of the kernel sync daemon");
	if (s->transport == SYNC_MULTICAST && group && group->ok && !addr_is_multicast(&s->group))
		config_report(l, line, "sync: group %s is not a multicast address (transport = multicast)",
			      group->text);
	return 0;
}

int config_build(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	const struct config_value *log_level = config_get(cfg, "log-level");
	int r;

	c->path = config_strdup(l, l->path);
	c->log_level = log_level && log_level->ok ? log_level->choice : LOG_INFO;
	c->flush_on_stop = cfg_getbool(cfg, "flush-on-stop");
	c->reconcile_interval_usec = number_of(config_get(cfg, "reconcile-interval"));

	/* Directors first: the cluster and the vips refer to them. */
	r = build_directors(l, cfg, c);
	if (r == 0)
		r = build_cluster(l, cfg, c);
	if (r == 0)
		r = build_vips(l, cfg, c);
	if (r == 0)
		r = build_sync(l, cfg, c);
	if (r == 0)
		r = config_build_virtuals(l, cfg, c);
	if (r == 0 && l->oom)
		r = -ENOMEM;
	return r;
}

/* ---- freeing and finding ---- */

void config_free(struct lvsd_config *c)
{
	if (!c)
		return;
	free(c->cluster.ping);
	for (size_t i = 0; i < c->n_directors; i++)
		free(c->directors[i].addresses);
	free(c->directors);
	for (size_t i = 0; i < c->n_vips; i++)
		free(c->vips[i].addresses);
	free(c->vips);
	for (size_t i = 0; i < c->n_virtuals; i++)
		free(c->virtuals[i].reals);
	free(c->virtuals);
	string_pool_free(c->strings);
	free(c);
}

const struct lvsd_virtual *config_find_virtual(const struct lvsd_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_virtuals; i++)
		if (c->virtuals[i].name && strcmp(c->virtuals[i].name, name) == 0)
			return &c->virtuals[i];
	return NULL;
}

const struct lvsd_director *config_find_director(const struct lvsd_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_directors; i++)
		if (c->directors[i].name && strcmp(c->directors[i].name, name) == 0)
			return &c->directors[i];
	return NULL;
}

const struct lvsd_vip *config_find_vip(const struct lvsd_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_vips; i++)
		if (c->vips[i].name && strcmp(c->vips[i].name, name) == 0)
			return &c->vips[i];
	return NULL;
}
