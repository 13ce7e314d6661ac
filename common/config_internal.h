/* Internal to the configuration module, common/config*.c; nothing else in
 * lvsd includes this (cfg_t stays inside the module).
 *
 *   config.c         the text, libconfuse and its value callbacks, config_load()
 *   config_build.c   the cfg_t tree -> the structs of config.h, checks that
 *                    involve several values, config_free()
 *   config_values.c  parsers of single values, the enums' string tables
 *   config_real_notes.c  what the parse learns of each real, for the builder */
#pragma once

#include <confuse.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "string_pool.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* ---- one config_load() call (config.c) ---- */

struct problem;
struct real_note;

/* The real sections' notes (see real_notes_put()): a hash table by section. */
struct real_notes {
	struct real_note *slots;
	size_t n, size;
};

struct loader {
	const char *path;
	struct string_pool *strings;  /* the configuration's (config_build()) */
	struct real_notes reals;
	struct problem *problems;
	size_t n_problems;
	size_t n_warnings;        /* of the problems */
	bool oom;                 /* a problem or a value could not be stored */
};

/* Records a problem at line (0: the file as a whole); the messages are sorted
 * into file order at the end. */
void config_report(struct loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Records a warning: something valid that is likely a mistake. The file
 * still loads; the warning is reported with the problems. */
void config_warn(struct loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The line where section sec opens (libconfuse itself keeps where it closes);
 * for a real, the line of its address (where it closes when it has none). */
unsigned config_opening_line(cfg_t *sec);

/* Holds the options of a real's own check block (free-form strings to
 * libconfuse) to those of a virtual's, reporting problems at its line. */
void config_check_real_check(cfg_t *block);
/* A check block's string value of option, NULL when not given. Unlike
 * cfg_getstr() it does not complain of an option the block lacks, which a
 * real's check block does for every option not written in it. */
const char *config_block_value(cfg_t *block, const char *option);

/* An integer option's range, by section ("root", "cluster", "check", ...). */
struct config_uint_option {
	const char *section, *option;
	uint64_t min, max;
};
/* NULL when section has no such integer option. */
const struct config_uint_option *config_uint_option_find(const char *section, const char *option);

/* The options of a real section, in the order of config.c's real_opts: the
 * builder reads them by their place, reals being many. */
enum { REAL_OPT_ADDRESS, REAL_OPT_WEIGHT, REAL_OPT_FORWARD, REAL_OPT_CHECK };

/* ---- the builder (config_build.c) ---- */

/* Converts the parsed tree into c (zeroed), reporting what involves several
 * values. 0 or -ENOMEM; the problems found are in l. */
int config_build(struct loader *l, cfg_t *cfg, struct lvsd_config *c);

/* ---- parsers of single values (config_values.c) ----
 *
 * libconfuse's value callbacks run them to report a bad value at the value's
 * own line; the builder runs them again to convert values already known to be
 * good. Each returns 0, or -EINVAL with the reason in why (CONFIG_WHY_MAX
 * bytes; the reason names neither option nor value, the caller adds those). */

#define CONFIG_WHY_MAX 200

int config_uint_parse(const char *text, uint64_t min, uint64_t max, uint64_t *ret, char *why);
/* duration_parse(), and more than zero when positive. */
int config_duration_parse(const char *text, bool positive, uint64_t *ret_usec, char *why);
/* A persistence timeout: 0 (off) or whole seconds up to a year. */
int config_persistent_parse(const char *text, uint32_t *ret_sec, char *why);

/* The enumerated option called option ("protocol", "forward", "type",
 * "method", "transport", "log-level"): its enum value (log-level: LOG_*). */
int config_enum_parse(const char *option, const char *text, int *ret, char *why);

int config_address_parse(const char *text, struct lvsd_addr *ret, char *why);
int config_endpoint_parse(const char *text, bool port_optional, struct lvsd_endpoint *ret, char *why);

/* A real server's address: "ADDR[:PORT]" or a range "FIRST->LAST[:PORT]"
 * (IPv6 in brackets), at most LVSD_MAX_RANGE addresses. */
struct config_real_address {
	struct lvsd_addr first;
	uint16_t port;            /* 0: not given */
	unsigned count;           /* 1 unless a range */
	bool range;
};
int config_real_address_parse(const char *text, struct config_real_address *ret, char *why);

/* What libconfuse's callback learns of each real section while it parses:
 * the line of its address and the address itself. Reals come by the
 * thousand; with these notes the builder needs neither a hidden option in
 * every real section (libconfuse copies each section's whole option table)
 * nor a second parse of every address. */
struct real_note {
	const cfg_t *sec;
	unsigned line;            /* of its address */
	bool valid;               /* the address parsed (else it was reported) */
	struct config_real_address address;
};
/* Notes (or notes again: an address given twice) what a section's address
 * says. 0 or -ENOMEM. */
int real_notes_put(struct real_notes *t, const struct real_note *note);
/* The note of sec, NULL when it has no address. */
const struct real_note *real_notes_get(const struct real_notes *t, const cfg_t *sec);
void real_notes_clear(struct real_notes *t);

/* A vip address: "ADDR/PREFIX" optionally followed by "dev IFNAME". */
struct config_vip_address {
	struct lvsd_addr addr;
	unsigned prefixlen;
	char dev[IFNAMSIZ];       /* "" when no dev was given */
};
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

struct config_sched_flag {
	const char *name;
	uint32_t bit;             /* LVSD_SCHED_FLAG* */
	const char *scheduler;    /* the only scheduler it means something to, or NULL */
};
/* NULL (and the accepted names in why) if text is no scheduler flag. */
const struct config_sched_flag *config_sched_flag_find(const char *text, char *why);

/* A POSIX extended regular expression ("" matches anything). */
int config_regex_check(const char *text, char *why);

/* path as given, or, if relative, relative to the configuration file's
 * directory. NULL when out of memory. */
char *config_resolve_path(const char *config_path, const char *path);
