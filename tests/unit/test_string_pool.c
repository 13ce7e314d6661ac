/* The configuration's string pool: copies that stay put and equal "" that
 * is one string. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "string_pool.h"

Test(string_pool, copies_survive_many_chunks)
{
	struct string_pool *p = string_pool_new();
	const char *first, *s = NULL;
	char text[32];

	cr_assert_not_null(p);
	first = string_pool_dup(p, "real r0");
	/* Far more than one chunk: earlier strings must not move. */
	for (unsigned i = 1; i < 50000; i++) {
		snprintf(text, sizeof(text), "real r%u", i);
		s = string_pool_dup(p, text);
		cr_assert_str_eq(s, text);
	}
	cr_expect_str_eq(first, "real r0");
	cr_expect_str_eq(s, "real r49999");
	string_pool_free(p);
}

Test(string_pool, a_string_longer_than_a_chunk)
{
	struct string_pool *p = string_pool_new();
	size_t n = 200 * 1024;
	char *big = malloc(n + 1);
	const char *before, *copy, *after;

	cr_assert_not_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	before = string_pool_dup(p, "before");
	copy = string_pool_dup(p, big);
	after = string_pool_dup(p, "after");
	cr_expect_eq(strlen(copy), n);
	cr_expect_str_eq(before, "before");
	cr_expect_str_eq(after, "after");
	/* Filling went on in the chunk "before" is in. */
	cr_expect_eq(after, before + strlen("before") + 1);
	free(big);
	string_pool_free(p);
}

Test(string_pool, empty_null_and_join)
{
	struct string_pool *p = string_pool_new();

	cr_expect_eq(string_pool_dup(p, ""), string_pool_dup(p, NULL));
	cr_expect_str_eq(string_pool_dup(p, NULL), "");
	cr_expect_str_eq(string_pool_dupn(p, "pool@x", 4), "pool");
	cr_expect_str_eq(string_pool_join(p, "pool", '@', "192.0.2.21"), "pool@192.0.2.21");
	string_pool_free(p);
}
