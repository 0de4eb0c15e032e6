/*
 * Statements from the binlog, read as MariaDB reads them.
 *
 * The tokenizer works like this: skip_blank passes blanks and comments
 * (-- with a blank after it, #, and slash-star ones). An executable comment
 * (slash-star-bang, or slash-star-M-bang, with an optional five or six digit
 * version) is not skipped as a whole: only its opening marker and version
 * are, the lexer notes that it is inside one, and the star-slash that closes
 * it is skipped in turn; what lies between is read as statement text, since
 * the server that logged it ran it. ddl_next then reads one token at the
 * cursor: a backquoted name (`` inside is one `), a string ('' and backslash
 * escapes undone), a number, a bare word, or one punctuation character. The
 * undone text lives in the lexer's buffer, so a token's text is valid until
 * the next token is read. A lexical fault is sticky: the lexer returns
 * DDL_TOK_ERROR from then on.
 *
 * Classification reads the first words to learn the kind, then the table
 * names where that kind has them, with ddl_next_name ([db.]name, each part
 * checked against MariaDB's 64-character limit). ALTER TABLE is read to its
 * end, at parenthesis depth 0, for the clauses that matter downstream: a
 * table rename (RENAME [TO|AS] new) and a column rename (CHANGE, RENAME
 * COLUMN), each only at the start of a clause, so that a column named
 * "rename" is not taken for one.
 *
 * The diff compares two descriptions of one table (plan_table, as
 * information_schema showed it before and after the ALTER) and either
 * renders PostgreSQL's ALTER TABLE statements or says why the change cannot
 * be carried exactly; it was the stream's evolve_table, and keeps its rules.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/ident.h"
#include "stream/ddl.h"

/* ---- tokenizer ---- */

/* is_digit, is_word_byte: ASCII tests that no locale changes */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_word_byte(char c)
{
	unsigned char u = (unsigned char) c;

	return is_digit(c) || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '_' || c == '$' || u >= 0x80;
}

static bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* lex_fail: makes the lexer's fault sticky; returns DDL_TOK_ERROR */
static ddl_tok_kind
lex_fail(ddl_lexer *lx, const char *what, const char *at)
{
	if (!lx->err[0])
		snprintf(lx->err, sizeof(lx->err), "%s at offset %zu", what, (size_t) (at - lx->sql));
	return DDL_TOK_ERROR;
}

/* skip_version: past the version number of an executable comment, which
 * MariaDB reads as five digits, or six when a sixth follows */
static const char *
skip_version(const char *p)
{
	for (int i = 0; i < 5; i++)
		if (!is_digit(p[i]))
			return p;
	return is_digit(p[5]) ? p + 6 : p + 5;
}

/* skip_blank: past blanks, comments and executable comment markers; false
 * (lx->err set) for an unterminated comment */
static bool
skip_blank(ddl_lexer *lx)
{
	const char *p = lx->p;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (p[0] == '#' || (p[0] == '-' && p[1] == '-' && (p[2] == '\0' || (unsigned char) p[2] <= ' '))) {
			const char *e = strchr(p, '\n');
			p = e ? e + 1 : p + strlen(p);
		} else if (p[0] == '/' && p[1] == '*' && p[2] == '!') {
			p = skip_version(p + 3);
			lx->in_exec = true;
		} else if (p[0] == '/' && p[1] == '*' && p[2] == 'M' && p[3] == '!') {
			p = skip_version(p + 4);
			lx->in_exec = true;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			if (!e) {
				lex_fail(lx, "unterminated comment", p);
				return false;
			}
			p = e + 2;
		} else if (p[0] == '*' && p[1] == '/' && lx->in_exec) {
			p += 2;
			lx->in_exec = false;
		} else
			break;
	}
	lx->p = p;
	return true;
}

/* unescape: the character a backslash escape in a string stands for, or -1
 * when MariaDB keeps the backslash (\% and \_, for LIKE patterns) */
static int
unescape(char c)
{
	switch (c) {
		case '0': return '\0';
		case 'b': return '\b';
		case 'n': return '\n';
		case 'r': return '\r';
		case 't': return '\t';
		case 'Z': return '\032';
		case '%': case '_': return -1;
		default: return (unsigned char) c;
	}
}

