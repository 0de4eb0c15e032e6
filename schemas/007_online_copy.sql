-- Control schema, version 7: tables the stream copies itself (an allowlist
-- edit of a running daemon), and allowlisted tables the source lacks.
--
-- Applied after 006 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- missing: listed in the allowlist, but the MariaDB schema has no such
-- table (error says which); the other tables stream on, and the table is
-- copied once it exists.
ALTER TABLE tables DROP CONSTRAINT IF EXISTS tables_state_check;
ALTER TABLE tables ADD CONSTRAINT tables_state_check
    CHECK (state IN ('pending', 'copying', 'indexing', 'ready', 'failed', 'removed', 'missing'));

-- While a copy runs: the source's row estimate; rows_copied then counts the
-- rows sent so far (written every few seconds by a copy that reports
-- progress, the stream's online copy), and started_at says since when.
ALTER TABLE tables ADD COLUMN IF NOT EXISTS est_rows bigint;

INSERT INTO schema_version (version) VALUES (7) ON CONFLICT DO NOTHING;
