-- Control schema, version 8: a streamed table dropped in MariaDB.
--
-- Applied after 007 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- dropped: the stream met DROP TABLE for it (error quotes the statement);
-- PostgreSQL keeps the table as it was then, and a table of that name
-- created again in MariaDB is copied online.
ALTER TABLE tables DROP CONSTRAINT IF EXISTS tables_state_check;
ALTER TABLE tables ADD CONSTRAINT tables_state_check
    CHECK (state IN ('pending', 'copying', 'indexing', 'ready', 'failed', 'removed', 'missing', 'dropped'));

INSERT INTO schema_version (version) VALUES (8) ON CONFLICT DO NOTHING;
