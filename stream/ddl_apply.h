/*
 * A schema history from the binlog: a table's recorded description is
 * advanced by interpreting the DDL statement text alone, without asking the
 * server, which only knows the table's latest shape.
 *
 * A description is plan.c's JSON (plan_table.described): the rows
 * information_schema shows for the table,
 *   {"tables":  [[TABLE_TYPE, TABLE_ROWS, AUTO_INCREMENT, TABLE_COLLATION, ENGINE]],
 *    "checks":  [[CHECK_CLAUSE (, LEVEL)], ...],
 *    "columns": [[COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH,
 *                 NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, IS_NULLABLE,
 *                 COLUMN_DEFAULT, EXTRA, IS_GENERATED, collation id], ...],
 *    "indexes": [[INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE], ...]}
 * (every value a string or null). The functions here produce exactly the
 * rows MariaDB's information_schema shows after the statement, so that
 * plan_table_load_described builds from them the plan_table that
 * plan_table_load would build from the live server.
 *
 * Contract:
 * - Pure: no I/O, no printing, no connection; reentrant. Failures fill the
 *   caller's why (naming the statement's part that could not be read, and
 *   the statement) and return false; *out is then NULL.
 * - Never a guess: a statement, clause, option, type or default it cannot
 *   normalise exactly as the server would is refused, never approximated.
 *   A refusal means "ask the server" (or copy the table again), not "the
 *   statement failed".
 * - Statements are taken to have succeeded on the server (they come from the
 *   binlog): what MariaDB would have rejected is not always detected.
 * - *out is heap memory (compact JSON) the caller frees.
 * - Descriptions recorded before TABLE_COLLATION and ENGINE were part of the
 *   "tables" row still load: a statement that needs the table's default
 *   collation (a text column without CHARACTER SET/COLLATE) or its engine
 *   (an index) is then refused.
 * - CHECK constraints: only those whose clause is json_valid(`column`)
 *   (the JSON type's own, or an explicit one) are recorded, since they are
 *   the only ones that change the plan (the column becomes jsonb); any other
 *   CHECK is read and ignored. A check row carries LEVEL ("Column" for a
 *   column's own constraint, "Table" for a table constraint) as its second
 *   field when known; a description read from information_schema does not
 *   carry it, and a change to a column such a check covers (MODIFY, CHANGE)
 *   is then refused, since the level decides what MariaDB keeps.
 * - Ignored (no trace in the description): COMMENT (table and column),
 *   ALGORITHM=, LOCK=, FORCE, ORDER BY, FOREIGN KEY's REFERENCES part, DROP
 *   FOREIGN KEY, and table options other than ENGINE, CHARSET and COLLATE.
 * - Not modelled, so refused: CONVERT TO CHARACTER SET, partitions, system
 *   versioning, PERIOD, expression defaults beyond a literal, the time
 *   functions and a few argument-less functions, CREATE TABLE ... SELECT,
 *   engines other than InnoDB, Aria and MyISAM, collations outside the
 *   table built in (those of MariaDB 10.11 with an id), and
 *   explicit_defaults_for_timestamp=OFF's implicit TIMESTAMP defaults.
 * - Known gap: MariaDB drops an index it generated for a FOREIGN KEY when a
 *   later index covers the same columns; information_schema does not say
 *   which index was generated, so an ADD INDEX on such a table keeps it.
 */
#ifndef STREAM_DDL_APPLY_H
#define STREAM_DDL_APPLY_H

#include <stdbool.h>
#include <stddef.h>

/* What the statement alone does not say: the session it ran in. */
typedef struct ddl_apply_env {
	unsigned    lexer_flags;    /* DDL_ANSI_QUOTES, DDL_NO_BACKSLASH_ESCAPES (ddl.h) */
	const char *db_collation;   /* the database's default collation, which a CREATE TABLE
	                             * without CHARSET/COLLATE takes; NULL = unknown (such a
	                             * CREATE TABLE is then refused) */
	const char *default_engine; /* the server's default_storage_engine, which a CREATE TABLE
	                             * without ENGINE takes; NULL = unknown (refused then) */
	bool        legacy_timestamp;   /* explicit_defaults_for_timestamp=OFF: a TIMESTAMP
	                                 * column without NULL or DEFAULT is refused */
} ddl_apply_env;

/*
 * ddl_apply: the description of table `table` (its name as the statement
 * names it, any database) after statement sql, from described, its
 * description before. sql is ALTER TABLE (any clauses listed in the header
 * comment), CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX ... ON table, or DROP
 * INDEX ... ON table. False, with why, for another statement, another
 * table, or what it cannot read.
 */
bool ddl_apply(const char *described, const char *table, const char *sql, const ddl_apply_env *env,
			   char **out, char *why, size_t whylen);

/*
 * ddl_apply_create: the description of the table sql creates: CREATE [OR
 * REPLACE] TABLE [IF NOT EXISTS] t (definitions) [options]; or CREATE TABLE
 * t LIKE s, which takes like_described (s's description; NULL when the
 * caller has none, which refuses it). TABLE_ROWS is "0" and AUTO_INCREMENT
 * "1" when a column is AUTO_INCREMENT, else null, as for a new table.
 */
bool ddl_apply_create(const char *sql, const char *like_described, const ddl_apply_env *env,
					  char **out, char *why, size_t whylen);

#endif
