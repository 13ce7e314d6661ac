/* lvsd.conf, stage 1b: plain real sections, read without libconfuse.
 *
 * A large site's file is mostly reals of one line each,
 *     real web7 { address = "192.0.2.17:80" weight = 2 }
 * and libconfuse spends over ten thousand instructions on every one (a
 * section, a copy of its option table, callbacks): most of the time of a
 * cold start. Such a real, where a virtual expects its next option, alone on
 * its line(s), with only address, weight and forward, each once and each
 * valid, is read here instead and cut out of the text libconfuse then
 * parses, but for its newlines, so that libconfuse counts lines as before.
 * Anything else (a check block, an escape, a value in doubt, a bad
 * value, a syntax this scanner does not follow) is left to libconfuse.
 *
 * The result must be exactly libconfuse's. Where it could differ, the file
 * has a problem: config_load() then loads it again with libconfuse alone,
 * and that report is the one returned (the fast path skips libconfuse's
 * duplicate-title check, for one, which the builder makes up for). The unit
 * tests and the fuzzer compare both ways on every file. */
#include "config_internal.h"
#include "array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Longest name or value read here; longer ones are libconfuse's. */
#define TOKEN_MAX 128

struct scanner {
	char *text, *p;
	unsigned line;
};

/* The stretches of text taken, to cut out at the end. */
struct cuts {
	char **at;                /* start, end, start, end, ... in file order */
	size_t n, allocated;
};

static int add_cut(struct cuts *c, char *start, char *end)
{
	/* Room for two: the count stays even, the allocation too. */
	if (array_grow((void **)&c->at, c->n + 1, &c->allocated, sizeof(*c->at), 1024) < 0)
		return -ENOMEM;
	c->at[c->n++] = start;
	c->at[c->n++] = end;
	return 0;
}

/* Cuts the stretches out of text but their newlines, in one pass. */
static void apply_cuts(char *text, const struct cuts *c)
{
	char *to = text, *from = text;

	for (size_t i = 0; i < c->n; i += 2) {
		size_t keep = (size_t)(c->at[i] - from);
		char *newline;

		memmove(to, from, keep);
		to += keep;
		for (from = c->at[i]; (newline = memchr(from, '\n', (size_t)(c->at[i + 1] - from)));
		     from = newline + 1)
			*to++ = '\n';
		from = c->at[i + 1];
	}
	memmove(to, from, strlen(from) + 1);
}

/* T_WORD: unquoted; T_QUOTED: double-quoted without escapes, '$' or
 * newline; T_STRING: any other string (its text not taken). */
enum token { T_END, T_OPEN, T_CLOSE, T_EQUALS, T_WORD, T_QUOTED, T_STRING, T_OTHER };

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void skip_space(struct scanner *s)
{
	for (; is_blank(*s->p) || *s->p == '\n'; s->p++)
		s->line += *s->p == '\n';
}

/* The next token as libconfuse's lexer splits the text (comments are
 * blanks by now). The text of a T_WORD or T_QUOTED is copied to text
 * (TOKEN_MAX bytes) when text is not NULL. */
static enum token next_token(struct scanner *s, char *text)
{
	bool dollar = false;
	char *start;

