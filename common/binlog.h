/*
 * MariaDB binlog event decoder: raw event bytes in, events and row values out.
 *
 * The decoder is fed one event at a time (header included, and the 4-byte
 * CRC32 trailer when the FORMAT_DESCRIPTION event says the binlog has
 * checksums), from the replication stream or from a binlog file. It keeps
 * the state a binlog carries between events: the format description and the
 * table maps by table id. Row values are rendered into MariaDB's
 * text-protocol form, exactly what mysql_fetch_row returns for the column
 * on a session with time_zone '+00:00', so that the type map encodes a value
 * identically whichever path carried it (see typemap.h).
 *
 * Every length is bounds-checked; a malformed event fails with a message and
 * never reads outside the bytes given. The decoder never prints. Pointers in
 * a decoded event stay valid until the next binlog_decode call on the same
 * decoder (they live in a per-event arena that is reset, not freed).
 *
 * Libraries: libmariadb's mariadb_rpl_extract_rows does not bounds-check
 * row data, ignores the column-present bitmaps and renders TIMESTAMP2 wrongly,
 * so rows are decoded here; libmariadb only carries the replication stream.
 * Compressed events are inflated with zlib (MariaDB compresses with zlib).
 */
#ifndef COMMON_BINLOG_H
#define COMMON_BINLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Event type codes (MariaDB 10.11 log_event.h) that the decoder knows. */
enum {
	BINLOG_QUERY_EVENT = 2,
	BINLOG_STOP_EVENT = 3,
	BINLOG_ROTATE_EVENT = 4,
	BINLOG_INTVAR_EVENT = 5,
	BINLOG_RAND_EVENT = 13,
	BINLOG_USER_VAR_EVENT = 14,
	BINLOG_FORMAT_DESCRIPTION_EVENT = 15,
	BINLOG_XID_EVENT = 16,
	BINLOG_TABLE_MAP_EVENT = 19,
	BINLOG_WRITE_ROWS_EVENT_V1 = 23,
	BINLOG_UPDATE_ROWS_EVENT_V1 = 24,
	BINLOG_DELETE_ROWS_EVENT_V1 = 25,
	BINLOG_HEARTBEAT_LOG_EVENT = 27,
	BINLOG_WRITE_ROWS_EVENT = 30,
	BINLOG_UPDATE_ROWS_EVENT = 31,
	BINLOG_DELETE_ROWS_EVENT = 32,
	BINLOG_ANNOTATE_ROWS_EVENT = 160,
	BINLOG_BINLOG_CHECKPOINT_EVENT = 161,
	BINLOG_GTID_EVENT = 162,
	BINLOG_GTID_LIST_EVENT = 163,
	BINLOG_START_ENCRYPTION_EVENT = 164,
	BINLOG_QUERY_COMPRESSED_EVENT = 165,
	BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1 = 166,
	BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1 = 167,
	BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1 = 168,
	BINLOG_WRITE_ROWS_COMPRESSED_EVENT = 169,
	BINLOG_UPDATE_ROWS_COMPRESSED_EVENT = 170,
	BINLOG_DELETE_ROWS_COMPRESSED_EVENT = 171
};

/* What a decoded event is, after folding the variants together. */
typedef enum binlog_kind {
	BINLOG_EV_OTHER,            /* known or ignorable event with nothing to act on */
	BINLOG_EV_FORMAT,           /* FORMAT_DESCRIPTION */
	BINLOG_EV_ROTATE,
	BINLOG_EV_GTID,             /* starts a transaction (or a standalone DDL) */
	BINLOG_EV_XID,              /* commits a transaction */
	BINLOG_EV_QUERY,            /* QUERY and QUERY_COMPRESSED: BEGIN, COMMIT, DDL, statement DML */
	BINLOG_EV_ANNOTATE,         /* ANNOTATE_ROWS: the statement behind the next rows events */
	BINLOG_EV_TABLE_MAP,
	BINLOG_EV_ROWS,             /* WRITE/UPDATE/DELETE rows, v1, v2, compressed */
	BINLOG_EV_HEARTBEAT
} binlog_kind;

typedef enum binlog_rows_kind {
	BINLOG_ROWS_INSERT,
	BINLOG_ROWS_UPDATE,
	BINLOG_ROWS_DELETE
} binlog_rows_kind;

/* How the caller wants a column rendered where the table map cannot tell
 * (MariaDB's data type plugins travel as plain binary strings). */