/* lex_quoted: a quoted name or string opened by q at lx->p; the doubled
 * quote stands for itself, and in strings a backslash escapes */
static ddl_tok_kind
lex_quoted(ddl_lexer *lx, char q, bool escapes, ddl_tok_kind kind)
{
	const char *start = lx->p, *p = lx->p + 1;

	for (;;) {
		if (*p == '\0')
			return lex_fail(lx, q == '`' ? "unterminated quoted name" : "unterminated string", start);
		if (*p == q && p[1] == q) {
			buf_putc(&lx->text, q);
			p += 2;
		} else if (*p == q) {
			p++;
			break;
		} else if (*p == '\\' && escapes) {
			if (p[1] == '\0')
				return lex_fail(lx, "unterminated string", start);
			int c = unescape(p[1]);
			if (c < 0)
				buf_putc(&lx->text, '\\');
			buf_putc(&lx->text, (char) (c < 0 ? p[1] : c));
			p += 2;
		} else
			buf_putc(&lx->text, *p++);
	}
	lx->p = p;
	return kind;
}

/* lex_number: a number at lx->p, or a bare word that starts with digits
 * (MariaDB allows 1abc as a name, not 123) */
static ddl_tok_kind
lex_number(ddl_lexer *lx)
{
	const char *s = lx->p, *p = s;
	bool dot = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && is_hex(p[2])) {
		p += 2;
		while (is_hex(*p))
			p++;
	} else {
		while (is_digit(*p))
			p++;
		if (*p == '.' && (p > s || is_digit(p[1]))) {
			dot = true;
			for (p++; is_digit(*p); p++)
				;
		}
		if ((*p == 'e' || *p == 'E') && (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
			for (p += 2; is_digit(*p); p++)
				;
		}
	}
	ddl_tok_kind kind = DDL_TOK_NUMBER;
	if (!dot && is_word_byte(*p)) {
		kind = DDL_TOK_WORD;
		while (is_word_byte(*p))
			p++;
	}
	buf_append(&lx->text, s, (size_t) (p - s));
	lx->p = p;
	return kind;
}

/* ddl_lexer_init */
void
ddl_lexer_init(ddl_lexer *lx, const char *sql, unsigned flags)
{
	memset(lx, 0, sizeof(*lx));
	lx->sql = sql ? sql : "";
	lx->p = lx->sql;
	lx->flags = flags;
	lx->prev = DDL_TOK_END;
}

/* ddl_lexer_free */
void
ddl_lexer_free(ddl_lexer *lx)
{
	buf_free(&lx->text);
}

/* ddl_next: see ddl.h */
ddl_tok_kind
ddl_next(ddl_lexer *lx, ddl_token *tok)
{
	ddl_tok_kind kind;

	memset(tok, 0, sizeof(*tok));
	buf_reset(&lx->text);
	if (lx->err[0] || !skip_blank(lx)) {
		kind = DDL_TOK_ERROR;
		tok->at = lx->p;
		goto out;
	}
	const char *s = lx->p;
	char c = *s;
	tok->at = s;
	if (c == '\0')
		kind = lx->in_exec ? lex_fail(lx, "unterminated executable comment", s) : DDL_TOK_END;
	else if (c == '`' || (c == '"' && (lx->flags & DDL_ANSI_QUOTES)))
		kind = lex_quoted(lx, c, false, DDL_TOK_QUOTED);
	else if (c == '\'' || c == '"')
		kind = lex_quoted(lx, c, !(lx->flags & DDL_NO_BACKSLASH_ESCAPES), DDL_TOK_STRING);
	else if (is_digit(c) || (c == '.' && is_digit(s[1]) && lx->prev != DDL_TOK_WORD && lx->prev != DDL_TOK_QUOTED))
		kind = lex_number(lx);
	else if (is_word_byte(c)) {
		while (is_word_byte(*lx->p))
			lx->p++;
		buf_append(&lx->text, s, (size_t) (lx->p - s));
		kind = DDL_TOK_WORD;
	} else {
		kind = DDL_TOK_PUNCT;
		tok->punct = c;
		buf_putc(&lx->text, c);
		lx->p++;
	}
	tok->len = kind == DDL_TOK_ERROR ? 0 : (size_t) (lx->p - s);
out:
	if (kind == DDL_TOK_ERROR)
		buf_reset(&lx->text);
	tok->kind = kind;
	tok->text = buf_cstr(&lx->text);
	tok->text_len = lx->text.len;
	lx->prev = kind;
	return kind;
}

