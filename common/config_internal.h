/* Internal to the configuration module, common/config*.c; nothing else in
 * lvsd includes this (cfg_t stays inside the module).
 *
 *   config.c                 config_load(): the file, libconfuse, the loader
 *   config_text.c            the text as libconfuse is given it
 *   config_options.c         libconfuse's option tables and value callbacks:
 *                            each value parsed once, kept typed with its line
 *   config_values.c          parsers of single values, the enums' string tables
 *   config_build.c           the tree -> the structs of config.h: the top level,
 *                            cluster, directors, vips, sync; config_free()
 *   config_build_virtuals.c  virtuals, reals and checks
 *   config_report.c          problems and warnings, the verdict
 *   config_dump.c            a configuration as text */
#pragma once

#include <confuse.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "string_pool.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* ---- one config_load() call (config.c) ---- */

struct problem;

struct loader {
	const char *path;
	struct string_pool *strings;  /* the configuration's (config_build()) */
	struct problem *problems;
	size_t n_problems, problems_allocated;
	size_t n_warnings;        /* of the problems */
	bool oom;                 /* a problem or a value could not be stored */
};

/* ---- problems (config_report.c) ---- */

/* Records a problem at line (0: the file as a whole); the messages are sorted
 * into file order at the end. */
void config_report(struct loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void config_report_va(struct loader *l, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Records a warning: something valid that is likely a mistake. The file
 * still loads; the warning is reported with the problems. */
void config_warn(struct loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends l's problems, in file order, to errors (which may be NULL) as
 * "FILE:LINE: message", and forgets them. */
void config_problems_move(struct loader *l, struct config_errors *errors);

/* ---- the text (config_text.c) ---- */

/* Makes text (len bytes and a NUL) fit for libconfuse, reporting what it
 * would miss or misreport; -EINVAL when libconfuse must not see it. */
int config_text_prepare(struct loader *l, char *text, size_t len);

/* ---- libconfuse's options and the values it parsed (config_options.c) ---- */

/* The tree libconfuse parsed from text (len bytes), its values checked
 * and typed, problems reported to l. 0, -EINVAL after a syntax error (the
 * tree would be incomplete: *ret is NULL) or -ENOMEM. Whatever it returns,
 * config_tree_free() ends it. */
int config_parse(struct loader *l, char *text, size_t len, cfg_t **ret);
void config_tree_free(cfg_t *cfg);

/* A real server's address: "ADDR[:PORT]" or a range "FIRST->LAST[:PORT]". */
struct config_real_address {
	struct lvsd_addr first;
	uint16_t port;            /* 0: not given */
	unsigned count;           /* 1 unless a range */
	bool range;
};

/* A vip address: "ADDR/PREFIX" optionally followed by "dev IFNAME". */
struct config_vip_address {
	struct lvsd_addr addr;
	unsigned prefixlen;
	char dev[IFNAMSIZ];       /* "" when no dev was given */
};

struct config_sched_flag {
	const char *name;
	uint32_t bit;             /* LVSD_SCHED_FLAG* */
	const char *scheduler;    /* the only scheduler it means something to, or NULL */
};

/* A value as its option's callback parsed it, once: its type is its
 * option's. A bad value is reported where it is written and never handed
 * to the builder. */
struct config_value {
	unsigned line;            /* where libconfuse read it */
	bool ok;                  /* else reported at line */
	union {
		uint64_t number;  /* whole numbers; durations in microseconds;
				   * persistent in seconds */
		int choice;       /* an enum's (log-level: a LOG_* priority) */
		struct lvsd_addr addr;
		struct lvsd_endpoint endpoint;
		struct config_real_address real;
		struct config_vip_address vip;
		struct {
			unsigned prefix;
			bool dotted;      /* written as 255.255.255.0 */
		} netmask;
		struct {
			uint16_t min, max;
		} status;
		const struct config_sched_flag *flag;
	};
	char text[];              /* as written */
};

/* The value of option in sec, NULL when it is not given (a bad one is
 * there, with ok false: already reported). For a real section, option is
 * its place (REAL_OPT_*): reals are many. */
const struct config_value *config_get(cfg_t *sec, const char *option);
const struct config_value *config_getn(cfg_t *sec, const char *option, unsigned i);
const struct config_value *config_real_get(cfg_t *real, unsigned option);

/* The options of a real section, in the order of its option table. */
enum { REAL_OPT_ADDRESS, REAL_OPT_WEIGHT, REAL_OPT_FORWARD, REAL_OPT_CHECK };

/* The line where section sec opens; for a real, the line of its address
 * (where it closes when it has none). */
unsigned config_opening_line(cfg_t *sec);

/* The options of a check block, by their place. */
enum {
	CHECK_OPT_TYPE, CHECK_OPT_PORT, CHECK_OPT_INTERVAL, CHECK_OPT_TIMEOUT, CHECK_OPT_RISE,
	CHECK_OPT_FALL, CHECK_OPT_REQUEST, CHECK_OPT_RECEIVE, CHECK_OPT_STATUS, CHECK_OPT_VIRTUALHOST,
	CHECK_OPT_METHOD, CHECK_OPT_CA_FILE, CHECK_OPT_COMMAND, CHECK_OPTS
};

/* A check block's values by CHECK_OPT_* (NULL: not given; a bad one has
 * ok false). */
struct check_values {
	const struct config_value *v[CHECK_OPTS];
	struct config_value *owned[CHECK_OPTS];   /* parsed for a real's block, or defaults */
};
/* The values of a virtual's check block. */
void config_check_values(cfg_t *block, struct check_values *ret);
/* The values of a real's check block, which libconfuse keeps as free-form
 * strings (see config_options.c), parsed now and their problems reported
 * at the block's opening line. 0 or -ENOMEM. */
int config_real_check_values(struct loader *l, cfg_t *block, struct check_values *ret);
/* The defaults of a check, in lvsd.conf's own words, parsed. 0 or -ENOMEM. */
int config_check_defaults(struct loader *l, struct check_values *ret);
void config_check_values_clear(struct check_values *values);

/* ---- the builder (config_build.c, config_build_virtuals.c) ---- */

/* Converts the parsed tree into c (zeroed), reporting what involves several
 * values. 0 or -ENOMEM; the problems found are in l. */
int config_build(struct loader *l, cfg_t *cfg, struct lvsd_config *c);
int config_build_virtuals(struct loader *l, cfg_t *cfg, struct lvsd_config *c);

/* A copy of s in the configuration's pool; NULL reads as "", and when out
 * of memory (l->oom is then set). */
const char *config_strdup(struct loader *l, const char *s);
/* The first of parent's sections called name, NULL if none. Such a section
 * is allowed once (cluster, sync, check): each repetition is reported at
 * its line, prefixed with where (may be ""). */
cfg_t *config_first_section(struct loader *l, cfg_t *parent, const char *name, const char *where);
const char *config_family_name(int family);

/* ---- parsers of single values (config_values.c) ----
 *
 * Each returns 0, or -EINVAL with the reason in why (CONFIG_WHY_MAX bytes;
 * the reason names neither option nor value, the caller adds those). */

#define CONFIG_WHY_MAX 200

int config_uint_parse(const char *text, uint64_t min, uint64_t max, uint64_t *ret, char *why);
/* duration_parse(), and more than zero when positive. */
int config_duration_parse(const char *text, bool positive, uint64_t *ret_usec, char *why);
/* A persistence timeout: 0 (off) or whole seconds up to a month. */
int config_persistent_parse(const char *text, uint32_t *ret_sec, char *why);

/* The enumerated option called option ("protocol", "forward", "type",
 * "method", "transport", "log-level"): its enum value (log-level: LOG_*). */
int config_enum_parse(const char *option, const char *text, int *ret, char *why);

int config_address_parse(const char *text, struct lvsd_addr *ret, char *why);
int config_endpoint_parse(const char *text, bool port_optional, struct lvsd_endpoint *ret, char *why);

/* A real server's address: "ADDR[:PORT]" or a range "FIRST->LAST[:PORT]"
 * (IPv6 in brackets), at most LVSD_MAX_RANGE addresses. */
int config_real_address_parse(const char *text, struct config_real_address *ret, char *why);

int config_vip_address_parse(const char *text, struct config_vip_address *ret, char *why);

/* A network interface name as the kernel accepts it. */
int config_ifname_check(const char *text, char *why);

/* "255.255.255.0" (dotted is set), "24" or "/24": a prefix length 0..128;
 * whether it suits the virtual's family is the caller's business. */
int config_netmask_parse(const char *text, unsigned *ret_prefix, bool *ret_dotted, char *why);

/* "200" or "200-399", each 100..599. */
int config_status_parse(const char *text, uint16_t *ret_min, uint16_t *ret_max, char *why);

/* An IPVS scheduler name: 1..15 of [a-z0-9_]. Whether the kernel has such a
 * scheduler is the kernel's to say. */
int config_scheduler_check(const char *text, char *why);
/* The schedulers Linux ships, "rr, wrr, ...". */
extern const char config_known_schedulers[];
bool config_scheduler_is_known(const char *text);

/* NULL (and the accepted names in why) if text is no scheduler flag. */
const struct config_sched_flag *config_sched_flag_find(const char *text, char *why);

/* A POSIX extended regular expression ("" matches anything). */
int config_regex_check(const char *text, char *why);

/* path as given, or, if relative, relative to the configuration file's
 * directory. NULL when out of memory. */
char *config_resolve_path(const char *config_path, const char *path);
