#!/bin/sh
# Records the binlog decoder's fixtures from a real MariaDB server.
#
#   sh scripts/record_binlog.sh [OUTDIR]   (default tests/fixtures/binlog)
#
# Starts a throwaway sandbox (scripts/sandbox.sh), runs the same workload
# three times, each into a binlog file of its own, and copies the files out
# with what the server itself says the rows are:
#
#   full.bin         binlog_row_metadata=FULL, binlog_row_image=FULL, CRC32
#   minimal.bin      binlog_row_metadata=MINIMAL, binlog_row_image=MINIMAL,
#                    checksums off
#   compressed.bin   as full, with log_bin_compress=ON (compressed rows and
#                    query events)
#
# NAME.expected holds two snapshots of every table of the workload's
# database, one after the inserts and one at the end: the binlog position
# the snapshot was taken at, each column as information_schema describes it
# (in the first snapshot only) and each row as mysql_fetch_row returns it on a utf8mb4 session with
# time_zone '+00:00' (the way migrate reads), hex-encoded; geometry columns
# are read through ST_AsBinary, as migrate reads them. Lines, TAB-separated:
#
#   snapshot  POS
#   table     DB.TABLE
#   column    INDEX  NAME  DATA_TYPE  NUMERIC_SCALE  DATETIME_PRECISION  COLUMN_TYPE
#   row       HEX-or-\N ...
#
# The values come from a small C program (built here against libmariadb), so
# they are the text protocol's and nothing else. Finally the fuzz corpus
# (tests/fuzz/corpus) gets seeds cut from the recorded events.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${1:-tests/fixtures/binlog}
CORPUS=tests/fuzz/corpus

