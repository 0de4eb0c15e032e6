/*
 * MariaDB GTID positions: lists of domain-server-seq triples ("0-1-100,1-2-7").
 *
 * One type serves two meanings, and each function says which it takes:
 * a position (where a reader is: one entry per domain, the last
 * transaction seen in it, as @@gtid_slave_pos or a checkpoint's GTID) and
 * a binlog state (what a server has logged: one entry per domain and
 * server, as @@gtid_binlog_state). There is no limit on the number of
 * domains. The module never prints: parsing fills the caller's errbuf.
 */
#ifndef COMMON_GTID_H
#define COMMON_GTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/xalloc.h"

typedef struct gtid_entry {
	uint32_t    domain;
	uint32_t    server;
	uint64_t    seq;
} gtid_entry;

typedef struct gtid_set {
	gtid_entry *v;              /* entries in the order first noted (heap) */
	size_t      n;
	size_t      cap;
} gtid_set;

#define GTID_SET_INIT { NULL, 0, 0 }

/* gtid_set_parse: replaces s with the list in text ("" and blanks give an
 * empty set; blanks and newlines after commas are allowed, as the server
 * prints long lists). False with errbuf naming the bad part; s is then
 * empty. Duplicate entries are kept as they are. */
bool gtid_set_parse(gtid_set *s, const char *text, char *errbuf, size_t errlen);

/* gtid_set_note: position semantics: the domain's entry becomes
 * domain-server-seq (appended when the domain is new) */
void gtid_set_note(gtid_set *s, uint32_t domain, uint32_t server, uint64_t seq);

/* gtid_set_domain: the (first) entry of domain, or NULL */
const gtid_entry *gtid_set_domain(const gtid_set *s, uint32_t domain);

/* gtid_state_has: binlog-state semantics: whether a server whose
 * gtid_binlog_state is state has logged g (an entry of the same domain and
 * server with a sequence number at least g's) */
bool gtid_state_has(const gtid_set *state, const gtid_entry *g);

/* gtid_state_last: binlog-state semantics: the entry with the highest
 * sequence number of domain (the last GTID logged in it), or NULL */
const gtid_entry *gtid_state_last(const gtid_set *state, uint32_t domain);

/* gtid_set_format: appends "d-s-q,d-s-q" to out (nothing for an empty set) */
void gtid_set_format(const gtid_set *s, buf *out);

/* gtid_set_format_fixed: the same into a fixed buffer; false (out then
 * holds "") when it does not fit */
bool gtid_set_format_fixed(const gtid_set *s, char *out, size_t len);

/* gtid_set_copy: dst becomes a copy of src */
void gtid_set_copy(gtid_set *dst, const gtid_set *src);

void gtid_set_clear(gtid_set *s);
void gtid_set_free(gtid_set *s);

#endif
