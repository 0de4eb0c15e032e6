#!/bin/sh
# One source transaction of 2M rows: stream applies it whole, with memory
# bounded (rows are staged in PostgreSQL every few MB, not held in memory).
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_sb; CREATE DATABASE it_sb; USE it_sb;
CREATE TABLE wide (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(40) NOT NULL);
INSERT INTO wide VALUES (1, 1, 'seed');"
write_env sb it_sb sb_sink
allow sb wide
run_migrate --database sb --tables all || fail "migrate failed"
my "USE it_sb;
START TRANSACTION;
INSERT INTO wide SELECT seq, seq % 1000, CONCAT('row ', seq, ' of the big transaction') FROM seq_2_to_2000001;
UPDATE wide SET v = -1 WHERE id = 1;
COMMIT;" || fail "the big transaction failed"
end=$(binlog_end)
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (Debian package time; make deps installs it)"
# in $T: its relay log goes there (relay/sb)
(cd "$T" && ASAN_OPTIONS="quarantine_size_mb=8${ASAN_OPTIONS:+:$ASAN_OPTIONS}" exec /usr/bin/time -f '%M' -o "$T/rss" \
	"$STREAM" --env "$T/.env" --database sb --stop-at "$end") > "$T/stream.log" 2>&1 ||
	fail "stream failed on the big transaction"
assert_eq "2000001 -1" "$(pg "SELECT count(*) || ' ' || min(v) FROM sb_sink.wide")" "all 2M rows and the update applied"
assert_eq "1" "$(pg "SELECT count(*) FROM sb_sink.wide WHERE id = 2000001 AND s = 'row 2000001 of the big transaction'")" "last row intact"
rss=$(cat "$T/rss")
echo "# peak RSS of stream over a 2M-row transaction: ${rss} KiB" >&2
# about 20 MiB in a release build; sanitizers add their shadow memory (the
# quarantine of freed memory is kept small above, so growth still shows)
limit=${STREAM_RSS_LIMIT_KIB:-100000}
[ "$rss" -lt "$limit" ] || fail "stream used ${rss} KiB for one 2M-row transaction (limit ${limit} KiB)"
exit 0
