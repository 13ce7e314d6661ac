/* lvsd.conf, stage 3: the parsed cfg_t tree -> the structs of config.h.
 *
 * Values are read again with the parsers libconfuse's callbacks used. A value
 * that fails here has been reported already (at its own line), so it reads
 * as 0 and the checks depending on it are skipped rather than repeating the
 * complaint. What involves several values is checked here and reported at the
 * line where the section concerned opens. */
#include "config_internal.h"
#include "first_seen.h"
#include "hash.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>

#define KEY_MIN_BYTES 32
#define USEC_PER_SEC 1000000

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* A copy in the configuration's pool; NULL reads as "". */
static const char *xstrdup(struct loader *l, const char *s)
{
	const char *d = string_pool_dup(l->strings, s);

	if (!d)
		l->oom = true;
	return d;
}

static const char *resolve_path(struct loader *l, const char *path)
{
	char *r = config_resolve_path(l->path, path);
	const char *d = r ? xstrdup(l, r) : NULL;

	if (!r)
		l->oom = true;
	free(r);
	return d;
}

/* Converters of values the callbacks have checked. A bad value (reported
 * already) or an absent one reads as 0, enums as -1; durations clear *ok too
 * (when ok is not NULL), so that checks depending on them can be skipped. */
static uint64_t uint_of(const char *section, const char *option, const char *text)
{
	const struct config_uint_option *o = config_uint_option_find(section, option);
	char why[CONFIG_WHY_MAX];
	uint64_t v;

	if (text && o && config_uint_parse(text, o->min, o->max, &v, why) == 0)
		return v;
	return 0;
}

/* positive: as the option's callback checked it, or a 0 reported there
 * would pass here. */
static uint64_t duration_of(const char *text, bool positive, bool *ok)
{
	char why[CONFIG_WHY_MAX];
	uint64_t v;

	if (text && config_duration_parse(text, positive, &v, why) == 0)
		return v;
	if (ok)
		*ok = false;
	return 0;
}

static int enum_of(const char *option, const char *text)
{
	char why[CONFIG_WHY_MAX];
	int v;

	if (text && config_enum_parse(option, text, &v, why) == 0)
		return v;
	return -1;
}

static uint64_t get_uint(cfg_t *sec, const char *option)
{
	return uint_of(sec->name, option, cfg_getstr(sec, option));
}

static uint64_t get_duration(cfg_t *sec, const char *option)
{
	return duration_of(cfg_getstr(sec, option), false, NULL);
}

static int get_enum(cfg_t *sec, const char *option, int fallback)
{
	int v = enum_of(option, cfg_getstr(sec, option));

	return v < 0 ? fallback : v;
}

/* Sections allowed once (cluster, sync, check) must not be repeated: each
 * repetition is reported at its line, and the first counts. */
