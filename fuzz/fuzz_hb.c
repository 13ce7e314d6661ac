/* libFuzzer: heartbeat packets from the network. With a fixed key most
 * inputs stop at the MAC; every fourth input is signed with it first, so
 * the parser behind the MAC is reached too. Nothing may crash, and a
 * packet that decodes must encode back to the same bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_key.h"
#include "hb_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hmac *key;
	uint8_t buf[HB_PACKET_MAX], again[HB_PACKET_MAX];
	struct hb_packet p;
	int r, n;

	if (!key) {
		uint8_t k[DERIVED_KEY_SIZE] = { 7 };

		if (hmac_new(k, &key) < 0)
			abort();
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	if (size >= HMAC_SIZE + 1 && data[0] % 4 == 0)
		hmac_compute(key, buf, size - HMAC_SIZE, buf + size - HMAC_SIZE);
	r = hb_decode(buf, size, key, &p);
	if (r != 0 && r != -EBADMSG && r != -EPERM && r != -EPROTONOSUPPORT)
		abort();
	if (r == 0) {
		n = hb_encode(&p, key, again, sizeof(again));
		if (n != (int)size || memcmp(again, buf, size) != 0)
			abort();
	}
	return 0;
}
