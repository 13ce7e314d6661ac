/* Which earlier item equals each new one: duplicate titles and addresses
 * in a configuration, found in one pass in file order instead of by sorting.
 *
 * Items are the caller's, known by index; the caller hashes them (hash.h)
 * and says whether two are equal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef bool first_seen_equal_fn(const void *items, size_t a, size_t b);

struct first_seen {
	size_t *slots;            /* index + 1; 0: empty */
	size_t mask;
	const void *items;
	first_seen_equal_fn *equal;
};

/* Room for n items. 0, or -ENOMEM. */
int first_seen_init(struct first_seen *s, size_t n, const void *items, first_seen_equal_fn *equal);
void first_seen_free(struct first_seen *s);

/* The first item seen equal to item (whose hash is hash), or SIZE_MAX when
 * there is none: item is then recorded as the first of its kind. At most
 * the n items of first_seen_init(). */
size_t first_seen_check(struct first_seen *s, size_t item, uint64_t hash);
