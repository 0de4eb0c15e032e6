#!/bin/sh
# With PostGIS in the sink, GEOMETRY columns become geometry (from WKB) and a
# SPATIAL index becomes GiST. Uses a database of its own so the extension
# does not change what other tests see.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_gis; CREATE DATABASE it_gis; USE it_gis;
CREATE TABLE places (id INT PRIMARY KEY, g GEOMETRY NOT NULL, p POINT, SPATIAL KEY sp_g (g));
INSERT INTO places VALUES (1, ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 0))'), ST_GeomFromText('POINT(1.5 -2.25)')),
  (2, ST_GeomFromText('LINESTRING(0 0, 1 1)'), NULL), (3, ST_GeomFromText('MULTIPOINT(1 1, 2 2)'), ST_GeomFromText('POINT(0 0)'));"
pg_admin "DROP DATABASE IF EXISTS gis" >/dev/null 2>&1
# as README.md's "Least privilege" says: the administrator creates the
# extension (PostGIS is not a trusted extension), sink is no superuser
pg_admin "CREATE DATABASE gis" >/dev/null || fail "cannot create database gis"
pg_admin "GRANT CREATE ON DATABASE gis TO sink" >/dev/null || fail "cannot grant CREATE on gis"
psql -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d gis -c "CREATE EXTENSION postgis" || fail "PostGIS is not installed"
at_exit 'pg_admin "DROP DATABASE IF EXISTS gis" >/dev/null'
write_env gis it_gis gis_sink
sed -i "s|^SINK_DB_URL=.*|SINK_DB_URL=postgresql://sink:$PG_PASS@127.0.0.1:$PG_PORT/gis|" "$T/.env"
allow gis places
run_migrate --database gis --tables all || fail "migrate failed"
gis() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U sink -d gis -c "$1"; }
assert_eq geometry "$(gis "SELECT udt_name FROM information_schema.columns WHERE table_name = 'places' AND column_name = 'g'")" "geometry type"
# the same geometries, compared as WKB (the servers spell WKT differently)
m=$(my "SELECT GROUP_CONCAT(LOWER(HEX(ST_AsBinary(g))), '/', COALESCE(LOWER(HEX(ST_AsBinary(p))), 'NULL') ORDER BY id SEPARATOR '|') FROM it_gis.places")
p=$(gis "SELECT string_agg(encode(ST_AsBinary(g), 'hex') || '/' || coalesce(encode(ST_AsBinary(p), 'hex'), 'NULL'), '|' ORDER BY id) FROM gis_sink.places")
assert_eq "$m" "$p" "geometries equal"
gis "SELECT indexdef FROM pg_indexes WHERE tablename = 'places'" > "$T/idx"
assert_contains "$T/idx" "USING gist (g)" "SPATIAL index as GiST"
exit 0
