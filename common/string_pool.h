/* Immutable strings allocated side by side and freed all at once.
 *
 * A configuration holds tens of thousands of small strings (names, check
 * texts); one malloc each made loading and freeing it slow. A pool also lets
 * the real servers of a virtual share its check's texts instead of copying
 * them. */
#pragma once

#include <stddef.h>

struct string_pool;

struct string_pool *string_pool_new(void);
void string_pool_free(struct string_pool *p);

/* A copy of s (NULL reads as ""), valid until the pool is freed; NULL when
 * out of memory. Every "" is the same string. */
const char *string_pool_dup(struct string_pool *p, const char *s);
/* The first len bytes of s, terminated. */
const char *string_pool_dupn(struct string_pool *p, const char *s, size_t len);
/* a and b joined by sep: "pool@192.0.2.21". */
const char *string_pool_join(struct string_pool *p, const char *a, char sep, const char *b);