TMP=$(mktemp -d /tmp/record-binlog.XXXXXX)
SANDBOX="$TMP/sb"
cleanup() {
	st=$?
	sh "$ROOT/scripts/sandbox.sh" stop "$SANDBOX" >/dev/null 2>&1 || true
	rm -rf "$TMP"
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say() { echo "record_binlog: $*" >&2; }

# --- the dump program ----------------------------------------------------------
cat >"$TMP/dump.c" <<'EOF'
/* dump SOCKET DB [columns]: a snapshot of every table of DB as the text
 * protocol shows it, with the column lines if asked (see
 * scripts/record_binlog.sh) */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static MYSQL *my;

static void
die(const char *what)
{
	fprintf(stderr, "dump: %s: %s\n", what, mysql_error(my));
	exit(1);
}

static MYSQL_RES *
query(const char *sql)
{
	MYSQL_RES *res;

	if (mysql_query(my, sql) != 0)
		die(sql);
	res = mysql_store_result(my);
	if (!res)
		die(sql);
	return res;
}

static void
hex(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		printf("%02x", (unsigned char) s[i]);
}

static int
is_geometry(const char *t)
{
	static const char *g[] = { "geometry", "point", "linestring", "polygon", "multipoint",
		"multilinestring", "multipolygon", "geometrycollection", NULL };
	for (int i = 0; g[i]; i++)
		if (strcmp(t, g[i]) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	char sql[8192];
	MYSQL_RES *res, *cols, *rows;
	MYSQL_ROW row;

	if (argc < 3)
		return 2;
	int with_columns = argc > 3;
	my = mysql_init(NULL);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_INIT_COMMAND, "SET SESSION time_zone = '+00:00'");
	if (!mysql_real_connect(my, NULL, "root", NULL, NULL, 0, argv[1], 0))
		die("connect");
	res = query("SHOW MASTER STATUS");
	row = mysql_fetch_row(res);
	if (!row)
		die("SHOW MASTER STATUS");
	printf("snapshot\t%s\n", row[1]);
	mysql_free_result(res);

	snprintf(sql, sizeof(sql), "SELECT TABLE_NAME FROM information_schema.TABLES "
			 "WHERE TABLE_SCHEMA = '%s' ORDER BY TABLE_NAME", argv[2]);
	res = query(sql);
	while ((row = mysql_fetch_row(res))) {
		char list[65536] = "";
		size_t n = 0;

		printf("table\t%s.%s\n", argv[2], row[0]);
		snprintf(sql, sizeof(sql), "SELECT ORDINAL_POSITION - 1, COLUMN_NAME, DATA_TYPE, "
				 "IFNULL(NUMERIC_SCALE, -1), IFNULL(DATETIME_PRECISION, -1), COLUMN_TYPE "
				 "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' "
				 "ORDER BY ORDINAL_POSITION", argv[2], row[0]);
		cols = query(sql);
		MYSQL_ROW c;
		while ((c = mysql_fetch_row(cols))) {
			if (with_columns)
				printf("column\t%s\t%s\t%s\t%s\t%s\t%s\n", c[0], c[1], c[2], c[3], c[4], c[5]);
			n += (size_t) snprintf(list + n, sizeof(list) - n, is_geometry(c[2]) ? "%sST_AsBinary(`%s`)" : "%s`%s`",
								   n ? ", " : "", c[1]);
			if (n >= sizeof(list))
				die("column list too long");
		}
		mysql_free_result(cols);
		char *q = malloc(n + 256);
		snprintf(q, n + 256, "SELECT %s FROM `%s`.`%s` ORDER BY 1", list, argv[2], row[0]);
		rows = query(q);
		free(q);
		unsigned nf = mysql_num_fields(rows);
		MYSQL_ROW r;
		while ((r = mysql_fetch_row(rows))) {
			unsigned long *len = mysql_fetch_lengths(rows);
			printf("row");
			for (unsigned i = 0; i < nf; i++) {
				putchar('\t');
				if (r[i])
					hex(r[i], len[i]);
				else
					fputs("\\N", stdout);
			}
			putchar('\n');
		}
		mysql_free_result(rows);
	}
	mysql_free_result(res);
	mysql_close(my);
	return 0;
}
EOF
# shellcheck disable=SC2046
cc -std=c11 -O1 -o "$TMP/dump" "$TMP/dump.c" $(pkg-config --cflags --libs libmariadb)

# --- the workload ----------------------------------------------------------------

# schema DB: the tables, one per interesting area
schema() {
	wide_cols=""
	i=1
	while [ "$i" -le 499 ]; do
		wide_cols="$wide_cols, c$i SMALLINT"
		i=$((i + 1))
	done
	big_enum=""
	i=1
	while [ "$i" -le 300 ]; do
		big_enum="$big_enum${big_enum:+,}'l$i'"
		i=$((i + 1))
	done
	big_set=""
	i=1
	while [ "$i" -le 64 ]; do
		big_set="$big_set${big_set:+,}'s$i'"
		i=$((i + 1))
	done
	cat <<EOF
CREATE DATABASE $1;
USE $1;
CREATE TABLE t_int (id INT PRIMARY KEY, ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT,
  siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
  bi BIGINT, biu BIGINT UNSIGNED, y YEAR, b BOOL);
CREATE TABLE t_dec (id INT PRIMARY KEY, d52 DECIMAL(5,2), d6530 DECIMAL(65,30),
  d100 DECIMAL(10,0), d104u DECIMAL(10,4) UNSIGNED, d1818 DECIMAL(18,18), d2010 DECIMAL(20,10));
CREATE TABLE t_float (id INT PRIMARY KEY, f FLOAT, d DOUBLE, f73 FLOAT(7,3), d104 DOUBLE(10,4));
CREATE TABLE t_bit (id INT PRIMARY KEY, b1 BIT(1), b8 BIT(8), b17 BIT(17), b64 BIT(64));
CREATE TABLE t_str (id INT PRIMARY KEY, c CHAR(10), c100 CHAR(100), vc VARCHAR(300), vcs VARCHAR(20),
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT) CHARSET utf8mb4;
CREATE TABLE t_latin1 (id INT PRIMARY KEY, c CHAR(5), v VARCHAR(300), t TEXT,
  e ENUM('café', 'naïve', 'x') ) CHARSET latin1;
CREATE TABLE t_bin (id INT PRIMARY KEY, b8 BINARY(8), b4 BINARY(4), vb VARBINARY(300),
  tb TINYBLOB, b BLOB, mb MEDIUMBLOB, lb LONGBLOB);
CREATE TABLE t_json (id INT PRIMARY KEY, j JSON);
CREATE TABLE t_time (id INT PRIMARY KEY, d DATE, dt DATETIME, dt3 DATETIME(3), dt6 DATETIME(6),
  ts TIMESTAMP NULL, ts2 TIMESTAMP(2) NULL, ts6 TIMESTAMP(6) NULL,
  t TIME, t1 TIME(1), t3 TIME(3), t6 TIME(6));
SET GLOBAL mysql56_temporal_format = OFF;
CREATE TABLE t_oldtime (id INT PRIMARY KEY, t TIME, dt DATETIME, ts TIMESTAMP NULL,
  t3 TIME(3), dt6 DATETIME(6), ts2 TIMESTAMP(2) NULL);
SET GLOBAL mysql56_temporal_format = ON;
CREATE TABLE t_enum (id INT PRIMARY KEY, e ENUM('a', 'b', 'c d', 'é'), s SET('x', 'y', 'z'),
  be ENUM($big_enum), bs SET($big_set));
CREATE TABLE t_geo (id INT PRIMARY KEY, g GEOMETRY, pt POINT, ls LINESTRING, poly POLYGON,
  mp MULTIPOINT, gc GEOMETRYCOLLECTION);
CREATE TABLE t_inet (id INT PRIMARY KEY, i4 INET4, i6 INET6, u UUID);
CREATE TABLE t_nopk (a INT, b VARCHAR(10), c DOUBLE);
CREATE TABLE t_wide (id INT PRIMARY KEY$wide_cols);
EOF
}

# inserts DB: phase one
inserts() {
	wide_vals=""
	i=1
	while [ "$i" -le 499 ]; do
		wide_vals="$wide_vals, $i"
		i=$((i + 1))
	done
	cat <<EOF
USE $1;
SET time_zone = '+00:00';
INSERT INTO t_int VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 1901, 0),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,
   9223372036854775807, 18446744073709551615, 2155, 1),
  (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 2024, -1);