static cfg_t *first_section(struct loader *l, cfg_t *parent, const char *name, const char *where)
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
	cfg_t *sec = first_section(l, root, name, "");

	*given = sec != NULL;
	if (!sec && cfg_setopt(root, cfg_getopt(root, name), NULL))
		sec = cfg_getsec(root, name);
	if (!sec)
		l->oom = true;
	return sec;
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
	unsigned n = cfg_size(ds, "address");

	d->name = xstrdup(l, cfg_title(ds));
	if (!d->name)
		return -ENOMEM;
	d->line = config_opening_line(ds);
	check_heartbeat_name(l, d->line, "director", d->name);
	d->priority = (unsigned)get_uint(ds, "priority");
	if (n == 0) {
		config_report(l, d->line, "director %s: needs at least one address", cfg_title(ds));
		return 0;
	}
	d->addresses = calloc(n, sizeof(*d->addresses));
	if (!d->addresses)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		if (addr_parse(cfg_getnstr(ds, "address", i), &d->addresses[d->n_addresses]) == 0)
			d->n_addresses++;
	return 0;
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
	unsigned n;
	bool given;
	cfg_t *cs = single_section(l, cfg, "cluster", &given);

	if (!cs)
		return -ENOMEM;
	k->key_file = resolve_path(l, cfg_getstr(cs, "key-file"));
	k->port = (uint16_t)get_uint(cs, "port");
	k->interval_usec = get_duration(cs, "interval");
	k->dead_after = (unsigned)get_uint(cs, "dead-after");
	k->failback = cfg_getbool(cs, "failback");
	k->failback_delay_usec = get_duration(cs, "failback-delay");
	k->realtime = cfg_getbool(cs, "realtime");

	n = cfg_size(cs, "ping");
	k->ping = calloc(n ? n : 1, sizeof(*k->ping));
	if (!k->ping)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		if (addr_parse(cfg_getnstr(cs, "ping", i), &k->ping[k->n_ping]) == 0)
			k->n_ping++;

	/* Heartbeats to a group instead of to each peer: one per family,
	 * used by the links of that family. */
	n = cfg_size(cs, "multicast");
	for (unsigned i = 0; i < n; i++) {
		struct lvsd_addr group;
		struct lvsd_addr *slot;
		char text[LVSD_ADDR_STRLEN];

		if (addr_parse(cfg_getnstr(cs, "multicast", i), &group) < 0)
			continue;  /* reported by its callback */
		slot = group.family == AF_INET6 ? &k->multicast6 : &k->multicast4;
		if (!addr_is_multicast(&group))
			config_report(l, config_opening_line(cs), "cluster: multicast %s is not a multicast address",
				      addr_format(&group, text));
		else if (slot->family)
			config_report(l, config_opening_line(cs), "cluster: a second multicast group of the same "
				      "family (%s): one per family", addr_format(&group, text));
		else
			*slot = group;
	}

	if (c->n_directors >= 2 && k->key_file)
		check_key_file(l, k->key_file, given ? config_opening_line(cs) : c->directors[1].line);
	return 0;
}

static int build_vip(struct loader *l, cfg_t *vs, const struct lvsd_config *c, struct lvsd_vip *v)
{
	const char *name = cfg_title(vs);
	const char *interface = cfg_getstr(vs, "interface"), *preferred = cfg_getstr(vs, "preferred");
	unsigned n = cfg_size(vs, "address");
	char why[CONFIG_WHY_MAX];

	v->name = xstrdup(l, name);
	if (!v->name)
		return -ENOMEM;
	v->line = config_opening_line(vs);
	check_heartbeat_name(l, v->line, "vip", name);
	v->interface = interface ? xstrdup(l, interface) : NULL;
	v->preferred = preferred ? xstrdup(l, preferred) : NULL;
	v->garp_count = (unsigned)get_uint(vs, "garp-count");
	v->garp_interval_usec = get_duration(vs, "garp-interval");
	v->garp_refresh_usec = get_duration(vs, "garp-refresh");
	if (preferred && !config_find_director(c, preferred))
		config_report(l, v->line, "vip %s: preferred director '%s' is not defined", name, preferred);
	if (n == 0) {
		config_report(l, v->line, "vip %s: needs at least one address", name);
		return 0;
	}

	v->addresses = calloc(n, sizeof(*v->addresses));
	if (!v->addresses)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const char *text = cfg_getnstr(vs, "address", i);
		struct lvsd_vip_address *a = &v->addresses[v->n_addresses];
		struct config_vip_address va;

		if (config_vip_address_parse(text, &va, why) < 0)
			continue;
		if (!va.dev[0] && !interface) {
			config_report(l, v->line, "vip %s: address %s names no dev, and the vip has no interface",
				      name, text);
			continue;
		}
		a->addr = va.addr;
		a->prefixlen = va.prefixlen;
		a->dev = xstrdup(l, va.dev[0] ? va.dev : interface);
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
	const char *interface, *group;
	bool given, group_ok;
	unsigned line;
	cfg_t *ss = single_section(l, cfg, "sync", &given);

	if (!ss)
		return -ENOMEM;
	interface = cfg_getstr(ss, "interface");
	group = cfg_getstr(ss, "group");
	line = config_opening_line(ss);
	s->enabled = given;
	s->interface = interface ? xstrdup(l, interface) : NULL;
	s->id = (unsigned)get_uint(ss, "id");
	s->transport = get_enum(ss, "transport", SYNC_UNICAST);
	s->port = (uint16_t)get_uint(ss, "port");
	group_ok = addr_parse(group, &s->group) == 0;
	if (!given)
		return 0;
	/* The kernel's sync daemon sends and listens on one interface. */
	if (!interface)
		config_report(l, line, "sync: needs the interface of the kernel sync daemon");
	if (s->transport == SYNC_MULTICAST && group_ok && !addr_is_multicast(&s->group))
		config_report(l, line, "sync: group %s is not a multicast address (transport = multicast)",
			      group);
	return 0;
}

