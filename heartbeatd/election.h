/* Who holds a VIP group: one pure decision that every director computes
 * from the same facts and so agrees on. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct election_member {
	const char *name;
	unsigned priority;            /* 1..254 */
	bool alive;                   /* heard within the dead time (itself: true) */
	bool links_up;                /* the group's interfaces are up on it */
	bool ping_ok;                 /* reaches one of its ping nodes (or has none) */
	bool leaving;                 /* said it is stopping */
	bool wants, yields;           /* an administrator's takeover / release */
	uint64_t alive_since_usec;    /* when it was last (re)heard after silence */
};

struct election_group {
	const char *preferred;        /* holds the group whenever it can; NULL */
	bool failback;                /* a better director takes the group back */
	uint64_t failback_delay_usec; /* ... once it has been alive this long */
	const char *holder;           /* who holds it now, or NULL */
};

/* The index in members of the director that should hold the group, or -1
 * when none can.
 *
 * Candidates are alive, not leaving, with their links up; when some of
 * them reach a ping node, only those (a director cut off from its ping
 * nodes while a peer is not is the one that is cut off), and not yielding
 * the group unless all of them yield it (a released group is better held
 * by one that released it than by nobody). Among them: one an administrator told to take the group over
 * (the lowest name if several); else the preferred director; else the current holder while failback is off;
 * else the highest priority, ties to the lowest name. A better director
 * than the current holder (preferred, or of a higher priority with
 * failback; an equal one never) takes over only once it has been alive
 * for failback-delay. */
int election_decide(const struct election_member *members, size_t n, const struct election_group *g,
		    uint64_t now_usec);
