/* The election, apart from any I/O. */
#include "election.h"

#include <string.h>

static bool better(const struct election_member *a, const struct election_member *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	return strcmp(a->name, b->name) < 0;
}

int election_decide(const struct election_member *m, size_t n, const struct election_group *g,
		    uint64_t now_usec)
{
	bool candidate[n ? n : 1], any_ping = false, any_willing = false;
	int best = -1, holder = -1, preferred = -1, wanting = -1;

	for (size_t i = 0; i < n; i++) {
		candidate[i] = m[i].alive && m[i].links_up && !m[i].leaving;
		any_willing |= candidate[i] && !m[i].yields;
	}
	/* A release moves the group away while another can hold it; when none
	 * can, the group is better held by one that released it than by
	 * nobody. */
	for (size_t i = 0; i < n; i++) {
		if (any_willing && m[i].yields)
			candidate[i] = false;
		any_ping |= candidate[i] && m[i].ping_ok;
	}
	for (size_t i = 0; i < n; i++) {
		if (any_ping && !m[i].ping_ok)
			candidate[i] = false;
		if (!candidate[i])
			continue;
		if (best < 0 || better(&m[i], &m[best]))
			best = (int)i;
		if (g->holder && strcmp(m[i].name, g->holder) == 0)
			holder = (int)i;
		if (g->preferred && strcmp(m[i].name, g->preferred) == 0)
			preferred = (int)i;
		if (m[i].wants && (wanting < 0 || strcmp(m[i].name, m[wanting].name) < 0))
			wanting = (int)i;
	}
	/* An administrator's word goes first, and at once. */
	if (wanting >= 0)
		return wanting;
	if (preferred >= 0)
		best = preferred;
	if (best < 0 || holder < 0 || holder == best)
		return best;
	/* The holder can keep the group: does the better one take it now?
	 * Failback is for a higher priority: a tie broken by name is no
	 * reason to move the group. */
	if (preferred < 0 && (!g->failback || m[best].priority == m[holder].priority))
		return holder;
	if (now_usec - m[best].alive_since_usec < g->failback_delay_usec)
		return holder;
	return best;
}
