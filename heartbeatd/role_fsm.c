/* The role state machine of one VIP group, apart from any I/O. */
#include "role_fsm.h"

#include <stdarg.h>
#include <stdio.h>

void role_machine_init(struct role_machine *rm)
{
	*rm = (struct role_machine){ .role = HB_ROLE_BACKUP };
}

static void say(struct role_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct role_step *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

/* The one place the role changes: whatever MASTER's details were, they
 * start afresh in the new role. */
static void enter(struct role_machine *rm, struct role_step *s, enum hb_role role, unsigned actions)
{
	rm->role = role;
	rm->handing_over = false;
	rm->handover_since_usec = 0;
	rm->contested = false;
	s->to = role;
	s->actions |= actions | ROLE_PUBLISH;
}

static void release(struct role_machine *rm, struct role_step *s, enum hb_role role)
{
	enter(rm, s, role, ROLE_REMOVE);
}

/* This director wins the election. */
static void win(struct role_machine *rm, const struct role_facts *f, size_t claimants, struct role_step *s)
{
	if (rm->role != HB_ROLE_MASTER) {
		say(s, "%s: %s", f->why, claimants ? "this director wins the election" : "nobody holds it");
		enter(rm, s, HB_ROLE_MASTER, ROLE_ADD | ROLE_ANNOUNCE | ROLE_TELL_PEERS);
		return;
	}
	if (rm->handing_over) {
		/* The winner it waited for is gone (or lost its claim): the
		 * group stays here, and a later handover waits afresh. */
		rm->handing_over = false;
		rm->handover_since_usec = 0;
		say(s, "keeping it: %s", f->why);
	}
	if ((claimants > 1) != rm->contested) {
		/* A healed partition: the other holder announced the group
		 * too, so the network may be sending its traffic there.
		 * Announce it again when the contest starts, and once more
		 * when the loser has let go, to have the last word. */
		rm->contested = claimants > 1;
		say(s, "%s; announcing it again",
		    rm->contested ? "another director holds it too, and this one wins" : "the other holder let go");
		s->actions |= ROLE_ANNOUNCE;
	}
}

/* This director holds the group and another should: let go at once when
 * nobody else can or its interfaces are down; otherwise once the winner
 * has said it holds it, so the handover loses nothing, or after the
 * patience. */
static void lose_held(struct role_machine *rm, const struct role_facts *f, int winner, struct role_step *s)
{
	const struct election_member *me = &f->members[f->self];

	if (!me->links_up) {
		say(s, "an interface of the group is down");
		release(rm, s, HB_ROLE_FAULT);
	} else if (winner < 0) {
		say(s, "%s", me->leaving ? "stopping, and no peer can take it" : f->why);
		release(rm, s, HB_ROLE_BACKUP);
	} else if (f->claims[winner]) {
		say(s, "%s holds it now", f->members[winner].name);
		release(rm, s, HB_ROLE_BACKUP);
	} else if (!rm->handing_over) {
		rm->handing_over = true;
		rm->handover_since_usec = f->now_usec;
		say(s, "handing over to %s", f->members[winner].name);
	} else if (f->now_usec - rm->handover_since_usec > f->patience_usec) {
		say(s, "%s did not take it in %llu ms", f->members[winner].name,
		    (unsigned long long)(f->patience_usec / 1000));
		release(rm, s, HB_ROLE_BACKUP);
	}
}

void role_decide(struct role_machine *rm, const struct role_facts *f, struct role_step *s)
{
	struct election_group eg = {
		.preferred = f->preferred,
		.failback = f->failback,
		.failback_delay_usec = f->failback_delay_usec,
	};
	const struct election_member *me = &f->members[f->self];
	size_t claimants = 0;
	int winner;

	*s = (struct role_step){ .from = rm->role, .to = rm->role };
	for (size_t i = 0; i < f->n; i++)
		if (i == f->self ? rm->role == HB_ROLE_MASTER : f->claims[i]) {
			claimants++;
			eg.holder = f->members[i].name;
		}
	/* Two holders (a healed partition): nobody's tenure counts, the
	 * election alone decides, and the loser lets go. */
	if (claimants > 1)
		eg.holder = NULL;
	winner = election_decide(f->members, f->n, &eg, f->now_usec);
	rm->holder = winner >= 0 ? f->members[winner].name : NULL;

	if (winner >= 0 && (size_t)winner == f->self)
		win(rm, f, claimants, s);
	else if (rm->role == HB_ROLE_MASTER)
		lose_held(rm, f, winner, s);
	else if (me->links_up && rm->role != HB_ROLE_BACKUP) {
		say(s, "%s", f->why);
		enter(rm, s, HB_ROLE_BACKUP, 0);
	} else if (!me->links_up && rm->role != HB_ROLE_FAULT) {
		say(s, "an interface is down");
		enter(rm, s, HB_ROLE_FAULT, 0);
	}
}

void role_stop(struct role_machine *rm, struct role_step *s)
{
	*s = (struct role_step){ .from = rm->role, .to = rm->role };
	if (rm->role != HB_ROLE_MASTER)
		return;
	say(s, "stopping");
	release(rm, s, HB_ROLE_BACKUP);
}