/* ddl_peek: see ddl.h */
ddl_tok_kind
ddl_peek(ddl_lexer *lx, ddl_token *tok)
{
	const char *p = lx->p;
	bool in_exec = lx->in_exec;
	ddl_tok_kind prev = lx->prev;
	ddl_tok_kind kind = ddl_next(lx, tok);

	if (kind != DDL_TOK_ERROR) {    /* a fault stays: reading on would meet it */
		lx->p = p;
		lx->in_exec = in_exec;
		lx->prev = prev;
	}
	return kind;
}

/* ddl_is: see ddl.h */
bool
ddl_is(const ddl_token *tok, const char *kw)
{
	return tok->kind == DDL_TOK_WORD && strcasecmp(tok->text, kw) == 0;
}

/* ddl_is_punct: see ddl.h */
bool
ddl_is_punct(const ddl_token *tok, char c)
{
	return tok->kind == DDL_TOK_PUNCT && tok->punct == c;
}

/* accept: consumes the next token when it is the word kw */
static bool
accept(ddl_lexer *lx, const char *kw)
{
	ddl_token tok;

	if (ddl_peek(lx, &tok) != DDL_TOK_WORD || !ddl_is(&tok, kw))
		return false;
	ddl_next(lx, &tok);
	return true;
}

/* accept_punct: consumes the next token when it is the character c */
static bool
accept_punct(ddl_lexer *lx, char c)
{
	ddl_token tok;

	if (ddl_peek(lx, &tok) != DDL_TOK_PUNCT || tok.punct != c)
		return false;
	ddl_next(lx, &tok);
	return true;
}

/* name_part: one part of a name from tok into out (DDL_NAME_SIZE bytes) */
static bool
name_part(const ddl_lexer *lx, const ddl_token *tok, char *out, char *errbuf, size_t errlen)
{
	size_t chars = 0;

	if (tok->kind == DDL_TOK_ERROR) {
		snprintf(errbuf, errlen, "%s", lx->err);
		return false;
	}
	if (tok->kind == DDL_TOK_END) {
		snprintf(errbuf, errlen, "a table name is missing at the end of the statement");
		return false;
	}
	if (tok->kind != DDL_TOK_WORD && tok->kind != DDL_TOK_QUOTED) {
		snprintf(errbuf, errlen, "expected a table name at offset %zu: %.40s", (size_t) (tok->at - lx->sql), tok->at);
		return false;
	}
	for (size_t i = 0; i < tok->text_len; i++)
		if (((unsigned char) tok->text[i] & 0xC0) != 0x80)
			chars++;
	if (tok->text_len == 0) {
		snprintf(errbuf, errlen, "empty name at offset %zu", (size_t) (tok->at - lx->sql));
		return false;
	}
	if (chars > DDL_NAME_CHARS || tok->text_len >= DDL_NAME_SIZE) {
		snprintf(errbuf, errlen, "name longer than %d characters at offset %zu: %.40s...", DDL_NAME_CHARS,
				 (size_t) (tok->at - lx->sql), tok->text);
		return false;
	}
	memcpy(out, tok->text, tok->text_len + 1);
	return true;
}

/* ddl_next_name: see ddl.h */
bool
ddl_next_name(ddl_lexer *lx, const char *default_db, ddl_name *out, char *errbuf, size_t errlen)
{
	char first[DDL_NAME_SIZE];
	ddl_token tok;

	ddl_next(lx, &tok);
	if (!name_part(lx, &tok, first, errbuf, errlen))
		return false;
	if (accept_punct(lx, '.')) {
		ddl_next(lx, &tok);
		if (!name_part(lx, &tok, out->name, errbuf, errlen))
			return false;
		memcpy(out->db, first, sizeof(first));
		return true;
	}
	if (default_db && strlen(default_db) >= DDL_NAME_SIZE) {
		snprintf(errbuf, errlen, "the default database's name is too long");
		return false;
	}
	snprintf(out->db, sizeof(out->db), "%s", default_db ? default_db : "");
	memcpy(out->name, first, sizeof(first));
	return true;
}

/* ---- classification ---- */

