/* libFuzzer target: the control message decoder. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_message m;
	uint8_t again[IPC_MAX_MESSAGE];

	if (ipc_decode(data, size, &m) == 0) {
		/* Whatever decodes must encode back to the same bytes. */
		int n = ipc_encode(&m, again, sizeof(again));

		if (n < 0 || (size_t)n != size || memcmp(again, data, size) != 0)
			__builtin_trap();
	}
	return 0;
}
