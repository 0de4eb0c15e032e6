-- Control schema, version 3: the schema the stream decodes each table with.
--
-- Applied after 002 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- The table's MariaDB description (information_schema rows as JSON) as of
-- the stream's position for it: written by migrate when it creates the
-- target, and by the stream with each schema change it carries, in the same
-- transaction as the checkpoint. After a restart the stream decodes the
-- binlog with it, not with the table as it is in MariaDB now, so changes
-- made while the stream was stopped are carried in order.
ALTER TABLE tables ADD COLUMN IF NOT EXISTS stream_schema text;
-- An ALTER TABLE the stream has read but not carried yet (it is carried with
-- the table's next table map, which shows the columns the rows after it
-- have); written with the checkpoint past the ALTER.
ALTER TABLE tables ADD COLUMN IF NOT EXISTS ddl_pending text;

INSERT INTO schema_version (version) VALUES (3) ON CONFLICT DO NOTHING;
