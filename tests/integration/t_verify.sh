#!/bin/sh
# --verify compares source and target after conversion: it passes on an
# exact copy, and a changed, missing or extra target row is reported with its
# table and key range and exit code 3. --resume --verify re-checks tables that
# are already ready without copying them again.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_verify; CREATE DATABASE it_verify; USE it_verify;
CREATE TABLE ints (id INT PRIMARY KEY, v VARCHAR(20), d DATETIME(3), j JSON);
INSERT INTO ints SELECT seq, CONCAT('v', seq), '2020-01-01' + INTERVAL seq SECOND, CONCAT('{\"n\": ', seq, '}') FROM seq_1_to_5000;
CREATE TABLE strs (code VARCHAR(10) PRIMARY KEY, n INT);
INSERT INTO strs SELECT CONCAT('c', seq), seq FROM seq_1_to_3000;
CREATE TABLE bag (x INT, y TEXT);
INSERT INTO bag SELECT seq % 3, 'b' FROM seq_1_to_100;
ANALYZE TABLE ints, strs, bag;"
write_env verify it_verify verify_sink
allow verify ints strs bag
args="--threshold 0 --batch-size 1000"

run_migrate --database verify --tables all $args --verify || fail "verify of an exact copy failed"
assert_contains "$T/migrate.log" 'verify: table "ints" matches (5000 rows, 5 chunks)' "ints verified"
assert_contains "$T/migrate.log" 'verify: table "bag" matches (100 rows, 1 chunk)' "bag verified"

# a changed value: named by the chunk's key range
pg "UPDATE verify_sink.ints SET v = 'changed' WHERE id = 1234"
run_migrate --database verify --tables ints $args --resume --verify; rc=$?
assert_eq 3 "$rc" "a changed row gives exit 3"
assert_contains "$T/migrate.log" 'table "ints" is already ready' "ready table not copied again"
assert_contains "$T/migrate.log" 'verify: table "ints" differs in chunk 1 (id >= 1001 and id < 2001)' "changed row's range named"
assert_contains "$T/migrate.log" 'the values differ' "same count, different values"

# a missing row in a keyset-chunked table, and an extra row in a keyless one
pg "DELETE FROM verify_sink.strs WHERE code = 'c2000'; INSERT INTO verify_sink.bag VALUES (9, 'extra')"
run_migrate --database verify --tables strs,bag $args --resume --verify; rc=$?
assert_eq 3 "$rc" "missing and extra rows give exit 3"
assert_match "$T/migrate.log" 'verify: table "strs" differs in chunk [0-9]+ \(code >= c' "missing row's range named"
assert_contains "$T/migrate.log" 'verify: table "strs" has 2999 rows in PostgreSQL but 3000 in MariaDB' "count mismatch"
assert_contains "$T/migrate.log" 'verify: table "bag" differs in chunk 0 (whole table)' "extra row in keyless table"

# --log-format json: every log line one JSON object, with the database and
# the table a worker thread was on
run_migrate --database verify --tables bag,ints $args --log-format json || fail "migrate --log-format json failed"
grep '^{' "$T/migrate.log" > "$T/json.log"
[ -s "$T/json.log" ] || fail "no JSON log lines"
pg > "$T/json.check" <<SQL || fail "a log line is not JSON: $(head -n 3 "$T/json.log")"
CREATE TEMP TABLE l (line text);
\copy l FROM '$T/json.log' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
SELECT count(*) FILTER (WHERE line::jsonb->>'database' IS DISTINCT FROM 'verify' OR line::jsonb->>'time' IS NULL
                          OR line::jsonb->>'message' IS NULL)
       || ' ' || count(*) FILTER (WHERE line::jsonb->>'table' = 'ints' AND line::jsonb->>'message' LIKE '%built primary key%')
FROM l;
SQL
assert_eq "0 1" "$(tail -n 1 "$T/json.check")" "json lines carry database, time and message; a worker's line its table"
exit 0