/* ---- checks ---- */

/* The blocks a check's options come from, most specific first: a real's own
 * check block, then its virtual's, then the defaults. A real's block replaces
 * the virtual's option by option, not as a whole: an operator who gives one
 * real another request expects it to keep the virtual's type and interval. */
struct check_chain {
	cfg_t *blocks[2];
	size_t n;
};

static const char *check_text(const struct check_chain *chain, const char *option)
{
	/* In lvsd.conf's own words. request has none: it depends on the type. */
	static const struct {
		const char *option, *text;
	} defaults[] = {
		{ "type", "tcp" },
		{ "port", "0" },
		{ "interval", "2s" },
		{ "timeout", "1s" },
		{ "rise", "2" },
		{ "fall", "2" },
		{ "status", "200-399" },
		{ "method", "GET" },
	};

	for (size_t i = 0; i < chain->n; i++) {
		const char *text = chain->blocks[i] ? config_block_value(chain->blocks[i], option) : NULL;

		if (text)
			return text;
	}
	for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
		if (strcmp(defaults[i].option, option) == 0)
			return defaults[i].text;
	return NULL;
}

enum {
	CHECK_PROBLEM_TIMEOUT = 1 << 0,
	CHECK_PROBLEM_COMMAND = 1 << 1,
	CHECK_PROBLEM_NAME = 1 << 2,
};

/* Fills ck from chain; returns the CHECK_PROBLEM_* found, for the caller to
 * report (a real's check must not repeat its virtual's problems). */
static unsigned build_check(struct loader *l, const struct check_chain *chain,
			    struct lvsd_check *ck)
{
	const char *request = check_text(chain, "request"), *command = check_text(chain, "command");
	const char *ca_file = check_text(chain, "ca-file");
	char why[CONFIG_WHY_MAX];
	bool times_ok = true;
	unsigned problems = 0;
	int type = enum_of("type", check_text(chain, "type"));

	ck->type = type < 0 ? CHECK_TCP : (enum lvsd_check_type)type;
	ck->port = (uint16_t)uint_of("check", "port", check_text(chain, "port"));
	ck->interval_usec = duration_of(check_text(chain, "interval"), true, &times_ok);
	ck->timeout_usec = duration_of(check_text(chain, "timeout"), true, &times_ok);
	ck->rise = (unsigned)uint_of("check", "rise", check_text(chain, "rise"));
	ck->fall = (unsigned)uint_of("check", "fall", check_text(chain, "fall"));
	if (!request && (type == CHECK_HTTP || type == CHECK_HTTPS))
		request = "/";
	ck->request = xstrdup(l, request);
	ck->receive = xstrdup(l, check_text(chain, "receive"));
	if (config_status_parse(check_text(chain, "status"), &ck->status_min, &ck->status_max, why) < 0)
		ck->status_min = ck->status_max = 0;
	ck->virtualhost = xstrdup(l, check_text(chain, "virtualhost"));
	ck->method = enum_of("method", check_text(chain, "method")) == HTTP_HEAD ? HTTP_HEAD : HTTP_GET;
	ck->ca_file = ca_file && *ca_file ? resolve_path(l, ca_file) : xstrdup(l, "");
	ck->command = xstrdup(l, command);

	if (times_ok && ck->timeout_usec > ck->interval_usec)
		problems |= CHECK_PROBLEM_TIMEOUT;
	if (type == CHECK_EXTERNAL && (!command || !*command))
		problems |= CHECK_PROBLEM_COMMAND;
	if (type == CHECK_DNS && (!request || !*request))
		problems |= CHECK_PROBLEM_NAME;
	return problems;
}

