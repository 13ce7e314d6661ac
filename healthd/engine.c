/* The check engine: every probe on its own timer, one attempt at a time,
 * each bounded by its timeout, results folded into rise/fall. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "manager.h"

static int on_probe_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* sd-event's default lets a timer fire up to 250 ms late, which would
 * stretch every interval and timeout by as much: a check every second
 * would run every 1.1 s on average, and detection would slip the same. */
#define PROBE_TIMER_ACCURACY_USEC 1000

static uint64_t random_below(uint64_t n)
{
	uint64_t r = 0;

	if (n == 0)
		return 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint64_t)rand();
	return r % n;
}

static void arm(struct probe *p, uint64_t at)
{
	sd_event_source_set_time(p->timer, at);
	sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
}

static void log_transition(const struct manager *m, const struct probe *p, enum hc_state from)
{
	for (size_t i = 0; i < p->n_users; i++) {
		const struct lvsd_virtual *v = &m->config->virtuals[p->users[i].virtual_index];
		const struct lvsd_real *r = &v->reals[p->users[i].real_index];
		char where[LVSD_ENDPOINT_STRLEN];

		log_real(p->hc.state == HC_DOWN ? LOG_WARNING : LOG_NOTICE, v->name, r->name,
			 "virtual %s: real %s (%s) %s -> %s: %s", v->name, r->name,
			 endpoint_format(&r->endpoint, where), hc_state_to_string(from),
			 hc_state_to_string(p->hc.state),
			 p->last_ok ? "check passed" : p->reason);
	}
}

/* One choke point for every result, whatever ended the attempt. */
static void finish(struct probe *p, bool passed, const char *reason)
{
	struct manager *m = p->manager;
	uint64_t now = 0;
	enum hc_state from = p->hc.state;
	bool was_ok = p->last_ok;

	sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	p->running = false;
	p->latency_usec = (uint32_t)(now - p->started_usec < UINT32_MAX ? now - p->started_usec : UINT32_MAX);
	p->checks++;
	p->last_ok = passed;
	snprintf(p->reason, sizeof(p->reason), "%s", passed ? "" : reason);
	if (!passed)
		log_debug("%s: check failed: %s", p->label, reason);
	if (hc_update(&p->hc, passed, p->check->rise, p->check->fall)) {
		m->transitions++;
		log_transition(m, p, from);
		manager_publish_probe(m, p);
	} else if (was_ok != passed || p->checks == 1) {
		manager_publish_probe(m, p);
	}
	/* Keep the cadence: the next attempt is an interval after this one
	 * started, not after it ended. */
	arm(p, p->started_usec + p->check->interval_usec > now ? p->started_usec + p->check->interval_usec
								 : now);
}

void probe_done(struct probe *p, bool passed, const char *fmt, ...)
{
	char reason[128] = "";
	va_list ap;

	if (!p->running)
		return;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	p->ops->stop(p);
	finish(p, passed, reason);
}

bool probe_receive_matches(const struct probe *p, const char *text)
{
	return !p->has_receive || regexec(&p->receive, text, 0, NULL, 0) == 0;
}

static int on_probe_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct probe *p = userdata;

	if (p->running) {
		char reason[64];

		snprintf(reason, sizeof(reason), "no answer within %llu ms",
			 (unsigned long long)(p->check->timeout_usec / 1000));
		p->ops->stop(p);
		finish(p, false, reason);
		return 0;
	}
	p->running = true;
	sd_event_now(p->manager->event, CLOCK_MONOTONIC, &p->started_usec);
	arm(p, p->started_usec + p->check->timeout_usec);
	p->ops->start(p);
	return 0;
}

void engine_stop_probe(struct probe *p)
{
	if (p->running)
		p->ops->stop(p);
	if (p->ops->release)
		p->ops->release(p);
	p->running = false;
	p->timer = sd_event_source_disable_unref(p->timer);
}

int engine_start(struct manager *m, struct probe_set *old)
{
	uint64_t now = 0;
	int r, first_error = 0;

	sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	for (size_t i = 0; i < m->probes.n; i++) {
		struct probe *p = m->probes.probes[i];

		p->manager = m;
		if (p->timer)
			continue;  /* carried over from the previous configuration */
		/* Spread the first checks over the first interval: thousands
		 * of servers must not be checked in the same millisecond. */
		r = sd_event_add_time(m->event, &p->timer, CLOCK_MONOTONIC,
				      now + random_below(p->check->interval_usec), PROBE_TIMER_ACCURACY_USEC,
				      on_probe_timer, p);
		if (r < 0) {
			/* Out of memory: this check does not run, the others
			 * do, and the old ones are stopped all the same (they
			 * point into the configuration being replaced). */
			log_error("%s: cannot schedule its check: %s", p->label, strerror(-r));
			if (!first_error)
				first_error = r;
			continue;
		}
		sd_event_source_set_description(p->timer, "probe-timer");
	}
	for (size_t i = 0; old && i < old->n; i++)
		if (old->probes[i])
			engine_stop_probe(old->probes[i]);
	if (old)
		probe_set_clear(old);
	return first_error;
}

enum hc_state engine_real_state(const struct manager *m, size_t virtual_index, size_t real_index)
{
	const struct probe *p = probe_set_lookup(&m->probes, virtual_index, real_index);

	if (p)
		return p->hc.state;
	return probe_fixed_state(m->config->virtuals[virtual_index].reals[real_index].check.type);
}
