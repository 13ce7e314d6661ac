/* The kernel's IPVS connection-sync message, version 1 (Linux 6.1), as the
 * master threads send it and the backup threads read it: decoded and
 * encoded, apart from any I/O.
 *
 *   header (8):  0 reserved (0)  1 syncid  2 size (whole datagram)
 *                4 nr_conns      5 version (1)  6 spare (16 bits, 0)
 *   entry:       0 type (0 IPv4, 1 IPv6)  1 protocol
 *                2 entry version (4 bits, 0) and entry size (12 bits)
 *                4 flags (32 bits)  8 state  10 cport  12 vport  14 dport
 *               16 fwmark  20 timeout (seconds)
 *               24 caddr, vaddr, daddr (4 bytes each, or 16 for IPv6)
 *               36 (or 72) options: type, length (1..255), data
 *   Each entry after the first starts at the next multiple of 4 bytes from
 *   the start of the one before; the bytes between are padding.
 *
 * Network byte order throughout; the structures below hold host order.
 *
 * Datagrams are untrusted: one is read whole and accepted only when the
 * kernel would take every entry in it, so that what is relayed is what the
 * backup applies, and a drop can be counted by its reason. Where the kernel
 * would skip one entry and go on, the whole message is refused here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SYNC_HEADER_SIZE 8
#define SYNC_MESSAGE_MAX 65535     /* the header's size field */
#define SYNC_MAX_CONNS 255         /* the header's nr_conns field */
#define SYNC_ENTRY_V4_SIZE 36
#define SYNC_ENTRY_V6_SIZE 72
#define SYNC_ENTRY_MAX 4095        /* the entry's 12-bit size */
#define SYNC_PE_NAME_MAX 16
#define SYNC_PE_DATA_MAX 255

/* Option types. An unknown type with SYNC_OPT_F_PARAM set is optional:
 * skipped. The kernel reads a known type with that bit set as the type. */
#define SYNC_OPT_SEQ 1
#define SYNC_OPT_PE_DATA 2
#define SYNC_OPT_PE_NAME 3
#define SYNC_OPT_F_PARAM 0x40
#define SYNC_OPT_SEQ_LEN 24

/* Connection flags the codec looks at (the uapi IP_VS_CONN_F_ values). */
#define SYNC_F_SEQ_MASK 0x0600
#define SYNC_F_NO_CPORT 0x0800
#define SYNC_F_TEMPLATE 0x1000
#define SYNC_F_ONE_PACKET 0x2000

/* A TCP sequence adjustment, as the kernel keeps one per direction. */
struct sync_seq {
	uint32_t init_seq;
	uint32_t delta;
	uint32_t previous_delta;
};

/* One entry: one connection or persistence template. */
struct sync_conn {
	int af;                     /* AF_INET or AF_INET6 */
	uint8_t protocol;           /* IPPROTO_*; any value in a template */
	uint32_t flags;             /* IP_VS_CONN_F_*, all 32 bits as sent */
	uint16_t state;             /* the protocol's state number */
	uint16_t cport, vport, dport;
	uint32_t fwmark;
	uint32_t timeout_sec;       /* 0: the backup's default for the state */
	struct lvsd_addr caddr, vaddr, daddr;  /* family == af */
	bool has_seq;               /* the SEQ option: in_seq, out_seq */
	struct sync_seq in_seq, out_seq;
	/* Persistence engine: pe_data needs pe_name. Bytes, not strings:
	 * pe_name is NUL-terminated for printing, its length is pe_name_len. */
	uint8_t pe_name_len;        /* 0..SYNC_PE_NAME_MAX */
	char pe_name[SYNC_PE_NAME_MAX + 1];
	uint8_t pe_data_len;        /* 0..SYNC_PE_DATA_MAX */
	uint8_t pe_data[SYNC_PE_DATA_MAX];
};

