-- Control schema, version 1: per source database, each allowlisted table's
-- state and watermark, and the chunk ledger of migrations.
--
-- migrate applies this inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction; it also runs as it is in psql after the same SET.

CREATE TABLE IF NOT EXISTS schema_version (
    version     integer     NOT NULL PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per (source database, source table). The watermark W(t) is
-- (snapshot_file, snapshot_pos, snapshot_gtid): the earliest snapshot
-- position any of the table's chunks was read at. Each chunk keeps its own
-- position in chunks, so a change at position p to a key of chunk c is
-- already in the target exactly when p <= that chunk's position.
CREATE TABLE IF NOT EXISTS tables (
    source_db      text        NOT NULL,
    source_table   text        NOT NULL,
    source_schema  text        NOT NULL,
    target_schema  text        NOT NULL,
    target_table   text        NOT NULL,
    state          text        NOT NULL
        CHECK (state IN ('pending', 'copying', 'indexing', 'ready', 'failed', 'removed')),
    load_mode      text,
    chunk_key      text[],
    rows_copied    bigint      NOT NULL DEFAULT 0,
    bytes_copied   bigint      NOT NULL DEFAULT 0,
    snapshot_file  text,
    snapshot_pos   bigint,
    snapshot_gtid  text,
    error          text,
    started_at     timestamptz,
    finished_at    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_db, source_table)
);

-- The chunk ledger. Key bounds are the chunk key's values in MariaDB's text
-- form, hex-encoded (they may be binary); NULL means unbounded. A chunk is
-- marked done in the same transaction as the COPY of its rows.
CREATE TABLE IF NOT EXISTS chunks (
    source_db      text        NOT NULL,
    source_table   text        NOT NULL,
    chunk_no       integer     NOT NULL,
    lower_key      text[],
    upper_key      text[],
    state          text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'done')),
    rows_copied    bigint      NOT NULL DEFAULT 0,
    bytes_copied   bigint      NOT NULL DEFAULT 0,
    snapshot_file  text,
    snapshot_pos   bigint,
    snapshot_gtid  text,
    finished_at    timestamptz,
    PRIMARY KEY (source_db, source_table, chunk_no),
    FOREIGN KEY (source_db, source_table) REFERENCES tables ON DELETE CASCADE
);

INSERT INTO schema_version (version) VALUES (1) ON CONFLICT DO NOTHING;
