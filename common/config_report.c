/* Problems found in lvsd.conf: collected as they are found, reported in
 * file order; and the verdict that -t and lvsctl check-config print. */
#include "config_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
	if (l->n_problems == l->problems_allocated) {
		size_t n = l->problems_allocated ? 2 * l->problems_allocated : 16;

		p = realloc(l->problems, n * sizeof(*p));
		if (!p) {
			free(msg);
			l->oom = true;
			return;
		}
		l->problems = p;
		l->problems_allocated = n;
	}
	l->problems[l->n_problems] = (struct problem){ line, l->n_problems, warning, msg };
	l->n_problems++;
	l->n_warnings += warning;
}

__attribute__((format(printf, 4, 0)))
static void add_problem_va(struct loader *l, unsigned line, bool warning, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	add_problem_of_kind(l, line, warning, msg);
}

void config_report_va(struct loader *l, unsigned line, const char *fmt, va_list ap)
{
	add_problem_va(l, line, false, fmt, ap);
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

/* A warning reads "FILE:LINE: warning: message". */
void config_problems_move(struct loader *l, struct config_errors *errors)
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
	l->problems_allocated = 0;
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

void config_print_verdict(const char *path, int r, const struct config_errors *errors)
{
	for (size_t i = 0; i < errors->n; i++)
		fprintf(stderr, "%s\n", errors->lines[i]);
	if (r < 0)
		return;
	if (errors->n_warnings)
		printf("%s: configuration OK, with %zu warning%s\n", path, errors->n_warnings,
		       errors->n_warnings == 1 ? "" : "s");
	else
		printf("%s: configuration OK\n", path);
}
