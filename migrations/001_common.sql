-- Building blocks shared by the tables that follow.
-- gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed.

-- One definition of a valid phone number for every table that stores one
-- (contacts, blacklist, opt_outs): E.164, a leading '+', no trunk zero,
-- 8 to 15 digits in all.
CREATE DOMAIN phone_e164 AS text
  CONSTRAINT phone_e164_format CHECK (VALUE ~ '^\+[1-9][0-9]{7,14}$');

-- Calling windows are evaluated in a time zone; a typo such as 'America/NewYork'
-- would otherwise only surface when the dialer first does the arithmetic.
-- PostgreSQL itself is the reference for which names exist. Bare offsets such
-- as '+05:00' are refused: they know nothing of daylight saving time. The exception block
-- costs a subtransaction, which is fine here: it only runs when a campaign or a
-- contact is written, never on the call path.
CREATE FUNCTION is_valid_time_zone(tz text) RETURNS boolean
  LANGUAGE plpgsql STABLE STRICT
AS $$
BEGIN
  IF tz !~ '^[A-Za-z][A-Za-z0-9_+/-]*$' THEN
    RETURN false;
  END IF;
  PERFORM now() AT TIME ZONE tz;
  RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN false;
END;
$$;

-- Keeps updated_at honest without every writer remembering to set it.
-- Only attached to tables that are edited by people (campaigns, contacts),
-- not to calls, whose rows change several times per call on the hot path.
CREATE FUNCTION set_updated_at() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