INSERT INTO t_dec VALUES
  (1, -0.50, 0, 0, 0, 0, 0),
  (2, 999.99, 12345678901234567890123456789012345.123456789012345678901234567890,
   9999999999, 999999.9999, 0.999999999999999999, 1234567890.0123456789),
  (3, -999.99, -12345678901234567890123456789012345.123456789012345678901234567890,
   -9999999999, 0.0001, -0.000000000000000001, -0.0000000001),
  (4, 1.05, -0.000000000000000000000000000001, 1, 1, -0.5, -1234567890.0123456789),
  (5, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO t_float VALUES
  (1, 1.5, 1.5, 1.5, 1.5), (2, 0.1, 0.1, 0.1, 0.1), (3, 1e20, 1e20, -1.2345, -1.23456),
  (4, -0.0, -0.0, 0, 0), (5, 3.4028234e38, 1.7976931348623157e308, 9999.999, 999999.9999),
  (6, 1.17549435e-38, 2.2250738585072014e-308, -9999.999, -0.00005),
  (7, 1.4e-45, 4.9406564584124654e-324, 0.0005, 0.00005),
  (8, 123456789, 123456789012345678, 1234.5675, 1.00005),
  (9, 1234565, 0.30000000000000004, 0.001, 0.0001),
  (10, 0.33333334, 0.3333333333333333, NULL, NULL),
  (11, 1e-7, 1e-15, 1, 1), (12, 1e15, 1e16, 2, 2), (13, 1e14, 1e14, 3, 3),
  (14, 100000000, 9007199254740993, 4, 4), (15, -1e-5, -1.5e-16, 5, 5),
  (16, 16777217, 1e-14, 6, 6), (17, 0.000123456789, 123.456, 7, 7),
  (18, 9.999999e14, 999999999999999.9, 8, 8), (19, 1e16, 1.2345678901234567e-300, 9, 9),
  (20, NULL, NULL, NULL, NULL);
INSERT INTO t_bit VALUES (1, b'0', b'0', b'0', b'0'),
  (2, b'1', b'11111111', b'11111111111111111', 0xFFFFFFFFFFFFFFFF),
  (3, b'1', b'10000000', b'10000000000000001', 0x8000000000000001),
  (4, NULL, NULL, NULL, NULL);
INSERT INTO t_str VALUES
  (1, '', '', '', '', '', '', '', ''),
  (2, 'abc  ', 'x', 'trailing  ', 'a\tb\nc', 'tiny', 'text', 'medium', 'long'),
  (3, 'a\0b', CONCAT('nul', CHAR(0)), 'héllo € 😀', REPEAT('z', 20),
   REPEAT('é', 85), REPEAT('text ', 60), REPEAT('m', 300), REPEAT('😀', 80)),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, 'éééééééééé', REPEAT('😀', 100),
   REPEAT('€', 300), ' lead', '\\\\back', 'quote''s', '', 'x');
INSERT INTO t_latin1 VALUES
  (1, 'café', x'808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
   x'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
   'café'),
  (2, '', '', '', 'naïve'), (3, NULL, NULL, NULL, NULL),
  (4, x'ff00fe', REPEAT(x'e9', 300), x'00', 'x');
