/* heartbeatd's role machine: each director's steps, as a small cluster of
 * them would take them, without sockets or addresses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "role_fsm.h"

#define MS 1000ULL
#define S 1000000ULL
#define MAX 3

struct node {
	const char *name;
	unsigned priority;
	bool alive, links_up, leaving, wants, yields;
	uint64_t alive_since_usec;
	struct role_machine rm;
};

struct cluster {
	struct node nodes[MAX];
	size_t n;
	bool deaf[MAX][MAX];          /* deaf[a][b]: a does not hear b */
	const char *preferred;
	bool failback;
	uint64_t failback_delay_usec;
};

static struct cluster two(void)
{
	struct cluster c = { .n = 2, .failback = true };

	c.nodes[0] = (struct node){ .name = "lb1", .priority = 150, .alive = true, .links_up = true };
	c.nodes[1] = (struct node){ .name = "lb2", .priority = 100, .alive = true, .links_up = true };
	for (size_t i = 0; i < c.n; i++)
		role_machine_init(&c.nodes[i].rm);
	return c;
}

/* One decision of director self, from what it hears of the others. */
static struct role_step decide(struct cluster *c, size_t self, uint64_t now, const char *why)
{
	struct election_member members[MAX];
	bool claims[MAX];
	struct role_facts f = {
		.members = members, .claims = claims, .n = c->n, .self = self,
		.preferred = c->preferred, .failback = c->failback,
		.failback_delay_usec = c->failback_delay_usec,
		.patience_usec = 100 * MS, .now_usec = now, .why = why,
	};
	struct role_step s;

	for (size_t i = 0; i < c->n; i++) {
		const struct node *d = &c->nodes[i];
		bool heard = i == self || (d->alive && !c->deaf[self][i]);

		members[i] = (struct election_member){
			.name = d->name, .priority = d->priority, .alive = heard,
			.links_up = d->links_up, .ping_ok = true, .leaving = d->leaving,
			.wants = d->wants, .yields = d->yields, .alive_since_usec = d->alive_since_usec,
		};
		claims[i] = heard && i != self && d->rm.role == HB_ROLE_MASTER;
	}
	role_decide(&c->nodes[self].rm, &f, &s);
	return s;
}

/* Every live director decides once, in order. */
static void round_all(struct cluster *c, uint64_t now)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->nodes[i].alive)
			decide(c, i, now, "heartbeat");
}

static const char *holders(const struct cluster *c)
{
	static char buf[64];

	buf[0] = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->nodes[i].alive && c->nodes[i].rm.role == HB_ROLE_MASTER)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", buf[0] ? " " : "",
				 c->nodes[i].name);
	return buf;
}

#define TAKEOVER (ROLE_ADD | ROLE_ANNOUNCE | ROLE_TELL_PEERS | ROLE_PUBLISH)
#define RELEASE (ROLE_REMOVE | ROLE_PUBLISH)

Test(role_fsm, the_first_decision_takes_a_group_nobody_holds)
{
	struct cluster c = two();
	struct role_step s = decide(&c, 0, 1 * S, "heartbeat");

	cr_assert_eq(s.from, HB_ROLE_BACKUP);
	cr_assert_eq(s.to, HB_ROLE_MASTER);
	cr_assert_eq(s.actions, TAKEOVER);
	cr_assert_str_eq(s.reason, "heartbeat: nobody holds it");
	cr_assert_str_eq(c.nodes[0].rm.holder, "lb1");
	s = decide(&c, 1, 1 * S, "heartbeat");
	cr_assert(role_step_empty(&s), "lb2 stays backup quietly: %s", s.reason);
	cr_assert_str_eq(c.nodes[1].rm.holder, "lb1");
}

Test(role_fsm, a_backup_takes_over_when_the_holder_dies)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	cr_assert_str_eq(holders(&c), "lb1");
	c.nodes[0].alive = false;
	s = decide(&c, 1, 2 * S, "director lb1 died");
	cr_assert_eq(s.to, HB_ROLE_MASTER);
	cr_assert_eq(s.actions, TAKEOVER);
	cr_assert_str_eq(s.reason, "director lb1 died: nobody holds it");
	cr_assert_str_eq(holders(&c), "lb2");
}

