/* Names of an enum's values: one array of names, indexed by value, per
 * enum, read both ways. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* What a value outside the enum prints as: no value's name. */
#define ENUM_NAME_INVALID "?"

/* The name of value v in names (n of them), or ENUM_NAME_INVALID when v
 * is not a value of the enum: a stray byte must not read as a real state. */
static inline const char *enum_name(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : ENUM_NAME_INVALID;
}

/* The value named s, or -EINVAL (s NULL too). */
static inline int enum_value(const char *const *names, size_t n, const char *s)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

/* Defines name##_to_string(type) and name##_from_string() over table, an
 * array of names indexed by value, as above. */
#define ENUM_NAMES_DEFINE(name, type, table)                                    \
	const char *name##_to_string(type v)                                    \
	{                                                                       \
		return enum_name(table, sizeof(table) / sizeof(*table), v);    \
	}                                                                       \
	int name##_from_string(const char *s)                                   \
	{                                                                       \
		return enum_value(table, sizeof(table) / sizeof(*table), s);   \
	}