/* add_table: appends name to st->tables */
static void
add_table(ddl_stmt *st, const ddl_name *name)
{
	st->tables = xrealloc(st->tables, (st->ntables + 1) * sizeof(ddl_name));
	st->tables[st->ntables++] = *name;
}

/* add_rename: appends the pair (from, to) to st->renames, both to tables;
 * from may point into st->tables, which the append moves */
static void
add_rename(ddl_stmt *st, const ddl_name *from, const ddl_name *to)
{
	ddl_rename pair = { .from = *from, .to = *to };

	st->renames = xrealloc(st->renames, (st->nrenames + 1) * sizeof(ddl_rename));
	st->renames[st->nrenames++] = pair;
	add_table(st, &pair.from);
	add_table(st, &pair.to);
}

/* read_table: the next [db.]name into st->tables */
static bool
read_table(ddl_lexer *lx, const char *db, ddl_stmt *st, char *errbuf, size_t errlen)
{
	ddl_name name;

	if (!ddl_next_name(lx, db, &name, errbuf, errlen))
		return false;
	add_table(st, &name);
	return true;
}

/* skip_if_exists: past IF EXISTS (IF NOT EXISTS when negated) */
static void
skip_if_exists(ddl_lexer *lx, bool negated)
{
	if (accept(lx, "IF")) {
		if (negated)
			(void) accept(lx, "NOT");
		(void) accept(lx, "EXISTS");
	}
}

/* skip_wait: past WAIT n or NOWAIT, which may follow a table's name */
static void
skip_wait(ddl_lexer *lx)
{
	ddl_token tok;

	if (accept(lx, "NOWAIT"))
		return;
	if (accept(lx, "WAIT") && ddl_peek(lx, &tok) == DDL_TOK_NUMBER)
		ddl_next(lx, &tok);
}

/* classify_dml: INSERT/UPDATE/DELETE/REPLACE [modifiers] t */
static bool
classify_dml(ddl_lexer *lx, const char *db, ddl_stmt *st, char *errbuf, size_t errlen)
{
	static const char *const skip[] = { "INTO", "FROM", "IGNORE", "LOW_PRIORITY", "HIGH_PRIORITY", "DELAYED", "QUICK" };
	bool more = true;

	st->kind = DDL_DML;
	while (more) {
		more = false;
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]) && !more; i++)
			more = accept(lx, skip[i]);
	}
	return read_table(lx, db, st, errbuf, errlen);
}

/* alter_rename: after RENAME at a clause's start: the table's new name, or
 * a column rename, or an index rename */
static bool
alter_rename(ddl_lexer *lx, const char *db, ddl_stmt *st, char *errbuf, size_t errlen)
{
	ddl_name to;

	if (accept(lx, "COLUMN")) {
		st->renames_columns = true;
		return true;
	}
	if (accept(lx, "INDEX") || accept(lx, "KEY"))
		return true;
	if (!accept(lx, "TO"))
		(void) accept(lx, "AS");
	if (!ddl_next_name(lx, db, &to, errbuf, errlen))
		return false;
	add_rename(st, &st->tables[0], &to);
	return true;
}

/* classify_alter: after ALTER: [ONLINE] [IGNORE] TABLE [IF EXISTS] t, and
 * its clauses for renames */
static bool
classify_alter(ddl_lexer *lx, const char *db, ddl_stmt *st, char *errbuf, size_t errlen)
{
	ddl_token tok;
	int depth = 0;
	bool clause = true;     /* at the start of a clause */

	(void) accept(lx, "ONLINE");
	(void) accept(lx, "IGNORE");
	if (!accept(lx, "TABLE"))
		return true;    /* ALTER DATABASE, VIEW, USER, ...: other */
	st->kind = DDL_ALTER;
	skip_if_exists(lx, false);
	if (!read_table(lx, db, st, errbuf, errlen))
		return false;
	skip_wait(lx);
	while (ddl_next(lx, &tok) != DDL_TOK_END) {
		if (tok.kind == DDL_TOK_ERROR) {
			snprintf(errbuf, errlen, "%s", lx->err);
			return false;
		}
		if (ddl_is_punct(&tok, '('))
			depth++;
		else if (ddl_is_punct(&tok, ')'))
			depth--;
		if (depth == 0 && ddl_is_punct(&tok, ',')) {
			clause = true;
			continue;
		}
		if (clause && depth == 0) {
			if (ddl_is(&tok, "CHANGE"))
				st->renames_columns = true;
			else if (ddl_is(&tok, "RENAME") && !alter_rename(lx, db, st, errbuf, errlen))
				return false;
		}
		clause = false;
	}
	return true;
}

