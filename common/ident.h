/*
 * Identifiers: how a MariaDB name becomes a PostgreSQL name, and safe quoting
 * on both sides. Names are lower-cased by default (IDENTIFIER_CASE=keep keeps
 * them) and always double-quoted for PostgreSQL, so spaces, quotes, mixed
 * case and reserved words all work.
 */
#ifndef COMMON_IDENT_H
#define COMMON_IDENT_H

#include <stdbool.h>
#include "common/xalloc.h"

/* ident_target: returns the heap PostgreSQL name for a MariaDB name */
char *ident_target(const char *name, bool keep_case);
/* ident_pg: appends "name" to out, doubling embedded double quotes */
void ident_pg(buf *out, const char *name);
/* ident_my: appends `name` to out, doubling embedded backquotes */
void ident_my(buf *out, const char *name);
/* ident_pg_literal: appends 'text' with embedded quotes doubled (standard_conforming_strings) */
void ident_pg_literal(buf *out, const char *text);

#endif
