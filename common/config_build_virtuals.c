/* lvsd.conf, stage 3 (continued): virtual services, their reals and their
 * checks, assembled from the typed values of the parsed tree. */
#include "config_internal.h"
#include "first_seen.h"
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A good value's number, else 0. */
static uint64_t number_of(const struct config_value *v)
{
	return v && v->ok ? v->number : 0;
}

/* A good value's choice, else fallback. */
static int choice_of(const struct config_value *v, int fallback)
{
	return v && v->ok ? v->choice : fallback;
}

/* ---- checks ---- */

/* The blocks a check's options come from, most specific first: a real's own
 * check block, then its virtual's, then the defaults. A real's block replaces
 * the virtual's option by option, not as a whole: an operator who gives one
 * real another request expects it to keep the virtual's type and interval. */
struct check_chain {
	const struct check_values *blocks[3];
	size_t n;
};

/* The most specific value given for option (CHECK_OPT_*), good or bad, NULL
 * if none (request has no default: it depends on the type). */
static const struct config_value *check_value(const struct check_chain *chain, unsigned option)
{
	for (size_t i = 0; i < chain->n; i++)
		if (chain->blocks[i]->v[option])
			return chain->blocks[i]->v[option];
	return NULL;
}

/* The text given for option, NULL if none. */
static const char *check_text(const struct check_chain *chain, unsigned option)
{
	const struct config_value *v = check_value(chain, option);

	return v ? v->text : NULL;
}

enum {
	CHECK_PROBLEM_TIMEOUT = 1 << 0,
	CHECK_PROBLEM_COMMAND = 1 << 1,
	CHECK_PROBLEM_NAME = 1 << 2,
};

/* Fills ck from chain; returns the CHECK_PROBLEM_* found, for the caller to
 * report (a real's check must not repeat its virtual's problems). */
static unsigned build_check(struct loader *l, const struct check_chain *chain, struct lvsd_check *ck)
{
	const char *request = check_text(chain, CHECK_OPT_REQUEST), *command = check_text(chain, CHECK_OPT_COMMAND);
	const char *ca_file = check_text(chain, CHECK_OPT_CA_FILE);
	const struct config_value *interval = check_value(chain, CHECK_OPT_INTERVAL);
	const struct config_value *timeout = check_value(chain, CHECK_OPT_TIMEOUT);
	const struct config_value *status = check_value(chain, CHECK_OPT_STATUS);
	unsigned problems = 0;
	int type = choice_of(check_value(chain, CHECK_OPT_TYPE), -1);

	ck->type = type < 0 ? CHECK_TCP : (enum lvsd_check_type)type;
	ck->port = (uint16_t)number_of(check_value(chain, CHECK_OPT_PORT));
	ck->interval_usec = number_of(interval);
	ck->timeout_usec = number_of(timeout);
	ck->rise = (unsigned)number_of(check_value(chain, CHECK_OPT_RISE));
	ck->fall = (unsigned)number_of(check_value(chain, CHECK_OPT_FALL));
	if (!request && (type == CHECK_HTTP || type == CHECK_HTTPS))
		request = "/";
	ck->request = config_strdup(l, request);
	ck->receive = config_strdup(l, check_text(chain, CHECK_OPT_RECEIVE));
	if (status->ok) {
		ck->status_min = status->status.min;
		ck->status_max = status->status.max;
	}
	ck->virtualhost = config_strdup(l, check_text(chain, CHECK_OPT_VIRTUALHOST));
	ck->method = choice_of(check_value(chain, CHECK_OPT_METHOD), -1) == HTTP_HEAD ? HTTP_HEAD : HTTP_GET;
	if (ca_file && *ca_file) {
		char *path = config_resolve_path(l->path, ca_file);

		ck->ca_file = path ? config_strdup(l, path) : NULL;
		if (!path)
			l->oom = true;
		free(path);
	} else {
		ck->ca_file = config_strdup(l, "");
	}
	ck->command = config_strdup(l, command);

	if (interval->ok && timeout->ok && ck->timeout_usec > ck->interval_usec)
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
			      check_text(chain, CHECK_OPT_TIMEOUT), check_text(chain, CHECK_OPT_INTERVAL));
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

