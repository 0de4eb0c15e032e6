#!/bin/sh
# Writes running against the source during migrate leave an exact recorded
# watermark: every change committed in the binlog before a chunk's snapshot
# position is in the target, and none after it. Checked against the binlog
# itself, for a single-snapshot table and for a chunked one.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_wm; CREATE DATABASE it_wm; USE it_wm;
CREATE TABLE w (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(200));
INSERT INTO w (id, v, pad) SELECT seq, seq, REPEAT('p', 150) FROM seq_1_to_200000;
ANALYZE TABLE w;"
# the writer: one transaction per statement, inserts and updates interleaved
i=1
while [ $i -le 3000 ]; do
	echo "INSERT INTO it_wm.w (v) VALUES (7); UPDATE it_wm.w SET v = -v WHERE id = $((i * 61)); DO SLEEP(0.001);"
	i=$((i + 1))
done > "$T/churn.sql"
write_env wm it_wm wm_sink
allow wm w

check_run() {  # check_run LABEL -- migrate args
	label=$1; shift 2
	my "UPDATE it_wm.w SET v = ABS(v) WHERE v < 0; DELETE FROM it_wm.w WHERE id > 200000;"
	my < "$T/churn.sql" &
	writer=$!
	sleep 0.2
	run_migrate --database wm --tables w "$@" || fail "$label: migrate failed"
	wait $writer
	file=$(pg "SELECT snapshot_file FROM $CTL.tables WHERE source_table = 'w' AND state = 'ready'")
	pos=$(pg "SELECT snapshot_pos FROM $CTL.tables WHERE source_table = 'w'")
	[ -n "$file" ] && [ -n "$pos" ] || fail "$label: no watermark recorded"
	minpos=$(pg "SELECT min(snapshot_pos) FROM $CTL.chunks WHERE source_table = 'w'")
	assert_eq "$minpos" "$pos" "$label: watermark is the earliest chunk position"
	# every row change of w in the binlog from the watermark on, with the
	# position of the transaction it belongs to
	mariadb-binlog --no-defaults -R --socket="$MY_SOCKET" -uroot --start-position="$pos" --to-last-log \
		-v --base64-output=DECODE-ROWS "$file" 2>"$T/binlog.err" |
	awk '/^# at [0-9]+$/ { at = $3 }
		/GTID [0-9]+-[0-9]+-[0-9]+/ { tx = at }
		/^### INSERT INTO `it_wm`.`w`/ { kind = "i"; want = 1; next }
		/^### UPDATE `it_wm`.`w`/ { kind = "u"; want = 1; next }
		/^### DELETE FROM `it_wm`.`w`/ { kind = "d"; want = 1; next }
		want && /^###   @1=/ { sub(/^###   @1=/, ""); print tx "\t" kind "\t" $0; want = 0 }' > "$T/events"
	[ -s "$T/events" ] || { cat "$T/binlog.err"; fail "$label: no binlog events after the watermark (writer too fast?)"; }
	pg "DROP TABLE IF EXISTS wm_sink.wm_events; CREATE TABLE wm_sink.wm_events (txpos bigint, kind text, id bigint)"
	pg "\\copy wm_sink.wm_events FROM '$T/events'"
	# changes after the snapshot of the chunk that holds their key
	pg "DROP TABLE IF EXISTS wm_sink.wm_after; CREATE TABLE wm_sink.wm_after AS
		SELECT e.* FROM wm_sink.wm_events e JOIN $CTL.chunks c ON c.source_table = 'w'
		AND (c.lower_key IS NULL OR e.id >= convert_from(decode(c.lower_key[1], 'hex'), 'UTF8')::bigint)
		AND (c.upper_key IS NULL OR e.id < convert_from(decode(c.upper_key[1], 'hex'), 'UTF8')::bigint)
		WHERE e.txpos >= c.snapshot_pos"
	n_after=$(pg "SELECT count(*) FROM wm_sink.wm_after")
	[ "$n_after" -gt 0 ] || fail "$label: migrate finished before the writer touched anything"
	# inserts after the snapshot are absent, everything else present
	bad=$(pg "SELECT count(*) FROM wm_sink.wm_after a JOIN wm_sink.w t USING (id) WHERE a.kind = 'i'")
	assert_eq 0 "$bad" "$label: rows inserted after the watermark are in the target"
	src_ids=$(my "SELECT COUNT(*) FROM it_wm.w")
	tgt=$(pg "SELECT count(*) FROM wm_sink.w")
	ins_after=$(pg "SELECT count(*) FROM wm_sink.wm_after WHERE kind = 'i'")
	assert_eq "$src_ids" "$((tgt + ins_after))" "$label: target + later inserts = source"
	# an update after the snapshot is not applied; one before it is
	bad=$(pg "SELECT count(*) FROM wm_sink.w t WHERE t.id <= 200000 AND
		(t.v < 0) = EXISTS (SELECT 1 FROM wm_sink.wm_after a WHERE a.id = t.id AND a.kind = 'u')
		AND t.id % 61 = 0 AND t.id <= 3000 * 61")
	assert_eq 0 "$bad" "$label: updates on the wrong side of the watermark"
	echo "$label: $n_after changes after the watermark, target exact"
}

check_run single -- --max-workers 1
check_run chunked -- --threshold 0 --batch-size 20000 --max-workers 1 --chunk-workers 3
exit 0