	skip_space(s);
	start = s->p;
	if (text)
		text[0] = '\0';
	switch (*s->p) {
	case '\0':
		return T_END;
	case '{':
		s->p++;
		return T_OPEN;
	case '}':
		s->p++;
		return T_CLOSE;
	case '=':
		s->p++;
		return T_EQUALS;
	case '+':
		s->p++;
		if (*s->p == '=')
			s->p++;
		return T_OTHER;    /* "+=" appends to a list: not a real's */
	case '"':
	case '\'': {
		char quote = *s->p;
		bool plain = quote == '"';

		/* Most strings are plain: one call finds their end. */
		s->p++;
		if (plain)
			s->p += strcspn(s->p, "\"\\$\n");
		for (; *s->p && *s->p != quote; s->p++) {
			if (*s->p == '\\' || *s->p == '$' || *s->p == '\n')
				plain = false;
			if (*s->p == '\\' && s->p[1])
				s->p++;
			s->line += *s->p == '\n';
		}
		if (*s->p)
			s->p++;
		if (text && plain && (size_t)(s->p - start - 2) < TOKEN_MAX) {
			memcpy(text, start + 1, (size_t)(s->p - start - 2));
			text[s->p - start - 2] = '\0';
			return T_QUOTED;
		}
		return T_STRING;
	}
	default:
		break;
	}
	for (; config_is_word_char(*s->p); s->p++)
		dollar |= *s->p == '$';
	if (s->p == start) {
		s->p++;
		return T_OTHER;
	}
	/* An environment variable is libconfuse's to substitute. */
	if (dollar || (size_t)(s->p - start) >= TOKEN_MAX)
		return T_STRING;
	if (text) {
		memcpy(text, start, (size_t)(s->p - start));
		text[s->p - start] = '\0';
	}
	return T_WORD;
}

static bool is_text(enum token t)
{
	return t == T_WORD || t == T_QUOTED;
}

static bool starts_line(const char *text, const char *p)
{
	while (p > text && is_blank(p[-1]))
		p--;
	return p == text || p[-1] == '\n';
}

/* A real section at s->p (its "real"), read into r if it is plain: then
 * s->p is past its '}', the rest of that line blank. */
static bool read_real(struct scanner *s, struct string_pool *strings, struct fast_real *r)
{
	char title[TOKEN_MAX], key[TOKEN_MAX], value[TOKEN_MAX], why[CONFIG_WHY_MAX];
	bool seen_address = false, seen_weight = false, seen_forward = false;
	static const struct config_uint_option *weight_range;
	uint64_t weight;
	int forward;

	if (!starts_line(s->text, s->p) || next_token(s, key) != T_WORD || strcmp(key, "real") != 0 ||
	    !is_text(next_token(s, title)) || next_token(s, NULL) != T_OPEN)
		return false;
	*r = (struct fast_real){ .weight = 1, .forward = -1 };
	for (;;) {
		enum token t = next_token(s, key);
		unsigned value_line;

		if (t == T_CLOSE)
			break;
		if (t != T_WORD || next_token(s, NULL) != T_EQUALS)
			return false;
		skip_space(s);
		/* Where libconfuse's callback would see the value. */
		value_line = s->line;
		if (!is_text(next_token(s, value)))
			return false;
		if (strcmp(key, "address") == 0 && !seen_address) {
			seen_address = true;
			if (config_real_address_parse(value, &r->address, why) < 0)
				return false;
			r->line = value_line;
		} else if (strcmp(key, "weight") == 0 && !seen_weight) {
			seen_weight = true;
			if (!weight_range)
				weight_range = config_uint_option_find("real", "weight");
			if (config_uint_parse(value, weight_range->min, weight_range->max, &weight, why) < 0)
				return false;
			r->weight = (unsigned)weight;
		} else if (strcmp(key, "forward") == 0 && !seen_forward) {
			seen_forward = true;
			if (config_enum_parse("forward", value, &forward, why) < 0)
				return false;
			r->forward = forward;
		} else {
			return false;
		}
	}
	while (is_blank(*s->p))
		s->p++;
	if (!seen_address || (*s->p && *s->p != '\n'))
		return false;
	r->name = string_pool_dup(strings, title);
	return true;
}

static int add_virtual(struct fast_reals *f, struct string_pool *strings, const char *title)
{
	if (array_grow((void **)&f->virtuals, f->n, &f->allocated, sizeof(*f->virtuals), 64) < 0)
		return -ENOMEM;
	f->virtuals[f->n] = (struct fast_virtual){ .title = string_pool_dup(strings, title) };
	if (!f->virtuals[f->n].title)
		return -ENOMEM;
	f->n++;
	return 0;
}

/* Room for one more real in the newest virtual's list. */
static struct fast_real *next_real(struct fast_reals *f)
{
	struct fast_virtual *v = &f->virtuals[f->n - 1];

