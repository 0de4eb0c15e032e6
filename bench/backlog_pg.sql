-- backlog_pg.sql: ../shared/bench/backlog.sql for PostgreSQL, in PL/pgSQL, so
-- that PostgreSQL applies the same backlog itself (no network, no row parsing,
-- no binlog decoding): the floor its own executor sets for bin/stream.
--
--   psql -v schema=SCHEMA [-v table=t_deal] -f bench/backlog_pg.sql
--   CALL SCHEMA.make_backlog(n, per_commit [, first_id]);   -- top level, not in a transaction block
--
-- creates the procedure SCHEMA.make_backlog working on SCHEMA.TABLE (a copy of
-- a migrated T_DEAL; default t_deal). Per source transaction i (0 .. n-1) it
-- runs the statements of backlog.sql's make_backlog, with these differences:
--   - it COMMITs after every per_commit source transactions (1: a commit per
--     source transaction, as a replica does) and at the end;
--   - the 15 rows inserted by a transaction get explicit ids: MariaDB assigns
--     them from T_DEAL's AUTO_INCREMENT counter, consecutively (one session,
--     auto_increment_increment 1; the 15-row INSERT ... SELECT reserves
--     1 + 2 + 4 + 8 = 15 values, so no gaps), and only in the transactions that
--     insert. first_id is that counter before the backlog (information_schema
--     .TABLES.AUTO_INCREMENT; after the generator's bulk insert it is above
--     MAX(id) + 1); the default, MAX(id) + 1, gives new, distinct ids but not
--     the source's, so that the deletes below hit other rows;
--   - updated_at = now() where MariaDB's ON UPDATE CURRENT_TIMESTAMP changes it
--     (not in the i % 100 = 99 branch, which keeps it);
--   - the deletes use base = MAX(id) at the start, as backlog.sql does.
-- With first_id the source's counter, the table ends equal to the source's
-- T_DEAL except for updated_at's values.
--
-- The table's name is fixed when the procedure is created (psql variables are
-- not expanded inside a dollar-quoted body, hence replace() and \gexec), so its
-- statements are static SQL with cached plans, as a hand-written procedure's.

\set ON_ERROR_STOP 1
\if :{?schema}
\else
\echo 'backlog_pg.sql: set the schema of the table: psql -v schema=NAME -f bench/backlog_pg.sql'
DO $$ BEGIN RAISE EXCEPTION 'psql variable schema not set'; END $$;
\endif
\if :{?table}
\else
\set table t_deal
\endif

SELECT replace(replace($body$
CREATE OR REPLACE PROCEDURE @S@.make_backlog(n int, per_commit int, first_id numeric DEFAULT NULL)
LANGUAGE plpgsql AS $proc$
DECLARE
  i bigint := 0;
  base @T@.id%TYPE;
  nxt @T@.id%TYPE;    -- the next id MariaDB's AUTO_INCREMENT gives
BEGIN
  IF per_commit IS NULL OR per_commit < 1 THEN
    RAISE EXCEPTION 'per_commit must be >= 1 (got %)', per_commit;
  END IF;
  SELECT max(id) INTO base FROM @T@;
  nxt := coalesce(first_id, base + 1);
  WHILE i < n LOOP
    IF i % 100 = 99 THEN
      UPDATE @T@ SET qty = qty + 1
        WHERE id BETWEEN (i * 37) % 190000 + 1 AND (i * 37) % 190000 + 1000;
    ELSIF i % 10 = 0 THEN
      UPDATE @T@ SET price = price + 1, updated_at = now()
        WHERE id = (i * 7919) % 190000 + 1;
    ELSE
      UPDATE @T@ SET price = price + 0.5, status = (ARRAY['OPEN', 'CLOSED', 'CANCELLED'])[(1 + i % 3)::int],
          notes = 'upd ' || i, updated_at = now()
        WHERE id BETWEEN (i * 131) % 190000 + 1 AND (i * 131) % 190000 + 30;
      INSERT INTO @T@ (id, deal_no, carrier_id, status, active, deleted, qty, price, amount, currency,
          trade_date, created_at, notes, attrs)
        SELECT nxt + seq - 1, 'B' || i || '-' || seq, 1 + seq, 'OPEN', true, 0, seq, seq * 1.5, NULL, 'USD',
          '2024-01-01', '2024-01-01 00:00:00', 'backlog', '{"b":1}'
        FROM generate_series(1, 15) seq;
      nxt := nxt + 15;
      DELETE FROM @T@ WHERE id BETWEEN base + (i - 1) * 15 + 1 AND base + (i - 1) * 15 + 5;
    END IF;
    IF i % per_commit = per_commit - 1 THEN
      COMMIT;
    END IF;
    i := i + 1;
  END LOOP;
END
$proc$
$body$, '@T@', format('%I.%I', :'schema', :'table')), '@S@', quote_ident(:'schema')) \gexec
