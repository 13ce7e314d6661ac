/* Configuration -> probes, deduplicated by what they check. */
#include "probe_set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum hc_state probe_fixed_state(enum lvsd_check_type t)
{
	/* none: no health management, the real is always in the table. */
	return t == CHECK_OFF ? HC_DOWN : HC_UP;
}

static bool runs_a_check(enum lvsd_check_type t)
{
	return t != CHECK_NONE && t != CHECK_ON && t != CHECK_OFF;
}

static const struct check_ops *ops_of(enum lvsd_check_type t)
{
	switch (t) {
	case CHECK_PING: return &check_ping_ops;
	case CHECK_TCP: return &check_tcp_ops;
	case CHECK_HTTP: case CHECK_HTTPS: return &check_http_ops;
	case CHECK_DNS: return &check_dns_ops;
	case CHECK_SMTP: return &check_smtp_ops;
	case CHECK_EXTERNAL: return &check_external_ops;
	default: return NULL;
	}
}

/* Everything that changes what a check does goes into its key; strings are
 * length-prefixed so no two different checks can collide. */
static char *make_key(const struct lvsd_check *k, const struct lvsd_endpoint *target,
		      const struct lvsd_endpoint *vip)
{
	char t[LVSD_ENDPOINT_STRLEN], v[LVSD_ENDPOINT_STRLEN] = "";
	char *key = NULL;
	const char *req = k->request ?: "", *rcv = k->receive ?: "", *vh = k->virtualhost ?: "",
		   *ca = k->ca_file ?: "", *cmd = k->command ?: "";

	endpoint_format(target, t);
	if (k->type == CHECK_EXTERNAL)
		endpoint_format(vip, v);
	if (asprintf(&key, "%s %s %s %llu %llu %u %u %u-%u %d %zu:%s %zu:%s %zu:%s %zu:%s %zu:%s",
		     check_type_to_string(k->type), t, v,
		     (unsigned long long)k->interval_usec, (unsigned long long)k->timeout_usec,
		     k->rise, k->fall, k->status_min, k->status_max, (int)k->method,
		     strlen(req), req, strlen(rcv), rcv, strlen(vh), vh, strlen(ca), ca,
		     strlen(cmd), cmd) < 0)
		return NULL;
	return key;
}

static void probe_free(struct probe *p)
{
	if (!p)
		return;
	if (p->has_receive)
		regfree(&p->receive);
	free(p->users);
	free(p->key);
	free(p);
}

static int probe_new(const struct lvsd_check *k, const struct lvsd_endpoint *target,
		     const struct lvsd_endpoint *vip, char *key, struct probe **ret)
{
	struct probe *p = calloc(1, sizeof(*p));
	char t[LVSD_ENDPOINT_STRLEN];

	if (!p)
		return -ENOMEM;
	p->ops = ops_of(k->type);
	p->check = k;
	p->target = *target;
	p->vip = *vip;
	p->key = key;
	if (k->receive && k->receive[0]) {
		/* The configuration checked that it compiles. */
		if (regcomp(&p->receive, k->receive, REG_EXTENDED | REG_NOSUB) != 0) {
			p->key = NULL;
			probe_free(p);
			return -EINVAL;
		}
		p->has_receive = true;
	}
	if (k->type == CHECK_PING)
		addr_format(&target->addr, t);
	else
		endpoint_format(target, t);
	snprintf(p->label, sizeof(p->label), "%s %s", t, check_type_to_string(k->type));
	*ret = p;
	return 0;
}

/* Index of key in a sorted array of n probes, or -1. */
static long find(struct probe *const *probes, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, probes[mid]->key);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The old probe takes over the new one's configuration and users and
 * replaces it: its state, schedule and attempt in flight carry on. Nothing
 * here can fail, so a build never leaves old half taken apart. */
static void adopt(struct probe_set *s, size_t i, struct probe *old)
{
	struct probe *p = s->probes[i];

	old->check = p->check;
	old->vip = p->vip;
	free(old->users);
	old->users = p->users;
	old->n_users = p->n_users;
	p->users = NULL;
	for (size_t u = 0; u < old->n_users; u++)
		s->assigned[s->first[old->users[u].virtual_index] + old->users[u].real_index] = old;
	s->probes[i] = old;
	probe_free(p);
}