	if (array_grow((void **)&v->reals, v->n, &v->allocated, sizeof(*v->reals), 16) < 0)
		return NULL;
	return &v->reals[v->n];
}

/* Where the scanner is in libconfuse's grammar, directly inside a virtual:
 * expecting an option's name; after a name; after "name ="; after a
 * section's title. Nested blocks are skipped whole. Anything unforeseen
 * ends the fast path for the rest of that virtual. */
enum place { NAME, AFTER_NAME, VALUE, TITLE, LOST };

/* Skips a nested block whose '{' was just read. */
static void skip_block(struct scanner *s)
{
	unsigned depth = 1;

	while (depth > 0) {
		enum token t = next_token(s, NULL);

		if (t == T_END)
			return;
		depth += t == T_OPEN;
		depth -= t == T_CLOSE;
	}
}

/* The body of a virtual whose '{' was just read, up to its '}'. */
static int scan_virtual(struct scanner *s, struct fast_reals *f, struct string_pool *strings,
			struct cuts *cuts)
{
	enum place place = NAME;

	for (;;) {
		char word[TOKEN_MAX];
		enum token t;

		if (place == NAME) {
			struct fast_real *r = next_real(f);
			struct scanner before;

			if (!r)
				return -ENOMEM;
			skip_space(s);
			before = *s;
			if (read_real(s, strings, r)) {
				if (!r->name || add_cut(cuts, before.p, s->p) < 0)
					return -ENOMEM;
				f->virtuals[f->n - 1].n++;
				f->n_reals++;
				continue;
			}
			*s = before;
		}
		t = next_token(s, word);
		if (t == T_END || t == T_CLOSE)
			return 0;    /* the virtual's end (or a syntax error) */
		if (t == T_OPEN) {
			/* A section's body, or a list's. */
			skip_block(s);
			place = place == AFTER_NAME || place == TITLE || place == VALUE ? NAME : LOST;
			continue;
		}
		switch (place) {
		case NAME:
			place = t == T_WORD ? AFTER_NAME : LOST;
			break;
		case AFTER_NAME:
			place = t == T_EQUALS ? VALUE : is_text(t) || t == T_STRING ? TITLE : LOST;
			break;
		case VALUE:
			place = is_text(t) || t == T_STRING ? NAME : LOST;
			break;
		case TITLE:
		case LOST:
			place = LOST;
			break;
		}
	}
}

int config_fast_reals_take(struct fast_reals *f, struct string_pool *strings, char *text)
{
	struct scanner s = { .text = text, .p = text, .line = 1 };
	enum { NOTHING, KEYWORD, TITLED } virtual_seen = NOTHING;
	char word[TOKEN_MAX], title[TOKEN_MAX];
	struct cuts cuts = { 0 };
	int r = 0;

	/* libconfuse's environment variables are tokens of their own, which
	 * may span quotes, braces and lines (not counted); a '|' may make an
	 * option path to a section's first real: not this scanner's. */
	if (strstr(text, "${") || strchr(text, '|'))
		return 0;
	for (;;) {
		enum token t = next_token(&s, word);

		if (t == T_END)
			break;
		if (t == T_OPEN) {
			if (virtual_seen == TITLED) {
				if ((r = add_virtual(f, strings, title)) < 0 ||
				    (r = scan_virtual(&s, f, strings, &cuts)) < 0)
					break;
			} else {
				skip_block(&s);
			}
			virtual_seen = NOTHING;
		} else if (is_text(t) && virtual_seen == KEYWORD) {
			strcpy(title, word);
			virtual_seen = TITLED;
		} else {
			virtual_seen = t == T_WORD && strcmp(word, "virtual") == 0 ? KEYWORD : NOTHING;
		}
	}
	if (r == 0)
		apply_cuts(text, &cuts);
	free(cuts.at);
	return r;
}

void config_fast_reals_clear(struct fast_reals *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->virtuals[i].reals);
	free(f->virtuals);
	*f = (struct fast_reals){ 0 };
}
