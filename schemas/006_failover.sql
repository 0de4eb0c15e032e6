-- Control schema, version 6: which MariaDB server the stream's checkpoint
-- belongs to.
--
-- Applied after 005 inside `SET search_path TO <CONTROL_SCHEMA>` in one
-- transaction, like every file here.

-- A binlog file and offset mean something on one server only. The stream
-- records the source server's @@server_id with each checkpoint; when the
-- configured server turns out to be another one (a promoted replica after a
-- failover), it finds its place in that server's binlog by the checkpoint's
-- GTID position instead, or refuses to start. NULL: a checkpoint written
-- before this version (taken to belong to whichever server it meets first).
ALTER TABLE stream_checkpoint ADD COLUMN IF NOT EXISTS source_server_id bigint;

INSERT INTO schema_version (version) VALUES (6) ON CONFLICT DO NOTHING;