/* Why a message was refused. */
enum sync_reason {
	SYNC_OK = 0,
	SYNC_BAD_TOO_SHORT,         /* shorter than the header */
	SYNC_BAD_SIZE,              /* the header's size is not the length */
	SYNC_BAD_VERSION,           /* version 0, or reserved/spare not 0 */
	SYNC_BAD_COUNT,             /* nr_conns is not the number of entries */
	SYNC_BAD_ENTRY_SIZE,        /* entry cut short, past the end, or
	                             * smaller than its addresses need */
	SYNC_BAD_ENTRY_VERSION,     /* entry version not 0 */
	SYNC_BAD_TYPE,              /* entry type neither 0 nor 1 */
	SYNC_BAD_OPTION,            /* option cut short, empty, of the wrong
	                             * length, or given twice */
	SYNC_BAD_OPTION_UNKNOWN,    /* unknown option without SYNC_OPT_F_PARAM */
	SYNC_BAD_FLAGS,             /* ONE_PACKET, or NO_CPORT with TEMPLATE */
	SYNC_BAD_PROTOCOL,          /* not TCP, UDP, SCTP, AH or ESP */
	SYNC_BAD_STATE,             /* past the protocol's (or templates') states */
	SYNC_BAD_PE,                /* PE data without a PE name */
	SYNC_REASONS                /* the number of values, for counters */
};

/* "ok", "too-short", "size", ...; from_string returns the value or -EINVAL. */
const char *sync_reason_to_string(enum sync_reason r);
int sync_reason_from_string(const char *s);

/* What sync_decode() found. On success every field holds; on failure the
 * header fields (once read), the counts of the entries before the faulty
 * one, and bad, bad_entry, bad_offset. */
struct sync_message_info {
	uint8_t syncid;
	uint16_t size;
	uint8_t nr_conns;
	unsigned nr_v4, nr_v6;
	unsigned nr_templates;      /* SYNC_F_TEMPLATE set */
	unsigned nr_seq;            /* with the SEQ option */
	unsigned nr_pe;             /* with PE data */
	unsigned nr_skipped;        /* optional unknown options skipped */
	/* Exactly as sync_encode() writes it: no unknown option, options as
	 * the kernel orders them and without SYNC_OPT_F_PARAM, zero padding,
	 * none after the last entry. Otherwise re-encoding the entries gives
	 * the same connections in other bytes. */
	bool canonical;
	enum sync_reason bad;
	unsigned bad_entry;         /* index of the faulty entry, from 0 */
	size_t bad_offset;          /* where in buf the fault was seen */
};

/* Called once per entry, in order; c is valid during the call only.
 * Returns 0 to go on, or a negative errno that ends the walk. */
typedef int (*sync_conn_fn)(const struct sync_conn *c, void *userdata);

/* Checks the whole of buf[0..len) as one sync datagram, then, only if all
 * of it is good, calls each (if not NULL) for every entry. Never reads past
 * len. Returns 0; -EBADMSG when malformed or when the kernel would drop an
 * entry; -EPROTONOSUPPORT when the message or an entry is of another
 * version; or what each returned. info (if not NULL) says why it failed.
 * The syncid is not judged: which ones to take is the caller's choice. */
int sync_decode(const uint8_t *buf, size_t len, struct sync_message_info *info, sync_conn_fn each,
		void *userdata);

/* A message being built: buf[0..len) is a complete datagram at all times,
 * ready to send once it holds at least one entry. */
struct sync_builder {
	uint8_t *buf;
	size_t max;
	size_t len;
	unsigned nr_conns;
};

/* Starts an empty message for syncid in buf, which holds max bytes (more
 * than SYNC_MESSAGE_MAX are not used). Returns 0, or -EINVAL when max is
 * smaller than the header. */
int sync_encode_start(struct sync_builder *b, uint8_t *buf, size_t max, uint8_t syncid);

/* Appends c (after the padding it needs), options in the kernel's order:
 * SEQ if has_seq, PE data, PE name. Returns 0; -ENOSPC when the message
 * is full (SYNC_MAX_CONNS entries, or no room for c): send it, start
 * another and append c there; -EMSGSIZE when c would not fit even alone;
 * -EINVAL when c is not an entry the kernel would accept (family, flags,
 * protocol, state, PE, or an address of another family). On error the
 * message is as it was. */
int sync_encode(struct sync_builder *b, const struct sync_conn *c);
