/* This director's role in one VIP group, as a state machine apart from any
 * I/O: state x event -> state + actions. roles.c gathers the facts, feeds
 * them in, and carries out the actions of each step it gets back.
 *
 *   BACKUP  --wins the election-->                MASTER      (add, announce)
 *   FAULT   --wins the election-->                MASTER      (add, announce)
 *   BACKUP  --its interfaces go down-->           FAULT
 *   FAULT   --its interfaces come back-->         BACKUP
 *   MASTER  --another wins-->                     MASTER, handing over
 *   MASTER, handing over --the winner holds it,
 *                          or a patience passed--> BACKUP     (remove)
 *   MASTER  --nobody else can hold it, we lose-->  BACKUP     (remove)
 *   MASTER  --its interfaces go down-->           FAULT       (remove)
 *   MASTER  --another holds it too, we win-->     MASTER, contested (announce)
 *   MASTER, contested --the other let go-->       MASTER      (announce)
 *   MASTER  --stop-->                             BACKUP      (remove)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "election.h"
#include "hb_wire.h"

struct role_machine {
	enum hb_role role;
	/* MASTER only: another won the election, and this director keeps
	 * the group until the winner says it holds it, or for a patience
	 * from handover_since_usec. */
	bool handing_over;
	uint64_t handover_since_usec;
	/* MASTER only: another director holds the group too (a healed
	 * partition) and this one wins. */
	bool contested;
	/* Who should hold the group, as last decided; NULL: nobody can. */
	const char *holder;
};

/* The facts of one decision. members (n of them, this director at self)
 * are what election_decide() takes; claims[i]: director i says it holds
 * the group (claims[self] is ignored: the machine knows its own role). */
struct role_facts {
	const struct election_member *members;
	const bool *claims;
	size_t n, self;
	const char *preferred;
	bool failback;
	uint64_t failback_delay_usec;
	/* How long a holder that should let go keeps the group while the
	 * winner has not said it holds it. */
	uint64_t patience_usec;
	uint64_t now_usec;
	const char *why;              /* what prompted the decision */
};

/* What a step asks the I/O side to do, in this order. */
enum role_action {
	ROLE_REMOVE = 1 << 0,         /* stop announcing, remove the addresses */
	ROLE_ADD = 1 << 1,            /* add the addresses */
	ROLE_ANNOUNCE = 1 << 2,       /* announce from the first announcement */
	ROLE_TELL_PEERS = 1 << 3,     /* send a heartbeat now */
	ROLE_PUBLISH = 1 << 4,        /* tell the control socket's subscribers */
};

#define ROLE_REASON_MAX 160

/* One step: from -> to (equal when only the MASTER state's details
 * changed, or nothing did), the actions, and why (empty: nothing to log). */
struct role_step {
	enum hb_role from, to;
	unsigned actions;
	char reason[ROLE_REASON_MAX];
};

void role_machine_init(struct role_machine *rm);

/* The election's answer for the group, and what this director does about
 * it. rm->holder is set to the winner's name (the members' string). */
void role_decide(struct role_machine *rm, const struct role_facts *f, struct role_step *ret);

/* A planned stop with nobody to hand over to (or who did not take it in
 * time): let the group go. */
void role_stop(struct role_machine *rm, struct role_step *ret);

/* Whether a step changes anything the outside sees or must act on. */
static inline bool role_step_empty(const struct role_step *s)
{
	return s->from == s->to && !s->actions && !s->reason[0];
}