/* classify_index: CREATE/DROP INDEX [IF [NOT] EXISTS] i ON t, an ALTER of t */
static bool
classify_index(ddl_lexer *lx, const char *db, bool create, ddl_stmt *st, char *errbuf, size_t errlen)
{
	ddl_token tok;

	skip_if_exists(lx, create);
	ddl_next(lx, &tok);     /* the index's name */
	if (tok.kind == DDL_TOK_ERROR) {
		snprintf(errbuf, errlen, "%s", lx->err);
		return false;
	}
	if (tok.kind != DDL_TOK_WORD && tok.kind != DDL_TOK_QUOTED)
		return true;
	if (create)
		while (ddl_peek(lx, &tok) != DDL_TOK_END && tok.kind != DDL_TOK_ERROR && !ddl_is(&tok, "ON"))
			ddl_next(lx, &tok);    /* USING BTREE */
	if (!accept(lx, "ON"))
		return true;
	st->kind = DDL_ALTER;
	return read_table(lx, db, st, errbuf, errlen);
}

/* classify_drop: after DROP: [TEMPORARY] TABLE [IF EXISTS] a, b, ...; or
 * DROP INDEX i ON t */
static bool
classify_drop(ddl_lexer *lx, const char *db, ddl_stmt *st, char *errbuf, size_t errlen)
{
	if (accept(lx, "INDEX"))
		return classify_index(lx, db, false, st, errbuf, errlen);
	st->temporary = accept(lx, "TEMPORARY");
	if (!accept(lx, "TABLE")) {
		st->temporary = false;
		return true;
	}
	st->kind = st->temporary ? DDL_OTHER : DDL_DROP;
	skip_if_exists(lx, false);
	do {
		if (!read_table(lx, db, st, errbuf, errlen))
			return false;
	} while (accept_punct(lx, ','));
	return true;
}

/* classify_rename: after RENAME: TABLE[S] [IF EXISTS] a [WAIT n] TO b, ... */
static bool
classify_rename(ddl_lexer *lx, const char *db, ddl_stmt *st, char *errbuf, size_t errlen)
{
	ddl_token tok;

	if (!accept(lx, "TABLE") && !accept(lx, "TABLES"))
		return true;    /* RENAME USER: other */
	st->kind = DDL_RENAME;
	skip_if_exists(lx, false);
	do {
		ddl_name from, to;
		if (!ddl_next_name(lx, db, &from, errbuf, errlen))
			return false;
		skip_wait(lx);
		if (!accept(lx, "TO")) {
			ddl_peek(lx, &tok);
			if (tok.kind == DDL_TOK_ERROR)
				snprintf(errbuf, errlen, "%s", lx->err);
			else
				snprintf(errbuf, errlen, "expected TO at offset %zu: %.40s", (size_t) (tok.at - lx->sql), tok.at);
			return false;
		}
		if (!ddl_next_name(lx, db, &to, errbuf, errlen))
			return false;
		add_rename(st, &from, &to);
	} while (accept_punct(lx, ','));
	return true;
}

/* classify_create: after CREATE: [OR REPLACE] [TEMPORARY] TABLE [IF NOT
 * EXISTS] t [LIKE s | (LIKE s)]; or CREATE [...] INDEX i ON t */
static bool
classify_create(ddl_lexer *lx, const char *db, ddl_stmt *st, char *errbuf, size_t errlen)
{
	if (accept(lx, "OR"))
		st->or_replace = accept(lx, "REPLACE");
	if (!accept(lx, "ONLINE"))
		(void) accept(lx, "OFFLINE");
	if (accept(lx, "UNIQUE") || accept(lx, "FULLTEXT") || accept(lx, "SPATIAL"))
		return accept(lx, "INDEX") ? classify_index(lx, db, true, st, errbuf, errlen) : true;
	if (accept(lx, "INDEX"))
		return classify_index(lx, db, true, st, errbuf, errlen);
	st->temporary = accept(lx, "TEMPORARY");
	if (!accept(lx, "TABLE")) {
		st->temporary = false;
		return true;
	}
	st->kind = st->temporary ? DDL_OTHER : DDL_CREATE;
	skip_if_exists(lx, true);
	if (!read_table(lx, db, st, errbuf, errlen))
		return false;
	bool paren = accept_punct(lx, '(');
	if (!accept(lx, "LIKE"))
		return true;
	if (!ddl_next_name(lx, db, &st->like, errbuf, errlen))
		return false;
	if (paren && !accept_punct(lx, ')')) {
		snprintf(errbuf, errlen, "expected ) after the LIKE table");
		return false;
	}
	st->has_like = true;
	add_table(st, &st->like);
	return true;
}

