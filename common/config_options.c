/* lvsd.conf's options for libconfuse, and the callbacks that parse each value
 * once, as libconfuse reads it: the value is kept typed (struct
 * config_value), with its text and its line, for the builder. A bad value is
 * reported at its own line, and parsing goes on (a failing callback would
 * stop libconfuse at the first problem). */
#include "config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The hidden option keeping a section's line (see OPENING_LINE below). */
#define LINE_OPTION "(line)"
#define LINE_MARK "open"

/* The loader whose file libconfuse is parsing. libconfuse 3.3 hands its
 * callbacks and its error hook nothing but the section being parsed: cfg_t
 * has no field for user data, and a section copies nothing from its parent
 * but the hook itself and the file name. So they reach their loader through
 * this pointer, set from config_parse() to config_tree_free() (the builder
 * has libconfuse create the sections left out). libconfuse's lexer is
 * process-wide state as well: a configuration is loaded by one thread at a
 * time regardless. */
static struct loader *parsing;

/* libconfuse's errors: syntax errors, unknown options, duplicate titles. */
__attribute__((format(printf, 2, 0)))
static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	if (!parsing)
		return;
	/* libconfuse 3.3 complains of every free-form option (a real's check
	 * block has nothing else) before it accepts it; later versions do
	 * not. config_real_check_values() judges those options itself. */
	if (cfg && (cfg->flags & CFGF_KEYSTRVAL) && strcmp(fmt, "no such option '%s'") == 0)
		return;
	/* lvsd's words for libconfuse's complaints of an escape in a string,
	 * the ones its operators know. */
	if (strcmp(fmt, "bad escape sequence '%s'") == 0)
		fmt = "bad escape sequence '%s' in a string";
	else if (strcmp(fmt, "invalid octal number '%s'") == 0)
		fmt = "invalid octal escape '%s' in a string";
	config_report_va(parsing, cfg && cfg->line > 0 ? (unsigned)cfg->line : 0, fmt, ap);
}

static unsigned line_of(const cfg_t *cfg)
{
	return cfg->line > 0 ? (unsigned)cfg->line : 0;
}

/* ---- values ---- */

/* Where a value is written: what the parsers below may need to know. */
struct where {
	const char *section, *option;
	const char *filename;     /* the configuration file's */
};

/* Parses text into v's field for its option: 0, or -EINVAL with the reason
 * in why. */
typedef int value_parse_fn(const struct where *w, const char *text, struct config_value *v, char *why);

