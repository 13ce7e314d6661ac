/* When a heartbeat arrived, on the monotonic clock the election uses. */
#pragma once

#include <stdint.h>

/* From the kernel's receive time of the packet (realtime_ts, CLOCK_REALTIME
 * microseconds; 0 when it has none), with the clocks read at real_now and
 * mono_now, once the socket is read. Never before empty_since, when the
 * socket was last found empty: a packet queued before then would have been
 * read then. So a step of the realtime clock between arrival and reading
 * (NTP at boot) ages a packet by at most the time since that last drain,
 * not by the step: a live peer is not taken for dead. */
uint64_t hb_arrival_usec(uint64_t realtime_ts, uint64_t real_now, uint64_t mono_now, uint64_t empty_since);
