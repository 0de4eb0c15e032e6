/*
 * What the binlog decoder's unit tests share: the recorded fixtures (binlog
 * files from a real server, with the server's own rows at snapshots) and
 * the builders of synthetic events. The suites are split by the decoder's
 * own seam, event framing and row values; both use these.
 */
#ifndef TESTS_UNIT_TEST_BINLOG_H
#define TESTS_UNIT_TEST_BINLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/binlog.h"

#define FIXTURE_DIR "tests/fixtures/binlog"
#define MAX_SNAPSHOTS 4

/* A column as the fixture's information_schema line gives it. */
typedef struct fx_column {
	char	   *name;
	char	   *data_type;
	char	   *column_type;
	long		scale;			/* NUMERIC_SCALE or -1 */
	long		precision;		/* DATETIME_PRECISION or -1 */
	const char **labels;		/* of an enum(...)/set(...) column type */
	size_t		nlabels;
} fx_column;

/* One value: NULL, or bytes. */
typedef struct fx_value {
	bool		known;			/* replayed state: some image carried it */
	bool		null;
	char	   *data;
	size_t		len;
} fx_value;

typedef struct fx_rowset {
	fx_value  **rows;			/* each ncols values */
	size_t		nrows;
	size_t		cap;
} fx_rowset;

typedef struct fx_table {
	char	   *name;			/* db.table */
	fx_column  *cols;
	size_t		ncols;
	fx_rowset	snap[MAX_SNAPSHOTS];	/* the server's rows at each snapshot */
	fx_rowset	state;			/* replayed */
	size_t		inserts, updates, deletes;
} fx_table;

typedef struct fixture {
	uint8_t    *bin;
	size_t		len;
	fx_table   *tables;
	size_t		ntables;
	unsigned long snap_pos[MAX_SNAPSHOTS];
	size_t		nsnaps;
	size_t		hook_calls;
	const char *unwanted;		/* a table the hook declines */
} fixture;

/* A synthetic table: tm_body makes a TABLE_MAP body, rows_body a rows body. */
typedef struct tm_spec {
	uint64_t	id;
	const char *db, *name;
	size_t		ncols;
	const uint8_t *types;
	const uint8_t *meta;
	size_t		metalen;
	const uint8_t *opt;
	size_t		optlen;
} tm_spec;

/* --- fixtures (recorded binlog files) ------------------------------------------ */

/* fixture_load: NAME.bin and NAME.expected of FIXTURE_DIR; fails the test
 * if one is missing. fixture_free frees what it loaded. */
void fixture_load(fixture *fx, const char *name);
void fixture_free(fixture *fx);

/* fixture_table: the fixture's table db.name, or NULL */
fx_table *fixture_table(fixture *fx, const char *db, const char *name);

/* rowset_add: appends row (taking it over); row_free frees one of ncols values */
void rowset_add(fx_rowset *rs, fx_value *row);
void row_free(fx_value *row, size_t ncols);

/* rd32: a little-endian uint32 (event_size is rd32(event + 9)) */
uint32_t rd32(const uint8_t *p);

/* only_hook: a table hook that wants only the table named by ctx */
bool only_hook(binlog_table *bt, void *ctx, char *errbuf, size_t errlen);

/* find_rows: decodes fx from the start (only table `table` wanted) up to the
 * first rows event of the type for that table; returns the decoder, which
 * has seen its table map */
binlog_decoder *find_rows(const fixture *fx, const char *table, uint8_t type, size_t *pos,
						  size_t *size, size_t *nrows);

/* counting_hook: counts calls (ctx is an int counter) and refuses a table
 * named "refused" */
bool counting_hook(binlog_table *bt, void *ctx, char *errbuf, size_t errlen);

/* --- events made here ------------------------------------------------------------ */

void put_le(uint8_t *p, uint64_t v, size_t n);
void reseal(uint8_t *e, size_t len, bool crc);
uint8_t *make_event(uint8_t type, uint16_t flags, const void *body, size_t blen, bool crc,
					size_t *len);
void decode_ok(binlog_decoder *d, const uint8_t *e, size_t len, binlog_event *ev);
void decode_fails(binlog_decoder *d, const uint8_t *e, size_t len, const char *w1,
				  const char *w2);
size_t tm_body(uint8_t *b, const tm_spec *s);
size_t rows_body(uint8_t *b, uint64_t id, size_t width, const void *rows, size_t rlen);
binlog_decoder *synthetic(binlog_table_hook hook, void *ctx, const tm_spec *s);
bool rows_event(binlog_decoder *d, size_t width, const void *rows, size_t rlen,
				binlog_event *ev, char *err, size_t errlen);
void value_is(binlog_decoder *d, const void *row, size_t rlen, const char *want, size_t wlen);
void value_fails(binlog_decoder *d, const void *row, size_t rlen, const char *w1,
				 const char *w2);

#endif
