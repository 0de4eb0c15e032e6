/*
 * Debezium change events, the encoding half: one row change in, the JSON
 * that Debezium's MySQL connector would have written to Kafka for it out
 * (dbz_value, dbz_key). The way back, a message in and the row change out,
 * is the decoding half (dbz_decode.h); the operation codes and topic names
 * both use are in dbz.h.
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
 * Errors name the table and the column; they go into the caller's errbuf,
 * and the module never prints. It keeps no state: every call builds its
 * JSON afresh, and returns a new jansson reference that the caller owns
 * (json_decref). The inputs are only read, and need to live only for the
 * call.
 */
#ifndef STREAM_DBZ_ENCODE_H
#define STREAM_DBZ_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "common/binlog.h"
#include "common/plan.h"
#include "stream/dbz.h"

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

typedef struct dbz_options {
	bool        flatten;        /* ExtractNewRecordState's record instead of the envelope */
	bool        schemas;        /* JsonConverter schemas.enable=true */
	const char *version;        /* source.version; NULL = DBZ_VERSION */
} dbz_options;

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
 * Schema change events: what Debezium's MySQL connector writes to the
 * schema change topic, named exactly the topic prefix, when a captured
 * table's schema changes. The layout is that of Debezium's Kafka Connect
 * schemas for it (SchemaFactory's schemaHistoryConnector{Key,Value}Schema,
 * ConnectTableChangeSerializer), as JsonConverter writes them:
 *
 *   key    {"databaseName": db}
 *          (schema io.debezium.connector.mysql.SchemaChangeKey, version 1)
 *   value  {"source": the "source" block of data events, "ts_ms",
 *           "databaseName", "schemaName": null, "ddl": the statement as the
 *           binary log has it, "tableChanges": [{"type": "ALTER"|"CREATE"|
 *           "DROP", "id": "\"db\".\"table\"", "table": {"defaultCharsetName",
 *           "primaryKeyColumnNames", "columns": [column...], "comment"}}]}
 *          (schema io.debezium.connector.mysql.SchemaChangeValue, version 1)
 *   column {"name", "jdbcType", "nativeType": null, "typeName",
 *           "typeExpression", "charsetName", "length", "scale", "position"
 *           (from 1), "optional", "autoIncremented", "generated", "comment":
 *           null, "defaultValueExpression", "enumValues"}
 *
 * jdbcType is the java.sql.Types code Debezium's MySQL DDL parser gives the
 * MariaDB type: TINYINT -6, SMALLINT 5, MEDIUMINT and INT 4, BIGINT -5,
 * DECIMAL 3, FLOAT 6, DOUBLE 8, BIT -7, CHAR 1, VARCHAR and the TEXT types
 * 12, BINARY -2, VARBINARY -3, the BLOB types 2004, DATE 91, TIME 92,
 * DATETIME 93, TIMESTAMP 2014 (TIMESTAMP_WITH_TIMEZONE), YEAR 4, ENUM and
 * SET 1, JSON, UUID, INET and the geometry types 1111 (OTHER). typeName is
 * the type's upper-case name with " UNSIGNED" (" UNSIGNED ZEROFILL") when
 * it has it, and typeExpression the same; length and scale are the
 * numbers in COLUMN_TYPE's parentheses (an ENUM's length 1, a SET's twice
 * its labels less one, as Debezium counts them), null when there are none;
 * enumValues the labels quoted as in the DDL ("'a'"), null for other types;
 * generated is true for AUTO_INCREMENT columns (as Debezium marks them) and
 * for generated columns; defaultValueExpression is the DEFAULT as Debezium
 * renders it (a string literal unquoted, a number as written,
 * CURRENT_TIMESTAMP as "1970-01-01 00:00:00", null for none, NULL or an
 * expression). charsetName is the character set of the column's collation
 * for text columns (null where the collation id is not one this module
 * knows, and for other types).
 *
 * Known differences: the table's defaultCharsetName and the column and
 * table comments are not in the description the stream keeps, so they are
 * null; a BOOLEAN column is TINYINT(1) to information_schema and so TINYINT
 * (-6), where Debezium parsing "BOOLEAN" in a CREATE statement says 16.
 * Debezium's internal schema history topic has two more fields
 * (hasDefaultValue, attributes) that its schema change topic does not: they
 * are not sent.
 */
typedef enum dbz_ddl_kind {
	DBZ_DDL_CREATE,
	DBZ_DDL_ALTER,
	DBZ_DDL_DROP
} dbz_ddl_kind;

/* dbz_schema_change_key: the key of a schema change event of database db;
 * a new reference */
json_t *dbz_schema_change_key(const char *db, const dbz_options *o);

/*
 * dbz_schema_change: the value of a schema change event: table pt (its
 * description after the change; for DBZ_DDL_DROP only its name is used, and
 * "table" is null) changed by statement ddl. src->db and src->table name the
 * table, and with the rest of src make the "source" block. now_ms is the
 * event's ts_ms. o->flatten is ignored (ExtractNewRecordState passes schema
 * change events through as they are). Returns a new reference, or NULL
 * with errbuf filled (a name that is not UTF-8).
 */
json_t *dbz_schema_change(const plan_table *pt, dbz_ddl_kind kind, const char *ddl,
						  const dbz_source *src, const dbz_options *o, uint64_t now_ms,
						  char *errbuf, size_t errlen);

#endif