static void report_check_problems(struct loader *l, unsigned line, const char *who,
				  const struct check_chain *chain, unsigned problems)
{
	if (problems & CHECK_PROBLEM_TIMEOUT)
		config_report(l, line, "%s: check timeout %s is longer than its interval %s", who,
			      check_text(chain, "timeout"), check_text(chain, "interval"));
	if (problems & CHECK_PROBLEM_COMMAND)
		config_report(l, line, "%s: check type external needs a command", who);
	if (problems & CHECK_PROBLEM_NAME)
		config_report(l, line, "%s: check type dns needs a request (the name to query)", who);
}

/* Where a check connects: its own port, else the real server's, else (the
 * real of a fwmark virtual, which has none) the type's well-known port. */
static int resolve_check_port(struct lvsd_check *ck, uint16_t real_port)
{
	static const uint16_t well_known[] = {
		[CHECK_HTTP] = 80,
		[CHECK_HTTPS] = 443,
		[CHECK_DNS] = 53,
		[CHECK_SMTP] = 25,
	};

	if (ck->port || real_port)
		return 0;
	if (ck->type != CHECK_TCP && ck->type != CHECK_HTTP && ck->type != CHECK_HTTPS &&
	    ck->type != CHECK_DNS && ck->type != CHECK_SMTP)
		return 0;
	if ((size_t)ck->type < ELEMENTSOF(well_known) && well_known[ck->type]) {
		ck->port = well_known[ck->type];
		return 0;
	}
	return -EINVAL;
}

/* ---- virtual services ---- */

/* A real section's option by its place (REAL_OPT_*), NULL when not given. */
static const char *real_value(cfg_t *sec, unsigned option)
{
	cfg_opt_t *o = cfg_getnopt(sec, option);

	return cfg_opt_size(o) ? cfg_opt_getnstr(o, 0) : NULL;
}

/* What the builder learns of one real section before expanding it. */
struct real_plan {
	cfg_t *sec;
	const char *name;
	unsigned line;                       /* of its address */
	struct config_real_address address;  /* count 0: none usable */
	enum lvsd_forward forward;
	unsigned weight;
};

/* A fwmark virtual's family is its reals'; they must agree. */
static int fwmark_family(struct loader *l, struct lvsd_virtual *v, const struct real_plan *plans,
			 size_t n)
{
	const struct real_plan *first = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!plans[i].address.count)
			continue;
		if (!first) {
			first = &plans[i];
		} else if (plans[i].address.first.family != first->address.first.family) {
			config_report(l, plans[i].line,
				      "virtual %s: real %s is %s but real %s is %s; the reals of a fwmark virtual share one family",
				      v->name, plans[i].name, family_name(plans[i].address.first.family),
				      first->name, family_name(first->address.first.family));
		}
	}
	return first ? first->address.first.family : AF_INET;
}

/* Expands plan into v->reals (room reserved), each member with check (its
 * strings are the pool's, shared). */
static int add_reals(struct loader *l, struct lvsd_virtual *v, const struct real_plan *plan,
		     const struct lvsd_check *check)
{
	const char *name = plan->name;
	struct lvsd_addr a = plan->address.first;
	char buf[LVSD_ADDR_STRLEN];

	for (unsigned i = 0; i < plan->address.count; i++) {
		struct lvsd_real *r = &v->reals[v->n_reals++];

		r->name = plan->address.range ? string_pool_join(l->strings, name, '@', addr_format(&a, buf))
					      : xstrdup(l, name);
		if (!r->name)
			return -ENOMEM;
		r->endpoint.addr = a;
		r->endpoint.port = plan->address.port ? plan->address.port : v->endpoint.port;
		r->weight = plan->weight;
		r->forward = plan->forward;
		r->line = plan->line;
		r->check = *check;
		if (addr_add(&a, 1) < 0)
			break;    /* the last address of the space ended the range */
	}
	return 0;
}

