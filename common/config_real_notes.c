/* What libconfuse's callback learns of each real section while it parses. */
#include "config_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static size_t slot_of(const struct real_notes *t, const cfg_t *sec)
{
	/* Sections are heap objects: the low bits carry no information. */
	uintptr_t h = (uintptr_t)sec >> 4;

	h ^= h >> 17;
	h *= UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 7) & (t->size - 1);
}

static struct real_note *find(const struct real_notes *t, const cfg_t *sec)
{
	size_t i = slot_of(t, sec);

	while (t->slots[i].sec && t->slots[i].sec != sec)
		i = (i + 1) & (t->size - 1);
	return &t->slots[i];
}

/* Keeps the table at most half full. */
static int grow(struct real_notes *t)
{
	struct real_notes bigger = { .size = t->size ? 2 * t->size : 1024 };

	bigger.slots = calloc(bigger.size, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->size; i++)
		if (t->slots[i].sec)
			*find(&bigger, t->slots[i].sec) = t->slots[i];
	bigger.n = t->n;
	free(t->slots);
	*t = bigger;
	return 0;
}

int real_notes_put(struct real_notes *t, const struct real_note *note)
{
	struct real_note *slot;

	if (2 * (t->n + 1) > t->size && grow(t) < 0)
		return -ENOMEM;
	slot = find(t, note->sec);
	if (!slot->sec)
		t->n++;
	*slot = *note;
	return 0;
}

const struct real_note *real_notes_get(const struct real_notes *t, const cfg_t *sec)
{
	const struct real_note *note;

	if (!t->size)
		return NULL;
	note = find(t, sec);
	return note->sec ? note : NULL;
}

void real_notes_clear(struct real_notes *t)
{
	free(t->slots);
	*t = (struct real_notes){ 0 };
}