INSERT INTO t_bin VALUES
  (1, x'00', x'01020000', x'00ff', x'', x'00', x'', x''),
  (2, x'0102030405060708', x'00000000', x'c3', x'ff', x'80', x'c0af', x'eda080'),
  (3, '', x'', '', NULL, NULL, NULL, NULL),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, x'ffffffffffffff00', x'00000001', REPEAT(x'ab', 300), REPEAT(x'00', 255), REPEAT(x'fe', 300),
   REPEAT(x'01', 400), REPEAT(x'7f', 300));
INSERT INTO t_json VALUES (1, '{"a": 1, "b": [true, null, 1.5]}'), (2, '[]'), (3, '"é \\\\u0000 x"'),
  (4, NULL), (5, '{"k": "😀"}'), (6, '12345678901234567890');
SET sql_mode = '';
INSERT INTO t_time VALUES
  (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000',
   '0000-00-00 00:00:00', '0000-00-00 00:00:00.00', '0000-00-00 00:00:00.000000',
   '00:00:00', '00:00:00.0', '00:00:00.000', '00:00:00.000000'),
  (2, '2023-00-15', '2023-05-00 01:02:03', '2023-00-00 00:00:00.5', '0000-01-01 00:00:00.000001',
   '1970-01-01 00:00:01', '1970-01-01 00:00:01.01', '1970-01-01 00:00:01.000001',
   '-838:59:59', '-838:59:59.0', '-838:59:59.000', '-838:59:59.000000'),
  (3, '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
   '2038-01-19 03:14:07', '2038-01-19 03:14:07.99', '2038-01-19 03:14:07.999999',
   '838:59:59', '838:59:59.9', '838:59:59.999', '838:59:59.999999'),
  (4, '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.001', '1000-01-01 00:00:00.100000',
   '2000-02-29 12:34:56', '2000-02-29 12:34:56.5', '2000-02-29 12:34:56.123456',
   '-00:00:01', '-00:00:00.1', '-00:00:00.001', '-00:00:00.000001'),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, '2024-02-29', '2024-02-29 23:59:59', '2024-02-29 23:59:59.123', '2024-02-29 23:59:59.654321',
   '2024-02-29 23:59:59', '2024-02-29 23:59:59.12', '2024-02-29 23:59:59.654321',
   '-01:02:03', '-01:02:03.4', '-01:02:03.045', '-01:02:03.000456');
SET sql_mode = DEFAULT;
SET time_zone = '+05:30';
INSERT INTO t_time (id, dt, ts, ts2, ts6) VALUES
  (7, '2024-06-01 12:00:00', '2024-06-01 12:00:00', '2024-06-01 00:00:00.25', '2024-06-01 05:29:59.999999');
SET time_zone = '+00:00';
INSERT INTO t_oldtime VALUES
  (1, '-838:59:59', '2023-01-02 03:04:05', '2023-01-02 03:04:05', '-01:02:03.004',
   '2023-01-02 03:04:05.123456', '2023-01-02 03:04:05.12'),
  (2, '838:59:59', '9999-12-31 23:59:59', '2038-01-19 03:14:07', '838:59:59.999',
   '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01.99'),
  (3, '00:00:00', '0000-00-00 00:00:00', NULL, '-00:00:00.001', '1000-01-01 00:00:00.000001', NULL),
  (4, NULL, NULL, NULL, NULL, NULL, NULL);
SET sql_mode = '';
INSERT INTO t_enum VALUES (1, 'a', 'x', 'l1', 's1'), (2, 'c d', 'x,z', 'l300', 's64'),
  (3, 'é', 'x,y,z', 'l256', 's1,s8,s9,s33,s64'), (4, NULL, NULL, NULL, NULL),
  (5, 'bogus', '', 'l255', '');
