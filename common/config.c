/* lvsd.conf: libconfuse -> typed, validated, immutable structs.
 *
 * Three stages, each reporting every problem it finds rather than the first:
 *  1. the text is read, its comments blanked and its strings checked (see
 *     prepare_text() for why libconfuse cannot be given the raw text);
 *  2. libconfuse parses it; a callback on every value checks that value at
 *     once, so a bad value is reported at its own line, and then lets parsing
 *     go on (a failing callback would stop libconfuse at the first problem);
 *  3. the builder (config_build.c) converts the cfg_t tree into the structs
 *     of config.h and checks what involves several values, reporting at the
 *     line where the section concerned opens. */
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (16u << 20)

/* ---- problems ---- */

struct problem {
	unsigned line;            /* 0: the file as a whole */
	size_t seq;               /* discovery order, to keep the sort stable */
	bool warning;             /* the file still loads */
	char *msg;
};

/* Takes msg (NULL: allocation failed). */
static void add_problem_of_kind(struct loader *l, unsigned line, bool warning, char *msg)
{
	struct problem *p;

	if (!msg) {
		l->oom = true;
		return;
	}
	p = realloc(l->problems, (l->n_problems + 1) * sizeof(*p));
	if (!p) {
		free(msg);
		l->oom = true;
		return;
	}
	l->problems = p;
	p[l->n_problems] = (struct problem){ line, l->n_problems, warning, msg };
	l->n_problems++;
	l->n_warnings += warning;
}

static void add_problem(struct loader *l, unsigned line, char *msg)
{
	add_problem_of_kind(l, line, false, msg);
}

__attribute__((format(printf, 4, 0)))
static void add_problem_va(struct loader *l, unsigned line, bool warning, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	add_problem_of_kind(l, line, warning, msg);
}

void config_report(struct loader *l, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_problem_va(l, line, false, fmt, ap);
	va_end(ap);
}

void config_warn(struct loader *l, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_problem_va(l, line, true, fmt, ap);
	va_end(ap);
}

