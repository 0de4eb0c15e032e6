#!/bin/sh
# Every MariaDB type round-trips with its documented conversion: values are
# read back from both servers and compared column by column, not counted.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_types; CREATE DATABASE it_types CHARACTER SET utf8mb4;
CREATE TABLE it_types.all_types (
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  flag TINYINT(1), flag_b TINYINT(1), b1 BIT(1), b10 BIT(10),
  dec1 DECIMAL(10,4), decu DECIMAL(30,10) UNSIGNED, f FLOAT, d DOUBLE,
  c CHAR(5), vc VARCHAR(40), tt TINYTEXT, t TEXT, mt MEDIUMTEXT, lt LONGTEXT,
  bn BINARY(4), vb VARBINARY(16), bl BLOB, lb LONGBLOB,
  e ENUM('small','medium','large'), st SET('a','b','c'),
  j JSON,
  dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME, tm6 TIME(6), yr YEAR,
  ip4 INET4, ip6 INET6, u UUID, g GEOMETRY, pt POINT,
  gen INT AS (i * 2) VIRTUAL, gens VARCHAR(50) AS (CONCAT(vc, '!')) STORED
);
SET time_zone = '+05:00';
SET sql_mode = '';
INSERT INTO it_types.all_types (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, flag, flag_b, b1, b10,
  dec1, decu, f, d, c, vc, tt, t, mt, lt, bn, vb, bl, lb, e, st, j, dt, dtm, dtm6, ts, tm, tm6, yr,
  ip4, ip6, u, g, pt) VALUES
(1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
  -9223372036854775808, 18446744073709551615, 1, 0, b'1', b'1010101010',
  -123456.7891, 12345678901234567890.0123456789, 1.5, 3.141592653589793,
  'ab', 'tab\there', 'new\nline', 'back\\\\slash', 'emoji 😀 ünïcode', REPEAT('x', 70000),
  X'00010203', X'DEADBEEF', X'', REPEAT(X'FF', 1000), 'medium', 'a,c',
  '{\"k\": [1, 2, {\"n\": null}], \"s\": \"v\"}',
  '2024-02-29', '1999-12-31 23:59:59', '2024-02-29 12:34:56.123456', '2024-06-01 05:00:00.125',
  '-838:59:59', '12:34:56.654321', 2024,
  '192.168.10.1', '2001:db8::1', '123e4567-e89b-12d3-a456-426614174000',
  ST_GeomFromText('LINESTRING(0 0, 1 1, 2 1)'), ST_GeomFromText('POINT(1.5 -2.25)')),
(2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0, 5, b'0', b'0000000001',
  0, 0, -0.25, -1e300, '', '', '', '', '', '', X'FF000000', X'00', X'00', X'00', 'small', '',
  '[]', '1000-01-01', '9999-12-31 23:59:59', '1000-01-01 00:00:00.000001', '1970-01-01 05:00:01.000',
  '838:59:59', '-00:00:00.000001', 1901, '0.0.0.0', '::', '00000000-0000-0000-0000-000000000000',
  ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 0))'), ST_GeomFromText('POINT(0 0)')),
