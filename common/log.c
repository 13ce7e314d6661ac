/* Logging to the journal or stderr. */
#include "log.h"

#include "enum_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

/* The logger is process-wide by nature (like syslog(3)): set once at start-up. */
static struct {
	const char *ident;
	int level;
	int to_journal;
} logger = { "lvsd", LOG_INFO, 0 };

const char *const log_level_names[LOG_DEBUG + 1] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_NOTICE] = "notice",
	[LOG_WARNING] = "warning",
	[LOG_ERR] = "error",
};

/* systemd sets JOURNAL_STREAM=DEV:INODE when stderr is the journal; only
 * then are structured fields worth sending (a redirected stderr is not). */
static int stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%lu:%lu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

void log_open(const char *ident)
{
	logger.ident = ident;
	logger.to_journal = stderr_is_journal();
}

void log_set_level(int priority)
{
	logger.level = priority;
}

int log_get_level(void)
{
	return logger.level;
}

int log_level_from_string(const char *s)
{
	return enum_value(log_level_names, sizeof(log_level_names) / sizeof(*log_level_names), s);
}

const char *log_level_to_string(int priority)
{
	if (priority < 0 || (size_t)priority >= sizeof(log_level_names) / sizeof(*log_level_names))
		return NULL;
	return log_level_names[priority];
}

/* One line with up to two structured fields (NULL field or value: none). */
__attribute__((format(printf, 6, 0)))
static void emit(int priority, const char *field1, const char *value1, const char *field2, const char *value2,
		 const char *fmt, va_list ap)
{
	char msg[2048];
	int saved_errno = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!field1 || !value1) {
		field1 = field2, value1 = value2;
		field2 = value2 = NULL;
	}
	if (!field2 || !value2)
		field2 = value2 = NULL;

	if (logger.to_journal) {
		if (field2)
			sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
					"SYSLOG_IDENTIFIER=%s", logger.ident,
					"%s=%s", field1, value1, "%s=%s", field2, value2, NULL);
		else if (field1 && value1)
			sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
					"SYSLOG_IDENTIFIER=%s", logger.ident,
					"%s=%s", field1, value1, NULL);
		else
			sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
					"SYSLOG_IDENTIFIER=%s", logger.ident, NULL);
	} else {
		const char *name = log_level_to_string(priority);

		fprintf(stderr, "%s: %s%s%s\n", logger.ident,
			priority <= LOG_WARNING ? (name ? name : "") : "",
			priority <= LOG_WARNING ? ": " : "", msg);
	}
	errno = saved_errno;
}

void log_full(int priority, const char *field, const char *value, const char *fmt, ...)
{
	va_list ap;

	if (priority > logger.level)
		return;
	va_start(ap, fmt);
	emit(priority, field, value, NULL, NULL, fmt, ap);
	va_end(ap);
}

void log_real(int priority, const char *virtual_name, const char *real_name, const char *fmt, ...)
{
	va_list ap;

	if (priority > logger.level)
		return;
	va_start(ap, fmt);
	emit(priority, "LVSD_VIRTUAL", virtual_name, "LVSD_REAL", real_name, fmt, ap);
	va_end(ap);
}
