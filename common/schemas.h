/*
 * The SQL files of schemas/, embedded at build time by scripts/sql2c.sh.
 * Files are named NNN_what.sql; NNN is the control-schema version the file
 * brings the schema to, and they are applied in name order.
 */
#ifndef COMMON_SCHEMAS_H
#define COMMON_SCHEMAS_H

typedef struct schema_file {
	const char *name;           /* file name, e.g. "001_control.sql" */
	const char *sql;            /* its text, unchanged */
} schema_file;

/* schema_files: terminated by an entry whose name is NULL */
extern const schema_file schema_files[];

#endif
