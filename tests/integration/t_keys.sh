#!/bin/sh
# Odd identifiers, composite, non-integer and missing keys, chunked and not:
# every table ends equal to its source, checked value by value by --verify
# and by an independent row checksum on both servers.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_keys; CREATE DATABASE it_keys CHARACTER SET utf8mb4;
USE it_keys;
CREATE TABLE \`Odd Table \"x\"\` (\`Select\` INT NOT NULL PRIMARY KEY, \`mixed Case\` VARCHAR(20),
  \`a\"b\` INT, \`sp ace\` TEXT, \`order\` INT, KEY \`Idx Odd\` (\`mixed Case\`));
INSERT INTO \`Odd Table \"x\"\` SELECT seq, CONCAT('v', seq), seq % 7, 'text', seq FROM seq_1_to_3000;
CREATE TABLE composite (a INT NOT NULL, b VARCHAR(10) NOT NULL, v INT, PRIMARY KEY (a, b));
INSERT INTO composite SELECT seq % 50, CONCAT('k', seq), seq FROM seq_1_to_5000;
CREATE TABLE strkey (code VARCHAR(20) NOT NULL PRIMARY KEY, v INT, UNIQUE KEY uv (v));
INSERT INTO strkey SELECT CONCAT(CHAR(65 + seq % 26), '-', seq), seq FROM seq_1_to_4000;
CREATE TABLE nokey (x INT, y VARCHAR(10));
INSERT INTO nokey SELECT seq % 10, 'dup' FROM seq_1_to_2500;
CREATE TABLE uniq_only (u BIGINT NOT NULL, v TEXT, UNIQUE KEY (u));
INSERT INTO uniq_only SELECT seq * 3, 'u' FROM seq_1_to_3000;
CREATE TABLE autoinc (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT, FULLTEXT KEY ft (v2), v2 TEXT, KEY pfx (v2(10)));
INSERT INTO autoinc (v, v2) SELECT seq, CONCAT('word', seq) FROM seq_1_to_1500;
ANALYZE TABLE \`Odd Table \"x\"\`, composite, strkey, nokey, uniq_only, autoinc;"

write_env keys it_keys keys_sink
allow keys '`Odd Table "x"`' composite strkey nokey uniq_only autoinc
run_migrate --database keys --tables all --threshold 0 --batch-size 1000 --verify || fail "migrate --verify failed"

# chunking happened as planned: integer and keyset ranges, no key = one chunk
chunks() { pg "SELECT count(*) FROM $CTL.chunks WHERE source_table = '$1'"; }
[ "$(chunks composite)" -ge 4 ] || fail "composite key not chunked: $(chunks composite)"
[ "$(chunks strkey)" -ge 4 ] || fail "string key not chunked: $(chunks strkey)"
[ "$(chunks uniq_only)" -ge 2 ] || fail "unique key not used for chunks"
assert_eq 1 "$(chunks nokey)" "a table without a key is one chunk"

# independent comparison: count and an order-free checksum of canonical text
for t in composite strkey nokey uniq_only; do
	case $t in
		composite) mcols="CONCAT_WS(',', a, b, v)"; pcols="concat_ws(',', a, b, v)" ;;
		strkey) mcols="CONCAT_WS(',', code, v)"; pcols="concat_ws(',', code, v)" ;;
		nokey) mcols="CONCAT_WS(',', x, y)"; pcols="concat_ws(',', x, y)" ;;
		uniq_only) mcols="CONCAT_WS(',', u, v)"; pcols="concat_ws(',', u, v)" ;;
	esac
	m=$(my "SELECT COUNT(*), SUM(CAST(CONV(LEFT(MD5($mcols), 12), 16, 10) AS UNSIGNED)) FROM it_keys.$t" | tr '\t' ' ')
	p=$(pg "SELECT count(*) || ' ' || sum(('x' || left(md5($pcols), 12))::bit(48)::bigint) FROM keys_sink.$t")
	assert_eq "$m" "$p" "table $t equals its source"
done

# odd identifiers: lower-cased and quoted
assert_eq 3000 "$(pg 'SELECT count(*) FROM keys_sink."odd table ""x"""')" "odd table copied"
assert_eq "v42" "$(pg 'SELECT "mixed case" FROM keys_sink."odd table ""x""" WHERE "select" = 42')" "odd columns"
pg 'SELECT 1 FROM pg_indexes WHERE schemaname = '"'"'keys_sink'"'"' AND indexname = '"'"'odd table "x"_idx odd'"'"'' | grep -q 1 || fail "index with odd name missing"

# indexes, constraints and sequences carried over
pg "SELECT indexdef FROM pg_indexes WHERE schemaname = 'keys_sink' ORDER BY 1" > "$T/indexes"
assert_contains "$T/indexes" 'UNIQUE INDEX composite_pkey ON keys_sink.composite USING btree (a, b)' "composite primary key"
pg "SELECT conrelid::regclass || ' ' || conname FROM pg_constraint WHERE contype = 'p' AND connamespace = 'keys_sink'::regnamespace ORDER BY 1" > "$T/pkeys"
for t in autoinc composite strkey; do
	assert_contains "$T/pkeys" "keys_sink.$t ${t}_pkey" "$t has its primary key constraint"
done
assert_contains "$T/indexes" 'UNIQUE INDEX strkey_uv ON keys_sink.strkey USING btree (v)' "unique index"
assert_contains "$T/indexes" "USING gin (to_tsvector('simple'::regconfig, COALESCE(v2, ''::text)))" "FULLTEXT as GIN"
assert_contains "$T/indexes" 'autoinc_pfx ON keys_sink.autoinc USING btree ("left"(v2, 10))' "prefix index as expression"

next=$(pg "INSERT INTO keys_sink.autoinc (v, v2) VALUES (0, 'new') RETURNING id")
ai=$(my "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'it_keys' AND TABLE_NAME = 'autoinc'")
[ "$ai" -gt 1500 ] || fail "unexpected AUTO_INCREMENT $ai"
assert_eq "$ai" "$next" "sequence continues at the source's AUTO_INCREMENT"
assert_eq p "$(pg "SELECT relpersistence FROM pg_class WHERE oid = 'keys_sink.strkey'::regclass")" "table is logged"
assert_eq 0 "$(pg "SELECT count(*) FROM $CTL.tables WHERE state <> 'ready'")" "all tables ready"
assert_eq "" "$(pg "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = 'keys_sink.strkey'::regclass")" "autovacuum back on once ready"

# --keep-case keeps the names as they are in MariaDB
export KEYS_SINK_SCHEMA=keys_case
run_migrate --database keys --tables 'Odd Table "x"' --keep-case || fail "--keep-case failed"
unset KEYS_SINK_SCHEMA
assert_eq v7 "$(pg 'SELECT "mixed Case" FROM keys_case."Odd Table ""x""" WHERE "Select" = 7')" "case kept"

# --plan prints DDL and chunks and changes nothing
pg "DROP SCHEMA keys_sink CASCADE"
run_migrate --database keys --tables strkey --plan --threshold 0 --batch-size 1000 || fail "--plan failed"
assert_contains "$T/migrate.log" 'CREATE TABLE "keys_sink"."strkey"' "plan shows DDL"
assert_contains "$T/migrate.log" 'ALTER TABLE "keys_sink"."strkey" RESET (autovacuum_enabled)' "plan shows the finishing statements"
assert_contains "$T/migrate.log" "chunk 1: code >= " "plan shows keyset chunks"
assert_eq 0 "$(pg "SELECT count(*) FROM pg_namespace WHERE nspname = 'keys_sink'")" "--plan created nothing"
exit 0
