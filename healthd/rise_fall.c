/* The rise/fall decision, apart from any I/O. */
#include "rise_fall.h"

static const char *const state_names[_HC_STATE_MAX] = {
	[HC_UNKNOWN] = "unknown",
	[HC_UP] = "up",
	[HC_DOWN] = "down",
};

const char *hc_state_to_string(enum hc_state s)
{
	return (unsigned)s < _HC_STATE_MAX ? state_names[s] : "?";
}

bool hc_update(struct hc_counter *c, bool passed, unsigned rise, unsigned fall)
{
	unsigned needed;
	enum hc_state next;

	if (rise < 1)
		rise = 1;
	if (fall < 1)
		fall = 1;
	switch (c->state) {
	case HC_UP:
		if (passed) {
			c->against = 0;
			return false;
		}
		needed = fall;
		next = HC_DOWN;
		break;
	case HC_DOWN:
		if (!passed) {
			c->against = 0;
			return false;
		}
		needed = rise;
		next = HC_UP;
		break;
	case HC_UNKNOWN:
	default:
		if (passed) {
			*c = (struct hc_counter){ .state = HC_UP };
			return true;
		}
		needed = fall;
		next = HC_DOWN;
		break;
	}
	if (++c->against < needed)
		return false;
	*c = (struct hc_counter){ .state = next };
	return true;
}