SET sql_mode = DEFAULT;
INSERT INTO t_geo VALUES
  (1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(-1.5 1e300)'),
   ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)'),
   ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 3 2, 2 2))'),
   ST_GeomFromText('MULTIPOINT(1 1, 2 2)'),
   ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 1 1))')),
  (2, ST_GeomFromText('POINT(3 4)', 4326), ST_GeomFromText('POINT(0 0)', 3857), NULL, NULL, NULL,
   ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')),
  (3, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO t_inet VALUES
  (1, '0.0.0.0', '::', '00000000-0000-0000-0000-000000000000'),
  (2, '255.255.255.255', '::1', '6ccd780c-baba-1026-9564-5b8c656024db'),
  (3, '192.0.2.1', '2001:db8::1', '12345678-9abc-4def-8123-456789abcdef'),
  (4, '10.0.0.0', '::ffff:1.2.3.4', '01890a5d-ac96-774b-bcce-b302099a8057'),
  (5, '1.0.0.0', '::1.2.3.4', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
  (6, '0.0.0.1', '1::', '12345678-9abc-0def-0123-456789abcd00'),
  (7, NULL, '2001:db8:0:1:1:1:1:1', NULL),
  (8, '127.0.0.1', 'fe80::1:0:0:0', '00000000-0000-1000-8000-000000000000'),
  (9, NULL, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', NULL),
  (10, NULL, '1:0:0:2:0:0:0:3', NULL), (11, NULL, NULL, NULL);
INSERT INTO t_nopk VALUES (1, 'dup', 1.5), (1, 'dup', 1.5), (2, NULL, NULL), (3, '', 0.1);
INSERT INTO t_wide VALUES (1$wide_vals);
BEGIN;
INSERT INTO t_int VALUES (6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 1999, 1);
INSERT INTO t_str (id, c) VALUES (6, 'in trx');
INSERT INTO t_nopk VALUES (4, 'trx', -1);
COMMIT;
EOF
}

# updates DB: phase two: updates (one statement changing many rows),
# deletes, more inserts
updates() {
	cat <<EOF
USE $1;
SET time_zone = '+00:00';
UPDATE t_int SET ti = ti DIV 2, biu = biu DIV 3, y = 2000 WHERE id IN (1, 2, 3, 5);
UPDATE t_int SET i = NULL WHERE id = 6;
UPDATE t_dec SET d52 = -d52, d6530 = d6530 / 7 WHERE id < 5;
UPDATE t_float SET f = f * 3, d = d / 3 WHERE id IN (1, 2, 8, 9, 17);
UPDATE t_bit SET b17 = b'1010' WHERE id = 3;
UPDATE t_str SET c = 'upd', vc = CONCAT(vc, '+') WHERE id IN (1, 2, 6);
UPDATE t_latin1 SET c = x'e9e8', e = 'x' WHERE id = 1;
UPDATE t_bin SET b4 = x'00000002', vb = x'' WHERE id = 1;
UPDATE t_json SET j = JSON_SET(j, '\$.c', 'new') WHERE id = 1;
UPDATE t_time SET dt6 = '2001-02-03 04:05:06.070809', t3 = '-12:34:56.789' WHERE id IN (1, 4);
UPDATE t_oldtime SET t3 = '01:01:01.001', ts2 = '2001-01-01 00:00:00.01' WHERE id = 3;
UPDATE t_enum SET e = 'b', s = 'y', be = 'l2', bs = 's2,s63' WHERE id IN (1, 5);
UPDATE t_geo SET pt = ST_GeomFromText('POINT(5 6)') WHERE id = 3;
UPDATE t_inet SET i4 = '203.0.113.9', u = '6ccd780c-baba-1026-9564-5b8c656024dc' WHERE id = 2;
UPDATE t_nopk SET c = 2.5 WHERE a = 1 LIMIT 1;
UPDATE t_wide SET c250 = -250, c499 = NULL WHERE id = 1;
DELETE FROM t_int WHERE id = 4;
DELETE FROM t_str WHERE id IN (4, 5);
DELETE FROM t_nopk WHERE a = 2;
DELETE FROM t_bin WHERE id = 3;
INSERT INTO t_int (id, ti) VALUES (7, 7), (8, 8), (9, 9);
UPDATE t_int SET id = id + 100 WHERE id >= 7;
INSERT INTO t_wide (id, c1) VALUES (2, 2);
EOF
}

# record NAME DB SETTINGS: one binlog file with the workload in database DB
# after SET GLOBAL SETTINGS
record() {
	name=$1 db=$2 settings=$3
	$MY -e "SET GLOBAL $settings; FLUSH BINARY LOGS;"
	file=$($MY -N -e "SHOW MASTER STATUS" | cut -f1)
	{ schema "$db"; inserts "$db"; } | $MY
	"$TMP/dump" "$MY_SOCKET" "$db" columns >"$TMP/$name.expected"
	updates "$db" | $MY
	"$TMP/dump" "$MY_SOCKET" "$db" >>"$TMP/$name.expected"
	$MY -e "FLUSH BINARY LOGS;"
	cp "$SANDBOX/mariadb/binlog/$file" "$TMP/$name.bin"
	say "$name: $file, $(wc -c <"$TMP/$name.bin") bytes"
}

say "starting a sandbox in $SANDBOX"
sh scripts/sandbox.sh start "$SANDBOX" >/dev/null
# shellcheck disable=SC1091
. "$SANDBOX/sandbox.env"
MY="mariadb --no-defaults -uroot -S $MY_SOCKET --default-character-set=utf8mb4"
$MY -N -e "SELECT VERSION()" >"$TMP/version"
say "MariaDB $(cat "$TMP/version")"

record full fx_full "binlog_row_metadata = FULL, binlog_row_image = FULL, binlog_checksum = CRC32, log_bin_compress = OFF"
record minimal fx_minimal "binlog_row_metadata = MINIMAL, binlog_row_image = MINIMAL, binlog_checksum = NONE, log_bin_compress = OFF"
record compressed fx_compressed "binlog_row_metadata = FULL, binlog_row_image = FULL, binlog_checksum = CRC32, log_bin_compress = ON, log_bin_compress_min_len = 10"

mkdir -p "$OUT"
for n in full minimal compressed; do
	cp "$TMP/$n.bin" "$TMP/$n.expected" "$OUT/"
	chmod 644 "$OUT/$n.bin" "$OUT/$n.expected"
done
cat >"$OUT/README" <<EOF
Binlog files recorded from MariaDB $(cat "$TMP/version") by scripts/record_binlog.sh (which documents the .expected format); decoded by tests/unit/test_binlog.c. full.bin: row metadata FULL, row image FULL, CRC32 checksums; minimal.bin: metadata MINIMAL, row image MINIMAL, no checksums; compressed.bin: as full with log_bin_compress=ON. Regenerate with: sh scripts/record_binlog.sh
EOF

# --- fuzz seeds --------------------------------------------------------------------
# A seed is a mode byte (see tests/fuzz/fuzz_binlog.c) and a few events: the
# FORMAT_DESCRIPTION of the file, a table map and the rows event after it.

# event_at FILE POS: prints "SIZE TYPE" of the event at POS
event_at() {
	set -- $(od -An -tu1 -j "$2" -N 13 "$1")
	echo "$((${10} + ${11} * 256 + ${12} * 65536 + ${13} * 16777216)) $5"
}

mkdir -p "$CORPUS"
rm -f "$CORPUS"/full-* "$CORPUS"/minimal-* "$CORPUS"/compressed-*
for n in full minimal compressed; do
	f="$OUT/$n.bin"
	total=$(wc -c <"$f")
	# mode (tests/fuzz/fuzz_binlog.c): CRC32 trailers rewritten (bit 7)
	# and checksums on before the first event (bit 0); neither for the
	# file without checksums
	mode=129
	[ "$n" = minimal ] && mode=0
	pos=4
	fde_pos=4 fde_size=0 tm_pos=0 tm_size=0 k=0
	while [ "$pos" -lt "$total" ]; do
		set -- $(event_at "$f" "$pos")
		size=$1 type=$2
		[ "$size" -ge 19 ] || break
		case $type in
		15) fde_pos=$pos fde_size=$size ;;
		19) tm_pos=$pos tm_size=$size ;;
		23 | 24 | 25 | 30 | 31 | 32 | 166 | 167 | 168 | 169 | 170 | 171)
			k=$((k + 1))
			seed="$CORPUS/$n-$k"
			printf "\\$(printf '%03o' "$mode")" >"$seed"
			dd if="$f" bs=1 skip="$fde_pos" count="$fde_size" 2>/dev/null >>"$seed"
			dd if="$f" bs=1 skip="$tm_pos" count="$tm_size" 2>/dev/null >>"$seed"
			dd if="$f" bs=1 skip="$pos" count="$size" 2>/dev/null >>"$seed"
			;;
		esac
		pos=$((pos + size))
	done
	# the whole file's first events too (format, GTID list, checkpoint, query)
	seed="$CORPUS/$n-head"
	printf "\\$(printf '%03o' "$mode")" >"$seed"
	dd if="$f" bs=1 skip=4 count=2048 2>/dev/null >>"$seed"
done
say "wrote $OUT and $(ls "$CORPUS" | wc -l) seeds in $CORPUS"