/* The check of a real section's members: its own block over the virtual's. */
static void build_real_check(struct loader *l, struct lvsd_virtual *v, const struct real_plan *plan,
			    cfg_t *virtual_block, unsigned virtual_problems, struct lvsd_check *ck)
{
	char who[256] = "";
	cfg_t *own = NULL;
	unsigned line = plan->line;
	uint16_t port = plan->address.port ? plan->address.port : v->endpoint.port;

	/* Named only when there is something to say: reals are many. */
	if (cfg_opt_size(cfg_getnopt(plan->sec, REAL_OPT_CHECK))) {
		snprintf(who, sizeof(who), "real %s", plan->name);
		own = first_section(l, plan->sec, "check", who);
	}
	if (own) {
		struct check_chain chain = { { own, virtual_block }, 2 };
		unsigned problems;

		config_check_real_check(own);
		problems = build_check(l, &chain, ck);

		line = config_opening_line(own);
		report_check_problems(l, line, who, &chain, problems & ~virtual_problems);
	} else {
		*ck = v->check;
	}
	/* With no check written anywhere, a real server without a port (of a
	 * fwmark service) cannot get the default tcp check: ping it instead. */
	if (!own && !virtual_block && ck->type == CHECK_TCP && !ck->port && !port)
		ck->type = CHECK_PING;
	/* Only tcp lacks a well-known port. */
	if (resolve_check_port(ck, port) < 0)
		config_report(l, line, "real %s: check type tcp has no port to connect to "
			      "(a fwmark virtual's real without a port); set the check's port",
			      plan->name);
}

static int build_reals(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, bool family_known,
		       cfg_t *virtual_block, unsigned virtual_problems)
{
	cfg_opt_t *reals = cfg_getopt(vs, "real");
	unsigned n = cfg_opt_size(reals);
	struct real_plan *plans = calloc(n ? n : 1, sizeof(*plans));
	char buf[LVSD_ADDR_STRLEN];
	size_t total = 0;
	int r = 0;

	if (!plans)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		struct real_plan *p = &plans[i];
		const struct real_note *note;
		const char *weight;
		int forward;

		p->sec = cfg_opt_getnsec(reals, i);
		p->name = cfg_title(p->sec);
		note = real_notes_get(&l->reals, p->sec);
		forward = enum_of("forward", real_value(p->sec, REAL_OPT_FORWARD));
		p->forward = forward < 0 ? v->forward : (enum lvsd_forward)forward;
		weight = real_value(p->sec, REAL_OPT_WEIGHT);
		p->weight = weight ? (unsigned)uint_of("real", "weight", weight) : 1;
		p->line = note ? note->line : config_opening_line(p->sec);
		if (!note)
			config_report(l, p->line, "real %s: needs an address", p->name);
		else if (note->valid)
			p->address = note->address;
	}
	for (size_t i = 0; i < n; i++)
		total += plans[i].address.count;

	if (v->fwmark)
		v->family = fwmark_family(l, v, plans, n);
	else if (family_known)
		/* IPVS forwards across families only by tunnelling. */
		for (unsigned i = 0; i < n; i++)
			if (plans[i].address.count && plans[i].address.first.family != v->family &&
			    plans[i].forward != FWD_TUN)
				config_report(l, plans[i].line,
					      "real %s: %s is %s but virtual %s is %s; mixing families needs forward = tun",
					      plans[i].name, addr_format(&plans[i].address.first, buf),
					      family_name(plans[i].address.first.family), v->name,
					      family_name(v->family));

	v->reals = calloc(total ? total : 1, sizeof(*v->reals));
	if (!v->reals) {
		free(plans);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		struct lvsd_check ck = { 0 };

		if (!plans[i].address.count)
			continue;
		build_real_check(l, v, &plans[i], virtual_block, virtual_problems, &ck);
		r = add_reals(l, v, &plans[i], &ck);
	}
	free(plans);
	return r;
}

static bool real_endpoints_equal(const void *reals, size_t a, size_t b)
{
	const struct lvsd_real *r = reals;

	return endpoint_compare(&r[a].endpoint, &r[b].endpoint) == 0;
}

static uint64_t endpoint_hash(const struct lvsd_endpoint *e)
{
	uint64_t h = hash_bytes(HASH_START, &e->port, sizeof(e->port));

	return hash_bytes(h, &e->addr.in, addr_len(&e->addr));
}