/* classify_boundary: the transaction statements; false when w is none */
static bool
classify_boundary(ddl_lexer *lx, const ddl_token *w, ddl_stmt *st)
{
	if (ddl_is(w, "BEGIN") || ddl_is(w, "XA") || ddl_is(w, "SAVEPOINT") || ddl_is(w, "RELEASE") ||
		(ddl_is(w, "START") && accept(lx, "TRANSACTION")))
		st->kind = DDL_NONE;
	else if (ddl_is(w, "COMMIT"))
		st->kind = DDL_COMMIT;
	else if (ddl_is(w, "ROLLBACK")) {
		(void) accept(lx, "WORK");
		st->kind = accept(lx, "TO") ? DDL_NONE : DDL_COMMIT;
	} else
		return false;
	return true;
}

/* ddl_classify: see ddl.h */
bool
ddl_classify(const char *sql, const char *default_db, unsigned flags, ddl_stmt *out, char *errbuf, size_t errlen)
{
	ddl_lexer lx;
	ddl_token w;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->kind = DDL_OTHER;
	ddl_lexer_init(&lx, sql, flags);
	ddl_next(&lx, &w);
	if (w.kind == DDL_TOK_ERROR) {
		snprintf(errbuf, errlen, "%s", lx.err);
		ok = false;
	} else if (w.kind != DDL_TOK_WORD || classify_boundary(&lx, &w, out))
		;
	else if (ddl_is(&w, "TRUNCATE")) {
		out->kind = DDL_TRUNCATE;
		(void) accept(&lx, "TABLE");
		ok = read_table(&lx, default_db, out, errbuf, errlen);
	} else if (ddl_is(&w, "INSERT") || ddl_is(&w, "UPDATE") || ddl_is(&w, "DELETE") || ddl_is(&w, "REPLACE"))
		ok = classify_dml(&lx, default_db, out, errbuf, errlen);
	else if (ddl_is(&w, "ALTER"))
		ok = classify_alter(&lx, default_db, out, errbuf, errlen);
	else if (ddl_is(&w, "DROP"))
		ok = classify_drop(&lx, default_db, out, errbuf, errlen);
	else if (ddl_is(&w, "RENAME"))
		ok = classify_rename(&lx, default_db, out, errbuf, errlen);
	else if (ddl_is(&w, "CREATE"))
		ok = classify_create(&lx, default_db, out, errbuf, errlen);
	ddl_lexer_free(&lx);
	return ok;
}

/* ddl_stmt_free: see ddl.h */
void
ddl_stmt_free(ddl_stmt *st)
{
	free(st->tables);
	free(st->renames);
	memset(st, 0, sizeof(*st));
	st->kind = DDL_OTHER;
}

/* ddl_kind_name: see ddl.h */
const char *
ddl_kind_name(ddl_kind kind)
{
	switch (kind) {
		case DDL_NONE: return "transaction boundary";
		case DDL_COMMIT: return "COMMIT";
		case DDL_TRUNCATE: return "TRUNCATE";
		case DDL_DML: return "DML";
		case DDL_ALTER: return "ALTER TABLE";
		case DDL_DROP: return "DROP TABLE";
		case DDL_RENAME: return "RENAME TABLE";
		case DDL_CREATE: return "CREATE TABLE";
		case DDL_OTHER: return "other";
	}
	return "other";
}

/* ---- schema diff ---- */

/* ddl_retype_exact: see ddl.h. Conversions between other kinds are not
 * carried. */
