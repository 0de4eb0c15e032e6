-- Control schema, version 4: where `stream --to kafka` has published to.
--
-- Applied after 003 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- One row per source database and topic prefix: the position just after
-- the last source transaction whose every event Kafka has acknowledged
-- (delivery reports), always a transaction boundary. A restart publishes
-- again from here, so Kafka gets every change at least once. Kept apart
-- from stream_checkpoint: a database can be streamed into PostgreSQL and
-- published to Kafka at the same time, each at its own position.
CREATE TABLE IF NOT EXISTS publish_checkpoint (
    source_db      text        NOT NULL,
    topic_prefix   text        NOT NULL,
    binlog_file    text        NOT NULL,
    binlog_pos     bigint      NOT NULL,
    gtid           text,                    -- GTID position (domain-server-seqno list) at that point
    server_id      bigint,                  -- the replica server id the stream read it with
    source_ts      timestamptz,             -- commit time of that transaction on the source
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_db, topic_prefix)
);

INSERT INTO schema_version (version) VALUES (4) ON CONFLICT DO NOTHING;
