/*
 * Binlog positions: a file name, an offset in it, and the MariaDB GTID
 * position (domain-server-seqno list) that corresponds to it. Positions in
 * one server's binlog are ordered by the file's numeric suffix, then offset.
 */
#ifndef COMMON_BINLOGPOS_H
#define COMMON_BINLOGPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct binlogpos {
	char        file[256];      /* e.g. "mariadb-bin.000003"; "" = unknown */
	uint64_t    pos;            /* byte offset in file */
	char        gtid[512];      /* e.g. "0-1-1234"; may be "" */
} binlogpos;

/* binlogpos_cmp: <0, 0, >0 like strcmp; both must be valid */
int binlogpos_cmp(const binlogpos *a, const binlogpos *b);
/* binlogpos_format: "file:pos" into out */
void binlogpos_format(const binlogpos *p, char *out, size_t outlen);

#endif
