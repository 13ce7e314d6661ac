/* The election: every director must reach the same answer from the same facts. */
#include <criterion/criterion.h>

#include "election.h"

#define S 1000000ULL

static struct election_member member(const char *name, unsigned prio)
{
	return (struct election_member){ .name = name, .priority = prio, .alive = true, .links_up = true,
					 .ping_ok = true, .alive_since_usec = 0 };
}

static const char *winner(const struct election_member *m, size_t n, const struct election_group *g,
			  uint64_t now)
{
	int i = election_decide(m, n, g, now);

	return i < 0 ? "nobody" : m[i].name;
}

Test(election, highest_priority_then_lowest_name)
{
	struct election_member m[] = { member("lb2", 100), member("lb1", 150), member("lb3", 150) };
	struct election_group g = { .failback = true };

	cr_assert_str_eq(winner(m, 3, &g, 10 * S), "lb1");
	m[1].alive = false;
	cr_assert_str_eq(winner(m, 3, &g, 10 * S), "lb3");
}

Test(election, the_order_of_members_does_not_matter)
{
	struct election_member a[] = { member("lb1", 100), member("lb2", 100), member("lb3", 90) };
	struct election_member b[] = { a[2], a[1], a[0] };
	struct election_group g = { .failback = true };

	cr_assert_str_eq(winner(a, 3, &g, 0), winner(b, 3, &g, 0));
	cr_assert_str_eq(winner(a, 3, &g, 0), "lb1");
}

Test(election, failback_off_keeps_the_holder)
{
	struct election_member m[] = { member("lb1", 150), member("lb2", 100) };
	struct election_group g = { .failback = false, .holder = "lb2" };

	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb2");
	g.failback = true;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb1");
}

Test(election, failback_is_for_a_higher_priority_not_a_tie)
{
	/* lb1 returns beside lb2 of the same priority, which holds the
	 * group: the lower name breaks ties in a fresh election, but is no
	 * reason to move a held group. */
	struct election_member m[] = { member("lb1", 100), member("lb2", 100) };
	struct election_group g = { .failback = true, .holder = "lb2" };

	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb2");
	g.holder = NULL;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb1");
}

Test(election, failback_waits_its_delay)
{
	struct election_member m[] = { member("lb1", 150), member("lb2", 100) };
	struct election_group g = { .failback = true, .failback_delay_usec = 5 * S, .holder = "lb2" };

	m[0].alive_since_usec = 100 * S;  /* lb1 came back at 100 s */
	cr_assert_str_eq(winner(m, 2, &g, 103 * S), "lb2");
	cr_assert_str_eq(winner(m, 2, &g, 105 * S), "lb1");
	/* With nobody holding it, no reason to wait. */
	g.holder = NULL;
	cr_assert_str_eq(winner(m, 2, &g, 101 * S), "lb1");
}

Test(election, preferred_holds_whenever_it_can)
{
	struct election_member m[] = { member("lb1", 150), member("lb2", 100) };
	struct election_group g = { .failback = false, .preferred = "lb2", .holder = "lb1" };

	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb2", "even with failback off");
	m[1].links_up = false;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb1");
}

Test(election, unreachable_ping_nodes_make_a_director_unfit)
{
	struct election_member m[] = { member("lb1", 150), member("lb2", 100) };
	struct election_group g = { .failback = true, .holder = "lb1" };

	m[0].ping_ok = false;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb2");
	/* When nobody reaches a ping node, the ping nodes are the problem. */
	m[1].ping_ok = false;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb1");
}

Test(election, leaving_dead_or_faulty_directors_hold_nothing)
{
	struct election_member m[] = { member("lb1", 150), member("lb2", 100) };
	struct election_group g = { .failback = true };

	m[0].leaving = true;
	cr_assert_str_eq(winner(m, 2, &g, 0), "lb2");
	m[1].alive = false;
	cr_assert_str_eq(winner(m, 2, &g, 0), "nobody");
}

Test(election, an_administrators_takeover_and_release_come_first)
{
	struct election_member m[] = { member("lb1", 150), member("lb2", 100) };
	struct election_group g = { .failback = true, .preferred = "lb1", .holder = "lb1" };

	m[1].wants = true;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb2", "takeover beats priority and preferred");
	m[1].wants = false;
	m[0].yields = true;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb2", "a released group goes to a peer");
	/* lb2 dies: the group is better held by lb1, which released it,
	 * than by nobody. */
	m[1].alive = false;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "lb1", "released, but nobody else can hold it");
	m[0].alive = false;
	cr_assert_str_eq(winner(m, 2, &g, 10 * S), "nobody");
}
