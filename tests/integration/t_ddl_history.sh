#!/bin/sh
# The DDL interpreter (stream/ddl_apply.c) against the real server: for each
# statement of a broad list (every clause, type, default form and option it
# covers, and statements it must refuse), bin/ddl-check describes the table,
# applies the statement to the description, runs it on MariaDB and compares
# with MariaDB's own description. Run once starting every statement from the
# live description, once as a chained history (the interpreter's own output
# carried from statement to statement, as the stream keeps it). Then the
# check itself must fail: a change made behind the chained history's back.
. tests/integration/lib.sh

DDLCHECK="$PWD/${BINDIR:-bin}/ddl-check"
[ -x "$DDLCHECK" ] || fail "$DDLCHECK not built (make test builds it)"

# the statements need a user who may change the schema: not migrator (which
# stays read-only for the other tests), a user of this test's own
my_fresh_db "$TEST_DB"
DDL_PASS=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
my "DROP USER IF EXISTS 'ddlcheck'@'127.0.0.1'; CREATE USER 'ddlcheck'@'127.0.0.1' IDENTIFIED BY '$DDL_PASS';
    GRANT ALL ON \`$TEST_DB\`.* TO 'ddlcheck'@'127.0.0.1'" || fail "could not create the user ddlcheck"
at_exit "my \"DROP USER IF EXISTS 'ddlcheck'@'127.0.0.1'\""
(
	umask 077
	printf 'DH_HOST=127.0.0.1\nDH_PORT=%s\nDH_USER=ddlcheck\nDH_PASS=%s\nDH_SCHEMA=%s\n' \
		"$MY_PORT" "$DDL_PASS" "$TEST_DB" >"$T/.env"
)

cat >"$T/stmts.sql" <<'SQL'
!DROP TABLE IF EXISTS t, t2, tl, q
CREATE TABLE t (id INT UNSIGNED NOT NULL AUTO_INCREMENT, a INT, b INT UNSIGNED, c TINYINT, d BOOL, e SMALLINT ZEROFILL, f MEDIUMINT UNSIGNED, g BIGINT, h BIGINT UNSIGNED, i DECIMAL, j DECIMAL(14,4) UNSIGNED, k NUMERIC(5), l FLOAT, m FLOAT(7,3), n DOUBLE, o DOUBLE(10,2), p REAL, q BIT, r BIT(5), s CHAR, t CHAR(3), u VARCHAR(10) CHARACTER SET latin1, v TEXT, w TINYTEXT, x MEDIUMTEXT COLLATE utf8mb4_bin, y LONGTEXT, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='all the types'
ALTER TABLE t ADD z BINARY, ADD aa VARBINARY(5), ADD ab BLOB, ADD ac TINYBLOB, ADD ad MEDIUMBLOB, ADD ae LONGBLOB
ALTER TABLE t ADD COLUMN (af ENUM('a','b''c') NOT NULL DEFAULT 'b''c', ag SET('x','y') DEFAULT 'y,x')
ALTER TABLE t ADD ah DATE DEFAULT '2020-01-01', ADD ai TIME DEFAULT '10:00', ADD aj TIME(3), ADD ak DATETIME DEFAULT '2020-01-01', ADD al DATETIME(6) DEFAULT '2020-01-01 10:00:00.5', ADD am TIMESTAMP NULL, ADD an TIMESTAMP(2) NOT NULL DEFAULT CURRENT_TIMESTAMP(2) ON UPDATE CURRENT_TIMESTAMP(2)
ALTER TABLE t ADD ao YEAR DEFAULT 2024, ADD ap JSON, ADD aq INET4, ADD ar INET6, ADD as1 UUID, ADD at GEOMETRY, ADD au POINT NOT NULL, ADD av POLYGON
ALTER TABLE t ADD ax INT DEFAULT 5, ADD ay VARCHAR(5) DEFAULT 'x''y', ADD az DOUBLE DEFAULT 1.5, ADD ba INT AS (ax + 1) VIRTUAL, ADD bb INT GENERATED ALWAYS AS (ax * 2) STORED, ADD bc TEXT DEFAULT 'abc'
ALTER TABLE t ADD bd DATETIME DEFAULT NOW(), ADD be INT DEFAULT (5), ADD bf FLOAT(30), ADD bg INT(5), ADD bh CHAR(0), ADD bi BLOB(100), ADD bj TEXT(1000), ADD bk DECIMAL(65,30) DEFAULT 1.25
ALTER TABLE t ADD bl BIT(3) DEFAULT b'101', ADD bm BIT(8) DEFAULT 5, ADD bn ENUM('a','B') DEFAULT 'b', ADD bo INTEGER DEFAULT '-7', ADD bp DEC(4,1) DEFAULT -2.5, ADD bq FIXED(3,2), ADD br DOUBLE PRECISION
ALTER TABLE t ADD bs VARCHAR(3) BINARY, ADD bt NATIONAL CHAR(3), ADD bu NCHAR VARCHAR(4), ADD bv LONG VARCHAR, ADD bw LONG
ALTER TABLE t ADD by1 VARCHAR(10) DEFAULT 'a\\b', ADD bz VARCHAR(10) DEFAULT 'a\nb', ADD ca VARCHAR(10) DEFAULT 5, ADD cb DATETIME(2) DEFAULT CURRENT_TIMESTAMP(2), ADD cc DATE DEFAULT CURDATE(), ADD cd INT DEFAULT NULL, ADD ce FLOAT DEFAULT 0.1, ADD cf VARCHAR(36) DEFAULT UUID()
ALTER TABLE t ADD cg INT INVISIBLE, ADD ch TEXT DEFAULT '', ADD ci TINYINT UNSIGNED DEFAULT TRUE, ADD cj CHAR(10) CHARACTER SET latin1 COLLATE latin1_bin, ADD ck VARCHAR(5) CHARSET ascii, ADD cl TEXT CHARACTER SET binary
ALTER TABLE t ADD cm VARCHAR(8) COMMENT 'a column comment' DEFAULT 'q' NOT NULL, ADD cn DOUBLE UNSIGNED, ADD co FLOAT(6,2) UNSIGNED ZEROFILL, ADD cp DECIMAL(6,2) UNSIGNED ZEROFILL
ALTER TABLE t ADD cq TIMESTAMP, ADD cs TIMESTAMP(3) NULL DEFAULT '2021-02-03 04:05:06', ADD ct VARCHAR(10) CHARACTER SET utf8 DEFAULT _utf8mb4'q'
# positions
ALTER TABLE t ADD COLUMN first1 INT FIRST
ALTER TABLE t ADD COLUMN after_a INT AFTER a, ADD after_b INT AFTER b
ALTER TABLE t MODIFY after_a BIGINT NOT NULL FIRST
ALTER TABLE t CHANGE COLUMN after_b after_b2 VARCHAR(9) AFTER after_a
ALTER TABLE t RENAME COLUMN first1 TO first2
ALTER TABLE t DROP COLUMN after_b2, DROP first2, DROP COLUMN IF EXISTS nosuch
ALTER TABLE t ADD COLUMN IF NOT EXISTS a INT, ADD COLUMN IF NOT EXISTS dd INT
ALTER TABLE t ALTER COLUMN a SET DEFAULT 42, ALTER ax DROP DEFAULT
ALTER TABLE t ALTER COLUMN dd SET DEFAULT NULL, ALTER COLUMN j SET DEFAULT 3.5, ALTER COLUMN af SET DEFAULT 'A'
ALTER TABLE t ALTER COLUMN dd DROP DEFAULT
ALTER TABLE t MODIFY ap JSON NOT NULL
ALTER TABLE t RENAME COLUMN ap TO ap2
ALTER TABLE t CHANGE ap2 ap3 JSON
ALTER TABLE t MODIFY ap3 LONGTEXT
# indexes
ALTER TABLE t ADD INDEX (a), ADD KEY kb (b, c), ADD UNIQUE (t), ADD UNIQUE KEY uq2 (u(5)), ADD INDEX (a)
ALTER TABLE t ADD FULLTEXT (v), ADD SPATIAL INDEX (au), ADD UNIQUE (v(10)), ADD UNIQUE (y), ADD CONSTRAINT cu UNIQUE (g, h)
CREATE INDEX ix_n ON t (n)
CREATE UNIQUE INDEX ix_c USING BTREE ON t (c DESC) ALGORITHM=COPY LOCK=SHARED
DROP INDEX ix_n ON t
ALTER TABLE t DROP INDEX a_2, DROP KEY kb, RENAME INDEX uq2 TO uq3
ALTER TABLE t ADD KEY (t(2)), ADD KEY (s(1))
ALTER TABLE t ADD KEY kef (e, f)
ALTER TABLE t DROP COLUMN c, DROP COLUMN e
ALTER TABLE t MODIFY u VARCHAR(20) CHARACTER SET latin1
ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, a)
ALTER TABLE t ALGORITHM=COPY, LOCK=SHARED, FORCE
ALTER TABLE t ENGINE=InnoDB ROW_FORMAT=DYNAMIC COMMENT 'x' AUTO_INCREMENT=1000
ALTER TABLE t ADD COLUMN de VARCHAR(5) /* a comment */ DEFAULT 'z' -- trailing
ALTER TABLE t ADD COLUMN df INT /*! NOT NULL */ /*!100301 DEFAULT 3 */ /*M! COMMENT 'x' */
ALTER TABLE `t` ADD COLUMN `weird``name` INT, ADD `sp ace` VARCHAR(3)
ALTER TABLE t ADD dg INT CHECK (dg > 0), ADD CONSTRAINT chk1 CHECK (a < 100)
ALTER TABLE t ADD dh LONGTEXT CHECK (json_valid(dh))
ALTER TABLE t ADD di LONGTEXT, ADD CONSTRAINT jchk CHECK (json_valid(di))
?ALTER TABLE t DROP CONSTRAINT chk1
ALTER TABLE t DEFAULT CHARSET=latin1
ALTER TABLE t ADD dj VARCHAR(10), ADD dk TEXT(100)
ALTER TABLE t COLLATE utf8mb4_general_ci
ALTER TABLE t ADD dl CHAR(2) BINARY
# foreign keys
!DROP TABLE IF EXISTS c1, p1
CREATE TABLE p1 (id INT PRIMARY KEY, u INT UNIQUE) ENGINE=InnoDB
CREATE TABLE c1 (id INT PRIMARY KEY, pid INT, qid INT, rid INT, KEY kq (qid, rid), FOREIGN KEY (pid) REFERENCES p1 (id) ON DELETE CASCADE, CONSTRAINT fkq FOREIGN KEY (qid) REFERENCES p1 (id), CONSTRAINT fkr FOREIGN KEY (rid) REFERENCES p1 (u) ON UPDATE SET NULL)
ALTER TABLE c1 ADD COLUMN sid INT, ADD CONSTRAINT fks FOREIGN KEY (sid) REFERENCES p1 (id)
ALTER TABLE c1 DROP FOREIGN KEY fks
# create variants
CREATE TABLE t2 LIKE t
!DROP TABLE IF EXISTS tl
CREATE TABLE tl (LIKE p1)
!DROP TABLE IF EXISTS sr
CREATE TABLE sr (s SERIAL, v VARCHAR(3)) ENGINE=InnoDB
CREATE TABLE IF NOT EXISTS q (a INT KEY, b VARCHAR(10) UNIQUE KEY, c INT NOT NULL UNIQUE, d TEXT, e JSON DEFAULT '{}', UNIQUE KEY (b, c), INDEX USING HASH (c), CHECK (json_valid(d)), CONSTRAINT CHECK (c > 0))
!DROP TABLE q
CREATE TABLE q (a INT, b TIMESTAMP, c TIMESTAMP NOT NULL, d DATETIME ON UPDATE CURRENT_TIMESTAMP) CHARACTER SET latin1 ENGINE=InnoDB
!DROP TABLE q
CREATE TABLE q (a VARCHAR(1000), b VARCHAR(100), UNIQUE (a), UNIQUE (b)) DEFAULT CHARSET=utf8mb4
# the five-step sequence
!DROP TABLE IF EXISTS acct
CREATE TABLE acct (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL, bal DECIMAL(10,2) DEFAULT 0, flag BOOL DEFAULT TRUE, KEY (name))
ALTER TABLE acct ADD COLUMN note VARCHAR(100) DEFAULT 'none' AFTER name
ALTER TABLE acct DROP COLUMN flag
ALTER TABLE acct MODIFY bal DECIMAL(14,4)
ALTER TABLE acct CHANGE name full_name VARCHAR(40)
# several clauses, FIRST twice
ALTER TABLE acct ADD x1 INT FIRST, ADD x2 INT FIRST, ADD x3 INT AFTER x1, DROP COLUMN note, MODIFY bal DECIMAL(14,4) AFTER x2
@ansi_quotes on
ALTER TABLE "acct" ADD COLUMN "ansi col" INT DEFAULT 1
@ansi_quotes off
# refused
?ALTER TABLE acct ADD COLUMN z1 INT DEFAULT (1 + 2)
?ALTER TABLE acct CONVERT TO CHARACTER SET latin1
?ALTER TABLE acct ADD COLUMN z2 VARCHAR(36) DEFAULT concat('a','b')
?ALTER TABLE acct ADD COLUMN z3 TIME(6) DEFAULT '-01:02:03'
?ALTER TABLE acct ADD COLUMN z4 DECIMAL(6,2) ZEROFILL DEFAULT 3
?ALTER TABLE acct ADD COLUMN z5 DOUBLE DEFAULT 1e20
?ALTER TABLE acct PARTITION BY HASH (id) PARTITIONS 2
SQL

"$DDLCHECK" --env "$T/.env" --database dh "$T/stmts.sql" >"$T/check.log" 2>&1
rc=$?
cat "$T/check.log" | grep -v '^  interpreter: {\|^  server:      {' | grep -v '^refused as expected\|^  (' >&2
[ "$rc" -eq 0 ] || fail "ddl-check found differences (exit $rc); see above"
assert_match "$T/check.log" '^[0-9]+ statements checked, 0 failed$' "every statement checked"
assert_contains "$T/check.log" "refused as expected: ALTER TABLE acct CONVERT TO CHARACTER SET latin1" "a refusal"

"$DDLCHECK" --env "$T/.env" --database dh --chain "$T/stmts.sql" >"$T/chain.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/chain.log" >&2; fail "ddl-check --chain found differences (exit $rc)"; }

# the check can fail: the table changes behind the history's back
cat >"$T/behind.sql" <<'SQL'
!DROP TABLE IF EXISTS behind
CREATE TABLE behind (id INT PRIMARY KEY, a INT)
!ALTER TABLE behind ADD b INT
ALTER TABLE behind ADD c INT
SQL
"$DDLCHECK" --env "$T/.env" --database dh --chain "$T/behind.sql" >"$T/behind.log" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { cat "$T/behind.log" >&2; fail "ddl-check did not notice a change it was not told of (exit $rc)"; }
assert_contains "$T/behind.log" "MISMATCH: ALTER TABLE behind ADD c INT" "the mismatch is named"
exit 0
