/* libFuzzer: IPVS sync datagrams as anyone on the sync link can send them.
 * Nothing may crash. A message that decodes must encode again: to the same
 * bytes when it was canonical, and always to a message that decodes to the
 * same connections. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sync_wire.h"

struct seen {
	unsigned n;
	struct sync_conn c[SYNC_MAX_CONNS];
};

static int collect(const struct sync_conn *c, void *userdata)
{
	struct seen *s = userdata;

	if (s->n >= SYNC_MAX_CONNS)
		abort();
	s->c[s->n++] = *c;
	return 0;
}

static int addr_same(const struct lvsd_addr *a, const struct lvsd_addr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET6)
		return memcmp(&a->in.v6, &b->in.v6, 16) == 0;
	return memcmp(&a->in.v4, &b->in.v4, 4) == 0;
}

static int seq_same(const struct sync_seq *a, const struct sync_seq *b)
{
	return a->init_seq == b->init_seq && a->delta == b->delta && a->previous_delta == b->previous_delta;
}

static int conn_same(const struct sync_conn *a, const struct sync_conn *b)
{
	return a->af == b->af && a->protocol == b->protocol && a->flags == b->flags && a->state == b->state &&
	       a->cport == b->cport && a->vport == b->vport && a->dport == b->dport && a->fwmark == b->fwmark &&
	       a->timeout_sec == b->timeout_sec && addr_same(&a->caddr, &b->caddr) &&
	       addr_same(&a->vaddr, &b->vaddr) && addr_same(&a->daddr, &b->daddr) && a->has_seq == b->has_seq &&
	       (!a->has_seq || (seq_same(&a->in_seq, &b->in_seq) && seq_same(&a->out_seq, &b->out_seq))) &&
	       a->pe_name_len == b->pe_name_len && memcmp(a->pe_name, b->pe_name, a->pe_name_len) == 0 &&
	       a->pe_data_len == b->pe_data_len && memcmp(a->pe_data, b->pe_data, a->pe_data_len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen first, second;
	static uint8_t again[SYNC_MESSAGE_MAX];
	struct sync_message_info info, info2;
	struct sync_builder b;
	int r;

	first.n = 0;
	r = sync_decode(data, size, &info, collect, &first);
	if (r != 0 && r != -EBADMSG && r != -EPROTONOSUPPORT)
		abort();
	if ((r == 0) != (info.bad == SYNC_OK) || info.bad >= SYNC_REASONS)
		abort();
	if (r != 0)
		return 0;
	if (first.n != info.nr_conns || info.nr_v4 + info.nr_v6 != first.n || info.size != size)
		abort();

	if (sync_encode_start(&b, again, sizeof(again), info.syncid) < 0)
		abort();
	for (unsigned i = 0; i < first.n; i++)
		if (sync_encode(&b, &first.c[i]) != 0)
			abort();
	if (info.canonical && (b.len != size || memcmp(again, data, size) != 0))
		abort();
	if (b.len > size)
		abort();

	second.n = 0;
	if (sync_decode(again, b.len, &info2, collect, &second) != 0 || !info2.canonical)
		abort();
	if (second.n != first.n || info2.syncid != info.syncid)
		abort();
	for (unsigned i = 0; i < first.n; i++)
		if (!conn_same(&first.c[i], &second.c[i]))
			abort();
	return 0;
}
