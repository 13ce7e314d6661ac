/* Immutable strings allocated side by side and freed all at once. */
#include "string_pool.h"

#include <stdlib.h>
#include <string.h>

/* Big enough that a configuration of thousands of real servers needs few. */
#define CHUNK_BYTES (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, size;
	char bytes[];
};

struct string_pool {
	struct chunk *chunks;     /* the newest first: the one being filled */
	char empty[1];
};

struct string_pool *string_pool_new(void)
{
	return calloc(1, sizeof(struct string_pool));
}

void string_pool_free(struct string_pool *p)
{
	if (!p)
		return;
	for (struct chunk *c = p->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p);
}

/* Room for n bytes, or NULL. A string longer than a chunk gets a chunk of
 * its own, behind the one being filled so that filling goes on. */
static char *take(struct string_pool *p, size_t n)
{
	struct chunk *c = p->chunks;

	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;
		struct chunk *fresh = malloc(sizeof(*fresh) + size);

		if (!fresh)
			return NULL;
		fresh->used = 0;
		fresh->size = size;
		if (c && size == n) {
			fresh->next = c->next;
			c->next = fresh;
		} else {
			fresh->next = c;
			p->chunks = fresh;
		}
		c = fresh;
	}
	c->used += n;
	return c->bytes + c->used - n;
}

const char *string_pool_dupn(struct string_pool *p, const char *s, size_t len)
{
	char *d;

	if (len == 0)
		return p->empty;
	if (!(d = take(p, len + 1)))
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

const char *string_pool_dup(struct string_pool *p, const char *s)
{
	return s ? string_pool_dupn(p, s, strlen(s)) : p->empty;
}

const char *string_pool_join(struct string_pool *p, const char *a, char sep, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *d = take(p, la + 1 + lb + 1);

	if (!d)
		return NULL;
	memcpy(d, a, la);
	d[la] = sep;
	memcpy(d + la + 1, b, lb + 1);
	return d;
}