bool
ddl_retype_exact(const plan_column *oc, const plan_column *nc)
{
	typemap_kind a = oc->tm.kind, b = nc->tm.kind;
	bool to_label = strncmp(nc->column_type, "enum", 4) == 0 || strncmp(nc->column_type, "set", 3) == 0;

	if ((a == TYPEMAP_INT || a == TYPEMAP_DECIMAL) && (b == TYPEMAP_INT || b == TYPEMAP_DECIMAL))
		return true;    /* both round half away from zero; out of range fails */
	if (a == TYPEMAP_INT && b == TYPEMAP_TEXT)
		return !to_label;   /* MariaDB reads a number as an ENUM/SET index */
	if (a == TYPEMAP_TEXT && b == TYPEMAP_TEXT)
		return true;    /* length changes; a label list is text both sides */
	if (a == TYPEMAP_BYTEA && b == TYPEMAP_BYTEA)
		return true;
	if (a == b && (a == TYPEMAP_DATETIME || a == TYPEMAP_TIMESTAMP || a == TYPEMAP_TIME))
		return nc->dt_precision >= oc->dt_precision;   /* MariaDB truncates, PostgreSQL rounds */
	return false;
}

/* ddl_default_is_constant: see ddl.h; the DEFAULT as typemap_default
 * renders it (a quoted literal with an optional cast, a number, a boolean,
 * a bit string) */
bool
ddl_default_is_constant(const char *d)
{
	if (d[0] == '\'')
		return strstr(d, "'::") == NULL || strchr(strstr(d, "'::"), '(') == NULL;
	if (is_digit(d[0]) || d[0] == '-' || d[0] == '.')
		return strspn(d, "0123456789.-+eE") == strlen(d);
	return strcasecmp(d, "true") == 0 || strcasecmp(d, "false") == 0 ||
		(strncasecmp(d, "B'", 2) == 0 && strchr(d + 2, '\'') && strchr(d + 2, '\'')[1] == '\0');
}

