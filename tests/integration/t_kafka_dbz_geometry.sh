#!/bin/sh
# stream --from kafka: Debezium's geometry structs {"wkb", "srid"} keep
# their SRID in a PostGIS geometry column (issue 17); a column the
# allowlist makes bytea keeps the WKB alone, as migrate copies it. The
# events are the corpus's v2.5-geometry.events: the values Debezium's own
# MySqlGeometryIT asserts. Uses a PostgreSQL database of its own (the
# extension), as t_postgis does.
. "$(dirname "$0")/lib.sh"

DB=$TEST_DB
my "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB; USE $DB;
CREATE TABLE dbz_507_geometry (id INT NOT NULL PRIMARY KEY, geom GEOMETRY, linestring LINESTRING,
	polygon POLYGON, collection GEOMETRYCOLLECTION);
CREATE TABLE geo_bytea LIKE dbz_507_geometry;"
pg_admin "DROP DATABASE IF EXISTS gisk" >/dev/null 2>&1
pg_admin "CREATE DATABASE gisk" >/dev/null || fail "cannot create database gisk"
pg_admin "GRANT CREATE ON DATABASE gisk TO sink" >/dev/null || fail "cannot grant CREATE on gisk"
psql -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d gisk -c "CREATE EXTENSION postgis" || fail "PostGIS is not installed"
at_exit 'pg_admin "DROP DATABASE IF EXISTS gisk" >/dev/null'
write_env gk "$DB" gk_sink
sed -i "s|^SINK_DB_URL=.*|SINK_DB_URL=postgresql://sink:$PG_PASS@127.0.0.1:$PG_PORT/gisk|" "$T/.env"
allow gk dbz_507_geometry "geo_bytea geom=bytea linestring=bytea polygon=bytea collection=bytea"
run_migrate --database gk --tables all || fail "migrate failed: $(cat "$T/migrate.log")"
gis() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U sink -d gisk -c "$1"; }

start_kafka_mock --topic "gk.$DB.dbz_507_geometry:1" --topic "gk.$DB.geo_bytea:1"
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=gk\nKAFKA_TAKEOVER=apply\n' "$BOOT" >>"$T/.env"
for t in dbz_507_geometry geo_bytea; do
	"$DUMP" --bootstrap "$BOOT" --produce "gk.$DB.$t" <tests/kafka/debezium-corpus/v2.5-geometry.events >/dev/null 2>&1 ||
		fail "producing to $t failed"
done
start_stream --database gk --from kafka
i=0
until [ "$(gis "SELECT count(*) FROM gk_sink.dbz_507_geometry") $(gis "SELECT count(*) FROM gk_sink.geo_bytea")" = "2 2" ] ||
	[ $i -ge 200 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "1|4326|POINT(1 1)|3187|LINESTRING(0 0,1 1)|0|POLYGON((0 0,1 1,1 0,0 0))|4326|GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1)) 2|0|LINESTRING(0 0,1 1)||||||" \
	"$(gis "SELECT string_agg(concat_ws('|', id, coalesce(ST_SRID(geom)::text, ''), coalesce(ST_AsText(geom), ''),
		coalesce(ST_SRID(linestring)::text, ''), coalesce(ST_AsText(linestring), ''), coalesce(ST_SRID(polygon)::text, ''),
		coalesce(ST_AsText(polygon), ''), coalesce(ST_SRID(collection)::text, ''), coalesce(ST_AsText(collection), '')), ' ' ORDER BY id)
		FROM gk_sink.dbz_507_geometry")" \
	"PostGIS geometry: each value with its SRID (none: 0)"
assert_eq "1|0101000000000000000000f03f000000000000f03f 2|01020000000200000000000000000000000000000000000000000000000000f03f000000000000f03f" \
	"$(gis "SELECT string_agg(id || '|' || encode(geom, 'hex'), ' ' ORDER BY id) FROM gk_sink.geo_bytea")" \
	"bytea: the WKB alone (no SRID), as migrate copies it"
assert_eq 0 "$(gis "SELECT count(*) FROM $CTL.kafka_dead_letters")" "no dead letter"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID" || fail "the consumer did not stop cleanly"
exit 0
