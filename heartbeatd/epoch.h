/* This run's epoch: what makes its heartbeats newer than any of an earlier
 * run, so that peers refuse replays of those. */
#pragma once

#include <stdint.h>

/* The wall clock in microseconds, but past the epoch of the previous run
 * recorded in path (then recorded there itself): a clock stepped back
 * since, as an NTP step after a start on a clock running ahead, must not
 * make a restarted heartbeatd look older than its last run, whose
 * heartbeats its peers would then take for new and its own for replays.
 * A missing or unreadable record counts as none; failing to write one is
 * logged, and the epoch still used. */
uint64_t epoch_next(const char *path, uint64_t now_usec);