/* refuse: why = the message, then ": " and the statement; returns false */
static bool
refuse(char *why, size_t whylen, const char *stmt, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool
refuse(char *why, size_t whylen, const char *stmt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	if (stmt && n >= 0 && (size_t) n < whylen)
		snprintf(why + n, whylen - (size_t) n, ": %s", stmt);
	return false;
}

/* alter: starts the next statement in out: "ALTER TABLE <t> <what> "<col>"" */
static void
alter(buf *out, const plan_table *pt, const char *what, const char *col)
{
	buf_printf(out, "%sALTER TABLE %s %s ", out->len ? "; " : "", pt->qtarget, what);
	ident_pg(out, col);
}

/* key_names: "(a, b)", the MariaDB names of pt's key columns */
static void
key_names(const plan_table *pt, buf *out)
{
	buf_putc(out, '(');
	for (size_t k = 0; k < pt->nkey; k++)
		buf_printf(out, "%s%s", k ? ", " : "", pt->cols[pt->key[k]].name);
	buf_putc(out, ')');
}

/* same_key: whether the key is the same columns, by MariaDB name */
static bool
same_key(const plan_table *from, const plan_table *to)
{
	if (from->nkey != to->nkey)
		return false;
	for (size_t k = 0; k < to->nkey; k++)
		if (strcmp(to->cols[to->key[k]].name, from->cols[from->key[k]].name) != 0)
			return false;
	return true;
}

/* renamed_to: the column of to at position i when it is from's column i
 * renamed (a name from never had, at a position not yet matched) */
static const plan_column *
renamed_to(const plan_table *from, const plan_table *to, size_t i, const bool *matched)
{
	if (i >= to->ncols || matched[i])
		return NULL;
	for (size_t k = 0; k < from->ncols; k++)
		if (strcmp(from->cols[k].name, to->cols[i].name) == 0)
			return NULL;
	return &to->cols[i];
}

/* diff_kept: the statements for from's columns (dropped, renamed, retyped,
 * nullability); marks the columns of to they match */
static bool
diff_kept(const plan_table *from, const plan_table *to, const char *stmt, unsigned flags, bool *matched,
		  buf *out, char *why, size_t whylen)
{
	bool lenient = flags & DDL_DIFF_LENIENT;

	for (size_t i = 0; i < from->ncols; i++) {
		const plan_column *oc = &from->cols[i];
		const plan_column *nc = NULL;
		for (size_t j = 0; j < to->ncols && !nc; j++)
			if (strcmp(to->cols[j].name, oc->name) == 0) {
				nc = &to->cols[j];
				matched[j] = true;
			}
		if (!nc && (flags & DDL_DIFF_RENAMES) && (nc = renamed_to(from, to, i, matched))) {
			matched[i] = true;
			alter(out, from, "RENAME COLUMN", oc->target);
			buf_puts(out, " TO ");
			ident_pg(out, nc->target);
		}
		if (!nc) {
			alter(out, from, "DROP COLUMN", oc->target);
			continue;
		}
		if (strcmp(nc->tm.pg_type, oc->tm.pg_type) != 0 || nc->tm.kind != oc->tm.kind) {
			if (!ddl_retype_exact(oc, nc) && !lenient)
				return refuse(why, whylen, stmt, "column \"%s\" changed type (%s -> %s), a conversion the stream does "
							  "not carry (PostgreSQL's cast could differ from MariaDB's)",
							  oc->name, oc->column_type, nc->column_type);
			alter(out, from, "ALTER COLUMN", nc->target);
			buf_printf(out, " TYPE %s USING ", nc->tm.pg_type);
			ident_pg(out, nc->target);
			buf_printf(out, "::%s", nc->tm.pg_type);
		}
		if (nc->nullable != oc->nullable) {
			alter(out, from, "ALTER COLUMN", nc->target);
			buf_puts(out, nc->nullable ? " DROP NOT NULL" : " SET NOT NULL");
		}
	}
	return true;
}

/* diff_added: the statements for to's columns no column of from matched */
static bool
diff_added(const plan_table *from, const plan_table *to, const char *stmt, unsigned flags, const bool *matched,
		   buf *out, char *why, size_t whylen)
{
	bool lenient = flags & DDL_DIFF_LENIENT;

	for (size_t j = 0; j < to->ncols; j++) {
		const plan_column *nc = &to->cols[j];
		if (matched[j])
			continue;
		if (!nc->nullable && !nc->pg_default && !lenient)
			return refuse(why, whylen, stmt, "new column \"%s\" is NOT NULL without a default (MariaDB fills "
						  "existing rows with implicit values the stream cannot know)", nc->name);
		if (nc->pg_default && !ddl_default_is_constant(nc->pg_default) && !lenient)
			return refuse(why, whylen, stmt, "new column \"%s\" has the default %s, which MariaDB computed for the "
						  "existing rows when it changed the table; the stream cannot know those values",
						  nc->name, nc->pg_default);
		alter(out, from, "ADD COLUMN", nc->target);
		buf_printf(out, " %s", nc->tm.pg_type);
		if (nc->pg_default)
			buf_printf(out, " DEFAULT %s", nc->pg_default);
		if (!nc->nullable)
			buf_puts(out, " NOT NULL");
	}
	return true;
}

/* ddl_diff: see ddl.h. The key must stay what upserts match on. */
bool
ddl_diff(const plan_table *from, const plan_table *to, const char *stmt, unsigned flags, buf *alter_sql,
		 char *why, size_t whylen)
{
	buf sql = BUF_INIT;
	bool ok;

	if (!same_key(from, to) && !(flags & DDL_DIFF_LENIENT)) {
		buf keys = BUF_INIT;
		key_names(from, &keys);
		buf_puts(&keys, " -> ");
		key_names(to, &keys);
		refuse(why, whylen, stmt, "the key changed %s", keys.data);
		buf_free(&keys);
		return false;
	}
	bool *matched = xcalloc(to->ncols + 1, sizeof(bool));
	ok = diff_kept(from, to, stmt, flags, matched, &sql, why, whylen) &&
		diff_added(from, to, stmt, flags, matched, &sql, why, whylen);
	free(matched);
	if (ok && sql.len)
		buf_printf(alter_sql, "%s%s", alter_sql->len ? "; " : "", sql.data);
	buf_free(&sql);
	return ok;
}

unsigned
ddl_sql_mode_flags(uint64_t sql_mode)
{
	return ((sql_mode & DDL_MODE_ANSI_QUOTES) ? DDL_ANSI_QUOTES : 0) |
		((sql_mode & DDL_MODE_NO_BACKSLASH_ESCAPES) ? DDL_NO_BACKSLASH_ESCAPES : 0);
}