/* A virtual's check, which its reals start from. */
struct virtual_check {
	const struct check_values *block;     /* its check block's, NULL if none */
	const struct check_values *defaults;
	unsigned problems;                    /* CHECK_PROBLEM_*, reported */
};

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
				      v->name, plans[i].name, config_family_name(plans[i].address.first.family),
				      first->name, config_family_name(first->address.first.family));
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
					      : config_strdup(l, name);
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
static int build_real_check(struct loader *l, struct lvsd_virtual *v, const struct real_plan *plan,
			    const struct virtual_check *vc, struct lvsd_check *ck)
{
	char who[256] = "";
	cfg_t *own = NULL;
	unsigned line = plan->line;
	uint16_t port = plan->address.port ? plan->address.port : v->endpoint.port;

	/* Named only when there is something to say: reals are many. */
	if (cfg_opt_size(cfg_getnopt(plan->sec, REAL_OPT_CHECK))) {
		snprintf(who, sizeof(who), "real %s", plan->name);
		own = config_first_section(l, plan->sec, "check", who);
	}
	if (own) {
		struct check_values values;
		struct check_chain chain = { { &values }, 1 };
		unsigned problems;

		if (config_real_check_values(l, own, &values) < 0) {
			config_check_values_clear(&values);
			return -ENOMEM;
		}
		if (vc->block)
			chain.blocks[chain.n++] = vc->block;
		chain.blocks[chain.n++] = vc->defaults;
		problems = build_check(l, &chain, ck);
		line = config_opening_line(own);
		report_check_problems(l, line, who, &chain, problems & ~vc->problems);
		config_check_values_clear(&values);
	} else {
		*ck = v->check;
	}
	/* With no check written anywhere, a real server without a port (of a
	 * fwmark service) cannot get the default tcp check: ping it instead. */
	if (!own && !vc->block && ck->type == CHECK_TCP && !ck->port && !port)
		ck->type = CHECK_PING;
	/* Only tcp lacks a well-known port. */
	if (resolve_check_port(ck, port) < 0)
		config_report(l, line, "real %s: check type tcp has no port to connect to "
			      "(a fwmark virtual's real without a port); set the check's port",
			      plan->name);
	return 0;
}

static int build_reals(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, bool family_known,
		       const struct virtual_check *vc)
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
		const struct config_value *address, *weight;

		p->sec = cfg_opt_getnsec(reals, i);
		p->name = cfg_title(p->sec);
		address = config_real_get(p->sec, REAL_OPT_ADDRESS);
		weight = config_real_get(p->sec, REAL_OPT_WEIGHT);
		p->forward = (enum lvsd_forward)choice_of(config_real_get(p->sec, REAL_OPT_FORWARD), v->forward);
		p->weight = weight ? (unsigned)number_of(weight) : 1;
		p->line = config_opening_line(p->sec);
		if (!address)
			config_report(l, p->line, "real %s: needs an address", p->name);
		else if (address->ok)
			p->address = address->real;
		total += p->address.count;
	}

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
					      config_family_name(plans[i].address.first.family), v->name,
					      config_family_name(v->family));

	v->reals = calloc(total ? total : 1, sizeof(*v->reals));
	if (!v->reals) {
		free(plans);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		struct lvsd_check ck = { 0 };

		if (!plans[i].address.count)
			continue;
		r = build_real_check(l, v, &plans[i], vc, &ck);
		if (r == 0)
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
	const struct config_value *scheduler = config_get(vs, "scheduler");

	for (unsigned i = 0; i < cfg_size(vs, "scheduler-flags"); i++) {
		const struct config_value *flag = config_getn(vs, "scheduler-flags", i);
		const struct config_sched_flag *f = flag->flag;

		if (!flag->ok)
			continue;
		v->sched_flags |= f->bit;
		if (f->scheduler && scheduler->ok && strcmp(f->scheduler, scheduler->text) != 0)
			config_report(l, v->line, "virtual %s: scheduler flag %s needs scheduler %s, not %s",
				      v->name, f->name, f->scheduler, scheduler->text);
	}
}

static void build_netmask(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, bool family_known)
{
	const struct config_value *netmask = config_get(vs, "netmask");
	unsigned max = v->family == AF_INET6 ? 128 : 32;

	v->netmask_prefix = max;
	if (!netmask || !netmask->ok || !family_known)
		return;
	if (v->family == AF_INET6 && netmask->netmask.dotted)
		config_report(l, v->line, "virtual %s: netmask %s: an IPv6 netmask is a prefix length such as 64",
			      v->name, netmask->text);
	else if (netmask->netmask.prefix > max)
		config_report(l, v->line, "virtual %s: netmask %s is longer than an %s address (%u bits)",
			      v->name, netmask->text, config_family_name(v->family), max);
	else if (v->family == AF_INET6 && netmask->netmask.prefix == 0)
		/* The kernel refuses it (an IPv4 mask of 0 it takes). */
		config_report(l, v->line, "virtual %s: netmask %s: an IPv6 prefix length is 1 to 128", v->name,
			      netmask->text);
	else
		v->netmask_prefix = netmask->netmask.prefix;
}