(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE it_types.bad_data (id INT PRIMARY KEY, d DATE NOT NULL, dtm DATETIME, txt TEXT);
INSERT INTO it_types.bad_data VALUES (1, '0000-00-00', '0000-00-00 00:00:00', CONCAT('a', CHAR(0), 'b')),
  (2, '2023-00-15', '2023-05-00 10:00:00', 'fine'), (3, '2023-01-02', '2023-01-02 03:04:05', 'ok');"

# the same edge values in a table whose every column has a binary COPY form
my "CREATE TABLE it_types.bin_types LIKE it_types.all_types;
ALTER TABLE it_types.bin_types DROP COLUMN b10, DROP COLUMN tm, DROP COLUMN tm6, DROP COLUMN ip4,
  DROP COLUMN ip6, DROP COLUMN g, DROP COLUMN pt, DROP COLUMN gen, DROP COLUMN gens;
INSERT INTO it_types.bin_types SELECT id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, flag, flag_b, b1,
  dec1, decu, f, d, c, vc, tt, t, mt, lt, bn, vb, bl, lb, e, st, j, dt, dtm, dtm6, ts, yr, u FROM it_types.all_types;
INSERT INTO it_types.bin_types (id, dec1, decu, dtm6, ts, d, j) VALUES
  (4, 0.0001, 0, '0001-01-01 00:00:00.000001', '2038-01-19 03:14:07.999', 0, JSON_OBJECT('esc', CONCAT('a', CHAR(92), 'b', CHAR(34), 'c', CHAR(9)))),
  (5, -0.5, 100000000000000000000, '1969-12-31 23:59:59.5', '1970-01-01 00:00:01', 2.5e-300, '\"x\"');"
my "CREATE TABLE it_types.defs (id INT PRIMARY KEY, s VARCHAR(10) NOT NULL DEFAULT 'it''s', n INT DEFAULT 42,
  b BIT(1) DEFAULT b'1', f TINYINT(1) DEFAULT 1, ts TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  d DATE DEFAULT '2020-01-02', e ENUM('x','y') DEFAULT 'y', expr INT DEFAULT (1 + 1));"

write_env types it_types types_sink
allow types "all_types flag_b=boolean" "bin_types flag_b=boolean" "bad_data" "defs f=boolean"
TZ=America/New_York run_migrate --database types --tables all || fail "migrate failed"

# compare: MariaDB expression vs PostgreSQL expression, for every row
# (raw output: batch mode would escape tabs and newlines)
myraw() { mariadb --no-defaults -uroot -S "$MY_SOCKET" -N -B -r -e "$1"; }
cmp_col() {
	m=$(myraw "SET time_zone='+00:00'; SELECT COALESCE($2, '<NULL>') FROM it_types.$1 ORDER BY id" | tr '\n' '|')
	p=$(pg "SET TimeZone='UTC'; SELECT COALESCE(($3)::text, '<NULL>') FROM types_sink.$1 ORDER BY id" | tr '\n' '|')
	[ "$m" = "$p" ] || fail "$1: $2 vs $3: MariaDB [$m] PostgreSQL [$p]"
}
assert_contains "$T/migrate.log" 'table "bin_types": ~' "bin_types planned"
assert_match "$T/migrate.log" 'table "bin_types": .*COPY binary' "bin_types travels in binary"
assert_match "$T/migrate.log" 'table "all_types": .*COPY text' "all_types travels in text"
for tbl in all_types bin_types; do
	for c in ti tiu si siu mi miu i iu bi biu flag dec1 decu c vc tt t mt lt e st dt yr u; do
		cmp_col $tbl "CAST($c AS CHAR)" "$c"
	done
	cmp_col $tbl "IF(flag_b IS NULL, NULL, IF(flag_b <> 0, 'true', 'false'))" "flag_b"
	cmp_col $tbl "IF(b1 IS NULL, NULL, IF(b1 + 0 = 1, 'true', 'false'))" "b1"
	for c in bn vb bl lb; do
		cmp_col $tbl "LOWER(HEX($c))" "encode($c, 'hex')"
	done
	cmp_col $tbl "DATE_FORMAT(dtm, '%Y-%m-%d %H:%i:%s')" "to_char(dtm, 'YYYY-MM-DD HH24:MI:SS')"
	cmp_col $tbl "DATE_FORMAT(dtm6, '%Y-%m-%d %H:%i:%s.%f')" "to_char(dtm6, 'YYYY-MM-DD HH24:MI:SS.US')"
	cmp_col $tbl "DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f')" "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
	for id in 1 2 4 5; do
		for c in f d; do
			v=$(my "SELECT $c FROM it_types.$tbl WHERE id = $id")
			[ -z "$v" ] || [ "$v" = NULL ] && continue
			assert_eq t "$(pg "SELECT $c = '$v' FROM types_sink.$tbl WHERE id = $id")" "$tbl.$c of row $id ($v)"
		done
		doc=$(myraw "SELECT j FROM it_types.$tbl WHERE id = $id AND j IS NOT NULL")
		[ -n "$doc" ] || continue
		assert_eq t "$(pg "SELECT j = \$doc\$$doc\$doc\$::jsonb FROM types_sink.$tbl WHERE id = $id")" "$tbl.j of row $id"
	done
