#!/bin/sh
# make demo: start a sandbox MariaDB (binlog on, ROW) and PostgreSQL under
# .demo/, load the sample shop database, write the settings and allowlist,
# run migrate with its progress display, and show how to look at the result.
# `make demo-stop` (scripts/demo.sh stop) stops the sandbox.
set -e
cd "$(dirname "$0")/.."
DIR="$PWD/.demo"

# stop_stream: the demo's stream daemon, by its PID (SIGTERM: it commits and exits)
stop_stream() {
	if [ -f "$DIR/stream.pid" ]; then
		pid=$(cat "$DIR/stream.pid")
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			i=0
			while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
			kill -9 "$pid" 2>/dev/null || true
		fi
		rm -f "$DIR/stream.pid"
	fi
}

# stop_kafka: the demo's mock Kafka broker, by its PID
stop_kafka() {
	if [ -f "$DIR/kafka.pid" ]; then
		kill -TERM "$(cat "$DIR/kafka.pid")" 2>/dev/null || true
		rm -f "$DIR/kafka.pid"
	fi
}

if [ "${1:-}" = stop ]; then
	stop_stream
	stop_kafka
	sh scripts/sandbox.sh stop "$DIR"
	exit 0
fi
stop_stream
stop_kafka

if [ -f "$DIR/sandbox.env" ] && sh scripts/sandbox.sh status "$DIR" >/dev/null 2>&1; then
	echo "== sandbox already running in $DIR"
else
	rm -rf "$DIR"
	echo "== starting a sandbox MariaDB and PostgreSQL in $DIR"
	sh scripts/sandbox.sh start "$DIR"
fi
. "$DIR/sandbox.env"

echo "== creating the sample database demo_shop (about 700k rows)"
$MY_ROOT < demo/shop.sql
# the sandbox's migrator has the least privilege (README.md, "Least privilege"):
# it reads only the databases granted to it
echo "== GRANT SELECT ON demo_shop.* TO $MY_USER"
$MY_ROOT -e "GRANT SELECT ON demo_shop.* TO '$MY_USER'@'127.0.0.1'; GRANT SELECT ON demo_shop.* TO '$MY_USER'@'localhost'"

# Settings: never overwrite a .env that the demo did not write.
ENVFILE=.env
if [ -f .env ] && ! head -1 .env | grep -q '^# written by make demo'; then
	ENVFILE="$DIR/demo.env"
	echo "== .env exists and is yours; the demo's settings go to $ENVFILE"
fi
umask 077
cat > "$ENVFILE" <<ENV
# written by make demo: settings for the sandbox in .demo/
SINK_DB_URL=postgresql://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB
SINK_SCHEMA=shop
DEMO_HOST=127.0.0.1
DEMO_PORT=$MY_PORT
DEMO_USER=$MY_USER
DEMO_PASS=$MY_PASS
DEMO_SCHEMA=demo_shop
ENV
umask 022
mkdir -p tables.d
cat > tables.d/demo <<'ALLOW'
# Allowlist of database "demo": one source table per line; after the name,
# optional column=type overrides (vip is TINYINT(1), made boolean here).
customers vip=boolean
orders
order_lines
stores
page_views
ALLOW

echo "== migrate --database demo --tables all"
./bin/migrate --env "$ENVFILE" --database demo --tables all --threshold 100000 --batch-size 25000

echo
echo "== stream --database demo, in the background (log: $DIR/stream.log)"
./bin/stream --env "$ENVFILE" --database demo >"$DIR/stream.log" 2>&1 &
echo $! > "$DIR/stream.pid"
sleep 2
echo "== writing to the source: 500 new orders, 200 customers renamed, 100 page views deleted"
$MY_ROOT demo_shop <<'SQL'
INSERT INTO orders (customer_id, status, total, placed_at)
  SELECT 1 + seq % 1000, 'new', seq / 10, NOW(3) FROM seq_1_to_500;
UPDATE customers SET name = CONCAT(name, ' (renamed)') WHERE id <= 200;
DELETE FROM page_views ORDER BY ts LIMIT 100;
SQL
sleep 2
echo "== the same counts on both sides:"
printf '  MariaDB:    '; $MY_ROOT -N demo_shop -e "SELECT CONCAT((SELECT COUNT(*) FROM orders), ' orders, ', (SELECT COUNT(*) FROM customers WHERE name LIKE '%(renamed)'), ' renamed customers, ', (SELECT COUNT(*) FROM page_views), ' page views')"
printf '  PostgreSQL: '; $PSQL_SINK -At -c "SELECT (SELECT count(*) FROM shop.orders) || ' orders, ' || (SELECT count(*) FROM shop.customers WHERE name LIKE '%(renamed)') || ' renamed customers, ' || (SELECT count(*) FROM shop.page_views) || ' page views'"
./bin/stream --env "$ENVFILE" --database demo --status

echo
echo "== Kafka: a mock broker (librdkafka's mock cluster, loopback only), and stream --to kafka"
./bin/kafka-mock --brokers 1 --bootstrap-file "$DIR/kafka.bootstrap" >/dev/null 2>"$DIR/kafka.log" &
echo $! > "$DIR/kafka.pid"
i=0
while [ ! -s "$DIR/kafka.bootstrap" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
umask 077
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=demo\n' "$(cat "$DIR/kafka.bootstrap")" >> "$ENVFILE"
umask 022
END=$($MY_ROOT -N -e 'SHOW MASTER STATUS' | awk '{ print $1 ":" $2 }')
echo "   publishing every change since migrate's watermark, up to $END (Debezium envelope, one topic per table)"
./bin/stream --env "$ENVFILE" --database demo --to kafka --stop-at "$END" --log-level error
./bin/kafka-dump --bootstrap-file "$DIR/kafka.bootstrap" --topic-prefix demo. > "$DIR/kafka.dump"
echo "   events per topic:"
cut -f1 "$DIR/kafka.dump" | sort | uniq -c | sed 's/^/    /'
echo "   one of them (topic, partition, offset, key, value):"
grep -m1 'demo.demo_shop.customers' "$DIR/kafka.dump" | cut -c1-400 | sed 's/^/    /'
echo "   and back into PostgreSQL: stream --database demo --from kafka applies such topics (ours or"
echo "   Debezium connectors') through the same sink; see README.md, \"Kafka\"."

cat <<MSG

== done. stream keeps running (pid $(cat "$DIR/stream.pid"), log $DIR/stream.log). Look at the result:
  $PSQL_SINK -c '\\dt+ shop.*'
  $PSQL_SINK -c 'SELECT * FROM shop.customers LIMIT 5'
  $PSQL_SINK -c 'SELECT source_table, state, rows_copied, snapshot_file, snapshot_pos, snapshot_gtid FROM sync_control.tables'
  ./bin/stream --env $ENVFILE --database demo --status
  ./bin/migrate --env $ENVFILE --database demo --tables orders --plan
Write to the source and watch it arrive:  $MY_ROOT demo_shop
Stop the stream, the mock broker and the sandbox with: make demo-stop
MSG
