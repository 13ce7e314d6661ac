/* DNS messages (RFC 1035) for the DNS health check: one query out, and a
 * strict reading of whatever datagram comes back.
 *
 * Replies are untrusted input. A reply is read whole before anything in it is
 * believed: every name, with compression pointers that may only go to strictly
 * earlier places (so no chain of them can loop), and every record's length.
 * A malformed message is -EBADMSG whatever its id. A message without QR or
 * with a non-zero opcode counts as malformed, not as somebody else's: a UDP
 * echo of our own query must fail the check rather than be waited out.
 * Bytes after the last record are ignored, as resolvers do. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_QUERY_MAX 512
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28

/* Builds a standard query (RD set, one question, class IN) for name (dotted,
 * optional trailing dot; at least one label, labels 1..63 bytes, whole name
 * <= 253; no escapes) into buf. Returns its length, -EINVAL for a bad name,
 * -ENOSPC if size is too small. */
int dns_build_query(const char *name, uint16_t id, uint16_t qtype, uint8_t *buf, size_t size);

struct dns_reply {
	uint16_t id;
	uint8_t rcode;        /* 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED ... */
	bool truncated;       /* TC bit */
	uint16_t answers;     /* answer records of the query's type and class IN
	                       * owned by the queried name or by a name a CNAME
	                       * chain from it leads to */
};

/* Checks that buf[0..len) is a well-formed response to the query that
 * dns_build_query(name, id, qtype) produced: QR set, opcode 0, the same id,
 * exactly one question equal to (name, qtype, IN) (case-insensitive), and
 * every answer/authority/additional record parseable within len. Returns 0
 * and fills *ret (if not NULL); -ESRCH when it is a valid DNS message but not
 * the answer to this query (other id or question: a stray or spoofed
 * datagram, to be ignored); -EBADMSG when malformed; -EINVAL when name is one
 * dns_build_query() rejects. */
int dns_parse_reply(const uint8_t *buf, size_t len, const char *name, uint16_t id, uint16_t qtype,
		    struct dns_reply *ret);

/* "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", else
 * "RCODE<n>" (in a per-thread buffer, valid until the next call). */
const char *dns_rcode_to_string(uint8_t rcode);
