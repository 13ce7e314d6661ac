/* Canonical order, lookup and formatting of IPVS tables. */
#include "ipvs_table.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

int ipvs_service_key_compare(const struct ipvs_service_key *a, const struct ipvs_service_key *b)
{
	int r;

	if ((r = CMP(a->family, b->family)))
		return r;
	/* fwmark services sort before address services of the same family. */
	if ((r = CMP(a->fwmark == 0, b->fwmark == 0)))
		return r;
	if (a->fwmark)
		return CMP(a->fwmark, b->fwmark);
	if ((r = CMP(a->protocol, b->protocol)))
		return r;
	if ((r = addr_compare(&a->addr, &b->addr)))
		return r;
	return CMP(a->port, b->port);
}

int ipvs_dest_compare(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	int r = addr_compare(&a->addr, &b->addr);

	return r ? r : CMP(a->port, b->port);
}

static int service_qsort_cmp(const void *a, const void *b)
{
	return ipvs_service_key_compare(&((const struct ipvs_service *)a)->key,
					&((const struct ipvs_service *)b)->key);
}

static int dest_qsort_cmp(const void *a, const void *b)
{
	return ipvs_dest_compare(a, b);
}

/* qsort() must not see the NULL array of an empty list. */
void ipvs_table_sort(struct ipvs_table *t)
{
	if (t->n_services)
		qsort(t->services, t->n_services, sizeof(*t->services), service_qsort_cmp);
	for (size_t i = 0; i < t->n_services; i++)
		if (t->services[i].n_dests)
			qsort(t->services[i].dests, t->services[i].n_dests,
			      sizeof(struct ipvs_dest), dest_qsort_cmp);
}

void ipvs_table_clear(struct ipvs_table *t)
{
	for (size_t i = 0; i < t->n_services; i++)
		free(t->services[i].dests);
	free(t->services);
	t->services = NULL;
	t->n_services = 0;
}

const struct ipvs_service *ipvs_table_find(const struct ipvs_table *t, const struct ipvs_service_key *key)
{
	size_t lo = 0, hi = t->n_services;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = ipvs_service_key_compare(key, &t->services[mid].key);

		if (r == 0)
			return &t->services[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t ipvs_table_count_dests(const struct ipvs_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_services; i++)
		n += t->services[i].n_dests;
	return n;
}

static const char *protocol_name(uint16_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	default: return "proto?";
	}
}

const char *ipvs_service_key_format(const struct ipvs_service_key *k, char *buf, size_t size)
{
	char ep[LVSD_ENDPOINT_STRLEN];

	if (k->fwmark) {
		snprintf(buf, size, "fwmark %u%s", k->fwmark, k->family == AF_INET6 ? " (IPv6)" : "");
	} else {
		struct lvsd_endpoint e = { .addr = k->addr, .port = k->port };

		snprintf(buf, size, "%s %s", protocol_name(k->protocol), endpoint_format(&e, ep));
	}
	return buf;
}

/* Position of k in s, or where it would go (*found tells which). */
static size_t key_set_position(const struct ipvs_key_set *s, const struct ipvs_service_key *k, bool *found)
{
	size_t lo = 0, hi = s->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = ipvs_service_key_compare(k, &s->keys[mid]);

		if (r == 0) {
			*found = true;
			return mid;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

bool ipvs_key_set_contains(const struct ipvs_key_set *s, const struct ipvs_service_key *k)
{
	bool found;

	key_set_position(s, k, &found);
	return found;
}

int ipvs_key_set_add(struct ipvs_key_set *s, const struct ipvs_service_key *k)
{
	bool found;
	size_t pos = key_set_position(s, k, &found);
	struct ipvs_service_key *keys;

	if (found)
		return 0;
	keys = realloc(s->keys, (s->n + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	memmove(keys + pos + 1, keys + pos, (s->n - pos) * sizeof(*keys));
	keys[pos] = *k;
	s->keys = keys;
	s->n++;
	return 0;
}

void ipvs_key_set_remove(struct ipvs_key_set *s, const struct ipvs_service_key *k)
{
	bool found;
	size_t pos = key_set_position(s, k, &found);

	if (!found)
		return;
	memmove(s->keys + pos, s->keys + pos + 1, (s->n - pos - 1) * sizeof(*s->keys));
	s->n--;
}

void ipvs_key_set_clear(struct ipvs_key_set *s)
{
	free(s->keys);
	s->keys = NULL;
	s->n = 0;
}

static int dest_bsearch_cmp(const void *key, const void *elem)
{
	return ipvs_dest_compare(key, elem);
}

const struct ipvs_dest *ipvs_service_find_dest(const struct ipvs_service *s, const struct lvsd_addr *addr,
					       uint16_t port)
{
	struct ipvs_dest key = { .addr = *addr, .port = port };

	if (!s || s->n_dests == 0)
		return NULL;
	return bsearch(&key, s->dests, s->n_dests, sizeof(*s->dests), dest_bsearch_cmp);
}
