/*
 * Debezium change events: one row change in, the JSON that Debezium's MySQL
 * connector would have written to Kafka for it out (dbz_value, dbz_key);
 * and back, a message from such a topic in, the row change out (dbz_parse,
 * dbz_parse_key; see "Reading events" below).
 *
 * The layout is Debezium 2.5's (envelope schema version 1: before, after,
 * source, op, ts_ms, transaction; no ts_us/ts_ns), with the connector's
 * defaults: decimal.handling.mode=precise,
 * time.precision.mode=adaptive_time_microseconds,
 * bigint.unsigned.handling.mode=long, binary.handling.mode=bytes, the key of
 * the primary key (or the unique key the plan chose), and Kafka's
 * JsonConverter (bytes as base64; with schemas.enable=true every key and
 * value is {"schema": ..., "payload": ...}). With flatten, the value is what
 * the ExtractNewRecordState transform makes of the envelope with
 * add.fields=op,db,table,ts_ms, add.fields.prefix=__ and
 * delete.handling.mode=rewrite.
 *
 * Values come in MariaDB's text-protocol form (binlog.h, typemap.h), so the
 * same row gives the same event whether migrate's snapshot or stream's binlog
 * carried it. The representation follows the column's MariaDB type
 * (COLUMN_TYPE), not its PostgreSQL mapping; the one exception is an
 * integer the allowlist overrides to boolean, which becomes a boolean:
 *
 *   MariaDB type             JSON value (schema type, name)
 *   ------------------------ ------------------------------------------------
 *   TINYINT, SMALLINT        integer (int16); SMALLINT UNSIGNED int32
 *   MEDIUMINT, INT           integer (int32); INT UNSIGNED int64
 *   BIGINT                   integer (int64); BIGINT UNSIGNED too: values
 *                            above 2^63-1 wrap to negative (v - 2^64), as
 *                            Debezium's "long" mode does
 *   TINYINT(1), BOOLEAN      integer (int16), as Debezium without the
 *                            TinyIntOneToBooleanConverter; true/false
 *                            (boolean) when the allowlist overrides the
 *                            column to boolean
 *   DECIMAL(p,s)             base64 of the unscaled value's minimal two's
 *                            complement big-endian bytes (bytes,
 *                            org.apache.kafka.connect.data.Decimal, version 1,
 *                            parameters scale=s, connect.decimal.precision=p):
 *                            -1.28 in DECIMAL(5,2) is -128 -> 0x80 -> "gA=="
 *   FLOAT                    number (float); FLOAT(M,D) number (double)
 *   DOUBLE, REAL             number (double); the double the text denotes,
 *                            which jansson prints with up to 17 significant
 *                            digits (0.1 as 0.10000000000000001: the same
 *                            double when read back)
 *   BIT(1)                   true/false (boolean)
 *   BIT(n), n > 1            base64 of ceil(n/8) bytes, least significant
 *                            byte first (bytes, io.debezium.data.Bits,
 *                            parameter length=n)
 *   CHAR, VARCHAR, TEXT      string; invalid UTF-8 bytes become U+FFFD
 *   ENUM, SET                string (io.debezium.data.Enum / EnumSet,
 *                            parameter allowed="a,b,c")
 *   JSON                     the document as a string (io.debezium.data.Json)
 *   BINARY, VARBINARY, BLOB  base64 (bytes)
 *   DATE                     days since 1970-01-01, negative before
 *                            (int32, io.debezium.time.Date)
 *   DATETIME(0..3)           milliseconds since 1970-01-01 00:00:00, the
 *                            value read as UTC (int64, io.debezium.time.Timestamp)
 *   DATETIME(4..6)           microseconds, likewise
 *                            (int64, io.debezium.time.MicroTimestamp)
 *   TIMESTAMP(p)             "2024-01-31T12:34:56.123Z": UTC, exactly p
 *                            fraction digits, none for p = 0
 *                            (string, io.debezium.time.ZonedTimestamp)
 *   TIME(p)                  microseconds, negative allowed, up to
 *                            +-838:59:59.999999 (int64, io.debezium.time.MicroTime)
 *   YEAR                     integer (int32, io.debezium.time.Year); 0000 is 0
 *   POINT                    {"x", "y", "wkb": base64, "srid": null}
 *                            (struct, io.debezium.data.geometry.Point)
 *   other geometry types     {"wkb": base64, "srid": null}
 *                            (struct, io.debezium.data.geometry.Geometry)
 *   UUID                     string (io.debezium.data.Uuid)
 *   INET4, INET6             string
 *   SQL NULL                 null (the field's schema is optional when the
 *                            column is nullable)
 *
 * Zero and invalid dates (a zero year, month or day, or a day the month does
 * not have, e.g. 0000-00-00 or 2023-02-30) in DATE, DATETIME and TIMESTAMP
 * columns become null when the column is nullable, else the epoch: 0, or
 * "1970-01-01T00:00:00Z" for a TIMESTAMP, as Debezium does.
 *
 * Known differences from Debezium: the srid of geometry values is always
 * null (the values arrive as plain WKB, without MariaDB's SRID prefix); FLOAT
 * values carry the 6 significant digits MariaDB prints; years 0-99 in dates
 * are kept, not moved to 1970-2069 (Debezium's enable.time.adjuster); column
 * defaults and comments are not in the schemas; a snapshot row is never
 * marked "last".
 *
 * Errors name the table and the column. The module never prints.
 */