/* IPVS knows a real server by address and port within its service, so two
 * reals there (a range member, say, and a real of its own) would be one.
 * Each is reported where the later one is, naming the first. */
static int check_duplicate_reals(struct loader *l, const struct lvsd_virtual *v)
{
	char buf[LVSD_ENDPOINT_STRLEN];
	struct first_seen seen;

	if (v->n_reals < 2)
		return 0;
	if (first_seen_init(&seen, v->n_reals, v->reals, real_endpoints_equal) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_reals; i++) {
		const struct lvsd_real *r = &v->reals[i];
		size_t first = first_seen_check(&seen, i, endpoint_hash(&r->endpoint));

		if (first != SIZE_MAX)
			config_report(l, r->line, "virtual %s: duplicate real server address %s (real %s and real %s)",
				      v->name, endpoint_format(&r->endpoint, buf), v->reals[first].name, r->name);
	}
	first_seen_free(&seen);
	return 0;
}

static void build_sched_flags(struct loader *l, cfg_t *vs, struct lvsd_virtual *v)
{
	const char *scheduler = cfg_getstr(vs, "scheduler");
	char why[CONFIG_WHY_MAX];
	bool scheduler_ok = config_scheduler_check(scheduler, why) == 0;

	for (unsigned i = 0; i < cfg_size(vs, "scheduler-flags"); i++) {
		const struct config_sched_flag *f =
			config_sched_flag_find(cfg_getnstr(vs, "scheduler-flags", i), why);

		if (!f)
			continue;
		v->sched_flags |= f->bit;
		if (f->scheduler && scheduler_ok && strcmp(f->scheduler, scheduler) != 0)
			config_report(l, v->line, "virtual %s: scheduler flag %s needs scheduler %s, not %s",
				      v->name, f->name, f->scheduler, scheduler);
	}
}

static void build_netmask(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, bool family_known)
{
	const char *text = cfg_getstr(vs, "netmask");
	unsigned max = v->family == AF_INET6 ? 128 : 32, prefix;
	char why[CONFIG_WHY_MAX];
	bool dotted;

	v->netmask_prefix = max;
	if (!text || !family_known || config_netmask_parse(text, &prefix, &dotted, why) < 0)
		return;
	if (v->family == AF_INET6 && dotted)
		config_report(l, v->line, "virtual %s: netmask %s: an IPv6 netmask is a prefix length such as 64",
			      v->name, text);
	else if (prefix > max)
		config_report(l, v->line, "virtual %s: netmask %s is longer than an %s address (%u bits)",
			      v->name, text, family_name(v->family), max);
	else if (v->family == AF_INET6 && prefix == 0)
		/* The kernel refuses it (an IPv4 mask of 0 it takes). */
		config_report(l, v->line, "virtual %s: netmask %s: an IPv6 prefix length is 1 to 128", v->name,
			      text);
	else
		v->netmask_prefix = prefix;
}

static void build_fallback(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, bool family_known)
{
	const char *text = cfg_getstr(vs, "fallback");
	char why[CONFIG_WHY_MAX];

	if (!text || config_endpoint_parse(text, true, &v->fallback, why) < 0)
		return;
	v->has_fallback = true;
	if (!v->fallback.port)
		v->fallback.port = v->endpoint.port;
	if (family_known && v->fallback.addr.family != v->family)
		config_report(l, v->line, "virtual %s: fallback %s is %s but the virtual is %s", v->name, text,
			      family_name(v->fallback.addr.family), family_name(v->family));
}

/* What the service is: an address or a fwmark. Returns whether its family is
 * known by now (a fwmark virtual's comes from its reals, later). */
