/* Heartbeat packets: authenticated round trips; anything else is refused. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster_key.h"
#include "arrival.h"
#include "hb_wire.h"

static struct hmac *key(uint8_t fill)
{
	uint8_t k[DERIVED_KEY_SIZE];
	struct hmac *h = NULL;

	memset(k, fill, sizeof(k));
	cr_assert_eq(hmac_new(k, &h), 0);
	return h;
}

static struct hb_packet sample(void)
{
	struct hb_packet p = { .type = HB_ALIVE, .flags = HB_FLAG_FIT, .epoch = 1763790000000000ULL,
			       .seq = 42, .priority = 150, .interval_usec = 1000, .n_groups = 2 };

	strcpy(p.sender, "lb1");
	strcpy(p.groups[0].name, "www");
	p.groups[0].role = HB_ROLE_MASTER;
	strcpy(p.groups[1].name, "mail");
	p.groups[1].role = HB_ROLE_BACKUP;
	p.groups[1].intent = HB_INTENT_YIELDS;
	return p;
}

Test(hb_wire, round_trip)
{
	struct hmac *k = key(1);
	struct hb_packet p = sample(), back;
	uint8_t buf[HB_PACKET_MAX];
	int n = hb_encode(&p, k, buf, sizeof(buf));

	cr_assert_gt(n, 0);
	cr_assert_eq(hb_decode(buf, (size_t)n, k, &back), 0);
	cr_assert_str_eq(back.sender, "lb1");
	cr_assert_eq(back.epoch, p.epoch);
	cr_assert_eq(back.seq, 42);
	cr_assert_eq(back.priority, 150);
	cr_assert_eq(back.interval_usec, 1000);
	cr_assert_eq(back.flags, HB_FLAG_FIT);
	cr_assert_eq(back.n_groups, 2);
	cr_assert_str_eq(back.groups[1].name, "mail");
	cr_assert_eq(back.groups[0].role, HB_ROLE_MASTER);
	cr_assert_eq(back.groups[1].intent, HB_INTENT_YIELDS);
	hmac_free(k);
}

Test(hb_wire, handover_names_its_target)
{
	struct hmac *k = key(1);
	struct hb_packet p = sample(), back;
	uint8_t buf[HB_PACKET_MAX];
	int n;

	p.type = HB_HANDOVER;
	cr_assert_eq(hb_encode(&p, k, buf, sizeof(buf)), -EINVAL, "a handover needs a target");
	strcpy(p.target, "lb2");
	n = hb_encode(&p, k, buf, sizeof(buf));
	cr_assert_eq(hb_decode(buf, (size_t)n, k, &back), 0);
	cr_assert_str_eq(back.target, "lb2");
	hmac_free(k);
}

Test(hb_wire, another_key_is_refused)
{
	struct hmac *k = key(1), *other = key(2);
	struct hb_packet p = sample(), back;
	uint8_t buf[HB_PACKET_MAX];
	int n = hb_encode(&p, other, buf, sizeof(buf));

	cr_assert_eq(hb_decode(buf, (size_t)n, k, &back), -EPERM);
	hmac_free(k);
	hmac_free(other);
}

Test(hb_wire, every_changed_bit_and_every_truncation_is_refused)
{
	struct hmac *k = key(1);
	struct hb_packet p = sample(), back;
	uint8_t buf[HB_PACKET_MAX];
	int n = hb_encode(&p, k, buf, sizeof(buf));

	for (int i = 0; i < n * 8; i++) {
		buf[i / 8] ^= (uint8_t)(1 << (i % 8));
		cr_assert_neq(hb_decode(buf, (size_t)n, k, &back), 0, "bit %d", i);
		buf[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	for (int len = 0; len < n; len++)
		cr_assert_neq(hb_decode(buf, (size_t)len, k, &back), 0, "length %d", len);
	cr_assert_eq(hb_decode(buf, (size_t)n, k, &back), 0);
	hmac_free(k);
}

Test(hb_wire, bad_names_are_not_encoded)
{
	struct hmac *k = key(1);
	struct hb_packet p = sample();
	uint8_t buf[HB_PACKET_MAX];

	strcpy(p.sender, "lb 1");
	cr_assert_eq(hb_encode(&p, k, buf, sizeof(buf)), -EINVAL);
	p = sample();
	memset(p.groups[0].name, 'x', HB_NAME_MAX);
	p.groups[0].name[HB_NAME_MAX] = 0;
	cr_assert_gt(hb_encode(&p, k, buf, sizeof(buf)), 0, "63 bytes is the limit, inclusive");
	cr_assert_eq(hb_encode(&p, k, buf, 40), -ENOSPC);
	hmac_free(k);
}

Test(hb_wire, replays_and_old_sequences_are_refused)
{
	struct hb_seen s = { 0 };

	cr_assert_eq(hb_seen_check(&s, 100, 5), HB_SEEN_NEW);
	cr_assert_eq(hb_seen_check(&s, 100, 5), HB_SEEN_RECENT, "the same packet again (another link's copy)");
	cr_assert_eq(hb_seen_check(&s, 100, 4), HB_SEEN_RECENT, "a late one: nothing new, but no replay");
	cr_assert_eq(hb_seen_check(&s, 100, 9), HB_SEEN_NEW, "gaps are fine: packets get lost");
	cr_assert_eq(hb_seen_check(&s, 100, 9 + HB_SEEN_WINDOW), HB_SEEN_NEW);
	cr_assert_eq(hb_seen_check(&s, 100, 9), HB_SEEN_OLD, "older than the window: a replay");
	cr_assert_eq(hb_seen_check(&s, 99, 1000), HB_SEEN_OLD, "an earlier life of the sender");
	cr_assert_eq(hb_seen_check(&s, 101, 1), HB_SEEN_NEW, "the sender restarted");
	cr_assert_eq(hb_seen_check(&s, 100, 10), HB_SEEN_OLD);
	cr_assert_eq(hb_seen_check(&s, 101, 1), HB_SEEN_RECENT);
}

/* Two links, each delivering every heartbeat, in any interleaving: each
 * sequence is new exactly once and nothing is ever taken for a replay. */
