/*
 * Debezium change events, the decoding half: the inverse of dbz_value and
 * dbz_key (dbz_encode.h), for a consumer that applies Debezium topics (ours,
 * or a Debezium MySQL/MariaDB connector's) to PostgreSQL. Each field's JSON
 * value becomes the MariaDB text-protocol form the sink takes (binlog.h,
 * typemap.h), so that a row dbz_value wrote comes back byte for byte.
 *
 * A message value is one of:
 *   - the envelope {"before", "after", "source", "op", "ts_ms", ...};
 *   - the same wrapped by JsonConverter's schemas.enable=true as
 *     {"schema": ..., "payload": ...}: the payload is read; the schema, when
 *     there, only says how to read a field (below) and is never required;
 *   - ExtractNewRecordState's flattened record: the row's fields at the top
 *     level, plus whichever of "__op", "__db", "__table", "__ts_ms",
 *     "__source_ts_ms", "__file", "__pos", "__row", "__gtid",
 *     "__server_id", "__snapshot" and "__deleted" ("true"/"false", or a
 *     boolean) add.fields and delete.handling.mode=rewrite put there (a name
 *     that is also a column of the table is read as the column). The record
 *     of a delete (__deleted true or __op "d") is the before image; any
 *     other is the after image, with op "u" (an upsert) when there is no
 *     __op;
 *   - null (an empty or NULL message, or the text "null"): a tombstone.
 * Columns are found by name (the MariaDB column name, which is Debezium's
 * field name). A column that is not in a row image is NULL (a column
 * dropped at the source, or left out by column.exclude.list), but a key
 * column must be there. A field that names no column (a column added at
 * the source) is, with a schema, noted in the event with the MariaDB type
 * its Connect schema gives (dbz_added; the caller adds the column and
 * parses again); without one it fails the event, or is ignored when the
 * modes say so (KAFKA_UNKNOWN_FIELDS=ignore). In a flattened record, fields
 * whose names start with "__" are the transform's, not the row's.
 *
 * Without a schema, a value is read as the connector's modes (dbz_modes,
 * the event's modes; Debezium's defaults when NULL) say, never guessed:
 * see the DECIMAL, DATETIME, TIME and binary rows below. Where a value
 * reads two ways that the modes cannot tell apart, it fails the event.
 *
 *   MariaDB type             JSON value accepted
 *   ------------------------ ------------------------------------------------
 *   integer types            integer; a string of digits; true/false (1, 0);
 *                            checked against the column's range. BIGINT
 *                            UNSIGNED: a negative n is 2^64 + n (Debezium's
 *                            bigint.unsigned.handling.mode=long), and the
 *                            base64 Decimal of the precise mode
 *   DECIMAL(p,s)             with a schema: base64 of the unscaled two's
 *                            complement value at the schema's scale (type
 *                            bytes), a decimal string (type string), or a
 *                            number (JsonConverter's decimal.format=NUMERIC,
 *                            or float64); without one, as the decimal mode
 *                            says: precise base64 (at scale s; a DECIMAL(p,0)
 *                            string of digits alone whose length is a
 *                            multiple of 4 is refused, being decimal text as
 *                            well), string text, double a number; always
 *                            printed with exactly s fraction digits and
 *                            checked against p
 *   FLOAT, DOUBLE            number, printed as MariaDB prints it: FLOAT with
 *                            6 significant digits, DOUBLE with the shortest
 *                            digits that read back as the same double,
 *                            FLOAT(M,D)/DOUBLE(M,D) with D decimals
 *   BIT(1)                   true/false, or 0/1 -> one byte 0x01/0x00
 *   BIT(n)                   base64 of the bytes least significant first,
 *                            any length whose extra bytes are zero -> the
 *                            column's ceil(n/8) bytes, most significant first
 *   CHAR, TEXT, ENUM, SET,   string, as it is
 *   JSON, UUID, INET4/6
 *   BINARY, VARBINARY, BLOB  base64 (schema type bytes; binary.handling.mode
 *                            bytes or base64), URL-safe base64 or hex (those
 *                            modes) -> the bytes; BINARY(n) padded with zero
 *                            bytes to n, as the text protocol returns it
 *   DATE                     days since 1970-01-01 (negative before), or
 *                            "YYYY-MM-DD"
 *   DATETIME(p)              milliseconds since the epoch for p <= 3,
 *                            microseconds for p > 3 (milliseconds always in
 *                            the connect time mode), unless the schema's
 *                            name says otherwise (io.debezium.time.Timestamp
 *                            and org.apache.kafka.connect.data.Timestamp ms,
 *                            MicroTimestamp us, NanoTimestamp ns); or an
 *                            ISO-8601 string -> "YYYY-MM-DD HH:MM:SS" and
 *                            exactly p fraction digits. Without a schema and
 *                            with the time mode assumed, microseconds that
 *                            are also the milliseconds of a date in years
 *                            0000-9999 (1968-1978) are refused
 *   TIMESTAMP(p)             ISO-8601 string with 'Z' or an offset (moved to
 *                            UTC), e.g. "2024-01-31T14:34:56.5+02:00" ->
 *                            "2024-01-31 12:34:56.500" for p = 3; or a number
 *                            as for DATETIME
 *   TIME(p)                  microseconds (io.debezium.time.MicroTime; ms for
 *                            io.debezium.time.Time and Kafka's Time, ns for
 *                            NanoTime; without a schema ms in the connect
 *                            mode, and for p <= 3 in the adaptive one) ->
 *                            "[-]HH:MM:SS" and p fraction digits, hours up
 *                            to 838
 *   YEAR                     integer -> "2024"; 0 -> "0000"
 *   geometry types           {"wkb": base64, "srid": ...} -> the WKB (what
 *                            the sink takes, as ST_AsBinary gives it); into
 *                            a PostGIS column with a non-zero srid, EWKB
 *                            with the SRID; a Point without wkb is built
 *                            from x and y
 *   any                      null -> SQL NULL
 * Fraction digits beyond the column's precision must be zero, and dates
 * must fall in years 0000-9999; a value that is not of its column's shape
 * or range fails the event with the table and the column named.
 *
 * Caveats. Without a schema the modes are taken as declared where no value
 * shows them wrong: a TIME sent in milliseconds under a declared
 * microsecond mode, a DATETIME(4..6) in milliseconds under a declared
 * (not assumed) microsecond mode, hex under a base64 binary mode when its
 * length is a multiple of 4, and base64 of digits alone under the string
 * decimal mode are read as declared. A DECIMAL sent as a JSON number is
 * read as a double: exact up
 * to 15 significant digits, then rounded half away from zero at the
 * column's scale; a JSON integer beyond 64 bits does not parse at all. What
 * dbz_value had to change does not come back: a zero date is null (or the
 * epoch in a NOT NULL column), invalid UTF-8 is U+FFFD, an integer the
 * allowlist made boolean is 1 or 0.
 *
 * Errors name the table, and the column for a value; they go into the
 * caller's errbuf, and the module never prints. An event (dbz_event) owns
 * the parsed JSON and the decoded bytes its images point into; it is used by
 * one thread at a time, and the table description pt is only read.
 */