static void build_fallback(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, bool family_known)
{
	const struct config_value *fallback = config_get(vs, "fallback");

	if (!fallback || !fallback->ok)
		return;
	v->has_fallback = true;
	v->fallback = fallback->endpoint;
	if (!v->fallback.port)
		v->fallback.port = v->endpoint.port;
	if (family_known && v->fallback.addr.family != v->family)
		config_report(l, v->line, "virtual %s: fallback %s is %s but the virtual is %s", v->name,
			      fallback->text, config_family_name(v->fallback.addr.family),
			      config_family_name(v->family));
}

/* What the service is: an address or a fwmark. Returns whether its family is
 * known by now (a fwmark virtual's comes from its reals, later). */
static bool build_service(struct loader *l, cfg_t *vs, struct lvsd_virtual *v, const char *who)
{
	const struct config_value *address = config_get(vs, "address"), *fwmark = config_get(vs, "fwmark");

	if (address && fwmark) {
		config_report(l, v->line, "%s: has both an address and a fwmark; give one", who);
		return false;
	}
	if (!address && !fwmark) {
		config_report(l, v->line, "%s: needs an address or a fwmark", who);
		return false;
	}
	if (fwmark) {
		v->fwmark = (uint32_t)number_of(fwmark);
		return v->fwmark != 0;
	}
	if (!address->ok)
		return false;
	v->endpoint = address->endpoint;
	v->family = v->endpoint.addr.family;
	return true;
}

static int build_virtual(struct loader *l, cfg_t *vs, const struct check_values *defaults, struct lvsd_virtual *v)
{
	char who[256];
	bool family_known;
	struct check_values block_values;
	struct virtual_check vc = { .defaults = defaults };
	struct check_chain chain = { { 0 }, 0 };
	cfg_t *block;
	int protocol, r;

	v->name = config_strdup(l, cfg_title(vs));
	if (!v->name)
		return -ENOMEM;
	v->line = config_opening_line(vs);
	snprintf(who, sizeof(who), "virtual %s", v->name);
	family_known = build_service(l, vs, v, who);

	protocol = choice_of(config_get(vs, "protocol"), -1);
	v->protocol = protocol < 0 ? PROTO_TCP : (enum lvsd_protocol)protocol;
	v->scheduler = config_strdup(l, config_get(vs, "scheduler")->text);
	v->persistent_sec = (uint32_t)number_of(config_get(vs, "persistent"));
	v->ops = cfg_getbool(vs, "ops");
	v->forward = (enum lvsd_forward)choice_of(config_get(vs, "forward"), FWD_DR);
	v->quiescent = cfg_getbool(vs, "quiescent");
	build_sched_flags(l, vs, v);
	/* One-packet scheduling is IPVS's for UDP (and fwmark services). */
	if (v->ops && !v->fwmark && protocol >= 0 && v->protocol != PROTO_UDP && v->family)
		config_report(l, v->line, "%s: ops (one-packet scheduling) needs protocol udp, not %s", who,
			      protocol_to_string(v->protocol));

	block = config_first_section(l, vs, "check", who);
	if (block) {
		config_check_values(block, &block_values);
		vc.block = &block_values;
		chain.blocks[chain.n++] = vc.block;
	}
	chain.blocks[chain.n++] = defaults;
	vc.problems = build_check(l, &chain, &v->check);
	if (block)
		report_check_problems(l, config_opening_line(block), who, &chain, vc.problems);

	r = build_reals(l, vs, v, family_known, &vc);
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

int config_build_virtuals(struct loader *l, cfg_t *cfg, struct lvsd_config *c)
{
	unsigned n = cfg_size(cfg, "virtual");
	struct check_values defaults;
	int r = config_check_defaults(l, &defaults);

	if (r == 0) {
		c->virtuals = calloc(n ? n : 1, sizeof(*c->virtuals));
		if (!c->virtuals)
			r = -ENOMEM;
	}
	for (unsigned i = 0; r == 0 && i < n; i++) {
		r = build_virtual(l, cfg_getnsec(cfg, "virtual", i), &defaults, &c->virtuals[i]);
		c->n_virtuals++;
	}
	config_check_values_clear(&defaults);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_virtuals; i++)
		for (size_t j = 0; j < i; j++)
			if (same_service(&c->virtuals[i], &c->virtuals[j])) {
				config_report(l, c->virtuals[i].line, "virtual %s: the same service as virtual %s",
					      c->virtuals[i].name, c->virtuals[j].name);
				break;
			}
	return 0;
}