static int problem_compare(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends the problems, in file order, to errors as "FILE:LINE: message"
 * ("FILE:LINE: warning: message" for a warning). */
static void move_problems(struct loader *l, struct config_errors *errors)
{
	if (l->n_problems)
		qsort(l->problems, l->n_problems, sizeof(*l->problems), problem_compare);
	for (size_t i = 0; errors && i < l->n_problems; i++) {
		const struct problem *p = &l->problems[i];
		const char *kind = p->warning ? "warning: " : "";
		char **lines, *line;
		bool *warning;
		int r;

		if (p->line)
			r = asprintf(&line, "%s:%u: %s%s", l->path, p->line, kind, p->msg);
		else
			r = asprintf(&line, "%s: %s%s", l->path, kind, p->msg);
		if (r < 0)
			break;
		lines = realloc(errors->lines, (errors->n + 1) * sizeof(*lines));
		if (lines)
			errors->lines = lines;
		warning = realloc(errors->warning, (errors->n + 1) * sizeof(*warning));
		if (warning)
			errors->warning = warning;
		if (!lines || !warning) {
			free(line);
			break;
		}
		errors->lines[errors->n] = line;
		errors->warning[errors->n++] = p->warning;
		errors->n_warnings += p->warning;
	}
	for (size_t i = 0; i < l->n_problems; i++)
		free(l->problems[i].msg);
	free(l->problems);
	l->problems = NULL;
	l->n_problems = 0;
	l->n_warnings = 0;
}

void config_errors_clear(struct config_errors *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	free(e->warning);
	e->lines = NULL;
	e->warning = NULL;
	e->n = 0;
	e->n_warnings = 0;
}

/* ---- stage 1: the text ---- */

static int read_file(struct loader *l, char **ret, size_t *ret_len)
{
	size_t len = 0, size = 0;
	char *buf = NULL;
	struct stat st;
	int fd, r = 0;

	fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		config_report(l, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		config_report(l, 0, "cannot read: %s", strerror(-r));
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (size - len < 2) {
			char *bigger;

			if (size >= CONFIG_MAX_BYTES) {
				r = -EFBIG;
				config_report(l, 0, "larger than %u bytes: not a configuration file", CONFIG_MAX_BYTES);
				goto out;
			}
			size = size ? size * 2 : 8192;
			bigger = realloc(buf, size);
			if (!bigger) {
				r = -ENOMEM;
				goto out;
			}
			buf = bigger;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			config_report(l, 0, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
out:
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

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

static unsigned octal_value(const char *digits, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 8 + (unsigned)(digits[i] - '0');
	return v;
}

/* The end of the "..." string at p, or NULL after reporting why there is none.
 * Escapes follow libconfuse's lexer: \NNN octal up to 0377; a longer run of
 * digits is an error there. */
static char *skip_dq_string(struct loader *l, const char *text, char *p)
{
	char *start = p;

	for (p++; *p; p++) {
		size_t digits, octal;

		if (*p == '"')
			return p + 1;
		if (*p == '$' && p[1] == '{' && strchr(p, '}')) {
			/* ${VAR} is replaced whole, quotes and all. */
			p = strchr(p, '}');
			continue;
		}
		if (*p != '\\' || !p[1])
			continue;
		digits = strspn(p + 1, "0123456789");
		octal = strspn(p + 1, "01234567");
		if (octal > 3)
			octal = 3;
		if (digits > octal) {
			config_report(l, line_at(text, p), "bad escape sequence '\\%.*s' in a string",
				      (int)digits, p + 1);
			return NULL;
		}
		if (octal_value(p + 1, octal) > 0377) {
			config_report(l, line_at(text, p), "invalid octal escape '\\%.*s' in a string",
				      (int)octal, p + 1);
			return NULL;
		}
		p += octal ? octal : 1;
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

/* libconfuse 3.3 counts a '#' or '//' comment line three times and a block
 * comment one line too many, so every error after a comment would name the
 * wrong line; it also refuses comments inside lists. Its lexer keeps its
 * state from one file to the next: a bad escape or a string open at the end
 * would leave the next parse (a reload) starting inside a string. And it
 * takes a file ending inside a section for a complete one. So comments are
 * blanked out here, newlines kept, and strings and braces are checked, before
 * libconfuse sees the text. This follows libconfuse's own rules: '#' starts a
 * comment anywhere outside a string, '//' and '/' '*' only where a token
 * starts. Returns -EINVAL when libconfuse must not see the text at all. */
static int prepare_text(struct loader *l, char *text, size_t len)
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

/* ---- stage 2: libconfuse and the value callbacks ---- */

/* The hidden option keeping a section's line (see OPENING_LINE below). */
#define LINE_OPTION "(line)"
#define LINE_MARK "open"

/* The loader whose file libconfuse is parsing. libconfuse hands its error hook
 * nothing but the cfg_t being parsed: cfg_t has no field for user data, and a
 * section copies nothing from its parent but the hook itself and the file
 * name. So the hook reaches its loader through this pointer, which is set
 * only while config_load() works with libconfuse. libconfuse's lexer is
 * global state as well, so config_load() is not reentrant regardless. */
static struct loader *parsing;

__attribute__((format(printf, 2, 0)))
static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char *msg;

	if (!parsing)
		return;
	/* libconfuse 3.3 complains of every free-form option (a real's check
	 * block has nothing else) before it accepts it; later versions do
	 * not. config_check_real_check() judges those options itself. */
	if (cfg && (cfg->flags & CFGF_KEYSTRVAL) && strcmp(fmt, "no such option '%s'") == 0)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	add_problem(parsing, cfg && cfg->line > 0 ? (unsigned)cfg->line : 0, msg);
}

__attribute__((format(printf, 2, 3)))
static void value_error(cfg_t *cfg, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_error(cfg, "%s", msg);
}

/* Integer options and their ranges, by section and option. */
static const struct config_uint_option uint_options[] = {
	{ "cluster", "port", 1, 65535 },
	{ "cluster", "dead-after", 2, 1000 },
	{ "director", "priority", 1, 254 },
	{ "vip", "garp-count", 0, 100 },
	{ "sync", "id", 0, 255 },
	{ "sync", "port", 1, 65535 },
	{ "virtual", "fwmark", 1, UINT32_MAX },
	{ "real", "weight", 0, 65535 },
	{ "check", "port", 0, 65535 },
	{ "check", "rise", 1, 1000 },
	{ "check", "fall", 1, 1000 },
};

const struct config_uint_option *config_uint_option_find(const char *section, const char *option)
{
	for (size_t i = 0; i < ELEMENTSOF(uint_options); i++)
		if (strcmp(uint_options[i].section, section) == 0 &&
		    strcmp(uint_options[i].option, option) == 0)
			return &uint_options[i];
	return NULL;
}

/* A value being parsed: its text, its option, the section it is in. */
struct value {
	const char *text;
	const cfg_opt_t *opt;
	const cfg_t *sec;
};

/* A check of one value: 0, or -EINVAL and the reason in why. */
typedef int value_check_fn(const struct value *v, char *why);

/* Every value is kept as the text written, for the builder to convert. */
static int check_value(cfg_t *cfg, cfg_opt_t *opt, const char *text, void *result,
		       value_check_fn *check)
{
	const struct value v = { text, opt, cfg };
	char why[CONFIG_WHY_MAX];

	if (check(&v, why) < 0)
		value_error(cfg, "%s '%s': %s", opt->name, text, why);
	*(const char **)result = text;
	return 0;
}

#define VALUE_CALLBACK(name)                                                           \
	static int cb_##name(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result) \
	{                                                                              \
		return check_value(cfg, opt, value, result, check_##name);             \
	}

static int check_uint(const struct value *v, char *why)
{
	const struct config_uint_option *o = config_uint_option_find(v->sec->name, v->opt->name);
	uint64_t n;

	/* Only an option reached from another section could lack its range. */
	if (!o) {
		snprintf(why, CONFIG_WHY_MAX, "not an option of section %s", v->sec->name);
		return -EINVAL;
	}
	return config_uint_parse(v->text, o->min, o->max, &n, why);
}
VALUE_CALLBACK(uint)

static int check_duration(const struct value *v, char *why)
{
	uint64_t usec;

	return config_duration_parse(v->text, false, &usec, why);
}
VALUE_CALLBACK(duration)

static int check_positive_duration(const struct value *v, char *why)
{
	uint64_t usec;

	return config_duration_parse(v->text, true, &usec, why);
}
VALUE_CALLBACK(positive_duration)

static int check_persistent(const struct value *v, char *why)
{
	uint32_t sec;

	return config_persistent_parse(v->text, &sec, why);
}
VALUE_CALLBACK(persistent)

static int check_enum(const struct value *v, char *why)
{
	int e;

	return config_enum_parse(v->opt->name, v->text, &e, why);
}
VALUE_CALLBACK(enum)

static int check_address(const struct value *v, char *why)
{
	struct lvsd_addr a;

	return config_address_parse(v->text, &a, why);
}
VALUE_CALLBACK(address)

/* A virtual service's address needs its port; a fallback's defaults to it. */
static int check_endpoint(const struct value *v, char *why)
{
	struct lvsd_endpoint e;

	return config_endpoint_parse(v->text, strcmp(v->opt->name, "fallback") == 0, &e, why);
}
VALUE_CALLBACK(endpoint)

/* Checks a real's address and notes it, with its line, for the builder
 * (see real_notes_put()). */
static int cb_real_address(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct real_note note = { .sec = cfg, .line = cfg->line > 0 ? (unsigned)cfg->line : 0 };
	char why[CONFIG_WHY_MAX];

	note.valid = config_real_address_parse(value, &note.address, why) == 0;
	if (!note.valid)
		value_error(cfg, "%s '%s': %s", opt->name, value, why);
	if (real_notes_put(&parsing->reals, &note) < 0)
		parsing->oom = true;
	*(const char **)result = value;
	return 0;
}

static int check_vip_address(const struct value *v, char *why)
{
	struct config_vip_address va;

	return config_vip_address_parse(v->text, &va, why);
}
VALUE_CALLBACK(vip_address)

static int check_ifname(const struct value *v, char *why)
{
	return config_ifname_check(v->text, why);
}
VALUE_CALLBACK(ifname)

static int check_netmask(const struct value *v, char *why)
{
	unsigned prefix;
	bool dotted;

	return config_netmask_parse(v->text, &prefix, &dotted, why);
}
VALUE_CALLBACK(netmask)

static int check_status(const struct value *v, char *why)
{
	uint16_t min, max;

	return config_status_parse(v->text, &min, &max, why);
}
VALUE_CALLBACK(status)

static int check_scheduler(const struct value *v, char *why)
{
	int r = config_scheduler_check(v->text, why);

	/* A module of one's own may provide any name: a warning, not an error,
	 * for one the kernel does not ship (most likely a typo). */
	if (r == 0 && !config_scheduler_is_known(v->text))
		config_warn(parsing, v->sec->line > 0 ? (unsigned)v->sec->line : 0,
			    "%s '%s' is none of the kernel's (%s): it loads only from a module of its own",
			    v->opt->name, v->text, config_known_schedulers);
	return r;
}
VALUE_CALLBACK(scheduler)

static int check_sched_flag(const struct value *v, char *why)
{
	return config_sched_flag_find(v->text, why) ? 0 : -EINVAL;
}
VALUE_CALLBACK(sched_flag)

static int check_regex(const struct value *v, char *why)
{
	return config_regex_check(v->text, why);
}
VALUE_CALLBACK(regex)

/* Checked where it is written, although it is the file system that is wrong:
 * that is the line the operator has to look at. */
static int check_existing_file(const struct value *v, char *why)
{
	char *path;
	struct stat st;
	int r = 0;

	if (!*v->text)
		return 0;
	path = config_resolve_path(v->sec->filename ? v->sec->filename : "", v->text);
	if (!path)
		return 0;    /* out of memory: the builder notices */
	if (stat(path, &st) < 0) {
		snprintf(why, CONFIG_WHY_MAX, "%s", strerror(errno));
		r = -EINVAL;
	} else if (S_ISDIR(st.st_mode)) {
		snprintf(why, CONFIG_WHY_MAX, "a directory, not a file");
		r = -EINVAL;
	}
	free(path);
	return r;
}
VALUE_CALLBACK(existing_file)

/* libconfuse's own boolean parsing would stop at the first bad one. */
static int cb_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int b = cfg_parse_boolean(value);

	if (b < 0) {
		value_error(cfg, "%s '%s': not one of yes, no, true, false, on, off", opt->name, value);
		b = opt->def.boolean;
	}
	*(int *)result = b;
	return 0;
}

/* libconfuse remembers the line where a section closes, not where it opens.
 * So every section has this hidden option: libconfuse parses its default
 * value the moment the section opens (its '{' just read), and its callback
 * keeps the line of that moment as the option's value. */

static int cb_opening_line(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (strcmp(value, LINE_MARK) != 0)
		value_error(cfg, "no such option '%s'", opt->name);
	*(void **)result = (void *)(uintptr_t)cfg->line;
	return 0;
}

unsigned config_opening_line(cfg_t *sec)
{
	const struct real_note *note;

	if (strcmp(cfg_name(sec), "real") != 0)
		return (unsigned)(uintptr_t)cfg_getptr(sec, LINE_OPTION);
	/* A real: the line of its address, else (it has none) where it closes. */
	note = parsing ? real_notes_get(&parsing->reals, sec) : NULL;
	return note ? note->line : (unsigned)sec->line;
}

#define OPENING_LINE CFG_PTR_CB(LINE_OPTION, LINE_MARK, CFGF_NONE, cb_opening_line, NULL)
#define NAMED_SECTIONS (CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)

/* The options of lvsd.conf, with the defaults of DESIGN §5. Every value is a
 * string checked by its callback (see above). cfg_init() copies these tables;
 * they are never modified. Sections are all CFGF_MULTI so that each gets its
 * opening line (a single section is created with its parent); the builder
 * rejects repeated single ones. */

/* No defaults: a real's check block inherits every option it does not set
 * from its virtual's, so what was set must be visible (see check_text()). */
static cfg_opt_t check_opts[] = {
	OPENING_LINE,
	CFG_STR_CB("type", NULL, CFGF_NODEFAULT, cb_enum),
	CFG_STR_CB("port", NULL, CFGF_NODEFAULT, cb_uint),
	CFG_STR_CB("interval", NULL, CFGF_NODEFAULT, cb_positive_duration),
	CFG_STR_CB("timeout", NULL, CFGF_NODEFAULT, cb_positive_duration),
	CFG_STR_CB("rise", NULL, CFGF_NODEFAULT, cb_uint),
	CFG_STR_CB("fall", NULL, CFGF_NODEFAULT, cb_uint),
	CFG_STR("request", NULL, CFGF_NODEFAULT),
	CFG_STR_CB("receive", NULL, CFGF_NODEFAULT, cb_regex),
	CFG_STR_CB("status", NULL, CFGF_NODEFAULT, cb_status),
	CFG_STR("virtualhost", NULL, CFGF_NODEFAULT),
	CFG_STR_CB("method", NULL, CFGF_NODEFAULT, cb_enum),
	CFG_STR_CB("ca-file", NULL, CFGF_NODEFAULT, cb_existing_file),
	CFG_STR("command", NULL, CFGF_NODEFAULT),
	CFG_END()
};

/* A real's own check block has no option table: libconfuse copies the
 * whole table of every section it opens (for a real, its check block's
 * fourteen options with their names, whether the real has a check block or
 * not). Over 10,000 reals that was 40% of the time and over half of the
 * memory of loading the file. So its options arrive as free-form strings
 * (CFGF_KEYSTRVAL), and config_check_real_check() holds them to check_opts
 * once parsing is done. */
static cfg_opt_t real_check_opts[] = {
	OPENING_LINE,
	CFG_END()
};

/* Reals come by the thousand, and OPENING_LINE costs each section a run
 * of libconfuse's lexer on its default (a fifth of the time of loading
 * 10,000 reals). A real is known by the line of its address instead, which
 * its callback notes as it checks it, with the address (real_notes_put()).
 * The builder reads these options by their place (REAL_OPT_*). */
static cfg_opt_t real_opts[] = {
	CFG_STR_CB("address", NULL, CFGF_NODEFAULT, cb_real_address),
	/* No default in the table: a default costs every real a copy and a
	 * parse of it; the builder's is 1. */
	CFG_STR_CB("weight", NULL, CFGF_NODEFAULT, cb_uint),
	CFG_STR_CB("forward", NULL, CFGF_NODEFAULT, cb_enum),    /* the virtual's */
	CFG_SEC("check", real_check_opts, CFGF_MULTI | CFGF_KEYSTRVAL),
	CFG_END()
};

void config_check_real_check(cfg_t *block)
{
	unsigned n = cfg_num(block);

	/* Problems are reported at the block's opening line: libconfuse
	 * keeps no line for a free-form value. */
	block->line = (int)config_opening_line(block);
	for (unsigned i = 0; i < n; i++) {
		cfg_opt_t *given = cfg_getnopt(block, i), *known = NULL;
		const char *name = cfg_opt_name(given), *result;

		if (strcmp(name, LINE_OPTION) == 0)
			continue;
		for (cfg_opt_t *o = check_opts; o->name && !known; o++)
			if (strcmp(o->name, name) == 0)
				known = o;
		if (!known)
			value_error(block, "no such option '%s'", name);
		else if (known->parsecb)
			known->parsecb(block, known, cfg_opt_getnstr(given, 0), &result);
	}
}

const char *config_block_value(cfg_t *block, const char *option)
{
	unsigned n = cfg_num(block);

	for (unsigned i = 0; i < n; i++) {
		cfg_opt_t *o = cfg_getnopt(block, i);

		if (strcmp(cfg_opt_name(o), option) == 0)
			return cfg_opt_size(o) > 0 ? cfg_opt_getnstr(o, 0) : NULL;
	}
	return NULL;
}

static cfg_opt_t virtual_opts[] = {
	OPENING_LINE,
	CFG_STR_CB("address", NULL, CFGF_NODEFAULT, cb_endpoint),
	CFG_STR_CB("fwmark", NULL, CFGF_NODEFAULT, cb_uint),
	CFG_STR_CB("protocol", "tcp", CFGF_NONE, cb_enum),
	CFG_STR_CB("scheduler", "wlc", CFGF_NONE, cb_scheduler),
	CFG_STR_LIST_CB("scheduler-flags", NULL, CFGF_NONE, cb_sched_flag),
	CFG_STR_CB("persistent", "0s", CFGF_NONE, cb_persistent),
	CFG_STR_CB("netmask", NULL, CFGF_NODEFAULT, cb_netmask),    /* all ones */
	CFG_BOOL_CB("ops", cfg_false, CFGF_NONE, cb_bool),
	CFG_STR_CB("forward", "dr", CFGF_NONE, cb_enum),
	CFG_BOOL_CB("quiescent", cfg_true, CFGF_NONE, cb_bool),
	CFG_STR_CB("fallback", NULL, CFGF_NODEFAULT, cb_endpoint),
	CFG_SEC("check", check_opts, CFGF_MULTI),
	CFG_SEC("real", real_opts, NAMED_SECTIONS),
	CFG_END()
};

static cfg_opt_t cluster_opts[] = {
	OPENING_LINE,
	CFG_STR("key-file", LVSD_DEFAULT_KEY_FILE, CFGF_NONE),
	CFG_STR_CB("port", "694", CFGF_NONE, cb_uint),
	CFG_STR_CB("interval", "100ms", CFGF_NONE, cb_positive_duration),
	CFG_STR_CB("dead-after", "3", CFGF_NONE, cb_uint),
	CFG_BOOL_CB("failback", cfg_true, CFGF_NONE, cb_bool),
	CFG_STR_CB("failback-delay", "0s", CFGF_NONE, cb_duration),
	CFG_STR_LIST_CB("ping", NULL, CFGF_NONE, cb_address),
	CFG_BOOL_CB("realtime", cfg_false, CFGF_NONE, cb_bool),
	CFG_STR_LIST_CB("multicast", NULL, CFGF_NONE, cb_address),
	CFG_END()
};

static cfg_opt_t director_opts[] = {
	OPENING_LINE,
	CFG_STR_LIST_CB("address", NULL, CFGF_NONE, cb_address),
	CFG_STR_CB("priority", "100", CFGF_NONE, cb_uint),
	CFG_END()
};

static cfg_opt_t vip_opts[] = {
	OPENING_LINE,
	CFG_STR_LIST_CB("address", NULL, CFGF_NONE, cb_vip_address),
	CFG_STR_CB("interface", NULL, CFGF_NODEFAULT, cb_ifname),
	CFG_STR("preferred", NULL, CFGF_NODEFAULT),
	CFG_STR_CB("garp-count", "3", CFGF_NONE, cb_uint),
	CFG_STR_CB("garp-interval", "10ms", CFGF_NONE, cb_duration),
	CFG_STR_CB("garp-refresh", "0s", CFGF_NONE, cb_duration),
	CFG_END()
};

static cfg_opt_t sync_opts[] = {
	OPENING_LINE,
	CFG_STR_CB("interface", NULL, CFGF_NODEFAULT, cb_ifname),
	CFG_STR_CB("id", "1", CFGF_NONE, cb_uint),
	CFG_STR_CB("transport", "unicast", CFGF_NONE, cb_enum),
	CFG_STR_CB("port", "8848", CFGF_NONE, cb_uint),
	CFG_STR_CB("group", "224.0.0.81", CFGF_NONE, cb_address),
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	CFG_STR_CB("log-level", "info", CFGF_NONE, cb_enum),
	CFG_BOOL_CB("flush-on-stop", cfg_false, CFGF_NONE, cb_bool),
	CFG_STR_CB("reconcile-interval", "30s", CFGF_NONE, cb_positive_duration),
	CFG_SEC("cluster", cluster_opts, CFGF_MULTI),
	CFG_SEC("director", director_opts, NAMED_SECTIONS),
	CFG_SEC("vip", vip_opts, NAMED_SECTIONS),
	CFG_SEC("sync", sync_opts, CFGF_MULTI),
	CFG_SEC("virtual", virtual_opts, NAMED_SECTIONS),
	CFG_END()
};

static int parse_text(struct loader *l, cfg_t *cfg, char *text, size_t len)
{
	FILE *f;
	int r;

	if (len == 0)
		return 0;
	f = fmemopen(text, len, "r");
	if (!f)
		return -errno;
	r = cfg_parse_fp(cfg, f);
	fclose(f);
	if (r == CFG_SUCCESS)
		return 0;
	if (l->n_problems == l->n_warnings)
		config_report(l, 0, "libconfuse failed to parse the file without saying why");
	return -EINVAL;
}

/* ---- config_load() ---- */

int config_load(const char *path, struct lvsd_config **ret, struct config_errors *errors)
{
	struct loader l = { .path = path };
	struct lvsd_config *c = NULL;
	cfg_t *cfg = NULL;
	char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file(&l, &text, &len);
	if (r == 0)
		r = prepare_text(&l, text, len);
	if (r < 0)
		goto out;
	c = calloc(1, sizeof(*c));
	if (c)
		l.strings = c->strings = string_pool_new();
	if (!c || !c->strings) {
		r = -ENOMEM;
		goto out;
	}

	cfg = cfg_init(root_opts, CFGF_NONE);
	if (!cfg) {
		r = -ENOMEM;
		goto out;
	}
	/* Sections inherit the name, and callbacks resolve relative paths by it. */
	cfg->filename = strdup(path);
	if (!cfg->filename) {
		r = -ENOMEM;
		goto out;
	}
	cfg_set_error_function(cfg, on_confuse_error);

	parsing = &l;
	r = parse_text(&l, cfg, text, len);
	/* After a syntax error the tree is incomplete: building it would only
	 * add problems that are not there. Bad values are no syntax errors. */
	if (r == 0)
		r = config_build(&l, cfg, c);
	parsing = NULL;
	real_notes_clear(&l.reals);
	if (r == 0 && l.oom)
		r = -ENOMEM;
	if (r == 0 && l.n_problems > l.n_warnings)
		r = -EINVAL;

out:
	if (cfg)
		cfg_free(cfg);
	free(text);
	move_problems(&l, errors);
	if (r < 0) {
		config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}
