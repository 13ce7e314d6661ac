/* An open-addressing table of item indexes, at most half full. */
#include "first_seen.h"

#include <errno.h>
#include <stdlib.h>

int first_seen_init(struct first_seen *s, size_t n, const void *items, first_seen_equal_fn *equal)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	*s = (struct first_seen){ .mask = size - 1, .items = items, .equal = equal };
	s->slots = calloc(size, sizeof(*s->slots));
	return s->slots ? 0 : -ENOMEM;
}

void first_seen_free(struct first_seen *s)
{
	free(s->slots);
	s->slots = NULL;
}

size_t first_seen_check(struct first_seen *s, size_t item, uint64_t hash)
{
	/* The high bits of FNV are the better mixed. */
	size_t i = (size_t)(hash ^ (hash >> 32)) & s->mask;

	for (; s->slots[i]; i = (i + 1) & s->mask)
		if (s->equal(s->items, s->slots[i] - 1, item))
			return s->slots[i] - 1;
	s->slots[i] = item + 1;
	return SIZE_MAX;
}
