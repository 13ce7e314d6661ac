/* libFuzzer target: the DNS health check's reply decoder. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_wire.h"

#define NAME "www.example.com"

static void check(const uint8_t *data, size_t size, uint16_t id, uint16_t qtype)
{
	struct dns_reply r;
	int e = dns_parse_reply(data, size, NAME, id, qtype, &r);

	if (e != 0 && e != -ESRCH && e != -EBADMSG)
		__builtin_trap();
	if (e == 0) {
		uint8_t flipped[4096];

		/* Never more answers than answer records, each at least 11
		 * bytes; and the same bytes without QR are no reply at all. */
		if (r.id != id || r.rcode > 15 || r.answers > ((data[6] << 8) | data[7]) ||
		    (size_t)r.answers * 11 > size)
			__builtin_trap();
		if (size <= sizeof(flipped)) {
			memcpy(flipped, data, size);
			flipped[2] &= 0x7f;
			if (dns_parse_reply(flipped, size, NAME, id, qtype, NULL) != -EBADMSG)
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The fixed id the seeds carry, then whatever id the input itself has,
	 * so that every input reaches past the identity check. */
	check(data, size, 0x1234, DNS_TYPE_A);
	if (size >= 2) {
		uint16_t id = (uint16_t)(data[0] << 8 | data[1]);

		check(data, size, id, DNS_TYPE_A);
		check(data, size, id, DNS_TYPE_AAAA);
	}
	return 0;
}
