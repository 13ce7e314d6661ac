/* Control messages: round trips, and exact rejection of anything malformed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "ipc.h"

static struct ipc_message sample_real(void)
{
	struct ipc_message m = { .type = IPC_MSG_REAL };

	strcpy(m.real.virtual_name, "web");
	strcpy(m.real.name, "web1");
	cr_assert_eq(endpoint_parse("[2001:db8::11]:8080", false, &m.real.endpoint), 0);
	m.real.health = IPC_HEALTH_UP;
	m.real.weight = 3;
	m.real.active = 70000;
	m.real.inactive = 2;
	m.real.error = -ENOENT;
	return m;
}

Test(ipc, real_round_trip)
{
	struct ipc_message m = sample_real(), back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n = ipc_encode(&m, buf, sizeof(buf));

	cr_assert_gt(n, IPC_HEADER_SIZE);
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_eq(back.type, IPC_MSG_REAL);
	cr_assert_str_eq(back.real.name, "web1");
	cr_assert_str_eq(back.real.virtual_name, "web");
	cr_assert_eq(endpoint_compare(&back.real.endpoint, &m.real.endpoint), 0);
	cr_assert_eq(back.real.active, 70000);
	cr_assert_eq(back.real.error, -ENOENT);
}

Test(ipc, virtual_and_end_round_trip)
{
	struct ipc_message m = { .type = IPC_MSG_VIRTUAL }, back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n;

	strcpy(m.virtual_.name, "mail");
	m.virtual_.fwmark = 7;
	strcpy(m.virtual_.scheduler, "mh");
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_eq(back.virtual_.fwmark, 7);
	cr_assert_str_eq(back.virtual_.scheduler, "mh");
	cr_assert_eq(back.virtual_.endpoint.addr.family, 0);

	m = (struct ipc_message){ .type = IPC_MSG_END, .end.count = 42 };
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, IPC_HEADER_SIZE + 4);
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_eq(back.end.count, 42);
}

Test(ipc, health_round_trip_and_bad_state)
{
	struct ipc_message m = { .type = IPC_MSG_HEALTH }, back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n;

	strcpy(m.health.virtual_name, "web");
	strcpy(m.health.name, "web2");
	cr_assert_eq(endpoint_parse("192.0.2.12:80", false, &m.health.endpoint), 0);
	m.health.health = IPC_HEALTH_DOWN;
	m.health.check = 5;
	m.health.latency_usec = 1234;
	m.health.checks = 99;
	strcpy(m.health.reason, "HTTP status 500");
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_eq(back.health.health, IPC_HEALTH_DOWN);
	cr_assert_eq(back.health.latency_usec, 1234);
	cr_assert_eq(back.health.checks, 99);
	cr_assert_str_eq(back.health.reason, "HTTP status 500");
	for (int cut = 0; cut < n; cut++)
		cr_assert_eq(ipc_decode(buf, (size_t)cut, &back), -EBADMSG, "length %d", cut);

	m.health.last_ok = 2;  /* a boolean has two values */
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), -EBADMSG);
}

Test(ipc, every_truncation_is_rejected)
{
	struct ipc_message m = sample_real(), back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n = ipc_encode(&m, buf, sizeof(buf));

	for (int len = 0; len < n; len++)
		cr_assert_eq(ipc_decode(buf, (size_t)len, &back), -EBADMSG, "length %d accepted", len);
}

Test(ipc, trailing_bytes_and_wrong_length_are_rejected)
{
	struct ipc_message m = sample_real(), back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n = ipc_encode(&m, buf, sizeof(buf));

	buf[n] = 0;
	cr_assert_eq(ipc_decode(buf, (size_t)n + 1, &back), -EBADMSG);
	buf[7]++;
	cr_assert_eq(ipc_decode(buf, (size_t)n + 1, &back), -EBADMSG);
}

Test(ipc, bad_version_type_family_string)
{
	struct ipc_message m = sample_real(), back;
	uint8_t buf[IPC_MAX_MESSAGE], copy[IPC_MAX_MESSAGE];
	int n = ipc_encode(&m, buf, sizeof(buf));

	memcpy(copy, buf, (size_t)n);
	copy[0] = 2;
	cr_assert_eq(ipc_decode(copy, (size_t)n, &back), -EPROTONOSUPPORT);
	memcpy(copy, buf, (size_t)n);
	copy[1] = 200;
	cr_assert_eq(ipc_decode(copy, (size_t)n, &back), -EBADMSG);
	/* Family byte of the endpoint: after two strings ("web", "web1"). */
	memcpy(copy, buf, (size_t)n);
	copy[IPC_HEADER_SIZE + 2 + 3 + 2 + 4] = 9;
	cr_assert_eq(ipc_decode(copy, (size_t)n, &back), -EBADMSG);
	/* A NUL inside a string. */
	memcpy(copy, buf, (size_t)n);
	copy[IPC_HEADER_SIZE + 3] = 0;
	cr_assert_eq(ipc_decode(copy, (size_t)n, &back), -EBADMSG);
}

