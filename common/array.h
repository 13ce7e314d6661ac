/* Arrays that grow as items are appended. */
#pragma once

#include <errno.h>
#include <stdlib.h>

/* Makes room for item n of *items (allocated of them so far), doubling the
 * array, first items at first. 0 or -ENOMEM (the array then unchanged). */
static inline int array_grow(void **items, size_t n, size_t *allocated, size_t item_size, size_t first)
{
	size_t want = *allocated ? 2 * *allocated : first;
	void *p;

	if (n < *allocated)
		return 0;
	p = realloc(*items, want * item_size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*allocated = want;
	return 0;
}
