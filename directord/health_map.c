/* A hash table: a snapshot brings thousands of entries in configuration
 * order, and every reconcile looks each real server up. */
#include "health_map.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "hash.h"

static uint64_t hash(const char *v, const char *r)
{
	/* Between the names a byte no name holds: "a/bc" != "ab/c". */
	uint64_t h = hash_bytes(hash_string(HASH_START, v), "\xff", 1);

	return hash_string(h, r);
}

/* The slot holding (v, r), or the empty slot where it would go. */
static size_t *slot_of(const struct health_map *m, const char *v, const char *r)
{
	size_t mask = m->n_slots - 1;

	for (size_t i = hash(v, r) & mask;; i = (i + 1) & mask) {
		size_t *s = &m->slots[i];

		if (*s == 0)
			return s;
		if (strcmp(m->entries[*s - 1].virtual_name, v) == 0 && strcmp(m->entries[*s - 1].real_name, r) == 0)
			return s;
	}
}

static int grow(struct health_map *m)
{
	size_t n_slots = m->n_slots ? m->n_slots * 2 : 64;
	size_t *old = m->slots, old_n = m->n_slots;

	if (!(m->slots = calloc(n_slots, sizeof(*m->slots)))) {
		m->slots = old;
		return -ENOMEM;
	}
	m->n_slots = n_slots;
	for (size_t i = 0; i < old_n; i++)
		if (old[i]) {
			const struct health_entry *e = &m->entries[old[i] - 1];

			*slot_of(m, e->virtual_name, e->real_name) = old[i];
		}
	free(old);
	return 0;
}

int health_map_set(struct health_map *m, const char *virtual_name, const char *real_name,
		   const struct lvsd_endpoint *endpoint, enum ipc_health h)
{
	struct health_entry e;
	size_t *slot;

	if ((m->n + 1) * 2 > m->n_slots && grow(m) < 0)
		return -ENOMEM;
	slot = slot_of(m, virtual_name, real_name);
	if (*slot) {
		struct health_entry *old = &m->entries[*slot - 1];

		if (old->health == h && endpoint_compare(&old->endpoint, endpoint) == 0)
			return 0;
		old->health = h;
		old->endpoint = *endpoint;
		return 1;
	}
	if (array_grow((void **)&m->entries, m->n, &m->allocated, sizeof(*m->entries), 64) < 0)
		return -ENOMEM;
	e = (struct health_entry){ strdup(virtual_name), strdup(real_name), *endpoint, h };
	if (!e.virtual_name || !e.real_name) {
		free(e.virtual_name);
		free(e.real_name);
		return -ENOMEM;
	}
	m->entries[m->n++] = e;
	*slot = m->n;
	return h != IPC_HEALTH_UNKNOWN;
}

enum ipc_health health_map_get(const struct health_map *m, const char *virtual_name, const char *real_name,
			       const struct lvsd_endpoint *endpoint)
{
	const struct health_entry *e;
	size_t *slot;

	if (!m || m->n == 0)
		return IPC_HEALTH_UNKNOWN;
	slot = slot_of(m, virtual_name, real_name);
	if (!*slot)
		return IPC_HEALTH_UNKNOWN;
	e = &m->entries[*slot - 1];
	return endpoint_compare(&e->endpoint, endpoint) == 0 ? e->health : IPC_HEALTH_UNKNOWN;
}

void health_map_clear(struct health_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->entries[i].virtual_name);
		free(m->entries[i].real_name);
	}
	free(m->entries);
	free(m->slots);
	*m = (struct health_map){ 0 };
}
