/* Text file of owned service keys: "FAMILY PROTOCOL ADDRESS PORT FWMARK". */
#include "owned.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int owned_load(const char *path, struct ipvs_key_set *ret)
{
	char line[256], addr[LVSD_ADDR_STRLEN + 1];
	FILE *f = fopen(path, "re");
	int r = 0;

	ipvs_key_set_clear(ret);
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		struct ipvs_service_key k = { 0 };
		unsigned family, protocol, port, fwmark;

		if (sscanf(line, "%u %u %47s %u %u", &family, &protocol, addr, &port, &fwmark) != 5 ||
		    port > 65535)
			continue;  /* a damaged line loses one entry, not the file */
		k.family = (int)family;
		k.protocol = (uint16_t)protocol;
		k.port = (uint16_t)port;
		k.fwmark = fwmark;
		if (!fwmark && (addr_parse(addr, &k.addr) < 0 || k.addr.family != k.family))
			continue;
		if ((r = ipvs_key_set_add(ret, &k)) < 0)
			break;
	}
	fclose(f);
	return r;
}

int owned_save(const char *path, const struct ipvs_key_set *s)
{
	char tmp[4096], addr[LVSD_ADDR_STRLEN];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (size_t i = 0; i < s->n; i++) {
		const struct ipvs_service_key *k = &s->keys[i];

		fprintf(f, "%d %u %s %u %u\n", k->family, k->protocol,
			k->fwmark ? "-" : addr_format(&k->addr, addr), k->port, k->fwmark);
	}
	if (fflush(f) != 0 || ferror(f)) {
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		int r = -errno;

		unlink(tmp);
		return r;
	}
	return 0;
}