/* Integer options and their ranges, by section and option. */
static const struct uint_option {
	const char *section, *option;
	uint64_t min, max;
} uint_options[] = {
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

static int parse_uint(const struct where *w, const char *text, struct config_value *v, char *why)
{
	for (size_t i = 0; i < ELEMENTSOF(uint_options); i++)
		if (strcmp(uint_options[i].section, w->section) == 0 &&
		    strcmp(uint_options[i].option, w->option) == 0)
			return config_uint_parse(text, uint_options[i].min, uint_options[i].max, &v->number, why);
	snprintf(why, CONFIG_WHY_MAX, "not an option of section %s", w->section);
	return -EINVAL;
}

static int parse_duration(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_duration_parse(text, false, &v->number, why);
}

static int parse_positive_duration(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_duration_parse(text, true, &v->number, why);
}

static int parse_persistent(const struct where *w, const char *text, struct config_value *v, char *why)
{
	uint32_t sec = 0;
	int r = config_persistent_parse(text, &sec, why);

	v->number = sec;
	return r;
}

static int parse_enum(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_enum_parse(w->option, text, &v->choice, why);
}

static int parse_address(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_address_parse(text, &v->addr, why);
}

/* A virtual service's address needs its port. */
static int parse_endpoint(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_endpoint_parse(text, false, &v->endpoint, why);
}

/* A fallback's port defaults to its virtual's. */
static int parse_fallback(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_endpoint_parse(text, true, &v->endpoint, why);
}

static int parse_real_address(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_real_address_parse(text, &v->real, why);
}

static int parse_vip_address(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_vip_address_parse(text, &v->vip, why);
}

static int parse_ifname(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_ifname_check(text, why);
}

static int parse_netmask(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_netmask_parse(text, &v->netmask.prefix, &v->netmask.dotted, why);
}

static int parse_status(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_status_parse(text, &v->status.min, &v->status.max, why);
}

static int parse_scheduler(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_scheduler_check(text, why);
}

static int parse_sched_flag(const struct where *w, const char *text, struct config_value *v, char *why)
{
	v->flag = config_sched_flag_find(text, why);
	return v->flag ? 0 : -EINVAL;
}

static int parse_regex(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return config_regex_check(text, why);
}

/* Checked where it is written, although it is the file system that is wrong:
 * that is the line the operator has to look at. */
static int parse_existing_file(const struct where *w, const char *text, struct config_value *v, char *why)
{
	char *path;
	struct stat st;
	int r = 0;

	if (!*text)
		return 0;
	path = config_resolve_path(w->filename ? w->filename : "", text);
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

/* Free text: anything goes. */
static int parse_text(const struct where *w, const char *text, struct config_value *v, char *why)
{
	return 0;
}

/* text, written at line, parsed by parse; a bad value is reported at line.
 * NULL when out of memory (l->oom is set). */
static struct config_value *value_new(struct loader *l, const struct where *w, const char *text, unsigned line,
				      value_parse_fn *parse)
{
	size_t len = strlen(text);
	struct config_value *v = calloc(1, sizeof(*v) + len + 1);
	char why[CONFIG_WHY_MAX];

	if (!v) {
		l->oom = true;
		return NULL;
	}
	v->line = line;
	memcpy(v->text, text, len + 1);
	v->ok = parse(w, text, v, why) == 0;
	if (!v->ok)
		config_report(l, line, "%s '%s': %s", w->option, text, why);
	return v;
}

/* libconfuse's callback for a value of opt in cfg: keeps it parsed (a
 * failing callback would stop libconfuse at the first problem, so a bad
 * value is kept too, reported). */
static int on_value(cfg_t *cfg, cfg_opt_t *opt, const char *text, void *result, value_parse_fn *parse)
{
	const struct where w = { cfg->name, opt->name, cfg->filename };
	struct config_value *v = value_new(parsing, &w, text, line_of(cfg), parse);

	*(struct config_value **)result = v;
	return v ? 0 : -1;
}

#define VALUE_CALLBACK(kind)                                                          \
	static int cb_##kind(cfg_t *cfg, cfg_opt_t *opt, const char *text, void *result) \
	{                                                                             \
		return on_value(cfg, opt, text, result, parse_##kind);                \
	}

VALUE_CALLBACK(uint)
VALUE_CALLBACK(duration)
VALUE_CALLBACK(positive_duration)
VALUE_CALLBACK(persistent)
VALUE_CALLBACK(enum)
VALUE_CALLBACK(address)
VALUE_CALLBACK(endpoint)
VALUE_CALLBACK(fallback)
VALUE_CALLBACK(real_address)
VALUE_CALLBACK(vip_address)
VALUE_CALLBACK(ifname)
VALUE_CALLBACK(netmask)
VALUE_CALLBACK(status)
VALUE_CALLBACK(sched_flag)
VALUE_CALLBACK(regex)
VALUE_CALLBACK(existing_file)
VALUE_CALLBACK(text)

/* A module of one's own may provide any scheduler name: a warning, not an
 * error, for one the kernel does not ship (most likely a typo). */
static int cb_scheduler(cfg_t *cfg, cfg_opt_t *opt, const char *text, void *result)
{
	int r = on_value(cfg, opt, text, result, parse_scheduler);
	const struct config_value *v = *(struct config_value **)result;

	if (r == 0 && v->ok && !config_scheduler_is_known(text))
		config_warn(parsing, v->line, "%s '%s' is none of the kernel's (%s): it loads only from a module of its own",
			    opt->name, text, config_known_schedulers);
	return r;
}

/* libconfuse's own boolean parsing would stop at the first bad one. */
static int cb_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int b = cfg_parse_boolean(value);

	if (b < 0) {
		config_report(parsing, line_of(cfg), "%s '%s': not one of yes, no, true, false, on, off", opt->name,
			      value);
		b = opt->def.boolean;
	}
	*(int *)result = b;
	return 0;
}

static void value_free(void *v)
{
	free(v);
}

const struct config_value *config_getn(cfg_t *sec, const char *option, unsigned i)
{
	return cfg_getnptr(sec, option, i);
}

const struct config_value *config_get(cfg_t *sec, const char *option)
{
	return cfg_getptr(sec, option);
}

const struct config_value *config_real_get(cfg_t *real, unsigned option)
{
	return cfg_opt_getnptr(cfg_getnopt(real, option), 0);
}

/* ---- sections' lines ---- */

/* libconfuse remembers the line where a section closes, not where it opens.
 * So every section but a real has this hidden option: libconfuse parses its
 * default value the moment the section opens (its '{' just read), and its
 * callback keeps the line of that moment as the option's value. */
static int cb_opening_line(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (strcmp(value, LINE_MARK) != 0 && parsing)
		config_report(parsing, line_of(cfg), "no such option '%s'", opt->name);
	*(void **)result = (void *)(uintptr_t)line_of(cfg);
	return 0;
}

unsigned config_opening_line(cfg_t *sec)
{
	const struct config_value *address;

	if (strcmp(cfg_name(sec), "real") != 0)
		return (unsigned)(uintptr_t)cfg_getptr(sec, LINE_OPTION);
	/* Reals come by the thousand, and the hidden option would cost each a
	 * run of libconfuse's lexer: a real is known by the line of its
	 * address, else (it has none) by where it closes. */
	address = config_real_get(sec, REAL_OPT_ADDRESS);
	return address ? address->line : line_of(sec);
}

/* ---- the option tables ---- */

#define OPENING_LINE CFG_PTR_CB(LINE_OPTION, LINE_MARK, CFGF_NONE, cb_opening_line, NULL)
#define NAMED_SECTIONS (CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)
/* A value parsed by cb_KIND; with DEFAULT, its default in lvsd.conf's words. */
#define VALUE(name, kind) CFG_PTR_CB(name, NULL, CFGF_NODEFAULT, cb_##kind, value_free)
#define VALUE_DEFAULT(name, def, kind) CFG_PTR_CB(name, def, CFGF_NONE, cb_##kind, value_free)
#define VALUES(name, kind) CFG_PTR_LIST_CB(name, NULL, CFGF_NONE, cb_##kind, value_free)

/* The options of a check block, by CHECK_OPT_*: how each value is parsed,
 * and the default, which a check block's table must not have (a real's
 * check block inherits every option it does not set from its virtual's, so
 * what was set must be visible). */
static const struct check_option {
	const char *name;
	value_parse_fn *parse;
	const char *fallback;
} check_options[CHECK_OPTS] = {
	[CHECK_OPT_TYPE] = { "type", parse_enum, "tcp" },
	[CHECK_OPT_PORT] = { "port", parse_uint, "0" },
	[CHECK_OPT_INTERVAL] = { "interval", parse_positive_duration, "2s" },
	[CHECK_OPT_TIMEOUT] = { "timeout", parse_positive_duration, "1s" },
	[CHECK_OPT_RISE] = { "rise", parse_uint, "2" },
	[CHECK_OPT_FALL] = { "fall", parse_uint, "2" },
	/* None: it depends on the type. */
	[CHECK_OPT_REQUEST] = { "request", parse_text, NULL },
	[CHECK_OPT_RECEIVE] = { "receive", parse_regex, NULL },
	[CHECK_OPT_STATUS] = { "status", parse_status, "200-399" },
	[CHECK_OPT_VIRTUALHOST] = { "virtualhost", parse_text, NULL },
	[CHECK_OPT_METHOD] = { "method", parse_enum, "GET" },
	[CHECK_OPT_CA_FILE] = { "ca-file", parse_existing_file, NULL },
	[CHECK_OPT_COMMAND] = { "command", parse_text, NULL },
};

/* The same options for libconfuse (a virtual's check block). */
static cfg_opt_t check_opts[] = {
	OPENING_LINE,
	VALUE("type", enum),
	VALUE("port", uint),
	VALUE("interval", positive_duration),
	VALUE("timeout", positive_duration),
	VALUE("rise", uint),
	VALUE("fall", uint),
	VALUE("request", text),
	VALUE("receive", regex),
	VALUE("status", status),
	VALUE("virtualhost", text),
	VALUE("method", enum),
	VALUE("ca-file", existing_file),
	VALUE("command", text),
	CFG_END()
};

/* A real's own check block has no option table: libconfuse copies the
 * whole table of every section it opens (for a real, its check block's
 * fourteen options with their names, whether the real has a check block or
 * not). So its options arrive as free-form strings (CFGF_KEYSTRVAL), which
 * config_real_check_values() parses once parsing is done; their problems
 * are reported at the block's opening line, libconfuse keeping no line for
 * a free-form value. */
static cfg_opt_t real_check_opts[] = {
	OPENING_LINE,
	CFG_END()
};

/* By their place (REAL_OPT_*). No defaults: a default costs every real a
 * copy and a parse of it; the builder's weight is 1, forward the
 * virtual's. */
static cfg_opt_t real_opts[] = {
	VALUE("address", real_address),
	VALUE("weight", uint),
	VALUE("forward", enum),
	CFG_SEC("check", real_check_opts, CFGF_MULTI | CFGF_KEYSTRVAL),
	CFG_END()
};

static cfg_opt_t virtual_opts[] = {
	OPENING_LINE,
	VALUE("address", endpoint),
	VALUE("fwmark", uint),
	VALUE_DEFAULT("protocol", "tcp", enum),
	VALUE_DEFAULT("scheduler", "wlc", scheduler),
	VALUES("scheduler-flags", sched_flag),
	VALUE_DEFAULT("persistent", "0s", persistent),
	VALUE("netmask", netmask),    /* all ones */
	CFG_BOOL_CB("ops", cfg_false, CFGF_NONE, cb_bool),
	VALUE_DEFAULT("forward", "dr", enum),
	CFG_BOOL_CB("quiescent", cfg_true, CFGF_NONE, cb_bool),
	VALUE("fallback", fallback),
	CFG_SEC("check", check_opts, CFGF_MULTI),
	CFG_SEC("real", real_opts, NAMED_SECTIONS),
	CFG_END()
};

static cfg_opt_t cluster_opts[] = {
	OPENING_LINE,
	VALUE_DEFAULT("key-file", LVSD_DEFAULT_KEY_FILE, text),
	VALUE_DEFAULT("port", "694", uint),
	VALUE_DEFAULT("interval", "100ms", positive_duration),
	VALUE_DEFAULT("dead-after", "3", uint),
	CFG_BOOL_CB("failback", cfg_true, CFGF_NONE, cb_bool),
	VALUE_DEFAULT("failback-delay", "0s", duration),
	VALUES("ping", address),
	CFG_BOOL_CB("realtime", cfg_false, CFGF_NONE, cb_bool),
	VALUES("multicast", address),
	CFG_END()
};

static cfg_opt_t director_opts[] = {
	OPENING_LINE,
	VALUES("address", address),
	VALUE_DEFAULT("priority", "100", uint),
	CFG_END()
};

static cfg_opt_t vip_opts[] = {
	OPENING_LINE,
	VALUES("address", vip_address),
	VALUE("interface", ifname),
	VALUE("preferred", text),
	VALUE_DEFAULT("garp-count", "3", uint),
	VALUE_DEFAULT("garp-interval", "10ms", duration),
	VALUE_DEFAULT("garp-refresh", "0s", duration),
	CFG_END()
};

static cfg_opt_t sync_opts[] = {
	OPENING_LINE,
	VALUE("interface", ifname),
	VALUE_DEFAULT("id", "1", uint),
	VALUE_DEFAULT("transport", "unicast", enum),
	VALUE_DEFAULT("port", "8848", uint),
	VALUE_DEFAULT("group", "224.0.0.81", address),
	CFG_END()
};

/* The options of lvsd.conf, with the defaults of DESIGN §5. cfg_init()
 * copies these tables; they are never modified. Sections are all CFGF_MULTI
 * so that each gets its opening line (a single section is created with its
 * parent); the builder rejects repeated single ones. */
static cfg_opt_t root_opts[] = {
	VALUE_DEFAULT("log-level", "info", enum),
	CFG_BOOL_CB("flush-on-stop", cfg_false, CFGF_NONE, cb_bool),
	VALUE_DEFAULT("reconcile-interval", "30s", positive_duration),
	CFG_SEC("cluster", cluster_opts, CFGF_MULTI),
	CFG_SEC("director", director_opts, NAMED_SECTIONS),
	CFG_SEC("vip", vip_opts, NAMED_SECTIONS),
	CFG_SEC("sync", sync_opts, CFGF_MULTI),
	CFG_SEC("virtual", virtual_opts, NAMED_SECTIONS),
	CFG_END()
};

/* ---- check blocks ---- */

void config_check_values(cfg_t *block, struct check_values *ret)
{
	*ret = (struct check_values){ 0 };
	for (size_t i = 0; i < CHECK_OPTS; i++)
		ret->v[i] = config_get(block, check_options[i].name);
}

int config_real_check_values(struct loader *l, cfg_t *block, struct check_values *ret)
{
	unsigned n = cfg_num(block), line = config_opening_line(block);

	*ret = (struct check_values){ 0 };
	for (unsigned i = 0; i < n; i++) {
		cfg_opt_t *given = cfg_getnopt(block, i);
		const char *name = cfg_opt_name(given);
		size_t k = 0;

		if (strcmp(name, LINE_OPTION) == 0)
			continue;
		while (k < CHECK_OPTS && strcmp(check_options[k].name, name) != 0)
			k++;
		if (k == CHECK_OPTS) {
			config_report(l, line, "no such option '%s'", name);
		} else if (cfg_opt_size(given) > 0) {
			const struct where w = { "check", name, block->filename };

			/* Given twice, the option is libconfuse's once, with
			 * the last value. */
			ret->owned[k] = value_new(l, &w, cfg_opt_getnstr(given, 0), line, check_options[k].parse);
			if (!ret->owned[k])
				return -ENOMEM;
			ret->v[k] = ret->owned[k];
		}
	}
	return 0;
}

int config_check_defaults(struct loader *l, struct check_values *ret)
{
	*ret = (struct check_values){ 0 };
	for (size_t i = 0; i < CHECK_OPTS; i++) {
		const struct where w = { "check", check_options[i].name, NULL };

		if (!check_options[i].fallback)
			continue;
		ret->owned[i] = value_new(l, &w, check_options[i].fallback, 0, check_options[i].parse);
		if (!ret->owned[i])
			return -ENOMEM;
		ret->v[i] = ret->owned[i];
	}
	return 0;
}

void config_check_values_clear(struct check_values *values)
{
	for (size_t i = 0; i < CHECK_OPTS; i++)
		free(values->owned[i]);
	*values = (struct check_values){ 0 };
}

/* ---- parsing ---- */

int config_parse(struct loader *l, char *text, size_t len, cfg_t **ret)
{
	cfg_t *cfg;
	FILE *f;
	int r;

	/* Callbacks run from cfg_init() on, for the defaults. */
	parsing = l;
	cfg = cfg_init(root_opts, CFGF_NONE);
	if (!cfg) {
		r = -ENOMEM;
		goto out;
	}
	/* Sections inherit the name, and callbacks resolve relative paths by it. */
	cfg->filename = strdup(l->path);
	if (!cfg->filename) {
		r = -ENOMEM;
		goto out;
	}
	cfg_set_error_function(cfg, on_confuse_error);
	if (len == 0) {
		r = 0;
		goto out;
	}
	f = fmemopen(text, len, "r");
	if (!f) {
		r = -errno;
		goto out;
	}
	r = cfg_parse_fp(cfg, f) == CFG_SUCCESS ? 0 : -EINVAL;
	fclose(f);
	if (r < 0 && l->n_problems == l->n_warnings && !l->oom)
		config_report(l, 0, "libconfuse failed to parse the file without saying why");

out:
	/* A callback out of memory stops libconfuse, which says only that
	 * the parse failed. */
	if (l->oom)
		r = -ENOMEM;
	if (r < 0 && cfg) {
		cfg_free(cfg);
		cfg = NULL;
	}
	*ret = cfg;
	return r;
}

void config_tree_free(cfg_t *cfg)
{
	if (cfg)
		cfg_free(cfg);
	parsing = NULL;
}
