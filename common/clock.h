/* The two clocks lvsd reads, in microseconds (the unit of sd-event). */
#pragma once

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC: for intervals and deadlines. */
static inline uint64_t monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* CLOCK_REALTIME since 1970: for what outlives the process (epochs). */
static inline uint64_t realtime_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}
