// campaign-testenv's PostgreSQL reset, installed into the template database once its migrations ran,
// so every store set's clone has it (reset.ts installs and calls it). A module rather than a .sql
// file, so that the build carries it wherever dist/ goes.
export const RESET_SQL = `
-- A statement trigger on each table records the table as written;
-- campaign_testenv.reset() empties only those tables, puts back the rows the migrations left in them,
-- and rewinds the sequences used since: one call, one round trip.
CREATE SCHEMA campaign_testenv;
COMMENT ON SCHEMA campaign_testenv IS 'campaign-testenv: what cleanTestData needs to reset this database';

-- Tables written since the last reset. Unlogged: nothing here needs to survive a crash.
CREATE UNLOGGED TABLE campaign_testenv.written (relid oid PRIMARY KEY);

-- The rows the migrations left in a table (lookup or seed data): a copy per such table.
CREATE TABLE campaign_testenv.seeds (relid oid PRIMARY KEY, copy regclass NOT NULL, columns text NOT NULL);

-- Each sequence's state after the migrations; one not listed was created later and starts afresh.
CREATE TABLE campaign_testenv.sequences (seqid oid PRIMARY KEY, last_value bigint NOT NULL, is_called boolean NOT NULL);

-- The tables a test's data lives in: permanent ones of every schema but the system's and this one.
-- schema_migrations is never touched.
CREATE FUNCTION campaign_testenv.tracked(rel oid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND c.relname <> 'schema_migrations'
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'campaign_testenv')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel
$$;

CREATE FUNCTION campaign_testenv.mark_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO campaign_testenv.written VALUES (TG_RELID) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- ENABLE ALWAYS: the trigger fires under session_replication_role = replica too, which bulk loads use.
CREATE FUNCTION campaign_testenv.track(rel regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER campaign_testenv_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
    'FOR EACH STATEMENT EXECUTE FUNCTION campaign_testenv.mark_written()', rel);
  EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER campaign_testenv_written', rel);
END $$;

-- A table a test creates is tracked as well, and counts as written (CREATE TABLE AS fills it).
CREATE FUNCTION campaign_testenv.track_created() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  rel oid;
BEGIN
  FOR rel IN SELECT objid FROM pg_event_trigger_ddl_commands()
      WHERE classid = 'pg_class'::regclass AND object_type = 'table' AND campaign_testenv.tracked(objid) LOOP
    PERFORM campaign_testenv.track(rel);
    INSERT INTO campaign_testenv.written VALUES (rel) ON CONFLICT DO NOTHING;
  END LOOP;
END $$;

CREATE FUNCTION campaign_testenv.reset() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tables oid[];
  r record;
BEGIN
  -- The written tables, with their partitions and inheritance children: a write through a parent
  -- fires no statement trigger on them.
  WITH RECURSIVE t(relid) AS (
    SELECT w.relid FROM campaign_testenv.written w JOIN pg_class c ON c.oid = w.relid
    UNION SELECT i.inhrelid FROM pg_inherits i JOIN t ON i.inhparent = t.relid
  ) SELECT array_agg(relid) INTO tables FROM t;
  IF tables IS NOT NULL THEN
    -- Writers still in flight finish first, so their rows are seen and go too; readers go on.
    EXECUTE 'LOCK TABLE ' || (SELECT string_agg(rel::regclass::text, ', ') FROM unnest(tables) rel)
      || ' IN EXCLUSIVE MODE';
    -- Neither user triggers nor foreign-key actions run: every table ends exactly as it was
    -- after the migrations, the unwritten ones as they are, so the references hold. (A no-op on
    -- the connection cleanTestData uses, which is in this role for good.)
    PERFORM set_config('session_replication_role', 'replica', true);
    FOR r IN SELECT oid::regclass AS rel FROM pg_class WHERE oid = ANY (tables) AND relkind = 'r' LOOP
      EXECUTE format('DELETE FROM ONLY %s', r.rel);
    END LOOP;
    FOR r IN SELECT relid::regclass AS rel, copy, columns FROM campaign_testenv.seeds
        WHERE relid = ANY (tables) LOOP
      EXECUTE format('INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %2$s FROM %s', r.rel, r.columns, r.copy);
    END LOOP;
  END IF;
  -- The marks of what was emptied, and of tables a test dropped.
  DELETE FROM campaign_testenv.written w
    WHERE w.relid = ANY (tables) OR NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = w.relid);
  -- Sequences are not transactional: one advanced by an insert that rolled back left no mark, so
  -- every sequence is compared with its state after the migrations.
  PERFORM setval(s.seqrelid, coalesce(m.last_value, s.seqstart), coalesce(m.is_called, false))
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
    LEFT JOIN campaign_testenv.sequences m ON m.seqid = s.seqrelid
    WHERE c.relpersistence <> 't' AND c.relnamespace <> 'campaign_testenv'::regnamespace
      AND pg_sequence_last_value(s.seqrelid) IS DISTINCT FROM CASE WHEN m.is_called THEN m.last_value END;
END $$;

-- Installation: the tables and sequences as the migrations left them.
DO $$
DECLARE
  rel regclass;
  copy text;
  has_rows boolean;
BEGIN
  FOR rel IN SELECT oid FROM pg_class WHERE campaign_testenv.tracked(oid) LOOP
    PERFORM campaign_testenv.track(rel);
    CONTINUE WHEN (SELECT relkind FROM pg_class WHERE oid = rel) <> 'r';
    EXECUTE format('SELECT EXISTS (SELECT FROM ONLY %s)', rel) INTO has_rows;
    CONTINUE WHEN NOT has_rows;
    copy := format('campaign_testenv.%I', 'seed_' || rel::oid);
    EXECUTE format('CREATE TABLE %s AS SELECT * FROM ONLY %s', copy, rel);
    INSERT INTO campaign_testenv.seeds
      SELECT rel, copy::regclass, string_agg(quote_ident(attname), ', ' ORDER BY attnum)
      FROM pg_attribute WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
  END LOOP;
END $$;
DO $$
DECLARE
  seq regclass;
  state record;
BEGIN
  FOR seq IN SELECT seqrelid FROM pg_sequence JOIN pg_class c ON c.oid = seqrelid WHERE c.relpersistence <> 't' LOOP
    EXECUTE format('SELECT last_value, is_called FROM %s', seq) INTO state;
    INSERT INTO campaign_testenv.sequences VALUES (seq, state.last_value, state.is_called);
  END LOOP;
END $$;
CREATE EVENT TRIGGER campaign_testenv_track ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') EXECUTE FUNCTION campaign_testenv.track_created();
`;
