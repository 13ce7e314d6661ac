/* first_seen: each item's first equal, in one pass. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "first_seen.h"
#include "hash.h"

static bool names_equal(const void *items, size_t a, size_t b)
{
	const char *const *names = items;

	return strcmp(names[a], names[b]) == 0;
}

Test(first_seen, names_each_duplicate_with_its_first)
{
	static const char *const names[] = { "web1", "web2", "web1", "web3", "web2", "web1" };
	static const size_t first[] = { SIZE_MAX, SIZE_MAX, 0, SIZE_MAX, 1, 0 };
	struct first_seen s;

	cr_assert_eq(first_seen_init(&s, 6, names, names_equal), 0);
	for (size_t i = 0; i < 6; i++)
		cr_expect_eq(first_seen_check(&s, i, hash_string(HASH_START, names[i])), first[i], "item %zu", i);
	first_seen_free(&s);
}

/* Every hash the same: the table still tells equal from unequal. */
Test(first_seen, colliding_hashes_are_told_apart)
{
	char text[1000][8];
	const char *names[2000];
	struct first_seen s;

	for (size_t i = 0; i < 1000; i++) {
		snprintf(text[i], sizeof(text[i]), "r%zu", i);
		names[i] = names[1000 + i] = text[i];
	}
	cr_assert_eq(first_seen_init(&s, 2000, names, names_equal), 0);
	for (size_t i = 0; i < 2000; i++)
		cr_assert_eq(first_seen_check(&s, i, 42), i < 1000 ? SIZE_MAX : i - 1000, "item %zu", i);
	first_seen_free(&s);
}

Test(first_seen, hashes_differ_with_the_bytes)
{
	uint32_t a = 1, b = 2;

	cr_expect_neq(hash_string(HASH_START, "web1"), hash_string(HASH_START, "web2"));
	cr_expect_neq(hash_bytes(HASH_START, &a, sizeof(a)),
		      hash_bytes(HASH_START, &b, sizeof(b)));
	cr_expect_eq(hash_string(HASH_START, ""), HASH_START);
}