Test(ipc, oversized_strings_are_not_encoded)
{
	struct ipc_message m = { .type = IPC_MSG_ERROR };
	uint8_t buf[IPC_MAX_MESSAGE];

	memset(m.error.text, 'x', sizeof(m.error.text));
	cr_assert_eq(ipc_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.error.text[10] = 0;
	cr_assert_eq(ipc_encode(&m, buf, 12), -ENOSPC);
}

Test(ipc, peer_and_vip_group_round_trip)
{
	struct ipc_message m = { .type = IPC_MSG_VIP_GROUP }, back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n;

	strcpy(m.vip.name, "www");
	m.vip.role = 1;
	strcpy(m.vip.holder, "lb1");
	strcpy(m.vip.addresses, "192.0.2.50/24 2001:db8::50/64");
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_str_eq(back.vip.holder, "lb1");
	cr_assert_str_eq(back.vip.addresses, "192.0.2.50/24 2001:db8::50/64");
	m.vip.role = 3;
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), -EBADMSG, "no fourth role");

	m = (struct ipc_message){ .type = IPC_MSG_PEER };
	strcpy(m.peer.name, "lb2");
	m.peer.alive = 1;
	m.peer.priority = 100;
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_eq(back.peer.priority, 100);
	for (int cut = 0; cut < n; cut++)
		cr_assert_eq(ipc_decode(buf, (size_t)cut, &back), -EBADMSG);
}

Test(ipc, reload_request_has_no_payload)
{
	struct ipc_message m = { .type = IPC_REQ_RELOAD }, back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n = ipc_encode(&m, buf, sizeof(buf));

	cr_assert_eq(n, IPC_HEADER_SIZE);
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_eq(back.type, IPC_REQ_RELOAD);
	cr_assert_str_eq(ipc_type_to_string(IPC_REQ_RELOAD), "reload");
	buf[IPC_HEADER_SIZE] = 0;
	cr_assert_eq(ipc_decode(buf, (size_t)n + 1, &back), -EBADMSG, "a payload it should not have");
}

/* Each name reads back as its value; a value outside the enum prints as
 * no value's name, so a stray byte never shows as a real state. */
Test(ipc, health_and_role_names_both_ways)
{
	for (int h = 0; h < _IPC_HEALTH_MAX; h++)
		cr_assert_eq(ipc_health_from_string(ipc_health_to_string(h)), h);
	for (int r = 0; r < _IPC_ROLE_MAX; r++)
		cr_assert_eq(ipc_role_from_string(ipc_role_to_string(r)), r);
	cr_assert_str_eq(ipc_health_to_string(IPC_HEALTH_UNKNOWN), "unknown");
	cr_assert_str_eq(ipc_role_to_string(IPC_ROLE_BACKUP), "backup");
	cr_assert_str_eq(ipc_role_to_string(IPC_ROLE_FAULT), "fault");
	cr_assert_eq(ipc_health_from_string("sideways"), -EINVAL);
	cr_assert_eq(ipc_role_from_string(""), -EINVAL);
}

Test(ipc, an_unknown_health_or_role_prints_as_no_valid_name)
{
	const unsigned strays[] = { 200, 255, 0x7fffffff };

	cr_assert_eq(ipc_health_from_string(ipc_health_to_string(_IPC_HEALTH_MAX)), -EINVAL);
	cr_assert_eq(ipc_role_from_string(ipc_role_to_string(_IPC_ROLE_MAX)), -EINVAL);
	cr_assert_eq(ipc_health_from_string(ipc_role_to_string(_IPC_ROLE_MAX)), -EINVAL);
	for (size_t i = 0; i < sizeof(strays) / sizeof(*strays); i++) {
		const char *h = ipc_health_to_string((enum ipc_health)strays[i]);
		const char *r = ipc_role_to_string((enum ipc_role)strays[i]);

		cr_assert_not_null(h);
		cr_assert_not_null(r);
		cr_assert_eq(ipc_health_from_string(h), -EINVAL, "health %u prints as \"%s\"", strays[i], h);
		cr_assert_eq(ipc_role_from_string(h), -EINVAL);
		cr_assert_eq(ipc_role_from_string(r), -EINVAL, "role %u prints as \"%s\"", strays[i], r);
		cr_assert_eq(ipc_health_from_string(r), -EINVAL);
	}
}

Test(ipc, sync_round_trip_and_bad_values)
{
	struct ipc_message m = { .type = IPC_MSG_SYNC }, back;
	uint8_t buf[IPC_MAX_MESSAGE];
	int n;

	m.sync.master = 1;
	m.sync.backup = 1;
	m.sync.transport = 1;
	strcpy(m.sync.interface, "eth1");
	m.sync.syncid = 200;
	m.sync.roles_known = 1;
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), 0);
	cr_assert_eq(back.sync.master, 1);
	cr_assert_eq(back.sync.syncid, 200);
	cr_assert_str_eq(back.sync.interface, "eth1");
	for (int cut = 0; cut < n; cut++)
		cr_assert_eq(ipc_decode(buf, (size_t)cut, &back), -EBADMSG);
	m.sync.transport = 2;
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), -EBADMSG, "no third transport");
	m.sync.transport = 0;
	m.sync.backup = 2;
	n = ipc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(ipc_decode(buf, (size_t)n, &back), -EBADMSG);
}
