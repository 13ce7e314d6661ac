/* Rise and fall: when consecutive check results change a server's health.
 *
 * One counter of results that contradict the current state (as HAProxy
 * counts), so a flapping server never accumulates both ways. An unknown
 * server (nothing checked yet) comes up on its first passed check: on a cold
 * start it enters the table as soon as it can serve, and goes down after
 * `fall` failures like a server that was up. */
#pragma once

#include <stdbool.h>

enum hc_state {
	HC_UNKNOWN,
	HC_UP,
	HC_DOWN,
	_HC_STATE_MAX,
};

const char *hc_state_to_string(enum hc_state s);

struct hc_counter {
	enum hc_state state;
	unsigned against;         /* consecutive results contradicting state */
};

/* Folds one result into c; returns true when the state changed. rise and
 * fall below 1 count as 1. */
bool hc_update(struct hc_counter *c, bool passed, unsigned rise, unsigned fall);
