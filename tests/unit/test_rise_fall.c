/* Rise and fall: when results change a real server's health. */
#include <criterion/criterion.h>

#include "rise_fall.h"

static bool feed(struct hc_counter *c, const char *results, unsigned rise, unsigned fall)
{
	bool changed = false;

	for (const char *r = results; *r; r++)
		changed = hc_update(c, *r == '+', rise, fall);
	return changed;
}

Test(rise_fall, unknown_comes_up_on_the_first_pass)
{
	struct hc_counter c = { 0 };

	cr_assert(hc_update(&c, true, 3, 3));
	cr_assert_eq(c.state, HC_UP);
}

Test(rise_fall, unknown_goes_down_after_fall_failures)
{
	struct hc_counter c = { 0 };

	cr_assert_not(feed(&c, "-", 2, 2));
	cr_assert_eq(c.state, HC_UNKNOWN);
	cr_assert(feed(&c, "-", 2, 2));
	cr_assert_eq(c.state, HC_DOWN);
}

Test(rise_fall, up_needs_fall_consecutive_failures)
{
	struct hc_counter c = { .state = HC_UP };

	/* A pass in between starts the count again. */
	cr_assert_not(feed(&c, "--+--+--", 3, 3));
	cr_assert_eq(c.state, HC_UP);
	cr_assert(feed(&c, "-", 3, 3));
	cr_assert_eq(c.state, HC_DOWN);
}

Test(rise_fall, down_needs_rise_consecutive_passes)
{
	struct hc_counter c = { .state = HC_DOWN };

	cr_assert_not(feed(&c, "+-+-", 2, 5));
	cr_assert_eq(c.state, HC_DOWN);
	cr_assert(feed(&c, "++", 2, 5));
	cr_assert_eq(c.state, HC_UP);
}

Test(rise_fall, flapping_never_accumulates)
{
	struct hc_counter c = { .state = HC_UP };

	for (int i = 0; i < 1000; i++)
		cr_assert_not(feed(&c, "-+", 2, 2));
	cr_assert_eq(c.state, HC_UP);
}

Test(rise_fall, one_means_every_result_counts)
{
	struct hc_counter c = { .state = HC_UP };

	cr_assert(hc_update(&c, false, 1, 1));
	cr_assert(hc_update(&c, true, 1, 1));
	/* Zero is taken as one, not as "never". */
	cr_assert(hc_update(&c, false, 0, 0));
	cr_assert_eq(c.state, HC_DOWN);
}

Test(rise_fall, names)
{
	cr_assert_str_eq(hc_state_to_string(HC_UNKNOWN), "unknown");
	cr_assert_str_eq(hc_state_to_string(HC_UP), "up");
	cr_assert_str_eq(hc_state_to_string(HC_DOWN), "down");
}
