/*
 * Identifiers; see ident.h.
 *
 * A MariaDB name becomes a PostgreSQL name by lower-casing its ASCII letters
 * (unless the case is kept) and by cutting it to the 63 bytes PostgreSQL
 * keeps of an identifier (NAMEDATALEN - 1), at a UTF-8 character boundary as
 * PostgreSQL itself does. Doing the cut here, rather than letting the server
 * do it with a NOTICE, means the name the tool records and compares is the
 * name the server really has, and two long names that would collide after
 * the cut are caught by the caller's duplicate check.
 *
 * Quoting never fails: the name is wrapped in the side's quote character and
 * that character is doubled inside, which is all either server needs for any
 * name (spaces, reserved words, mixed case, quotes).
 */
#include "common/ident.h"

#include <string.h>

/* PostgreSQL keeps NAMEDATALEN - 1 bytes of an identifier. */
#define IDENT_PG_MAXLEN 63

/* ident_target: see ident.h; the caller frees the result */
char *
ident_target(const char *name, bool keep_case)
{
	size_t		len = strlen(name);
	char	   *out;

	if (len > IDENT_PG_MAXLEN) {
		len = IDENT_PG_MAXLEN;
		/* back up to the start of the character the cut fell into */
		while (len > 0 && ((unsigned char) name[len] & 0xC0) == 0x80)
			len--;
	}
	out = xstrndup(name, len);
	if (!keep_case) {
		for (char *p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char) (*p - 'A' + 'a');
	}
	return out;
}

/* quote_with: appends name wrapped in q, doubling every q inside */
static void
quote_with(buf *out, const char *name, char q)
{
	const char *p = name;
	const char *hit;

	buf_reserve(out, strlen(name) + 2);
	buf_putc(out, q);
	while ((hit = strchr(p, q)) != NULL) {
		buf_append(out, p, (size_t) (hit - p) + 1);
		buf_putc(out, q);
		p = hit + 1;
	}
	buf_puts(out, p);
	buf_putc(out, q);
}

/* ident_pg: see ident.h */
void
ident_pg(buf *out, const char *name)
{
	quote_with(out, name, '"');
}

/* ident_my: see ident.h */
void
ident_my(buf *out, const char *name)
{
	quote_with(out, name, '`');
}

/* ident_pg_literal: see ident.h */
void
ident_pg_literal(buf *out, const char *text)
{
	quote_with(out, text, '\'');
}
