/*
 * Statements the binlog carries as text (QUERY events): a tokenizer over
 * MariaDB's SQL, the classification of a statement (which kind, which
 * tables), and the schema diff that turns a table's old and new description
 * into the PostgreSQL statements that carry an ALTER TABLE.
 *
 * Contract:
 * - Nothing here does I/O or prints. Failures fill the caller's errbuf (or
 *   why) and return false; every function is reentrant.
 * - A ddl_lexer reads a statement the caller keeps alive and unchanged for
 *   as long as the lexer is used; the lexer owns the buffer behind each
 *   token's text (ddl_lexer_free releases it).
 * - A ddl_stmt owns its arrays of names; ddl_stmt_free releases them (it
 *   may be filled again after that, or after zero-initialisation).
 * - Names are compared and reported as MariaDB spells them, unquoted; a
 *   name is at most DDL_NAME_CHARS characters, as in MariaDB.
 */
#ifndef STREAM_DDL_H
#define STREAM_DDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/plan.h"
#include "common/xalloc.h"

#define DDL_NAME_CHARS 64                       /* MariaDB's identifier limit, in characters */
#define DDL_NAME_SIZE  (DDL_NAME_CHARS * 4 + 1) /* bytes, UTF-8 and the NUL */

/* Lexer flags: the session's sql_mode, when the caller knows it. */
enum {
	DDL_ANSI_QUOTES = 1u << 0,          /* "x" is an identifier, not a string */
	DDL_NO_BACKSLASH_ESCAPES = 1u << 1  /* a backslash in a string is a plain character */
};

/* sql_mode bits of a QUERY event (Q_SQL_MODE_CODE) that change how a
 * statement reads */
#define DDL_MODE_ANSI_QUOTES            (UINT64_C(1) << 2)
#define DDL_MODE_ORACLE                 (UINT64_C(1) << 9)  /* DATE is DATETIME, VARCHAR2, ... */
#define DDL_MODE_MAXDB                  (UINT64_C(1) << 12) /* TIMESTAMP is DATETIME */
#define DDL_MODE_NO_BACKSLASH_ESCAPES   (UINT64_C(1) << 20)
#define DDL_MODE_EMPTY_STRING_IS_NULL   (UINT64_C(1) << 32) /* DEFAULT '' is NULL */

/* ddl_sql_mode_flags: the lexer flags of a session's sql_mode bits */
unsigned ddl_sql_mode_flags(uint64_t sql_mode);

typedef enum ddl_tok_kind {
	DDL_TOK_END,                /* end of the statement */
	DDL_TOK_WORD,               /* bare keyword or identifier: letters, digits, _, $, non-ASCII */
	DDL_TOK_QUOTED,             /* `identifier` (or "identifier" with DDL_ANSI_QUOTES) */
	DDL_TOK_STRING,             /* 'text' or "text" */
	DDL_TOK_NUMBER,             /* 12, 1.5, .5, 1e-3, 0x1F */
	DDL_TOK_PUNCT,              /* one character of anything else: ( ) , . ; = ... */
	DDL_TOK_ERROR               /* unterminated quote or comment; the lexer's err says which */
} ddl_tok_kind;

typedef struct ddl_token {
	ddl_tok_kind kind;
	const char *at;             /* where it starts in the statement */
	size_t      len;            /* its length there, quotes included */
	const char *text;           /* WORD, NUMBER: as written; QUOTED, STRING: without the
	                             * quotes, escapes undone; NUL-terminated, owned by the
	                             * lexer, valid until its next ddl_next or ddl_peek */
	size_t      text_len;       /* a string may hold a NUL (\0) */
	char        punct;          /* PUNCT: the character */
} ddl_token;

/* A cursor over one statement. The fields are the lexer's own; read only err. */
typedef struct ddl_lexer {
	const char *sql;            /* the statement (borrowed) */
	const char *p;              /* next byte to read */
	unsigned    flags;          /* DDL_ANSI_QUOTES, DDL_NO_BACKSLASH_ESCAPES */
	bool        in_exec;        /* inside a MariaDB executable comment */
	ddl_tok_kind prev;          /* the token before, for "db.1t" against ".5" */
	buf         text;           /* the current token's text */
	char        err[128];       /* why the last token was DDL_TOK_ERROR */
} ddl_lexer;

/*
 * ddl_lexer_init: a lexer at the start of sql. Comments are skipped; the
 * contents of executable comments (slash-star-bang, with or without a
 * version number, and the slash-star-M-bang form) are read as statement
 * text, whatever version they name.
 */
void ddl_lexer_init(ddl_lexer *lx, const char *sql, unsigned flags);
void ddl_lexer_free(ddl_lexer *lx);

/* ddl_next: the next token into tok; DDL_TOK_END (again and again) at the
 * end, DDL_TOK_ERROR (again and again, lx->err set) on malformed input */
ddl_tok_kind ddl_next(ddl_lexer *lx, ddl_token *tok);

/* ddl_peek: the next token without moving past it */
ddl_tok_kind ddl_peek(ddl_lexer *lx, ddl_token *tok);

/* ddl_is: whether tok is the bare word kw (ASCII case-insensitive) */
bool ddl_is(const ddl_token *tok, const char *kw);