Test(role_fsm, a_planned_stop_hands_over_and_lets_go_once_the_winner_holds_it)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	c.nodes[0].leaving = true;
	s = decide(&c, 0, 2 * S, "stopping");
	cr_assert_eq(s.to, HB_ROLE_MASTER, "kept until lb2 holds it, so nothing is lost");
	cr_assert_eq(s.actions, 0);
	cr_assert_str_eq(s.reason, "handing over to lb2");
	cr_assert_str_eq(c.nodes[0].rm.holder, "lb2");

	s = decide(&c, 1, 2 * S + 1 * MS, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_MASTER);
	cr_assert_str_eq(s.reason, "heartbeat: this director wins the election");
	cr_assert_str_eq(holders(&c), "lb1 lb2", "both, for the moment of the handover");

	s = decide(&c, 0, 2 * S + 2 * MS, "heartbeat");
	cr_assert_eq(s.from, HB_ROLE_MASTER);
	cr_assert_eq(s.to, HB_ROLE_BACKUP);
	cr_assert_eq(s.actions, RELEASE);
	cr_assert_str_eq(s.reason, "lb2 holds it now");
	cr_assert_str_eq(holders(&c), "lb2");
}

Test(role_fsm, a_handover_nobody_takes_ends_after_the_patience)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	c.nodes[0].leaving = true;
	decide(&c, 0, 2 * S, "stopping");
	s = decide(&c, 0, 2 * S + 100 * MS, "heartbeat timer");
	cr_assert_eq(s.to, HB_ROLE_MASTER, "not before the patience has passed");
	cr_assert(role_step_empty(&s));
	s = decide(&c, 0, 2 * S + 101 * MS, "heartbeat timer");
	cr_assert_eq(s.to, HB_ROLE_BACKUP);
	cr_assert_eq(s.actions, RELEASE);
	cr_assert_str_eq(s.reason, "lb2 did not take it in 100 ms");
}

Test(role_fsm, stopping_with_no_peer_to_take_it_lets_go_at_once)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	c.nodes[1].alive = false;
	c.nodes[0].leaving = true;
	s = decide(&c, 0, 2 * S, "stopping");
	cr_assert_eq(s.to, HB_ROLE_BACKUP);
	cr_assert_eq(s.actions, RELEASE);
	cr_assert_str_eq(s.reason, "stopping, and no peer can take it");
	cr_assert_null(c.nodes[0].rm.holder);
}

Test(role_fsm, stop_releases_a_held_group_and_nothing_else)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	role_stop(&c.nodes[1].rm, &s);
	cr_assert(role_step_empty(&s), "a backup has nothing to let go");
	role_stop(&c.nodes[0].rm, &s);
	cr_assert_eq(s.from, HB_ROLE_MASTER);
	cr_assert_eq(s.to, HB_ROLE_BACKUP);
	cr_assert_eq(s.actions, RELEASE);
	cr_assert_str_eq(s.reason, "stopping");
}

Test(role_fsm, two_holders_after_a_partition_heals_the_loser_lets_go)
{
	struct cluster c = two();
	struct role_step s;

	c.deaf[0][1] = c.deaf[1][0] = true;
	round_all(&c, 1 * S);
	cr_assert_str_eq(holders(&c), "lb1 lb2", "each side of the partition holds it");

	c.deaf[0][1] = c.deaf[1][0] = false;
	s = decide(&c, 0, 2 * S, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_MASTER);
	cr_assert_eq(s.actions, ROLE_ANNOUNCE, "the winner announces again, the other having announced too");
	cr_assert_str_eq(s.reason, "another director holds it too, and this one wins; announcing it again");
	cr_assert(c.nodes[0].rm.contested);
	s = decide(&c, 0, 2 * S + 1 * MS, "heartbeat");
	cr_assert(role_step_empty(&s), "announced once per contest, not per heartbeat");

	s = decide(&c, 1, 2 * S + 2 * MS, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_BACKUP, "the loser lets go at once: the winner holds it already");
	cr_assert_eq(s.actions, RELEASE);
	cr_assert_str_eq(s.reason, "lb1 holds it now");

	s = decide(&c, 0, 2 * S + 3 * MS, "heartbeat");
	cr_assert_eq(s.actions, ROLE_ANNOUNCE, "and once more to have the last word");
	cr_assert_str_eq(s.reason, "the other holder let go; announcing it again");
	cr_assert_not(c.nodes[0].rm.contested);
	cr_assert_str_eq(holders(&c), "lb1");
}

