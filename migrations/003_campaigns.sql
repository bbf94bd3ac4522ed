-- A calling or texting campaign and the limits the dialer must respect.

CREATE TYPE campaign_type AS ENUM ('voice', 'sms', 'hybrid');

-- 'cancelled' is kept apart from 'completed': a campaign stopped early is
-- reported differently from one that ran its course, and neither may resume.
CREATE TYPE campaign_status AS ENUM ('draft', 'active', 'paused', 'completed', 'cancelled');

CREATE TABLE campaigns (
  id                   uuid            PRIMARY KEY DEFAULT gen_random_uuid(),
  -- A user who owns campaigns cannot be deleted by accident.
  owner_id             uuid            NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  name                 text            NOT NULL CONSTRAINT campaigns_name_not_blank CHECK (btrim(name) <> ''),
  type                 campaign_type   NOT NULL,
  status               campaign_status NOT NULL DEFAULT 'draft',

  -- Local wall-clock hours during which contacts may be called or texted,
  -- read in the contact's time zone, or the campaign's when the contact has none.
  -- The window is [start, end): start must be strictly before end. An equal pair
  -- would be ambiguous (empty, or all day?) and windows that wrap past
  -- midnight are not allowed: no calling regime permits overnight calls, and
  -- a single interval keeps the dialer's check a plain comparison.
  -- For "always open", use '00:00' to '24:00' (PostgreSQL accepts 24:00).
  calling_window_start time            NOT NULL DEFAULT '09:00',
  calling_window_end   time            NOT NULL DEFAULT '21:00',
  time_zone            text            NOT NULL
    CONSTRAINT campaigns_time_zone_valid CHECK (is_valid_time_zone(time_zone)),

  max_concurrent_calls integer         NOT NULL DEFAULT 10
    CONSTRAINT campaigns_max_concurrent_calls_positive CHECK (max_concurrent_calls > 0),
  calls_per_minute     integer         NOT NULL DEFAULT 60
    CONSTRAINT campaigns_calls_per_minute_positive CHECK (calls_per_minute > 0),
  -- Attempts per contact, first call included.
  max_attempts         integer         NOT NULL DEFAULT 3
    CONSTRAINT campaigns_max_attempts_positive CHECK (max_attempts > 0),

  script               text,           -- what the agent or IVR says (voice, hybrid)
  sms_template         text,           -- message body with {{placeholders}} (sms, hybrid)

  -- Calendar days in the campaign's time zone; both optional (open-ended).
  start_date           date,
  end_date             date,

  created_at           timestamptz     NOT NULL DEFAULT now(),
  updated_at           timestamptz     NOT NULL DEFAULT now(),

  CONSTRAINT campaigns_calling_window_order CHECK (calling_window_start < calling_window_end),
  CONSTRAINT campaigns_date_order CHECK (end_date IS NULL OR start_date IS NULL OR start_date <= end_date)
);

-- Foreign keys are not indexed automatically; owner pages list "my campaigns".
CREATE INDEX campaigns_owner_id_idx ON campaigns (owner_id);
-- The scheduler polls for campaigns that are running.
CREATE INDEX campaigns_active_idx ON campaigns (id) WHERE status = 'active';

CREATE TRIGGER campaigns_set_updated_at
  BEFORE UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
