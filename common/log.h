/* Logging: to the journal (structured fields) under systemd, else stderr. */
#pragma once

#include <stdarg.h>
#include <syslog.h>

/* Chooses the sink: journal when stderr is connected to it (JOURNAL_STREAM),
 * stderr otherwise. ident prefixes stderr lines. */
void log_open(const char *ident);
void log_set_level(int priority);
int log_get_level(void);

/* The names of the levels lvsd offers, indexed by syslog priority (the
 * holes are priorities it does not offer): -l and log-level take them. */
extern const char *const log_level_names[LOG_DEBUG + 1];
/* "debug" ... "error" -> LOG_DEBUG ... LOG_ERR, or -EINVAL. */
int log_level_from_string(const char *s);
const char *log_level_to_string(int priority);

/* Logs one line. field/value add a structured journal field such as
 * LVSD_VIRTUAL=web (either may be NULL). */
void log_full(int priority, const char *field, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_debug(...) log_full(LOG_DEBUG, NULL, NULL, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, NULL, NULL, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, NULL, NULL, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, NULL, NULL, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, NULL, NULL, __VA_ARGS__)

/* The same, tagged with the virtual service concerned. */
#define log_virtual(prio, vname, ...) log_full(prio, "LVSD_VIRTUAL", vname, __VA_ARGS__)

/* Tagged with a real server and its virtual service: LVSD_VIRTUAL= and
 * LVSD_REAL=, so `journalctl LVSD_REAL=web1` finds every daemon's word on it. */
void log_real(int priority, const char *virtual_name, const char *real_name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