Test(role_fsm, two_holders_of_equal_priority_resolve_by_name)
{
	struct cluster c = two();

	c.nodes[1].priority = 150;
	c.failback = false;
	c.deaf[0][1] = c.deaf[1][0] = true;
	round_all(&c, 1 * S);
	c.deaf[0][1] = c.deaf[1][0] = false;
	/* Tenure counts for nothing between two holders, failback or not:
	 * both must reach the same answer. */
	decide(&c, 1, 2 * S, "heartbeat");
	decide(&c, 0, 2 * S, "heartbeat");
	decide(&c, 1, 2 * S, "heartbeat");
	cr_assert_str_eq(holders(&c), "lb1");
}

Test(role_fsm, failback_waits_for_the_delay)
{
	struct cluster c = two();
	struct role_step s;

	c.failback_delay_usec = 5 * S;
	c.nodes[0].alive = false;
	round_all(&c, 1 * S);
	cr_assert_str_eq(holders(&c), "lb2");

	c.nodes[0].alive = true;
	c.nodes[0].alive_since_usec = 10 * S;
	s = decide(&c, 0, 11 * S, "heartbeat");
	cr_assert(role_step_empty(&s), "lb1 back for 1 s of a 5 s delay takes nothing");
	cr_assert_str_eq(c.nodes[0].rm.holder, "lb2");
	s = decide(&c, 1, 11 * S, "heartbeat");
	cr_assert(role_step_empty(&s), "and lb2 keeps it");

	s = decide(&c, 0, 15 * S + 1, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_MASTER);
	cr_assert_str_eq(s.reason, "heartbeat: this director wins the election");
	s = decide(&c, 1, 15 * S + 2, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_BACKUP);
	cr_assert_str_eq(s.reason, "lb1 holds it now");
}

Test(role_fsm, without_failback_the_holder_keeps_the_group)
{
	struct cluster c = two();

	c.failback = false;
	c.nodes[0].alive = false;
	round_all(&c, 1 * S);
	c.nodes[0].alive = true;
	c.nodes[0].alive_since_usec = 2 * S;
	round_all(&c, 100 * S);
	cr_assert_str_eq(holders(&c), "lb2");
}

Test(role_fsm, takeover_and_release_move_the_group)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	c.nodes[1].wants = true;
	s = decide(&c, 1, 2 * S, "takeover asked");
	cr_assert_eq(s.to, HB_ROLE_MASTER, "at once, whatever the priorities");
	cr_assert_str_eq(s.reason, "takeover asked: this director wins the election");
	s = decide(&c, 0, 2 * S, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_BACKUP);
	cr_assert_str_eq(holders(&c), "lb2");

	c.nodes[1].wants = false;
	c.nodes[1].yields = true;
	s = decide(&c, 1, 3 * S, "release asked");
	cr_assert_eq(s.to, HB_ROLE_MASTER, "held until lb1 holds it");
	cr_assert_str_eq(s.reason, "handing over to lb1");
	round_all(&c, 3 * S);
	cr_assert_str_eq(holders(&c), "lb1");
}

Test(role_fsm, a_release_with_nobody_to_take_it_keeps_the_group)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	c.nodes[1].alive = false;
	c.nodes[0].yields = true;
	s = decide(&c, 0, 2 * S, "release asked");
	cr_assert(role_step_empty(&s));
	cr_assert_str_eq(holders(&c), "lb1");
}

