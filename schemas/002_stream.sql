-- Control schema, version 2: the stream's checkpoint and per-table counters.
--
-- Applied after 001 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- One row per source database: the position just after the last source
-- transaction the stream applied (always a transaction boundary), written in
-- the same PostgreSQL transaction as that transaction's rows. A restart
-- resumes here.
CREATE TABLE IF NOT EXISTS stream_checkpoint (
    source_db      text        NOT NULL PRIMARY KEY,
    binlog_file    text        NOT NULL,
    binlog_pos     bigint      NOT NULL,
    gtid           text,                    -- GTID position (domain-server-seqno list) at that point
    server_id      bigint,                  -- the replica server id the stream read it with
    source_ts      timestamptz,             -- commit time of that transaction on the source
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- What the stream applied per table, and why it stopped a table.
ALTER TABLE tables ADD COLUMN IF NOT EXISTS rows_inserted bigint NOT NULL DEFAULT 0;
ALTER TABLE tables ADD COLUMN IF NOT EXISTS rows_updated  bigint NOT NULL DEFAULT 0;
ALTER TABLE tables ADD COLUMN IF NOT EXISTS rows_deleted  bigint NOT NULL DEFAULT 0;
ALTER TABLE tables ADD COLUMN IF NOT EXISTS stream_error  text;
-- The position up to which the stream has applied the table (NULL until it
-- first commits for it); its effective watermark is the later of this and
-- the snapshot position migrate recorded.
ALTER TABLE tables ADD COLUMN IF NOT EXISTS applied_file  text;
ALTER TABLE tables ADD COLUMN IF NOT EXISTS applied_pos   bigint;

INSERT INTO schema_version (version) VALUES (2) ON CONFLICT DO NOTHING;
