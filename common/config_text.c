/* lvsd.conf as libconfuse is given it: comments blanked, strings, braces
 * and option paths checked (see config_text_prepare()). */
#include "config_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* The characters of libconfuse's unquoted strings. */
static bool is_word_char(char c)
{
	switch (c) {
	case '\0': case ' ': case '#': case '"': case '\'': case '\t': case '\n': case '\r':
	case '=': case '{': case '}': case '(': case ')': case '+': case ',': case '*':
		return false;
	default:
		return true;
	}
}

static unsigned line_at(const char *text, const char *p)
{
	unsigned line = 1;

	for (; text < p; text++)
		line += *text == '\n';
	return line;
}

/* The end of the "..." string at p, or NULL after reporting that there is
 * none. An escape's validity is libconfuse's to judge (config_options.c
 * words its complaints); here an escaped character only does not end the
 * string. */
static char *skip_dq_string(struct loader *l, const char *text, char *p)
{
	char *start = p;

	for (p++; *p; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '$' && p[1] == '{' && strchr(p, '}'))
			/* ${VAR} is replaced whole, quotes and all. */
			p = strchr(p, '}');
		else if (*p == '\\' && p[1])
			p++;
	}
	config_report(l, line_at(text, start), "unterminated string");
	return NULL;
}

static char *skip_sq_string(struct loader *l, const char *text, char *p)
{
	char *start = p;

	for (p++; *p; p++) {
		if (*p == '\'')
			return p + 1;
		if (*p == '\\' && p[1])
			p++;
	}
	config_report(l, line_at(text, start), "unterminated string");
	return NULL;
}

/* Whether p, blanks skipped, starts an option's value ('=' or "+=") or,
 * with or_section, a section's body. */
static bool starts_value(const char *p, bool or_section)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return *p == '=' || (p[0] == '+' && p[1] == '=') || (or_section && *p == '{');
}

/* libconfuse reads "a|b = ..." as option b of the first section a, handing
 * the value's callback the wrong section; lvsd.conf has no use for it. So an
 * unquoted word with a '|' (at p) that is followed by '=', "+=" or '{' is
 * reported (a title with one must be quoted). */
static bool option_path_at(struct loader *l, const char *text, const char *p)
{
	const char *start = p, *end = p;

	while (start > text && is_word_char(start[-1]))
		start--;
	while (is_word_char(*end))
		end++;
	if (!starts_value(end, true))
		return false;
	config_report(l, line_at(text, start), "'%.*s': '|' makes an option path, which lvsd.conf does not use "
		      "(a title with '|' needs quotes)", (int)(end - start), start);
	return true;
}

/* What libconfuse 3.3's lexer gets wrong, and so is done here, before it
 * sees the text (each has its test in test_config.c, suite libconfuse):
 *  - it counts a '#' or '//' comment line three times and a block comment
 *    one line too many, so every line it names after a comment is wrong; and
 *    it refuses a comment anywhere but where an option may start (in a
 *    list, say). So comments are blanked out, newlines kept, following
 *    libconfuse's own rules: '#' starts a comment anywhere outside a string,
 *    '//' and '/' '*' only where a token starts;
 *  - it takes a file ending inside a section, a block comment or (where an
 *    option may start) a string for a complete one;
 *  - it reads "a|b = ..." as option b of the first section a, handing the
 *    value's callback the wrong section (option_path_at()).
 * A NUL byte is no text at all. Returns -EINVAL when libconfuse must not
 * see the text. */
int config_text_prepare(struct loader *l, char *text, size_t len)
{
	const char *open[16];     /* the unclosed '{', outermost first */
	size_t depth = 0;
	bool in_word = false;
	char *p = text, *nul = memchr(text, '\0', len);

	if (nul) {
		config_report(l, line_at(text, nul), "a NUL byte: not a configuration file");
		return -EINVAL;
	}
	while (*p) {
		/* Most of a file is plain text: over it at once. */
		size_t plain = strcspn(p, "\"'#/${}|");

		if (plain) {
			p += plain;
			in_word = is_word_char(p[-1]);
			continue;
		}
		if (*p == '|') {
			if (option_path_at(l, text, p))
				return -EINVAL;
			p++;
			in_word = true;
		} else if (*p == '"' || *p == '\'') {
			char *start = p;

			p = *p == '"' ? skip_dq_string(l, text, p) : skip_sq_string(l, text, p);
			if (!p)
				return -EINVAL;
			/* Quoted, an option's name is a path all the same. */
			if (memchr(start, '|', (size_t)(p - start)) && starts_value(p, false)) {
				config_report(l, line_at(text, start), "%.*s: '|' makes an option path, which "
					      "lvsd.conf does not use", (int)(p - start), start);
				return -EINVAL;
			}
			in_word = false;
		} else if (*p == '#' || (!in_word && p[0] == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				*p++ = ' ';
			in_word = false;
		} else if (!in_word && p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");

			if (!end) {
				config_report(l, line_at(text, p), "unterminated comment");
				return -EINVAL;
			}
			for (; p < end + 2; p++)
				if (*p != '\n')
					*p = ' ';
			in_word = false;
		} else if (!in_word && p[0] == '$' && p[1] == '{' && strchr(p, '}')) {
			p = strchr(p, '}') + 1;
		} else {
			/* An unmatched '}' is libconfuse's to report. */
			if (*p == '{') {
				if (depth < ELEMENTSOF(open))
					open[depth] = p;
				depth++;
			} else if (*p == '}' && depth > 0) {
				depth--;
			}
			in_word = is_word_char(*p);
			p++;
		}
	}
	for (; depth > 0; depth--)
		if (depth <= ELEMENTSOF(open))
			config_report(l, line_at(text, open[depth - 1]), "this '{' is never closed");
	return 0;
}