static bool build_service(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, const char *who)
{
	const char *address = cfg_getstr(vs, "address"), *fwmark = cfg_getstr(vs, "fwmark");
	char why[CONFIG_WHY_MAX];

	if (address && fwmark) {
		config_report(l, v->line, "%s: has both an address and a fwmark; give one", who);
		return false;
	}
	if (!address && !fwmark) {
		config_report(l, v->line, "%s: needs an address or a fwmark", who);
		return false;
	}
	if (fwmark) {
		v->fwmark = (uint32_t)uint_of("virtual", "fwmark", fwmark);
		return v->fwmark != 0;
	}
	if (config_endpoint_parse(address, false, &v->endpoint, why) < 0)
		return false;
	v->family = v->endpoint.addr.family;
	return true;
}

static int build_virtual(struct loader *l, cfg_t *vs, struct lvsd_virtual *v)
{
	char who[256];
	bool family_known;
	unsigned virtual_problems;
	cfg_t *block;
	int protocol, r;

	v->name = xstrdup(l, cfg_title(vs));
	if (!v->name)
		return -ENOMEM;
	v->line = config_opening_line(vs);
	snprintf(who, sizeof(who), "virtual %s", v->name);
	family_known = build_service(l, vs, v, who);

	protocol = enum_of("protocol", cfg_getstr(vs, "protocol"));
	v->protocol = protocol < 0 ? PROTO_TCP : (enum lvsd_protocol)protocol;
	v->scheduler = xstrdup(l, cfg_getstr(vs, "scheduler"));
	v->persistent_sec = (uint32_t)(get_duration(vs, "persistent") / USEC_PER_SEC);
	v->ops = cfg_getbool(vs, "ops");
	v->forward = (enum lvsd_forward)get_enum(vs, "forward", FWD_DR);
	v->quiescent = cfg_getbool(vs, "quiescent");
	build_sched_flags(l, vs, v);
	/* One-packet scheduling is IPVS's for UDP (and fwmark services). */
	if (v->ops && !v->fwmark && protocol >= 0 && v->protocol != PROTO_UDP && v->family)
		config_report(l, v->line, "%s: ops (one-packet scheduling) needs protocol udp, not %s", who,
			      protocol_to_string(v->protocol));

	block = first_section(l, vs, "check", who);
	{
		struct check_chain chain = { { block, NULL }, 1 };

		virtual_problems = build_check(l, &chain, &v->check);
		if (block)
			report_check_problems(l, config_opening_line(block), who, &chain, virtual_problems);
	}

	r = build_reals(l, vs, v, family_known, block, virtual_problems);
	if (r < 0)
		return r;
	build_netmask(l, vs, v, family_known);
	build_fallback(l, vs, v, family_known);
	return check_duplicate_reals(l, v);
}

static bool same_service(const struct lvsd_virtual *a, const struct lvsd_virtual *b)
{
	if (a->fwmark || b->fwmark)
		return a->fwmark == b->fwmark && a->family == b->family;
	return a->family && a->protocol == b->protocol &&
	       endpoint_compare(&a->endpoint, &b->endpoint) == 0;
}

static int build_virtuals(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	unsigned n = cfg_size(cfg, "virtual");

	c->virtuals = calloc(n ? n : 1, sizeof(*c->virtuals));
	if (!c->virtuals)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		int r = build_virtual(l, cfg_getnsec(cfg, "virtual", i), &c->virtuals[i]);

		c->n_virtuals++;
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < c->n_virtuals; i++)
		for (size_t j = 0; j < i; j++)
			if (same_service(&c->virtuals[i], &c->virtuals[j])) {
				config_report(l, c->virtuals[i].line, "virtual %s: the same service as virtual %s",
					      c->virtuals[i].name, c->virtuals[j].name);
				break;
			}
	return 0;
}

int config_build(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	int r;

	c->path = xstrdup(l, l->path);
	c->log_level = get_enum(cfg, "log-level", LOG_INFO);
	c->flush_on_stop = cfg_getbool(cfg, "flush-on-stop");
	c->reconcile_interval_usec = get_duration(cfg, "reconcile-interval");

	/* Directors first: the cluster and the vips refer to them. */
	r = build_directors(l, cfg, c);
	if (r == 0)
		r = build_cluster(l, cfg, c);
	if (r == 0)
		r = build_vips(l, cfg, c);
	if (r == 0)
		r = build_sync(l, cfg, c);
	if (r == 0)
		r = build_virtuals(l, cfg, c);
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