Test(role_fsm, a_group_whose_interface_goes_down_is_in_fault_and_moves)
{
	struct cluster c = two();
	struct role_step s;

	c.failback = false;
	round_all(&c, 1 * S);
	c.nodes[0].links_up = false;
	s = decide(&c, 0, 2 * S, "heartbeat");
	cr_assert_eq(s.from, HB_ROLE_MASTER);
	cr_assert_eq(s.to, HB_ROLE_FAULT);
	cr_assert_eq(s.actions, RELEASE, "let go at once: its addresses cannot serve");
	cr_assert_str_eq(s.reason, "an interface of the group is down");
	s = decide(&c, 1, 2 * S, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_MASTER, "a peer in fault is no candidate");

	s = decide(&c, 0, 3 * S, "heartbeat");
	cr_assert(role_step_empty(&s), "fault stays fault while the interface is down");
	c.nodes[0].links_up = true;
	s = decide(&c, 0, 4 * S, "heartbeat");
	cr_assert_eq(s.from, HB_ROLE_FAULT);
	cr_assert_eq(s.to, HB_ROLE_BACKUP);
	cr_assert_eq(s.actions, ROLE_PUBLISH);
	cr_assert_str_eq(s.reason, "heartbeat");
}

Test(role_fsm, a_backup_whose_interface_goes_down_is_in_fault)
{
	struct cluster c = two();
	struct role_step s;

	round_all(&c, 1 * S);
	c.nodes[1].links_up = false;
	s = decide(&c, 1, 2 * S, "heartbeat");
	cr_assert_eq(s.from, HB_ROLE_BACKUP);
	cr_assert_eq(s.to, HB_ROLE_FAULT);
	cr_assert_eq(s.actions, ROLE_PUBLISH, "nothing to remove");
	cr_assert_str_eq(s.reason, "an interface is down");
}

Test(role_fsm, a_handover_whose_winner_dies_is_called_off_and_a_later_one_waits_afresh)
{
	struct cluster c = two();
	struct role_step s;

	c.preferred = "lb2";
	c.nodes[1].alive = false;
	round_all(&c, 1 * S);
	cr_assert_str_eq(holders(&c), "lb1");
	c.nodes[1].alive = true;
	s = decide(&c, 0, 2 * S, "heartbeat");
	cr_assert_str_eq(s.reason, "handing over to lb2");
	c.nodes[1].alive = false;
	s = decide(&c, 0, 2 * S + 50 * MS, "director lb2 died");
	cr_assert_eq(s.to, HB_ROLE_MASTER);
	cr_assert_str_eq(s.reason, "keeping it: director lb2 died");
	cr_assert_not(c.nodes[0].rm.handing_over);

	/* lb2 is back much later: its patience runs from now, not from
	 * the handover that was called off. */
	c.nodes[1].alive = true;
	s = decide(&c, 0, 10 * S, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_MASTER);
	cr_assert_str_eq(s.reason, "handing over to lb2");
	s = decide(&c, 0, 10 * S + 50 * MS, "heartbeat");
	cr_assert_eq(s.to, HB_ROLE_MASTER, "still within the patience of this handover");
}

Test(role_fsm, three_directors_agree_on_one_holder_at_every_step)
{
	struct cluster c = two();

	c.n = 3;
	c.nodes[2] = (struct node){ .name = "lb3", .priority = 120, .alive = true, .links_up = true };
	role_machine_init(&c.nodes[2].rm);
	for (int r = 0; r < 3; r++)
		round_all(&c, (uint64_t)(1 + r) * S);
	cr_assert_str_eq(holders(&c), "lb1");
	c.nodes[0].alive = false;
	for (int r = 0; r < 3; r++)
		round_all(&c, (uint64_t)(10 + r) * S);
	cr_assert_str_eq(holders(&c), "lb3", "the next priority, not both backups");
	for (size_t i = 1; i < 3; i++)
		cr_assert_str_eq(c.nodes[i].rm.holder, "lb3");
}