static int add_user(struct probe *p, size_t vi, size_t ri)
{
	struct probe_user *u = realloc(p->users, (p->n_users + 1) * sizeof(*u));

	if (!u)
		return -ENOMEM;
	u[p->n_users++] = (struct probe_user){ (unsigned)vi, (unsigned)ri };
	p->users = u;
	return 0;
}

struct pending {
	struct probe *probe;
	size_t vi, ri;
};

static int compare_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int c = strcmp(x->probe->key, y->probe->key);

	if (c)
		return c;
	return x->vi != y->vi ? (x->vi < y->vi ? -1 : 1) : (x->ri < y->ri ? -1 : x->ri > y->ri);
}

int probe_set_build(const struct lvsd_config *c, struct probe_set *old, struct probe_set *ret)
{
	struct probe_set s = { 0 };
	struct pending *pend = NULL;
	size_t n_pend = 0;
	int r = -ENOMEM;

	s.first = calloc(c->n_virtuals + 1, sizeof(*s.first));
	if (!s.first)
		goto fail;
	for (size_t v = 0; v < c->n_virtuals; v++) {
		s.first[v] = s.n_reals;
		s.n_reals += c->virtuals[v].n_reals;
	}
	s.first[c->n_virtuals] = s.n_reals;
	s.assigned = calloc(s.n_reals ? s.n_reals : 1, sizeof(*s.assigned));
	pend = calloc(s.n_reals ? s.n_reals : 1, sizeof(*pend));
	if (!s.assigned || !pend)
		goto fail;

	/* One provisional probe per checked real, then merged by key. */
	for (size_t v = 0; v < c->n_virtuals; v++) {
		const struct lvsd_virtual *vs = &c->virtuals[v];

		for (size_t i = 0; i < vs->n_reals; i++) {
			const struct lvsd_real *real = &vs->reals[i];
			struct lvsd_endpoint target = real->endpoint;
			char *key;

			if (!runs_a_check(real->check.type))
				continue;
			if (real->check.type == CHECK_PING)
				target.port = 0;
			else if (real->check.port)
				target.port = real->check.port;
			if (!(key = make_key(&real->check, &target, &vs->endpoint)))
				goto fail;
			if ((r = probe_new(&real->check, &target, &vs->endpoint, key, &pend[n_pend].probe)) < 0) {
				free(key);
				goto fail;
			}
			pend[n_pend].vi = v;
			pend[n_pend].ri = i;
			n_pend++;
			r = -ENOMEM;
		}
	}
	qsort(pend, n_pend, sizeof(*pend), compare_pending);

	s.probes = calloc(n_pend ? n_pend : 1, sizeof(*s.probes));
	if (!s.probes)
		goto fail;
	for (size_t i = 0; i < n_pend; i++) {
		if (!s.n || strcmp(s.probes[s.n - 1]->key, pend[i].probe->key) != 0) {
			s.probes[s.n++] = pend[i].probe;
			pend[i].probe = NULL;
		}
		s.assigned[s.first[pend[i].vi] + pend[i].ri] = s.probes[s.n - 1];
		if (add_user(s.probes[s.n - 1], pend[i].vi, pend[i].ri) < 0)
			goto fail;
	}
	for (size_t i = 0; i < n_pend; i++)
		probe_free(pend[i].probe);
	free(pend);
	pend = NULL;

	if (old) {
		long *match = calloc(s.n ? s.n : 1, sizeof(*match));

		if (!match)
			goto fail;
		/* Look everything up before moving anything: old stays sorted. */
		for (size_t i = 0; i < s.n; i++)
			match[i] = find(old->probes, old->n, s.probes[i]->key);
		for (size_t i = 0; i < s.n; i++) {
			if (match[i] < 0)
				continue;
			adopt(&s, i, old->probes[match[i]]);
			old->probes[match[i]] = NULL;
		}
		free(match);
	}
	*ret = s;
	return 0;
fail:
	for (size_t i = 0; pend && i < n_pend; i++)
		probe_free(pend[i].probe);
	free(pend);
	probe_set_clear(&s);
	return r;
}

struct probe *probe_set_lookup(const struct probe_set *s, size_t virtual_index, size_t real_index)
{
	return s->assigned[s->first[virtual_index] + real_index];
}

void probe_set_clear(struct probe_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		probe_free(s->probes[i]);
	free(s->probes);
	free(s->assigned);
	free(s->first);
	*s = (struct probe_set){ 0 };
}