#ifndef COMMON_DEBEZIUM_H
#define COMMON_DEBEZIUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "common/binlog.h"
#include "common/plan.h"

/* source.version, unless dbz_options.version says otherwise */
#ifndef DBZ_VERSION
#define DBZ_VERSION "0.1.0"
#endif

/* Where a row change comes from: the "source" block of the envelope. */
typedef struct dbz_source {
	const char *server_name;    /* topic prefix, source.name */
	const char *db;             /* MariaDB database (schema) */
	const char *table;          /* MariaDB table name */
	uint32_t    server_id;      /* of the event; 0 for snapshot rows */
	const char *file;           /* binlog file name */
	uint64_t    pos;            /* binlog position */
	const char *gtid;           /* MariaDB GTID "domain-server-seq", or NULL */
	uint64_t    ts_ms;          /* commit time in the source, ms since the epoch */
	unsigned    row;            /* index of the row in its rows event */
	bool        snapshot;       /* a row of migrate's copy: op "r", snapshot "true" */
} dbz_source;

typedef enum dbz_op {
	DBZ_TOMBSTONE = 0,          /* dbz_parse: a null message value */
	DBZ_CREATE = 'c',
	DBZ_UPDATE = 'u',
	DBZ_DELETE = 'd',
	DBZ_READ = 'r',             /* a snapshot row */
	DBZ_TRUNCATE = 't'          /* dbz_parse only: Debezium's truncate event */
} dbz_op;

typedef struct dbz_options {
	bool        flatten;        /* ExtractNewRecordState's record instead of the envelope */
	bool        schemas;        /* JsonConverter schemas.enable=true */
	const char *version;        /* source.version; NULL = DBZ_VERSION */
} dbz_options;

/*
 * dbz_topic: Debezium's default topic name "<prefix>.<db>.<table>", each
 * character outside [A-Za-z0-9._-] replaced by '_' (one per UTF-16 unit, as
 * Debezium counts them), cut at 249 characters. The schema names
 * "<topic>.Key", "<topic>.Value" and "<topic>.Envelope" use it too. Returns
 * a heap string the caller frees.
 */
char *dbz_topic(const char *prefix, const char *db, const char *table);

/*
 * dbz_key: the message key of a row: its key columns ({"id": 1}) from img,
 * the row image (after for inserts, before for updates and deletes: an
 * update that changes the key is, as in Debezium, a delete of the old key
 * and a create of the new one, which the caller sends). src names the topic
 * for the schema. Returns a new reference, or NULL with errbuf filled.
 *
 * A table without a key (pt->nkey == 0) has no key struct: Debezium then
 * sends a null Kafka key, and so should the caller; dbz_key fails for it.
 */
json_t *dbz_key(const plan_table *pt, const binlog_value *img, const dbz_source *src,
				const dbz_options *o, char *errbuf, size_t errlen);

/*
 * dbz_value: the message value of a row change. before is the row image
 * before the change (DBZ_UPDATE, DBZ_DELETE; else ignored), after the image
 * after it (DBZ_CREATE, DBZ_UPDATE, DBZ_READ; else ignored), each an array of
 * pt->ncols values. now_ms is the envelope's ts_ms: when this program
 * processed the change.
 *
 * The envelope: {"before", "after", "source": {"version", "connector":
 * "mysql", "name", "ts_ms", "snapshot": "true"|"false", "db", "sequence":
 * null, "table", "server_id", "gtid", "file", "pos", "row", "thread": null,
 * "query": null}, "op", "ts_ms", "transaction": null}. In envelope mode the
 * caller sends a tombstone (same key, null value) after each delete, as
 * Debezium does.
 *
 * With flatten: the after image (the before image for a delete) plus
 * "__deleted" ("true" for a delete, else "false"), "__op", "__db",
 * "__table" and "__ts_ms" (the envelope's ts_ms, i.e. now_ms: the transform
 * reads an unqualified ts_ms from the envelope, not from source). No
 * tombstones follow deletes in this mode (the transform's drop.tombstones
 * default).
 *
 * Returns a new reference, or NULL with errbuf filled (a value that cannot
 * be represented, a column missing from an image, an image the op needs but
 * did not get).
 */
