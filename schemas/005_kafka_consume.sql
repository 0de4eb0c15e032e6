-- Control schema, version 5: what `stream --from kafka` has consumed.
--
-- Applied after 004 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- Per source database, topic and partition: the offset of the next message
-- to read, written in the same PostgreSQL transaction as the rows the
-- messages before it produced (exactly once). The consumer starts there on
-- assignment; the consumer group's committed offsets only mirror it for
-- monitoring.
CREATE TABLE IF NOT EXISTS kafka_offsets (
    source_db      text        NOT NULL,
    topic          text        NOT NULL,
    kafka_partition integer    NOT NULL,
    next_offset    bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_db, topic, kafka_partition)
);

-- Messages that could not be applied (unparseable, wrong shape, a value
-- the type map refuses), with their coordinates and the reason; written in
-- the same transaction as the offset past them, so none is lost or twice.
CREATE TABLE IF NOT EXISTS kafka_dead_letters (
    id             bigserial   PRIMARY KEY,
    source_db      text        NOT NULL,
    topic          text        NOT NULL,
    kafka_partition integer    NOT NULL,
    kafka_offset   bigint      NOT NULL,
    msg_key        bytea,
    msg_value      bytea,
    reason         text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

INSERT INTO schema_version (version) VALUES (5) ON CONFLICT DO NOTHING;