#ifndef STREAM_DBZ_DECODE_H
#define STREAM_DBZ_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/binlog.h"
#include "common/plan.h"
#include "stream/dbz.h"
#include "stream/dbz_decode_value.h"

/* A field of a row image that names no column of the table, when the
 * message has a schema (see dbz_parse). */
typedef struct dbz_added {
	const char *name;           /* the field's name (into the parsed JSON) */
	const char *type;           /* the MariaDB column type its Connect schema gives
	                             * ("DATETIME(3)", "VARCHAR(255)", ...), or NULL */
	const char *why;            /* when type is NULL: why no type can be given */
} dbz_added;

/* A row change read from a message; see dbz_parse. */
typedef struct dbz_event {
	const dbz_modes *modes;     /* the connector's modes, set by the caller and kept by
	                             * dbz_parse; NULL: Debezium's defaults */
	const dbz_added *added;     /* the fields that name no column, with a schema */
	size_t      nadded;
	dbz_op      op;             /* DBZ_TOMBSTONE for a null value; DBZ_TRUNCATE has no images */
	binlog_value *before;       /* pt->ncols values, or NULL (insert, flattened update) */
	binlog_value *after;        /* pt->ncols values, or NULL (delete) */
	binlog_value *key;          /* dbz_parse_key: pt->ncols values, the key's present; or NULL */
	char        file[256];      /* source.file, "" if none */
	uint64_t    pos;            /* source.pos */
	unsigned    row;            /* source.row: the row's index in its rows event */
	uint32_t    server_id;      /* source.server_id, 0 if none */
	char        gtid[512];      /* source.gtid, "" if none */
	uint64_t    ts_ms;          /* source.ts_ms (__source_ts_ms, else __ts_ms, when flattened) */
	bool        has_pos;        /* file and pos were both there */
	bool        snapshot;       /* source.snapshot other than "false" (true, last, incremental, ...) */
	char        db[256];        /* source.db or __db, "" if none */
	char        table[256];     /* source.table or __table, "" if none */
	struct dbz_mem *mem;        /* the decoded bytes and the parsed JSON; reused by the next call */
} dbz_event;

#define DBZ_EVENT_INIT { 0 }

/*
 * dbz_added_alter: the MariaDB statement that adds ev's added fields to
 * table pt as nullable columns ("ALTER TABLE `t` ADD COLUMN `f` TYPE NULL,
 * ..."), as heap text the caller frees; NULL with errbuf filled when a
 * field has no type (its why) or there is none.
 */
char *dbz_added_alter(const plan_table *pt, const dbz_event *ev, char *errbuf, size_t errlen);

/*
 * dbz_parse: reads one Kafka message value (value, len; NULL or len 0 is a
 * tombstone) for table pt into ev. ev starts as DBZ_EVENT_INIT and is
 * reused from message to message: the value pointers in before and after
 * (often into the parsed JSON itself) stay valid until the next dbz_parse
 * or dbz_event_free on ev. Returns false with errbuf filled (naming the
 * table, and the column for a value) for text that is not JSON, a shape
 * that is none of the above, an unknown op, a missing image or column, or
 * a value its column cannot take. The table in source is not checked
 * against pt: routing topics to tables is the caller's business.
 */
bool dbz_parse(const plan_table *pt, const char *value, size_t len, dbz_event *ev,
			   char *errbuf, size_t errlen);

/*
 * dbz_parse_key: reads the message key (plain, or {"schema", "payload"})
 * into ev->key, after dbz_parse on the same ev (which clears it): each
 * column named in the key is present, the others are not; every column of
 * pt's key must be there. A null key (a table without a key) leaves
 * ev->key NULL and succeeds. The values are valid as dbz_parse's are.
 */
bool dbz_parse_key(const plan_table *pt, const char *key, size_t len, dbz_event *ev,
				   char *errbuf, size_t errlen);

/* dbz_event_free: frees what ev holds; ev can then be used again */
void dbz_event_free(dbz_event *ev);

#endif