json_t *dbz_value(const plan_table *pt, dbz_op op, const binlog_value *before,
				  const binlog_value *after, const dbz_source *src,
				  const dbz_options *o, uint64_t now_ms, char *errbuf, size_t errlen);

/*
 * Reading events: the inverse of dbz_value and dbz_key, for a consumer that
 * applies Debezium topics (ours, or a Debezium MySQL/MariaDB connector's) to
 * PostgreSQL. Each field's JSON value becomes the MariaDB text-protocol form
 * the sink takes (binlog.h, typemap.h), so that a row dbz_value wrote comes
 * back byte for byte.
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
 * field name). A field that names no column is ignored (a column dropped
 * since, or a field another transform added); a column that is not in a
 * row image fails the event, since Debezium always sends full rows.
 *
 *   MariaDB type             JSON value accepted
 *   ------------------------ ------------------------------------------------
 *   integer types            integer; a string of digits; true/false (1, 0);
 *                            checked against the column's range. BIGINT
 *                            UNSIGNED: a negative n is 2^64 + n (Debezium's
 *                            bigint.unsigned.handling.mode=long), and the
 *                            base64 Decimal of the precise mode
 *   DECIMAL(p,s)             base64 of the unscaled two's complement value
 *                            at the schema's scale parameter, else s (the
 *                            default precise mode); a decimal string
 *                            (decimal.handling.mode=string); a number
 *                            (mode double, or JsonConverter's
 *                            decimal.format=NUMERIC); always printed with
 *                            exactly s fraction digits and checked against p
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
 *   BINARY, VARBINARY, BLOB  base64 -> the bytes; BINARY(n) padded with zero
 *                            bytes to n, as the text protocol returns it
 *   DATE                     days since 1970-01-01 (negative before), or
 *                            "YYYY-MM-DD"
 *   DATETIME(p)              milliseconds since the epoch for p <= 3,
 *                            microseconds for p > 3, unless the schema's
 *                            name says otherwise (io.debezium.time.Timestamp
 *                            and org.apache.kafka.connect.data.Timestamp ms,
 *                            MicroTimestamp us, NanoTimestamp ns); or an
 *                            ISO-8601 string -> "YYYY-MM-DD HH:MM:SS" and
 *                            exactly p fraction digits
 *   TIMESTAMP(p)             ISO-8601 string with 'Z' or an offset (moved to
 *                            UTC), e.g. "2024-01-31T14:34:56.5+02:00" ->
 *                            "2024-01-31 12:34:56.500" for p = 3; or a number
 *                            as for DATETIME
 *   TIME(p)                  microseconds (io.debezium.time.MicroTime; ms for
 *                            io.debezium.time.Time and Kafka's Time, ns for
 *                            NanoTime) -> "[-]HH:MM:SS" and p fraction
 *                            digits, hours up to 838
 *   YEAR                     integer -> "2024"; 0 -> "0000"
 *   geometry types           {"wkb": base64, "srid": ...} -> the WKB (what
 *                            the sink takes, as ST_AsBinary gives it); a
 *                            Point without wkb is built from x and y
 *   any                      null -> SQL NULL
 * Fraction digits beyond the column's precision must be zero, and dates
 * must fall in years 0000-9999; a value that is not of its column's shape
 * or range fails the event with the table and the column named.
 *
 * Caveats. Without a schema the reader assumes the connector's defaults
 * (time.precision.mode=adaptive_time_microseconds): a DATETIME(4..6) sent
 * in milliseconds (time.precision.mode=connect) without schemas would be
 * read as microseconds. A DECIMAL(p,0) value that is a string of digits
 * whose length is a multiple of 4 is both valid base64 and a decimal
 * string: without a schema it is read as base64 (the precise mode, the
 * default), except in an UNSIGNED column (base64 of only digits is always
 * negative). A DECIMAL sent as a JSON number is read as a double: exact up
 * to 15 significant digits, then rounded half away from zero at the
 * column's scale; a JSON integer beyond 64 bits does not parse at all. What
 * dbz_value had to change does not come back: a zero date is null (or the
 * epoch in a NOT NULL column), invalid UTF-8 is U+FFFD, an integer the
 * allowlist made boolean is 1 or 0.
 */

/* A row change read from a message; see dbz_parse. */
typedef struct dbz_event {
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
