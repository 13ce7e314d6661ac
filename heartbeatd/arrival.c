/* Arrival times of heartbeats, apart from any I/O. */
#include "arrival.h"

uint64_t hb_arrival_usec(uint64_t realtime_ts, uint64_t real_now, uint64_t mono_now, uint64_t empty_since)
{
	uint64_t at = mono_now;

	/* A receive time after "now" is a clock stepped back: now it is. */
	if (realtime_ts && realtime_ts <= real_now && real_now - realtime_ts < mono_now)
		at = mono_now - (real_now - realtime_ts);
	return at < empty_since && empty_since <= mono_now ? empty_since : at;
}