Test(hb_wire, copies_from_several_links_are_neither_new_twice_nor_replays)
{
	struct hb_seen s = { 0 };
	unsigned news = 0;

	for (uint64_t seq = 1; seq <= 200; seq += 2) {
		/* link 0 delivers seq, seq + 1; then link 1 the same two. */
		uint64_t order[4] = { seq, seq + 1, seq, seq + 1 };

		for (int i = 0; i < 4; i++) {
			enum hb_seen_verdict v = hb_seen_check(&s, 7, order[i]);

			cr_assert_neq(v, HB_SEEN_OLD, "sequence %llu taken for a replay", (unsigned long long)order[i]);
			news += v == HB_SEEN_NEW;
		}
	}
	cr_assert_eq(news, 200);
}

Test(hb_wire, derived_keys_differ_by_purpose_and_need_a_private_file)
{
	char path[] = "/tmp/test-hb-key.XXXXXX";
	uint8_t a[DERIVED_KEY_SIZE], b[DERIVED_KEY_SIZE];
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(fd);
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(cluster_key_derive(path, "lvsd heartbeat v1", a), 0);
	cr_assert_eq(cluster_key_derive(path, "lvsd sync v1", b), 0);
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(cluster_key_derive(path, "lvsd heartbeat v1", a), -EPERM);
	unlink(path);
}

Test(hb_wire, a_heartbeat_says_when_the_next_is_due)
{
	struct hmac *k = key(1);
	struct hb_packet p = sample(), back;
	uint8_t buf[HB_PACKET_MAX];
	int n;

	p.interval_usec = 0;
	cr_assert_eq(hb_encode(&p, k, buf, sizeof(buf)), -EINVAL, "an interval of 0 means nothing");
	p.interval_usec = 20000;
	n = hb_encode(&p, k, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	/* The same packet saying 0, signed: well authenticated, still refused. */
	memset(buf + 25, 0, 4);
	hmac_compute(k, buf, (size_t)n - HMAC_SIZE, buf + n - HMAC_SIZE);
	cr_assert_eq(hb_decode(buf, (size_t)n, k, &back), -EBADMSG);
	hmac_free(k);
}

/* Arrival times: the kernel's receive time, mapped onto the monotonic clock. */
#define MS 1000ULL

Test(arrival, the_kernels_receive_time_on_the_monotonic_clock)
{
	/* Received 3 ms before it was read. */
	cr_assert_eq(hb_arrival_usec(1000000 * MS - 3 * MS, 1000000 * MS, 500 * MS, 0), 497 * MS);
	/* No receive time, or one after now (the clock stepped back): now. */
	cr_assert_eq(hb_arrival_usec(0, 1000000 * MS, 500 * MS, 0), 500 * MS);
	cr_assert_eq(hb_arrival_usec(1000000 * MS + 7 * MS, 1000000 * MS, 500 * MS, 0), 500 * MS);
}

Test(arrival, a_clock_stepped_forward_ages_a_packet_no_more_than_the_last_drain)
{
	/* An hour up. The realtime clock jumped 10 s forward between arrival
	 * and reading: the packet would look 10 s old, but the socket was
	 * empty 2 ms ago. */
	cr_assert_eq(hb_arrival_usec(1000000 * MS, 1010000 * MS, 3600000 * MS, 3599998 * MS), 3599998 * MS);
	/* A packet that really waited (a stall) keeps its age beyond that. */
	cr_assert_eq(hb_arrival_usec(1000000 * MS - 300 * MS, 1000000 * MS, 3600000 * MS, 3599000 * MS),
		     3599700 * MS);
}
