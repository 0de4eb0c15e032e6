-- Control schema, version 10: the schema history's other half. Descriptions
-- of the source schema's tables
-- the stream does not stream (an online schema change tool's new table,
-- a streamed table renamed away), kept from the DDL statements of the
-- binary log so that a RENAME swap that puts one under a streamed name is
-- carried as a schema change, with no gap and no new copy.
--
-- Applied after 009 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- shadow_tables: written in the stream's batch transaction, so a row is
-- what the table looked like at the stream's checkpoint.
--   described        the table's description (plan.c's JSON), as the DDL
--                    interpreter advanced it
--   origin           the streamed table it was made from (CREATE TABLE ...
--                    LIKE it, or it was that table before a rename), or
--                    NULL; only a table made from the one it replaces is
--                    taken to hold the same rows
--   renames_columns  a statement renamed a column of it: a swap then
--                    cannot tell a renamed column from a new one
CREATE TABLE IF NOT EXISTS shadow_tables (
    source_db        text        NOT NULL,
    source_table     text        NOT NULL,
    described        text        NOT NULL,
    origin           text,
    renames_columns  boolean     NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_db, source_table)
);

-- The publisher's (--to kafka) schema history: every published table's
-- description at the acknowledged position, as a JSON object (table name to
-- description), written with the position.
ALTER TABLE publish_checkpoint ADD COLUMN IF NOT EXISTS schemas text;

INSERT INTO schema_version (version) VALUES (10) ON CONFLICT DO NOTHING;