/* ddl_is_punct: whether tok is the punctuation character c */
bool ddl_is_punct(const ddl_token *tok, char c);

/* A table as a statement names it. */
typedef struct ddl_name {
	char        db[DDL_NAME_SIZE];   /* the qualifier, else the default database ("" if none) */
	char        name[DDL_NAME_SIZE];
} ddl_name;

/*
 * ddl_next_name: reads [db.]name (bare or quoted parts, blanks and comments
 * allowed around the dot) into out, db defaulted from default_db (NULL =
 * ""). False, with errbuf, for a token that is not a name, a malformed one,
 * an empty one, or one over DDL_NAME_CHARS characters.
 */
bool ddl_next_name(ddl_lexer *lx, const char *default_db, ddl_name *out,
				   char *errbuf, size_t errlen);

typedef enum ddl_kind {
	DDL_NONE,                   /* BEGIN, XA ..., SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO:
	                             * inside or around a transaction, not its end */
	DDL_COMMIT,                 /* COMMIT, ROLLBACK: the transaction ends */
	DDL_TRUNCATE,               /* TRUNCATE [TABLE] t */
	DDL_DML,                    /* INSERT, UPDATE, DELETE, REPLACE (logged as a statement) */
	DDL_ALTER,                  /* ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] t ...; also
	                             * CREATE [UNIQUE] INDEX i ON t and DROP INDEX i ON t */
	DDL_DROP,                   /* DROP TABLE [IF EXISTS] a, b ... */
	DDL_RENAME,                 /* RENAME TABLE [IF EXISTS] a TO b, c TO d ... */
	DDL_CREATE,                 /* CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t [LIKE s] ... */
	DDL_OTHER                   /* anything else, TEMPORARY tables included */
} ddl_kind;

typedef struct ddl_rename {
	ddl_name    from;
	ddl_name    to;
} ddl_rename;

typedef struct ddl_stmt {
	ddl_kind    kind;
	size_t      ntables;
	ddl_name   *tables;         /* every table named, in order (a rename's from and to;
	                             * a DML statement's first table only); heap */
	size_t      nrenames;
	ddl_rename *renames;        /* RENAME TABLE's pairs, or ALTER TABLE ... RENAME [TO] new; heap */
	bool        has_like;       /* CREATE TABLE t LIKE like */
	ddl_name    like;
	bool        renames_columns;  /* ALTER TABLE with CHANGE [COLUMN] or RENAME COLUMN */
	bool        temporary;      /* CREATE/DROP TEMPORARY TABLE (kind DDL_OTHER, tables listed) */
	bool        or_replace;     /* CREATE OR REPLACE TABLE */
} ddl_stmt;

/*
 * ddl_classify: what sql is and which tables it names, unqualified names in
 * default_db (NULL = ""). out is overwritten (ddl_stmt_free it first when
 * reused). A statement it does not know is DDL_OTHER and true. False, with
 * errbuf, when a form it knows cannot be read (a malformed, empty or too
 * long name, unterminated quoting or comment): out->kind is then the form
 * and out->tables what was read before the fault. Only what the kind needs
 * is read: a fault after the table of a DML statement goes unseen.
 */
bool ddl_classify(const char *sql, const char *default_db, unsigned flags, ddl_stmt *out,
				  char *errbuf, size_t errlen);

void ddl_stmt_free(ddl_stmt *st);

/* ddl_kind_name: "ALTER TABLE", "DML", ... for messages */
const char *ddl_kind_name(ddl_kind kind);

/* Diff flags. */
enum {
	DDL_DIFF_RENAMES = 1u << 0, /* the statement renames columns (ddl_stmt.renames_columns):
	                             * a new name at a gone name's position is that column */
	DDL_DIFF_LENIENT = 1u << 1  /* refuse nothing (events follow the new description, as
	                             * --to kafka does); alter_sql is still filled */
};

/*
 * ddl_diff: the PostgreSQL statements that take from's target table (named
 * from->qtarget, as the sink has it) to the shape to describes, compared
 * column by column by MariaDB name: a column gone is dropped, a new one
 * added with its type, default and NOT NULL, a renamed one renamed
 * (DDL_DIFF_RENAMES, same position), a changed type converted when
 * PostgreSQL's cast gives what MariaDB's conversion kept, a changed
 * nullability set. Appends them to alter_sql separated by "; " (nothing
 * when nothing changes for PostgreSQL) and returns true. Returns false,
 * with why naming the column and the change (stmt, quoted at its end, may
 * be NULL), for what cannot be carried exactly: a changed key, another type
 * change, a new NOT NULL column without a default, a new column whose
 * default MariaDB computed per row; alter_sql is then left as it was.
 * Reads only the description fields of from and to.
 */
bool ddl_diff(const plan_table *from, const plan_table *to, const char *stmt, unsigned flags,
			  buf *alter_sql, char *why, size_t whylen);

/* ddl_retype_exact: whether PostgreSQL's cast of every value of oc gives
 * what MariaDB's conversion to nc kept (or fails, which stops the table) */
bool ddl_retype_exact(const plan_column *oc, const plan_column *nc);

/* ddl_default_is_constant: whether a carried PostgreSQL DEFAULT is the same
 * value for every existing row (not now(), a sequence, ...) */
bool ddl_default_is_constant(const char *pg_default);

#endif