typedef enum binlog_render {
	BINLOG_RENDER_DEFAULT,      /* by the binlog type alone */
	BINLOG_RENDER_INET4,        /* BINARY(4) -> "192.0.2.1" */
	BINLOG_RENDER_INET6,        /* BINARY(16) -> "2001:db8::1" (as MariaDB prints it) */
	BINLOG_RENDER_UUID,         /* BINARY(16) in MariaDB's UUID record order -> "xxxxxxxx-xxxx-..." */
	BINLOG_RENDER_WKB           /* geometry: strip the 4-byte SRID -> WKB, as ST_AsBinary */
} binlog_render;

/* One column of a table map.
 *
 * meta, decoded per type: FLOAT/DOUBLE the byte length (4, 8); NEWDECIMAL
 * precision << 8 | scale; TIMESTAMP2/DATETIME2/TIME2 the fractional digits;
 * VARCHAR/VAR_STRING and STRING (CHAR, BINARY) the maximum length in bytes;
 * ENUM/SET the byte length of a value (1-2, 1-8); BIT the number of bits;
 * BLOB family, GEOMETRY and JSON the byte length of the length prefix (1-4);
 * 0 for the others. */
typedef struct binlog_column {
	uint8_t     type;           /* MYSQL_TYPE_* as in the table map (real type for ENUM/SET/STRING) */
	uint16_t    meta;           /* type metadata as in the table map, decoded per type */
	bool        nullable;
	/* digits the binlog does not carry; -1 unless the hook sets them from
	 * information_schema: FLOAT(M,D)/DOUBLE(M,D) -> D (NUMERIC_SCALE; the
	 * text protocol prints exactly D decimals), and for the pre-MySQL-5.6
	 * TIME/DATETIME/TIMESTAMP types the precision (DATETIME_PRECISION; 1-6
	 * selects MariaDB 5.3's fractional format, made with
	 * mysql56_temporal_format=OFF, which the binlog cannot tell apart) */
	int         decimals;
	/* from optional metadata (binlog_row_metadata MINIMAL or FULL); the
	 * caller may set or correct them from information_schema in its
	 * table-map hook */
	bool        is_unsigned;    /* SIGNEDNESS */
	bool        has_signedness; /* the binlog said */
	const char *name;           /* COLUMN_NAME (FULL only), else NULL */
	unsigned    charset;        /* collation id; 63 = binary; 0 = unknown (latin1 text is
	                             * converted to UTF-8, utf8mb3/utf8mb4/ascii/binary
	                             * pass as they are, other character sets fail) */
	size_t      nlabels;        /* ENUM/SET labels (FULL only, or set by the hook) */
	const char **labels;
	bool        is_pk;          /* SIMPLE/PREFIXED_PRIMARY_KEY (FULL only) */
	/* set by the caller's hook */
	binlog_render render;
} binlog_column;

/* A table map: table id -> columns. Owned by the decoder; valid until the
 * decoder frees it (it stays across events: rows events refer to it). */
typedef struct binlog_table {
	uint64_t    table_id;
	const char *db;
	const char *name;
	size_t      ncols;
	binlog_column *cols;
	bool        wanted;         /* the hook's answer: decode rows for it */
	void       *user;           /* the hook may hang its own data here */
} binlog_table;

/* One value of a row image, in MariaDB text-protocol form. */
typedef struct binlog_value {
	bool        present;        /* in the image (MINIMAL images omit columns) */
	const char *data;           /* NULL for SQL NULL; else len bytes (not NUL-terminated) */
	size_t      len;
} binlog_value;

/* One row change: before (UPDATE, DELETE) and after (INSERT, UPDATE) images,
 * each an array of table->ncols values. */
typedef struct binlog_row {
	binlog_value *before;       /* NULL for INSERT */
	binlog_value *after;        /* NULL for DELETE */
} binlog_row;