done
cmp_col all_types "LPAD(BIN(b10), 10, '0')" "b10"
cmp_col all_types "LOWER(HEX(ST_AsBinary(g)))" "encode(g, 'hex')"
cmp_col all_types "LOWER(HEX(ST_AsBinary(pt)))" "encode(pt, 'hex')"
cmp_col all_types "CAST(TIME_TO_SEC(tm) AS CHAR)" "extract(epoch from tm)::bigint"
cmp_col all_types "CAST(ROUND(TIME_TO_SEC(tm6) * 1000000) AS SIGNED)" "(extract(epoch from tm6) * 1000000)::bigint"
cmp_col all_types "CAST(ip4 AS CHAR)" "host(ip4)"
cmp_col all_types "CAST(ip6 AS CHAR)" "host(ip6)"

# the target's types are the documented ones
types=$(pg "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'types_sink' AND table_name = 'all_types'")
for want in id:integer ti:smallint tiu:smallint si:smallint siu:integer mi:integer miu:integer i:integer \
	iu:bigint bi:bigint biu:numeric flag:smallint flag_b:boolean b1:boolean b10:bit dec1:numeric f:real \
	"d:double precision" c:character "vc:character varying" t:text bn:bytea bl:bytea e:text st:text j:jsonb \
	dt:date "dtm6:timestamp without time zone" "ts:timestamp with time zone" tm:interval yr:smallint \
	ip4:inet ip6:inet u:uuid g:bytea gen:integer; do
	case ",$types," in *",$want,"*) ;; *) fail "column type $want not in $types" ;; esac
done

# defaults and NOT NULL carry over; an expression default is warned about
pg "INSERT INTO types_sink.defs (id) VALUES (1)"
assert_eq "it's|42|true|true|true|2020-01-02|y|" "$(pg "SELECT s || '|' || n || '|' || b || '|' || f || '|' || (ts > now() - interval '1 hour') || '|' || d || '|' || e || '|' || coalesce(expr::text, '') FROM types_sink.defs")" "defaults"
assert_eq NO "$(pg "SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'types_sink' AND table_name = 'defs' AND column_name = 's'")" "NOT NULL kept"
assert_contains "$T/migrate.log" 'default of column "defs"."expr" is not carried over' "expression default warned"

# documented rules for data PostgreSQL cannot hold, counted and reported
assert_eq "-infinity|-infinity|2023-01-02" "$(pg "SELECT string_agg(d::text, '|' ORDER BY id) FROM types_sink.bad_data")" "zero and partial dates"
assert_eq "-infinity|-infinity|2023-01-02 03:04:05" "$(pg "SELECT string_agg(dtm::text, '|' ORDER BY id) FROM types_sink.bad_data")" "zero datetimes"
assert_eq "ab" "$(pg "SELECT txt FROM types_sink.bad_data WHERE id = 1")" "NUL removed"
assert_contains "$T/migrate.log" "conversion: bad_data.d zero_date: 2 values, e.g. key id=1, id=2" "zero dates reported with keys"
assert_contains "$T/migrate.log" "conversion: bad_data.txt nul_char: 1 value" "NUL reported"

# --strict turns the same data into a failure naming table, column and key
allow types "bad_data"
run_migrate --database types --tables bad_data --strict && fail "--strict accepted a zero date"
assert_contains "$T/migrate.log" 'table "bad_data", column "d" (date), key id=1' "strict error names table, column and key"
state=$(pg "SELECT state FROM ctl_types.tables WHERE source_table = 'bad_data'")
assert_eq failed "$state" "a failed table is never ready"
exit 0
