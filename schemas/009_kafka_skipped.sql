-- Control schema, version 9: events `stream --from kafka` skipped per table
-- because they come before the table's watermark (already in migrate's copy).
--
-- Applied after 008 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

ALTER TABLE tables ADD COLUMN IF NOT EXISTS kafka_skipped bigint NOT NULL DEFAULT 0;

INSERT INTO schema_version (version) VALUES (9) ON CONFLICT DO NOTHING;