typedef struct binlog_event {
	/* common header */
	uint32_t    timestamp;
	uint8_t     type;           /* raw event type code */
	uint32_t    server_id;
	uint32_t    size;           /* event_size from the header */
	uint32_t    next_pos;       /* log_pos: where the next event starts (0 for artificial events) */
	uint16_t    flags;
	binlog_kind kind;
	union {
		struct {
			uint16_t    binlog_version;
			const char *server_version;
			bool        checksum;           /* CRC32 trailers follow */
		} format;
		struct {
			uint64_t    pos;
			const char *file;               /* NUL-terminated */
		} rotate;
		struct {
			uint64_t    seq_no;
			uint32_t    domain_id;
			uint8_t     flags;              /* FL_STANDALONE 1, FL_DDL 0x20, ... */
		} gtid;
		struct {
			uint64_t    xid;
		} xid;
		struct {
			const char *db;                 /* NUL-terminated, may be "" */
			const char *sql;                /* NUL-terminated */
			size_t      sql_len;
			uint32_t    error_code;
			uint64_t    sql_mode;           /* the session's sql_mode bits (Q_SQL_MODE_CODE) */
			bool        sql_mode_known;     /* false when the event does not carry it */
		} query;
		struct {
			const char *sql;
			size_t      sql_len;
		} annotate;
		const binlog_table *table_map;      /* the caller may adjust it as its hook may,
		                                     * before the rows that refer to it */
		struct {
			binlog_rows_kind kind;
			const binlog_table *table;      /* NULL if no table map for its id */
			uint16_t    flags;              /* bit 0: STMT_END_F */
			size_t      nrows;              /* 0 when the table is not wanted */
			binlog_row *rows;
		} rows;
		struct {
			const char *file;               /* current binlog file name */
		} heartbeat;
	} u;
} binlog_event;

typedef struct binlog_decoder binlog_decoder;

/* binlog_table_hook: called once per new or changed table map, before any
 * rows of it are decoded; sets table->wanted (false skips decoding its rows;
 * it is true when the hook leaves it) and may adjust columns (render,
 * is_unsigned, labels, decimals, charset from the schema); labels it sets
 * stay the caller's. Returns false to fail the decode with the message it
 * wrote into errbuf. A re-map of an id with different bytes frees the old
 * table; the decoder keeps at most 16384 table maps and drops the least
 * recently used beyond that (the hook sees such a table again). */
typedef bool (*binlog_table_hook)(binlog_table *table, void *ctx, char *errbuf, size_t errlen);

/* binlog_decoder_new: returns a decoder the caller frees with
 * binlog_decoder_free. Until a FORMAT_DESCRIPTION event arrives it assumes a
 * MariaDB 10.x binlog with CRC32 checksums off. */
binlog_decoder *binlog_decoder_new(binlog_table_hook hook, void *ctx);
void binlog_decoder_free(binlog_decoder *d);

/* binlog_decoder_set_checksum: whether events carry a CRC32 trailer (the
 * replication stream tells the client out of band: @@binlog_checksum);
 * a FORMAT_DESCRIPTION event also sets it. */
void binlog_decoder_set_checksum(binlog_decoder *d, bool on);

/* binlog_decode: decodes one event of len bytes at data. Verifies the
 * checksum when present. False with errbuf (naming the event type and what
 * was wrong) for a malformed event, a checksum mismatch, a value that cannot
 * be rendered, or an unknown event without the ignorable flag. */
bool binlog_decode(binlog_decoder *d, const uint8_t *data, size_t len,
				   binlog_event *ev, char *errbuf, size_t errlen);

/* binlog_event_name: "WRITE_ROWS_EVENT_V1" etc. for a type code */
const char *binlog_event_name(uint8_t type);

/*
 * binlog_column_fits: whether a column MariaDB describes with column_type
 * (information_schema COLUMN_TYPE, e.g. "int(11) unsigned") is logged with
 * c's type code: a coarse check that a table map and a description are of
 * the same schema. True where it cannot tell (geometry, INET, UUID).
 */
bool binlog_column_fits(const binlog_column *c, const char *column_type);

/*
 * binlog_real_text: a FLOAT (is_float) or DOUBLE x as the text protocol
 * prints it, into dst (BINLOG_REAL_TEXT bytes); returns the length: with
 * decimals fixed digits (FLOAT(M,D)) when decimals >= 0, else my_gcvt's
 * form: FLOAT rounded to 6 significant digits, DOUBLE with the shortest
 * digits that read back as x.
 */
#define BINLOG_REAL_TEXT 400
size_t binlog_real_text(double x, bool is_float, int decimals, char *dst);

/* binlog_real_digits: the significant digits of ax >= 0 (no trailing zeros,
 * value 0.DIG * 10^decpt) as binlog_real_text prints them: 6 for a FLOAT,
 * else the shortest that read back as ax; dig has room for 32; returns the
 * count (0 only on a formatting failure) */
int binlog_real_digits(double ax, bool is_float, char *dig, int *decpt);

#endif
